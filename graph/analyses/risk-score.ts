/**
 * Propagated risk (SPEC §2 item 3): every node's risk after what flows into it from its sources,
 *
 *   R(v) = 1 − (1 − r(v)) · Π over sources u of v in the metal (1 − d · w(u,v) · R(u)),
 *
 * r the intrinsic risk of the policy, d its per-tier decay, w the effective share. Read it as a
 * noisy-or: v is "risky" by itself with probability r(v), or through source u with probability
 * d · w(u,v) · R(u).
 *
 * Which fixed point. Call the right-hand side F(R). F maps [0,1]^n into itself and is monotone
 * (raising any R(u) never lowers F(R)(v)), so by Knaster–Tarski it has a least fixed point, and
 * every fixed point is ≥ F(0) = r. Iterating from R = r = F(0) climbs monotonically to that least
 * fixed point, which is the one returned. When d < 1 it is the only one (F is a contraction in the
 * max norm with factor ≤ d, since Σ_u d·w(u,v) ≤ d). When d = 1 a closed loop of buyers with no
 * way out can have other fixed points (R constant around a riskless loop); the least one gives such
 * a loop no risk it does not get from its members or their sources, in line with SPEC §1's rule
 * that circulating supply counts as undisclosed.
 *
 * How. The layer's strongly connected components are taken sources first (`supplyComponents`:
 * a topological pass for the acyclic part, Tarjan for the rest; cached per layer). An acyclic
 * node is then exact in one step (its sources are final). Inside a component with a cycle,
 * Gauss–Seidel sweeps run until the largest change is below 1e-12 and so is the error it implies
 * at the observed rate of contraction (`sweepsConverged`); a cycle of at most 64 nodes also gets
 * a few short Newton steps (`newtonPolish`), exact even where sweeps crawl. O(n + m) apart from
 * those sweeps. With d < 1 each sweep shrinks the error by at least d; with d = 1 a large loop
 * whose own risk and leakage are tiny contracts slowly, and past a work budget the function
 * throws rather than answer inexactly.
 */
import type { Metal, NodeLabel } from '../model.js';
import { LABEL_CODES, labelOf, type MetalLayer, type Snapshot } from '../snapshot.js';
import { type RiskPolicy, sharedIntrinsicRisk } from './risk-policy.js';

/** Inside a cyclic component, sweeps stop once the error left is estimated below this (see sweepsConverged). */
const SWEEP_TOLERANCE = 1e-12;
/** Values live in [0, 1], where a change this small is rounding (a few ulps), not progress. */
const ROUNDING_NOISE = 1e-15;
/** Sweeps × (members + edges) allowed in one component before giving up with an error (seconds of work). */
const SWEEP_WORK_BUDGET = 2e8;

/**
 * Strongly connected components of the nodes with mask[v] = 1 (all nodes when mask is null), in
 * the order Tarjan's algorithm completes them while following `adjacency` (offsets/targets, CSR)
 * out of each node: a component comes after every component it can reach. Following buyer →
 * source (a layer's in-arrays), that is sources first. Iterative: no recursion to overflow.
 *
 * `members` lists the nodes component by component; component k is
 * members[starts[k] .. starts[k+1]); `componentOf[v]` is v's component (−1 outside the mask).
 */
export interface Components {
  count: number;
  members: Int32Array;
  starts: Int32Array;
  componentOf: Int32Array;
}

export function stronglyConnectedComponents(n: number, offsets: Uint32Array, targets: Uint32Array, mask: Uint8Array | null): Components {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  const callStack = new Int32Array(n);
  const edgeCursor = new Uint32Array(n);
  const componentOf = new Int32Array(n).fill(-1);
  const members = new Int32Array(n);
  const starts = new Int32Array(n + 1);
  let sp = 0;
  let counter = 0;
  let placed = 0;
  let count = 0;

  for (let root = 0; root < n; root++) {
    if (index[root]! >= 0 || (mask !== null && mask[root] === 0)) continue;
    let csp = 0;
    index[root] = low[root] = counter++;
    stack[sp++] = root;
    onStack[root] = 1;
    edgeCursor[root] = offsets[root]!;
    callStack[csp++] = root;
    while (csp > 0) {
      const v = callStack[csp - 1]!;
      const cursor = edgeCursor[v]!;
      if (cursor < offsets[v + 1]!) {
        edgeCursor[v] = cursor + 1;
        const w = targets[cursor]!;
        if (mask !== null && mask[w] === 0) continue;
        if (index[w]! < 0) {
          index[w] = low[w] = counter++;
          stack[sp++] = w;
          onStack[w] = 1;
          edgeCursor[w] = offsets[w]!;
          callStack[csp++] = w;
        } else if (onStack[w] === 1 && index[w]! < low[v]!) {
          low[v] = index[w]!;
        }
        continue;
      }
      csp--;
      if (csp > 0) {
        const parent = callStack[csp - 1]!;
        if (low[v]! < low[parent]!) low[parent] = low[v]!;
      }
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack[--sp]!;
          onStack[w] = 0;
          componentOf[w] = count;
          members[placed++] = w;
        } while (w !== v);
        starts[++count] = placed;
      }
    }
  }
  return { count, members: members.subarray(0, placed), starts: starts.subarray(0, count + 1), componentOf };
}

