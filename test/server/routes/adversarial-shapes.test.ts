/**
 * Every analysis route over HTTP on the adversarial shapes of the Trust issue (finding 4: the work
 * budget of the analysis worker pool): lattices 10×7 and 20×7, a complete layered DAG 8×6, one
 * strongly connected component of 5,000 companies, a chain 10,000 deep (imported through POST
 * /api/v1/imports/graph, the others straight into the store), a buyer with 100,000 sources.
 *
 * Analyses run in a real worker under the default budget (ANALYSIS_TIMEOUT_MS, ANALYSIS_HEAP_MB),
 * so a shape that pushes an analysis to its worst case answers 503/422 here, a bug 500. Every
 * analysis operation of the OpenAPI document (tag "analyses": a new route is asked without
 * editing this file) is asked about the shape's buyer and must answer 200 in its catalogue schema,
 * while /health is polled and answers 200 — and at least once while the slowest request of the
 * file was still running, which an analysis blocking the event loop would prevent.
 *
 * Then the figures that can be worked out by hand. All ore enters through smelters fed 0.4 by CD
 * (a CAHRA) and 0.6 by PE, so what reaches a country splits 0.4/0.6; what does not is
 * undisclosed: the lattice's edge companies take 1/3 from each of two neighbours only, and the
 * giant SCC's companies 0.75 of their intake, so there the disclosed part is derived (a walk on a
 * row of cells, a plain fixed-point iteration) rather than copied from an answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { answerSchemas } from '../../../server/analytics/analysis-catalog.js';
import { DEFAULT_RISK_POLICY } from '../../../server/analytics/risk-policies.js';
import { completeLayeredDag, deepChain, giantScc, lattice, wideBuyer, type HostileShape } from '../../graph/hostile-shapes.js';
import { embeddedHarness, type Harness } from '../app-harness.js';
import {
  analysisOperations,
  analysisRequest,
  type AnalysisDocument,
  type AnalysisOperation,
  type AnalysisRequest,
} from './analysis-operations.js';

/** How far a figure worked out by hand may be from the answer: rounding only. */
const EXACT = 1e-12;
/** The wide buyer: 100,000 equal shares of 1e-5, whose float sum ends 1.9e-12 short of 1 (a whole intake: share-rounding.ts intakeRounding). */
const WIDE_SOURCES = 100_000;
const HEALTH_POLL_PAUSE_MS = 10;

let h: Harness;
let ops: AnalysisOperation[];

beforeAll(async () => {
  h = await embeddedHarness({ withFixture: false, analysisWorkers: 1 });
  ops = analysisOperations((await h.app.inject({ method: 'GET', url: '/docs/json' })).json() as AnalysisDocument);
}, 60_000);
afterAll(async () => h?.close());

// ---------------------------------------------------------------------------------------------
// Asking, with /health polled meanwhile

interface Asked {
  request: AnalysisRequest;
  ms: number;
  /** /health answers that arrived while the analysis was still running. */
  healthWhileRunning: number;
}

/** The slowest request of the file (measured, never asserted on: speed belongs to the benchmarks). */
let slowest: Asked | undefined;
const healthStatuses: number[] = [];

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends the request and polls /health until it is answered. */
async function askWhilePollingHealth(request: AnalysisRequest) {
  const started = performance.now();
  let running = true;
  const answer = h.app
    .inject({ method: request.method, url: request.url, ...(request.payload ? { payload: request.payload } : {}) })
    .finally(() => {
      running = false;
    });
  let healthWhileRunning = 0;
  while (running) {
    const health = await h.app.inject({ method: 'GET', url: '/health' });
    healthStatuses.push(health.statusCode);
    if (running) healthWhileRunning++;
    await Promise.race([answer.catch(() => undefined), pause(HEALTH_POLL_PAUSE_MS)]);
  }
  const res = await answer;
  const asked: Asked = { request, ms: performance.now() - started, healthWhileRunning };
  if (!slowest || asked.ms > slowest.ms) slowest = asked;
  return res;
}

