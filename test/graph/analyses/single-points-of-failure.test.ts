import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { singlePointsOfFailure, type SinglePointsOfFailureAnswer } from '../../../graph/analyses/single-points-of-failure.js';
import type { GraphNodeInput, RelationshipInput } from '../../../graph/model.js';
import { nodeIndex, type Snapshot } from '../../../graph/snapshot.js';
import { company as companyNode, country as countryNode, smelter as smelterNode, snapshotOf } from '../graph-builders.js';

const company = (id: string): GraphNodeInput => companyNode(id, { name: id.toUpperCase() });
const smelter = (id: string, recycledOrScrap = false): GraphNodeInput => smelterNode(id, { name: `Smelter ${id}`, recycledOrScrap });
const country = (id: string): GraphNodeInput => countryNode(id, { name: `Country ${id}` });
const tin = (from: string, to: string, share?: number): RelationshipInput =>
  share === undefined ? { type: 'SUPPLIES', from, to, metal: 'tin' } : { type: 'SUPPLIES', from, to, metal: 'tin', share };

function spofOf(s: Snapshot, id: string): SinglePointsOfFailureAnswer {
  return singlePointsOfFailure(s, 'tin', nodeIndex(s, id)!);
}

/** The list as [id, share] pairs, shares rounded to 12 digits for exact comparison. */
function listed(a: SinglePointsOfFailureAnswer): [string, number][] {
  return a.singlePointsOfFailure.map((x) => [x.id, Number(x.share.toFixed(12))]);
}

