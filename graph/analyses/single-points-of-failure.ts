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
 * are what the data says is known. Structure decides who is a single
 * point of failure (a relationship with an effective weight of 0 still is a path); the weights
 * decide its `share`.
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
/** A safety stop: only a piece that leaks almost nothing converges this slowly. */
const MAX_SWEEPS = 100_000;

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

  // The sink's dominators, nearest the sink first, stop at c (local 0).
  const idom = dominatorTree(size + 1, offsets, targets, 0);
  const chain: number[] = [];
  for (let d = idom[sink]!; d !== 0; d = idom[d]!) chain.push(d);
  chain.reverse(); // from c outwards: each one is passed before the next

  // Visit probabilities along the chain: the walk must pass d_i before d_{i+1}, so by the strong
  // Markov property at its first visit of d_i, P(visit d_{i+1}) = P(visit d_i) · P(reach d_{i+1} from d_i).
  const walk = new HittingProbabilities(size, offsets, targets, weights);
  const spofs: SinglePointOfFailure[] = [];
  let share = 1;
  let from = 0;
  for (const d of chain) {
    if (share > 0) share *= walk.probability(from, d);
    from = d;
    const g = globalOf[d]!;
    spofs.push({ index: g, id: snapshot.ids[g]!, label: labelOf(snapshot, g), name: snapshot.names[g]!, share });
  }
  spofs.sort((a, b) => b.share - a.share || compareIds(a.id, b.id));

  const cut = minimumVertexCut(size + 1, offsets, targets, 0, sources);
  const minimumCut = cut.cut.map((v) => snapshot.ids[globalOf[v]!]!).sort(compareIds);
  return { redundancy: cut.connectivity, singlePointsOfFailure: spofs, minimumCut, sourceCount: sources.length };
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
  const localOf = new Int32Array(n).fill(-1);
  const order = new Int32Array(n);
  let size = 0;
  let edges = 0;
  let sourceCount = 0;
  localOf[c] = size;
  order[size++] = c;
  for (let head = 0; head < size; head++) {
    const v = order[head]!;
    if (isSource(snapshot, layer, v)) {
      sourceCount++;
      continue; // its own inputs, if any, are not followed
    }
    const start = inOffsets[v]!;
    const end = inOffsets[v + 1]!;
    edges += end - start;
    for (let j = start; j < end; j++) {
      const u = inSources[j]!;
      if (localOf[u]! < 0) {
        localOf[u] = size;
        order[size++] = u;
      }
    }
  }
  const offsets = new Uint32Array(size + 2);
  const targets = new Uint32Array(edges + sourceCount);
  const weights = new Float64Array(edges + sourceCount);
  const sources = new Uint32Array(sourceCount);
  let e = 0;
  let s = 0;
  for (let i = 0; i < size; i++) {
    const v = order[i]!;
    if (isSource(snapshot, layer, v)) {
      sources[s++] = i;
      targets[e++] = size; // to the virtual sink
    } else {
      for (let j = inOffsets[v]!, end = inOffsets[v + 1]!; j < end; j++) {
        targets[e] = localOf[inSources[j]!]!;
        weights[e] = inWeights[j]!;
        e++;
      }
    }
    offsets[i + 1] = e;
  }
  offsets[size + 1] = e;
  return { size, globalOf: order.slice(0, size), offsets, targets, weights, sources };
}

/**
 * P(the origin walk started at `start` ever reaches `target`) on the local graph. At node v the
 * walk steps to source u with probability w(u, v), and is absorbed with the rest (undisclosed
 * remainder, or v is a source). Exact with cycles: h(v) = Σ w(u, v) h(u), h(target) = 1, solved on
 * the nodes that can reach the target through positive weights (elsewhere h = 0, and on that set
 * every state is transient, so the system is regular), one strongly connected piece at a time in
 * the order Tarjan's algorithm closes them (each piece after everything it leads to).
 */
class HittingProbabilities {
  private readonly buyerOffsets: Uint32Array;
  private readonly buyers: Int32Array;
  private readonly forward: Uint8Array;
  private readonly relevant: Uint8Array;
  private readonly h: Float64Array;
  private readonly indexOf: Int32Array;
  private readonly low: Int32Array;
  private readonly onStack: Uint8Array;
  private readonly queue: Int32Array;
  private readonly sccStack: Int32Array;
  private readonly callStack: Int32Array;
  private readonly cursor: Uint32Array;
  private readonly position: Int32Array;

