/**
 * Two API instances over one Neo4j (issue 6): a write through instance A is seen by analyses on
 * instance B once B's snapshot recompiles (the store's version counter tells it to), and B never
 * answers from a mix of two versions.
 *
 * A and B are two buildApp instances, each with its own Neo4jGraphStore (own driver and pool), on
 * the shared test Neo4j. A applies a sequence of imports while B answers analyses without pause.
 * Every write changes node properties (which countries are CAHRAs, SAQ scores) and relationship
 * shares together, so a snapshot whose nodes come from one version and relationships from another
 * (or whose relationships straddle a commit) gives answers that no single version gives. The
 * expected answers per version come from an embedded store that applies the same writes, one at a
 * time: every answer of B must equal the one computed on the version it names.
 */
import type { FastifyInstance } from 'fastify';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { GraphNodeInput, RelationshipInput } from '../../../graph/model.js';
import { compileSnapshot } from '../../../graph/snapshot.js';
import { runAnalysis } from '../../../server/analytics/analysis-catalog.js';
import { buildApp } from '../../../server/app.js';
import { sortedNodes, sortedRelationships } from '../../../server/exporters/graph-export.js';
import { EmbeddedGraphStore } from '../../../server/stores/embedded-store.js';
import { Neo4jGraphStore } from '../../../server/stores/neo4j-store.js';

const conn = inject('neo4j');

const COUNTRIES = ['AR', 'BO', 'BR', 'CD', 'CN', 'ID', 'MY', 'PE', 'RW', 'TH'];
const SMELTERS = 10;
const TIER1 = 20;
/** Unrelated companies and SUPPLIES that make every scan long enough for writes to land inside it. */
const PADDING = 3000;
const WRITES = 30;

/** The graph before any write of the sequence. */
function baseGraph(): { nodes: GraphNodeInput[]; relationships: RelationshipInput[] } {
  const nodes: GraphNodeInput[] = [{ label: 'Company', id: 'acme', name: 'Acme', country: 'JP' }];
  const relationships: RelationshipInput[] = [];
  for (const c of COUNTRIES) nodes.push({ label: 'Country', id: c, name: `Country ${c}` });
  for (let s = 0; s < SMELTERS; s++) {
    nodes.push({
      label: 'Smelter',
      id: `S-${s}`,
      name: `Smelter ${s}`,
      metal: 'tin',
      country: COUNTRIES[s]!,
      rmapStatus: s % 3 === 0 ? 'conformant' : 'active',
    });
    relationships.push({ type: 'SUPPLIES', from: COUNTRIES[s]!, to: `S-${s}`, metal: 'tin', share: 0.5 });
    relationships.push({ type: 'SUPPLIES', from: COUNTRIES[(s + 3) % COUNTRIES.length]!, to: `S-${s}`, metal: 'tin', share: 0.5 });
  }
  for (let t = 0; t < TIER1; t++) {
    nodes.push({ label: 'Company', id: `t1-${t}`, name: `Tier one ${t}`, country: 'CN' });
    relationships.push({ type: 'SUPPLIES', from: `S-${t % SMELTERS}`, to: `t1-${t}`, metal: 'tin', share: 0.5 });
    relationships.push({ type: 'SUPPLIES', from: `S-${(t + 1) % SMELTERS}`, to: `t1-${t}`, metal: 'tin', share: 0.5 });
    relationships.push({ type: 'SUPPLIES', from: `t1-${t}`, to: 'acme', metal: 'tin', share: 1 / TIER1 });
  }
  for (let i = 0; i < PADDING; i++) {
    nodes.push({ label: 'Company', id: `pad-${i}`, name: `Padding ${i}`, country: 'DE' });
    if (i > 0) relationships.push({ type: 'SUPPLIES', from: `pad-${i - 1}`, to: `pad-${i}`, metal: 'gold' });
  }
  return { nodes, relationships };
}

