/**
 * Impact of removing nodes (what-if; README, "The API in brief"): a supplier fails, a smelter loses its
 * status, a country is embargoed. For every company and metal:
 *
 * - lostShare: the probability that the origin walk from the company (graph/snapshot.ts: buyer → source
 *   with probability w) reaches a removed node, with removed nodes absorbing as "lost". The rest
 *   of the walk is absorbed as before: at countries, recycled smelters, undisclosed remainders
 *   and sources without origin, or circulating forever (undisclosed, not lost).
 * - cutOff: before the removal the company could reach some source of the metal (a country, a
 *   recycled smelter or another node without sources in the metal) along SUPPLIES, and after it
 *   cannot. Reachability is structural: every relationship counts, whatever its share.
 *
 * How, per metal, for all companies at once. Only nodes downstream of a removed node can lose
 * anything. Let D be the nodes reachable from a removed node along relationships of positive
 * share (removed nodes excluded). Outside D the lost share is exactly 0. Inside D
 *
 *   lost(v) = s(v) · Σ over sources u of v: w(u,v) · (1 if u is removed, lost(u) if u ∈ D, else 0),
 *
 * s(v) the origin walk's step rule (intakeScale of share-rounding.ts): 1 / (the described intake)
 * where that is 1 up to rounding or a hair above 1 (shares the snapshot left unscaled within its
 * tolerance), so that a lost share is at most 1 and equals the share of the origin mix through
 * the removed nodes; 1 where the intake falls short.
 *
 * a linear system whose matrix is substochastic and, because every node of D reaches a removed
 * node along positive shares, has spectral radius < 1: the solution is unique. It is solved over
 * the layer's condensation (cached per layer) taken sources first, visiting D only: exact in one
 * step for acyclic nodes; inside a cycle, by Gaussian elimination when its part in D has at most
 * 128 nodes, else by the sparse solver of numerics/krylov.ts (elimination in a fill-reducing
 * order, else preconditioned GMRES) to a last correction below 1e-10. Reachability after removal is recomputed only inside the
 * structural downstream cone of the removed nodes; outside it nothing changed.
 */
import type { Metal } from '../model.js';
import { clampShare, intakeScale } from '../share-rounding.js';
import { LABEL_CODES, type MetalLayer, type Snapshot, undisclosedOf } from '../snapshot.js';
import { type LayerMemo, layerMemoOf } from '../memo.js';
import { solvePiece } from '../numerics/linear-solvers.js';

export interface ImpactEntry {
  index: number;
  id: string;
  name: string;
  metal: Metal;
  /** The part of the company's intake of the metal that came through a removed node. */
  lostShare: number;
  /** True when the company could reach a source of the metal before the removal and cannot after it. */
  cutOff: boolean;
}

/** Shares lost at or below this are rounding, not impact. */
export const LOST_SHARE_EPSILON = 1e-12;
/**
 * Cycles of up to this many nodes in the cone are solved by dense elimination (O(b³)), larger ones
 * by the sparse solver (numerics/krylov.ts); both exact however slowly sweeps would converge (a
 * loop keeping 0.99999 of its intake inside).
 */
const DENSE_BLOCK_LIMIT = 128;
/**
 * How a block is solved (solvePiece); the tolerance bounds the sparse solver's last correction, the
 * error left after it is far smaller (see PIECE_SOLVE in origin-mix.ts).
 */
const BLOCK_SOLVE = { denseLimit: DENSE_BLOCK_LIMIT, tolerance: 1e-10, maxSweeps: 0, who: 'impact' } as const;

/**
 * Whether any relationship of the layer has effective share 0 (explicit shares above 1 leave the
 * others 0). Kept in the snapshot's memo.
 */
function hasZeroShares(layer: MetalLayer): boolean {
  for (let j = 0; j < layer.edgeCount; j++) if (!(layer.inWeights[j]! > 0)) return true;
  return false;
}

/**
 * 1 where the node can reach a node without sources in the layer (itself included) along
 * SUPPLIES. Layers are immutable: computed once per layer, kept in the snapshot's memo.
 */
function reachesSource(layer: MetalLayer, n: number): Uint8Array {
  const reach = new Uint8Array(n);
  const queue = new Int32Array(n);
  let tail = 0;
  for (let v = 0; v < n; v++) {
    if (layer.present[v] === 1 && layer.inOffsets[v + 1] === layer.inOffsets[v]) {
      reach[v] = 1;
      queue[tail++] = v;
    }
  }
  for (let head = 0; head < tail; head++) {
    const u = queue[head]!;
    for (let j = layer.outOffsets[u]!, end = layer.outOffsets[u + 1]!; j < end; j++) {
      const v = layer.outTargets[j]!;
      if (reach[v] === 0) {
        reach[v] = 1;
        queue[tail++] = v;
      }
    }
  }
  return reach;
}

