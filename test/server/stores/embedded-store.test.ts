import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedGraphStore } from '../../../server/stores/embedded-store.js';
import { describeGraphStoreContract, fixtureNodes, fixtureRelationships } from './graph-store-contract.js';

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

describe('embedded store persistence', () => {
  it('survives a restart with the same graph and version', async () => {
    const dataDir = await tempDir();
    const a = new EmbeddedGraphStore({ dataDir });
    await a.init();
    await a.importGraph({ nodes: fixtureNodes, relationships: fixtureRelationships });
    const before = await a.scan();
    await a.close();

    const b = new EmbeddedGraphStore({ dataDir });
    await b.init();
    expect(await b.scan()).toEqual(before);
    await b.close();
    await rm(dataDir, { recursive: true, force: true });
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