/** Write k of the sequence: new CAHRA flags, SAQ scores and shares, all in one import. */
function write(k: number): { nodes: GraphNodeInput[]; relationships: RelationshipInput[] } {
  const nodes: GraphNodeInput[] = [];
  const relationships: RelationshipInput[] = [];
  COUNTRIES.forEach((c, j) =>
    nodes.push({ label: 'Country', id: c, name: `Country ${c}`, cahra: (k + j) % 3 === 0, riskScore: ((k * 7 + j) % 10) / 10 }),
  );
  for (let s = 0; s < SMELTERS; s++) {
    const a = (((k + s) % 9) + 1) / 10;
    relationships.push({ type: 'SUPPLIES', from: COUNTRIES[s]!, to: `S-${s}`, metal: 'tin', share: a });
    relationships.push({
      type: 'SUPPLIES',
      from: COUNTRIES[(s + 3) % COUNTRIES.length]!,
      to: `S-${s}`,
      metal: 'tin',
      share: Math.round((1 - a) * 10) / 10,
    });
  }
  for (let t = 0; t < TIER1; t++) {
    nodes.push({ label: 'Company', id: `t1-${t}`, name: `Tier one ${t}`, country: 'CN', saqScore: (k * 13 + t) % 101 });
    const w = (((k + t) % 4) + 1) / 5;
    relationships.push({ type: 'SUPPLIES', from: `S-${t % SMELTERS}`, to: `t1-${t}`, metal: 'tin', share: w });
    relationships.push({
      type: 'SUPPLIES',
      from: `S-${(t + 1) % SMELTERS}`,
      to: `t1-${t}`,
      metal: 'tin',
      share: Math.round((1 - w) * 10) / 10,
    });
  }
  return { nodes, relationships };
}

const QUERIES = [
  { url: '/api/v1/companies/acme/origins?metal=tin', name: 'origins', params: { company: 'acme', metal: 'tin' } },
  { url: '/api/v1/companies/acme/risk?metal=tin', name: 'risk', params: { company: 'acme', metal: 'tin', limit: 10 } },
  {
    url: '/api/v1/companies/acme/single-points-of-failure?metal=tin',
    name: 'singlePointsOfFailure',
    params: { company: 'acme', metal: 'tin' },
  },
  { url: '/api/v1/rankings/risk?metal=tin&limit=20', name: 'riskRanking', params: { metal: 'tin', limit: 20 } },
] as const;

