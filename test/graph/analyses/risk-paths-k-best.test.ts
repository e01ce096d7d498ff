/**
 * The k-best-paths kernel behind risk paths on graphs of its own (factors need not be shares of
 * one intake, so walks through cycles can keep their value): against exhaustive enumeration, and
 * its exact inverse of one rounded step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kBestProductPaths, leastInputReaching, type PathSearchWork, type ProductPathGraph } from '../../../graph/topology/k-best-paths.js';

/** A graph from [from, to, weight] steps over n nodes; ends with their end factors. */
function graphOf(n: number, steps: Array<[number, number, number]>, ends: Map<number, number>, decay = 1): ProductPathGraph {
  const sorted = [...steps].sort((a, b) => a[0] - b[0]);
  const offsets = new Uint32Array(n + 1);
  for (const [from] of sorted) offsets[from + 1]!++;
  for (let v = 0; v < n; v++) offsets[v + 1]! += offsets[v]!;
  const endFactor = new Float64Array(n);
  const hopsToEnd = new Uint8Array(n).fill(1); // a lower bound is all the search needs
  for (const [v, f] of ends) {
    endFactor[v] = f;
    hopsToEnd[v] = 0;
  }
  return {
    offsets,
    targets: Uint32Array.from(sorted.map((x) => x[1])),
    weights: Float64Array.from(sorted.map((x) => x[2])),
    decay,
    endFactor,
    hopsToEnd,
  };
}

function exhaustive(g: ProductPathGraph, start: number, maxHops: number): Array<{ nodes: number[]; weight: number }> {
  const out: Array<{ nodes: number[]; weight: number }> = [];
  const walk = (nodes: number[], prod: number): void => {
    const v = nodes[nodes.length - 1]!;
    if (nodes.length > 1 && g.hopsToEnd[v] === 0 && prod * g.endFactor[v]! > 0) out.push({ nodes, weight: prod * g.endFactor[v]! });
    if (nodes.length - 1 >= maxHops) return;
    for (let j = g.offsets[v]!; j < g.offsets[v + 1]!; j++) {
      const u = g.targets[j]!;
      if (!nodes.includes(u) && g.weights[j]! > 0) walk([...nodes, u], prod * (g.weights[j]! * g.decay));
    }
  };
  walk([start], 1);
  return out.sort((a, b) => {
    if (a.weight !== b.weight) return b.weight - a.weight;
    for (let i = 0; i < Math.min(a.nodes.length, b.nodes.length); i++) if (a.nodes[i] !== b.nodes[i]) return a.nodes[i]! - b.nodes[i]!;
    return a.nodes.length - b.nodes.length;
  });
}

describe('kBestProductPaths', () => {
  it('takes the simple path when the smallest walk of the best weight goes round a cycle that keeps its value', () => {
    // 0 → 1 (0.5); 1 → 2 and 1 → 3 (1 each); 2 → 1 (1); 3 ends (1). The walk 0,1,2,1,3 weighs 0.5
    // and is lexicographically before 0,1,3, but it is not a path.
    const g = graphOf(
      4,
      [
        [0, 1, 0.5],
        [1, 2, 1],
        [1, 3, 1],
        [2, 1, 1],
      ],
      new Map([[3, 1]]),
    );
    expect(kBestProductPaths(g, 0, 5, 6)).toEqual([{ nodes: [0, 1, 3], weight: 0.5 }]);
  });

  it('never ends at the start, and counts its work', () => {
    const g = graphOf(
      2,
      [
        [0, 1, 1],
        [1, 0, 1],
      ],
      new Map([
        [0, 1],
        [1, 0.5],
      ]),
    );
    const work: PathSearchWork = { spurSearches: 0, statesSettled: 0, stepsScanned: 0 };
    expect(kBestProductPaths(g, 0, 3, 3, work)).toEqual([{ nodes: [0, 1], weight: 0.5 }]);
    expect(work.spurSearches).toBeGreaterThan(0);
    expect(work.spurSearches).toBeLessThanOrEqual(3 * 4);
  });

  it('equals exhaustive enumeration on random graphs with cycles whose factors are not shares', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 7 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(0.3, 0.5, 0.7, 0.9, 1)), { maxLength: 30 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(0.5, 0.9, 1)), { maxLength: 4 }),
        fc.integer({ min: 1, max: 15 }),
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom(0.8, 1),
        (n, rawSteps, rawEnds, limit, maxHops, decay) => {
          const seen = new Set<string>();
          const steps: Array<[number, number, number]> = [];
          for (const [a, b, w] of rawSteps) {
            const key = `${a % n}>${b % n}`;
            if (a % n !== b % n && !seen.has(key)) {
              seen.add(key);
              steps.push([a % n, b % n, w]);
            }
          }
          const g = graphOf(n, steps, new Map(rawEnds.map(([v, f]) => [v % n, f])), decay);
          const work: PathSearchWork = { spurSearches: 0, statesSettled: 0, stepsScanned: 0 };
          expect(kBestProductPaths(g, 0, limit, maxHops, work)).toEqual(exhaustive(g, 0, maxHops).slice(0, limit));
          expect(work.spurSearches).toBeLessThanOrEqual(limit * (maxHops + 1));
          expect(work.stepsScanned).toBeLessThanOrEqual(work.spurSearches * (maxHops + 3) ** 2 * Math.max(1, steps.length));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('leastInputReaching', () => {
  const prevFloat = (x: number): number => {
    const a = new Float64Array([x]);
    const b = new BigUint64Array(a.buffer);
    b[0]! -= 1n;
    return a[0]!;
  };
  it('is the least float p with fl(p·f) ≥ t', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 1, noNaN: true }), fc.double({ min: 1e-12, max: 1, noNaN: true }), (t, f) => {
        const p = leastInputReaching(t, f);
        expect(p === Infinity).toBe(f < t);
        if (p === Infinity) return;
        expect(p).toBeLessThanOrEqual(1);
        expect(p * f).toBeGreaterThanOrEqual(t);
        expect(prevFloat(p) * f).toBeLessThan(t);
      }),
      { numRuns: 2000 },
    );
    expect(leastInputReaching(0.5, 1)).toBe(0.5);
    expect(leastInputReaching(0.9, 0.5)).toBe(Infinity);
    expect(leastInputReaching(Infinity, 0.5)).toBe(Infinity);
  });
});
