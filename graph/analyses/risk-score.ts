/**
 * Propagated risk (README, "The API in brief"): every node's risk after what flows into it from its sources,
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
 * a loop no risk it does not get from its members or their sources, in line with the snapshot's rule (graph/snapshot.ts)
 * that circulating supply counts as undisclosed.
 *
 * How. The layer's compact ids are a sources-first order of its strongly connected components
 * (MetalLayer.nodes, compiled with the snapshot), so one sweep over them settles an acyclic node
 * exactly in one step (its sources are final). Inside a component with a cycle,
 * Gauss–Seidel sweeps run until the largest change is below 1e-12 and so is the error it implies
 * at the observed rate of contraction (`sweepsConverged`); a cycle of at most 64 nodes also gets
 * a few short Newton steps (`newtonPolish`), exact even where sweeps crawl. O(n + m) apart from
 * those sweeps. With d < 1 each sweep shrinks the error by at least d; with d = 1 a large loop
 * whose own risk and leakage are tiny contracts slowly, and past a work budget the function
 * throws rather than answer inexactly.
 */
import { UnsolvableCycleError } from '../errors.js';
import type { Metal, NodeLabel } from '../model.js';
import { LABEL_CODES, labelOf, type MetalLayer, type Snapshot } from '../snapshot.js';
import { memoOf } from '../memo.js';
import { type RiskPolicy, sharedIntrinsicRisk } from './risk-policy.js';
import { solveDense, sweepsConverged } from '../numerics/linear-solvers.js';
import { type Scratch, workingArray } from '../numerics/scratch.js';

/** Inside a cyclic component, sweeps stop once the error left is estimated below this (see sweepsConverged). */
const SWEEP_TOLERANCE = 1e-12;
/** Sweeps × (members + edges) allowed in one component before giving up with an error (seconds of work). */
const SWEEP_WORK_BUDGET = 2e8;

function checkIntrinsic(snapshot: Snapshot, r: Float64Array): void {
  if (r.length !== snapshot.nodeCount)
    throw new RangeError(`intrinsic risk has ${r.length} entries, the snapshot ${snapshot.nodeCount} nodes`);
}

/** What propagateRisk may be given besides the policy. */
export interface PropagationOptions {
  /** Intrinsic risk by node index (default: the policy's shared one, sharedIntrinsicRisk). */
  intrinsic?: Float64Array;
  /** Working arrays lent by a caller that propagates again and again (numerics/scratch.ts). */
  scratch?: Scratch;
}

/**
 * R(v) for every node in the metal (see the file comment for the equation and which fixed point).
 * Nodes that take no part in the metal keep R = r. `intrinsic` defaults to
 * sharedIntrinsicRisk(snapshot, policy), computed once per snapshot and policy object.
 */
export function propagateRisk(snapshot: Snapshot, metal: Metal, policy: RiskPolicy, options: PropagationOptions = {}): Float64Array {
  const r = options.intrinsic ?? sharedIntrinsicRisk(snapshot, policy);
  checkIntrinsic(snapshot, r);
  const R = Float64Array.from(r);
  const layer = snapshot.layers.get(metal);
  if (layer === undefined || layer.edgeCount === 0) return R;
  const d = policy.decay;
  // By compact id: the sweep reads rows in order and looks sources up in arrays of the layer's size.
  const { nodes, compactOffsets, compactSources, compactWeights, cyclicBlocks } = layer;
  const k = nodes.length;
  // r and R by compact id, in working arrays of the layer's size (the caller's scratch, or fresh).
  const own = workingArray(options.scratch, 0, k);
  const Rc = workingArray(options.scratch, 1, k);
  for (let c = 0; c < k; c++) own[c] = Rc[c] = r[nodes[c]!]!;
  const update = (c: number): number => {
    let keep = 1 - own[c]!;
    for (let j = compactOffsets[c]!, end = compactOffsets[c + 1]!; j < end; j++)
      keep *= 1 - d * compactWeights[j]! * Rc[compactSources[j]!]!;
    return 1 - keep;
  };

  let nextBlock = 0;
  for (let c = 0; c < k; c++) {
    if (nextBlock >= cyclicBlocks.length || cyclicBlocks[nextBlock] !== c) {
      // A node of its own: update(c) written out, its sources being final already.
      const rowStart = compactOffsets[c]!;
      const rowEnd = compactOffsets[c + 1]!;
      if (rowEnd === rowStart) continue;
      let keep = 1 - own[c]!;
      for (let j = rowStart; j < rowEnd; j++) keep *= 1 - d * compactWeights[j]! * Rc[compactSources[j]!]!;
      Rc[c] = 1 - keep;
      continue;
    }
    const start = c;
    const end = cyclicBlocks[nextBlock + 1]!;
    nextBlock += 2;
    c = end - 1;
    settleRiskBlock(layer, start, end, d, own, Rc, update);
  }
  for (let c = 0; c < k; c++) R[nodes[c]!] = Rc[c]!;
  return R;
}

