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

  it('prints the origin mix of a company, countries and smelters named', async () => {
    const { answer, nameOf } = await analyze(store, 'origins', { company: 'acme', metal: 'tin' });
    expect(render('origins', answer, nameOf)).toBe(
      [
        `Acme Watches (acme) — tin, snapshot ${await store.version()}`,
        'CAHRA 18.00%  non-CAHRA 82.00%  recycled 0.00%  undisclosed 0.00%',
        '',
        'origin  name                                share',
        '------  ---------------------------------  ------',
        'PE      Peru                               42.00%',
        'CN      China                              40.00%',
        'CD      Congo, Democratic Republic of the  18.00%',
        '',
        'smelter  name                share',
        '-------  -----------------  ------',
        'S-TIN-1  Andes Tin Smelter  60.00%',
        'S-TIN-2  Yunnan Tin Works   40.00%',
        '',
        'RMAP status    share',
        '------------  ------',
        'conformant    60.00%',
        'active        40.00%',
        '(no smelter)   0.00%',
      ].join('\n'),
    );
  });

  it('prints single points of failure and impact, every id with its name', async () => {
    const spof = await analyze(store, 'spof', { company: 'acme', metal: 'gold' });
    expect(render('spof', spof.answer, spof.nameOf)).toBe(
      [
        'Acme Watches (acme) — gold: redundancy 1; one minimum cut: Tier One Alpha (t1a)',
        '',
        'single point of failure  name             label      share',
        '-----------------------  ---------------  -------  -------',
        'CN                       China            Country  100.00%',
        'S-AU-1                   Golden Refinery  Smelter  100.00%',
        't1a                      Tier One Alpha   Company  100.00%',
      ].join('\n'),
    );
    const impact = await analyze(store, 'impact', { remove: ['S-TIN-1'] });
    expect(render('impact', impact.answer, impact.nameOf)).toBe(
      [
        `removing Andes Tin Smelter (S-TIN-1) (snapshot ${await store.version()}): 3 company/metal pairs affected`,
        '',
        'company  name             metal     lost  cut off',
        '-------  ---------------  -----  -------  -------',
        't1a      Tier One Alpha   tin    100.00%  yes',
        't2       Tier Two Solder  tin    100.00%  yes',
        'acme     Acme Watches     tin     60.00%',
      ].join('\n'),
    );
  });

  it('prints risk contributors and risk paths with names', async () => {
    const risk = await analyze(store, 'risk', { company: 'acme', metal: 'tin', limit: 5 });
    expect(render('risk', risk.answer, risk.nameOf).split('\n').slice(2)).toEqual([
      'contributor  name            label    contribution',
      '-----------  --------------  -------  ------------',
      't1b          Tier One Beta   Company        0.2679',
      't1a          Tier One Alpha  Company        0.2662',
    ]);
    const paths = await analyze(store, 'paths', { company: 'acme', metal: 'tin', limit: 2, maxDepth: 6 });
    expect(render('paths', paths.answer, paths.nameOf).split('\n').slice(-2)).toEqual([
      '0.252800  Acme Watches (acme) ← Tier One Beta (t1b)',
      '0.066355  Acme Watches (acme) ← Tier One Alpha (t1a) ← Tier Two Solder (t2) ← Andes Tin Smelter (S-TIN-1) ← Congo, Democratic Republic of the (CD)',
    ]);
  });

  it('answers JSON identical to the API for --json', async () => {
    const { answer } = await analyze(store, 'paths', { company: 'acme', metal: 'tin', limit: 3, maxDepth: 6 });
    expect(answer.paths.length).toBeGreaterThan(0);
    expect(answer.paths[0]!.hops[0]!.id).toBe('acme');
  });
});