/** Components in sources-first order, each marked cyclic (two or more members, or a self-supplier) or not. */
export interface SupplyComponents extends Components {
  cyclic: Uint8Array;
}

/**
 * The strongly connected components of a layer's supply graph restricted to mask[v] = 1, sources
 * first (every component after all components upstream of it). Supply graphs are mostly acyclic,
 * so a topological pass (Kahn, by counting each node's sources inside the mask) places the acyclic
 * part first as single-node components, cheaply; Tarjan runs only on what that pass leaves: the
 * cycles and whatever lies downstream of them.
 */
export function supplyComponents(layer: MetalLayer, n: number, mask: Uint8Array): SupplyComponents {
  const { inOffsets, inSources, outOffsets, outTargets } = layer;
  const waiting = new Int32Array(n);
  const order = new Int32Array(n);
  let tail = 0;
  let inMask = 0;
  for (let v = 0; v < n; v++) {
    if (mask[v] === 0) continue;
    inMask++;
    let k = 0;
    for (let j = inOffsets[v]!, end = inOffsets[v + 1]!; j < end; j++) if (mask[inSources[j]!] === 1) k++;
    waiting[v] = k;
    if (k === 0) order[tail++] = v;
  }
  for (let head = 0; head < tail; head++) {
    const u = order[head]!;
    for (let j = outOffsets[u]!, end = outOffsets[u + 1]!; j < end; j++) {
      const v = outTargets[j]!;
      if (mask[v] === 1 && --waiting[v]! === 0) order[tail++] = v;
    }
  }
  const acyclic = tail;
  const componentOf = new Int32Array(n).fill(-1);
  for (let i = 0; i < acyclic; i++) componentOf[order[i]!] = i;
  if (acyclic === inMask) {
    const starts = new Int32Array(acyclic + 1);
    for (let i = 0; i <= acyclic; i++) starts[i] = i;
    return { count: acyclic, members: order.subarray(0, acyclic), starts, componentOf, cyclic: new Uint8Array(acyclic) };
  }
  const rest = new Uint8Array(n);
  for (let v = 0; v < n; v++) if (mask[v] === 1 && componentOf[v]! < 0) rest[v] = 1;
  const t = stronglyConnectedComponents(n, inOffsets, inSources, rest);
  const count = acyclic + t.count;
  const starts = new Int32Array(count + 1);
  for (let i = 0; i <= acyclic; i++) starts[i] = i;
  for (let k = 1; k <= t.count; k++) starts[acyclic + k] = acyclic + t.starts[k]!;
  order.set(t.members, acyclic);
  const cyclic = new Uint8Array(count);
  for (let k = 0; k < t.count; k++) {
    const start = t.starts[k]!;
    for (let i = start; i < t.starts[k + 1]!; i++) componentOf[t.members[i]!] = acyclic + k;
    if (t.starts[k + 1]! - start > 1) cyclic[acyclic + k] = 1;
    else {
      const v = t.members[start]!;
      for (let j = inOffsets[v]!; j < inOffsets[v + 1]!; j++) if (inSources[j] === v) cyclic[acyclic + k] = 1;
    }
  }
  return { count, members: order.subarray(0, acyclic + t.members.length), starts, componentOf, cyclic };
}

const layerComponentsCache = new WeakMap<MetalLayer, SupplyComponents>();

/**
 * The components of a whole layer (its present nodes), sources first; computed once per layer
 * (layers are immutable) and shared by the analyses that walk the condensation: a risk
 * propagation or an impact after the first costs one pass over the members.
 */
