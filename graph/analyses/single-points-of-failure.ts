/**
 * Single points of failure and redundancy of a company's supply of one metal (SPEC §2.5, §2.6, §3a).
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
import { LABEL_CODES, labelOf, type MetalLayer, type Snapshot } from '../snapshot.js';
import { dominatorTree } from './dominator-tree.js';
import { minimumVertexCut } from './vertex-connectivity.js';

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

/** Strongly connected pieces up to this size are solved by dense elimination, larger by Gauss–Seidel. */
const DENSE_LIMIT = 300;
/** Gauss–Seidel stops when its estimated remaining error is below this. */
const ITERATION_TOLERANCE = 1e-14;
/** A safety stop: only a piece that leaks almost nothing converges this slowly; then it is an error, not a guess. */
const MAX_SWEEPS = 100_000;
/** Intake described to within this of 1 is whole (rounding of shares); the same rule as the origin mix. */
const ROUNDING = 1e-12;

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
  const answer: SinglePointsOfFailureAnswer = { redundancy: cut.connectivity, singlePointsOfFailure: [], minimumCut, sourceCount: sources.length };
  if (cut.connectivity !== 1) return answer;

  // The sink's dominators, nearest the sink first, up to c (local 0, excluded).
  const idom = dominatorTree(size + 1, offsets, targets, 0);
  const chain: number[] = [];
  for (let d = idom[sink]!; d !== 0; d = idom[d]!) chain.push(d);
  chain.reverse(); // from c outwards: each one is passed before the next

  // Visit probabilities along the chain: the walk must pass d_i before d_{i+1}, so by the strong
  // Markov property at its first visit of d_i, P(visit d_{i+1}) = P(visit d_i) · P(reach d_{i+1} from d_i).
  const walk = new HittingProbabilities(size, offsets, targets, weights);
  const spofs = answer.singlePointsOfFailure;
  let share = 1;
  let from = 0;
  for (const d of chain) {
    if (share > 0) share *= walk.probability(from, d);
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
  const { inOffsets, inSources, inWeights, undisclosed } = layer;
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
      let total = undisclosed[v]!;
      for (let j = start; j < end; j++) if (inWeights[j]! > 0) total += inWeights[j]!;
      const scale = total > 1 - ROUNDING ? 1 / total : 1;
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
 * from start before the target. One pass of Tarjan's algorithm over them (relationships of weight 0
 * are not steps) solves each strongly connected piece as it closes, when everything it leads to
 * is solved. A piece with no weight leading out to a solved h > 0 (or to the target) cannot reach
 * the target: h = 0 there. Any other piece can, from each of its nodes, so its walk is transient
 * and its system I − Q is regular.
 */
class HittingProbabilities {
  private readonly h: Float64Array;
  private readonly indexOf: Int32Array;
  private readonly low: Int32Array;
  private readonly onStack: Uint8Array;
  private readonly visited: Int32Array;
  private readonly sccStack: Int32Array;
  private readonly callStack: Int32Array;
  private readonly cursor: Uint32Array;
  private readonly position: Int32Array;

  constructor(
    size: number,
    private readonly offsets: Uint32Array,
    private readonly targets: Uint32Array,
    private readonly weights: Float64Array,
  ) {
    this.h = new Float64Array(size);
    this.indexOf = new Int32Array(size).fill(-1);
    this.low = new Int32Array(size);
    this.onStack = new Uint8Array(size);
    this.visited = new Int32Array(size);
    this.sccStack = new Int32Array(size);
    this.callStack = new Int32Array(size);
    this.cursor = new Uint32Array(size);
    this.position = new Int32Array(size).fill(-1);
  }

  probability(start: number, target: number): number {
    const { offsets, targets, weights, indexOf, low, onStack, visited, sccStack, callStack, cursor, h } = this;
    let counter = 0;
    let sccTop = 0;
    let callTop = 0;
    const open = (v: number): void => {
      indexOf[v] = counter;
      low[v] = counter;
      visited[counter] = v;
      counter++;
      sccStack[sccTop++] = v;
      onStack[v] = 1;
      callStack[callTop++] = v;
      cursor[v] = offsets[v]!;
    };
    open(start);
    while (callTop > 0) {
      const v = callStack[callTop - 1]!;
      const j = cursor[v]!;
      if (j < offsets[v + 1]!) {
        cursor[v] = j + 1;
        const u = targets[j]!;
        if (u === target || !(weights[j]! > 0)) continue;
        if (indexOf[u]! < 0) open(u);
        else if (onStack[u] && indexOf[u]! < low[v]!) low[v] = indexOf[u]!;
        continue;
      }
      callTop--;
      if (callTop > 0) {
        const parent = callStack[callTop - 1]!;
        if (low[v]! < low[parent]!) low[parent] = low[v]!;
      }
      if (low[v] !== indexOf[v]) continue;
      if (sccStack[sccTop - 1] === v) {
        // A piece of one node, by far the most common: h(v) = Σ w h(u) / (1 − self-loop), no allocation.
        let sum = 0;
        let loop = 0;
        for (let k = offsets[v]!, end = offsets[v + 1]!; k < end; k++) {
          const w = weights[k]!;
          if (!(w > 0)) continue;
          const u = targets[k]!;
          if (u === target) sum += w;
          else if (u === v) loop += w;
          else sum += w * h[u]!;
        }
        h[v] = sum > 0 ? sum / (1 - loop) : 0;
        onStack[v] = 0;
        sccTop--;
        continue;
      }
      let first = sccTop;
      do first--;
      while (sccStack[first] !== v);
      this.solvePiece(sccStack.subarray(first, sccTop), target);
      for (let i = first; i < sccTop; i++) onStack[sccStack[i]!] = 0;
      sccTop = first;
    }
    const p = h[start]!;
    // Reset the scratch state of every node this call touched.
    for (let k = 0; k < counter; k++) {
      const v = visited[k]!;
      indexOf[v] = -1;
      h[v] = 0;
    }
    return p;
  }

