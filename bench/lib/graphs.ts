/**
 * The graphs of a run. Full: 1M nodes / ~5M SUPPLIES (LOCATED_IN off, as the brief for that size
 * says, to save memory) and 100k nodes, and the real-network shape at 50k and 1M nodes: 90% of the
 * companies in one giant strongly connected component, no shares declared (the generator's
 * giantComponent and shares options; real company networks link customers and suppliers both
 * ways). Quick: 100k, 20k and the 50k giant. Company counts are chosen so that nodes = companies
 * + 50 countries + 300 smelters × 4 metals come out round.
 */
import type { GraphSpec } from './types.js';

const FIXED_NODES = 50 + 300 * 4;

export const GRAPH_1M: GraphSpec = {
  label: '1M',
  companies: 1_000_000 - FIXED_NODES,
  seed: 1,
  locatedIn: false,
  heapMb: 12_288,
  minCutBaseline: false,
};
export const GRAPH_100K: GraphSpec = {
  label: '100k',
  companies: 100_000 - FIXED_NODES,
  seed: 1,
  locatedIn: true,
  heapMb: 4096,
  minCutBaseline: true,
};
export const GRAPH_20K: GraphSpec = {
  label: '20k',
  companies: 20_000 - FIXED_NODES,
  seed: 1,
  locatedIn: true,
  heapMb: 2048,
  minCutBaseline: true,
};

export const GRAPH_GIANT_50K: GraphSpec = {
  label: '50k-giant',
  companies: 50_000 - FIXED_NODES,
  seed: 1,
  locatedIn: true,
  heapMb: 4096,
  minCutBaseline: false,
  giantComponent: 0.9,
  shares: 'none',
};
export const GRAPH_GIANT_1M: GraphSpec = {
  ...GRAPH_1M,
  label: '1M-giant',
  giantComponent: 0.9,
  shares: 'none',
};

export function graphsFor(quick: boolean): GraphSpec[] {
  return quick ? [GRAPH_100K, GRAPH_20K, GRAPH_GIANT_50K] : [GRAPH_1M, GRAPH_100K, GRAPH_GIANT_50K, GRAPH_GIANT_1M];
}

/** The metal every per-metal case and baseline runs on. */
export const BENCH_METAL = 'tin' as const;
