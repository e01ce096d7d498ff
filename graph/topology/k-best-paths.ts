/**
 * The k best simple paths by a product of factors, hop-bounded, in polynomial time: Yen's
 * algorithm (with Lawler's restriction of spur nodes to the deviation onwards) over a spur search
 * that is exact in floating point.
 *
 * A path runs from `start` along steps v → targets[j] (j in offsets[v] .. offsets[v+1]) and ends
 * at an end node v (hopsToEnd[v] = 0) other than start itself. Its weight is the left fold
 *
 *   fl(…fl(fl(1·f₁)·f₂)…·f_h) · endFactor[v],   f = fl(weights[j]·decay) ≤ 1,
 *
 * and paths are ranked by weight (higher first), then by node sequence (lexicographically smaller
 * first, a path before its extensions). Weight-0 paths are left out.
 *
 * Why a search exact in floating point rather than Dijkstra on −log: the ranking is by the
 * rounded fold, so paths whose real products differ can tie and equal real products can differ in
 * the last bit; every comparison here is on the same rounded values the answer reports. Two facts
 * carry the proofs: fl(p·f) is non-decreasing in p (rounding is monotone), and fl(p·f) ≤ p for
 * f ≤ 1. The first makes the best fold over walks a label-setting search over (node, hops) states;
 * the second means a walk that repeats a node can be cut into a simple path with fewer hops and a
 * fold no smaller, so the best weight over walks is the best over simple paths.
 *
 * One spur search (root fixed, root nodes blocked, the steps that found paths with this root take
 * next forbidden) finds the best path in three phases:
 * 1. W*, the best weight: best-first over (node, hops) states, a state skipped when the node was
 *    settled before with no more hops (its value was no smaller). Stops at the first end popped,
 *    after every state of value ≥ W* (a state goes before an end of equal value); nodes never
 *    settled cannot lie on a path of weight W*.
 * 2. need_r[v], the least prefix value at v from which some walk of ≤ r more hops reaches W*, over
 *    the settled nodes: the least p with fl(p·f) ≥ t is a single float (monotonicity), so these
 *    thresholds compose step by step, exactly, with no tie lost to rounding.
 * 3. The lexicographically smallest walk of weight W*: from start, end as soon as ending reaches
 *    W*, else step to the smallest node whose threshold the value after the step meets. If that
 *    walk repeats a node it is redone with the nodes so far excluded from the thresholds at every
 *    step (by the cutting argument, what remains still reaches W* by a simple path).
 * Work per spur search: O(H·(n + m)·log) for phase 1, O(H·m) for phase 2, O(H²·m) for the rare
 * redo, n and m the settled nodes and their steps, H the hop bound; at most k·(H + 1) searches.
 */

export interface ProductPathGraph {
  offsets: Uint32Array;
  targets: Uint32Array;
  /** Step j's factor is fl(weights[j] · decay); steps of weight ≤ 0 are not taken. */
  weights: Float64Array;
  decay: number;
  /** The last factor of a path ending at v. */
  endFactor: Float64Array;
  /** A lower bound on the hops from v to an end, 0 exactly at the ends, ≥ 255 for none within reach. */
  hopsToEnd: Uint8Array;
}

export interface ProductPath {
  nodes: number[];
  weight: number;
}

/** What the search did, for tests of its polynomial bound (no timing in tests). */
export interface PathSearchWork {
  spurSearches: number;
  statesSettled: number;
  stepsScanned: number;
}

const END = -1;

interface Candidate {
  nodes: number[];
  weight: number;
  /** The spur index it was found at: its spur searches start there (Lawler). */
  deviation: number;
}

/** Whether a ranks before b: weight, then node sequence with a prefix first. */
function ranksBefore(a: Candidate, b: Candidate): boolean {
  if (a.weight !== b.weight) return a.weight > b.weight;
  const l = Math.min(a.nodes.length, b.nodes.length);
  for (let i = 0; i < l; i++) if (a.nodes[i] !== b.nodes[i]) return a.nodes[i]! < b.nodes[i]!;
  return a.nodes.length < b.nodes.length;
}

