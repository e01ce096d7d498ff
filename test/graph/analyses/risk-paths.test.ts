import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intrinsicRisk, mergePolicy, type RiskPolicy } from '../../../graph/analyses/risk-policy.js';
import { DEFAULT_RISK_POLICY } from '../../../server/analytics/risk-policies.js';
import { isHighRiskSource, topRiskPaths, type RiskPath } from '../../../graph/analyses/risk-paths.js';
import type { GraphNodeInput } from '../../../graph/model.js';
import { RMAP_STATUSES } from '../../../graph/model.js';
import { nodeIndex, type Snapshot } from '../../../graph/snapshot.js';
import { CD, PE, allowedSupplies, company, country, smelter, snapshotOf, supplies } from '../graph-builders.js';

const co = (id: string, extra: Partial<{ saqScore: number; humanRightsRisk: 'high' }> = {}): GraphNodeInput =>
  company(id, { name: id.toUpperCase(), saqScore: 90, ...extra });
const sm = (
  id: string,
  rmapStatus: 'conformant' | 'unknown' | 'non_conformant' | 'active' = 'conformant',
  recycledOrScrap = false,
): GraphNodeInput => smelter(id, { name: `Smelter ${id}`, rmapStatus, ...(recycledOrScrap ? { recycledOrScrap } : {}) });
const BO: GraphNodeInput = { label: 'Country', id: 'BO', name: 'Bolivia', riskScore: 0.95 };

const ids = (paths: RiskPath[]): string[][] => paths.map((p) => p.hops.map((h) => h.id));
const p8 = DEFAULT_RISK_POLICY; // decay 0.8, threshold 0.5

function paths(s: Snapshot, from: string, limit = 10, maxDepth = 6, policy: RiskPolicy = p8): RiskPath[] {
  return topRiskPaths(s, 'tin', policy, nodeIndex(s, from)!, { limit, maxDepth });
}

