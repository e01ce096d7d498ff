/**
 * Risk paths (SPEC §2 item 4): the top-k simple paths from a company upstream to high-risk
 * sources, ranked by path weight
 *
 *   weight = (w₁·d) · (w₂·d) · … · (w_h·d) · r(source)
 *
 * h the number of edges, w the effective shares along the path, d the policy's decay, r the
 * intrinsic risk of the path's last node. Floating point is evaluated in exactly this order:
 * each edge's factor fl(w·d) is multiplied into the running product from the company outwards,
 * and r last; a test oracle that multiplies in the same order gets the same bits.
 *
 * A high-risk source is a node whose intrinsic risk reaches policy.highRiskThreshold and that is a
 * CAHRA origin (a country on a list the policy counts), a smelter that is non_conformant,
 * not_enrolled or of unknown status (and not recycled), or a company. A path may run through
 * a high-risk node to a further one: every (path, high-risk end) pair counts. Paths of weight 0
 * (through an edge whose effective share is 0) carry no material and are left out, and so is the
 * empty path from the company to itself.
 *
 * How. Best-first search over path prefixes with a priority queue. Every factor is ≤ 1, so a
 * prefix's running product bounds the weight of every path that extends it (also in floating
 * point, where rounding is monotone): a complete path leaves the queue only when no prefix that
 * could still beat it is left, and the first `limit` complete paths to leave are the answer.
 * Prefixes that cannot reach the current k-th best weight are dropped, and so are prefixes with
 * no high-risk source within the depth they have left (distances from one breadth-first pass,
 * cached per layer, intrinsic-risk array and threshold/lists: reuse the same array, unmodified).
 * Ties: weight, then the lexicographically smaller sequence of node indices (a prefix before its
 * extensions); in the queue a prefix goes before a complete path of the same key so that no
 * equal-weight path with a smaller sequence is still unborn when one is output.
 */
import { type Metal, type NodeLabel, RMAP_STATUSES } from '../model.js';
import { LABEL_CODES, labelOf, type MetalLayer, type Snapshot } from '../snapshot.js';
import { isPolicyCahraCountry, type RiskPolicy, sharedIntrinsicRisk } from './risk-policy.js';

export interface RiskPathHop {
  index: number;
  id: string;
  label: NodeLabel;
  name: string;
  metal: Metal;
  /** The share of the previous hop's intake that comes from this node; 1 for the first hop (the company). */
  share: number;
}

export interface RiskPath {
  weight: number;
  hops: RiskPathHop[];
}

/** maxDepth counts edges; this keeps the parent-pointer walks and the answer small. */
export const MAX_RISK_PATH_DEPTH = 64;
/** More paths than this is not an explanation any more; the bound also sizes a buffer. */
export const MAX_RISK_PATH_LIMIT = 10_000;

/** RMAP statuses (as codes of the snapshot) under which a smelter can be a high-risk source. */
const HIGH_RISK_RMAP_CODES: readonly number[] = (['non_conformant', 'not_enrolled', 'unknown'] as const).map((s) => RMAP_STATUSES.indexOf(s));

/** Whether node i is a high-risk source under the policy (see the file comment). */
export function isHighRiskSource(snapshot: Snapshot, policy: RiskPolicy, intrinsic: Float64Array, i: number): boolean {
  if (!(intrinsic[i]! >= policy.highRiskThreshold)) return false;
  switch (snapshot.labels[i]) {
    case LABEL_CODES.Country:
      return isPolicyCahraCountry(snapshot, policy, i);
    case LABEL_CODES.Smelter:
      return snapshot.recycled[i] === 0 && HIGH_RISK_RMAP_CODES.includes(snapshot.rmapStatus[i]!);
    default:
      return true;
  }
}

/** No high-risk source within this many edges (distances are capped: maxDepth is at most 64). */
const FAR = 255;

interface HighRiskDistances {
  /** Edges from v to the nearest high-risk source upstream along positive shares, v itself counting (0); FAR if none. */
  toHighRisk: Uint8Array;
  /** The same for paths of at least one edge: 1 + the least toHighRisk over v's sources. */
  beyond: Uint8Array;
}

/**
 * Per layer, per intrinsic-risk array, per the policy fields that decide "high-risk" (threshold and
 * counted lists): the distances depend on nothing else, so requests whose policy overrides differ
 * elsewhere (decay, say) share them.
 */
const distanceCache = new WeakMap<MetalLayer, WeakMap<Float64Array, Map<string, HighRiskDistances>>>();

/**
 * How far upstream the nearest high-risk source is, for every node: one breadth-first pass from
 * all high-risk sources along buyer edges of positive share, O(n + m), cached. It lets the search
 * drop a prefix that cannot reach any high-risk source within the depth it has left, which is what
 * keeps a company with no (or few) risky sources from enumerating every path above it.
 */