type AnswerName = keyof typeof answerSchemas;
type AnswerOf<N extends AnswerName> = z.output<(typeof answerSchemas)[N]>;
/** One shape's answers, by the analysis of the catalogue that gave them. */
type Answers = <N extends AnswerName>(name: N) => AnswerOf<N>;

/** Asks every analysis operation about the shape's buyer (and removal); each must be 200 in its schema. */
async function askEveryOperation(shape: HostileShape): Promise<Answers> {
  const bySchemaId = new Map<string, unknown>();
  for (const op of ops) {
    const request = analysisRequest(op, { company: shape.buyer, remove: [shape.remove] });
    const res = await askWhilePollingHealth(request);
    const what = `${shape.name}: ${request.method} ${request.url} ${request.payload ? JSON.stringify(request.payload) : ''} → ${res.statusCode} ${res.body.slice(0, 600)}`;
    expect(res.statusCode, what).toBe(200);
    const parsed = op.schema.safeParse(res.json());
    expect(parsed.success ? [] : parsed.error.issues.slice(0, 5), `${op.schemaId}: ${what}`).toEqual([]);
    bySchemaId.set(op.schemaId, res.json());
  }
  return <N extends AnswerName>(name: N) => {
    const schema = answerSchemas[name];
    const id = z.globalRegistry.get(schema)?.id;
    if (typeof id !== 'string' || !bySchemaId.has(id)) throw new Error(`no operation of the OpenAPI document answered ${name}`);
    return schema.parse(bySchemaId.get(id)) as AnswerOf<N>;
  };
}

async function load(shape: HostileShape, via: 'store' | 'http'): Promise<void> {
  await h.store.clear();
  if (via === 'store') {
    await h.store.importGraph({ nodes: shape.nodes, relationships: shape.relationships });
    return;
  }
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/v1/imports/graph',
    payload: { nodes: shape.nodes, relationships: shape.relationships },
  });
  expect(res.statusCode, res.body.slice(0, 600)).toBe(200);
  expect(res.json()).toMatchObject({ nodesUpserted: shape.nodes.length, relationshipsUpserted: shape.relationships.length });
}

