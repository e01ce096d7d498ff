/**
 * `oretrace import cmrt` and `oretrace reference load|rmap-status`, through the real command line
 * (bin/oretrace.js) over an embedded data dir, and through the command functions.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCmrtCommand, progressLine, renderCmrtImport } from '../../../server/cli/import-cmrt.js';
import { loadLookupCommand, loadRmapStatusCommand } from '../../../server/cli/reference.js';
import { PROJECT_ROOT } from '../../../server/seeding/reference-data.js';
import { loadReference } from '../../../server/seeding/seed-loader.js';
import { EmbeddedGraphStore } from '../../../server/stores/embedded-store.js';

const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'cmrt');
const files = [
  'cmrt-6.4_central-glass_2024-05-10.xlsx',
  'cmrt-6.4_sk-specialty_wf6_2024-05-09.xlsx',
  'cmrt-6.4_emd-electronics-merck_wf6_2024-04-30.xlsx',
].map((f) => join(FIXTURES, f));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oretrace-cli-cmrt-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

function cli(args: string[], dataDir: string) {
  return spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'oretrace.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: dataDir, NEO4J_URI: '', LOG_LEVEL: 'silent' },
    timeout: 180_000,
  });
}

describe('oretrace import cmrt', { timeout: 240_000 }, () => {
  it('draws a progress bar', () => {
    expect(progressLine(0, 4, 'a.xlsx', 8)).toBe('[........] 0/4 a.xlsx');
    expect(progressLine(3, 4, 'c.xlsx', 8)).toBe('[######..] 3/4 c.xlsx');
  });

  it('imports several files in one write and prints the report', async () => {
    const dataDir = join(dir, 'several');
    const store = new EmbeddedGraphStore({ dataDir });
    await store.init();
    await loadReference(store);
    const lines: string[] = [];
    const result = await importCmrtCommand(store, files, { company: 'buyer', country: 'DE', name: 'Buyer GmbH' }, (l) => lines.push(l));
    expect(lines.map((l) => l.replace(/^\[[#.]+\] /, ''))).toEqual([
      '1/3 cmrt-6.4_central-glass_2024-05-10.xlsx',
      '2/3 cmrt-6.4_sk-specialty_wf6_2024-05-09.xlsx',
      '3/3 cmrt-6.4_emd-electronics-merck_wf6_2024-04-30.xlsx',
    ]);
    expect(result.files.map((f) => [f.rowsRead, f.smeltersByMetal, f.resolution.byId])).toEqual([
      [4, { tungsten: 4 }, 4],
      [2, { tungsten: 2 }, 2],
      [1, { tungsten: 1 }, 1],
    ]);
    const tungsten = (await store.listSupplies({ to: 'buyer', metal: 'tungsten' }, { limit: 100 })).items;
    // The three suppliers' tungsten smelters, each once however many files list it.
    const distinct = new Set(result.files.flatMap((f) => f.smelters.map((s) => s.smelterId)));
    expect(tungsten.map((s) => s.from).sort()).toEqual([...distinct].sort());
    const table = renderCmrtImport(result);
    expect(table).toContain('cmrt-6.4_central-glass_2024-05-10.xlsx');
    expect(table).toContain(`Written: ${result.nodesUpserted} nodes, ${result.relationshipsUpserted} relationships`);
    await store.close();
  });

  it('runs from the command line with --json, and fails cleanly on a bad file', async () => {
    const dataDir = join(dir, 'cli');
    const seeded = cli(['seed', 'demo', '--reference-only'], dataDir);
    expect(seeded.status, seeded.stderr).toBe(0);
    const ok = cli(['import', 'cmrt', files[0]!, '--company', 'buyer', '--country', 'DE', '--json'], dataDir);
    expect(ok.status, ok.stderr).toBe(0);
    const answer = JSON.parse(ok.stdout);
    expect(answer.files[0].smeltersByMetal).toEqual({ tungsten: 4 });

    const bad = join(dir, 'bad.xlsx');
    await writeFile(bad, 'not a workbook');
    const failed = cli(['import', 'cmrt', files[1]!, bad, '--company', 'buyer'], dataDir);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('not an .xlsx file: bad.xlsx');
    const store = new EmbeddedGraphStore({ dataDir });
    await store.init();
    // Nothing of the good file either: all or nothing.
    expect((await store.listSupplies({ to: 'buyer' }, { limit: 100 })).items).toHaveLength(4);
    await store.close();
  });
});

describe('oretrace reference', { timeout: 120_000 }, () => {
  it('loads the Smelter Look-up of another template version, keeping what the graph knew', async () => {
    const store = new EmbeddedGraphStore({ dataDir: join(dir, 'lookup') });
    await store.init();
    await loadReference(store); // the 6.5 look-up: 349 smelters
    await store.upsertNodes([{ ...(await store.getNode('Smelter', 'CID002763'))!, rmapStatus: 'conformant', aliases: ['Pero Works'] }]);
    const refreshed = await loadLookupCommand(store, join(FIXTURES, 'RMI_CMRT_6.4_blank_en.xlsx'));
    expect(refreshed.templateVersion).toBe('6.4');
    expect(refreshed.lookupRows).toBe(652); // 660 rows less the 8 without a smelter id
    expect(refreshed.smeltersAdded + refreshed.smeltersUpdated).toBe(368);
    const kept = await store.getNode('Smelter', 'CID002763');
    expect(kept!.rmapStatus).toBe('conformant');
    expect(kept!.aliases).toContain('Pero Works');
    const counts = await store.counts();
    const again = await loadLookupCommand(store, join(FIXTURES, 'RMI_CMRT_6.4_blank_en.xlsx'));
    expect(again.smeltersAdded).toBe(0);
    expect(await store.counts()).toEqual(counts);
    await store.close();
  });

  it('sets RMAP statuses from a list the user brings', async () => {
    const store = new EmbeddedGraphStore({ dataDir: join(dir, 'rmap') });
    await store.init();
    await loadReference(store);
    const csv = join(dir, 'rmap.csv');
    await writeFile(
      csv,
      'Smelter ID,Smelter Name,Status\nCID002763,8853 S.p.A.,Conformant\nCID002920,ABC Refinery,Active\nCID999998,Nobody,Conformant\n',
    );
    const loaded = await loadRmapStatusCommand(store, csv);
    expect(loaded).toMatchObject({ rowsRead: 3, smeltersUpdated: 2, unchanged: 0, notInGraph: 1 });
    expect((await store.getNode('Smelter', 'CID002920'))!.rmapStatus).toBe('active');
    expect((await loadRmapStatusCommand(store, csv)).smeltersUpdated).toBe(0);
    await store.close();
  });
});
