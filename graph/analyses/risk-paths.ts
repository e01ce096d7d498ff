/**
 * Risk paths (README, "The API in brief"): the top-k simple paths from a company upstream to high-risk
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
 * How: the k best simple paths by this product, hop-bounded (graph/topology/k-best-paths.ts: Yen's
 * algorithm over a spur search exact in floating point), polynomial in nodes, relationships, k
 * and maxDepth. It replaced a best-first search over path prefixes, which on equal-split lattices
 * (every path of one weight) enumerated every prefix: 37 s and 0.7 GB for a 10×7 lattice.
 * The high-risk distances (one breadth-first pass, kept in the snapshot's memo per policy and
 * metal) let the searches skip nodes with no high-risk
 * source within the depth left.
 * Ties: weight, then the lexicographically smaller sequence of node indices (a path before its
 * extensions).
 */
import { type Metal, type NodeLabel, RMAP_STATUSES } from '../model.js';
import { LABEL_CODES, labelOf, type MetalLayer, type Snapshot } from '../snapshot.js';
import { kBestProductPaths, type PathSearchWork } from '../topology/k-best-paths.js';
import { type HighRiskDistances, memoOf } from '../memo.js';
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
const HIGH_RISK_RMAP_CODES: readonly number[] = (['non_conformant', 'not_enrolled', 'unknown'] as const).map((s) =>
  RMAP_STATUSES.indexOf(s),
);

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

/**
 * How far upstream the nearest high-risk source is, for every node: one breadth-first pass from
 * all high-risk sources along buyer edges of positive share, O(n + m). It lets the search drop a
 * prefix that cannot reach any high-risk source within the depth it has left, which is what keeps
 * a company with no (or few) risky sources from enumerating every path above it. Kept in the
 * snapshot's memo per (policy, metal, intrinsic-risk array): reuse the same array, unmodified.
 */
function highRiskDistances(snapshot: Snapshot, layer: MetalLayer, policy: RiskPolicy, r: Float64Array): HighRiskDistances {
  return memoOf(snapshot)
    .policy(policy)
    .highRiskDistances(layer.metal, r, () => buildHighRiskDistances(snapshot, layer, policy, r));
}

function buildHighRiskDistances(snapshot: Snapshot, layer: MetalLayer, policy: RiskPolicy, r: Float64Array): HighRiskDistances {
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
  return { toHighRisk, beyond };
}

/** What topRiskPaths takes besides the company: how many paths, how deep, and optionally its own intrinsic risk. */
export interface RiskPathOptions {
  limit: number;
  maxDepth: number;
  /** Intrinsic risk by node index; default the policy's shared one. */
  intrinsic?: Float64Array;
  /** Counts the search's work (tests hold it to its polynomial bound). */
  work?: PathSearchWork;
}

/**
 * The top `limit` risk paths from c upstream in the metal, at most `maxDepth` edges long, highest
 * weight first (see the file comment). The first call for a (policy, metal) builds the high-risk
 * distances, O(n + m), kept in the snapshot's memo; later calls for any company reuse them.
 */
export function topRiskPaths(snapshot: Snapshot, metal: Metal, policy: RiskPolicy, c: number, options: RiskPathOptions): RiskPath[] {
  checkRiskPathRequest(snapshot, c, options);
  const r = options.intrinsic ?? sharedIntrinsicRisk(snapshot, policy);
  if (r.length !== snapshot.nodeCount)
    throw new RangeError(`intrinsic risk has ${r.length} entries, the snapshot ${snapshot.nodeCount} nodes`);
  const layer = snapshot.layers.get(metal);
  if (layer === undefined) return [];
  // A path prefix ending at u with k edges is worth extending only if a high-risk source lies within maxDepth − k edges above u.
  // toHighRisk[u] = 0 marks the high-risk sources themselves.
  const { toHighRisk, beyond } = highRiskDistances(snapshot, layer, policy, r);
  if (beyond[c]! > options.maxDepth) return [];
  const { inOffsets, inSources, inWeights } = layer;
  const paths = kBestProductPaths(
    { offsets: inOffsets, targets: inSources, weights: inWeights, decay: policy.decay, endFactor: r, hopsToEnd: toHighRisk },
    c,
    options.limit,
    options.maxDepth,
    options.work,
  );
  return paths.map(({ nodes, weight }) => ({ weight, hops: hopsOf(snapshot, layer, nodes) }));
}

function checkRiskPathRequest(snapshot: Snapshot, c: number, { limit, maxDepth }: RiskPathOptions): void {
  if (!Number.isInteger(c) || c < 0 || c >= snapshot.nodeCount)
    throw new RangeError(`company must be a node index in 0..${snapshot.nodeCount - 1}, got ${c}`);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RISK_PATH_LIMIT)
    throw new RangeError(`limit must be an integer in 1..${MAX_RISK_PATH_LIMIT}, got ${limit}`);
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_RISK_PATH_DEPTH) {
    throw new RangeError(`maxDepth must be an integer in 1..${MAX_RISK_PATH_DEPTH}, got ${maxDepth}`);
  }
}

/** A path's nodes (company first) as the answer's hops, each with the share of the previous hop's intake it supplies. */
function hopsOf(snapshot: Snapshot, layer: MetalLayer, nodes: readonly number[]): RiskPathHop[] {
  return nodes.map((index, i) => ({
    index,
    id: snapshot.ids[index]!,
    label: labelOf(snapshot, index),
    name: snapshot.names[index]!,
    metal: layer.metal,
    share: i === 0 ? 1 : shareOf(layer, nodes[i - 1]!, index),
  }));
}

/** The effective share of buyer v's intake that comes from u (the layer holds one relationship per pair). */
function shareOf(layer: MetalLayer, v: number, u: number): number {
  for (let j = layer.inOffsets[v]!, end = layer.inOffsets[v + 1]!; j < end; j++) if (layer.inSources[j] === u) return layer.inWeights[j]!;
  throw new Error(`risk paths: no relationship ${u} → ${v}`);
}
