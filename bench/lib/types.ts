/**
 * The vocabulary of the benchmark harness: graphs, cases, measurements and result rows.
 *
 * A case is a small module in bench/cases/ exporting a `BenchCase`; bench/cases/index.ts lists
 * them. The worker (bench/worker.ts) runs every case on every graph in its own child process and
 * hands back `CaseResult`s; bench/run.ts attaches the baselines and prints the table.
 */
import type { GraphNode, Metal, Relationship } from '../../graph/model.js';
import type { ScanColumns } from '../../graph/scan-columns.js';
import type { Snapshot } from '../../graph/snapshot.js';

/** One synthetic graph of the run. */
export interface GraphSpec {
  /** Short label used in result names, e.g. "1M", "100k". */
  label: string;
  companies: number;
  seed: number;
  locatedIn: boolean;
  /** Heap for the worker child (MB). */
  heapMb: number;
  /** Run networkx's minimum_node_cut on this graph (slow in Python: only the ~100k graph). */
  minCutBaseline: boolean;
  /** The generator's giantComponent option (share of companies in one strongly connected component; default 0). */
  giantComponent?: number;
  /** The generator's shares option (default 'mixed'). */
  shares?: 'mixed' | 'none';
}

export type Better = 'lower' | 'higher';

/** One figure as stored in bench/results/latest.json. */
export interface ResultRow {
  name: string;
  value: number;
  unit: string;
  /** null for figures without a target (informational). */
  target: number | null;
  better: Better;
  baseline?: { networkx?: number; graphology?: number };
  /** Spread over the repetitions (same unit as value; value is the median). */
  min?: number;
  max?: number;
  reps?: number;
  graph?: string;
  note?: string;
}

/** A case's answer: a row plus the key under which baselines measured the same question. */
export interface CaseResult extends Omit<ResultRow, 'baseline' | 'graph'> {
  baselineKey?: string;
}

export interface Timing {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export interface BenchContext {
  graph: GraphSpec;
  quick: boolean;
  /** The metal every per-metal case runs on. */
  metal: Metal;
  /**
   * The generated network as a columnar scan (graph/scan-columns.ts), and as the row objects a
   * store's scan() returns (made on first call, ~1 GB at 1M nodes). Available to cases of phase
   * "scan" only (dropped before the "snapshot" phase to measure memory).
   */
  scan?: { columns: ScanColumns; rows(): { version: number; nodes: readonly GraphNode[]; relationships: readonly Relationship[] } };
  /** Set by the snapshot-compile case; available to every case of phase "snapshot". */
  snapshot?: Snapshot;
  /** Node index of "the" focal company (syn-focal-1). */
  focal: number;
  /** Company with the largest upstream in `metal` among the focal companies (node index). */
  largestUpstream: number;
  /** Answers worth comparing with the baselines' (e.g. a connectivity), by baseline key. */
  checks: Record<string, number>;
  /** Time a function: median over repetitions (see lib/measure.ts). */
  time(fn: () => unknown, options?: { reps?: number; budgetMs?: number }): Timing;
}

export interface BenchCase {
  /** Kebab-case id; also the start of the result names. */
  id: string;
  /** "scan": runs while the generated objects exist (compiling); "snapshot": runs on the compiled snapshot. */
  phase: 'scan' | 'snapshot';
  run(ctx: BenchContext): CaseResult[] | Promise<CaseResult[]>;
}
