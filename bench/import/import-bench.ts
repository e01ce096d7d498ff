/**
 * Bulk import over HTTP (`npm run bench:import`): `POST /api/v1/imports/graph` as a client loading
 * a network sees it, on the embedded store and, when NEO4J_URI is set, on that Neo4j (issue 14,
 * item 5: ≥ 50k relationships/s on both stores).
 *
 * One synthetic network (seeds/synthetic) of at least 2 × --relationships relationships; the
 * service (`oretrace serve`, bench/lib/service.ts) starts over an empty store, then:
 *   1. nodes: every node of the network, --chunk rows per request;
 *   2. empty: the first --relationships relationships (into a graph without any);
 *   3. existing: the next --relationships (new relationships into a graph holding the first);
 *   4. reimport: the first --relationships again (every one exists: all updates).
 * Requests are sent one after another, their bodies serialised before the clock starts; a phase's
 * rate is its rows over the wall time from its first request to its last answer. At the end the
 * store's counts are checked against the network (opened in this process once the service is down).
 *
 * The Neo4j database is cleared first: point NEO4J_URI at a scratch server, e.g. the project's own
 * (`npx tsx tools/local-neo4j/cli.ts start --home /tmp/neo4j-bench-import --port 7699`, then
 * `eval "$(npx tsx tools/local-neo4j/cli.ts env --home /tmp/neo4j-bench-import)"`).
 *
 * Flags: --relationships=N (default 200000), --chunk=N (rows per request, default 20000),
 * --store=embedded|neo4j (one store only), --no-neo4j. Writes bench/results/import.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateSyntheticColumns,
  syntheticNode,
  syntheticRelationship,
  syntheticRelationshipCount,
  type SyntheticColumns,
} from '../../seeds/synthetic/generate-synthetic.js';
import { PROJECT_ROOT } from '../../server/seeding/reference-data.js';
import { EmbeddedGraphStore } from '../../server/stores/embedded-store.js';
import type { GraphStore } from '../../server/stores/graph-store.js';
import { Neo4jGraphStore } from '../../server/stores/neo4j-store.js';
import { startService } from '../lib/service.js';
import type { ResultRow as Row } from '../lib/types.js';

const RESULTS_FILE = join(PROJECT_ROOT, 'bench', 'results', 'import.json');
const TARGET_PER_S = 50_000;

const args = process.argv.slice(2);
function intFlag(name: string, fallback: number): number {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.split('=')[1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got ${arg}`);
  return value;
}
const RELATIONSHIPS = intFlag('relationships', 200_000);
const CHUNK = intFlag('chunk', 20_000);
const ONLY_STORE = args.find((a) => a.startsWith('--store='))?.split('=')[1];
if (ONLY_STORE !== undefined && ONLY_STORE !== 'embedded' && ONLY_STORE !== 'neo4j') throw new Error(`--store must be embedded or neo4j`);

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The smallest default-shaped network with at least `relationships` relationships (~6 per company). */
function networkWith(relationships: number): SyntheticColumns {
  let companies = Math.ceil(relationships / 5.5);
  for (;;) {
    const g = generateSyntheticColumns({ companies, seed: 1 });
    if (syntheticRelationshipCount(g) >= relationships) return g;
    companies = Math.ceil(companies * 1.1);
  }
}

/** Request bodies of rows [start, end), `CHUNK` rows each, serialised now so the clock sees only the service. */
function bodies(count: number, start: number, end: number, row: (i: number) => unknown, key: 'nodes' | 'relationships'): string[] {
  const out: string[] = [];
  for (let s = start; s < end; s += CHUNK) {
    const rows: unknown[] = [];
    for (let i = s; i < Math.min(end, s + CHUNK); i++) rows.push(row(i));
    out.push(JSON.stringify(key === 'nodes' ? { nodes: rows } : { relationships: rows }));
  }
  if (end - start !== count) throw new Error('bodies: wrong row count');
  return out;
}

