/**
 * The shared condensation and solves: the layer's compact ids (a sources-first order of its
 * strongly connected components) against a brute-force reachability oracle, and solvePiece
 * against plain Gaussian elimination written here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { layerComponents, stronglyConnectedComponents, supplyComponents } from '../../../graph/topology/strongly-connected.js';
import { solveDense, solvePiece, solveSparse, sweepsConverged } from '../../../graph/numerics/linear-solvers.js';
import type { GraphNodeInput, RelationshipInput } from '../../../graph/model.js';
import { LABEL_CODES, SHARE_TOLERANCE, type Snapshot } from '../../../graph/snapshot.js';
import { allowedSupplies, denseSolve, randomEdges, snapshotOf, type RandomEdge } from '../graph-builders.js';

/** Generous limits for the property tests: a second or two alone, more on a busy machine. */
const SLOW = { timeout: 60_000 };

/** Random networks: a few countries, smelters and companies in a drawn order, SUPPLIES the model allows, some in gold. */
const networkArb = fc
  .record({
    labels: fc.array(fc.constantFrom('Country', 'Smelter', 'Company', 'Company', 'Company'), { minLength: 1, maxLength: 14 }),
    edges: randomEdges(45),
  })
  .map(({ labels, edges }) => {
    const nodes = labels.map((label, i): GraphNodeInput => {
      if (label === 'Country') return { label, id: `K${String.fromCharCode(65 + i)}`, name: `K${i}` };
      if (label === 'Smelter') return { label, id: `S${i}`, name: `S${i}`, metal: 'tin', country: 'PE' };
      return { label: 'Company', id: `c${i}`, name: `c${i}`, country: 'JP' };
    });
    return { nodes, relationships: allowedSupplies(nodes, edges as RandomEdge[]) };
  });

/** reach[u][v]: v is reachable from u along buyer → source steps (u itself when a path returns to it). */
function closure(n: number, sourcesOf: (v: number) => number[]): boolean[][] {
  const reach = Array.from({ length: n }, () => new Array<boolean>(n).fill(false));
  for (let v = 0; v < n; v++) for (const u of sourcesOf(v)) reach[v]![u] = true;
  for (let k = 0; k < n; k++)
    for (let i = 0; i < n; i++) if (reach[i]![k]) for (let j = 0; j < n; j++) if (reach[k]![j]) reach[i]![j] = true;
  return reach;
}

/**
 * The undisclosed part of v's intake by the snapshot's rule (graph/snapshot.ts), from the shares as written: a node with no
 * sources is undisclosed unless it is a country or recycled; else the remainder of its shares when
 * every source has one and they sum below 1, and nothing when a source without a share takes the rest.
 */
function undisclosedByRule(s: Snapshot, relationships: readonly RelationshipInput[], metal: string, v: number): number {
  const shares: number[] = [];
  for (const r of relationships) if (r.type === 'SUPPLIES' && r.metal === metal && r.to === s.ids[v]) shares.push(r.share ?? Number.NaN);
  if (shares.length === 0) return s.labels[v] === LABEL_CODES.Country || s.recycled[v] === 1 ? 0 : 1;
  if (shares.some(Number.isNaN)) return 0;
  const declared = shares.reduce((a, b) => a + b, 0);
  return declared < 1 - SHARE_TOLERANCE ? 1 - declared : 0;
}

