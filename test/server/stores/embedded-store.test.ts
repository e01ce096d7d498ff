import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedGraphStore } from '../../../server/stores/embedded-store.js';
import { describeGraphStoreContract, fixtureNodes, fixtureRelationships } from './graph-store-contract.js';
import { describeRestartProperty } from './store-restart-property.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'oretrace-embedded-'));
}

describeGraphStoreContract('embedded (graphology + file)', async () => {
  const dataDir = await tempDir();
  const store = new EmbeddedGraphStore({ dataDir });
  await store.init();
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});

describeRestartProperty('embedded (graphology + file)', async () => {
  const dataDir = await tempDir();
  return {
    open: async () => {
      const store = new EmbeddedGraphStore({ dataDir });
      await store.init();
      return store;
    },
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
    numRuns: 60,
  };
});

/** A graph file as an older oretrace could leave it: the Country CD, then a Company CD. */
function fileWithSharedId(extra: { nodes?: unknown[]; relationships?: unknown[] } = {}) {
  return {
    format: 'oretrace-embedded-graph',
    formatVersion: 1,
    version: 7,
    nodes: [
      { label: 'Country', id: 'CD', name: 'Congo', cahra: true, lists: ['EU-CAHRA'] },
      { label: 'Country', id: 'US', name: 'United States', cahra: false, lists: [] },
      { label: 'Smelter', id: 'S-1', name: 'Tin Smelter', aliases: [], metal: 'tin', country: 'CD', rmapStatus: 'unknown' },
      { label: 'Company', id: 'acme', name: 'Acme', country: 'US' },
      { label: 'Company', id: 'CD', name: 'CD Holdings', country: 'US' },
      ...(extra.nodes ?? []),
    ],
    relationships: [
      { type: 'SUPPLIES', from: 'CD', to: 'S-1', metal: 'tin', source: 'manual' },
      { type: 'SUPPLIES', from: 'S-1', to: 'acme', metal: 'tin', source: 'manual' },
      { type: 'LOCATED_IN', from: 'CD', to: 'US' },
      { type: 'LOCATED_IN', from: 'S-1', to: 'CD' },
      ...(extra.relationships ?? []),
    ],
  };
}

describe('embedded store: a file that holds an id under two labels', () => {
  it('hangs each relationship on the node the model allows, never on the first label found', async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, 'graph.json'), JSON.stringify(fileWithSharedId()));
    const store = new EmbeddedGraphStore({ dataDir });
    await store.init();
    const columns = await store.scanColumns();
    const { ids, labels } = columns.nodes;
    const at = (k: number, end: 'from' | 'to') =>
      `${['Company', 'Smelter', 'Country'][labels[columns.supplies[end][k]!]!]} ${ids[columns.supplies[end][k]!]}`;
    const supplies = Array.from({ length: columns.supplies.count }, (_, k) => `${at(k, 'from')} -> ${at(k, 'to')}`);
    expect(supplies).toEqual(['Country CD -> Smelter S-1', 'Smelter S-1 -> Company acme']);
    // The Company's own relationship stays the Company's; deleting the Company leaves the Country's.
    expect(await store.deleteNode('Company', 'CD')).toBe(true);
    expect((await store.scan()).relationships.map((r) => `${r.type} ${r.from} -> ${r.to}`)).toEqual([
      'SUPPLIES CD -> S-1',
      'SUPPLIES S-1 -> acme',
      'LOCATED_IN S-1 -> CD',
    ]);
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses, naming the id and its labels, a file where a relationship could belong to either node', async () => {
    const dataDir = await tempDir();
    const text = JSON.stringify(
      fileWithSharedId({
        nodes: [{ label: 'Smelter', id: 'acme', name: 'Acme Smelting', aliases: [], metal: 'tin', country: 'US', rmapStatus: 'unknown' }],
        relationships: [{ type: 'SUPPLIES', from: 'acme', to: 'CD', metal: 'tin', source: 'manual' }],
      }),
    );
    await writeFile(join(dataDir, 'graph.json'), text);
    const store = new EmbeddedGraphStore({ dataDir });
    await expect(store.init()).rejects.toThrow(
      'relationships[4] (SUPPLIES acme -> CD) cannot be placed: "acme" is held by a Company and a Smelter; "CD" is held by a Company and a Country, and more than one pair of them may be its ends. Ids must be unique across labels: rename or remove one of those nodes in the file, then start again',
    );
    expect(await readFile(join(dataDir, 'graph.json'), 'utf8')).toBe(text);
    await rm(dataDir, { recursive: true, force: true });
  });
});