/** POSTs the bodies one after another; the rows per second over the whole phase. */
async function postAll(base: string, phase: string, rows: number, payloads: readonly string[]): Promise<number> {
  const started = performance.now();
  for (const body of payloads) {
    const response = await fetch(`${base}/api/v1/imports/graph`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const text = await response.text();
    if (!response.ok) throw new Error(`${phase}: POST /imports/graph answered ${response.status}: ${text.slice(0, 500)}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const rate = rows / seconds;
  log(`import: ${phase}: ${rows} rows in ${seconds.toFixed(2)} s, ${Math.round(rate)} rows/s`);
  return rate;
}

interface StoreUnderTest {
  kind: 'embedded' | 'neo4j';
  env: Record<string, string>;
  /** A store over the same data, opened in this process (the service stopped) to clear and count. */
  open: () => GraphStore;
  cleanup: () => Promise<void>;
}

async function embeddedTarget(): Promise<StoreUnderTest> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oretrace-import-bench-'));
  return {
    kind: 'embedded',
    env: { DATA_DIR: dataDir },
    open: () => new EmbeddedGraphStore({ dataDir }),
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  };
}

function neo4jTarget(): StoreUnderTest {
  const env = {
    NEO4J_URI: process.env.NEO4J_URI!,
    NEO4J_USER: process.env.NEO4J_USER ?? 'neo4j',
    NEO4J_PASSWORD: process.env.NEO4J_PASSWORD ?? '',
    NEO4J_DATABASE: process.env.NEO4J_DATABASE ?? 'neo4j',
  };
  return {
    kind: 'neo4j',
    env,
    open: () =>
      new Neo4jGraphStore({ uri: env.NEO4J_URI, user: env.NEO4J_USER, password: env.NEO4J_PASSWORD, database: env.NEO4J_DATABASE }),
    cleanup: async () => undefined,
  };
}

async function withStore<T>(target: StoreUnderTest, use: (store: GraphStore) => Promise<T>): Promise<T> {
  const store = target.open();
  try {
    await store.init();
    return await use(store);
  } finally {
    await store.close();
  }
}

async function benchStore(target: StoreUnderTest, g: SyntheticColumns, rows: Row[]): Promise<void> {
  const r = RELATIONSHIPS;
  const storeKind = target.kind;
  log(`import: ${target.kind}: clearing the store, serialising ${g.nodeCount} nodes and ${2 * r} relationships…`);
  await withStore(target, (store) => store.clear());
  const nodeBodies = bodies(g.nodeCount, 0, g.nodeCount, (i) => syntheticNode(g, i), 'nodes');
  const firstBodies = bodies(r, 0, r, (k) => syntheticRelationship(g, k), 'relationships');
  const nextBodies = bodies(r, r, 2 * r, (k) => syntheticRelationship(g, k), 'relationships');
  const service = await startService({
    dataDir: target.env.DATA_DIR ?? join(tmpdir(), 'unused'),
    env: { ...target.env, SEED_DEMO: 'false' },
  });
  const rate = (phase: string, value: number, target: number | null, note: string): Row => ({
    name: `import.${storeKind}.${phase}`,
    value: Math.round(value),
    unit: phase === 'nodes' ? 'nodes/s' : 'relationships/s',
    target,
    better: 'higher',
    note,
  });
  try {
    const chunks = `${CHUNK} rows per request`;
    rows.push(
      rate('nodes', await postAll(service.base, `${target.kind} nodes`, g.nodeCount, nodeBodies), null, `${g.nodeCount} nodes, ${chunks}`),
    );
    const empty = await postAll(service.base, `${target.kind} empty`, r, firstBodies);
    rows.push(rate('empty', empty, TARGET_PER_S, `${r} new relationships into a graph without relationships, ${chunks}`));
    const existing = await postAll(service.base, `${target.kind} existing`, r, nextBodies);
    rows.push(rate('existing', existing, TARGET_PER_S, `${r} new relationships into a graph holding ${r}, ${chunks}`));
    const reimport = await postAll(service.base, `${target.kind} reimport`, r, firstBodies);
    rows.push(rate('reimport', reimport, null, `the first ${r} relationships again (all exist: updates), ${chunks}`));
  } finally {
    await service.stop();
  }
  const counts = await withStore(target, (store) => store.counts());
  if (counts.nodes !== g.nodeCount || counts.relationships !== 2 * r) {
    throw new Error(
      `${target.kind}: the store holds ${counts.nodes} nodes and ${counts.relationships} relationships, expected ${g.nodeCount} and ${2 * r}`,
    );
  }
  log(`import: ${target.kind}: counts check out (${counts.nodes} nodes, ${counts.relationships} relationships)`);
}

async function main(): Promise<void> {
  log(`import: generating a network of at least ${2 * RELATIONSHIPS} relationships…`);
  const g = networkWith(2 * RELATIONSHIPS);
  log(`import: ${g.nodeCount} nodes, ${syntheticRelationshipCount(g)} relationships`);
  const targets: StoreUnderTest[] = [];
  if (ONLY_STORE !== 'neo4j') targets.push(await embeddedTarget());
  if (ONLY_STORE !== 'embedded' && !args.includes('--no-neo4j')) {
    if (process.env.NEO4J_URI) targets.push(neo4jTarget());
    else log('import: NEO4J_URI is not set: the Neo4j store is left out (see the comment at the top of bench/import/import-bench.ts)');
  }
  const rows: Row[] = [];
  for (const target of targets) {
    try {
      await benchStore(target, g, rows);
    } finally {
      await target.cleanup();
    }
  }
  for (const row of rows) {
    const verdict = row.target === null ? '' : row.value >= row.target ? '  ok' : '  MISSED';
    process.stdout.write(`${row.name.padEnd(28)} ${String(row.value).padStart(9)} ${row.unit}${verdict}  (${row.note})\n`);
  }
  mkdirSync(join(PROJECT_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(rows, null, 2)}\n`);
  log(`import: wrote ${RESULTS_FILE}`);
}

await main();
