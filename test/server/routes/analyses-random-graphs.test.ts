/**
 * Every analysis route over HTTP on random supply graphs (finding 2 of the Trust issue: answers
 * that failed their own schema on rounding, e.g. originMix.nonCahra = 1.0000000000000002 → 500).
 *
 * Each run imports a random graph through POST /api/v1/imports/graph — Country → Smelter →
 * Company stages, cycles between companies, equal 1/3-style splits, decimal shares that sum to 1
 * in floating point (0.1 + 0.2 + 0.7), remainders, missing shares, shares a hair above 1 — and
 * asks every analysis operation of the OpenAPI document (tag "analyses", so a new route is asked
 * without editing this file) about every company. Every answer must be 200, parse with the
 * route's answer schema from the catalogue (every share in [0, 1]), and every mix must sum to 1
 * within 1e-12.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphNodeInput, RelationshipInput } from '../../../graph/model.js';
import { embeddedHarness, type Harness } from '../app-harness.js';
import {
  analysisOperations,
  analysisRequest,
  answerSchemasById,
  type AnalysisDocument,
  type AnalysisOperation,
  type AnalysisRequest,
} from './analysis-operations.js';

/** How far a mix may be from summing to 1, and a part from its whole. */
const MIX_TOLERANCE = 1e-12;
const RUNS = Number(process.env.ORETRACE_RANDOM_GRAPH_RUNS ?? 150);

let h: Harness;
let ops: AnalysisOperation[];

beforeAll(async () => {
  h = await embeddedHarness({ withFixture: false, analysisWorkers: 0 });
  const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json();
  ops = analysisOperations(doc as AnalysisDocument);
}, 60_000);
afterAll(async () => h?.close());

// ---------------------------------------------------------------------------------------------
// Random graphs

const COUNTRY_IDS = ['CD', 'RW', 'PE', 'CN', 'BO'] as const;

/** Ways a buyer's intake is split over its k sources. */
const SPLITS = ['equal', 'thirds', 'decimal', 'none', 'remainder', 'partial', 'hairAbove', 'over'] as const;
type Split = (typeof SPLITS)[number];

/** Decimal shares that sum to 1 in floating point (in this order of addition, or nearly). */
const DECIMAL_SPLITS: Record<number, number[][]> = {
  1: [[1]],
  2: [
    [0.3, 0.7],
    [0.1, 0.9],
    [0.45, 0.55],
  ],
  3: [
    [0.1, 0.2, 0.7],
    [0.7, 0.2, 0.1],
    [0.3, 0.3, 0.4],
    [0.15, 0.25, 0.6],
  ],
  4: [
    [0.1, 0.2, 0.3, 0.4],
    [0.4, 0.3, 0.2, 0.1],
  ],
  5: [[0.2, 0.2, 0.2, 0.2, 0.2]],
  6: [[0.1, 0.1, 0.2, 0.2, 0.3, 0.1]],
};

/** The shares of k relationships into one buyer under a split (undefined: no share). */
function sharesOf(split: Split, k: number, variant: number): (number | undefined)[] {
  const all = (x: number | undefined) => Array.from({ length: k }, () => x);
  switch (split) {
    case 'equal':
      return all(1 / k);
    case 'thirds':
      return all(1 / 3); // 1/3 each whatever k: exact thirds, a remainder, or shares summing above 1
    case 'decimal': {
      const options = DECIMAL_SPLITS[k];
      return options ? options[variant % options.length]! : all(1 / k);
    }
    case 'none':
      return all(undefined);
    case 'remainder':
      return all([0.5, 0.9, 0.99, 0.3][variant % 4]! / k);
    case 'partial':
      return Array.from({ length: k }, (_, i) => (i % 2 === 0 ? 1 / (k + 1) : undefined));
    case 'hairAbove':
      return all(Math.min(1, (1 + 5e-10) / k)); // above 1 by less than the snapshot's tolerance: left unscaled
    case 'over':
      return all(0.6); // above 1 for two or more: scaled down, with a warning
  }
}

interface RandomGraph {
  nodes: GraphNodeInput[];
  relationships: RelationshipInput[];
  companies: string[];
}

