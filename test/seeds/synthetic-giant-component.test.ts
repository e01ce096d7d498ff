/**
 * The generator's real-network shape (issue "Speed on real networks"): one giant strongly
 * connected component of companies, and networks without declared shares. Checked against an
 * SCC computation of its own (Kosaraju over the relationship rows), not the engine's.
 */
import { describe, expect, it } from 'vitest';
import type { Supplies } from '../../graph/model.js';
import { generateSyntheticColumns, generateSyntheticNetwork } from '../../seeds/synthetic/generate-synthetic.js';

/** The sizes of the strongly connected components of the graph of the given edges, largest first. */
function componentSizes(edges: readonly (readonly [string, string])[]): number[] {
  const out = new Map<string, string[]>();
  const into = new Map<string, string[]>();
  for (const [a, b] of edges) {
    for (const v of [a, b]) {
      if (!out.has(v)) out.set(v, []);
      if (!into.has(v)) into.set(v, []);
    }
    out.get(a)!.push(b);
    into.get(b)!.push(a);
  }
  // Kosaraju, iteratively: finishing order on the graph, then components on the reverse graph.
  const order: string[] = [];
  const seen = new Set<string>();
  for (const root of out.keys()) {
    if (seen.has(root)) continue;
    seen.add(root);
    const stack: [string, number][] = [[root, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = out.get(top[0])![top[1]++];
      if (next === undefined) {
        order.push(top[0]);
        stack.pop();
      } else if (!seen.has(next)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    }
  }
  const assigned = new Set<string>();
  const sizes: number[] = [];
  for (let i = order.length - 1; i >= 0; i--) {
    const root = order[i]!;
    if (assigned.has(root)) continue;
    assigned.add(root);
    let size = 0;
    const queue = [root];
    while (queue.length > 0) {
      const v = queue.pop()!;
      size++;
      for (const u of into.get(v)!) {
        if (!assigned.has(u)) {
          assigned.add(u);
          queue.push(u);
        }
      }
    }
    sizes.push(size);
  }
  return sizes.sort((a, b) => b - a);
}

describe('synthetic networks with a giant strongly connected component', () => {
  const giant = generateSyntheticNetwork({ companies: 5000, seed: 7, giantComponent: 0.9, shares: 'none' });
  const supplies = giant.relationships.filter((r): r is Supplies => r.type === 'SUPPLIES');

  it('joins at least the requested share of companies, and each metal layer is mostly one component', () => {
    expect(giant.stats.giantComponentCompanies).toBeGreaterThanOrEqual(0.9 * 5000 * 0.97);
    expect(giant.stats.backLinks).toBeGreaterThan(giant.stats.giantComponentCompanies);
    for (const metal of ['tin', 'tantalum', 'tungsten', 'gold'] as const) {
      const layer = supplies.filter((r) => r.metal === metal);
      const companies = new Set(layer.flatMap((r) => [r.from, r.to]).filter((id) => id.startsWith('syn-') && !id.startsWith('syn-sm-')));
      const [largest] = componentSizes(layer.map((r) => [r.from, r.to] as const));
      // The members that handle the metal are one component; the companies left out of it stay outside.
      expect(largest!, metal).toBeGreaterThanOrEqual(0.85 * companies.size);
    }
  });

  it('declares no share anywhere with shares "none"', () => {
    expect(supplies.every((r) => r.share === undefined)).toBe(true);
    expect(giant.stats.withoutShare).toBe(supplies.length);
  });

  it('has unique relationship keys and companies that still buy from smelters (the walk can leave the component)', () => {
    const keys = new Set(supplies.map((r) => `${r.from}>${r.to}>${r.metal}`));
    expect(keys.size).toBe(supplies.length);
    expect(giant.stats.smelterToCompany).toBeGreaterThan(0.5 * 5000);
  });

  it('leaves the network of the default options unchanged (the giant phase draws from its own PRNG)', () => {
    const plain = generateSyntheticColumns({ companies: 3000, seed: 3 });
    const zero = generateSyntheticColumns({ companies: 3000, seed: 3, giantComponent: 0, shares: 'mixed' });
    expect(zero.edgeCount).toBe(plain.edgeCount);
    expect(Buffer.from(zero.edgeFrom.buffer).equals(Buffer.from(plain.edgeFrom.buffer))).toBe(true);
    expect(Buffer.from(zero.edgeShare.buffer).equals(Buffer.from(plain.edgeShare.buffer))).toBe(true);
    expect(plain.stats.giantComponentCompanies).toBe(0);
    // With shares 'none' the same relationships, only without shares.
    const unshared = generateSyntheticColumns({ companies: 3000, seed: 3, shares: 'none' });
    expect(Buffer.from(unshared.edgeTo.buffer).equals(Buffer.from(plain.edgeTo.buffer))).toBe(true);
    expect([...unshared.edgeShare].every(Number.isNaN)).toBe(true);
  });

  it('is a shape of the generator, not a DAG with a few loops: without the option the largest component is small', () => {
    const plain = generateSyntheticNetwork({ companies: 5000, seed: 7 });
    const tin = plain.relationships.filter((r): r is Supplies => r.type === 'SUPPLIES' && r.metal === 'tin');
    expect(componentSizes(tin.map((r) => [r.from, r.to] as const))[0]).toBeLessThan(0.02 * 5000);
  });

  it('rejects a share outside 0..1 and an unknown shares mode', () => {
    expect(() => generateSyntheticColumns({ companies: 10, seed: 1, giantComponent: 1.5 })).toThrow(/giantComponent/);
    expect(() => generateSyntheticColumns({ companies: 10, seed: 1, giantComponent: Number.NaN })).toThrow(/giantComponent/);
    expect(() => generateSyntheticColumns({ companies: 10, seed: 1, shares: 'some' as 'none' })).toThrow(/shares/);
  });
});
