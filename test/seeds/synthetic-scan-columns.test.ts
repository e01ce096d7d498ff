/**
 * The synthetic network as a columnar scan (syntheticScanColumns) compiles to exactly the snapshot
 * its row objects compile to, so the benchmark's compile from columns measures the same snapshot
 * a store scan would give.
 */
import { describe, expect, it } from 'vitest';
import { compileSnapshot, compileSnapshotFromColumns } from '../../graph/snapshot.js';
import {
  generateSyntheticColumns,
  materializeSynthetic,
  syntheticNode,
  syntheticScanColumns,
} from '../../seeds/synthetic/generate-synthetic.js';

describe('syntheticScanColumns', () => {
  for (const locatedIn of [true, false]) {
    it(`compiles to the snapshot of the row objects (LOCATED_IN ${locatedIn ? 'on' : 'off'})`, { timeout: 60_000 }, () => {
      const g = generateSyntheticColumns({ companies: 3000, seed: 17, locatedIn });
      const fromRows = compileSnapshot({ version: 4, ...materializeSynthetic(g) });
      const fromColumns = compileSnapshotFromColumns(syntheticScanColumns(g, 4));
      expect(fromColumns).toEqual(fromRows);
      expect([...fromColumns.layers.values()].some((layer) => layer.cyclicBlocks.length > 0)).toBe(true); // the network has cycles
    });
  }

  it('names nodes as the row objects do', () => {
    const g = generateSyntheticColumns({ companies: 500, seed: 2 });
    const columns = syntheticScanColumns(g);
    for (let i = 0; i < g.nodeCount; i++) expect(columns.nodes.names[i]).toBe(syntheticNode(g, i).name);
    expect(columns.version).toBe(1);
  });
});
