/**
 * The graphs of a run. Full: 1M nodes / ~5M SUPPLIES (LOCATED_IN off, as the brief for that size
 * says, to save memory) and 100k nodes. Quick: 100k and 20k. Company counts are chosen so that
 * nodes = companies + 50 countries + 300 smelters × 4 metals come out round.
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

export function graphsFor(quick: boolean): GraphSpec[] {
  return quick ? [GRAPH_100K, GRAPH_20K] : [GRAPH_1M, GRAPH_100K];
}

/** The metal every per-metal case and baseline runs on. */
export const BENCH_METAL = 'tin' as const;
