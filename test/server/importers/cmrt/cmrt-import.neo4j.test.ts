/**
 * The CMRT import against the real Neo4j: the five real declarations land exactly as in the
 * embedded store, and a batch with one unreadable file writes nothing.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { importCmrtFiles, type CmrtUpload } from '../../../../server/importers/cmrt/cmrt-import.js';
import { PROJECT_ROOT } from '../../../../server/seeding/reference-data.js';
import { loadReference } from '../../../../server/seeding/seed-loader.js';
import { EmbeddedGraphStore } from '../../../../server/stores/embedded-store.js';
import type { GraphScan, GraphStore } from '../../../../server/stores/graph-store.js';
import { Neo4jGraphStore } from '../../../../server/stores/neo4j-store.js';

const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'cmrt');
const FILES = [
  'cmrt-6.4_central-glass_2024-05-10.xlsx',
  'cmrt-6.4_emd-electronics-merck_wf6_2024-04-30.xlsx',
  'cmrt-6.4_jx-advanced-metals_2024-05-30.xlsx',
  'cmrt-6.4_pkg-de00_2024-07-10_no-declaration.xlsx',
  'cmrt-6.4_sk-specialty_wf6_2024-05-09.xlsx',
];
const uploads: CmrtUpload[] = FILES.map((f, i) => ({
  fileName: f,
  bytes: readFileSync(join(FIXTURES, f)),
  companyId: `supplier-${i + 1}`,
}));

const conn = inject('neo4j');

/** Nodes and relationships without the per-write parts (timestamps inside provenance). */
function comparable(scan: GraphScan) {
  const nodes = scan.nodes.map((n) => JSON.stringify(n)).sort();
  const relationships = scan.relationships
    .map((r) => (r.type === 'SUPPLIES' ? `${r.from}>${r.to}:${r.metal}:${r.source.replace(/; imported=.*$/, '')}` : `${r.from}@${r.to}`))
    .sort();
  return { nodes, relationships };
}

async function importAll(store: GraphStore) {
  await store.clear();
  await loadReference(store);
  return importCmrtFiles(store, uploads, { newCompany: { country: 'DE', name: 'A supplier' } });
}

describe.skipIf(!conn?.uri)('CMRT import into Neo4j', { timeout: 180_000 }, () => {
  let neo4jStore: Neo4jGraphStore;
  let embedded: EmbeddedGraphStore;
  let dataDir: string;
  beforeAll(async () => {
    neo4jStore = new Neo4jGraphStore({ uri: conn!.uri, user: conn!.user, password: conn!.password, database: conn!.database });
    await neo4jStore.init();
    dataDir = await mkdtemp(join(tmpdir(), 'oretrace-cmrt-neo4j-'));
    embedded = new EmbeddedGraphStore({ dataDir });
    await embedded.init();
  });
  afterAll(async () => {
    await neo4jStore?.clear();
    await neo4jStore?.close();
    await embedded?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes the same graph as the embedded store', async () => {
    const [a, b] = [await importAll(neo4jStore), await importAll(embedded)];
    expect(a.files.map((f) => f.smeltersByMetal)).toEqual([
      { tungsten: 4 },
      { tungsten: 1 },
      { tantalum: 15, tungsten: 6 },
      { tin: 33, gold: 34 },
      { tungsten: 2 },
    ]);
    expect(a.files.map((f) => f.resolution)).toEqual(b.files.map((f) => f.resolution));
    expect(a.nodesUpserted).toBe(b.nodesUpserted);
    expect(a.relationshipsUpserted).toBe(b.relationshipsUpserted);
    expect(comparable(await neo4jStore.scan())).toEqual(comparable(await embedded.scan()));
  });

  it('writes nothing when one file of the batch cannot be read', async () => {
    const before = await neo4jStore.version();
    const counts = await neo4jStore.counts();
    const bad = { fileName: 'broken.xlsx', bytes: Buffer.from('PK\u0003\u0004 not really'), companyId: 'supplier-9' };
    await expect(importCmrtFiles(neo4jStore, [uploads[0]!, bad], { newCompany: { country: 'DE', name: 'X' } })).rejects.toThrow(
      /broken\.xlsx/,
    );
    expect(await neo4jStore.version()).toBe(before);
    expect(await neo4jStore.counts()).toEqual(counts);
  });
});