describe('the layer compact ids', () => {
  it('are a sources-first order of the strongly connected components, with the in-adjacency renumbered', SLOW, () => {
    let withBlocks = 0;
    fc.assert(
      fc.property(networkArb, (g) => {
        const s = snapshotOf(g.nodes, g.relationships);
        for (const layer of s.layers.values()) {
          const n = s.nodeCount;
          const { nodes, compactOf, compactOffsets, compactSources, compactWeights, compactUndisclosed, cyclicBlocks } = layer;
          const k = nodes.length;
          // Exactly the present nodes, each once, compactOf the inverse.
          expect(k).toBe(layer.present.reduce((t, p) => t + p, 0));
          for (let v = 0; v < n; v++) expect(compactOf[v]).toBe(layer.present[v] ? nodes.indexOf(v) : -1);
          // Each row is the node's in-CSR row, sources renumbered, same order and weights.
          for (let c = 0; c < k; c++) {
            const v = nodes[c]!;
            const row: [number, number][] = [];
            for (let j = compactOffsets[c]!; j < compactOffsets[c + 1]!; j++) row.push([nodes[compactSources[j]!]!, compactWeights[j]!]);
            const expected: [number, number][] = [];
            for (let j = layer.inOffsets[v]!; j < layer.inOffsets[v + 1]!; j++) expected.push([layer.inSources[j]!, layer.inWeights[j]!]);
            expect(row).toEqual(expected);
            expect(compactUndisclosed[c]).toBeCloseTo(undisclosedByRule(s, g.relationships, layer.metal, v), 12);
          }
          // Blocks: exactly the cyclic strongly connected components, as consecutive compact ids.
          const reach = closure(k, (c) => [...compactSources.subarray(compactOffsets[c]!, compactOffsets[c + 1]!)]);
          const blockOf = new Int32Array(k).fill(-1);
          for (let b = 0; b < cyclicBlocks.length; b += 2) {
            expect(cyclicBlocks[b]!).toBeLessThan(cyclicBlocks[b + 1]!);
            if (b > 0) expect(cyclicBlocks[b]!).toBeGreaterThanOrEqual(cyclicBlocks[b - 1]!);
            for (let c = cyclicBlocks[b]!; c < cyclicBlocks[b + 1]!; c++) blockOf[c] = b;
          }
          if (cyclicBlocks.length > 0) withBlocks++;
          for (let u = 0; u < k; u++) {
            expect(blockOf[u]! >= 0).toBe(reach[u]![u]); // on a cycle (a self-supplier included) exactly when in a block
            for (let v = 0; v < k; v++) {
              if (u !== v) expect(blockOf[u]! >= 0 && blockOf[u] === blockOf[v]).toBe(reach[u]![v]! && reach[v]![u]!);
              // Sources first: whatever u reaches comes before it, unless they share a block.
              if (reach[u]![v] && !(blockOf[u]! >= 0 && blockOf[u] === blockOf[v])) expect(v).toBeLessThan(u);
            }
          }
          // The same order as supplyComponents over the node indices, and layerComponents agrees with it.
          const comps = supplyComponents(layer, n, layer.present);
          expect([...comps.members]).toEqual([...nodes]);
          const shared = layerComponents(layer);
          expect([...shared.members]).toEqual([...comps.members]);
          expect([...shared.starts]).toEqual([...comps.starts]);
          expect([...shared.cyclic]).toEqual([...comps.cyclic]);
          expect([...shared.componentOf]).toEqual([...comps.componentOf]);
        }
      }),
      { numRuns: 300, seed: 11 },
    );
    expect(withBlocks).toBeGreaterThan(20);
  });
});

describe('stronglyConnectedComponents', () => {
  it('leaves steps of weight 0 out when weights are given', () => {
    // 0 ⇄ 1, but 1 → 0 has weight 0: two components, 0 after 1 (0 reaches 1).
    const offsets = Uint32Array.from([0, 1, 2]);
    const targets = Int32Array.from([1, 0]);
    expect(stronglyConnectedComponents(2, offsets, targets, null).count).toBe(1);
    const weighted = stronglyConnectedComponents(2, offsets, targets, null, Float64Array.from([0.5, 0]));
    expect(weighted.count).toBe(2);
    expect([...weighted.members]).toEqual([1, 0]);
  });
});

/** (I − Q) or its transpose, from a piece CSR, as plain rows. */
function denseOf(k: number, rows: [number, number][][], transpose: boolean): number[][] {
  const m = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 : 0)));
  rows.forEach((row, p) => {
    for (const [q, w] of row) {
      if (transpose) m[q]![p]! -= w;
      else m[p]![q]! -= w;
    }
  });
  return m;
}

/** Random pieces: row sums of Q at most 1 − leak, some rows with repeated columns and self-steps. */
const pieceArb = fc
  .record({
    k: fc.integer({ min: 1, max: 9 }),
    r: fc.integer({ min: 1, max: 3 }),
    entries: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.double({ min: 0.01, max: 1, noNaN: true })), { maxLength: 40 }),
    leak: fc.double({ min: 0.01, max: 0.5, noNaN: true }),
    rhs: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 27, maxLength: 27 }),
    transpose: fc.boolean(),
  })
  .map(({ k, r, entries, leak, rhs, transpose }) => {
    const rows: [number, number][][] = Array.from({ length: k }, () => []);
    for (const [p, q, w] of entries) rows[p % k]!.push([q % k, w]);
    for (const row of rows) {
      const total = row.reduce((t, [, w]) => t + w, 0);
      const scale = total > 1 - leak ? (1 - leak) / total : 1;
      for (const e of row) e[1] *= scale;
    }
    return { k, r, rows, rhs: rhs.slice(0, k * r), transpose };
  });