export function layerComponents(layer: MetalLayer): SupplyComponents {
  let comps = layerComponentsCache.get(layer);
  if (comps === undefined) layerComponentsCache.set(layer, (comps = supplyComponents(layer, layer.present.length, layer.present)));
  return comps;
}

/**
 * Whether Gauss–Seidel sweeps climbing monotonically to a fixed point may stop, given the largest
 * change of this sweep and of the one before. A small change alone is not enough where sweeps
 * contract slowly (a near-closed loop, decay 1): the error left is about change·ρ/(1−ρ), ρ the
 * ratio of successive changes, so that estimate must be below the tolerance too. A change down to
 * rounding ends the sweeps whatever the ratio.
 */
export function sweepsConverged(change: number, previous: number, tolerance: number): boolean {
  if (change <= ROUNDING_NOISE) return true;
  if (change >= tolerance || !(previous > 0)) return false;
  const ratio = change / previous;
  return ratio < 1 && (change * ratio) / (1 - ratio) < tolerance;
}

function checkIntrinsic(snapshot: Snapshot, r: Float64Array): void {
  if (r.length !== snapshot.nodeCount) throw new RangeError(`intrinsic risk has ${r.length} entries, the snapshot ${snapshot.nodeCount} nodes`);
}

/**
 * R(v) for every node in the metal (see the file comment for the equation and which fixed point).
 * Nodes that take no part in the metal keep R = r. `intrinsic` defaults to
 * sharedIntrinsicRisk(snapshot, policy), computed once per snapshot and policy object.
 */
export function propagateRisk(snapshot: Snapshot, metal: Metal, policy: RiskPolicy, intrinsic?: Float64Array): Float64Array {
  const r = intrinsic ?? sharedIntrinsicRisk(snapshot, policy);
  checkIntrinsic(snapshot, r);
  const R = Float64Array.from(r);
  const layer = snapshot.layers.get(metal);
  if (layer === undefined || layer.edgeCount === 0) return R;
  const d = policy.decay;
  const { inOffsets, inSources, inWeights } = layer;
  const update = (v: number): number => {
    let keep = 1 - r[v]!;
    for (let j = inOffsets[v]!, end = inOffsets[v + 1]!; j < end; j++) keep *= 1 - d * inWeights[j]! * R[inSources[j]!]!;
    return 1 - keep;
  };
  const comps = layerComponents(layer);

  for (let k = 0; k < comps.count; k++) {
    const start = comps.starts[k]!;
    const end = comps.starts[k + 1]!;
    if (comps.cyclic[k] === 0) {
      const v = comps.members[start]!;
      if (inOffsets[v + 1]! > inOffsets[v]!) R[v] = update(v);
      continue;
    }
    // Members start at r (their values so far): Gauss–Seidel from below climbs to the least fixed point.
    let work = 0;
    for (let i = start; i < end; i++) {
      const v = comps.members[i]!;
      work += 1 + inOffsets[v + 1]! - inOffsets[v]!;
    }
    const maxSweeps = Math.max(1000, Math.floor(SWEEP_WORK_BUDGET / work));
    let sweeps = 0;
    let previous = Number.POSITIVE_INFINITY;
    const sweepUntil = (cap: number): boolean => {
      for (; sweeps < cap; sweeps++) {
        let change = 0;
        for (let i = start; i < end; i++) {
          const v = comps.members[i]!;
          const next = update(v);
          const delta = next - R[v]!;
          if (delta > change) change = delta;
          else if (-delta > change) change = -delta;
          R[v] = next;
        }
        if (sweepsConverged(change, previous, SWEEP_TOLERANCE)) return true;
        previous = change;
      }
      return false;
    };
    const block = comps.members.subarray(start, end);
    let converged: boolean;
    if (block.length <= NEWTON_BLOCK_LIMIT) {
      // Small cycles: sweep a while, then finish with Newton steps, which also settle a loop that
      // keeps nearly all of its intake (decay 1) where sweeps would crawl or stall at rounding.
      // Newton is tried after 5000 sweeps, then after twice as many each time, until it takes.
      converged = false;
      for (let check = SWEEPS_BEFORE_NEWTON; ; check *= 2) {
        const swept = sweepUntil(Math.min(maxSweeps, check));
        if (newtonPolish(layer, block, d, r, R, update) || swept) {
          converged = true;
          break;
        }
        if (check >= maxSweeps) break;
      }
    } else {
      converged = sweepUntil(maxSweeps);
    }
    if (!converged) {
      throw new Error(
        `risk propagation did not converge in a cycle of ${end - start} nodes (decay ${d}): a closed supply loop with decay 1 and almost no risk converges too slowly; use a decay below 1`,
      );
    }
  }
  return R;
}