/** Cycles of up to this many nodes get Newton steps after the sweeps (dense, O(b³) a step). */
const NEWTON_BLOCK_LIMIT = 64;
const SWEEPS_BEFORE_NEWTON = 5000;
/** A Newton step longer than this is not a polish of the sweeps' result: refused, sweeps go on. */
const NEWTON_MAX_STEP = 1e-3;

/**
 * Newton's method on F(R) − R = 0 over the members of one small cycle (compact ids start..end),
 * from the sweeps' current values (a point just below the least fixed point), others held fixed.
 * Solves (I − J) δ = F(R) − R with J the block's Jacobian, ∂F_v/∂R_u = d·w(u,v)·(1 − r(v))·Π over
 * v's other sources. Steps are accepted only while short (≤ 1e-3) so that the iteration polishes
 * the least fixed point the sweeps were climbing to instead of jumping to another; true when the
 * residual ends below 1e-14. r and R are by compact id.
 */
function newtonPolish(
  layer: MetalLayer,
  start: number,
  end: number,
  d: number,
  r: Float64Array,
  R: Float64Array,
  update: (c: number) => number,
): boolean {
  const b = end - start;
  const { compactOffsets, compactSources, compactWeights } = layer;
  const m = new Float64Array(b * b);
  const rhs = new Float64Array(b);
  for (let step = 0; step < 8; step++) {
    m.fill(0);
    let residual = 0;
    for (let i = 0; i < b; i++) {
      const v = start + i;
      const f = update(v);
      const res = f - R[v]!;
      if (Math.abs(res) > residual) residual = Math.abs(res);
      rhs[i] = res;
      m[i * b + i] = 1;
      const rowEnd = compactOffsets[v + 1]!;
      for (let j = compactOffsets[v]!; j < rowEnd; j++) {
        const u = compactSources[j]!;
        if (u < start || u >= end) continue;
        // The product over v's other sources, taken directly: no division by a factor that may be 0.
        let others = 1 - r[v]!;
        for (let jj = compactOffsets[v]!; jj < rowEnd; jj++) if (jj !== j) others *= 1 - d * compactWeights[jj]! * R[compactSources[jj]!]!;
        m[i * b + (u - start)]! -= d * compactWeights[j]! * others;
      }
    }
    if (residual <= 1e-15) return true;
    if (!solveDense(m, rhs, b, 1)) return false;
    let longest = 0;
    for (let i = 0; i < b; i++) longest = Math.max(longest, Math.abs(rhs[i]!));
    if (!(longest <= NEWTON_MAX_STEP)) return false;
    for (let i = 0; i < b; i++) R[start + i] = Math.min(1, Math.max(0, R[start + i]! + rhs[i]!));
  }
  let residual = 0;
  for (let v = start; v < end; v++) residual = Math.max(residual, Math.abs(update(v) - R[v]!));
  return residual <= 1e-14;
}

/**
 * Settles one cyclic component (compact ids start..end) of propagateRisk, its sources being final:
 * Gauss–Seidel from below (members start at r) climbs to the least fixed point; small cycles
 * finish with Newton steps. Throws when neither converges.
 */
