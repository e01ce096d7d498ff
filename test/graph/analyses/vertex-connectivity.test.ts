import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minimumVertexCut } from '../../../graph/topology/vertex-connectivity.js';

type Edge = readonly [number, number];

function csr(n: number, edges: readonly Edge[]): { offsets: Uint32Array; targets: Uint32Array } {
  const offsets = new Uint32Array(n + 1);
  for (const [u] of edges) offsets[u + 1]! += 1;
  for (let v = 0; v < n; v++) offsets[v + 1]! += offsets[v]!;
  const fill = offsets.slice(0, n);
  const targets = new Uint32Array(edges.length);
  for (const [u, v] of edges) targets[fill[u]!++] = v;
  return { offsets, targets };
}

function cutOf(n: number, edges: readonly Edge[], source: number, sinks: number[], limit?: number) {
  const { offsets, targets } = csr(n, edges);
  return minimumVertexCut(n, offsets, targets, source, sinks, limit === undefined ? {} : { limit });
}

/** Oracle: does a path lead from source to a sink avoiding the removed nodes? */
function connected(_n: number, edges: readonly Edge[], source: number, sinks: readonly number[], removed: ReadonlySet<number>): boolean {
  const seen = new Set<number>([source]);
  const todo = [source];
  while (todo.length > 0) {
    const u = todo.pop()!;
    if (sinks.includes(u)) return true;
    for (const [a, b] of edges) {
      if (a === u && !removed.has(b) && !seen.has(b)) {
        seen.add(b);
        todo.push(b);
      }
    }
  }
  return false;
}

/** Oracle: the least size of a node set (source excluded) that disconnects, by enumerating subsets by size. */
function bruteConnectivity(n: number, edges: readonly Edge[], source: number, sinks: readonly number[]): number {
  if (sinks.includes(source)) return Number.POSITIVE_INFINITY;
  const others = [...Array(n).keys()].filter((v) => v !== source);
  for (let k = 0; k <= others.length; k++) {
    let found = false;
    const pick = (start: number, chosen: number[]): void => {
      if (found) return;
      if (chosen.length === k) {
        if (!connected(n, edges, source, sinks, new Set(chosen))) found = true;
        return;
      }
      for (let i = start; i < others.length; i++) pick(i + 1, [...chosen, others[i]!]);
    };
    pick(0, []);
    if (found) return k;
  }
  throw new Error('unreachable: removing every other node always disconnects');
}

/** Second oracle for larger graphs: Edmonds–Karp on an explicit split graph with a capacity matrix. */
function explicitSplitFlow(n: number, edges: readonly Edge[], source: number, sinks: readonly number[]): number {
  const N = 2 * n + 1;
  const T = 2 * n;
  const INF = 1e9;
  const cap = Array.from({ length: N }, () => new Array<number>(N).fill(0));
  for (let v = 0; v < n; v++) cap[2 * v]![2 * v + 1] = v === source ? INF : 1;
  for (const [u, v] of edges) if (u !== v) cap[2 * u + 1]![2 * v] = INF;
  for (const t of sinks) cap[2 * t + 1]![T] = INF;
  let flow = 0;
  for (;;) {
    const prev = new Array<number>(N).fill(-1);
    prev[2 * source] = 2 * source;
    const queue = [2 * source];
    while (queue.length > 0 && prev[T] === -1) {
      const x = queue.shift()!;
      for (let y = 0; y < N; y++) {
        if (prev[y] === -1 && cap[x]![y]! > 0) {
          prev[y] = x;
          queue.push(y);
        }
      }
    }
    if (prev[T] === -1) return flow;
    let bottleneck = INF;
    for (let y = T; y !== 2 * source; y = prev[y]!) bottleneck = Math.min(bottleneck, cap[prev[y]!]![y]!);
    if (bottleneck >= INF) return Number.POSITIVE_INFINITY;
    for (let y = T; y !== 2 * source; y = prev[y]!) {
      cap[prev[y]!]![y]! -= bottleneck;
      cap[y]![prev[y]!]! += bottleneck;
    }
    flow += bottleneck;
  }
}

const randomGraph = (maxN: number, density: number) =>
  fc.integer({ min: 2, max: maxN }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      source: fc.integer({ min: 0, max: n - 1 }),
      sinks: fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: Math.max(1, Math.floor(n / 2)) }),
      // size 'max': fast-check's default bias towards short arrays leaves too few interesting graphs
      edges: fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), {
        maxLength: density * n,
        size: 'max',
      }),
    }),
  );

