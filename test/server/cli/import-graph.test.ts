import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Relationship } from '../../../graph/model.js';
import { exportCommand } from '../../../server/cli/export.js';
import { csvPartOfFileName, importGraphCommand, renderGraphImport } from '../../../server/cli/import-graph.js';
import { UnprocessableError, ValidationError } from '../../../server/errors.js';
import { graphToJson, sortedNodes, sortedRelationships } from '../../../server/exporters/graph-export.js';
import { PROJECT_ROOT } from '../../../server/seeding/reference-data.js';
import { EmbeddedGraphStore } from '../../../server/stores/embedded-store.js';
import { fixtureNodes, fixtureRelationships } from '../stores/graph-store-contract.js';

const withoutUpdatedAt = (rs: Relationship[]) => sortedRelationships(rs).map(({ updatedAt: _u, ...r }) => r);

let dir: string;
const stores: EmbeddedGraphStore[] = [];
async function store(name: string, withFixture = false) {
  const s = new EmbeddedGraphStore({ dataDir: join(dir, name) });
  await s.init();
  if (withFixture) await s.importGraph({ nodes: fixtureNodes, relationships: fixtureRelationships });
  stores.push(s);
  return s;
}
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oretrace-cli-import-'));
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error & { fields: { path: string; message: string }[] },
  );
}

describe('oretrace import graph', () => {
  it('tells CSV parts apart by file name', () => {
    expect(csvPartOfFileName('/x/nodes.csv')).toBe('nodes');
    expect(csvPartOfFileName('2026-NODES.csv')).toBe('nodes');
    expect(csvPartOfFileName('supplier-relationships.csv')).toBe('relationships');
    expect(csvPartOfFileName('edges.csv')).toBeUndefined();
  });

  it('imports an exported CSV pair into an empty store: the same graph', async () => {
    const source = await store('source', true);
    await exportCommand(source, { format: 'csv', out: join(dir, 'csv') });
    const target = await store('target');
    const outcome = await importGraphCommand(target, [join(dir, 'csv', 'relationships.csv'), join(dir, 'csv', 'nodes.csv')]);
    expect(outcome.result).toEqual({ nodesUpserted: 11, relationshipsUpserted: 13, version: 1 });
    const [a, b] = [await source.scan(), await target.scan()];
    expect(sortedNodes(b.nodes)).toEqual(sortedNodes(a.nodes));
    expect(withoutUpdatedAt(b.relationships)).toEqual(withoutUpdatedAt(a.relationships));
    const nodesFile = join(dir, 'csv', 'nodes.csv');
    const relationshipsFile = join(dir, 'csv', 'relationships.csv');
    expect(renderGraphImport(outcome).split('\n')).toEqual([
      `${'file'.padEnd(relationshipsFile.length)}  nodes  relationships`,
      `${'-'.repeat(relationshipsFile.length)}  -----  -------------`,
      `${nodesFile.padEnd(relationshipsFile.length)}     11              0`,
      `${relationshipsFile}      0             13`,
      `${'upserted'.padEnd(relationshipsFile.length)}     11             13`,
      'store version 1',
    ]);
  });

  it('imports JSON documents and a CSV pair given with --nodes/--relationships in ONE write', async () => {
    const target = await store('target');
    const countries = join(dir, 'countries.json');
    await writeFile(
      countries,
      graphToJson({ version: 3, nodes: fixtureNodes.filter((n) => n.label === 'Country') as never, relationships: [] }),
    );
    const companies = join(dir, 'companies.txt');
    await writeFile(companies, 'label,id,name,country\nCompany,acme,Acme,JP\nCompany,sup,Supplier,CD\n');
    const links = join(dir, 'links.txt');
    await writeFile(links, 'type,from,to,metal,share\nSUPPLIES,sup,acme,cobalt,1\nLOCATED_IN,acme,JP,,\n');
    const outcome = await importGraphCommand(target, [countries], { nodes: companies, relationships: links });
    expect(outcome.result).toEqual({ nodesUpserted: 6, relationshipsUpserted: 2, version: 1 });
    expect(outcome.sources).toEqual([
      { file: countries, nodes: 4, relationships: 0 },
      { file: companies, nodes: 2, relationships: 0 },
      { file: links, nodes: 0, relationships: 2 },
    ]);
  });

  it('names the file and row of every problem; nothing written', async () => {
    const target = await store('target', true);
    const before = await target.scan();
    const doc = join(dir, 'supplier.json');
    await writeFile(
      doc,
      JSON.stringify({
        nodes: [{ label: 'Company', id: 'new-co', name: 'New', country: 'JP' }],
        relationships: [{ type: 'SUPPLIES', from: 'new-co', to: 'nobody', metal: 'tin' }],
      }),
    );
    const rels = join(dir, 'relationships.csv');
    await writeFile(rels, 'type,from,to,metal\nSUPPLIES,new-co,acme,tin\nSUPPLIES,ghost,acme,tin\n');
    const err = await rejection(importGraphCommand(target, [doc, rels]));
    expect(err).toBeInstanceOf(UnprocessableError);
    expect(err.fields.map((f) => f.message)).toEqual([
      `${doc} relationships[0].to: no node has id "nobody"`,
      `${rels} row 3 column from: no node has id "ghost"`,
    ]);
    expect(err.message).toBe(
      `nothing was written: 2 problems\n  ${doc} relationships[0].to: no node has id "nobody"` +
        `\n  ${rels} row 3 column from: no node has id "ghost"`,
    );
    expect(await target.scan()).toEqual(before);

    const badCsv = join(dir, 'nodes.csv');
    await writeFile(badCsv, 'label,id,name,country\nCompany,x,X,jp\n');
    const csvErr = await rejection(importGraphCommand(target, [badCsv]));
    expect(csvErr).toBeInstanceOf(ValidationError);
    expect(csvErr.message).toBe(
      `nothing was written: one problem\n  ${badCsv} row 2 column country: must be an ISO 3166-1 alpha-2 code in upper case, e.g. "CD"`,
    );

    const badJson = join(dir, 'broken.json');
    await writeFile(badJson, '{"nodes": [');
    expect((await rejection(importGraphCommand(target, [badJson]))).message).toMatch(
      new RegExp(`^nothing was written: one problem\\n  ${badJson} is not JSON: `),
    );
    const invalidRow = join(dir, 'invalid.json');
    await writeFile(
      invalidRow,
      JSON.stringify({
        nodes: [
          { label: 'Company', id: 'ok', name: 'OK', country: 'JP' },
          { label: 'Planet', id: 'mars' },
        ],
      }),
    );
    const rowErr = await rejection(importGraphCommand(target, [invalidRow]));
    expect(rowErr.fields[0]).toEqual({
      path: 'nodes[1].label',
      message: expect.stringMatching(new RegExp(`^${invalidRow} nodes\\[1\\]\\.label: `)),
    });
    expect(await target.scan()).toEqual(before);
  });

  it('refuses files it cannot place', async () => {
    const target = await store('target');
    const err = await rejection(importGraphCommand(target, ['edges.csv', 'graph.xml', 'a-nodes.csv', 'b-nodes.csv']));
    expect(err.fields.map((f) => f.message)).toEqual([
      'edges.csv: cannot tell whether it holds nodes or relationships; ' +
        'name it …nodes.csv or …relationships.csv, or pass it with --nodes or --relationships',
      'graph.xml: not a .json document or a .csv file',
      'b-nodes.csv: a second nodes CSV (already have a-nodes.csv); import one pair at a time',
    ]);
    expect((await rejection(importGraphCommand(target, []))).fields[0]!.message).toBe(
      'no file to import: give .json documents and/or nodes.csv and relationships.csv',
    );
  });
});