/**
 * Every company hurt by removing `removed` (node indices), per metal (default: every metal of the
 * snapshot; metals without data are skipped), as described in the file comment. The removed
 * nodes themselves are not listed. Entries have lostShare > 1e-12 or cutOff, ordered by lostShare
 * (highest first), then id, then metal.
 */
export function impactOfRemoval(
  snapshot: Snapshot,
  removed: readonly number[],
  options: { metals?: readonly Metal[] } = {},
): ImpactEntry[] {
  const n = snapshot.nodeCount;
  const isRemoved = new Uint8Array(n);
  for (const v of removed) {
    if (!Number.isInteger(v) || v < 0 || v >= n) throw new RangeError(`removed nodes must be node indices in 0..${n - 1}, got ${v}`);
    isRemoved[v] = 1;
  }
  const metals = [...new Set(options.metals ?? snapshot.metals)].filter((m) => snapshot.layers.has(m)).sort();
  const found = new AffectedList();
  metals.forEach((metal, m) => impactInLayer(snapshot, snapshot.layers.get(metal)!, m, isRemoved, removed, found));
  // Sort positions by typed keys and build the answer's objects once, in order: with hundreds of
  // thousands of entries (an embargoed origin country) sorting objects costs twice as much.
  // Metals are numbered in name order, so comparing their numbers compares their names.
  const { node, metal, lost, cut } = found;
  const ids = snapshot.ids;
  const order = new Uint32Array(found.size);
  for (let i = 0; i < found.size; i++) order[i] = i;
  order.sort((a, b) => {
    if (lost[a] !== lost[b]) return lost[b]! - lost[a]!;
    const ia = ids[node[a]!]!;
    const ib = ids[node[b]!]!;
    if (ia !== ib) return ia < ib ? -1 : 1;
    return metal[a]! - metal[b]! || node[a]! - node[b]!;
  });
  const entries: ImpactEntry[] = new Array(found.size);
  for (let k = 0; k < found.size; k++) {
    const i = order[k]!;
    const v = node[i]!;
    entries[k] = { index: v, id: ids[v]!, name: snapshot.names[v]!, metal: metals[metal[i]!]!, lostShare: lost[i]!, cutOff: cut[i] === 1 };
  }
  return entries;
}

/** The affected (company, metal) pairs found so far, in growable typed arrays. */
class AffectedList {
  node = new Int32Array(1024);
  metal = new Uint16Array(1024);
  lost = new Float64Array(1024);
  cut = new Uint8Array(1024);
  size = 0;

  add(node: number, metal: number, lost: number, cut: boolean): void {
    if (this.size === this.node.length) {
      const cap = this.size * 2;
      const node2 = new Int32Array(cap);
      node2.set(this.node);
      this.node = node2;
      const metal2 = new Uint16Array(cap);
      metal2.set(this.metal);
      this.metal = metal2;
      const lost2 = new Float64Array(cap);
      lost2.set(this.lost);
      this.lost = lost2;
      const cut2 = new Uint8Array(cap);
      cut2.set(this.cut);
      this.cut = cut2;
    }
    const i = this.size++;
    this.node[i] = node;
    this.metal[i] = metal;
    this.lost[i] = lost;
    this.cut[i] = cut ? 1 : 0;
  }
}

/**
 * One metal's part of impactOfRemoval, in named steps: the removed nodes' downstream cone, the
 * part of it along positive shares, the lost shares over it, reachability of a source after the
 * removal, and the companies hurt.
 */
function impactInLayer(
  snapshot: Snapshot,
  layer: MetalLayer,
  metalNumber: number,
  isRemoved: Uint8Array,
  removed: readonly number[],
  found: AffectedList,
): void {
  const n = snapshot.nodeCount;
  const cone = downstreamCone(layer, n, isRemoved, removed);
  if (cone.members.length === 0) return; // nothing downstream of any removed node in this metal
  const memo = layerMemoOf(snapshot, layer);
  const positive = memo.hasZeroShares(() => hasZeroShares(layer)) ? positiveCone(layer, n, isRemoved, cone) : cone.marks;
  const lost = lostShares(memo, layer, isRemoved, positive, n);
  const before = memo.reachesSource(() => reachesSource(layer, n));
  const after = reachesSourceAfter(layer, n, isRemoved, cone, before);
  const { members } = cone;
  for (let i = 0; i < members.length; i++) {
    const v = members[i]!;
    if (snapshot.labels[v] !== LABEL_CODES.Company) continue;
    const lostShare = lost[v]!;
    const cutOff = before[v] === 1 && after[v] === 0;
    if (lostShare > LOST_SHARE_EPSILON || cutOff) found.add(v, metalNumber, lostShare, cutOff);
  }
}

