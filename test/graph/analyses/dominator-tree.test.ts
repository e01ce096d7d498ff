import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dominates, dominatorTree, NO_DOMINATOR, strictDominators } from '../../../graph/topology/dominator-tree.js';

/** CSR from an edge list, edges kept in the given order. */
function csr(n: number, edges: ReadonlyArray<readonly [number, number]>): { offsets: Uint32Array; targets: Uint32Array } {
  const offsets = new Uint32Array(n + 1);
  for (const [u] of edges) offsets[u + 1]! += 1;
  for (let v = 0; v < n; v++) offsets[v + 1]! += offsets[v]!;
  const fill = offsets.slice(0, n);
  const targets = new Uint32Array(edges.length);
  for (const [u, v] of edges) targets[fill[u]!++] = v;
  return { offsets, targets };
}

function idomOf(n: number, edges: ReadonlyArray<readonly [number, number]>, root: number): number[] {
  const { offsets, targets } = csr(n, edges);
  return [...dominatorTree(n, offsets, targets, root)];
}

/** Oracle: the nodes reachable from root when `removed` is deleted (plain BFS over the edge list). */
function reachableWithout(n: number, edges: ReadonlyArray<readonly [number, number]>, root: number, removed: number): boolean[] {
  const seen = new Array<boolean>(n).fill(false);
  if (root === removed) return seen;
  seen[root] = true;
  const todo = [root];
  while (todo.length > 0) {
    const u = todo.pop()!;
    for (const [a, b] of edges) {
      if (a === u && b !== removed && !seen[b]) {
        seen[b] = true;
        todo.push(b);
      }
    }
  }
  return seen;
}

describe('dominatorTree', () => {
  it('on a chain, each node is dominated by all before it', () => {
    const idom = idomOf(
      4,
      [
        [0, 1],
        [1, 2],
        [2, 3],
      ],
      0,
    );
    expect(idom).toEqual([0, 0, 1, 2]);
    expect(strictDominators(Int32Array.from(idom), 3)).toEqual([2, 1, 0]);
  });

  it('on a diamond, the join is dominated by the root only', () => {
    // 0 → 1, 0 → 2, 1 → 3, 2 → 3, 3 → 4
    const idom = idomOf(
      5,
      [
        [0, 1],
        [0, 2],
        [1, 3],
        [2, 3],
        [3, 4],
      ],
      0,
    );
    expect(idom).toEqual([0, 0, 0, 0, 3]);
  });

  it('handles cycles, self-loops, parallel edges and unreachable nodes', () => {
    // 0 → 1 → 2 → 1 (cycle), 2 → 3, 3 → 3 (self-loop), 0 → 1 twice, 5 → 3 (5 unreachable), 4 isolated
    const edges: [number, number][] = [
      [0, 1],
      [0, 1],
      [1, 2],
      [2, 1],
      [2, 3],
      [3, 3],
      [5, 3],
    ];
    const idom = idomOf(6, edges, 0);
    expect(idom).toEqual([0, 0, 1, 2, NO_DOMINATOR, NO_DOMINATOR]);
    const arr = Int32Array.from(idom);
    expect(strictDominators(arr, 0)).toEqual([]);
    expect(strictDominators(arr, 4)).toEqual([]);
    expect(dominates(arr, 1, 3)).toBe(true);
    expect(dominates(arr, 3, 3)).toBe(true);
    expect(dominates(arr, 0, 5)).toBe(false);
  });

  it('needs the semidominator correction (the classic Lengauer–Tarjan example)', () => {
    // From the 1979 paper: R=0, A..L = 1..12.
    const names = 'RABCDEFGHIJKL';
    const edges: [string, string][] = [
      ['R', 'A'],
      ['R', 'B'],
      ['R', 'C'],
      ['A', 'D'],
      ['B', 'A'],
      ['B', 'D'],
      ['B', 'E'],
      ['C', 'F'],
      ['C', 'G'],
      ['D', 'L'],
      ['E', 'H'],
      ['F', 'I'],
      ['G', 'I'],
      ['G', 'J'],
      ['H', 'E'],
      ['H', 'K'],
      ['I', 'K'],
      ['J', 'I'],
      ['K', 'I'],
      ['K', 'R'],
      ['L', 'H'],
    ];
    const idom = idomOf(
      13,
      edges.map(([a, b]) => [names.indexOf(a), names.indexOf(b)] as const),
      0,
    );
    const expected: Record<string, string> = {
      A: 'R',
      B: 'R',
      C: 'R',
      D: 'R',
      E: 'R',
      F: 'C',
      G: 'C',
      H: 'R',
      I: 'R',
      J: 'G',
      K: 'R',
      L: 'D',
    };
    for (const [v, d] of Object.entries(expected)) expect(names[idom[names.indexOf(v)]!], v).toBe(d);
  });

  it('does not overflow the stack on a chain of 300 000 nodes', () => {
    const n = 300_000;
    const offsets = new Uint32Array(n + 1);
    const targets = new Uint32Array(n - 1);
    for (let v = 0; v < n; v++) offsets[v + 1] = Math.min(v + 1, n - 1);
    for (let v = 0; v < n - 1; v++) targets[v] = v + 1;
    const idom = dominatorTree(n, offsets, targets, 0);
    expect(idom[n - 1]).toBe(n - 2);
    expect(idom[0]).toBe(0);
  });

  it('rejects bad input', () => {
    const { offsets, targets } = csr(2, [[0, 1]]);
    expect(() => dominatorTree(2, offsets, targets, 2)).toThrow(RangeError);
    expect(() => dominatorTree(3, offsets, targets, 0)).toThrow(RangeError);
    expect(() => dominatorTree(2, offsets, Uint32Array.of(5), 0)).toThrow(RangeError);
  });

  it('agrees with the definition on random digraphs: d dominates v iff removing d cuts v off', () => {
    const graphs = fc.integer({ min: 1, max: 11 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        root: fc.integer({ min: 0, max: n - 1 }),
        // size 'max': fast-check's default bias towards short arrays leaves too few interesting graphs
        edges: fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), {
          maxLength: 3 * n,
          size: 'max',
        }),
      }),
    );
    fc.assert(
      fc.property(graphs, ({ n, root, edges }) => {
        const idom = Int32Array.from(idomOf(n, edges, root));
        const reachable = reachableWithout(n, edges, root, -1);
        // Oracle dominator sets: d dom v iff v reachable and (d = v or v unreachable once d is removed).
        const dom: boolean[][] = [];
        for (let d = 0; d < n; d++) {
          const without = reachableWithout(n, edges, root, d);
          dom.push(Array.from({ length: n }, (_, v) => reachable[v]! && (d === v || !without[v])));
        }
        for (let v = 0; v < n; v++) {
          if (!reachable[v]) {
            expect(idom[v]).toBe(NO_DOMINATOR);
            continue;
          }
          const strict = [...Array(n).keys()].filter((d) => d !== v && dom[d]![v]);
          expect([...strictDominators(idom, v)].sort((a, b) => a - b)).toEqual(strict);
          if (v === root) {
            expect(idom[v]).toBe(root);
          } else {
            // The immediate dominator is the strict dominator every other strict dominator dominates.
            const immediate = strict.filter((d) => strict.every((e) => dom[e]![d]));
            expect(immediate).toEqual([idom[v]]);
          }
          for (let d = 0; d < n; d++) expect(dominates(idom, d, v)).toBe(dom[d]![v]);
        }
      }),
      { numRuns: 600 },
    );
  });
});