/** Cycles of up to this many nodes get Newton steps after the sweeps (dense, O(b³) a step). */
const NEWTON_BLOCK_LIMIT = 64;
const SWEEPS_BEFORE_NEWTON = 5000;
/** A Newton step longer than this is not a polish of the sweeps' result: refused, sweeps go on. */
const NEWTON_MAX_STEP = 1e-3;

/**
 * Newton's method on F(R) − R = 0 over the members of one small cycle, from the sweeps' current
 * values (a point just below the least fixed point), others held fixed. Solves (I − J) δ = F(R) − R
 * with J the block's Jacobian, ∂F_v/∂R_u = d·w(u,v)·(1 − r(v))·Π over v's other sources. Steps are
 * accepted only while short (≤ 1e-3) so that the iteration polishes the least fixed point the
 * sweeps were climbing to instead of jumping to another; true when the residual ends below 1e-14.
 */
function newtonPolish(layer: MetalLayer, block: Int32Array, d: number, r: Float64Array, R: Float64Array, update: (v: number) => number): boolean {
  const b = block.length;
  const { inOffsets, inSources, inWeights } = layer;
  const local = new Map<number, number>();
  block.forEach((v, i) => local.set(v, i));
  const width = b + 1;
  const m = new Float64Array(b * width);
  for (let step = 0; step < 8; step++) {
    m.fill(0);
    let residual = 0;
    for (let i = 0; i < b; i++) {
      const v = block[i]!;
      const row = i * width;
      const f = update(v);
      const res = f - R[v]!;
      if (Math.abs(res) > residual) residual = Math.abs(res);
      m[row + b] = res;
      m[row + i] = 1;
      for (let j = inOffsets[v]!, end = inOffsets[v + 1]!; j < end; j++) {
        const k = local.get(inSources[j]!);
        if (k === undefined) continue;
        // The product over v's other sources, taken directly: no division by a factor that may be 0.
        let others = 1 - r[v]!;
        for (let jj = inOffsets[v]!; jj < end; jj++) if (jj !== j) others *= 1 - d * inWeights[jj]! * R[inSources[jj]!]!;
        m[row + k]! -= d * inWeights[j]! * others;
      }
    }
    if (residual <= 1e-15) return true;
    const delta = solveDense(m, b);
    if (delta === null) return false;
    let longest = 0;
    for (let i = 0; i < b; i++) longest = Math.max(longest, Math.abs(delta[i]!));
    if (!(longest <= NEWTON_MAX_STEP)) return false;
    for (let i = 0; i < b; i++) R[block[i]!] = Math.min(1, Math.max(0, R[block[i]!]! + delta[i]!));
  }
  let residual = 0;
  for (const v of block) residual = Math.max(residual, Math.abs(update(v) - R[v]!));
  return residual <= 1e-14;
}

/**
 * Solve a dense system given as a b × (b + 1) augmented matrix in row-major order (destroyed) by
 * Gaussian elimination with partial pivoting. Null when a pivot is 0 or anything is not finite.
 */
export function solveDense(m: Float64Array, b: number): Float64Array | null {
  const width = b + 1;
  for (let col = 0; col < b; col++) {
    let pivot = col;
    for (let row = col + 1; row < b; row++) if (Math.abs(m[row * width + col]!) > Math.abs(m[pivot * width + col]!)) pivot = row;
    if (pivot !== col) {
      for (let k = col; k < width; k++) {
        const t = m[col * width + k]!;
        m[col * width + k] = m[pivot * width + k]!;
        m[pivot * width + k] = t;
      }
    }
    const p = m[col * width + col]!;
    if (p === 0 || !Number.isFinite(p)) return null;
    for (let row = col + 1; row < b; row++) {
      const f = m[row * width + col]! / p;
      if (f === 0) continue;
      for (let k = col; k < width; k++) m[row * width + k]! -= f * m[col * width + k]!;
    }
  }
  const x = new Float64Array(b);
  for (let i = b - 1; i >= 0; i--) {
    let sum = m[i * width + b]!;
    for (let k = i + 1; k < b; k++) sum -= m[i * width + k]! * x[k]!;
    x[i] = sum / m[i * width + i]!;
    if (!Number.isFinite(x[i]!)) return null;
  }
  return x;
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
}

