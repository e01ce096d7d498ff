import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, render, table } from '../../../server/cli/analyze.js';
import { EmbeddedGraphStore } from '../../../server/stores/embedded-store.js';
import { fixtureNodes, fixtureRelationships } from '../stores/graph-store-contract.js';

let store: EmbeddedGraphStore;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oretrace-cli-'));
  store = new EmbeddedGraphStore({ dataDir: dir });
  await store.init();
  await store.importGraph({ nodes: fixtureNodes, relationships: fixtureRelationships });
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('oretrace analyze', () => {
  it('aligns tables: text left, numbers right', () => {
    expect(
      table(
        ['id', 'share'],
        [
          ['a', '5.00%'],
          ['long-id', '100.00%'],
        ],
      ),
    ).toBe(['id         share', '-------  -------', 'a          5.00%', 'long-id  100.00%'].join('\n'));
  });

  it('prints the origin mix of a company', async () => {
    const answer = await analyze(store, 'origins', { company: 'acme', metal: 'tin' });
    const text = render('origins', answer);
    expect(text.split('\n').slice(0, 2)).toEqual([
      `Acme Watches (acme) — tin, snapshot ${await store.version()}`,
      'CAHRA 18.00%  non-CAHRA 82.00%  recycled 0.00%  undisclosed 0.00%',
    ]);
    expect(text).toContain('PE      42.00%');
    expect(text).toContain('S-TIN-1  60.00%');
  });

  it('prints single points of failure and impact', async () => {
    const spof = render('spof', await analyze(store, 'spof', { company: 'acme', metal: 'gold' }));
    expect(spof.split('\n')[0]).toMatch(/^Acme Watches \(acme\) — gold: redundancy 1; one minimum cut: /);
    expect(spof).toContain('S-AU-1                   Smelter  100.00%');
    const impact = render('impact', await analyze(store, 'impact', { remove: ['S-TIN-1'] }));
    expect(impact.split('\n').slice(-3)).toEqual([
      't1a      tin    100.00%  yes',
      't2       tin    100.00%  yes',
      'acme     tin     60.00%',
    ]);
  });

  it('answers JSON identical to the API for --json', async () => {
    const answer = await analyze(store, 'paths', { company: 'acme', metal: 'tin', limit: 3, maxDepth: 6 });
    expect(answer.paths.length).toBeGreaterThan(0);
    expect(answer.paths[0]!.hops[0]!.id).toBe('acme');
  });
});