/** A binary heap by a `before` order. */
class Heap<T> {
  private items: T[] = [];
  constructor(private readonly before: (a: T, b: T) => boolean) {}
  get size(): number {
    return this.items.length;
  }
  peek(): T | undefined {
    return this.items[0];
  }
  push(x: T): void {
    const a = this.items;
    let i = a.push(x) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const m = r < a.length && this.before(a[r]!, a[l]!) ? r : l;
        if (!this.before(a[m]!, a[i]!)) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** The best `limit` weights of all candidates so far: one strictly below the k-th can never be output. */
class WeightFloor {
  private readonly best: Heap<number> = new Heap((a, b) => a < b);
  constructor(private readonly limit: number) {}
  record(w: number): void {
    if (this.best.size < this.limit) this.best.push(w);
    else if (w > this.best.peek()!) {
      this.best.pop();
      this.best.push(w);
    }
  }
  get value(): number {
    return this.best.size === this.limit ? this.best.peek()! : 0;
  }
}

// Neighbouring floats of a positive double by its bits (little-endian words: low, high); no BigInt on this path.
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HIGH = 1 - LOW;
const nextUp = (x: number): number => {
  bits[0] = x;
  if (words[LOW] === 0xffffffff) {
    words[LOW] = 0;
    words[HIGH]!++;
  } else words[LOW]!++;
  return bits[0]!;
};
const nextDown = (x: number): number => {
  bits[0] = x;
  if (words[LOW] === 0) {
    words[LOW] = 0xffffffff;
    words[HIGH]!--;
  } else words[LOW]!--;
  return bits[0]!;
};

/** The least p ≥ 0 with fl(p·f) ≥ t (t > 0, 0 < f ≤ 1), or Infinity when no p ≤ 1 can do it. */
export function leastInputReaching(t: number, f: number): number {
  if (!(f >= t)) return Infinity; // fl(1·f) = f < t, and fl(p·f) is non-decreasing in p
  let p = t / f;
  while (p * f < t) p = nextUp(p);
  while (p > 0) {
    const q = nextDown(p);
    if (q * f >= t) p = q;
    else break;
  }
  return p;
}

interface SpurQuery {
  spur: number;
  /** The fold of the root's factors, the value at the spur node. */
  rootValue: number;
  /** Hops the spur path may take. */
  hops: number;
  blocked: ReadonlySet<number>;
  /** Next nodes from the spur node that are forbidden; END forbids ending at the spur node. */
  forbidden: ReadonlySet<number>;
  /** Spur paths weighing less than this are of no use. */
  floor: number;
}

/** The settled part of the graph, local ids 0..size−1, with the steps among its nodes. */
interface Settled {
  nodeOf: number[];
  offsets: Int32Array;
  targets: Int32Array;
  factors: Float64Array;
  /** endFactor of the local node, 0 where the path may not end there. */
  endFactors: Float64Array;
}

class SpurSearcher {
  constructor(
    private readonly g: ProductPathGraph,
    private readonly start: number,
    private readonly work: PathSearchWork,
  ) {}

  /** The best spur path (the nodes after the spur node, in order) and its weight, or undefined. */
  search(q: SpurQuery): { suffix: number[]; weight: number } | undefined {
    this.work.spurSearches++;
    const endForbidden = q.forbidden.has(END) || q.spur === this.start;
    if (q.hops === 0 && endForbidden) return undefined;
    const found = this.bestWeight(q, endForbidden);
    if (found === undefined) return undefined;
    const { best, settledNodes } = found;
    const settled = this.settledGraph(q, settledNodes, endForbidden);
    let suffix = this.smallestWalk(q, settled, best, false);
    if (new Set(suffix).size !== suffix.length || suffix.includes(q.spur)) suffix = this.smallestWalk(q, settled, best, true);
    return { suffix, weight: best };
  }

  /** Phase 1: W* by best-first over (node, hops) states, and the nodes settled on the way. */
  private bestWeight(q: SpurQuery, endForbidden: boolean): { best: number; settledNodes: number[] } | undefined {
    const { offsets, targets, weights, decay, endFactor, hopsToEnd } = this.g;
    // A state: node (−1 for an end reached), hops, value.
    const sNode: number[] = [];
    const sHops: number[] = [];
    const sValue: number[] = [];
    const heap = new Heap<number>((a, b) => {
      if (sValue[a] !== sValue[b]) return sValue[a]! > sValue[b]!;
      const ea = sNode[a] === END;
      if (ea !== (sNode[b] === END)) return !ea;
      return sHops[a]! < sHops[b]!;
    });
    const add = (node: number, hops: number, value: number): void => {
      sNode.push(node);
      sHops.push(hops);
      sValue.push(value);
      heap.push(sNode.length - 1);
    };
    const settledHops = new Map<number, number>();
    const settledNodes: number[] = [];
    add(q.spur, 0, q.rootValue);
    while (heap.size > 0) {
      const e = heap.pop()!;
      const v = sNode[e]!;
      const p = sValue[e]!;
      if (p < q.floor) return undefined;
      if (v === END) return { best: p, settledNodes };
      const h = sHops[e]!;
      const before = settledHops.get(v);
      if (before !== undefined && before <= h) continue;
      if (before === undefined) settledNodes.push(v);
      settledHops.set(v, h);
      this.work.statesSettled++;
      if (hopsToEnd[v] === 0 && !(v === q.spur && endForbidden)) {
        const w = p * endFactor[v]!;
        if (w > 0 && w >= q.floor) add(END, h, w);
      }
      if (h >= q.hops) continue;
      for (let j = offsets[v]!, end = offsets[v + 1]!; j < end; j++) {
        this.work.stepsScanned++;
        const u = targets[j]!;
        const wj = weights[j]!;
        if (!(wj > 0) || q.blocked.has(u) || hopsToEnd[u]! > q.hops - h - 1) continue;
        if (v === q.spur && q.forbidden.has(u)) continue;
        const next = p * (wj * decay);
        if (!(next > 0) || next < q.floor) continue;
        const seen = settledHops.get(u);
        if (seen !== undefined && seen <= h + 1) continue;
        add(u, h + 1, next);
      }
    }
    return undefined;
  }

  /** The settled nodes and the steps among them that a spur path may take. */
  private settledGraph(q: SpurQuery, nodeOf: number[], endForbidden: boolean): Settled {
    const { offsets, targets, weights, decay, endFactor, hopsToEnd } = this.g;
    const localOf = new Map<number, number>();
    nodeOf.forEach((v, i) => localOf.set(v, i));
    const lOffsets = new Int32Array(nodeOf.length + 1);
    const lTargets: number[] = [];
    const lFactors: number[] = [];
    const endFactors = new Float64Array(nodeOf.length);
    for (let i = 0; i < nodeOf.length; i++) {
      const v = nodeOf[i]!;
      if (hopsToEnd[v] === 0 && !(v === q.spur && endForbidden)) endFactors[i] = endFactor[v]!;
      for (let j = offsets[v]!, end = offsets[v + 1]!; j < end; j++) {
        this.work.stepsScanned++;
        const lu = localOf.get(targets[j]!);
        if (lu === undefined || lu === i || !(weights[j]! > 0)) continue;
        if (v === q.spur && q.forbidden.has(targets[j]!)) continue;
        lTargets.push(lu);
        lFactors.push(weights[j]! * decay);
      }
      lOffsets[i + 1] = lTargets.length;
    }
    return { nodeOf, offsets: lOffsets, targets: Int32Array.from(lTargets), factors: Float64Array.from(lFactors), endFactors };
  }

  /**
   * Phase 2: need[r·size + v], the least value at local node v from which a walk of ≤ r more hops
   * avoiding `excluded` reaches weight `best`.
   */
  private thresholds(s: Settled, best: number, hops: number, excluded: Uint8Array | undefined): Float64Array {
    const size = s.nodeOf.length;
    const need = new Float64Array((hops + 1) * size).fill(Infinity);
    for (let v = 0; v < size; v++) if (s.endFactors[v]! > 0 && excluded?.[v] !== 1) need[v] = leastInputReaching(best, s.endFactors[v]!);
    for (let r = 1; r <= hops; r++) {
      const cur = r * size;
      const prev = cur - size;
      for (let v = 0; v < size; v++) {
        if (excluded?.[v] === 1) continue;
        let least = need[prev + v]!;
        for (let j = s.offsets[v]!, end = s.offsets[v + 1]!; j < end; j++) {
          this.work.stepsScanned++;
          const t = need[prev + s.targets[j]!]!;
          if (t === Infinity) continue;
          const p = leastInputReaching(t, s.factors[j]!);
          if (p < least) least = p;
        }
        need[cur + v] = least;
      }
    }
    return need;
  }

  /**
   * Phase 3: the lexicographically smallest walk of weight `best` from the spur node (local 0),
   * as global node indices after the spur node. `simple`: thresholds recomputed at every step
   * without the nodes walked so far, so that the walk is a simple path.
   */
  private smallestWalk(q: SpurQuery, s: Settled, best: number, simple: boolean): number[] {
    const size = s.nodeOf.length;
    const excluded = simple ? new Uint8Array(size) : undefined;
    let need = simple ? new Float64Array(0) : this.thresholds(s, best, q.hops, undefined);
    const suffix: number[] = [];
    let x = 0;
    let p = q.rootValue;
    for (let h = 0; ; h++) {
      if (s.endFactors[x]! > 0 && p * s.endFactors[x]! >= best) return suffix;
      const left = q.hops - h - 1;
      if (left < 0) break;
      if (excluded) {
        excluded[x] = 1;
        need = this.thresholds(s, best, left, excluded);
      }
      let pick = -1;
      let pickValue = 0;
      for (let j = s.offsets[x]!, end = s.offsets[x + 1]!; j < end; j++) {
        this.work.stepsScanned++;
        const u = s.targets[j]!;
        if (excluded?.[u] === 1) continue;
        const next = p * s.factors[j]!;
        if (next >= need[left * size + u]! && (pick < 0 || s.nodeOf[u]! < s.nodeOf[pick]!)) {
          pick = u;
          pickValue = next;
        }
      }
      if (pick < 0) break;
      suffix.push(s.nodeOf[pick]!);
      x = pick;
      p = pickValue;
    }
    throw new Error('k-best-paths: the spur walk lost its weight (thresholds inconsistent with the best weight)');
  }
}

/**
 * The `limit` best paths from start of at most maxHops steps (see the file comment). The graph
 * must hold at most one step per (node, target) pair: a path is its node sequence.
 */
export function kBestProductPaths(
  g: ProductPathGraph,
  start: number,
  limit: number,
  maxHops: number,
  work: PathSearchWork = { spurSearches: 0, statesSettled: 0, stepsScanned: 0 },
): ProductPath[] {
  const searcher = new SpurSearcher(g, start, work);
  const { offsets, targets, weights, decay, endFactor } = g;
  const factorOf = (v: number, u: number): number => {
    for (let j = offsets[v]!, end = offsets[v + 1]!; j < end; j++) if (targets[j] === u) return weights[j]! * decay;
    throw new Error(`k-best-paths: no step ${v} → ${u}`);
  };
  const candidates = new Heap<Candidate>(ranksBefore);
  const seen = new Set<string>();
  const floor = new WeightFloor(limit);
  /** Next nodes (END for "ends here") taken by output paths, by root (the node sequence up to the spur node). */
  const takenNext = new Map<string, Set<number>>();
  const offer = (nodes: number[], weight: number, deviation: number): void => {
    const key = nodes.join(',');
    if (seen.has(key)) return;
    seen.add(key);
    floor.record(weight);
    candidates.push({ nodes, weight, deviation });
  };

  const first = searcher.search({ spur: start, rootValue: 1, hops: maxHops, blocked: new Set(), forbidden: new Set(), floor: 0 });
  if (first !== undefined) offer([start, ...first.suffix], first.weight, 0);
  const out: ProductPath[] = [];
  while (out.length < limit && candidates.size > 0) {
    const path = candidates.pop()!;
    out.push({ nodes: path.nodes, weight: path.weight });
    let rootKey = '';
    for (let i = 0; i < path.nodes.length; i++) {
      rootKey += `${path.nodes[i]},`;
      let taken = takenNext.get(rootKey);
      if (taken === undefined) takenNext.set(rootKey, (taken = new Set()));
      taken.add(i + 1 < path.nodes.length ? path.nodes[i + 1]! : END);
    }
    if (out.length === limit) break;
    rootKey = '';
    let rootValue = 1;
    for (let i = 0; i < path.nodes.length; i++) {
      rootKey += `${path.nodes[i]},`;
      if (i > 0) rootValue *= factorOf(path.nodes[i - 1]!, path.nodes[i]!);
      if (i < path.deviation) continue;
      const spur = searcher.search({
        spur: path.nodes[i]!,
        rootValue,
        hops: maxHops - i,
        blocked: new Set(path.nodes.slice(0, i)),
        forbidden: takenNext.get(rootKey)!,
        floor: floor.value,
      });
      if (spur === undefined) continue;
      const nodes = [...path.nodes.slice(0, i + 1), ...spur.suffix];
      offer(nodes, weightOf(nodes, factorOf, endFactor), i);
    }
  }
  return out;
}

/** The documented fold, recomputed from the nodes (equal to the spur search's W* by construction). */
function weightOf(nodes: readonly number[], factorOf: (v: number, u: number) => number, endFactor: Float64Array): number {
  let w = 1;
  for (let i = 1; i < nodes.length; i++) w *= factorOf(nodes[i - 1]!, nodes[i]!);
  return w * endFactor[nodes[nodes.length - 1]!]!;
}