function highRiskDistances(snapshot: Snapshot, layer: MetalLayer, policy: RiskPolicy, r: Float64Array): HighRiskDistances {
  let byIntrinsic = distanceCache.get(layer);
  if (byIntrinsic === undefined) distanceCache.set(layer, (byIntrinsic = new WeakMap()));
  let byPolicy = byIntrinsic.get(r);
  if (byPolicy === undefined) byIntrinsic.set(r, (byPolicy = new Map()));
  const key = JSON.stringify([policy.highRiskThreshold, policy.countries.cahraLists, policy.countries.unlistedCahraFlag]);
  const cached = byPolicy.get(key);
  if (cached !== undefined) return cached;

  const n = snapshot.nodeCount;
  const { inOffsets, inWeights, outOffsets, outTargets, outWeights, present } = layer;
  const toHighRisk = new Uint8Array(n).fill(FAR);
  const queue = new Int32Array(n);
  let tail = 0;
  for (let v = 0; v < n; v++) {
    if (present[v] === 1 && isHighRiskSource(snapshot, policy, r, v)) {
      toHighRisk[v] = 0;
      queue[tail++] = v;
    }
  }
  for (let head = 0; head < tail; head++) {
    const u = queue[head]!;
    const next = toHighRisk[u]! + 1;
    if (next >= FAR) continue;
    for (let j = outOffsets[u]!, end = outOffsets[u + 1]!; j < end; j++) {
      const v = outTargets[j]!;
      if (toHighRisk[v] === FAR && outWeights[j]! > 0) {
        toHighRisk[v] = next;
        queue[tail++] = v;
      }
    }
  }
  const beyond = new Uint8Array(n).fill(FAR);
  for (let v = 0; v < n; v++) {
    let best = FAR;
    for (let j = inOffsets[v]!, end = inOffsets[v + 1]!; j < end; j++) {
      const h = toHighRisk[layer.inSources[j]!]!;
      if (h + 1 < best && inWeights[j]! > 0) best = h + 1;
    }
    beyond[v] = best;
  }
  const distances = { toHighRisk, beyond };
  if (byPolicy.size >= 16) byPolicy.clear(); // a handful of variants in practice; never unbounded
  byPolicy.set(key, distances);
  return distances;
}

/** Growable typed-array store of path entries: a prefix tree by parent pointers. */
class PathArena {
  parent = new Int32Array(1024);
  node = new Int32Array(1024);
  depth = new Int32Array(1024);
  key = new Float64Array(1024);
  /** The share of the parent entry's node's intake that comes from this entry's node (1 at the root). */
  share = new Float64Array(1024);
  complete = new Uint8Array(1024);
  size = 0;

  add(parent: number, node: number, depth: number, key: number, share: number, complete: boolean): number {
    if (this.size === this.parent.length) this.grow();
    const e = this.size++;
    this.parent[e] = parent;
    this.node[e] = node;
    this.depth[e] = depth;
    this.key[e] = key;
    this.share[e] = share;
    this.complete[e] = complete ? 1 : 0;
    return e;
  }

  private grow(): void {
    const cap = this.parent.length * 2;
    const g = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.parent = g(this.parent, (n) => new Int32Array(n));
    this.node = g(this.node, (n) => new Int32Array(n));
    this.depth = g(this.depth, (n) => new Int32Array(n));
    this.key = g(this.key, (n) => new Float64Array(n));
    this.share = g(this.share, (n) => new Float64Array(n));
    this.complete = g(this.complete, (n) => new Uint8Array(n));
  }
}

/**
 * The top `limit` risk paths from c upstream in the metal, at most `maxDepth` edges long, highest
 * weight first (see the file comment). `intrinsic` defaults to sharedIntrinsicRisk(snapshot,
 * policy). The first call for a (layer, intrinsic array, threshold and counted lists) builds the
 * cached high-risk distances, O(n + m); later calls for any company reuse them.
 */
