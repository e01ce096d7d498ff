/**
 * The work budget of the analysis pool: a task that runs past its deadline or fills its worker's
 * heap fails with a problem naming the limit, its worker is replaced, the tasks queued behind it
 * are answered by the replacement, and the pool goes on answering. The misbehaving analyses come
 * from a stand-in worker (crashing-worker.ts); the snapshot is the contract fixture's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { compileSnapshot } from '../../../graph/snapshot.js';
import { GraphNodeSchema, RelationshipSchema } from '../../../graph/model.js';
import { AnalysisFailedError, AnalysisPool } from '../../../server/analytics/analysis-pool.js';
import { AnalysisMemoryError, AnalysisTimeoutError } from '../../../server/errors.js';
import { fixtureNodes, fixtureRelationships } from '../stores/graph-store-contract.js';

const snapshotOf = (version: number) =>
  compileSnapshot({
    version,
    nodes: fixtureNodes.map((n) => GraphNodeSchema.parse(n)),
    relationships: fixtureRelationships.map((r) => RelationshipSchema.parse(r)),
  });
const snapshot = snapshotOf(3);

const misbehaving = new URL('./crashing-worker.ts', import.meta.url);
const task = (company: string) => ({ company, metal: 'tin' }) as const;

let pool: AnalysisPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

interface Echo {
  echoed: unknown;
  threadId: number;
}

async function threadOf(p: AnalysisPool): Promise<number> {
  return ((await p.run('origins', snapshot, task('acme'))) as unknown as Echo).threadId;
}

describe('analysis deadline', () => {
  it('stops a task that runs past ANALYSIS_TIMEOUT_MS with a 503 naming the limit, and a new worker answers', async () => {
    pool = new AnalysisPool(1, misbehaving, { timeoutMs: 1000 });
    const before = await threadOf(pool);
    const spinning = pool.run('origins', snapshot, task('spin'));
    const error = await spinning.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AnalysisTimeoutError);
    expect(error).toMatchObject({ status: 503, code: 'analysis-timeout', retryAfter: 1 });
    expect((error as Error).message).toBe('The analysis took longer than 1000 ms (ANALYSIS_TIMEOUT_MS) and was stopped.');
    const after = await threadOf(pool);
    expect(after).not.toBe(before);
  });

  it('retries the tasks queued behind a runaway on its replacement rather than failing them', async () => {
    pool = new AnalysisPool(1, misbehaving, { timeoutMs: 1000 });
    const spinning = pool.run('origins', snapshot, task('spin'));
    const queued = [pool.run('origins', snapshot, task('acme')), pool.run('origins', snapshot, task('t1a'))];
    await expect(spinning).rejects.toBeInstanceOf(AnalysisTimeoutError);
    const answers = (await Promise.all(queued)) as unknown as Echo[];
    expect(answers.map((a) => a.echoed)).toEqual([task('acme'), task('t1a')]);
  });

  it('gives each task its own deadline, counted from when it starts rather than when it was queued', async () => {
    // Two runaways in a row: the second is queued while the first spins, and still gets its full time.
    pool = new AnalysisPool(1, misbehaving, { timeoutMs: 1000 });
    const first = pool.run('origins', snapshot, task('spin'));
    const second = pool.run('origins', snapshot, task('spin'));
    const third = pool.run('origins', snapshot, task('acme'));
    await expect(first).rejects.toBeInstanceOf(AnalysisTimeoutError);
    await expect(second).rejects.toBeInstanceOf(AnalysisTimeoutError);
    expect(((await third) as unknown as Echo).echoed).toEqual(task('acme'));
  });

  it('re-sends the older snapshot a retried task was queued on', async () => {
    pool = new AnalysisPool(1, misbehaving, { timeoutMs: 1000 });
    const older = snapshotOf(3);
    const newer = snapshotOf(4);
    const spinning = pool.run('origins', older, task('spin'));
    const onOlder = pool.run('origins', older, task('acme'));
    const onNewer = pool.run('origins', newer, task('acme'));
    await expect(spinning).rejects.toBeInstanceOf(AnalysisTimeoutError);
    expect(((await onOlder) as unknown as Echo).echoed).toEqual(task('acme'));
    expect(((await onNewer) as unknown as Echo).echoed).toEqual(task('acme'));
  });
});

describe('analysis heap limit', () => {
  it('fails a task that fills ANALYSIS_HEAP_MB with a 422 naming the limit, and a new worker answers', async () => {
    pool = new AnalysisPool(1, misbehaving, { heapMb: 32 });
    const before = await threadOf(pool);
    const hog = pool.run('origins', snapshot, task('hog'));
    const queued = pool.run('origins', snapshot, task('t1b'));
    const error = await hog.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AnalysisMemoryError);
    expect(error).toMatchObject({ status: 422, code: 'analysis-memory-limit' });
    expect((error as Error).message).toBe(
      'The analysis needed more than the 32 MB of heap its worker may use (ANALYSIS_HEAP_MB) and was stopped.',
    );
    expect(((await queued) as unknown as Echo).echoed).toEqual(task('t1b'));
    expect(await threadOf(pool)).not.toBe(before);
  });
});

describe('a worker that crashes', () => {
  it('fails the task it was running (500) and retries the ones queued behind it', async () => {
    pool = new AnalysisPool(1, misbehaving);
    const crashed = pool.run('origins', snapshot, task('crash'));
    const queued = pool.run('origins', snapshot, task('acme'));
    await expect(crashed).rejects.toBeInstanceOf(AnalysisFailedError);
    expect(((await queued) as unknown as Echo).echoed).toEqual(task('acme'));
  });
});

describe('in-process analyses', () => {
  it('cannot be preempted (ANALYSIS_WORKERS=0), and the pool says so', () => {
    expect(new AnalysisPool(0, undefined, { timeoutMs: 1000 }).preemptive).toBe(false);
    pool = new AnalysisPool(1, misbehaving, { timeoutMs: 1000 });
    expect(pool.preemptive).toBe(true);
  });
});