/** One describe per shape: loaded once, every operation asked once, the figures checked on those answers. */
function describeShape(shape: HostileShape, via: 'store' | 'http', figures: (answers: () => Answers) => void): void {
  describe(shape.name, () => {
    let answers: Answers | undefined;
    beforeAll(async () => load(shape, via), 60_000);
    it(`answers every analysis operation 200 in its schema (imported ${via === 'http' ? 'over HTTP' : 'into the store'})`, async () => {
      answers = await askEveryOperation(shape);
    }, 60_000);
    figures(() => {
      if (!answers) throw new Error('the operations were not all answered');
      return answers;
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Figures worked out by hand

interface Mix {
  CD: number;
  PE: number;
  undisclosed: number;
}

/** What a buyer's intake is when a part `disclosed` of it reaches the smelters (each fed 0.4 CD / 0.6 PE). */
const disclosedMix = (disclosed: number): Mix => ({ CD: 0.4 * disclosed, PE: 0.6 * disclosed, undisclosed: 1 - disclosed });

type Origins = AnswerOf<'origins'>;

function expectOriginMix(answer: Origins, mix: Mix, tolerance = EXACT): void {
  const m = answer.originMix!;
  expect(Object.keys(m.byCountry).sort()).toEqual(['CD', 'PE']);
  const near = (actual: number, expected: number, what: string) =>
    expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
  near(m.byCountry.CD!, mix.CD, 'CD');
  near(m.byCountry.PE!, mix.PE, 'PE');
  near(m.cahra, mix.CD, 'cahra (CD is the only CAHRA)');
  near(m.nonCahra, mix.PE, 'nonCahra');
  expect(m.recycled).toBe(0); // no smelter is recycled
  near(m.undisclosed, mix.undisclosed, 'undisclosed');
}

/** Smelter mix: by smelter id, and those shares summed by the RMAP status the shape gives each smelter. */
function expectSmelterMix(answer: Origins, shape: HostileShape, bySmelter: Record<string, number>, tolerance = EXACT): void {
  const m = answer.smelterMix!;
  expect(Object.keys(m.bySmelter).sort()).toEqual(Object.keys(bySmelter).sort());
  const byStatus = new Map<string, number>();
  for (const [id, share] of Object.entries(bySmelter)) {
    expect(Math.abs(m.bySmelter[id]! - share), `${id}: ${m.bySmelter[id]} vs ${share}`).toBeLessThanOrEqual(tolerance);
    const smelter = shape.nodes.find((n) => n.id === id);
    const status = smelter?.label === 'Smelter' ? smelter.rmapStatus : undefined;
    if (status === undefined) throw new Error(`${id} is no smelter with a status in ${shape.name}`);
    byStatus.set(status, (byStatus.get(status) ?? 0) + share);
  }
  expect(Object.keys(m.byRmapStatus).sort()).toEqual([...byStatus.keys()].sort());
  for (const [status, share] of byStatus) {
    const got = m.byRmapStatus[status as keyof typeof m.byRmapStatus]!;
    expect(Math.abs(got - share), `${status}: ${got} vs ${share}`).toBeLessThanOrEqual(tolerance);
  }
  const through = [...byStatus.values()].reduce((a, b) => a + b, 0);
  expect(Math.abs(m.notThroughSmelter - (1 - through))).toBeLessThanOrEqual(tolerance);
}

/** The smelters and countries are the only way out: cutting CD and PE is the one cut of two, and no single node cuts. */
function expectTwoOrigins(answer: AnswerOf<'singlePointsOfFailure'>): void {
  expect(answer.redundancy).toBe(2);
  expect(answer.singlePointsOfFailure).toEqual([]);
  expect(answer.minimumCut).toEqual(['CD', 'PE']);
}

/**
 * The affected companies of a scenario against the lost shares worked out: a company missing from
 * either side counts as losing 0 (the route leaves out shares of rounding size, up to 1e-12).
 */
function expectImpact(answer: AnswerOf<'impact'>, lost: Map<string, number>, cutOff: (id: string) => boolean, tolerance = EXACT): void {
  const answered = new Map(answer.affected.map((a) => [a.id, a.lostShare]));
  for (const id of new Set([...lost.keys(), ...answered.keys()])) {
    const [got, want] = [answered.get(id) ?? 0, lost.get(id) ?? 0];
    expect(Math.abs(got - want), `${id}: lost ${got}, worked out ${want}`).toBeLessThanOrEqual(tolerance);
  }
  expect(answer.affected.length).toBeGreaterThan(0);
  for (const a of answer.affected) expect(a.cutOff, a.id).toBe(cutOff(a.id));
  const shares = answer.affected.map((a) => a.lostShare);
  expect(shares).toEqual([...shares].sort((a, b) => b - a)); // highest first
}

type Path = AnswerOf<'riskPaths'>['paths'][number];

interface Step {
  from: string;
  share: number;
}

/**
 * Each buyer's sources with their effective shares (README's graph model): a relationship's own share, else an
 * equal part of what the buyer's explicit shares leave (no shape here declares more than 1).
 */
function intakeOf(shape: HostileShape): Map<string, Step[]> {
  const declared = new Map<string, { from: string; share: number | undefined }[]>();
  for (const r of shape.relationships) {
    if (r.type !== 'SUPPLIES') continue;
    const list = declared.get(r.to) ?? [];
    list.push({ from: r.from, share: r.share });
    declared.set(r.to, list);
  }
  const intake = new Map<string, Step[]>();
  for (const [to, list] of declared) {
    const given = list.reduce((a, r) => a + (r.share ?? 0), 0);
    const unshared = list.filter((r) => r.share === undefined).length;
    intake.set(
      to,
      list.map((r) => ({ from: r.from, share: r.share ?? Math.max(0, 1 - given) / unshared })),
    );
  }
  return intake;
}

function shareIn(intake: Map<string, Step[]>, from: string, to: string): number {
  const step = intake.get(to)?.find((s) => s.from === from);
  if (!step) throw new Error(`no relationship ${from} → ${to}`);
  return step.share;
}

/**
 * The intrinsic risk of a high-risk source of these shapes under the default policy, undefined for
 * any other node: CD (a CAHRA on the EU list) and the not-enrolled smelters. Companies (no SAQ:
 * saqAbsent), PE and the conformant smelters are below the threshold.
 */
function highRiskOf(shape: HostileShape): (id: string) => number | undefined {
  const policy = DEFAULT_RISK_POLICY;
  expect(policy.companies.saqAbsent).toBeLessThan(policy.highRiskThreshold);
  expect(Math.max(policy.countries.nonCahra, policy.smelters.rmapStatus.conformant)).toBeLessThan(policy.highRiskThreshold);
  const risk = new Map<string, number>();
  for (const n of shape.nodes) {
    if (n.label === 'Country' && n.cahra) risk.set(n.id, policy.countries.cahra);
    if (n.label === 'Smelter' && n.rmapStatus === 'not_enrolled') risk.set(n.id, policy.smelters.rmapStatus.not_enrolled);
  }
  return (id) => risk.get(id);
}

/**
 * The weight of every (simple path, high-risk end) pair from the buyer within maxDepth hops,
 * highest first, by enumerating them all: the fold of ARCHITECTURE.md, "Layers of the engine" in its order, (share · decay) per
 * hop from the buyer outwards, the end's risk last. A path may run on through a high-risk node.
 */
function everyRiskPathWeight(shape: HostileShape, maxDepth: number): number[] {
  const intake = intakeOf(shape);
  const riskOf = highRiskOf(shape);
  const decay = DEFAULT_RISK_POLICY.decay;
  const weights: number[] = [];
  const onPath = new Set([shape.buyer]);
  const extend = (v: string, weight: number, hops: number): void => {
    if (hops === maxDepth) return;
    for (const { from, share } of intake.get(v) ?? []) {
      if (onPath.has(from)) continue;
      const w = weight * (share * decay);
      const r = riskOf(from);
      if (r !== undefined) weights.push(w * r);
      onPath.add(from);
      extend(from, w, hops + 1);
      onPath.delete(from);
    }
  };
  extend(shape.buyer, 1, 0);
  return weights.sort((a, b) => b - a);
}

/**
 * The answer's weights are exactly the best `limit` of all paths, bit for bit (so as many paths as
 * asked for when the shape has that many, highest first), and each path runs from the buyer along
 * relationships of the shape, with their shares, distinct from the others, to a high-risk source,
 * its weight the fold of its own hops.
 */
function expectRiskPaths(paths: Path[], shape: HostileShape, limit: number, maxDepth = 8): number[] {
  const all = everyRiskPathWeight(shape, maxDepth);
  expect(paths.map((p) => p.weight)).toEqual(all.slice(0, limit));
  const intake = intakeOf(shape);
  const riskOf = highRiskOf(shape);
  for (const p of paths) {
    const ids = p.hops.map((x) => x.id);
    expect(ids[0]).toBe(shape.buyer);
    expect(new Set(ids).size, ids.join(' ← ')).toBe(ids.length);
    let weight = 1;
    for (let i = 1; i < ids.length; i++) {
      const s = shareIn(intake, ids[i]!, ids[i - 1]!);
      expect(p.hops[i]!.share, `${ids[i]} → ${ids[i - 1]}`).toBe(s);
      weight *= s * DEFAULT_RISK_POLICY.decay;
    }
    expect(p.weight, ids.join(' ← ')).toBe(weight * riskOf(ids[ids.length - 1]!)!);
  }
  expect(new Set(paths.map((p) => p.hops.map((x) => x.id).join(' ← '))).size).toBe(paths.length);
  return all;
}

/**
 * On a lattice, the walk from company j of a tier steps to j − 1, j, j + 1 of the tier above with
 * 1/3 each, and leaves the row (undisclosed) where a neighbour is missing: reach[j][i] after
 * `steps` tiers is (M^steps)[j][i], M the tridiagonal matrix of thirds.
 */
function latticeReach(perTier: number, steps: number): number[][] {
  let reach: number[][] = Array.from({ length: perTier }, (_, j) => Array.from({ length: perTier }, (_, i) => (i === j ? 1 : 0)));
  for (let s = 0; s < steps; s++) {
    reach = reach.map((row) =>
      row.map((_, i) => [i - 1, i, i + 1].filter((k) => k >= 0 && k < perTier).reduce((sum, k) => sum + row[k]! / 3, 0)),
    );
  }
  return reach;
}

/** The buyer takes 1/perTier from each company of the last tier: its chance to reach each company of tier 0. */
function latticeBuyerReach(perTier: number, tiers: number): number[] {
  const reach = latticeReach(perTier, tiers - 1);
  return Array.from({ length: perTier }, (_, i) => reach.reduce((sum, row) => sum + row[i]! / perTier, 0));
}

/**
 * P(the origin walk from each node ends at a node `absorbing` gives a value for), by plain
 * fixed-point iteration over the shape's relationships until nothing moves: an independent check
 * of the engine's solver on a cycle (Gauss–Seidel over 5,000 members there).
 */
function walkValues(shape: HostileShape, absorbing: (id: string) => number | undefined): Map<string, number> {
  const intake = intakeOf(shape);
  const value = new Map<string, number>(shape.nodes.map((n) => [n.id, absorbing(n.id) ?? 0]));
  const walking = shape.nodes.filter((n) => absorbing(n.id) === undefined).map((n) => n.id);
  for (let sweep = 0, moved = Infinity; moved > 1e-17; sweep++) {
    if (sweep > 10_000) throw new Error(`${shape.name}: the walk did not settle`);
    moved = 0;
    for (const id of walking) {
      const next = (intake.get(id) ?? []).reduce((sum, { from, share }) => sum + share * value.get(from)!, 0);
      moved = Math.max(moved, Math.abs(next - value.get(id)!));
      value.set(id, next);
    }
  }
  return value;
}

const companiesOf = (shape: HostileShape) => shape.nodes.filter((n) => n.label === 'Company').map((n) => n.id);
const tierOf = (id: string) => Number(/^T(\d+)-/.exec(id)![1]);
const indexInTier = (id: string) => Number(/-(\d+)$/.exec(id)![1]);

// ---------------------------------------------------------------------------------------------
// The shapes

function describeLattice(perTier: number, tiers: number): void {
  const shape = lattice(perTier, tiers);
  describeShape(shape, 'store', (answers) => {
    const reach = latticeBuyerReach(perTier, tiers);
    const disclosed = reach.reduce((a, b) => a + b, 0);

    it('the origin and smelter mixes leave undisclosed what the edge companies do not source', () => {
      const origins = answers()('origins');
      expectOriginMix(origins, disclosedMix(disclosed));
      expectSmelterMix(origins, shape, Object.fromEntries(reach.map((r, i) => [`S${i}`, r])));
    });

    it('no single point of failure: only CD and PE together cut the buyer off', () => {
      expectTwoOrigins(answers()('singlePointsOfFailure'));
    });

    it(`removing ${shape.remove}: every company above tier 0 loses what its walk sends through it`, () => {
      const m = indexInTier(shape.remove);
      const lost = new Map<string, number>();
      for (const id of companiesOf(shape)) {
        if (id === 'buyer') lost.set(id, latticeBuyerReach(perTier, tiers)[m]!);
        else if (tierOf(id) > 0) lost.set(id, latticeReach(perTier, tierOf(id))[indexInTier(id)]![m]!);
      }
      // Every company keeps another way up: each of tier 1 takes from two or three companies of tier 0.
      expectImpact(answers()('impact'), lost, () => false);
    });

    it('risk paths: exactly `limit` paths, highest weight first, each weight the fold of its shares', async () => {
      expect(answers()('riskPaths').paths).toHaveLength(10); // the route's default limit
      expectRiskPaths(answers()('riskPaths').paths, shape, 10);
      // Deep enough for the paths on to CD too (buyer, seven tiers, smelter, country: 9 hops).
      for (const limit of [1, 37, 100]) {
        const res = await askWhilePollingHealth({
          method: 'GET',
          url: `/api/v1/companies/buyer/risk-paths?metal=tin&limit=${limit}&maxDepth=9`,
        });
        expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
        expect(res.json().paths).toHaveLength(limit);
        expectRiskPaths(res.json().paths, shape, limit, 9);
      }
    }, 60_000);
  });
}

function describeCompleteLayeredDag(): void {
  const shape = completeLayeredDag(8, 6);
  describeShape(shape, 'store', (answers) => {
    it('every share is disclosed: CD 0.4, PE 0.6, each of the eight smelters 1/8', () => {
      const origins = answers()('origins');
      expectOriginMix(origins, disclosedMix(1));
      expectSmelterMix(origins, shape, Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`S${i}`, 1 / 8])));
    });

    it('no single point of failure: only CD and PE together cut the buyer off', () => {
      expectTwoOrigins(answers()('singlePointsOfFailure'));
    });

    it(`removing ${shape.remove}: every company above tier 0, and the buyer, loses 1/8`, () => {
      const lost = new Map(
        companiesOf(shape)
          .filter((id) => id === 'buyer' || tierOf(id) > 0)
          .map((id) => [id, 1 / 8]),
      );
      expectImpact(answers()('impact'), lost, () => false);
    });

    it('risk paths: exactly the default ten, highest weight first, each weight the fold of its shares', () => {
      expectRiskPaths(answers()('riskPaths').paths, shape, 10);
    });
  });
}

function describeGiantScc(size: number): void {
  const shape = giantScc(size);
  describeShape(shape, 'store', (answers) => {
    it('what reaches a country went through one smelter, 0.4/0.6; the rest of the cycle leaks undisclosed', () => {
      const origins = answers()('origins');
      const m = origins.originMix!;
      const smelters = origins.smelterMix!;
      // By hand: each unit that reaches a country passed exactly one smelter first, fed 0.4 CD / 0.6 PE.
      expect(Math.abs(m.byCountry.CD! / (m.cahra + m.nonCahra) - 0.4)).toBeLessThanOrEqual(EXACT);
      expect(m.recycled).toBe(0);
      const through = Object.values(smelters.bySmelter).reduce((x, y) => x + y, 0);
      expect(Math.abs(through - (m.cahra + m.nonCahra))).toBeLessThanOrEqual(EXACT);
      expect(Math.abs(smelters.notThroughSmelter - m.undisclosed)).toBeLessThanOrEqual(EXACT);
      // How much reaches a country: the fixed point of the walk, iterated here independently.
      const disclosed = walkValues(shape, (id) => (id === 'CD' || id === 'PE' ? 1 : undefined)).get('buyer')!;
      expect(disclosed).toBeGreaterThan(0);
      expect(disclosed).toBeLessThan(1);
      expectOriginMix(origins, disclosedMix(disclosed));
    });

    it(`the buyer's one source, C${size - 1}, is its single point of failure, with all of its intake`, () => {
      const spof = answers()('singlePointsOfFailure');
      expect(spof.redundancy).toBe(1);
      expect(spof.singlePointsOfFailure).toEqual([{ id: `C${size - 1}`, label: 'Company', name: `Company C${size - 1}`, share: 1 }]);
      expect(spof.minimumCut).toEqual([`C${size - 1}`]);
    });

    it(`removing ${shape.remove}: each company loses what its walk sends through it (by fixed-point iteration), none is cut off`, () => {
      // The removed company absorbs as lost; smelters lead only to countries, which lose nothing.
      const companies = new Set(companiesOf(shape));
      const lostAt = walkValues(shape, (id) => (id === shape.remove ? 1 : companies.has(id) ? undefined : 0));
      const lost = new Map(
        companiesOf(shape)
          .filter((id) => id !== shape.remove)
          .map((id) => [id, lostAt.get(id)!]),
      );
      expectImpact(answers()('impact'), lost, () => false);
    });

    it('risk paths: the best ten of all paths within eight hops (as many as there are), each weight the fold of its shares', () => {
      expectRiskPaths(answers()('riskPaths').paths, shape, 10);
    });
  });
}

function describeDeepChain(depth: number): void {
  const shape = deepChain(depth);
  const chain = Array.from({ length: depth }, (_, i) => `L${i}`);
  describeShape(shape, 'http', (answers) => {
    it('the end of the chain takes all of its one smelter: CD 0.4, PE 0.6', () => {
      const origins = answers()('origins');
      expectOriginMix(origins, disclosedMix(1));
      expect(origins.smelterMix).toEqual({ bySmelter: { S0: 1 }, byRmapStatus: { conformant: 1 }, notThroughSmelter: 0 });
    });

    it('every node of the chain above the buyer is a single point of failure, with all of its intake', () => {
      const spof = answers()('singlePointsOfFailure');
      expect(spof.redundancy).toBe(1);
      // The buyer itself is not one of its own; its smelter is; CD and PE are two sources (ARCHITECTURE.md, "Layers of the engine").
      const expected = [...chain.slice(0, -1), 'S0'].sort();
      expect(spof.singlePointsOfFailure.map((s: { id: string }) => s.id)).toEqual(expected);
      expect(spof.singlePointsOfFailure.every((s: { share: number }) => s.share === 1)).toBe(true);
      // Any one of them is a minimum cut.
      expect(spof.minimumCut).toHaveLength(1);
      expect(expected).toContain(spof.minimumCut[0]);
    });

    it(`removing ${shape.remove}: every company below it loses everything and is cut off`, () => {
      const lost = new Map(chain.slice(1).map((id) => [id, 1]));
      expectImpact(answers()('impact'), lost, () => true);
    });

    it('no risk path: the smelter is conformant, companies are below the threshold, CD is 10,001 hops away', () => {
      expect(answers()('riskPaths').paths).toEqual([]);
    });
  });
}

function describeWideBuyer(): void {
  const shape = wideBuyer(WIDE_SOURCES);
  describeShape(shape, 'store', (answers) => {
    it(`${WIDE_SOURCES} sources of 1e-5 each add up to the whole intake: CD 0.4, PE 0.6, each of the ten smelters 0.1`, () => {
      const origins = answers()('origins');
      expectOriginMix(origins, disclosedMix(1));
      expectSmelterMix(origins, shape, Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`S${i}`, 0.1])));
    });

    it('no single point of failure: only CD and PE together cut the buyer off', () => {
      expectTwoOrigins(answers()('singlePointsOfFailure'));
    });

    it(`removing ${shape.remove}: its 10,000 buyers are cut off, the buyer loses 10,000 × 1e-5`, () => {
      const fed = Array.from({ length: WIDE_SOURCES / 10 }, (_, k) => `W${10 * k}`);
      const lost = new Map<string, number>([...fed.map((id): [string, number] => [id, 1]), ['buyer', 0.1]]);
      expectImpact(answers()('impact'), lost, (id) => id !== 'buyer');
    });

    it('risk paths: each through one source at its share of 1e-5, to its not-enrolled smelter', () => {
      const paths: Path[] = answers()('riskPaths').paths;
      expect(paths).toHaveLength(10);
      expectRiskPaths(paths, shape, 10);
      for (const p of paths) {
        expect(p.hops[1]!.share).toBe(1 / WIDE_SOURCES);
        const source = Number(p.hops[1]!.id.slice(1));
        expect(p.hops.map((x) => x.id)).toEqual(['buyer', `W${source}`, `S${source % 10}`]);
      }
    });
  });
}

describeLattice(10, 7);
describeLattice(20, 7);
describeCompleteLayeredDag();
describeGiantScc(5000);
describeDeepChain(10_000);
describeWideBuyer();

describe('while the slowest request runs', () => {
  it('/health answers 200, and did so before that request was answered', () => {
    expect(healthStatuses.length).toBeGreaterThan(0);
    expect(healthStatuses.every((s) => s === 200)).toBe(true);
    expect(slowest, 'no request was timed').toBeDefined();
    console.log(
      `slowest analysis request: ${slowest!.request.method} ${slowest!.request.url} in ${slowest!.ms.toFixed(0)} ms, /health answered ${slowest!.healthWhileRunning} times meanwhile`,
    );
    expect(slowest!.healthWhileRunning, `${slowest!.request.method} ${slowest!.request.url}`).toBeGreaterThan(0);
  });
});