describe('singlePointsOfFailure on hand-built graphs', () => {
  it('a chain: every node is a single point of failure carrying the whole intake', () => {
    const s = snapshotOf([company('a'), company('b'), smelter('S'), country('CD')], [tin('CD', 'S'), tin('S', 'b'), tin('b', 'a')]);
    const answer = spofOf(s, 'a');
    expect(listed(answer)).toEqual([
      ['CD', 1],
      ['S', 1],
      ['b', 1],
    ]);
    expect(answer.redundancy).toBe(1);
    expect(answer.minimumCut).toEqual(['b']);
    expect(answer.sourceCount).toBe(1);
    expect(answer.singlePointsOfFailure[0]).toEqual({
      index: nodeIndex(s, 'CD'),
      id: 'CD',
      label: 'Country',
      name: 'Country CD',
      share: 1,
    });
  });

  it('a chain with undisclosed remainders: the shares shrink down the chain', () => {
    const s = snapshotOf(
      [company('a'), company('b'), smelter('S'), country('CD')],
      [tin('CD', 'S', 1), tin('S', 'b', 0.5), tin('b', 'a', 0.6)],
    );
    const answer = spofOf(s, 'a');
    expect(listed(answer)).toEqual([
      ['b', 0.6],
      ['CD', 0.3],
      ['S', 0.3],
    ]);
    expect(answer.redundancy).toBe(1);
  });

  it('a diamond of two independent branches has no single point of failure, redundancy 2', () => {
    const s = snapshotOf(
      [company('a'), company('b'), company('c'), smelter('S1'), smelter('S2'), country('CD'), country('PE')],
      [tin('b', 'a', 0.5), tin('c', 'a', 0.5), tin('S1', 'b'), tin('S2', 'c'), tin('CD', 'S1'), tin('PE', 'S2')],
    );
    const answer = spofOf(s, 'a');
    expect(answer.singlePointsOfFailure).toEqual([]);
    expect(answer.redundancy).toBe(2);
    expect(answer.minimumCut).toEqual(['b', 'c']);
    expect(answer.sourceCount).toBe(2);
  });

  it('a diamond over a shared smelter: the smelter and its country are single points of failure', () => {
    const s = snapshotOf(
      [company('a'), company('b'), company('c'), smelter('S'), country('CD')],
      [tin('b', 'a', 0.5), tin('c', 'a', 0.5), tin('S', 'b'), tin('S', 'c'), tin('CD', 'S')],
    );
    const answer = spofOf(s, 'a');
    expect(listed(answer)).toEqual([
      ['CD', 1],
      ['S', 1],
    ]);
    expect(answer.redundancy).toBe(1);
    expect(answer.minimumCut).toEqual(['S']);
  });

  it('a single origin country is a single point of failure even behind two smelters', () => {
    const s = snapshotOf(
      [company('a'), smelter('S1'), smelter('S2'), country('CD')],
      [tin('S1', 'a', 0.7), tin('S2', 'a', 0.3), tin('CD', 'S1'), tin('CD', 'S2')],
    );
    const answer = spofOf(s, 'a');
    expect(listed(answer)).toEqual([['CD', 1]]);
    expect(answer.minimumCut).toEqual(['CD']);
    expect(answer.redundancy).toBe(1);
  });

  it('a cycle: the share is the probability that the walk gets through', () => {
    // a ← b (1); b ← c (0.6), b ← S (0.4); c ← b (0.5), c ← S2 (0.25), 0.25 undisclosed; S ← CD; S2 ← CD.
    // P(reach S from b) = h with h = 0.4 + 0.6 (0.5 h) + 0.6 · 0.25 · 0 … S2 also leads to CD:
    // CD is reached with h(b) = 0.4 + 0.6 h(c), h(c) = 0.5 h(b) + 0.25 → h(b) = 0.55 / 0.7 = 11/14.
    const s = snapshotOf(
      [company('a'), company('b'), company('c'), smelter('S'), smelter('S2'), country('CD')],
      [tin('b', 'a', 1), tin('c', 'b', 0.6), tin('S', 'b', 0.4), tin('b', 'c', 0.5), tin('S2', 'c', 0.25), tin('CD', 'S'), tin('CD', 'S2')],
    );
    const answer = spofOf(s, 'a');
    expect(answer.singlePointsOfFailure.map((x) => x.id)).toEqual(['b', 'CD']);
    expect(answer.singlePointsOfFailure[0]!.share).toBeCloseTo(1, 12);
    expect(answer.singlePointsOfFailure[1]!.share).toBeCloseTo(11 / 14, 12);
    expect(answer.redundancy).toBe(1);
    expect(answer.minimumCut).toEqual(['b']);
  });

  it('a company with no sources, or outside the metal, or only closed loops upstream: redundancy 0', () => {
    const s = snapshotOf(
      [company('a'), company('b'), company('loner'), company('x'), company('y'), company('z')],
      [tin('a', 'b'), tin('x', 'z'), tin('y', 'x', 1), tin('x', 'y', 1)],
    );
    const empty = { redundancy: 0, singlePointsOfFailure: [], minimumCut: [], sourceCount: 0 };
    expect(spofOf(s, 'a')).toEqual(empty); // a supplies b but has no source: itself a source of undisclosed origin
    expect(spofOf(s, 'loner')).toEqual(empty); // takes no part in tin
    expect(spofOf(s, 'z')).toEqual(empty); // x ↔ y feed each other and nothing else
    expect(singlePointsOfFailure(s, 'gold', nodeIndex(s, 'b')!)).toEqual(empty); // no gold at all
    expect(() => singlePointsOfFailure(s, 'tin', 99)).toThrow(RangeError);
    expect(() => singlePointsOfFailure(s, 'tin', -1)).toThrow(RangeError);
  });

  it('a supplier without known sources is itself a source of undisclosed origin', () => {
    const s = snapshotOf([company('a'), company('b')], [tin('b', 'a')]);
    const answer = spofOf(s, 'a');
    expect(listed(answer)).toEqual([['b', 1]]);
    expect(answer.sourceCount).toBe(1);
    expect(answer.redundancy).toBe(1);
  });

  it('a recycled smelter is a source: its inputs are not followed', () => {
    const s = snapshotOf(
      [company('a'), smelter('R', true), smelter('S'), country('CD')],
      [tin('R', 'a', 0.5), tin('S', 'a', 0.5), tin('CD', 'S'), tin('CD', 'R')],
    );
    const answer = spofOf(s, 'a');
    expect(answer.singlePointsOfFailure).toEqual([]); // CD is not needed: R runs on scrap
    expect(answer.redundancy).toBe(2);
    expect(answer.sourceCount).toBe(2);
    expect(spofOf(s, 'R')).toEqual({ redundancy: 0, singlePointsOfFailure: [], minimumCut: [], sourceCount: 0 });
  });

  it('a relationship of weight 0 is still a path, so it still gives redundancy', () => {
    // a declares b at 0.5 and c at 0.5, d without a share gets 0; d's own source is a separate country.
    const s = snapshotOf(
      [company('a'), company('b'), company('c'), company('d'), smelter('S'), smelter('T'), country('CD'), country('PE')],
      [tin('b', 'a', 0.5), tin('c', 'a', 0.5), tin('d', 'a'), tin('S', 'b'), tin('S', 'c'), tin('T', 'd'), tin('CD', 'S'), tin('PE', 'T')],
    );
    const answer = spofOf(s, 'a');
    expect(answer.singlePointsOfFailure).toEqual([]);
    expect(answer.redundancy).toBe(2);
  });

  it('solves a large strongly connected piece (Gauss–Seidel beyond the dense limit) exactly', () => {
    // f ← h ← r0; a ring r0..r399 where r_i buys 0.7 from r_{i+1} and 0.299 from r_{i-1} (0.001
    // undisclosed: the walk goes round many times, so an iteration stopped early is visibly off);
    // r200 also buys 0.01 from S ← CD. Dominators of the sources: h, r0, r200, S, CD.
    const N = 400;
    const nodes: GraphNodeInput[] = [company('f'), company('h'), smelter('S'), country('CD')];
    const rels: RelationshipInput[] = [tin('h', 'f', 1), tin('r0', 'h', 1), tin('CD', 'S', 1), tin('S', 'r200', 0.01)];
    for (let i = 0; i < N; i++) {
      nodes.push(company(`r${i}`));
      rels.push(tin(`r${(i + 1) % N}`, `r${i}`, 0.7), tin(`r${(i + N - 1) % N}`, `r${i}`, 0.299));
    }
    const s = snapshotOf(nodes, rels);
    const answer = spofOf(s, 'f');
    expect(answer.singlePointsOfFailure.map((x) => x.id).sort()).toEqual(['CD', 'S', 'h', 'r0', 'r200']);
    for (const x of answer.singlePointsOfFailure)
      expect(Math.abs(x.share - visitProbability(s, nodeIndex(s, 'f')!, x.index))).toBeLessThan(1e-9);
    expect(answer.redundancy).toBe(1);
  });
});