/** Opens the store in dataDir afresh, as a restart does: it must scan as `expected`. Removes the directory. */
async function expectReopenedAs(dataDir: string, expected: Awaited<ReturnType<EmbeddedGraphStore['scan']>>): Promise<void> {
  const b = new EmbeddedGraphStore({ dataDir });
  await b.init();
  expect(await b.scan()).toEqual(expected);
  await b.close();
  await rm(dataDir, { recursive: true, force: true });
}

describe('embedded store persistence', () => {
  it('survives a restart with the same graph and version', async () => {
    const dataDir = await tempDir();
    const a = new EmbeddedGraphStore({ dataDir });
    await a.init();
    await a.importGraph({ nodes: fixtureNodes, relationships: fixtureRelationships });
    const before = await a.scan();
    await a.close();

    await expectReopenedAs(dataDir, before);
  });

  it('ignores a temporary file left by a crash between write and rename', async () => {
    const dataDir = await tempDir();
    const a = new EmbeddedGraphStore({ dataDir });
    await a.init();
    await a.upsertNodes(fixtureNodes);
    await a.close();
    // What a crash after writing half of the next state looks like.
    await writeFile(join(dataDir, '.graph.json.123.abcd.tmp'), '{"format":"oretrace-embedded-gr');

    const b = new EmbeddedGraphStore({ dataDir });
    await b.init();
    expect((await b.counts()).nodes).toBe(fixtureNodes.length);
    expect(await readdir(dataDir)).toEqual(['graph.json']);
    await b.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses to open a corrupt file instead of overwriting it', async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, 'graph.json'), '{ not json');
    const store = new EmbeddedGraphStore({ dataDir });
    await expect(store.init()).rejects.toThrow(/not valid JSON/);
    expect(await readFile(join(dataDir, 'graph.json'), 'utf8')).toBe('{ not json');
    await rm(dataDir, { recursive: true, force: true });
  });
});

describe('embedded store journal', () => {
  const journal = (dataDir: string) => join(dataDir, 'graph.journal');

  async function storeWithJournal(): Promise<{ dataDir: string; before: Awaited<ReturnType<EmbeddedGraphStore['scan']>> }> {
    const dataDir = await tempDir();
    const a = new EmbeddedGraphStore({ dataDir });
    await a.init();
    await a.upsertNodes(fixtureNodes); // the first write makes the graph file
    await a.importGraph({ nodes: [], relationships: fixtureRelationships }); // later ones append journal lines
    await a.deleteSupplies({ from: fixtureRelationships[0]!.from, to: fixtureRelationships[0]!.to, metal: 'tin' });
    const before = await a.scan();
    await a.close();
    return { dataDir, before };
  }

  it('writes after the first append a line each, and opening replays them', async () => {
    const { dataDir, before } = await storeWithJournal();
    expect((await readFile(journal(dataDir), 'utf8')).split('\n')).toHaveLength(3); // two lines and the last newline
    await expectReopenedAs(dataDir, before);
  });

  it('drops a torn last line (a write that never answered) and cuts it off the file', async () => {
    const { dataDir, before } = await storeWithJournal();
    const whole = await readFile(journal(dataDir), 'utf8');
    await writeFile(journal(dataDir), `${whole}{"version":99,"changes":[{"node":{"label":"Company","id":"torn"`);
    const b = new EmbeddedGraphStore({ dataDir });
    await b.init();
    expect(await b.scan()).toEqual(before);
    expect(await readFile(journal(dataDir), 'utf8')).toBe(whole);
    // The next write follows the last whole line.
    await b.upsertNodes([{ label: 'Company', id: 'after-torn', name: 'After', country: 'US' }]);
    await b.close();
    const c = new EmbeddedGraphStore({ dataDir });
    await c.init();
    expect(await c.getNode('Company', 'after-torn')).toMatchObject({ name: 'After' });
    expect(await c.getNode('Company', 'torn')).toBeNull();
    await c.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses to open a journal damaged before its last line, leaving it as it is', async () => {
    const { dataDir } = await storeWithJournal();
    const damaged = `{ not json\n${await readFile(journal(dataDir), 'utf8')}`;
    await writeFile(journal(dataDir), damaged);
    const b = new EmbeddedGraphStore({ dataDir });
    await expect(b.init()).rejects.toThrow(/line 1 is not a journal entry/);
    expect(await readFile(journal(dataDir), 'utf8')).toBe(damaged);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('skips lines the graph file already holds (a crash after a compaction, before the journal was emptied)', async () => {
    const { dataDir, before } = await storeWithJournal();
    const lines = await readFile(journal(dataDir), 'utf8');
    // clear() rewrites the graph file and empties the journal; put the old lines back as a crash would have left them.
    const a = new EmbeddedGraphStore({ dataDir });
    await a.init();
    await a.importGraph({ nodes: fixtureNodes, relationships: fixtureRelationships });
    await a.deleteSupplies({ from: fixtureRelationships[0]!.from, to: fixtureRelationships[0]!.to, metal: 'tin' });
    await a.clear();
    const cleared = await a.scan();
    await a.close();
    expect(cleared.nodes).toEqual([]);
    await writeFile(journal(dataDir), lines);
    const b = new EmbeddedGraphStore({ dataDir });
    await b.init();
    expect(await b.scan()).toEqual(cleared);
    expect(before.version).toBeLessThan(cleared.version);
    await b.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a journal without its graph file instead of starting over part of a graph', async () => {
    const { dataDir } = await storeWithJournal();
    await rm(join(dataDir, 'graph.json'));
    const b = new EmbeddedGraphStore({ dataDir });
    await expect(b.init()).rejects.toThrow(/graph.json is missing/);
    await rm(dataDir, { recursive: true, force: true });
  });
});

describe('embedded store journal folding', () => {
  const limits = { minBytes: 1, idleMs: 20, hardFactor: 1_000_000 };

  it('folds the journal into the graph file once writes pause, and opens to the same graph', async () => {
    const dataDir = await tempDir();
    const a = new EmbeddedGraphStore({ dataDir, journalLimits: limits });
    await a.init();
    await a.upsertNodes(fixtureNodes); // the graph file
    // Journal lines until the journal outgrows the graph file.
    for (let i = 0; i < 5; i++) await a.importGraph({ nodes: [], relationships: fixtureRelationships });
    expect(await readdir(dataDir)).toContain('graph.journal');
    await expect.poll(() => readdir(dataDir)).toEqual(['graph.json']);
    const before = await a.scan();
    await a.close();
    await expectReopenedAs(dataDir, before);
  });

  it('folds it at once past the hard bound, whether or not writes pause', async () => {
    const dataDir = await tempDir();
    const a = new EmbeddedGraphStore({ dataDir, journalLimits: { minBytes: 1, idleMs: 60_000, hardFactor: 1e-9 } });
    await a.init();
    await a.upsertNodes(fixtureNodes);
    await a.importGraph({ nodes: [], relationships: fixtureRelationships }); // a line: the journal was empty
    await a.upsertNodes([{ label: 'Company', id: 'later', name: 'Later', country: 'JP' }]); // folds everything
    expect(await readdir(dataDir)).toEqual(['graph.json']);
    const before = await a.scan();
    await a.close();
    await expectReopenedAs(dataDir, before);
  });
});
