/**
 * The dominator tree over a layer's compact in-adjacency (Int32Array sources, the layer's own
 * nodes) is the tree over the in-CSR by node index, renumbered: what the benchmark times.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dominatorTree } from '../../../graph/topology/dominator-tree.js';
import type { GraphNodeInput } from '../../../graph/model.js';
import { allowedSupplies, snapshotOf, type RandomEdge } from '../graph-builders.js';

const SLOW = { timeout: 60_000 };

describe('dominatorTree on a layer compact ids', () => {
  it('equals the tree over node indices, renumbered', SLOW, () => {
    const arb = fc.record({
      companies: fc.integer({ min: 2, max: 12 }),
      edges: fc.array(fc.record({ from: fc.nat(), to: fc.nat() }), { maxLength: 40 }),
      root: fc.nat(),
    });
    fc.assert(
      fc.property(arb, ({ companies, edges, root }) => {
        const nodes = Array.from(
          { length: companies },
          (_, i): GraphNodeInput => ({ label: 'Company', id: `c${i}`, name: `c${i}`, country: 'JP' }),
        );
        const relationships = allowedSupplies(nodes, edges as RandomEdge[]);
        if (relationships.length === 0) return;
        const s = snapshotOf(nodes, relationships);
        const layer = s.layers.get('tin')!;
        const k = layer.nodes.length;
        const r = layer.nodes[root % k]!;
        const byIndex = dominatorTree(s.nodeCount, layer.inOffsets, layer.inSources, r);
        const compact = dominatorTree(k, layer.compactOffsets, layer.compactSources, layer.compactOf[r]!);
        for (let c = 0; c < k; c++) {
          const d = compact[c]!;
          expect(d < 0 ? -1 : layer.nodes[d]).toBe(byIndex[layer.nodes[c]!]);
        }
      }),
      { numRuns: 200, seed: 13 },
    );
  });
});