// ---------------------------------------------------------------- oracles, independent of the implementation

const COUNTRY = 2;
const SMELTER = 1;

function layerOf(s: Snapshot) {
  return s.layers.get('tin')!;
}

function sourcesOf(s: Snapshot): boolean[] {
  const layer = layerOf(s);
  return Array.from({ length: s.nodeCount }, (_, v) => {
    const noInputs = layer.inOffsets[v] === layer.inOffsets[v + 1];
    return s.labels[v] === COUNTRY || noInputs || (s.labels[v] === SMELTER && s.recycled[v] === 1);
  });
}

/** Does c still reach a source (not removed) when `removed` fail? Walks buyer → source, stopping at sources. */
function reachesSource(s: Snapshot, c: number, removed: ReadonlySet<number>): boolean {
  const layer = layerOf(s);
  const isSource = sourcesOf(s);
  const seen = new Set([c]);
  const todo = [c];
  while (todo.length > 0) {
    const v = todo.pop()!;
    if (v !== c && isSource[v]) return true;
    if (isSource[v]) continue;
    for (let j = layer.inOffsets[v]!; j < layer.inOffsets[v + 1]!; j++) {
      const u = layer.inSources[j]!;
      if (!removed.has(u) && !seen.has(u)) {
        seen.add(u);
        todo.push(u);
      }
    }
  }
  return false;
}

function upstreamSources(s: Snapshot, c: number): number[] {
  const layer = layerOf(s);
  const isSource = sourcesOf(s);
  if (isSource[c]) return [];
  const seen = new Set([c]);
  const todo = [c];
  const found: number[] = [];
  while (todo.length > 0) {
    const v = todo.pop()!;
    if (v !== c && isSource[v]) {
      found.push(v);
      continue;
    }
    for (let j = layer.inOffsets[v]!; j < layer.inOffsets[v + 1]!; j++) {
      const u = layer.inSources[j]!;
      if (!seen.has(u)) {
        seen.add(u);
        todo.push(u);
      }
    }
  }
  return found;
}