  /** h on one strongly connected piece, everything it leads to being solved already. */
  private solvePiece(members: Int32Array, target: number): void {
    const { offsets, targets, weights, h, position } = this;
    const s = members.length;
    // Inside the piece: exactly its members (an edge out of a piece never reaches a node of an
    // unfinished piece, by the SCC property, so positions set here identify the members).
    const inside = (u: number): boolean => position[u]! >= 0;
    for (let i = 0; i < s; i++) position[members[i]!] = i;

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
        else if (!inside(u)) sum += w * h[u]!;
      }
      b[i] = sum;
      if (sum > 0) leadsOut = true;
    }
    if (!leadsOut) {
      // Closed towards the target: no member reaches it (h stays 0), and I − Q may well be singular.
      for (let i = 0; i < s; i++) position[members[i]!] = -1;
      return;
    }

    if (s <= DENSE_LIMIT) {
      // (I − Q) h = b by Gaussian elimination with partial pivoting.
      const a = new Float64Array(s * s);
      for (let i = 0; i < s; i++) {
        a[i * s + i] = 1;
        const v = members[i]!;
        for (let j = offsets[v]!; j < offsets[v + 1]!; j++) {
          const u = targets[j]!;
          if (weights[j]! > 0 && inside(u)) a[i * s + position[u]!]! -= weights[j]!;
        }
      }
      const x = solveDense(a, b, s);
      for (let i = 0; i < s; i++) h[members[i]!] = x[i]!;
    } else {
      // Gauss–Seidel from 0 rises monotonically to the solution (Q ≥ 0, spectral radius < 1). Stop
      // when the geometric tail of the remaining updates, estimated from their ratio, is negligible.
      const x = new Float64Array(s);
      let previous = Number.POSITIVE_INFINITY;
      for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
        let change = 0;
        let scale = 0;
        for (let i = 0; i < s; i++) {
          const v = members[i]!;
          let sum = b[i]!;
          let loop = 0;
          for (let j = offsets[v]!; j < offsets[v + 1]!; j++) {
            const u = targets[j]!;
            const w = weights[j]!;
            if (w <= 0 || !inside(u)) continue;
            if (u === v) loop += w;
            else sum += w * x[position[u]!]!;
          }
          const next = sum / (1 - loop);
          const delta = Math.abs(next - x[i]!);
          if (delta > change) change = delta;
          if (next > scale) scale = next;
          x[i] = next;
        }
        if (change === 0) break;
        const ratio = change / previous; // meaningless on the first sweep (previous is infinite)
        previous = change;
        if (sweep >= 2 && ratio < 1 && (change * ratio) / (1 - ratio) <= ITERATION_TOLERANCE * Math.max(1, scale)) break;
        if (sweep === MAX_SWEEPS - 1) {
          throw new Error(`single points of failure: a cycle of ${s} suppliers leaks too little supply for its shares to be solved in ${MAX_SWEEPS} sweeps`);
        }
      }
      for (let i = 0; i < s; i++) h[members[i]!] = x[i]!;
    }
    for (let i = 0; i < s; i++) position[members[i]!] = -1;
  }
}

/** Solve a·x = b (a row-major s×s, overwritten) by Gaussian elimination with partial pivoting. */
function solveDense(a: Float64Array, b: Float64Array, s: number): Float64Array {
  const x = Float64Array.from(b);
  for (let col = 0; col < s; col++) {
    let pivot = col;
    let best = Math.abs(a[col * s + col]!);
    for (let r = col + 1; r < s; r++) {
      const m = Math.abs(a[r * s + col]!);
      if (m > best) {
        best = m;
        pivot = r;
      }
    }
    if (pivot !== col) {
      for (let k = 0; k < s; k++) {
        const t = a[col * s + k]!;
        a[col * s + k] = a[pivot * s + k]!;
        a[pivot * s + k] = t;
      }
      const t = x[col]!;
      x[col] = x[pivot]!;
      x[pivot] = t;
    }
    const d = a[col * s + col]!;
    for (let r = col + 1; r < s; r++) {
      const f = a[r * s + col]! / d;
      if (f === 0) continue;
      for (let k = col; k < s; k++) a[r * s + k]! -= f * a[col * s + k]!;
      x[r]! -= f * x[col]!;
    }
  }
  for (let r = s - 1; r >= 0; r--) {
    let sum = x[r]!;
    for (let k = r + 1; k < s; k++) sum -= a[r * s + k]! * x[k]!;
    x[r] = sum / a[r * s + r]!;
  }
  return x;
}
