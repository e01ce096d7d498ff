import { afterEach, describe, expect, it } from 'vitest';
import { compileSnapshot } from '../../../graph/snapshot.js';
import { AnalysisFailedError, AnalysisPool } from '../../../server/analytics/analysis-pool.js';
import { UnknownNodeError } from '../../../graph/errors.js';
import { GraphNodeSchema, RelationshipSchema } from '../../../graph/model.js';
import { fixtureNodes, fixtureRelationships } from '../stores/graph-store-contract.js';

const snapshot = compileSnapshot({
  version: 3,
  nodes: fixtureNodes.map((n) => GraphNodeSchema.parse(n)),
  relationships: fixtureRelationships.map((r) => RelationshipSchema.parse(r)),
});

let pool: AnalysisPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('analysis worker pool', () => {
  it('answers in a worker exactly as in-process, and carries domain errors across the thread', async () => {
    pool = new AnalysisPool(1);
    const inProcess = new AnalysisPool(0);
    const params = { company: 'acme', metal: 'tin' } as const;
    expect(await pool.run('origins', snapshot, params)).toEqual(await inProcess.run('origins', snapshot, params));
    await expect(pool.run('origins', snapshot, { company: 'ghost', metal: 'tin' })).rejects.toBeInstanceOf(UnknownNodeError);
  });

  it("answers with its route's JSON text, encoded in the worker exactly as in-process, and marks stale answers", async () => {
    pool = new AnalysisPool(1);
    const inProcess = new AnalysisPool(0);
    const params = { metal: 'tin', limit: 5 } as const;
    const text = await pool.answerJson('riskRanking', snapshot, params, false);
    expect(text).toBe(await inProcess.answerJson('riskRanking', snapshot, params, false));
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(await inProcess.run('riskRanking', snapshot, params))));
    expect(JSON.parse(text)).toMatchObject({ snapshotVersion: 3, stale: false, metal: 'tin' });
    expect(JSON.parse(await pool.answerJson('riskRanking', snapshot, params, true)).stale).toBe(true);
    await expect(pool.answerJson('origins', snapshot, { company: 'ghost', metal: 'tin' }, false)).rejects.toBeInstanceOf(UnknownNodeError);
  });

  it('fails only the task of a worker that crashes, and goes on with a new worker', async () => {
    pool = new AnalysisPool(1, new URL('./crashing-worker.ts', import.meta.url));
    const crashed = pool.run('origins', snapshot, { company: 'crash', metal: 'tin' });
    await expect(crashed).rejects.toBeInstanceOf(AnalysisFailedError);
    await expect(crashed).rejects.toThrow(/exited with code 3/);
    const after = await pool.run('origins', snapshot, { company: 'acme', metal: 'tin' });
    expect(after).toMatchObject({ echoed: { company: 'acme', metal: 'tin' } });
  });
});