describe('solvePiece', () => {
  it('solves (I − Q)X = B and its transpose, densely and by Gauss–Seidel, like plain elimination', SLOW, () => {
    fc.assert(
      fc.property(pieceArb, ({ k, r, rows, rhs, transpose }) => {
        const rowStart = new Int32Array(k + 1);
        const col: number[] = [];
        const weight: number[] = [];
        rows.forEach((row, p) => {
          for (const [q, w] of row) {
            col.push(q);
            weight.push(w);
          }
          rowStart[p + 1] = col.length;
        });
        const B = Array.from({ length: k }, (_, i) => rhs.slice(i * r, i * r + r));
        const expected = denseSolve(denseOf(k, rows, transpose), B).flat();
        for (const denseLimit of [300, 0]) {
          const x = Float64Array.from(rhs);
          solvePiece(k, rowStart, Int32Array.from(col), Float64Array.from(weight), x, r, {
            denseLimit,
            transpose,
            tolerance: 1e-14,
            maxSweeps: 100_000,
            who: 'test',
          });
          for (let i = 0; i < expected.length; i++)
            expect(Math.abs(x[i]! - expected[i]!)).toBeLessThanOrEqual(1e-11 * Math.max(1, Math.abs(expected[i]!)));
        }
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it('refuses a closed loop; a loop leaking 1e-12 is settled by the sparse solver, not by sweeps', () => {
    // Two members passing everything to each other: I − Q is singular.
    const rowStart = Int32Array.from([0, 1, 2]);
    const col = Int32Array.from([1, 0]);
    const weight = Float64Array.from([1, 1]);
    expect(() =>
      solvePiece(2, rowStart, col, weight, Float64Array.from([1, 0]), 1, {
        denseLimit: 300,
        tolerance: 1e-13,
        maxSweeps: 100,
        who: 'test',
      }),
    ).toThrow(/test: singular/);
    const a = 1 - 1e-12;
    const tight = Float64Array.from([a, a]);
    const options = { denseLimit: 0, tolerance: 1e-13, maxSweeps: 100, who: 'test' } as const;
    expect(() => solvePiece(2, rowStart, col, tight, Float64Array.from([1, 0]), 1, { ...options, sparse: 'sweeps' })).toThrow(
      /test: a cycle of 2 suppliers leaks too little supply to any source for its shares to be solved in 100 sweeps/,
    );
    // The sparse solver settles what the sweeps could not: x0 = 1 / (1 − a²), x1 = a·x0 (1 − a is exact in floating point).
    const x = Float64Array.from([1, 0]);
    solvePiece(2, rowStart, col, tight, x, 1, options);
    const x0 = 1 / ((1 - a) * (1 + a));
    expect(Math.abs(x[0]! / x0 - 1)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(x[1]! / (a * x0) - 1)).toBeLessThanOrEqual(1e-9);
  });
});

describe('solveDense and the sweep stop rule', () => {
  it('reports a singular system instead of answering', () => {
    expect(solveDense(Float64Array.from([1, 2, 2, 4]), Float64Array.from([1, 2]), 2, 1)).toBe(false);
    const rhs = Float64Array.from([3, 5]);
    expect(solveDense(Float64Array.from([2, 1, 1, 3]), rhs, 2, 1)).toBe(true);
    expect([...rhs].map((x) => Math.round(x * 1e12) / 1e12)).toEqual([0.8, 1.4]);
  });

  it('stops only when the change and the error it implies are small', () => {
    expect(sweepsConverged(1e-16, 1, 1e-12)).toBe(true); // rounding
    expect(sweepsConverged(1e-13, 2e-13, 1e-12)).toBe(true); // halves each sweep: 1e-13 left
    expect(sweepsConverged(1e-13, 1.0001e-13, 1e-12)).toBe(false); // crawling: far more than 1e-12 left
    expect(sweepsConverged(1e-11, 1, 1e-12)).toBe(false);
  });

  it('solveSparse solves a diagonally dominant system from its right-hand side', () => {
    // x0·1 = 1 + 0.5 x1, x1·0.8 = 0.5 x0 → x0 = 1/(1 − 0.3125) = 1.4545…, x1 = 0.625 x0.
    const x = Float64Array.from([1, 0]);
    solveSparse(2, Int32Array.from([0, 1, 2]), Int32Array.from([1, 0]), Float64Array.from([0.5, 0.5]), Float64Array.from([1, 0.8]), x, 1, {
      tolerance: 1e-14,
      maxSweeps: 1000,
      who: 'test',
    });
    expect(x[0]).toBeCloseTo(1 / 0.6875, 12);
    expect(x[1]).toBeCloseTo(0.625 / 0.6875, 12);
  });
});