export function topRiskPaths(
  snapshot: Snapshot,
  metal: Metal,
  policy: RiskPolicy,
  c: number,
  options: { limit: number; maxDepth: number; intrinsic?: Float64Array },
): RiskPath[] {
  const { limit, maxDepth } = options;
  if (!Number.isInteger(c) || c < 0 || c >= snapshot.nodeCount) throw new RangeError(`company must be a node index in 0..${snapshot.nodeCount - 1}, got ${c}`);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RISK_PATH_LIMIT) throw new RangeError(`limit must be an integer in 1..${MAX_RISK_PATH_LIMIT}, got ${limit}`);
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_RISK_PATH_DEPTH) {
    throw new RangeError(`maxDepth must be an integer in 1..${MAX_RISK_PATH_DEPTH}, got ${maxDepth}`);
  }
  const r = options.intrinsic ?? sharedIntrinsicRisk(snapshot, policy);
  if (r.length !== snapshot.nodeCount) throw new RangeError(`intrinsic risk has ${r.length} entries, the snapshot ${snapshot.nodeCount} nodes`);
  const layer = snapshot.layers.get(metal);
  if (layer === undefined) return [];
  const { inOffsets, inSources, inWeights } = layer;
  const d = policy.decay;
  // A prefix ending at u with k edges is worth extending only if a high-risk source lies within maxDepth − k edges above u.
  // toHighRisk[u] = 0 marks the high-risk sources themselves.
  const { toHighRisk, beyond } = highRiskDistances(snapshot, layer, policy, r);
  if (beyond[c]! > maxDepth) return [];

  const arena = new PathArena();
  const seqA = new Int32Array(MAX_RISK_PATH_DEPTH + 2);
  const seqB = new Int32Array(MAX_RISK_PATH_DEPTH + 2);
  const fillSequence = (e: number, out: Int32Array): number => {
    const len = arena.depth[e]! + 1;
    for (let i = len - 1; i >= 0; i--) {
      out[i] = arena.node[e]!;
      e = arena.parent[e]!;
    }
    return len;
  };
  /** −1 when entry a's node sequence is lexicographically before b's (a prefix first), 1 after, 0 equal. */
  const compareSequences = (a: number, b: number): number => {
    const la = fillSequence(a, seqA);
    const lb = fillSequence(b, seqB);
    const l = Math.min(la, lb);
    for (let i = 0; i < l; i++) if (seqA[i] !== seqB[i]) return seqA[i]! < seqB[i]! ? -1 : 1;
    return la === lb ? 0 : la < lb ? -1 : 1;
  };
  /** Whether entry a leaves the queue before entry b. */
  const before = (a: number, b: number): boolean => {
    const ka = arena.key[a]!;
    const kb = arena.key[b]!;
    if (ka !== kb) return ka > kb;
    const ca = arena.complete[a]!;
    const cb = arena.complete[b]!;
    if (ca !== cb) return ca === 0;
    if (ca === 0) return a < b; // prefixes of equal key: creation order, deterministic and cheap
    return compareSequences(a, b) < 0;
  };

  // The priority queue: a binary heap of entry numbers.
  let heap = new Int32Array(1024);
  let heapSize = 0;
  const push = (e: number): void => {
    if (heapSize === heap.length) {
      const bigger = new Int32Array(heap.length * 2);
      bigger.set(heap);
      heap = bigger;
    }
    let i = heapSize++;
    heap[i] = e;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(heap[i]!, heap[p]!)) break;
      const t = heap[i]!;
      heap[i] = heap[p]!;
      heap[p] = t;
      i = p;
    }
  };
  const pop = (): number => {
    const top = heap[0]!;
    heap[0] = heap[--heapSize]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heapSize) break;
      const rr = l + 1;
      const m = rr < heapSize && before(heap[rr]!, heap[l]!) ? rr : l;
      if (!before(heap[m]!, heap[i]!)) break;
      const t = heap[i]!;
      heap[i] = heap[m]!;
      heap[m] = t;
      i = m;
    }
    return top;
  };

  // The best `limit` complete weights created so far (a min-heap): anything below the k-th is hopeless.
  const best = new Float64Array(limit);
  let bestSize = 0;
  const floor = (): number => (bestSize === limit ? best[0]! : 0);
  const recordComplete = (w: number): void => {
    if (bestSize < limit) {
      let i = bestSize++;
      best[i] = w;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (best[p]! <= best[i]!) break;
        const t = best[i]!;
        best[i] = best[p]!;
        best[p] = t;
        i = p;
      }
    } else if (w > best[0]!) {
      best[0] = w;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= limit) break;
        const rr = l + 1;
        const m = rr < limit && best[rr]! < best[l]! ? rr : l;
        if (best[m]! >= best[i]!) break;
        const t = best[i]!;
        best[i] = best[m]!;
        best[m] = t;
        i = m;
      }
    }
  };

  push(arena.add(-1, c, 0, 1, 1, false));
  const found: number[] = [];
  while (heapSize > 0 && found.length < limit) {
    const e = pop();
    if (arena.complete[e] === 1) {
      found.push(e);
      continue;
    }
    const v = arena.node[e]!;
    const depth = arena.depth[e]!;
    const prefix = arena.key[e]!;
    if (prefix < floor()) continue;
    for (let j = inOffsets[v]!, end = inOffsets[v + 1]!; j < end; j++) {
      const w = inWeights[j]!;
      if (!(w > 0)) continue;
      const u = inSources[j]!;
      // Simple paths only: u must not be on the prefix already.
      let onPath = false;
      for (let a = e; a >= 0; a = arena.parent[a]!) {
        if (arena.node[a] === u) {
          onPath = true;
          break;
        }
      }
      if (onPath) continue;
      const next = prefix * (w * d);
      if (!(next > 0) || next < floor()) continue;
      if (toHighRisk[u] === 0) {
        const weight = next * r[u]!;
        if (weight > 0 && weight >= floor()) {
          recordComplete(weight);
          push(arena.add(e, u, depth + 1, weight, w, true));
        }
      }
      if (beyond[u]! <= maxDepth - depth - 1) push(arena.add(e, u, depth + 1, next, w, false));
    }
  }

  return found.map((e) => {
    const len = arena.depth[e]! + 1;
    const hops: RiskPathHop[] = new Array(len);
    for (let i = len - 1, a = e; i >= 0; i--, a = arena.parent[a]!) {
      const index = arena.node[a]!;
      hops[i] = { index, id: snapshot.ids[index]!, label: labelOf(snapshot, index), name: snapshot.names[index]!, metal, share: arena.share[a]! };
    }
    return { weight: arena.key[e]!, hops };
  });
}
