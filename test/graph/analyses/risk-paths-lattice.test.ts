/**
 * Risk paths on lattices (finding 3 of the Trust issue): F ← tier 1 ← … ← tier T, every company
 * of a tier buying from every company of the next, a non-conformant smelter on top. With equal
 * splits every path weighs the same, so the answer is decided by the tie order alone; the
 * number of paths is perTier^T, which an enumeration of prefixes cannot afford.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PathSearchWork } from '../../../graph/topology/k-best-paths.js';
import { intrinsicRisk, mergePolicy, type RiskPolicy } from '../../../graph/analyses/risk-policy.js';
import { DEFAULT_RISK_POLICY } from '../../../server/analytics/risk-policies.js';
import { isHighRiskSource, topRiskPaths, type RiskPath } from '../../../graph/analyses/risk-paths.js';
import type { GraphNodeInput, RelationshipInput } from '../../../graph/model.js';
import { nodeIndex, type Snapshot } from '../../../graph/snapshot.js';
import { CD, company as companyNode, snapshotOf, supplies } from '../graph-builders.js';

const tierId = (t: number, i: number): string => `L${t}-${i}`;
const company = (id: string): GraphNodeInput => companyNode(id, { country: 'DE' });

/** The lattice; `share(t, i, j)` is the share tier-t company i buys from company j of tier t + 1 (undefined: none given). */
function lattice(
  perTier: number,
  tiers: number,
  share: (t: number, i: number, j: number) => number | undefined = () => undefined,
): Snapshot {
  const nodes: GraphNodeInput[] = [
    CD,
    company('F'),
    { label: 'Smelter', id: 'S-top', name: 'Top smelter', metal: 'tin', country: 'CD', rmapStatus: 'non_conformant' },
  ];
  const relationships: RelationshipInput[] = [supplies('CD', 'S-top')];
  for (let t = 1; t <= tiers; t++) {
    for (let i = 0; i < perTier; i++) {
      nodes.push(company(tierId(t, i)));
      if (t === 1) relationships.push(supplies(tierId(t, i), 'F', share(0, 0, i)));
      if (t === tiers) relationships.push(supplies('S-top', tierId(t, i)));
      else for (let j = 0; j < perTier; j++) relationships.push(supplies(tierId(t + 1, j), tierId(t, i), share(t, i, j)));
    }
  }
  return snapshotOf(nodes, relationships);
}

const ids = (paths: RiskPath[]): string[][] => paths.map((p) => p.hops.map((h) => h.id));
const newWork = (): PathSearchWork => ({ spurSearches: 0, statesSettled: 0, stepsScanned: 0 });

/** Every simple path from c of 1..maxDepth edges to a high-risk node, weight folded in the documented order, ranked. */
function exhaustive(
  s: Snapshot,
  policy: RiskPolicy,
  r: Float64Array,
  c: number,
  maxDepth: number,
): Array<{ weight: number; seq: number[] }> {
  const layer = s.layers.get('tin')!;
  const out: Array<{ weight: number; seq: number[] }> = [];
  const walk = (seq: number[], prod: number): void => {
    if (seq.length - 1 >= maxDepth) return;
    const v = seq[seq.length - 1]!;
    for (let j = layer.inOffsets[v]!; j < layer.inOffsets[v + 1]!; j++) {
      const u = layer.inSources[j]!;
      if (seq.includes(u)) continue;
      const next = prod * (layer.inWeights[j]! * policy.decay);
      if (isHighRiskSource(s, policy, r, u) && next * r[u]! > 0) out.push({ weight: next * r[u]!, seq: [...seq, u] });
      walk([...seq, u], next);
    }
  };
  walk([c], 1);
  return out.sort((a, b) => {
    if (a.weight !== b.weight) return b.weight - a.weight;
    for (let i = 0; i < Math.min(a.seq.length, b.seq.length); i++) if (a.seq[i] !== b.seq[i]) return a.seq[i]! - b.seq[i]!;
    return a.seq.length - b.seq.length;
  });
}

/** The fold of one equal-split path: 7 hops of share 1/perTier, the smelter's hop of share 1, risk 0.9 (decay 0.8). */
function equalSplitWeight(perTier: number, tiers: number): number {
  let w = 1;
  for (let t = 0; t < tiers; t++) w *= (1 / perTier) * 0.8;
  w *= 1 * 0.8;
  return w * 0.9;
}

/** The index-smallest `count` companies of tier t, by node index (ties between equal weights go by index). */
function smallestOfTier(s: Snapshot, perTier: number, t: number, count: number): string[] {
  return Array.from({ length: perTier }, (_, i) => tierId(t, i))
    .sort((a, b) => nodeIndex(s, a)! - nodeIndex(s, b)!)
    .slice(0, count);
}

