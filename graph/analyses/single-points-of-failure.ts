/**
 * Single points of failure and redundancy of a company's supply of one metal (README, "The API in brief").
 *
 * The question is asked upstream, so the graph is the metal's supply graph reversed: edges go from
 * a buyer to its sources (the layer's in-adjacency), rooted at the company c. The sources are where
 * the origin walk of the origin mix ends: origin countries, recycled/scrap smelters (even those
 * with inputs: scrap keeps them supplied, and the origin mix absorbs there too, so their inputs are
 * not followed), and nodes with no known sources for the metal (in-degree 0 in the layer, origin
 * undisclosed). A virtual sink is reached from every source; then
 * - a single point of failure is a node (neither c nor the sink) that dominates the sink: every
 *   supply path from c to any source passes through it, including when it is itself the only
 *   source reached;
 * - the redundancy is the vertex connectivity between c and the sources: the least number of node
 *   failures (c excluded, sources included) that cut c off from every source, with one minimum cut.
 * So redundancy is 1 exactly when the list is not empty.
 *
 * A node with inputs stays a pass-through node even when part of its intake is undisclosed: paths
 * are what the data says is known. Structure decides who is a single point of failure (a
 * relationship with an effective weight of 0 still is a path); the weights decide its `share`.
 *
 * When c takes no part in the metal, or is a source itself (no sources for the metal: its origin is
 * undisclosed; or a country, or a recycled smelter), or none of its upstream reaches a source (only
 * closed loops), there is nothing to cut: redundancy 0, no single point of failure, an empty cut.
 */
import type { Metal, NodeLabel } from '../model.js';
import { LABEL_CODES, labelOf, type MetalLayer, type Snapshot, undisclosedOf } from '../snapshot.js';
import { clampShare, intakeScale } from '../share-rounding.js';
import { dominatorTree } from '../topology/dominator-tree.js';
import { SccScratch, stronglyConnectedComponents } from '../topology/strongly-connected.js';
import { solvePiece } from '../numerics/linear-solvers.js';
import { minimumVertexCut } from '../topology/vertex-connectivity.js';

export interface SinglePointOfFailure {
  /** Node index in the snapshot. */
  index: number;
  id: string;
  label: NodeLabel;
  name: string;
  /** The part of c's intake of the metal that passes through this node (probability the origin walk visits it). */
  share: number;
}

export interface SinglePointsOfFailureAnswer {
  /** Least number of node failures cutting c off from every source; 0 when c has no source. */
  redundancy: number;
  /** By share, highest first, then by id. */
  singlePointsOfFailure: SinglePointOfFailure[];
  /** One minimum set of node ids achieving `redundancy`, in id order. */
  minimumCut: string[];
  /** Distinct sources upstream of c (c itself not counted). */
  sourceCount: number;
}

/**
 * Strongly connected pieces up to 300 nodes are solved by dense elimination, larger ones by
 * Gauss–Seidel until the change of a sweep and the error it implies are below 1e-14; only a piece
 * that leaks almost nothing needs more than 100,000 sweeps, and then it is an error, not a guess.
 */
const PIECE_SOLVE = { denseLimit: 300, tolerance: 1e-14, maxSweeps: 100_000, who: 'single points of failure' } as const;

/**
 * The single points of failure of node c's supply of `metal`, their shares, the redundancy and one
 * minimum cut. Works on c's upstream only (compacted into a local graph), so the cost follows the
 * size of that upstream, not of the snapshot. Throws RangeError for a node index out of range.
 */
export function singlePointsOfFailure(snapshot: Snapshot, metal: Metal, c: number): SinglePointsOfFailureAnswer {
  if (!Number.isInteger(c) || c < 0 || c >= snapshot.nodeCount) {
    throw new RangeError(`company ${c} is not a node index in [0, ${snapshot.nodeCount})`);
  }
  const none: SinglePointsOfFailureAnswer = { redundancy: 0, singlePointsOfFailure: [], minimumCut: [], sourceCount: 0 };
  const layer = snapshot.layers.get(metal);
  if (layer === undefined || !layer.present[c] || isSource(snapshot, layer, c)) return none;

  const up = upstreamOf(snapshot, layer, c);
  if (up.sources.length === 0) return none;
  const { size, globalOf, offsets, targets, weights, sources } = up;
  const sink = size;

  // Redundancy first: a single point of failure exists exactly when it is 1, so the dominator
  // tree (the costlier step on a large upstream) is only built when it has something to find.
  const cut = minimumVertexCut(size + 1, offsets, targets, 0, sources);
  const minimumCut = cut.cut.map((v) => snapshot.ids[globalOf[v]!]!).sort(compareIds);
  const answer: SinglePointsOfFailureAnswer = {
    redundancy: cut.connectivity,
    singlePointsOfFailure: [],
    minimumCut,
    sourceCount: sources.length,
  };
  if (cut.connectivity !== 1) return answer;

  // The sink's dominators, nearest the sink first, up to c (local 0, excluded).
  const idom = dominatorTree(size + 1, offsets, targets, 0);
  const chain: number[] = [];
  for (let d = idom[sink]!; d !== 0; d = idom[d]!) chain.push(d);
  chain.reverse(); // from c outwards: each one is passed before the next

  // Visit probabilities along the chain: the walk must pass d_i before d_{i+1}, so by the strong
  // Markov property at its first visit of d_i, P(visit d_{i+1}) = P(visit d_i) · P(reach d_{i+1} from d_i).
  // Each probability is clamped into [0, 1]: a loop's visits can round to 1.0000000000000002.
  const walk = new HittingProbabilities(size, offsets, targets, weights);
  const spofs = answer.singlePointsOfFailure;
  let share = 1;
  let from = 0;
  for (const d of chain) {
    if (share > 0) share = clampShare(share * walk.probability(from, d));
    from = d;
    const g = globalOf[d]!;
    spofs.push({ index: g, id: snapshot.ids[g]!, label: labelOf(snapshot, g), name: snapshot.names[g]!, share });
  }
  spofs.sort((a, b) => b.share - a.share || compareIds(a.id, b.id));
  return answer;
}