function checkNode(snapshot: Snapshot, v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v >= snapshot.nodeCount) throw new RangeError(`${what} must be a node index in 0..${snapshot.nodeCount - 1}, got ${v}`);
}

export interface RiskContributor {
  index: number;
  id: string;
  label: NodeLabel;
  name: string;
  /** d · w(u,v) · R(u): the chance that risk reaches v through this source, the factor it takes out of v's "keep" product. */
  contribution: number;
}

export interface RiskExplanation {
  risk: number;
  intrinsic: number;
  contributors: RiskContributor[];
}

/**
 * Why v has the risk it has: its intrinsic risk and its direct sources in the metal by
 * contribution d · w(u,v) · R(u), highest first (ties by node index), the top `limit` of those
 * above 0.
 */
export function explainRisk(snapshot: Snapshot, metal: Metal, policy: RiskPolicy, R: Float64Array, v: number, options: { limit: number; intrinsic?: Float64Array }): RiskExplanation {
  checkNode(snapshot, v, 'node');
  checkLimit(options.limit);
  if (R.length !== snapshot.nodeCount) throw new RangeError(`risk has ${R.length} entries, the snapshot ${snapshot.nodeCount} nodes`);
  const intrinsic = options.intrinsic ?? sharedIntrinsicRisk(snapshot, policy);
  checkIntrinsic(snapshot, intrinsic);
  const layer = snapshot.layers.get(metal);
  const found: Array<{ index: number; contribution: number }> = [];
  if (layer !== undefined) {
    for (let j = layer.inOffsets[v]!; j < layer.inOffsets[v + 1]!; j++) {
      const u = layer.inSources[j]!;
      const contribution = policy.decay * layer.inWeights[j]! * R[u]!;
      if (contribution > 0) found.push({ index: u, contribution });
    }
  }
  found.sort((a, b) => b.contribution - a.contribution || a.index - b.index);
  return {
    risk: R[v]!,
    intrinsic: intrinsic[v]!,
    contributors: found.slice(0, options.limit).map(({ index, contribution }) => ({
      index,
      id: snapshot.ids[index]!,
      label: labelOf(snapshot, index),
      name: snapshot.names[index]!,
      contribution,
    })),
  };
}

export interface RankedRisk {
  index: number;
  id: string;
  label: NodeLabel;
  name: string;
  risk: number;
}

/**
 * The nodes that take part in the metal (of one label, if given) by propagated risk, highest
 * first, ties by node index; the top `limit`. A bounded heap keeps it O(n log limit).
 */
export function rankByRisk(snapshot: Snapshot, metal: Metal, R: Float64Array, options: { label?: NodeLabel; limit: number }): RankedRisk[] {
  checkLimit(options.limit);
  if (R.length !== snapshot.nodeCount) throw new RangeError(`risk has ${R.length} entries, the snapshot ${snapshot.nodeCount} nodes`);
  const layer = snapshot.layers.get(metal);
  if (layer === undefined) return [];
  const labelCode = options.label === undefined ? -1 : LABEL_CODES[options.label];
  const k = options.limit;
  // Min-heap on (risk, then larger index = worse) holding the best k seen so far.
  const heap = new Int32Array(Math.min(k, snapshot.nodeCount) + 1);
  let size = 0;
  const worse = (a: number, b: number): boolean => R[a]! < R[b]! || (R[a] === R[b] && a > b);
  const siftDown = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) return;
      const rr = l + 1;
      const m = rr < size && worse(heap[rr]!, heap[l]!) ? rr : l;
      if (!worse(heap[m]!, heap[i]!)) return;
      const t = heap[i]!;
      heap[i] = heap[m]!;
      heap[m] = t;
      i = m;
    }
  };
  for (let v = 0; v < snapshot.nodeCount; v++) {
    if (layer.present[v] === 0 || (labelCode >= 0 && snapshot.labels[v] !== labelCode)) continue;
    if (size < k) {
      let i = size++;
      heap[i] = v;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!worse(heap[i]!, heap[p]!)) break;
        const t = heap[i]!;
        heap[i] = heap[p]!;
        heap[p] = t;
        i = p;
      }
    } else if (worse(heap[0]!, v)) {
      heap[0] = v;
      siftDown(0);
    }
  }
  const picked = Array.from(heap.subarray(0, size)).sort((a, b) => R[b]! - R[a]! || a - b);
  return picked.map((index) => ({ index, id: snapshot.ids[index]!, label: labelOf(snapshot, index), name: snapshot.names[index]!, risk: R[index]! }));
}
