/**
 * Vertex connectivity between one node and a set of nodes (the redundancy of single points of failure): the least number of nodes
 * whose failure cuts the source off from every sink, with one such minimum set. General: integer
 * CSR adjacency in, integer node indices out.
 *
 * Max-flow with node splitting: every node v becomes v_in → v_out with capacity 1 (the source's own
 * arc is unbounded: it cannot fail), every edge u → v becomes u_out → v_in with unbounded capacity
 * (edges do not fail, so a minimum cut only ever crosses node arcs), and a virtual super-sink T
 * takes sink_out → T, unbounded. Sinks keep their unit arc: losing a sink node is a failure like
 * any other, so a sink may be in the cut.
 *
 * The split graph is never built: its residual arcs are derived on the fly from one array,
 * `feeder[v]` = the node whose flow enters v (−1 when v carries none). With unit node capacities a
 * flow is a set of node-disjoint paths, so each node has at most one feeder, and that says
 * everything: v's node arc is saturated iff it has a feeder, and the only edge into v carrying
 * flow is feeder[v] → v. Dinic's algorithm (BFS levels, blocking flow by iterative DFS with current
 * arcs) then needs O(√n) phases on such unit networks whatever the connectivity, each one pass
 * over the edges, which keeps a large connectivity affordable on a 1M-node graph.
 */

export interface VertexCutOptions {
  /**
   * Stop once the connectivity is known to exceed this: the answer is then the lower bound
   * `limit + 1`, with `capped: true` and no cut. Default: no limit.
   */
  limit?: number;
}

export interface VertexCut {
  /**
   * The least number of nodes (the source never among them) whose removal leaves no path from the
   * source to any sink. 0 when no sink is reachable; `Infinity` when the source is itself a sink
   * (no failure of other nodes can separate a node from itself).
   */
  connectivity: number;
  /** One minimum set of such nodes, ascending by index; empty when capped or infinite. */
  cut: number[];
  /** True when the search stopped at `limit`: `connectivity` is then a lower bound. */
  capped: boolean;
}

/**
 * Minimum vertex cut between `source` and the set `sinks` (joined by a virtual super-sink) over
 * the edges `v → targets[offsets[v] .. offsets[v+1])`. Deterministic: the cut returned is the one
 * nearest the source (the nodes whose in-side the source still reaches after a maximum flow).
 */
export function minimumVertexCut(
  n: number,
  offsets: Uint32Array,
  targets: Uint32Array,
  source: number,
  sinks: Uint32Array | readonly number[],
  options: VertexCutOptions = {},
): VertexCut {
  const limit = checkCutRequest(n, offsets, targets, source, options);
  const isSink = sinkMask(n, sinks);
  if (isSink[source]) return { connectivity: Number.POSITIVE_INFINITY, cut: [], capped: false };
  const flow = new SplitGraphFlow(n, offsets, targets, source, isSink);
  const units = flow.maximum(limit);
  if (units > limit) return { connectivity: units, cut: [], capped: true };
  return { connectivity: units, cut: flow.cutNearestSource(), capped: false };
}

/** Checks the graph and the request; returns the limit (∞ when none). */
function checkCutRequest(n: number, offsets: Uint32Array, targets: Uint32Array, source: number, options: VertexCutOptions): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`node count must be a non-negative integer, got ${n}`);
  if (offsets.length !== n + 1) throw new RangeError(`offsets must have n + 1 = ${n + 1} entries, got ${offsets.length}`);
  if (offsets[n]! > targets.length) throw new RangeError(`offsets[n] = ${offsets[n]} exceeds the ${targets.length} targets`);
  if (!Number.isInteger(source) || source < 0 || source >= n) throw new RangeError(`source ${source} is not a node index in [0, ${n})`);
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (Number.isNaN(limit) || limit < 0 || (Number.isFinite(limit) && !Number.isInteger(limit))) {
    throw new RangeError(`limit must be a non-negative integer, got ${options.limit}`);
  }
  for (let j = 0, end = offsets[n]!; j < end; j++) {
    if (targets[j]! >= n) throw new RangeError(`target ${targets[j]} at position ${j} is not a node index in [0, ${n})`);
  }
  return limit;
}

function sinkMask(n: number, sinks: Uint32Array | readonly number[]): Uint8Array {
  const isSink = new Uint8Array(n);
  for (let i = 0; i < sinks.length; i++) {
    const t = sinks[i]!;
    if (!Number.isInteger(t) || t < 0 || t >= n) throw new RangeError(`sink ${t} is not a node index in [0, ${n})`);
    isSink[t] = 1;
  }
  return isSink;
}

/**
 * Unit-capacity maximum flow (Dinic) from the source to the super-sink over the split graph:
 * states v_in = 2v, v_out = 2v + 1, T = 2n; the source starts at its out-state, its in-state is
 * never used. A node's arc in → out carries one unit; `feeder[v]` is the node whose edge feeds v
 * (−1: v is free).
 */
class SplitGraphFlow {
  private readonly T: number;
  private readonly S: number;
  private readonly level: Int32Array;
  private readonly queue: Int32Array;
  private readonly feeder: Int32Array;
  /** Current arc of each out-state, 0 .. degree + 1. */
  private readonly cursor: Uint32Array;
  private readonly stack: Int32Array;
  private queued = 0;