/** The nodes downstream of the removed ones (not removed themselves), along any relationship. */
interface Cone {
  /** 1 on the cone's nodes, by node index. */
  marks: Uint8Array;
  /** The cone's nodes in breadth-first order. */
  members: Int32Array;
  /** The removed nodes the search started from (each once). */
  seeds: Int32Array;
}

/** The structural downstream cone of the removed nodes (any share): one breadth-first search. */
function downstreamCone(layer: MetalLayer, n: number, isRemoved: Uint8Array, removed: readonly number[]): Cone {
  const { outOffsets, outTargets } = layer;
  const cone = new Uint8Array(n);
  const queue = new Int32Array(n);
  let tail = 0;
  for (const v of removed) {
    if (isRemoved[v] !== 1 || cone[v] !== 0) continue;
    cone[v] = 3; // marks a seed; cleared below
    queue[tail++] = v;
  }
  const seeds = tail;
  for (let head = 0; head < tail; head++) {
    const u = queue[head]!;
    for (let j = outOffsets[u]!, end = outOffsets[u + 1]!; j < end; j++) {
      const v = outTargets[j]!;
      if (isRemoved[v] === 1 || cone[v] !== 0) continue;
      cone[v] = 1;
      queue[tail++] = v;
    }
  }
  for (let i = 0; i < seeds; i++) cone[queue[i]!] = 0;
  return { marks: cone, members: queue.subarray(seeds, tail), seeds: queue.subarray(0, seeds) };
}

/**
 * The cone along positive shares only: the same as the structural one unless the layer has
 * relationships of share 0 (over-declared buyers), when a second search inside the cone finds it.
 */
function positiveCone(layer: MetalLayer, n: number, isRemoved: Uint8Array, cone: Cone): Uint8Array {
  const { outOffsets, outTargets, outWeights } = layer;
  const positive = new Uint8Array(n);
  const queue = new Int32Array(cone.members.length);
  let tail = 0;
  const reach = (u: number): void => {
    for (let j = outOffsets[u]!, end = outOffsets[u + 1]!; j < end; j++) {
      const v = outTargets[j]!;
      if (isRemoved[v] === 1 || positive[v] === 1 || !(outWeights[j]! > 0)) continue;
      positive[v] = 1;
      queue[tail++] = v;
    }
  };
  for (let i = 0; i < cone.seeds.length; i++) reach(cone.seeds[i]!);
  for (let head = 0; head < tail; head++) reach(queue[head]!);
  return positive;
}

/**
 * The share of each cone node's intake lost with the removed nodes, over the layer's condensation
 * (from the memo), sources first, visiting only the (positive) cone. A cycle of the whole layer
 * may fall apart without the removed nodes; solving its members in the cone together as one
 * block is still sound (the block's matrix has spectral radius < 1).
 */
function lostShares(memo: LayerMemo, layer: MetalLayer, isRemoved: Uint8Array, positive: Uint8Array, n: number): Float64Array {
  const comps = memo.components();
  const { inOffsets, inSources, inWeights } = layer;
  const lost = new Float64Array(n);
  const update = (v: number): number => {
    let sum = 0;
    let total = undisclosedOf(layer, v);
    for (let j = inOffsets[v]!, end = inOffsets[v + 1]!; j < end; j++) {
      const u = inSources[j]!;
      const w = inWeights[j]!;
      if (w > 0) total += w;
      if (isRemoved[u] === 1) sum += w;
      else if (positive[u] === 1) sum += w * lost[u]!;
    }
    // A probability: rounding may leave it an ulp above 1.
    return clampShare(sum * intakeScale(total, inOffsets[v + 1]! - inOffsets[v]! + 1));
  };
  const { members, starts } = comps;
  const block: number[] = [];
  for (let k = 0; k < comps.count; k++) {
    const start = starts[k]!;
    if (comps.cyclic[k] === 0) {
      const v = members[start]!;
      if (positive[v] === 1) lost[v] = update(v);
      continue;
    }
    block.length = 0;
    for (let i = start; i < starts[k + 1]!; i++) if (positive[members[i]!] === 1) block.push(members[i]!);
    if (block.length === 0) continue;
    solveBlock(layer, block, isRemoved, positive, lost, eliminationOf(memo, k));
  }
  return lost;
}

