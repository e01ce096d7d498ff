import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intrinsicRisk, mergePolicy, type RiskPolicy } from '../../../graph/analyses/risk-policy.js';
import { DEFAULT_RISK_POLICY } from '../../../server/analytics/risk-policies.js';
import { explainRisk, propagateRisk, rankByRisk } from '../../../graph/analyses/risk-score.js';
import { memoOf } from '../../../graph/memo.js';
import { layerComponents, stronglyConnectedComponents, supplyComponents } from '../../../graph/topology/strongly-connected.js';
import type { GraphNodeInput, RelationshipInput } from '../../../graph/model.js';
import { RMAP_STATUSES } from '../../../graph/model.js';
import { nodeIndex, type Snapshot } from '../../../graph/snapshot.js';
import { CD, PE, allowedSupplies, company, country, randomEdges, smelter, snapshotOf, supplies } from '../graph-builders.js';

const co = (id: string, saqScore?: number): GraphNodeInput =>
  company(id, { name: id.toUpperCase(), ...(saqScore !== undefined ? { saqScore } : {}) });
const sm = (id: string, rmapStatus: 'conformant' | 'unknown' | 'non_conformant' = 'conformant'): GraphNodeInput =>
  smelter(id, { rmapStatus });

/** Companies without SAQ get saqAbsent; set it (and nothing else about companies) for hand-checked numbers. */
const policy = (decay: number, companyRisk = 0): RiskPolicy =>
  mergePolicy(DEFAULT_RISK_POLICY, { decay, companies: { saqAbsent: companyRisk } });

function R(s: Snapshot, p: RiskPolicy, metal: 'tin' | 'gold' = 'tin'): (id: string) => number {
  const risk = propagateRisk(s, metal, p);
  return (id) => risk[nodeIndex(s, id)!]!;
}