const graphArb: fc.Arbitrary<RandomGraph> = fc
  .record({
    countries: fc.array(fc.boolean(), { minLength: 1, maxLength: COUNTRY_IDS.length }),
    smelters: fc.array(
      fc.record({ recycled: fc.nat({ max: 4 }).map((x) => x === 0), status: fc.constantFrom('conformant', 'active', 'unknown') }),
      {
        minLength: 1,
        maxLength: 5,
      },
    ),
    companies: fc.integer({ min: 1, max: 8 }),
    // Extra relationships by position (taken modulo the nodes that may be at each end).
    oreEdges: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 10 }),
    smelterEdges: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 10 }),
    companyEdges: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 14 }),
    splits: fc.array(fc.tuple(fc.constantFrom(...SPLITS), fc.nat()), { minLength: 20, maxLength: 20 }),
  })
  .map((g) => {
    const countries = g.countries.map((cahra, i) => ({ label: 'Country' as const, id: COUNTRY_IDS[i]!, name: `Country ${i}`, cahra }));
    const smelters = g.smelters.map((s, i) => ({
      label: 'Smelter' as const,
      id: `S${i}`,
      name: `Smelter ${i}`,
      metal: 'tin' as const,
      country: COUNTRY_IDS[i % COUNTRY_IDS.length]!,
      rmapStatus: s.status,
      ...(s.recycled ? { recycledOrScrap: true } : {}),
    }));
    const companies = Array.from({ length: g.companies }, (_, i) => ({
      label: 'Company' as const,
      id: `C${i}`,
      name: `Company ${i}`,
      country: 'JP',
    }));
    // Sources of each buyer: a staged backbone (every smelter has ore, every company a smelter or
    // the company before it), then the extra relationships, company ones making cycles.
    const sources = new Map<string, string[]>();
    const add = (from: string, to: string) => {
      const list = sources.get(to) ?? [];
      if (!list.includes(from) && from !== to) list.push(from);
      sources.set(to, list);
    };
    smelters.forEach((s, i) => add(countries[i % countries.length]!.id, s.id));
    companies.forEach((c, i) => add(i === 0 || i % 3 === 0 ? smelters[i % smelters.length]!.id : companies[i - 1]!.id, c.id));
    for (const [a, b] of g.oreEdges) add(countries[a % countries.length]!.id, smelters[b % smelters.length]!.id);
    for (const [a, b] of g.smelterEdges) add(smelters[a % smelters.length]!.id, companies[b % companies.length]!.id);
    for (const [a, b] of g.companyEdges) add(companies[a % companies.length]!.id, companies[b % companies.length]!.id);
    const relationships: RelationshipInput[] = [];
    let b = 0;
    for (const [to, from] of sources) {
      const [split, variant] = g.splits[b++ % g.splits.length]!;
      const shares = sharesOf(split, from.length, variant);
      from.forEach((f, i) =>
        relationships.push({ type: 'SUPPLIES', from: f, to, metal: 'tin', ...(shares[i] !== undefined ? { share: shares[i] } : {}) }),
      );
    }
    return { nodes: [...countries, ...smelters, ...companies], relationships, companies: companies.map((c) => c.id) };
  });

// ---------------------------------------------------------------------------------------------
// Requests and checks

/** The requests for one operation on one graph: one per company for a company route. */
function requestsFor(op: AnalysisOperation, graph: RandomGraph, removed: string[]): AnalysisRequest[] {
  // Every contributor, path or ranked node the route may list.
  const targets = op.path_.includes('id') ? graph.companies : [''];
  return targets.map((company) => analysisRequest(op, { company, remove: removed, limit: 100 }));
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

/** Every mix in the answer sums to 1, and its parts to their wholes, within MIX_TOLERANCE. */
function expectMixesAddUp(value: unknown, where: string): void {
  if (Array.isArray(value)) {
    value.forEach((x, i) => expectMixesAddUp(x, `${where}[${i}]`));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const o = value as Record<string, unknown>;
  if ('byCountry' in o && 'nonCahra' in o) {
    const m = o as { byCountry: Record<string, number>; cahra: number; nonCahra: number; recycled: number; undisclosed: number };
    expect(Math.abs(m.cahra + m.nonCahra + m.recycled + m.undisclosed - 1), `${where}: origin mix totals`).toBeLessThanOrEqual(
      MIX_TOLERANCE,
    );
    expect(
      Math.abs(sum(Object.values(m.byCountry)) - (m.cahra + m.nonCahra)),
      `${where}: byCountry vs cahra + nonCahra`,
    ).toBeLessThanOrEqual(MIX_TOLERANCE);
  }
  if ('bySmelter' in o && 'notThroughSmelter' in o) {
    const m = o as { bySmelter: Record<string, number>; byRmapStatus: Record<string, number>; notThroughSmelter: number };
    const through = sum(Object.values(m.bySmelter));
    expect(Math.abs(through + m.notThroughSmelter - 1), `${where}: smelter mix totals`).toBeLessThanOrEqual(MIX_TOLERANCE);
    expect(Math.abs(sum(Object.values(m.byRmapStatus)) - through), `${where}: byRmapStatus vs bySmelter`).toBeLessThanOrEqual(
      MIX_TOLERANCE,
    );
  }
  for (const [k, x] of Object.entries(o)) expectMixesAddUp(x, `${where}.${k}`);
}

async function importGraph(graph: RandomGraph): Promise<void> {
  await h.store.clear();
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/v1/imports/graph',
    payload: { nodes: graph.nodes, relationships: graph.relationships },
  });
  expect(res.statusCode, res.body).toBe(200);
}