function bruteRedundancy(s: Snapshot, c: number): number {
  if (!reachesSource(s, c, new Set())) return 0;
  const others = [...Array(s.nodeCount).keys()].filter((v) => v !== c);
  for (let k = 1; k <= others.length; k++) {
    let found = false;
    const pick = (start: number, chosen: number[]): void => {
      if (found) return;
      if (chosen.length === k) {
        if (!reachesSource(s, c, new Set(chosen))) found = true;
        return;
      }
      for (let i = start; i < others.length; i++) pick(i + 1, [...chosen, others[i]!]);
    };
    pick(0, []);
    if (found) return k;
  }
  throw new Error('removing every other node always disconnects');
}

/**
 * P(the walk from c ever visits d): h(d) = 1, h(v) = Σ w(u, v) h(u) over the sources u of a non-source
 * v, solved densely over the nodes that can reach d through positive weights (h = 0 elsewhere).
 */
function visitProbability(s: Snapshot, c: number, d: number): number {
  const layer = layerOf(s);
  const isSource = sourcesOf(s);
  const n = s.nodeCount;
  const step = (v: number): [number, number][] => {
    if (isSource[v] || v === d) return [];
    const out: [number, number][] = [];
    for (let j = layer.inOffsets[v]!; j < layer.inOffsets[v + 1]!; j++)
      if (layer.inWeights[j]! > 0) out.push([layer.inSources[j]!, layer.inWeights[j]!]);
    return out;
  };
  // Who can reach d: fixed point over the steps.
  const canReach = new Array<boolean>(n).fill(false);
  canReach[d] = true;
  for (let changed = true; changed; ) {
    changed = false;
    for (let v = 0; v < n; v++) if (!canReach[v] && step(v).some(([u]) => canReach[u])) canReach[v] = changed = true;
  }
  if (!canReach[c]) return 0;
  const unknowns = [...Array(n).keys()].filter((v) => canReach[v] && v !== d);
  const at = new Map(unknowns.map((v, i) => [v, i]));
  const m = unknowns.length;
  const A = unknowns.map(() => new Array<number>(m + 1).fill(0));
  unknowns.forEach((v, i) => {
    A[i]![i] = 1;
    for (const [u, w] of step(v)) {
      if (u === d) A[i]![m]! += w;
      else if (at.has(u)) A[i]![at.get(u)!]! -= w;
    }
  });
  for (let col = 0; col < m; col++) {
    let p = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(A[r]![col]!) > Math.abs(A[p]![col]!)) p = r;
    [A[col], A[p]] = [A[p]!, A[col]!];
    for (let r = 0; r < m; r++) {
      if (r === col) continue;
      const f = A[r]![col]! / A[col]![col]!;
      if (f !== 0) for (let k = col; k <= m; k++) A[r]![k]! -= f * A[col]![k]!;
    }
  }
  const i = at.get(c)!;
  return A[i]![m]! / A[i]![i]!;
}

// ---------------------------------------------------------------- random graphs with cycles

interface RandomGraph {
  nodes: GraphNodeInput[];
  relationships: RelationshipInput[];
  focal: number;
}