/**
 * Reachability of a source after the removal, recomputed inside the structural cone only: seeded
 * from cone nodes with a source outside the cone that reached a source before (and is not removed).
 */
function reachesSourceAfter(layer: MetalLayer, n: number, isRemoved: Uint8Array, cone: Cone, before: Uint8Array): Uint8Array {
  const { inOffsets, inSources, outOffsets, outTargets } = layer;
  const marks = cone.marks;
  const after = new Uint8Array(n);
  const queue = new Int32Array(cone.members.length);
  let tail = 0;
  const { members } = cone;
  for (let i = 0; i < members.length; i++) {
    const v = members[i]!;
    for (let j = inOffsets[v]!, end = inOffsets[v + 1]!; j < end; j++) {
      const u = inSources[j]!;
      if (marks[u] === 0 && isRemoved[u] === 0 && before[u] === 1) {
        after[v] = 1;
        queue[tail++] = v;
        break;
      }
    }
  }
  for (let head = 0; head < tail; head++) {
    const u = queue[head]!;
    for (let j = outOffsets[u]!, end = outOffsets[u + 1]!; j < end; j++) {
      const v = outTargets[j]!;
      if (marks[v] === 1 && after[v] === 0) {
        after[v] = 1;
        queue[tail++] = v;
      }
    }
  }
  return after;
}

/**
 * What impact learnt of one cycle of the layer (component k), kept in the snapshot's memo: whether
 * the sparse solver's elimination gave way on it (its fill passed the bounds: a giant component
 * of a real network). The next removal on that cycle then goes to GMRES at once: trying the
 * elimination again would cost more than the solve (on a 16,000-company component, ~200 ms of a
 * 250 ms solve), and the blocks of two removals differ only by the few nodes removed.
 */
interface BlockElimination {
  givesWay: boolean;
}

function eliminationOf(memo: LayerMemo, component: number): BlockElimination {
  return memo.blockWalk(`impact:${component}`, () => ({ givesWay: false }));
}

/**
 * Solve the lost shares of one block (nodes of one cycle, in the cone): (I − Q) x = b, Q the
 * shares among block members (the step rule applied), b what flows in from removed nodes and from
 * cone nodes already final. I − Q is a nonsingular M-matrix (every member reaches a removed node):
 * solvePiece eliminates densely up to DENSE_BLOCK_LIMIT members and uses the sparse solver beyond
 * (a 5,000-company ring that leaks at one member defeated Gauss–Seidel sweeps).
 */
function solveBlock(
  layer: MetalLayer,
  block: readonly number[],
  isRemoved: Uint8Array,
  positive: Uint8Array,
  lost: Float64Array,
  elimination: BlockElimination,
): void {
  const b = block.length;
  const { inOffsets, inSources, inWeights } = layer;
  const local = new Map<number, number>();
  block.forEach((v, i) => local.set(v, i));
  const rowStart = new Int32Array(b + 1);
  const col: number[] = [];
  const weight: number[] = [];
  const rhs = new Float64Array(b);
  for (let i = 0; i < b; i++) {
    const v = block[i]!;
    let total = undisclosedOf(layer, v);
    for (let j = inOffsets[v]!, end = inOffsets[v + 1]!; j < end; j++) if (inWeights[j]! > 0) total += inWeights[j]!;
    const scale = intakeScale(total, inOffsets[v + 1]! - inOffsets[v]! + 1); // the step rule, as in update()
    let sum = 0;
    for (let j = inOffsets[v]!, end = inOffsets[v + 1]!; j < end; j++) {
      const u = inSources[j]!;
      const w = inWeights[j]! * scale;
      const k = local.get(u);
      if (k !== undefined) {
        col.push(k);
        weight.push(w);
      } else if (isRemoved[u] === 1) sum += w;
      else if (positive[u] === 1) sum += w * lost[u]!;
    }
    rhs[i] = sum;
    rowStart[i + 1] = col.length;
  }
  const options = elimination.givesWay ? { ...BLOCK_SOLVE, sparse: 'iterative' as const } : BLOCK_SOLVE;
  const method = solvePiece(b, rowStart, Int32Array.from(col), Float64Array.from(weight), rhs, 1, options);
  if (method.includes('gmres')) elimination.givesWay = true;
  // Probabilities: clamp the last ulps of rounding into [0, 1].
  for (let i = 0; i < b; i++) lost[block[i]!] = clampShare(rhs[i]!);
}