/** Asks every analysis operation about the graph; the first broken answer fails with the request and body. */
async function expectEveryAnswerValid(graph: RandomGraph, removed: string[]): Promise<void> {
  await importGraph(graph);
  for (const op of ops) {
    for (const req of requestsFor(op, graph, removed)) {
      const res = await h.app.inject({ method: req.method, url: req.url, ...(req.payload !== undefined ? { payload: req.payload } : {}) });
      const what = `${req.method} ${req.url} ${req.payload ? JSON.stringify(req.payload) : ''} → ${res.statusCode} ${res.body.slice(0, 600)}`;
      expect(res.statusCode, what).toBe(200);
      const parsed = op.schema.safeParse(res.json());
      expect(parsed.success ? [] : parsed.error.issues, `${op.schemaId}: ${what}`).toEqual([]);
      expectMixesAddUp(res.json(), `${req.method} ${req.url}`);
    }
  }
}

describe('every analysis route on random supply graphs', () => {
  it('finds every analysis operation of the OpenAPI document, each answering in a schema of the catalogue', () => {
    const paths = ops.map((op) => `${op.method} ${op.path}`).sort();
    // The routes of README's "The API in brief" at least; a new one joins this test by its tag alone.
    expect(paths).toEqual(
      expect.arrayContaining([
        'GET /api/v1/companies/{id}/origins',
        'GET /api/v1/companies/{id}/risk',
        'GET /api/v1/companies/{id}/risk-paths',
        'GET /api/v1/companies/{id}/single-points-of-failure',
        'GET /api/v1/rankings/risk',
        'POST /api/v1/scenarios/impact',
      ]),
    );
    // And every answer schema of the catalogue is some route's answer.
    expect(new Set(ops.map((op) => op.schemaId))).toEqual(new Set(answerSchemasById().keys()));
  });

  it('answers the origins of an equal-split stage network (once nonCahra = 1.0000000000000002 and a 500)', async () => {
    // A buys 1/6 from each of T0..T5, each of those half from S0 and half from S1, both from PE.
    const tiers = [0, 1, 2, 3, 4, 5].map((j) => `T${j}`);
    const graph: RandomGraph = {
      nodes: [
        { label: 'Country', id: 'PE', name: 'Peru' },
        ...['S0', 'S1'].map((id) => ({ label: 'Smelter' as const, id, name: id, metal: 'tin' as const, country: 'PE' })),
        ...['A', ...tiers].map((id) => ({ label: 'Company' as const, id, name: id, country: 'JP' })),
      ],
      relationships: [
        ...['S0', 'S1'].map((to): RelationshipInput => ({ type: 'SUPPLIES', from: 'PE', to, metal: 'tin' })),
        ...tiers.flatMap((t): RelationshipInput[] => [
          { type: 'SUPPLIES', from: t, to: 'A', metal: 'tin', share: 1 / 6 },
          { type: 'SUPPLIES', from: 'S0', to: t, metal: 'tin' },
          { type: 'SUPPLIES', from: 'S1', to: t, metal: 'tin' },
        ]),
      ],
      companies: ['A', ...tiers],
    };
    await importGraph(graph);
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/companies/A/origins?metal=tin' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().originMix).toEqual({ byCountry: { PE: 1 }, cahra: 0, nonCahra: 1, recycled: 0, undisclosed: 0 });
    await expectEveryAnswerValid(graph, ['S0']);
  });

  it('answers 200 with a valid answer, every share in [0, 1] and every mix summing to 1', async () => {
    const arb = graphArb.chain((graph) => {
      const ids = graph.nodes.map((n) => n.id);
      return fc.tuple(fc.constant(graph), fc.shuffledSubarray(ids, { minLength: 1, maxLength: 3 }));
    });
    await fc.assert(
      fc.asyncProperty(arb, async ([graph, removed]) => expectEveryAnswerValid(graph, removed)),
      { numRuns: RUNS, ...(process.env.ORETRACE_RANDOM_GRAPH_SEED ? { seed: Number(process.env.ORETRACE_RANDOM_GRAPH_SEED) } : {}) },
    );
  }, 120_000);
});