describe('minimumVertexCut', () => {
  it('a chain is cut by any one node; the one nearest the source is returned', () => {
    const r = cutOf(
      4,
      [
        [0, 1],
        [1, 2],
        [2, 3],
      ],
      0,
      [3],
    );
    expect(r).toEqual({ connectivity: 1, cut: [1], capped: false });
  });

  it('a diamond needs both middle nodes, or its shared bottom', () => {
    // 0 → 1, 0 → 2, 1 → 3, 2 → 3, 3 → 4 (sink): node 3 alone disconnects.
    expect(
      cutOf(
        5,
        [
          [0, 1],
          [0, 2],
          [1, 3],
          [2, 3],
          [3, 4],
        ],
        0,
        [4],
      ),
    ).toEqual({ connectivity: 1, cut: [3], capped: false });
    // Two sinks at the bottom of each branch: both branches must go.
    expect(
      cutOf(
        5,
        [
          [0, 1],
          [0, 2],
          [1, 3],
          [2, 4],
        ],
        0,
        [3, 4],
      ),
    ).toEqual({ connectivity: 2, cut: [1, 2], capped: false });
  });

  it('a sink next to the source is cut by removing the sink itself', () => {
    expect(
      cutOf(
        3,
        [
          [0, 1],
          [0, 2],
          [2, 1],
        ],
        0,
        [1],
      ),
    ).toEqual({ connectivity: 1, cut: [1], capped: false });
  });

  it('reroutes earlier flow (needs the backward residual arcs)', () => {
    // The first shortest path found, 0→1→3→5, blocks 0→2→3; the maximum, 2, takes 0→1→4→6 and
    // 0→2→3→5, which the second phase finds only by walking edge 1→3 backwards.
    const edges: Edge[] = [
      [0, 1],
      [0, 2],
      [1, 3],
      [1, 4],
      [2, 3],
      [3, 5],
      [4, 6],
    ];
    expect(cutOf(7, edges, 0, [5, 6])).toEqual({ connectivity: 2, cut: [1, 2], capped: false });
    // With a cycle back into the source and around 3 ↔ 4, nothing changes.
    expect(cutOf(7, [...edges, [3, 0], [3, 4], [4, 3]], 0, [5, 6])).toEqual({ connectivity: 2, cut: [1, 2], capped: false });
  });

  it('bypasses a node whose flow is rerouted (needs the backward node arc)', () => {
    // 0=S, 1=a, 2=p, 3=w (sink), 4=c, 5=s2 (sink), 6..8 = b, b2, b3. The first phase saturates the
    // short path 0→a→p→w; the maximum, 2, is 0→b→b2→b3→w and 0→a→c→s2, which the second phase
    // finds only by walking back over p's own node arc: p ends up carrying nothing.
    const edges: Edge[] = [
      [0, 1],
      [0, 6],
      [1, 2],
      [1, 4],
      [2, 3],
      [4, 5],
      [6, 7],
      [7, 8],
      [8, 3],
    ];
    expect(cutOf(9, edges, 0, [3, 5])).toEqual({ connectivity: 2, cut: [1, 6], capped: false });
  });

  it('answers 0 when no sink is reachable, Infinity when the source is a sink', () => {
    expect(cutOf(3, [[1, 2]], 0, [2])).toEqual({ connectivity: 0, cut: [], capped: false });
    expect(cutOf(3, [[0, 1]], 0, [])).toEqual({ connectivity: 0, cut: [], capped: false });
    expect(
      cutOf(
        3,
        [
          [0, 1],
          [1, 2],
        ],
        1,
        [1, 2],
      ),
    ).toEqual({ connectivity: Number.POSITIVE_INFINITY, cut: [], capped: false });
  });

  it('stops at the limit with a lower bound', () => {
    // Source 0 with four disjoint two-hop routes to four sinks.
    const edges: Edge[] = [];
    for (let i = 0; i < 4; i++) edges.push([0, 1 + i], [1 + i, 5 + i]);
    const sinks = [5, 6, 7, 8];
    expect(cutOf(9, edges, 0, sinks)).toEqual({ connectivity: 4, cut: [1, 2, 3, 4], capped: false });
    expect(cutOf(9, edges, 0, sinks, 2)).toEqual({ connectivity: 3, cut: [], capped: true });
    expect(cutOf(9, edges, 0, sinks, 4)).toEqual({ connectivity: 4, cut: [1, 2, 3, 4], capped: false });
    expect(cutOf(9, edges, 0, sinks, 0)).toEqual({ connectivity: 1, cut: [], capped: true });
  });

  it('rejects bad input', () => {
    const { offsets, targets } = csr(2, [[0, 1]]);
    expect(() => minimumVertexCut(2, offsets, targets, 2, [1])).toThrow(RangeError);
    expect(() => minimumVertexCut(2, offsets, targets, 0, [7])).toThrow(RangeError);
    expect(() => minimumVertexCut(2, offsets, targets, 0, [1], { limit: -1 })).toThrow(RangeError);
    expect(() => minimumVertexCut(2, offsets, targets, 0, [1], { limit: 1.5 })).toThrow(RangeError);
    expect(() => minimumVertexCut(2, offsets, Uint32Array.of(9), 0, [1])).toThrow(RangeError);
  });

  it('equals the brute-force minimum over node subsets, and its cut disconnects', () => {
    fc.assert(
      fc.property(randomGraph(9, 3), ({ n, source, sinks, edges }) => {
        const r = cutOf(n, edges, source, sinks);
        const expected = bruteConnectivity(n, edges, source, sinks);
        expect(r.connectivity).toBe(expected);
        expect(r.capped).toBe(false);
        if (Number.isFinite(expected)) {
          expect(r.cut.length).toBe(expected);
          expect(r.cut).not.toContain(source);
          expect(new Set(r.cut).size).toBe(r.cut.length);
          expect(connected(n, edges, source, sinks, new Set(r.cut))).toBe(false);
        }
        // A limit below the answer gives limit + 1 as a lower bound; at or above it, the exact answer.
        if (Number.isFinite(expected) && expected > 0) {
          const capped = cutOf(n, edges, source, sinks, expected - 1);
          expect(capped).toEqual({ connectivity: expected, cut: [], capped: true });
          expect(cutOf(n, edges, source, sinks, expected)).toEqual(r);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('equals an explicit split-graph max-flow on larger random graphs, sparse and dense', () => {
    fc.assert(
      fc.property(fc.oneof(randomGraph(30, 4), randomGraph(30, 2), randomGraph(16, 1)), ({ n, source, sinks, edges }) => {
        const r = cutOf(n, edges, source, sinks);
        expect(r.connectivity).toBe(explicitSplitFlow(n, edges, source, sinks));
        if (Number.isFinite(r.connectivity)) {
          expect(r.cut.length).toBe(r.connectivity);
          expect(connected(n, edges, source, sinks, new Set(r.cut))).toBe(false);
        }
      }),
      { numRuns: 600 },
    );
  });
});
