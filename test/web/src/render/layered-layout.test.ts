/**
 * The layered layout: every node placed once in its column, columns left to right, no two nodes
 * on one spot, tall columns wrapped; and the barycentre sweeps untangle a crossing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COLUMN_GAP, layeredLayout } from '../../../../web/src/render/layered-layout.js';

describe('layeredLayout', () => {
  it('places every node once, by column, at distinct positions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 400 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 600 }),
        (columns, pairs) => {
          const nodes = columns.map((column, i) => ({ id: `n${i}`, column, sortKey: `k${(i * 7919) % 1000}` }));
          const edges = pairs.map(([a, b]) => ({ from: `n${a % nodes.length}`, to: `n${b % nodes.length}` }));
          const layout = layeredLayout(nodes, edges);
          expect(layout.nodes.size).toBe(nodes.length);
          expect(layout.columns.flat().sort()).toEqual(nodes.map((n) => n.id).sort());
          const spots = new Set([...layout.nodes.values()].map((p) => `${p.x},${p.y}`));
          expect(spots.size).toBe(nodes.length);
          for (const n of nodes) {
            const p = layout.nodes.get(n.id)!;
            expect(p.column).toBe(n.column);
            expect(layout.columns[n.column]).toContain(n.id);
            expect(p.x).toBeGreaterThanOrEqual(layout.columnX[n.column]!);
            if (n.column + 1 < layout.columnX.length) expect(p.x).toBeLessThan(layout.columnX[n.column + 1]!);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('uncrosses two parallel chains drawn in the wrong order', () => {
    // a0 → a1 and b0 → b1, with the second column initially sorted the other way round.
    const layout = layeredLayout(
      [
        { id: 'a0', column: 0, sortKey: 'a' },
        { id: 'b0', column: 0, sortKey: 'b' },
        { id: 'a1', column: 1, sortKey: 'z' },
        { id: 'b1', column: 1, sortKey: 'y' },
      ],
      [
        { from: 'a0', to: 'a1' },
        { from: 'b0', to: 'b1' },
      ],
    );
    expect(layout.columns).toEqual([
      ['a0', 'b0'],
      ['a1', 'b1'],
    ]);
    expect(layout.nodes.get('a1')!.x).toBe(COLUMN_GAP);
  });

  it('wraps a column of 2,000 nodes into sub-columns', () => {
    const nodes = Array.from({ length: 2000 }, (_, i) => ({ id: `n${i}`, column: 1, sortKey: String(i) }));
    const layout = layeredLayout([{ id: 'root', column: 0, sortKey: '' }, ...nodes], []);
    const xs = new Set(nodes.map((n) => layout.nodes.get(n.id)!.x));
    expect(xs.size).toBeGreaterThan(1);
    expect(layout.height).toBeLessThan(2000 * 14);
  });
});