describe('propagateRisk', () => {
  it('follows a chain: country → smelter → company → company', () => {
    const s = snapshotOf([CD, sm('S'), co('b'), co('a')], [supplies('CD', 'S'), supplies('S', 'b'), supplies('b', 'a')]);
    const r = R(s, policy(0.8, 0.1));
    const rS = 1 - 0.95 * (1 - 0.8 * 0.9);
    const rb = 1 - 0.9 * (1 - 0.8 * rS);
    expect(r('CD')).toBe(0.9);
    expect(r('S')).toBeCloseTo(rS, 15);
    expect(r('b')).toBeCloseTo(rb, 15);
    expect(r('a')).toBeCloseTo(1 - 0.9 * (1 - 0.8 * rb), 15);
  });

  it('multiplies the factors of every source in a diamond', () => {
    const s = snapshotOf(
      [CD, PE, sm('S1', 'unknown'), sm('S2'), co('b'), co('c'), co('a')],
      [
        supplies('CD', 'S1'),
        supplies('PE', 'S2'),
        supplies('S1', 'b'),
        supplies('S2', 'c'),
        supplies('b', 'a', 0.25),
        supplies('c', 'a', 0.75),
      ],
    );
    const d = 0.5;
    const r = R(s, policy(d));
    const rS1 = 1 - 0.4 * (1 - d * 0.9);
    const rS2 = 1 - 0.95 * (1 - d * 0.05);
    expect(r('b')).toBeCloseTo(d * rS1, 15);
    expect(r('c')).toBeCloseTo(d * rS2, 15);
    expect(r('a')).toBeCloseTo(1 - (1 - d * 0.25 * d * rS1) * (1 - d * 0.75 * d * rS2), 15);
  });

  it('solves a supply cycle exactly (the least fixed point)', () => {
    // a takes half from b and half from S; b takes all from a. With r(a) = r(b) = 0:
    // R(b) = d R(a), R(a) = 1 − (1 − d/2 · R(b))(1 − d/2 · R(S))  ⇒  R(a) = β / (1 − α(1 − β)), α = d²/2, β = d R(S)/2.
    const s = snapshotOf(
      [CD, sm('S', 'unknown'), co('a'), co('b')],
      [supplies('CD', 'S'), supplies('S', 'a', 0.5), supplies('b', 'a', 0.5), supplies('a', 'b')],
    );
    for (const d of [0.3, 0.8, 1]) {
      const r = R(s, policy(d));
      const rS = 1 - 0.4 * (1 - d * 0.9);
      const alpha = (d * d) / 2;
      const beta = (d * rS) / 2;
      const ra = beta / (1 - alpha * (1 - beta));
      expect(r('S')).toBeCloseTo(rS, 15);
      expect(r('a')).toBeCloseTo(ra, 11);
      expect(r('b')).toBeCloseTo(d * ra, 11);
    }
  });

  it('gives a closed riskless loop no risk at decay 1, and a loop with risk of its own all of it', () => {
    const s = snapshotOf([co('a'), co('b')], [supplies('a', 'b'), supplies('b', 'a')]);
    const none = R(s, policy(1, 0));
    expect(none('a')).toBe(0);
    expect(none('b')).toBe(0);
    const some = R(s, policy(1, 0.5));
    expect(some('a')).toBeCloseTo(1, 11);
    expect(some('b')).toBeCloseTo(1, 11);
    // With decay below 1 the fixed point is unique: R = 1 − (1 − r)(1 − d R)  ⇒  R = r / (1 − d(1 − r)).
    const decayed = R(s, policy(0.5, 0.5));
    expect(decayed('a')).toBeCloseTo(0.5 / (1 - 0.5 * 0.5), 12);
  });

  it('handles a company that supplies itself', () => {
    const s = snapshotOf([co('a')], [supplies('a', 'a', 0.5)]);
    // R = 1 − (1 − r)(1 − d/2 · R) with r = 0.2, d = 1  ⇒  R = r / (1 − (1 − r)/2).
    expect(R(s, policy(1, 0.2))('a')).toBeCloseTo(0.2 / (1 - 0.4), 12);
    // Nearly closed at decay 1: 0.9999 of a's intake is itself, 0.0001 an unknown smelter (slow sweeps, still exact).
    // 1 − R = c (1 − 0.9999 R), c = 1 − 0.0001 · R(S)  ⇒  R = (1 − c) / (1 − 0.9999 c).
    const tight = snapshotOf([sm('S', 'unknown'), co('a')], [supplies('S', 'a', 0.0001), supplies('a', 'a', 0.9999)]);
    const c = 1 - 0.0001 * 0.6;
    expect(R(tight, policy(1, 0))('a')).toBeCloseTo((1 - c) / (1 - 0.9999 * c), 10);
  });

  it('counts only the disclosed part of an intake: the undisclosed remainder adds no risk', () => {
    const s = snapshotOf([CD, sm('S', 'non_conformant'), co('a')], [supplies('CD', 'S'), supplies('S', 'a', 0.4)]);
    const r = R(s, policy(0.8, 0.1));
    const rS = 1 - 0.1 * (1 - 0.8 * 0.9);
    expect(r('a')).toBeCloseTo(1 - 0.9 * (1 - 0.8 * 0.4 * rS), 15);
  });

  it('leaves a company without sources, and nodes outside the metal, at their intrinsic risk', () => {
    const s = snapshotOf(
      [CD, sm('S', 'unknown'), co('a', 70), co('lonely', 10), co('g')],
      [supplies('CD', 'S'), supplies('S', 'a'), supplies('a', 'g', undefined, 'gold')],
    );
    const p = DEFAULT_RISK_POLICY;
    const r = R(s, p);
    expect(r('lonely')).toBe(0.6);
    expect(r('g')).toBe(0.3);
    const gold = R(s, p, 'gold');
    expect(gold('a')).toBe(0.25); // a takes no gold: only its own risk
    expect(gold('g')).toBeCloseTo(1 - 0.7 * (1 - 0.8 * 0.25), 15);
    expect(gold('CD')).toBe(0.9);
    // A metal without any data: everything intrinsic.
    expect([...propagateRisk(s, 'cobalt', p)]).toEqual([...intrinsicRisk(s, p)]);
  });

  it('refuses an intrinsic-risk array of the wrong size', () => {
    const s = snapshotOf([co('a')], []);
    expect(() => propagateRisk(s, 'tin', DEFAULT_RISK_POLICY, { intrinsic: new Float64Array(3) })).toThrow(RangeError);
  });
});