function settleRiskBlock(
  layer: MetalLayer,
  start: number,
  end: number,
  d: number,
  own: Float64Array,
  Rc: Float64Array,
  update: (c: number) => number,
): void {
  const { compactOffsets } = layer;
  // Members start at r (their values so far): Gauss–Seidel from below climbs to the least fixed point.
  const work = end - start + compactOffsets[end]! - compactOffsets[start]!;
  const maxSweeps = Math.max(1000, Math.floor(SWEEP_WORK_BUDGET / work));
  let sweeps = 0;
  let previous = Number.POSITIVE_INFINITY;
  const sweepUntil = (cap: number): boolean => {
    for (; sweeps < cap; sweeps++) {
      let change = 0;
      for (let v = start; v < end; v++) {
        const next = update(v);
        const delta = next - Rc[v]!;
        if (delta > change) change = delta;
        else if (-delta > change) change = -delta;
        Rc[v] = next;
      }
      if (sweepsConverged(change, previous, SWEEP_TOLERANCE)) return true;
      previous = change;
    }
    return false;
  };
  let converged: boolean;
  if (end - start <= NEWTON_BLOCK_LIMIT) {
    // Small cycles: sweep a while, then finish with Newton steps, which also settle a loop that
    // keeps nearly all of its intake (decay 1) where sweeps would crawl or stall at rounding.
    // Newton is tried after 5000 sweeps, then after twice as many each time, until it takes.
    converged = false;
    for (let check = SWEEPS_BEFORE_NEWTON; ; check *= 2) {
      const swept = sweepUntil(Math.min(maxSweeps, check));
      if (newtonPolish(layer, start, end, d, own, Rc, update) || swept) {
        converged = true;
        break;
      }
      if (check >= maxSweeps) break;
    }
  } else {
    converged = sweepUntil(maxSweeps);
  }
  if (!converged) {
    throw new UnsolvableCycleError(
      `risk propagation did not converge in a cycle of ${end - start} nodes (decay ${d}): a closed supply loop with decay 1 and almost no risk converges too slowly; use a decay below 1`,
    );
  }
}

/**
 * propagateRisk under the policy's shared intrinsic risk, computed once per snapshot, policy and
 * metal and kept in the snapshot's memo. Shared: do not modify the array it returns.
 */
export function sharedRisk(snapshot: Snapshot, metal: Metal, policy: RiskPolicy): Float64Array {
  return memoOf(snapshot)
    .policy(policy)
    .propagated(metal, () => propagateRisk(snapshot, metal, policy));
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
}

function checkNode(snapshot: Snapshot, v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v >= snapshot.nodeCount)
    throw new RangeError(`${what} must be a node index in 0..${snapshot.nodeCount - 1}, got ${v}`);
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

/** What explainRisk explains: node v's risk in the metal under the policy, with up to `limit` contributors. */
export interface RiskQuestion {
  node: number;
  metal: Metal;
  policy: RiskPolicy;
  limit: number;
}

/**
 * Why v has the risk it has: its intrinsic risk and its direct sources in the metal by
 * contribution d · w(u,v) · R(u), highest first (ties by node index), the top `limit` of those
 * above 0. R and r are the policy's shared arrays (sharedRisk, sharedIntrinsicRisk).
 */
export function explainRisk(snapshot: Snapshot, question: RiskQuestion): RiskExplanation {
  const { node: v, metal, policy, limit } = question;
  checkNode(snapshot, v, 'node');
  checkLimit(limit);
  const R = sharedRisk(snapshot, metal, policy);
  const intrinsic = sharedIntrinsicRisk(snapshot, policy);
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
    contributors: found.slice(0, limit).map(({ index, contribution }) => ({
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

/** What rankByRisk ranks: the metal's nodes (of one label, if given) under the policy, the top `limit`. */
export interface RiskRankingQuestion {
  metal: Metal;
  policy: RiskPolicy;
  label?: NodeLabel;
  limit: number;
}

/**
 * The nodes that take part in the metal (of one label, if given) by propagated risk (the policy's
 * sharedRisk), highest first, ties by node index; the top `limit`. A bounded heap keeps it
 * O(n log limit).
 */
export function rankByRisk(snapshot: Snapshot, question: RiskRankingQuestion): RankedRisk[] {
  const { metal, policy, label, limit } = question;
  checkLimit(limit);
  const layer = snapshot.layers.get(metal);
  if (layer === undefined) return [];
  const R = sharedRisk(snapshot, metal, policy);
  const labelCode = label === undefined ? -1 : LABEL_CODES[label];
  const k = limit;
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
  return picked.map((index) => ({
    index,
    id: snapshot.ids[index]!,
    label: labelOf(snapshot, index),
    name: snapshot.names[index]!,
    risk: R[index]!,
  }));
}