describe('the oretrace command on an embedded data dir', () => {
  const cli = (args: string[], dataDir: string) =>
    spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'oretrace.js'), ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, DATA_DIR: dataDir, NEO4J_URI: '', LOG_LEVEL: 'silent' },
      timeout: 120_000,
    });

  it('exports CSV from one data dir and imports it into another', async () => {
    const source = await store('source', true);
    await source.close();
    stores.splice(stores.indexOf(source), 1);
    const exported = cli(['export', '--format', 'csv', '--out', join(dir, 'out')], join(dir, 'source'));
    expect(exported.stderr).toBe('');
    expect(exported.status).toBe(0);
    expect(exported.stdout).toMatch(/^exported 11 nodes and 13 relationships \(store version 1\) as csv to /);

    const imported = cli(
      ['import', 'graph', join(dir, 'out', 'nodes.csv'), join(dir, 'out', 'relationships.csv'), '--json'],
      join(dir, 'target'),
    );
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual({ nodesUpserted: 11, relationshipsUpserted: 13, version: 1 });

    const again = cli(['import', 'graph', join(dir, 'out', 'relationships.csv')], join(dir, 'target'));
    expect(again.status).toBe(0);
    expect(again.stdout.split('\n').at(-2)).toBe('store version 2');

    const failed = cli(['import', 'graph', join(dir, 'out', 'relationships.csv')], join(dir, 'empty'));
    expect(failed.status).toBe(1);
    expect(failed.stderr.split('\n').slice(0, 2)).toEqual([
      // Both ends of all 13 rows are missing in an empty store.
      'oretrace: nothing was written: 26 problems',
      `  ${join(dir, 'out', 'relationships.csv')} row 2 column from: no node has id "CD"`,
    ]);
  }, 300_000);
});