/** Where the origin walk ends: no known sources, or a recycled/scrap smelter (countries have no sources). */
function isSource(snapshot: Snapshot, layer: MetalLayer, v: number): boolean {
  return layer.inOffsets[v] === layer.inOffsets[v + 1] || (snapshot.recycled[v] === 1 && snapshot.labels[v] === LABEL_CODES.Smelter);
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Upstream {
  size: number;
  /** Local index → snapshot index; local 0 is c. */
  globalOf: Int32Array;
  /** Local reversed supply graph (buyer → source) plus the virtual sink `size`, reached from every source. */
  offsets: Uint32Array;
  targets: Uint32Array;
  /** Effective weight of each local edge (0 on the edges into the sink). */
  weights: Float64Array;
  sources: Uint32Array;
}

/**
 * c's upstream as a compact local graph, so the work scales with c's upstream rather than the
 * whole snapshot. Local indices follow BFS discovery from c: deterministic.
 */
function upstreamOf(snapshot: Snapshot, layer: MetalLayer, c: number): Upstream {
  const n = snapshot.nodeCount;
  const { inOffsets, inSources, inWeights } = layer;
  // One pass: BFS pops nodes in local-index order, so each node's local edges are appended as it is
  // popped. localOf holds local + 1 (0 = not reached), so the n-sized array needs no fill.
  const localOf = new Int32Array(n);
  const order = new Int32Array(n);
  const offsets = new Uint32Array(n + 2);
  let capacity = 1024;
  let targets = new Uint32Array(capacity);
  let weights = new Float64Array(capacity);
  const sources: number[] = [];
  let size = 0;
  let e = 0;
  localOf[c] = ++size;
  order[0] = c;
  for (let head = 0; head < size; head++) {
    const v = order[head]!;
    const start = inOffsets[v]!;
    const end = inOffsets[v + 1]!;
    if (e + (end - start) + 1 > capacity) {
      while (e + (end - start) + 1 > capacity) capacity *= 2;
      const t = new Uint32Array(capacity);
      t.set(targets.subarray(0, e));
      targets = t;
      const w = new Float64Array(capacity);
      w.set(weights.subarray(0, e));
      weights = w;
    }
    if (isSource(snapshot, layer, v)) {
      // Its own inputs, if any, are not followed; its one edge, to the virtual sink, is set below.
      sources.push(head);
      e++;
    } else {
      // The origin mix's step rule: where shares and undisclosed remainder describe the whole intake
      // up to rounding, steps are divided by their total, so both answers walk the same chain.
      let total = undisclosedOf(layer, v);
      for (let j = start; j < end; j++) if (inWeights[j]! > 0) total += inWeights[j]!;
      const scale = intakeScale(total, end - start + 1);
      for (let j = start; j < end; j++) {
        const u = inSources[j]!;
        let local = localOf[u]!;
        if (local === 0) {
          order[size] = u;
          local = localOf[u] = ++size;
        }
        targets[e] = local - 1;
        weights[e] = inWeights[j]! > 0 ? inWeights[j]! * scale : 0;
        e++;
      }
    }
    offsets[head + 1] = e;
  }
  offsets[size + 1] = e; // the sink has no edges
  for (const i of sources) targets[offsets[i]!] = size;
  return {
    size,
    globalOf: order.subarray(0, size),
    offsets: offsets.subarray(0, size + 2),
    targets: targets.subarray(0, e),
    weights: weights.subarray(0, e),
    sources: Uint32Array.from(sources),
  };
}

/**
 * P(the origin walk started at `start` ever reaches `target`) on the local graph. At node v the
 * walk steps to source u with probability w(u, v), and is absorbed with the rest (undisclosed
 * remainder, or v is a source: sources have no walk edges). Exact with cycles: h is the least
 * non-negative solution of h(v) = Σ w(u, v) h(u), h(target) = 1, over the nodes the walk can reach
 * from start before the target. Their strongly connected pieces (steps of positive weight) are
 * solved in the order Tarjan completes them, each when everything it leads to is solved. A piece
 * with no weight leading out to a solved h > 0 (or to the target) cannot reach the target: h = 0
 * there. Any other piece can, from each of its nodes, so its walk is transient and its system
 * I − Q is regular.
 */
class HittingProbabilities {
  private readonly h: Float64Array;
  private readonly reached: Uint8Array;
  private readonly queue: Int32Array;
  /** The search's arrays, reused by every probability asked of this graph. */
  private readonly scratch = new SccScratch();

  constructor(
    private readonly size: number,
    private readonly offsets: Uint32Array,
    private readonly targets: Uint32Array,
    private readonly weights: Float64Array,
  ) {
    this.h = new Float64Array(size);
    this.reached = new Uint8Array(size);
    this.queue = new Int32Array(size);
  }

  probability(start: number, target: number): number {
    const { size, offsets, targets, weights, h, reached, queue } = this;
    // The nodes the walk reaches from start before the target (the sink, index `size`, is never one).
    let tail = 0;
    reached[start] = 1;
    queue[tail++] = start;
    for (let head = 0; head < tail; head++) {
      const v = queue[head]!;
      for (let j = offsets[v]!, end = offsets[v + 1]!; j < end; j++) {
        const u = targets[j]!;
        if (u === target || u >= size || reached[u] === 1 || !(weights[j]! > 0)) continue;
        reached[u] = 1;
        queue[tail++] = u;
      }
    }
    const pieces = stronglyConnectedComponents(size, offsets, targets, reached, weights, this.scratch);
    for (let p = 0; p < pieces.count; p++) {
      const members = pieces.members.subarray(pieces.starts[p]!, pieces.starts[p + 1]!);
      if (members.length === 1) {
        // A piece of one node, by far the most common: h(v) = Σ w h(u) / (1 − self-loop).
        const v = members[0]!;
        let sum = 0;
        let loop = 0;
        for (let j = offsets[v]!, end = offsets[v + 1]!; j < end; j++) {
          const w = weights[j]!;
          if (!(w > 0)) continue;
          const u = targets[j]!;
          if (u === target) sum += w;
          else if (u === v) loop += w;
          else if (u < size) sum += w * h[u]!;
        }
        h[v] = sum > 0 ? sum / (1 - loop) : 0;
      } else {
        this.solvePiece(members, pieces.componentOf, p, target);
      }
    }
    const answer = clampShare(h[start]!);
    // Reset the scratch state of every node this call touched.
    for (let i = 0; i < tail; i++) {
      const v = queue[i]!;
      reached[v] = 0;
      h[v] = 0;
    }
    return answer;
  }

  /** h on one strongly connected piece (p), everything it leads to being solved already. */
  private solvePiece(members: Int32Array, pieceOf: Int32Array, p: number, target: number): void {
    const { size, offsets, targets, weights, h } = this;
    const s = members.length;
    const position = new Map<number, number>();
    members.forEach((v, i) => position.set(v, i));
    const inside = (u: number): boolean => u < size && u !== target && pieceOf[u] === p;

    // Constant part: weight into the target, and into pieces already solved.
    const b = new Float64Array(s);
    let leadsOut = false;
    for (let i = 0; i < s; i++) {
      const v = members[i]!;
      let sum = 0;
      for (let j = offsets[v]!; j < offsets[v + 1]!; j++) {
        const w = weights[j]!;
        if (!(w > 0)) continue;
        const u = targets[j]!;
        if (u === target) sum += w;
        else if (u < size && !inside(u)) sum += w * h[u]!;
      }
      b[i] = sum;
      if (sum > 0) leadsOut = true;
    }
    // Closed towards the target: no member reaches it (h stays 0), and I − Q may well be singular.
    if (!leadsOut) return;

    // (I − Q) h = b over the piece's steps among its members.
    const rowStart = new Int32Array(s + 1);
    const col: number[] = [];
    const weight: number[] = [];
    for (let i = 0; i < s; i++) {
      const v = members[i]!;
      for (let j = offsets[v]!; j < offsets[v + 1]!; j++) {
        const u = targets[j]!;
        if (!(weights[j]! > 0) || !inside(u)) continue;
        col.push(position.get(u)!);
        weight.push(weights[j]!);
      }
      rowStart[i + 1] = col.length;
    }
    solvePiece(s, rowStart, Int32Array.from(col), Float64Array.from(weight), b, 1, PIECE_SOLVE);
    for (let i = 0; i < s; i++) h[members[i]!] = b[i]!;
  }
}