/** Equal up to rounding in the last bits of floating point numbers (and the stale flag). */
function sameAnswer(a: unknown, b: unknown, path = ''): string | null {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9 ? null : `${path}: ${a} ≠ ${b}`;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} ≠ ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = sameAnswer(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => k !== 'stale' && k !== 'snapshotVersion'));
    for (const k of keys) {
      const d = sameAnswer((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return Object.is(a, b) ? null : `${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
}

describe.runIf(conn !== null)('two API instances over one Neo4j', () => {
  let storeA: Neo4jGraphStore;
  let storeB: Neo4jGraphStore;
  let appA: FastifyInstance;
  let appB: FastifyInstance;
  let oracle: EmbeddedGraphStore;
  let oracleDir: string;
  /** expected[k][query] = the answer on the graph after k writes of the sequence. */
  const expected: Array<Map<string, unknown>> = [];
  /** B's scans that saw a commit land while they read (and were read again). */
  let racedScans = 0;

  async function expectAnswers(): Promise<Map<string, unknown>> {
    const scan = await oracle.scan();
    // In the order the Neo4j adapter scans, so that both compile the very same snapshot.
    const snapshot = compileSnapshot({
      version: scan.version,
      nodes: sortedNodes(scan.nodes),
      relationships: sortedRelationships(scan.relationships),
    });
    return new Map(QUERIES.map((q) => [q.url, runAnalysis(q.name, snapshot, q.params as never)]));
  }

  beforeAll(async () => {
    storeA = new Neo4jGraphStore({ ...conn! });
    storeB = new Neo4jGraphStore({
      ...conn!,
      logger: {
        debug: (_obj: object, msg?: string) => {
          if (msg === 'graph changed during scan; scanning again') racedScans++;
        },
      },
    });
    await storeA.init();
    await storeB.init();
    await storeA.clear();
    await storeA.importGraph(baseGraph());
    oracleDir = await mkdtemp(join(tmpdir(), 'oretrace-two-instances-'));
    oracle = new EmbeddedGraphStore({ dataDir: oracleDir });
    await oracle.init();
    await oracle.importGraph(baseGraph());
    expected.push(await expectAnswers());
    for (let k = 1; k <= WRITES; k++) {
      await oracle.importGraph(write(k));
      expected.push(await expectAnswers());
    }
    appA = await buildApp({ store: storeA, analysisWorkers: 0 });
    appB = await buildApp({ store: storeB, analysisWorkers: 0 });
    await appA.ready();
    await appB.ready();
  }, 180_000);

  afterAll(async () => {
    await appA?.close();
    await appB?.close();
    await storeA?.clear().catch(() => undefined);
    await storeA?.close();
    await storeB?.close();
    await oracle?.close();
    if (oracleDir) await rm(oracleDir, { recursive: true, force: true });
  });

  it("B answers every analysis from one committed version, and sees A's writes once it recompiles", async () => {
    const base = await storeA.version();
    // B has compiled the base graph before the writes start.
    for (const q of QUERIES) {
      const res = await appB.inject({ method: 'GET', url: q.url });
      expect(res.json()).toMatchObject({ snapshotVersion: base, stale: false });
      expect(sameAnswer(res.json(), expected[0]!.get(q.url))).toBeNull();
    }

    let writing = true;
    const answers: Array<{ url: string; body: Record<string, unknown>; status: number }> = [];
    const reader = async () => {
      for (let i = 0; writing; i++) {
        const q = QUERIES[i % QUERIES.length]!;
        const res = await appB.inject({ method: 'GET', url: q.url });
        answers.push({ url: q.url, body: res.json(), status: res.statusCode });
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const writer = async () => {
      try {
        for (let k = 1; k <= WRITES; k++) {
          const res = await appA.inject({ method: 'POST', url: '/api/v1/imports/graph', payload: write(k) });
          expect(res.statusCode, res.body).toBe(200);
          expect(res.json().version).toBe(base + k);
          // First a burst (commits land while B scans: the scan must hold them off or refuse what
          // it read), then irregular pauses (B follows version by version).
          if (k > WRITES / 2) await new Promise((r) => setTimeout(r, 50 + Math.random() * 250));
        }
      } finally {
        writing = false;
      }
    };
    await Promise.all([writer(), reader(), reader()]);

    const versions = new Map<number, number>();
    for (const a of answers) {
      expect(a.status, JSON.stringify(a.body)).toBe(200);
      const v = a.body.snapshotVersion as number;
      const k = v - base;
      expect(k).toBeGreaterThanOrEqual(0);
      expect(k).toBeLessThanOrEqual(WRITES);
      const diff = sameAnswer(a.body, expected[k]!.get(a.url));
      if (diff) {
        // Say which version's answer it is, if any: a label off by one, or a mix of versions.
        const matches = expected.flatMap((e, j) => (sameAnswer(a.body, e.get(a.url)) === null ? [j] : []));
        expect.fail(
          `${a.url} at version ${v} (write ${k}${a.body.stale ? ', stale' : ''})` +
            ` is not the answer of that version (${diff});` +
            ` it is the answer of writes [${matches.join(', ')}]`,
        );
      }
      versions.set(k, (versions.get(k) ?? 0) + 1);
    }
    console.log(
      `two instances: ${answers.length} answers of B during ${WRITES} writes through A, from ${versions.size} versions ` +
        `(${answers.filter((a) => a.body.stale === true).length} stale); ${racedScans} scans of B saw a commit land and were read again`,
    );
    // The scenario must really have interleaved reads and writes.
    expect(versions.size).toBeGreaterThanOrEqual(3);

    // Once A's last write has committed, B's next answer is on it (its snapshot recompiles).
    for (const q of QUERIES) {
      const res = await appB.inject({ method: 'GET', url: q.url });
      expect(res.json()).toMatchObject({ snapshotVersion: base + WRITES, stale: false });
      expect(sameAnswer(res.json(), expected[WRITES]!.get(q.url))).toBeNull();
    }
  }, 300_000);
});