describe('explainRisk and rankByRisk', () => {
  const s = snapshotOf(
    [CD, PE, sm('S1', 'unknown'), sm('S2'), co('b'), co('c'), co('e'), co('a')],
    [
      supplies('CD', 'S1'),
      supplies('PE', 'S2'),
      supplies('S1', 'b'),
      supplies('S2', 'c'),
      supplies('S2', 'e'),
      supplies('b', 'a', 0.25),
      supplies('c', 'a', 0.25),
      supplies('e', 'a', 0.25),
    ],
  );
  const p = policy(0.5, 0);
  const risk = propagateRisk(s, 'tin', p);
  const at = (id: string): number => risk[nodeIndex(s, id)!]!;

  it('lists the direct sources by contribution d·w·R(u), highest first, ties by index, up to the limit', () => {
    const a = nodeIndex(s, 'a')!;
    const ex = explainRisk(s, { metal: 'tin', policy: p, node: a, limit: 10 });
    expect(ex.risk).toBe(at('a'));
    expect(ex.intrinsic).toBe(0);
    expect(ex.contributors.map((x) => x.id)).toEqual(['b', 'c', 'e']);
    expect(ex.contributors[0]).toEqual({
      index: nodeIndex(s, 'b'),
      id: 'b',
      label: 'Company',
      name: 'B',
      contribution: 0.5 * 0.25 * at('b'),
    });
    expect(ex.contributors[1]!.contribution).toBe(ex.contributors[2]!.contribution);
    expect(1 - (1 - ex.intrinsic) * ex.contributors.reduce((k, x) => k * (1 - x.contribution), 1)).toBeCloseTo(ex.risk, 15);
    expect(explainRisk(s, { metal: 'tin', policy: p, node: a, limit: 2 }).contributors.map((x) => x.id)).toEqual(['b', 'c']);
    expect(explainRisk(s, { metal: 'tin', policy: p, node: nodeIndex(s, 'CD')!, limit: 2 }).contributors).toEqual([]);
    expect(() => explainRisk(s, { metal: 'tin', policy: p, node: a, limit: 0 })).toThrow(RangeError);
    expect(() => explainRisk(s, { metal: 'tin', policy: p, node: 99, limit: 1 })).toThrow(RangeError);
  });

  it('ranks the nodes of the metal by risk, of one label if asked, ties by index', () => {
    const all = rankByRisk(s, { metal: 'tin', policy: p, limit: 100 });
    expect(all).toHaveLength(8);
    const byHand = ['CD', 'PE', 'S1', 'S2', 'b', 'c', 'e', 'a']
      .map((id) => ({ id, r: at(id), i: nodeIndex(s, id)! }))
      .sort((x, y) => y.r - x.r || x.i - y.i);
    expect(all.map((x) => x.id)).toEqual(byHand.map((x) => x.id));
    const companies = rankByRisk(s, { metal: 'tin', policy: p, label: 'Company', limit: 3 });
    expect(companies.map((x) => x.id)).toEqual(
      byHand
        .filter((x) => ['a', 'b', 'c', 'e'].includes(x.id))
        .slice(0, 3)
        .map((x) => x.id),
    );
    expect(companies[0]).toEqual({ index: nodeIndex(s, 'b'), id: 'b', label: 'Company', name: 'B', risk: at('b') });
    expect(rankByRisk(s, { metal: 'gold', policy: p, limit: 5 })).toEqual([]);
    expect(() => rankByRisk(s, { metal: 'tin', policy: p, limit: 1.5 })).toThrow(RangeError);
  });
});