  constructor(
    private readonly size: number,
    private readonly offsets: Uint32Array,
    private readonly targets: Uint32Array,
    private readonly weights: Float64Array,
  ) {
    // Reverse of the positive-weight local edges (source → buyer), to find who can reach a target.
    this.buyerOffsets = new Uint32Array(size + 1);
    for (let v = 0; v < size; v++) {
      for (let j = offsets[v]!; j < offsets[v + 1]!; j++) {
        if (weights[j]! > 0 && targets[j]! < size) this.buyerOffsets[targets[j]! + 1]! += 1;
      }
    }
    for (let v = 0; v < size; v++) this.buyerOffsets[v + 1]! += this.buyerOffsets[v]!;
    this.buyers = new Int32Array(this.buyerOffsets[size]!);
    const fill = this.buyerOffsets.slice(0, size);
    for (let v = 0; v < size; v++) {
      for (let j = offsets[v]!; j < offsets[v + 1]!; j++) {
        if (weights[j]! > 0 && targets[j]! < size) this.buyers[fill[targets[j]!]!++] = v;
      }
    }
    this.forward = new Uint8Array(size);
    this.relevant = new Uint8Array(size);
    this.h = new Float64Array(size);
    this.indexOf = new Int32Array(size).fill(-1);
    this.low = new Int32Array(size);
    this.onStack = new Uint8Array(size);
    this.queue = new Int32Array(size);
    this.sccStack = new Int32Array(size);
    this.callStack = new Int32Array(size);
    this.cursor = new Uint32Array(size);
    this.position = new Int32Array(size).fill(-1);
  }

  probability(start: number, target: number): number {
    const { offsets, targets, weights, size, forward, relevant, queue } = this;
    // Nodes the walk can reach from start before target (target itself is not expanded).
    let count = 0;
    forward[start] = 1;
    queue[count++] = start;
    for (let head = 0; head < count; head++) {
      const v = queue[head]!;
      if (v === target) continue;
      for (let j = offsets[v]!; j < offsets[v + 1]!; j++) {
        const u = targets[j]!;
        if (u < size && weights[j]! > 0 && !forward[u]) {
          forward[u] = 1;
          queue[count++] = u;
        }
      }
    }
    const reached = forward[target] === 1;
    // Among them, those that can reach target: reverse search from target, kept inside that set.
    let relevantCount = 0;
    if (reached) {
      const list = this.sccStack; // scratch until the solve below
      relevant[target] = 1;
      list[relevantCount++] = target;
      for (let head = 0; head < relevantCount; head++) {
        const u = list[head]!;
        for (let j = this.buyerOffsets[u]!; j < this.buyerOffsets[u + 1]!; j++) {
          const v = this.buyers[j]!;
          if (forward[v] && !relevant[v] && v !== target) {
            relevant[v] = 1;
            list[relevantCount++] = v;
          }
        }
      }
    }
    const p = reached && relevant[start] ? this.solve(start, target) : 0;
    // Reset the scratch marks (only what was touched).
    for (let i = 0; i < count; i++) {
      const v = queue[i]!;
      forward[v] = 0;
      relevant[v] = 0;
      this.indexOf[v] = -1;
      this.h[v] = 0;
    }
    return p;
  }

  /** Tarjan's SCC algorithm from start over relevant nodes; each piece is solved as it closes. */
  private solve(start: number, target: number): number {
    const { offsets, targets, weights, relevant, indexOf, low, onStack, sccStack, callStack, cursor, h } = this;
    let counter = 0;
    let sccTop = 0;
    let callTop = 0;
    const open = (v: number): void => {
      indexOf[v] = counter;
      low[v] = counter;
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
        if (u === target || weights[j]! <= 0 || !relevant[u]) continue;
        if (indexOf[u]! < 0) open(u);
        else if (onStack[u] && indexOf[u]! < low[v]!) low[v] = indexOf[u]!;
        continue;
      }
      callTop--;
      if (callTop > 0) {
        const parent = callStack[callTop - 1]!;
        if (low[v]! < low[parent]!) low[parent] = low[v]!;
      }
      if (low[v] === indexOf[v]) {
        let first = sccTop;
        do first--;
        while (sccStack[first] !== v);
        this.solvePiece(sccStack.subarray(first, sccTop), target);
        for (let i = first; i < sccTop; i++) onStack[sccStack[i]!] = 0;
        sccTop = first;
      }
    }
    return h[start]!;
  }

  /** h on one strongly connected piece, everything it leads to being solved already. */
  private solvePiece(members: Int32Array, target: number): void {
    const { offsets, targets, weights, relevant, h, position } = this;
    const s = members.length;
    // Inside the piece: exactly its members (an edge out of a piece never reaches a node of an
    // unfinished piece, by the SCC property, so positions set here identify the members).
    const inside = (u: number): boolean => position[u]! >= 0;
    for (let i = 0; i < s; i++) position[members[i]!] = i;

    // Constant part: weight into the target, and into pieces already solved.
    const b = new Float64Array(s);
    for (let i = 0; i < s; i++) {
      const v = members[i]!;
      let sum = 0;
      for (let j = offsets[v]!; j < offsets[v + 1]!; j++) {
        const w = weights[j]!;
        if (w <= 0) continue;
        const u = targets[j]!;
        if (u === target) sum += w;
        else if (relevant[u] && !inside(u)) sum += w * h[u]!;
      }
      b[i] = sum;
    }

    if (s === 1) {
      const v = members[0]!;
      let loop = 0;
      for (let j = offsets[v]!; j < offsets[v + 1]!; j++) if (targets[j] === v) loop += weights[j]!;
      h[v] = b[0]! / (1 - loop);
    } else if (s <= DENSE_LIMIT) {
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