describe('topRiskPaths on equal-split lattices', () => {
  for (const perTier of [10, 20]) {
    it(`${perTier}×7: the top 10 are the index-smallest paths, all of the hand-computed weight`, () => {
      const s = lattice(perTier, 7);
      const work = newWork();
      const got = topRiskPaths(s, 'tin', DEFAULT_RISK_POLICY, nodeIndex(s, 'F')!, { limit: 10, maxDepth: 8, work });
      const first = (t: number): string => smallestOfTier(s, perTier, t, 1)[0]!;
      const prefix = ['F', first(1), first(2), first(3), first(4), first(5), first(6)];
      expect(ids(got)).toEqual(smallestOfTier(s, perTier, 7, 10).map((l7) => [...prefix, l7, 'S-top']));
      for (const p of got) {
        expect(p.weight).toBe(equalSplitWeight(perTier, 7));
        expect(p.hops.map((h) => h.share)).toEqual([1, ...Array<number>(7).fill(1 / perTier), 1]);
      }
      // Polynomial work: at most limit · (maxDepth + 1) spur searches, each over (node, hops) states.
      expect(work.spurSearches).toBeLessThanOrEqual(10 * 9);
      expect(work.statesSettled).toBeLessThanOrEqual(work.spurSearches * 9 * s.nodeCount);
    });
  }

  it('10×7, limit 25: past the 10 paths through one tier-6 company to the next ones, in index order', () => {
    const s = lattice(10, 7);
    const got = topRiskPaths(s, 'tin', DEFAULT_RISK_POLICY, nodeIndex(s, 'F')!, { limit: 25, maxDepth: 8 });
    const first = (t: number): string => smallestOfTier(s, 10, t, 1)[0]!;
    const tier6 = smallestOfTier(s, 10, 6, 3);
    const tier7 = smallestOfTier(s, 10, 7, 10);
    const want = tier6
      .flatMap((l6) => tier7.map((l7) => ['F', first(1), first(2), first(3), first(4), first(5), l6, l7, 'S-top']))
      .slice(0, 25);
    expect(ids(got)).toEqual(want);
    expect(new Set(got.map((p) => p.weight))).toEqual(new Set([equalSplitWeight(10, 7)]));
  });

  it('on to the CAHRA origin above the smelter when the depth allows, after every path that ends at the smelter', () => {
    const s = lattice(3, 3);
    // F ← L1 ← L2 ← L3 ← S-top ← CD: 5 edges to CD; S-top weighs 0.9, CD 0.8 · 0.9 = 0.72 beyond it.
    const got = topRiskPaths(s, 'tin', DEFAULT_RISK_POLICY, nodeIndex(s, 'F')!, { limit: 28, maxDepth: 5 });
    const want = exhaustive(s, DEFAULT_RISK_POLICY, intrinsicRisk(s, DEFAULT_RISK_POLICY), nodeIndex(s, 'F')!, 5);
    expect(want).toHaveLength(54);
    expect(got.map((p) => p.hops.map((h) => h.index))).toEqual(want.slice(0, 28).map((p) => p.seq));
    expect(got.map((p) => p.hops.at(-1)!.id)).toEqual([...Array<string>(27).fill('S-top'), 'CD']);
    const all = topRiskPaths(s, 'tin', DEFAULT_RISK_POLICY, nodeIndex(s, 'F')!, { limit: 100, maxDepth: 5 });
    expect(all.map((p) => p.weight)).toEqual(want.map((p) => p.weight));
    expect(all.at(-1)!.hops.at(-1)!.id).toBe('CD');
  });
});

describe('topRiskPaths on lattices with random shares', () => {
  const SHARES = [undefined, 0.05, 0.1, 0.2, 0.25, 0.3, 0.5, 0.7, 1] as const;
  it('equals exhaustive enumeration and keeps within the polynomial work bound', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.nat(SHARES.length - 1), { minLength: 1, maxLength: 64 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(0.5, 0.8, 1),
        (perTier, tiers, picks, limit, maxDepth, decay) => {
          let k = 0;
          const s = lattice(perTier, tiers, () => SHARES[picks[k++ % picks.length]!]);
          const policy = mergePolicy(DEFAULT_RISK_POLICY, { decay });
          const r = intrinsicRisk(s, policy);
          const c = nodeIndex(s, 'F')!;
          const work = newWork();
          const got = topRiskPaths(s, 'tin', policy, c, { limit, maxDepth, intrinsic: r, work });
          const want = exhaustive(s, policy, r, c, maxDepth).slice(0, limit);
          expect(got.map((p) => p.weight)).toEqual(want.map((p) => p.weight));
          expect(got.map((p) => p.hops.map((h) => h.index))).toEqual(want.map((p) => p.seq));
          const m = s.layers.get('tin')!.edgeCount;
          expect(work.spurSearches).toBeLessThanOrEqual(limit * (maxDepth + 1));
          expect(work.statesSettled).toBeLessThanOrEqual(work.spurSearches * (maxDepth + 1) * s.nodeCount);
          expect(work.stepsScanned).toBeLessThanOrEqual(work.spurSearches * (maxDepth + 3) ** 2 * m);
        },
      ),
      { numRuns: 300 },
    );
  });
});