  constructor(
    n: number,
    private readonly offsets: Uint32Array,
    private readonly targets: Uint32Array,
    private readonly source: number,
    private readonly isSink: Uint8Array,
  ) {
    this.T = 2 * n;
    this.S = 2 * source + 1;
    this.level = new Int32Array(2 * n + 1).fill(-1);
    this.queue = new Int32Array(2 * n + 1);
    this.feeder = new Int32Array(n).fill(-1);
    this.cursor = new Uint32Array(n);
    this.stack = new Int32Array(2 * n + 1);
  }

  /** Augments phase by phase until T is unreached, or past `limit` units; returns the units pushed. */
  maximum(limit: number): number {
    const { stack, level, S, T } = this;
    let flow = 0;
    while (this.labelLevels()) {
      let depth = 0;
      stack[depth++] = S;
      while (depth > 0) {
        const x = stack[depth - 1]!;
        if (x === T) {
          this.augment(depth);
          flow++;
          if (flow > limit) return flow;
          depth = 0;
          stack[depth++] = S;
          continue;
        }
        const y = this.nextArc(x);
        if (y >= 0) {
          stack[depth++] = y;
        } else {
          level[x] = -1; // dead for the rest of this phase
          depth--;
        }
      }
    }
    return flow;
  }

  /**
   * After the last BFS (T unreached), the labelled states are the source side of a minimum cut:
   * the cut nodes are those whose in-state is on that side and whose out-state is not.
   */
  cutNearestSource(): number[] {
    const { queue, level } = this;
    const cut: number[] = [];
    for (let i = 0; i < this.queued; i++) {
      const x = queue[i]!;
      if ((x & 1) === 0 && level[x + 1]! < 0) cut.push(x >> 1);
    }
    return cut.sort((a, b) => a - b);
  }

  /**
   * BFS over the residual split graph from S. Stops past T's level: deeper states cannot lie on a
   * shortest augmenting path. Returns whether T was reached; `queue[0 .. queued)` are the states labelled.
   */
  private labelLevels(): boolean {
    const { level, queue, feeder, cursor, offsets, targets, isSink, source, S, T } = this;
    for (let i = 0; i < this.queued; i++) level[queue[i]!] = -1;
    level[T] = -1;
    let head = 0;
    let queued = 0;
    level[S] = 0;
    queue[queued++] = S;
    let levelT = -1;
    while (head < queued) {
      const x = queue[head++]!;
      const lx = level[x]!;
      if (levelT >= 0 && lx >= levelT) break;
      const v = x >> 1;
      if ((x & 1) === 0) {
        // In-state: the node arc forward if v is free, else back along the edge that feeds v.
        const y = feeder[v]! < 0 ? x + 1 : 2 * feeder[v]! + 1;
        if (level[y]! < 0) {
          level[y] = lx + 1;
          queue[queued++] = y;
        }
        continue;
      }
      cursor[v] = 0;
      for (let j = offsets[v]!, end = offsets[v + 1]!; j < end; j++) {
        const w = targets[j]!;
        if (w === source || w === v) continue; // edges into the source or onto itself never help
        const y = 2 * w;
        if (level[y]! < 0) {
          level[y] = lx + 1;
          queue[queued++] = y;
        }
      }
      if (isSink[v] && levelT < 0) {
        levelT = lx + 1;
        level[T] = levelT;
      }
      if (v !== source && feeder[v]! >= 0 && level[x - 1]! < 0) {
        level[x - 1] = lx + 1; // back over v's saturated node arc
        queue[queued++] = x - 1;
      }
    }
    this.queued = queued;
    return levelT >= 0;
  }

  /** The next admissible arc out of state x (level + 1, residual), or −1 when x is a dead end. */
  private nextArc(x: number): number {
    const { level, feeder, cursor, offsets, targets, isSink, source, T } = this;
    const v = x >> 1;
    const next = level[x]! + 1;
    if ((x & 1) === 0) {
      const y = feeder[v]! < 0 ? x + 1 : 2 * feeder[v]! + 1;
      return level[y] === next ? y : -1;
    }
    const start = offsets[v]!;
    const degree = offsets[v + 1]! - start;
    for (let c = cursor[v]!; ; c++) {
      if (c < degree) {
        const w = targets[start + c]!;
        if (w !== source && w !== v && level[2 * w] === next) {
          cursor[v] = c;
          return 2 * w;
        }
      } else if (c === degree) {
        if (isSink[v] && level[T] === next) {
          cursor[v] = c;
          return T;
        }
      } else if (c === degree + 1) {
        if (v !== source && feeder[v]! >= 0 && level[x - 1] === next) {
          cursor[v] = c;
          return x - 1;
        }
      } else {
        cursor[v] = c;
        return -1;
      }
    }
  }

  /** Pushes one unit along stack[0 .. depth): S, …, T. */
  private augment(depth: number): void {
    const { stack, feeder } = this;
    for (let i = 0; i + 2 < depth; i++) {
      const a = stack[i]!;
      const b = stack[i + 1]!;
      if ((a & 1) === 1 && (b & 1) === 0) {
        const u = a >> 1;
        const w = b >> 1;
        // out → in: along an edge u → w (w now fed by u), or back over w's own node arc (w freed).
        feeder[w] = u === w ? -1 : u;
      }
      // in → out moves need no bookkeeping: a node arc forward follows an edge that already set the
      // feeder, and an edge walked backwards was replaced by that same step.
    }
  }
}