describe('stronglyConnectedComponents', () => {
  it('emits components after every component they reach', () => {
    // 0 → 1 → 2 → 1, 2 → 3, 4 alone (edges as CSR)
    const offsets = Uint32Array.from([0, 1, 2, 4, 4, 4]);
    const targets = Uint32Array.from([1, 2, 1, 3]);
    const c = stronglyConnectedComponents(5, offsets, targets, null);
    expect(c.count).toBe(4);
    const comp = [...c.componentOf];
    expect(comp[1]).toBe(comp[2]);
    expect(comp[3]!).toBeLessThan(comp[1]!);
    expect(comp[1]!).toBeLessThan(comp[0]!);
    const masked = stronglyConnectedComponents(5, offsets, targets, Uint8Array.from([1, 1, 0, 1, 0]));
    expect(masked.count).toBe(3); // {0}, {1}, {3}: without 2, 1 is no longer in a cycle
    expect(masked.componentOf[2]).toBe(-1);
  });

  it('takes a layer sources first: the acyclic part by a topological pass, cycles and what lies below them by Tarjan', () => {
    // CD → S → a → b ⇄ c → e, and a self-supplier f fed by S; g takes no part.
    const s = snapshotOf(
      [CD, sm('S'), co('a'), co('b'), co('c'), co('e'), co('f'), co('g')],
      [
        supplies('CD', 'S'),
        supplies('S', 'a'),
        supplies('a', 'b'),
        supplies('c', 'b'),
        supplies('b', 'c'),
        supplies('c', 'e'),
        supplies('S', 'f'),
        supplies('f', 'f'),
      ],
    );
    const layer = s.layers.get('tin')!;
    const comps = supplyComponents(layer, s.nodeCount, layer.present);
    const at = (id: string): number => comps.componentOf[nodeIndex(s, id)!]!;
    expect(comps.count).toBe(6);
    expect(memoOf(s).layer('tin')!.components()).toBe(memoOf(s).layer('tin')!.components()); // cached per layer
    expect([...memoOf(s).layer('tin')!.components().members]).toEqual([...comps.members]);
    expect([...layerComponents(layer).members]).toEqual([...comps.members]);
    expect(at('b')).toBe(at('c'));
    expect(at('g')).toBe(-1);
    expect([at('CD'), at('S'), at('a')]).toEqual([0, 1, 2]);
    expect(at('a')).toBeLessThan(at('b'));
    expect(at('b')).toBeLessThan(at('e'));
    expect(at('S')).toBeLessThan(at('f'));
    const cyclic = ['CD', 'S', 'a', 'b', 'e', 'f'].map((id) => comps.cyclic[at(id)]);
    expect(cyclic).toEqual([0, 0, 0, 1, 0, 1]);
    expect(comps.members.length).toBe(7);
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests on random graphs with cycles, against an oracle written here.

const COUNTRY_IDS = ['CD', 'RW', 'PE', 'BO'];

interface RandomGraph {
  nodes: GraphNodeInput[];
  relationships: RelationshipInput[];
}

const randomGraph: fc.Arbitrary<RandomGraph> = fc
  .record({
    countries: fc.array(
      fc.record({
        lists: fc.subarray(['EU-CAHRA', 'DFA-1502', 'OTHER']),
        cahra: fc.boolean(),
        riskScore: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    smelters: fc.array(fc.record({ status: fc.constantFrom(...RMAP_STATUSES), recycled: fc.boolean() }), { minLength: 1, maxLength: 4 }),
    companies: fc.array(
      fc.record({
        saq: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
        hr: fc.constantFrom(undefined, 'low', 'medium', 'high'),
        country: fc.constantFrom('CD', 'PE', 'JP'),
      }),
      { minLength: 1, maxLength: 7 },
    ),
    edges: randomEdges(40),
  })
  .map(({ countries, smelters, companies, edges }) => {
    const nodes: GraphNodeInput[] = [
      ...countries.map((c, i) =>
        country(COUNTRY_IDS[i]!, {
          name: `Country ${i}`,
          cahra: c.cahra,
          lists: c.lists,
          ...(c.riskScore !== undefined ? { riskScore: c.riskScore } : {}),
        }),
      ),
      ...smelters.map((x, i) =>
        smelter(`S${i}`, { name: `Smelter ${i}`, rmapStatus: x.status, ...(x.recycled ? { recycledOrScrap: true } : {}) }),
      ),
      ...companies.map((x, i) =>
        company(`c${i}`, {
          name: `Company ${i}`,
          country: x.country,
          ...(x.saq !== undefined ? { saqScore: x.saq } : {}),
          ...(x.hr ? { humanRightsRisk: x.hr as 'low' } : {}),
        }),
      ),
    ];
    const relationships = allowedSupplies(nodes, edges);
    return { nodes, relationships };
  });

/** Plain Jacobi iteration of R ← 1 − (1 − r)Π(1 − d w R) from R = r, on an edge list read off the layer. */
function jacobiOracle(s: Snapshot, metal: 'tin' | 'gold', d: number, r: Float64Array, rounds: number): number[] {
  const layer = s.layers.get(metal);
  const edges: Array<[number, number, number]> = [];
  if (layer)
    for (let v = 0; v < s.nodeCount; v++)
      for (let j = layer.inOffsets[v]!; j < layer.inOffsets[v + 1]!; j++) edges.push([layer.inSources[j]!, v, layer.inWeights[j]!]);
  let cur = [...r];
  for (let k = 0; k < rounds; k++) {
    const keep = cur.map((_, v) => 1 - r[v]!);
    for (const [u, v, w] of edges) keep[v]! *= 1 - d * w * cur[u]!;
    cur = keep.map((x) => 1 - x);
  }
  return cur;
}

describe('propagateRisk on random graphs with cycles', () => {
  it('satisfies the fixed-point equation at every node and equals plain Jacobi iteration', () => {
    fc.assert(
      fc.property(
        randomGraph,
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.constantFrom<'tin' | 'gold'>('tin', 'gold'),
        (g, decay, metal) => {
          const s = snapshotOf(g.nodes, g.relationships);
          const p = mergePolicy(DEFAULT_RISK_POLICY, { decay });
          const r = intrinsicRisk(s, p);
          const risk = propagateRisk(s, metal, p, { intrinsic: r });
          const layer = s.layers.get(metal);
          for (let v = 0; v < s.nodeCount; v++) {
            let keep = 1 - r[v]!;
            if (layer)
              for (let j = layer.inOffsets[v]!; j < layer.inOffsets[v + 1]!; j++)
                keep *= 1 - decay * layer.inWeights[j]! * risk[layer.inSources[j]!]!;
            expect(Math.abs(risk[v]! - (1 - keep))).toBeLessThan(1e-9);
            expect(risk[v]!).toBeGreaterThanOrEqual(r[v]!);
            expect(risk[v]!).toBeLessThanOrEqual(1);
          }
          // Companies have r ≥ 0.05 under the default policy, so Jacobi contracts by ≤ 0.95 a round.
          const oracle = jacobiOracle(s, metal, decay, r, 1500);
          oracle.forEach((x, v) => expect(Math.abs(risk[v]! - x)).toBeLessThan(1e-9));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds the least fixed point when riskless closed loops allow others (decay 1, companies riskless)', () => {
    fc.assert(
      fc.property(randomGraph, (g) => {
        const s = snapshotOf(g.nodes, g.relationships);
        const p = mergePolicy(DEFAULT_RISK_POLICY, {
          decay: 1,
          companies: { saqBands: [{ minScore: 0, risk: 0 }], saqAbsent: 0, humanRights: { low: 0, medium: 0, high: 0 }, cahraLocation: 0 },
        });
        const r = intrinsicRisk(s, p);
        const risk = propagateRisk(s, 'tin', p, { intrinsic: r });
        // Jacobi from r climbs to the least fixed point; it stays below it at every round.
        const oracle = jacobiOracle(s, 'tin', 1, r, 4000);
        oracle.forEach((x, v) => {
          expect(x).toBeLessThanOrEqual(risk[v]! + 1e-10);
          expect(risk[v]! - x).toBeLessThan(1e-6);
        });
      }),
      { numRuns: 150 },
    );
  });
});