const CODES = 'ABCDEFGHIJ';
type Kind = 'Company' | 'Smelter' | 'Recycled' | 'Country';
const labelOfKind = (k: Kind) => (k === 'Recycled' ? 'Smelter' : k);
const randomGraphs: fc.Arbitrary<RandomGraph> = fc
  .integer({ min: 2, max: 10 })
  .chain((n) =>
    fc.array(fc.constantFrom<Kind>('Company', 'Company', 'Company', 'Smelter', 'Smelter', 'Recycled', 'Country', 'Country'), {
      minLength: n,
      maxLength: n,
    }),
  )
  .chain((kinds) => {
    const n = kinds.length;
    // Every pair the model allows (Country → Smelter → Company → Company, company cycles included).
    const pairs: [number, number][] = [];
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        const [la, lb] = [labelOfKind(kinds[a]!), labelOfKind(kinds[b]!)];
        if (
          (la === 'Country' && lb === 'Smelter') ||
          (la === 'Smelter' && lb === 'Company') ||
          (la === 'Company' && lb === 'Company' && a !== b)
        )
          pairs.push([a, b]);
      }
    }
    return fc.record({
      kinds: fc.constant(kinds),
      edges: fc.shuffledSubarray(pairs, { maxLength: Math.min(pairs.length, 3 * n) }),
      // A share of k/20, or none (the rest spread evenly).
      shares: fc.array(fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined, freq: 2 }), { minLength: 3 * n, maxLength: 3 * n }),
      focal: fc.integer({ min: 0, max: n - 1 }),
    });
  })
  .map(({ kinds, edges, shares, focal }) => {
    // The focal node is a company that buys something whenever the graph has one.
    const buyers = edges.map(([, b]) => b).filter((b) => kinds[b] === 'Company');
    const c = buyers.length > 0 ? buyers[focal % buyers.length]! : focal;
    const idOf = (i: number) => (kinds[i] === 'Country' ? `X${CODES[i]}` : kinds[i] === 'Company' ? `c${i}` : `s${i}`);
    const nodes: GraphNodeInput[] = kinds.map((k, i) =>
      k === 'Country' ? country(idOf(i)) : k === 'Company' ? company(idOf(i)) : smelter(idOf(i), k === 'Recycled'),
    );
    const relationships = edges.map(([a, b], k) => tin(idOf(a), idOf(b), shares[k] === undefined ? undefined : shares[k]! / 20));
    return { nodes, relationships, focal: c };
  });

describe('singlePointsOfFailure against brute force on random graphs with cycles', () => {
  it('reports exactly the nodes whose failure cuts c off, with exact shares, and a true minimum cut', () => {
    fc.assert(
      fc.property(randomGraphs, ({ nodes, relationships, focal }) => {
        const s = snapshotOf(nodes, relationships);
        const c = focal;
        const answer = singlePointsOfFailure(s, 'tin', c);
        if (!s.layers.has('tin')) {
          expect(answer.redundancy).toBe(0);
          return;
        }
        const connected = reachesSource(s, c, new Set());

        // Single points of failure: exactly the nodes whose removal cuts c off from every source.
        const expected = connected ? [...Array(s.nodeCount).keys()].filter((d) => d !== c && !reachesSource(s, c, new Set([d]))) : [];
        expect(answer.singlePointsOfFailure.map((x) => x.index).sort((a, b) => a - b)).toEqual(expected);

        // Shares: the visit probability of the walk, from an independent dense solve.
        for (const x of answer.singlePointsOfFailure) {
          expect(Math.abs(x.share - visitProbability(s, c, x.index))).toBeLessThan(1e-9);
          expect(x.id).toBe(s.ids[x.index]);
        }
        // Ordered by share, then id.
        for (let i = 1; i < answer.singlePointsOfFailure.length; i++) {
          const p = answer.singlePointsOfFailure[i - 1]!;
          const q = answer.singlePointsOfFailure[i]!;
          expect(p.share > q.share || (p.share === q.share && p.id < q.id)).toBe(true);
        }

        // Redundancy: the brute-force minimum; the cut has that size, spares c, and disconnects.
        expect(answer.redundancy).toBe(bruteRedundancy(s, c));
        expect(answer.minimumCut.length).toBe(answer.redundancy);
        const cut = new Set(answer.minimumCut.map((id) => nodeIndex(s, id, nodes.find((x) => x.id === id)!.label)!));
        expect(cut.has(c)).toBe(false);
        expect(reachesSource(s, c, cut)).toBe(false);

        // Consistency: redundancy 1 exactly when a single point of failure exists.
        expect(answer.redundancy === 1).toBe(answer.singlePointsOfFailure.length > 0);
        expect(answer.sourceCount).toBe(s.layers.get('tin')!.present[c] ? upstreamSources(s, c).length : 0);
      }),
      { numRuns: 500 },
    );
  });
});