describe('topRiskPaths', () => {
  it('follows a chain to a risky smelter and on past it to a CAHRA origin, with hop summaries and shares', () => {
    const s = snapshotOf(
      [CD, sm('S', 'unknown'), co('b'), co('a')],
      [supplies('CD', 'S'), supplies('S', 'b', 0.5), supplies('b', 'a', 0.4)],
    );
    const got = paths(s, 'a');
    // Past S (risk 0.6) to CD: 0.8 · 0.9 = 0.72 > 0.6, so the longer path weighs more.
    expect(ids(got)).toEqual([
      ['a', 'b', 'S', 'CD'],
      ['a', 'b', 'S'],
    ]);
    const f1 = 0.4 * 0.8;
    const f2 = 0.5 * 0.8;
    expect(got[0]!.weight).toBe(f1 * f2 * 0.8 * 0.9);
    expect(got[1]!.weight).toBe(f1 * f2 * 0.6);
    expect(got[0]!.hops).toEqual([
      { index: nodeIndex(s, 'a'), id: 'a', label: 'Company', name: 'A', metal: 'tin', share: 1 },
      { index: nodeIndex(s, 'b'), id: 'b', label: 'Company', name: 'B', metal: 'tin', share: 0.4 },
      { index: nodeIndex(s, 'S'), id: 'S', label: 'Smelter', name: 'Smelter S', metal: 'tin', share: 0.5 },
      { index: nodeIndex(s, 'CD'), id: 'CD', label: 'Country', name: 'DRC', metal: 'tin', share: 1 },
    ]);
    // maxDepth counts edges.
    expect(ids(paths(s, 'a', 10, 2))).toEqual([['a', 'b', 'S']]);
    expect(ids(paths(s, 'a', 1))).toEqual([['a', 'b', 'S', 'CD']]);
  });

  it('orders a diamond by weight and breaks ties by the index sequence', () => {
    const s = snapshotOf(
      [CD, sm('S'), co('b'), co('c'), co('e'), co('a')],
      [
        supplies('CD', 'S'),
        supplies('S', 'b'),
        supplies('S', 'c'),
        supplies('S', 'e'),
        supplies('e', 'a', 0.5),
        supplies('c', 'a', 0.25),
        supplies('b', 'a', 0.25),
      ],
    );
    expect(ids(paths(s, 'a'))).toEqual([
      ['a', 'e', 'S', 'CD'],
      ['a', 'b', 'S', 'CD'],
      ['a', 'c', 'S', 'CD'],
    ]);
    const [first, second, third] = paths(s, 'a');
    expect(first!.weight).toBe(0.5 * 0.8 * 0.8 * 0.8 * 0.9);
    expect(second!.weight).toBe(third!.weight);
  });

  it('lets a prefix that can still tie go before a finished path of the same weight (decay 1, risk 1)', () => {
    // a ← b (0.5) ← h2 (1) and a ← h1 (0.5); h1 and h2 have risk 1, b none. Both paths weigh 0.5;
    // [a, b, h2] comes first by index sequence although [a, h1] is finished one step earlier.
    const s = snapshotOf(
      [co('b', { saqScore: 90 }), co('h2', { humanRightsRisk: 'high' }), co('h1', { humanRightsRisk: 'high' }), co('a')],
      [supplies('b', 'a', 0.5), supplies('h1', 'a', 0.5), supplies('h2', 'b', 1)],
    );
    const policy = mergePolicy(p8, { decay: 1, companies: { humanRights: { high: 1 }, saqBands: [{ minScore: 0, risk: 0 }] } });
    const got = paths(s, 'a', 10, 5, policy);
    expect(ids(got)).toEqual([
      ['a', 'b', 'h2'],
      ['a', 'h1'],
    ]);
    expect(got.map((x) => x.weight)).toEqual([0.5, 0.5]);
    expect(ids(paths(s, 'a', 1, 5, policy))).toEqual([['a', 'b', 'h2']]);
  });

  it('keeps paths simple in a cycle', () => {
    // a ⇄ b, and b takes from a risky company h; a takes from h too.
    const s = snapshotOf(
      [co('a'), co('b'), co('h', { humanRightsRisk: 'high' })],
      [supplies('b', 'a', 0.5), supplies('h', 'a', 0.5), supplies('a', 'b', 0.5), supplies('h', 'b', 0.5)],
    );
    const rh = intrinsicRisk(s, p8)[nodeIndex(s, 'h')!]!;
    const got = paths(s, 'a', 10, 10);
    expect(ids(got)).toEqual([
      ['a', 'h'],
      ['a', 'b', 'h'],
    ]);
    expect(got[1]!.weight).toBe(0.5 * 0.8 * (0.5 * 0.8) * rh);
  });

  it('counts as high-risk only CAHRA origins, unknown/not-enrolled/non-conformant smelters and risky companies', () => {
    const s = snapshotOf(
      [
        CD,
        PE,
        BO,
        sm('S1', 'conformant'),
        sm('S2', 'active'),
        sm('S3', 'non_conformant', true),
        sm('S4', 'non_conformant'),
        co('risky', { saqScore: 10 }),
        co('a'),
      ],
      [
        supplies('CD', 'S1'),
        supplies('PE', 'S2'),
        supplies('BO', 'S2'),
        supplies('CD', 'S3'),
        supplies('PE', 'S4'),
        supplies('S1', 'a'),
        supplies('S2', 'a'),
        supplies('S3', 'a'),
        supplies('S4', 'risky'),
        supplies('risky', 'a'),
      ],
    );
    const r = intrinsicRisk(s, p8);
    const high = (id: string): boolean => isHighRiskSource(s, p8, r, nodeIndex(s, id)!);
    expect(['CD', 'PE', 'BO', 'S1', 'S2', 'S3', 'S4', 'risky', 'a'].filter(high)).toEqual(['CD', 'S4', 'risky']);
    // BO's riskScore makes it risky, but it is on no CAHRA list: not a CAHRA origin.
    expect(r[nodeIndex(s, 'BO')!]).toBe(0.95);
    // Each of a's four sources has share 0.25: three paths of 0.2 · 0.8 · 0.9 tie (by index sequence), then a → risky (0.2 · 0.6).
    expect(ids(paths(s, 'a'))).toEqual([
      ['a', 'S1', 'CD'],
      ['a', 'S3', 'CD'],
      ['a', 'risky', 'S4'],
      ['a', 'risky'],
    ]);
    const strict = mergePolicy(p8, { highRiskThreshold: 0.85 });
    // The same intrinsic-risk array under two policies: nothing cached for one leaks into the other.
    const a = nodeIndex(s, 'a')!;
    expect(topRiskPaths(s, 'tin', p8, a, { limit: 10, maxDepth: 6, intrinsic: r })).toHaveLength(4);
    expect(topRiskPaths(s, 'tin', strict, a, { limit: 10, maxDepth: 6, intrinsic: r })).toHaveLength(3);
    expect(topRiskPaths(s, 'tin', p8, a, { limit: 10, maxDepth: 6, intrinsic: r })).toHaveLength(4);
    expect(ids(paths(s, 'a', 10, 6, strict))).toEqual([
      ['a', 'S1', 'CD'],
      ['a', 'S3', 'CD'],
      ['a', 'risky', 'S4'],
    ]);
  });

  it('ignores undisclosed remainders, zero-share paths, and finds nothing for a company without sources', () => {
    const s = snapshotOf(
      [CD, sm('S'), co('p'), co('q'), co('r'), co('a'), co('lonely')],
      [
        supplies('CD', 'S'),
        supplies('S', 'p'),
        supplies('S', 'q'),
        supplies('p', 'a', 0.8),
        supplies('q', 'a', 0.8),
        supplies('r', 'a'), // shares above 1 are scaled: r gets 0
        supplies('S', 'r'),
      ],
    );
    expect(ids(paths(s, 'a'))).toEqual([
      ['a', 'p', 'S', 'CD'],
      ['a', 'q', 'S', 'CD'],
    ]);
    expect(paths(s, 'a')[0]!.weight).toBe(0.5 * 0.8 * 0.8 * 0.8 * 0.9);
    expect(paths(s, 'lonely')).toEqual([]);
    // Sources, but none of them high-risk within reach.
    const safe = snapshotOf([PE, sm('S'), co('p'), co('a')], [supplies('PE', 'S'), supplies('S', 'p'), supplies('p', 'a')]);
    expect(paths(safe, 'a')).toEqual([]);
    expect(topRiskPaths(s, 'gold', p8, nodeIndex(s, 'a')!, { limit: 3, maxDepth: 4 })).toEqual([]);
  });

  it('refuses bad options', () => {
    const s = snapshotOf([co('a')], []);
    expect(() => topRiskPaths(s, 'tin', p8, 5, { limit: 1, maxDepth: 3 })).toThrow(RangeError);
    expect(() => topRiskPaths(s, 'tin', p8, 0, { limit: 0, maxDepth: 3 })).toThrow(RangeError);
    expect(() => topRiskPaths(s, 'tin', p8, 0, { limit: 1e9, maxDepth: 3 })).toThrow(RangeError);
    expect(() => topRiskPaths(s, 'tin', p8, 0, { limit: 1, maxDepth: 65 })).toThrow(RangeError);
    expect(() => topRiskPaths(s, 'tin', p8, 0, { limit: 1, maxDepth: 0 })).toThrow(RangeError);
    expect(() => topRiskPaths(s, 'tin', p8, 0, { limit: 1, maxDepth: 3, intrinsic: new Float64Array(2) })).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Property test: best-first search against exhaustive enumeration of simple paths.

const COUNTRY_IDS = ['CD', 'RW', 'PE', 'BO'];

const randomGraph = fc
  .record({
    countries: fc.array(fc.record({ lists: fc.subarray(['EU-CAHRA', 'DFA-1502', 'OTHER']), cahra: fc.boolean() }), {
      minLength: 1,
      maxLength: 4,
    }),
    smelters: fc.array(fc.record({ status: fc.constantFrom(...RMAP_STATUSES), recycled: fc.boolean() }), { minLength: 1, maxLength: 4 }),
    companies: fc.array(
      fc.record({ saq: fc.option(fc.constantFrom(10, 50, 70, 90), { nil: undefined }), hr: fc.constantFrom(undefined, 'medium', 'high') }),
      { minLength: 1, maxLength: 7 },
    ),
    edges: fc.array(
      fc.record({ from: fc.nat(), to: fc.nat(), share: fc.option(fc.constantFrom(0.1, 0.2, 0.25, 0.5, 0.7, 1), { nil: undefined }) }),
      { maxLength: 45 },
    ),
  })
  .map(({ countries, smelters, companies, edges }) => {
    const nodes: GraphNodeInput[] = [
      ...countries.map((c, i) => country(COUNTRY_IDS[i]!, { name: `Country ${i}`, cahra: c.cahra, lists: c.lists })),
      ...smelters.map((x, i) =>
        smelter(`S${i}`, { name: `Smelter ${i}`, rmapStatus: x.status, ...(x.recycled ? { recycledOrScrap: true } : {}) }),
      ),
      ...companies.map((x, i) =>
        company(`c${i}`, {
          name: `Company ${i}`,
          ...(x.saq !== undefined ? { saqScore: x.saq } : {}),
          ...(x.hr ? { humanRightsRisk: x.hr as 'high' } : {}),
        }),
      ),
    ];
    const relationships = allowedSupplies(nodes, edges);
    return { nodes, relationships, companyCount: companies.length, firstCompany: countries.length + smelters.length };
  });

/** The oracle's own reading of "high-risk source", from the node objects and the policy. */
function oracleHighRisk(node: GraphNodeInput, r: number, policy: RiskPolicy): boolean {
  if (r < policy.highRiskThreshold) return false;
  if (node.label === 'Country') {
    const lists = node.lists ?? [];
    return lists.length === 0
      ? node.cahra === true && policy.countries.unlistedCahraFlag
      : lists.some((l) => policy.countries.cahraLists.includes(l));
  }
  if (node.label === 'Smelter')
    return !node.recycledOrScrap && ['non_conformant', 'not_enrolled', 'unknown'].includes(node.rmapStatus ?? 'unknown');
  return true;
}

/** Every simple path from c of 1..maxDepth edges ending at a high-risk node, by DFS; weight multiplied in the documented order. */
function exhaustive(
  s: Snapshot,
  nodes: GraphNodeInput[],
  policy: RiskPolicy,
  r: Float64Array,
  c: number,
  maxDepth: number,
): Array<{ weight: number; seq: number[]; shares: number[] }> {
  const layer = s.layers.get('tin');
  const out: Array<{ weight: number; seq: number[]; shares: number[] }> = [];
  if (!layer) return out;
  const walk = (seq: number[], shares: number[], prod: number): void => {
    const v = seq[seq.length - 1]!;
    if (seq.length - 1 >= maxDepth) return;
    for (let j = layer.inOffsets[v]!; j < layer.inOffsets[v + 1]!; j++) {
      const u = layer.inSources[j]!;
      const w = layer.inWeights[j]!;
      if (seq.includes(u)) continue;
      const next = prod * (w * policy.decay);
      const nseq = [...seq, u];
      const nshares = [...shares, w];
      if (oracleHighRisk(nodes[u]!, r[u]!, policy) && next * r[u]! > 0) out.push({ weight: next * r[u]!, seq: nseq, shares: nshares });
      walk(nseq, nshares, next);
    }
  };
  walk([c], [1], 1);
  out.sort((a, b) => {
    if (a.weight !== b.weight) return b.weight - a.weight;
    for (let i = 0; i < Math.min(a.seq.length, b.seq.length); i++) if (a.seq[i] !== b.seq[i]) return a.seq[i]! - b.seq[i]!;
    return a.seq.length - b.seq.length;
  });
  return out;
}

describe('topRiskPaths on random graphs with cycles', () => {
  it('equals exhaustive enumeration of simple paths: same weights, same order', () => {
    fc.assert(
      fc.property(
        randomGraph,
        fc.nat(),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom(0.5, 0.8, 1),
        fc.constantFrom(0.3, 0.5, 0.7),
        fc.constantFrom(0.7, 1),
        (g, pick, limit, maxDepth, decay, highRiskThreshold, highFlagRisk) => {
          const s = snapshotOf(g.nodes, g.relationships);
          // A high human-rights flag of risk 1 with decay 1 makes finished paths tie with open prefixes.
          const policy = mergePolicy(DEFAULT_RISK_POLICY, { decay, highRiskThreshold, companies: { humanRights: { high: highFlagRisk } } });
          const r = intrinsicRisk(s, policy);
          const c = g.firstCompany + (pick % g.companyCount);
          const got = topRiskPaths(s, 'tin', policy, c, { limit, maxDepth, intrinsic: r });
          const want = exhaustive(s, g.nodes, policy, r, c, maxDepth).slice(0, limit);
          expect(got.map((p) => p.weight)).toEqual(want.map((p) => p.weight));
          expect(got.map((p) => p.hops.map((h) => h.index))).toEqual(want.map((p) => p.seq));
          expect(got.map((p) => p.hops.map((h) => h.share))).toEqual(want.map((p) => p.shares));
        },
      ),
      { numRuns: 400 },
    );
  });
});
