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
 * How. The layer's strongly connected components are taken sources first (`supplyComponents`: a
 * topological pass for the acyclic part, Tarjan for the rest). An acyclic node is then exact in
 * one step (its sources are final); inside a component with a cycle, Gauss–Seidel sweeps run
 * until the largest change is below 1e-12 and so is the error it implies at the observed rate of
 * contraction (`sweepsConverged`). O(n + m) apart from those sweeps. With d < 1 each sweep shrinks
 * the error by at least d; with d = 1 a loop whose own risk and leakage are tiny contracts slowly,
 * and past a work budget the function throws rather than answer inexactly.
 */
import type { Metal, NodeLabel } from '../model.js';
import { LABEL_CODES, labelOf, type MetalLayer, type Snapshot } from '../snapshot.js';
import { intrinsicRisk, type RiskPolicy } from './risk-policy.js';

/** Inside a cyclic component, sweeps stop once the error left is estimated below this (see sweepsConverged). */
const SWEEP_TOLERANCE = 1e-12;
/** Values live in [0, 1], where a change this small is rounding (a few ulps), not progress. */
const ROUNDING_NOISE = 1e-15;
/** Sweeps × (members + edges) allowed in one component before giving up with an error. */
const SWEEP_WORK_BUDGET = 2e9;

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
  /** The first `settled` components are the single nodes of the topological pass, already handed to `visit`. */
  settled: number;
}

/**
 * The strongly connected components of a layer's supply graph restricted to mask[v] = 1, sources
 * first (every component after all components upstream of it). Supply graphs are mostly acyclic,
 * so a topological pass (Kahn, by counting each node's sources inside the mask) places the acyclic
 * part first as single-node components, cheaply; Tarjan runs only on what that pass leaves: the
 * cycles and whatever lies downstream of them. `visit(v)`, when given, is called for each node of
 * the topological pass as it is placed, after every source of it inside the mask: an analysis
 * can settle the acyclic part right there, in the same pass.
 */
export function supplyComponents(layer: MetalLayer, n: number, mask: Uint8Array, visit?: (v: number) => void): SupplyComponents {
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
    if (visit !== undefined) visit(u);
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
    return { count: acyclic, members: order.subarray(0, acyclic), starts, componentOf, cyclic: new Uint8Array(acyclic), settled: acyclic };
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
  return { count, members: order.subarray(0, acyclic + t.members.length), starts, componentOf, cyclic, settled: acyclic };
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
 * Nodes that take no part in the metal keep R = r. `intrinsic` defaults to intrinsicRisk(snapshot,
 * policy); pass it when computing several metals under one policy.
 */
export function propagateRisk(snapshot: Snapshot, metal: Metal, policy: RiskPolicy, intrinsic?: Float64Array): Float64Array {
  const r = intrinsic ?? intrinsicRisk(snapshot, policy);
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
  // The acyclic part is settled during the topological pass itself: each node once its sources are final.
  const comps = supplyComponents(layer, snapshot.nodeCount, layer.present, (v) => {
    if (inOffsets[v + 1]! > inOffsets[v]!) R[v] = update(v);
  });

  for (let k = comps.settled; k < comps.count; k++) {
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
    let converged = false;
    let previous = Number.POSITIVE_INFINITY;
    for (let sweep = 0; sweep < maxSweeps; sweep++) {
      let change = 0;
      for (let i = start; i < end; i++) {
        const v = comps.members[i]!;
        const next = update(v);
        const delta = next - R[v]!;
        if (delta > change) change = delta;
        else if (-delta > change) change = -delta;
        R[v] = next;
      }
      if (sweepsConverged(change, previous, SWEEP_TOLERANCE)) {
        converged = true;
        break;
      }
      previous = change;
    }
    if (!converged) {
      throw new Error(
        `risk propagation did not converge in a cycle of ${end - start} nodes (decay ${d}): a closed supply loop with decay 1 and almost no risk converges too slowly; use a decay below 1`,
      );
    }
  }
  return R;
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
  const intrinsic = options.intrinsic ?? intrinsicRisk(snapshot, policy);
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
