/**
 * The compiled snapshot every analysis runs on (ARCHITECTURE.md, "Layers of the engine"): an immutable picture of one store
 * version with integer node indices and, per metal, compressed adjacency (CSR) in typed arrays,
 * both directions, with the effective shares (buildLayer) already worked out.
 *
 * String ids become integers once, here. Analyses never see strings on their hot paths.
 *
 * Direction: SUPPLIES points along the material flow, source → buyer. `in*` arrays list a buyer's
 * sources (what an origin walk follows); `out*` arrays list a source's buyers (what an impact
 * follows downstream).
 *
 * Input: a scan as columns (`compileSnapshotFromColumns`, see scan-columns.ts) or as the stores'
 * row objects (`compileSnapshot`, which converts rows to columns first). Node indices are the
 * scan's positions.
 *
 * Memory: the layers' arrays are in shared memory (typed-arena.ts), as are the node columns the
 * stores' scans hand over, so that the analysis workers share one snapshot instead of each
 * holding a copy.
 *
 * Besides the CSR by node index, each layer numbers its own nodes compactly and keeps them in a
 * sources-first order of its strongly connected components (see MetalLayer.nodes).
 * Whole-layer analyses then run as one sweep in that order over arrays of the layer's size,
 * instead of a graph search over arrays of the snapshot's size: on a layer of a million nodes the
 * cost of a pass is memory latency, and array size and access order are what cut it.
 */
import { type GraphNode, type Metal, type NodeLabel, type Relationship, RMAP_STATUSES, type RmapStatus } from './model.js';
import { type LayerTopology, layerTopology, TopologyScratch } from './topology/strongly-connected.js';
import { arenaBytes, type ArrayAllocator, SHARED, TypedArena } from './typed-arena.js';
import {
  buildIdIndex,
  type IdIndex,
  KNOWN_METALS,
  LABEL_BY_CODE,
  LABEL_CODES,
  NOT_A_SMELTER,
  type NodeColumns,
  positionsOf,
  type ScanColumns,
  scanToColumns,
  type SuppliesColumns,
} from './scan-columns.js';
import { endsAllowed } from './model.js';

export { HUMAN_RIGHTS_CODES, LABEL_BY_CODE, LABEL_CODES, NOT_A_SMELTER } from './scan-columns.js';

/** Shares summing above 1 by less than this are rounding, not a data-quality problem. */
export const SHARE_TOLERANCE = 1e-9;

/** One metal's supply graph: adjacency by node index, and its topology in compact ids (LayerTopology). */
export interface MetalLayer extends LayerTopology {
  metal: Metal;
  /** Buyer v's sources are inSources[inOffsets[v] .. inOffsets[v+1]), with effective weights inWeights. */
  inOffsets: Uint32Array;
  inSources: Uint32Array;
  inWeights: Float64Array;
  /** Source u's buyers are outTargets[outOffsets[u] .. outOffsets[u+1]), weights aligned. */
  outOffsets: Uint32Array;
  outTargets: Uint32Array;
  outWeights: Float64Array;
  /** 1 where v's explicit shares summed above 1 and were scaled down (a data-quality warning). */
  overShared: Uint8Array;
  /** 1 where v takes part in this metal (has a SUPPLIES of it in or out). */
  present: Uint8Array;
  edgeCount: number;
}

export interface Snapshot extends NodeColumns {
  /** The store version this snapshot was compiled from. */
  version: number;
  /** The metals with at least one SUPPLIES, sorted. */
  metals: readonly Metal[];
  layers: ReadonlyMap<Metal, MetalLayer>;
  /** Node indices by id (see nodeIndex): several when an id exists under two labels. */
  idIndex: IdIndex;
}

/** The index of the node with this id, preferring Company, then Smelter, then Country. */
export function nodeIndex(s: Snapshot, id: string, label?: NodeLabel): number | undefined {
  const found = positionsOf(s.idIndex, s.ids, id);
  if (found.length === 0) return undefined;
  if (label !== undefined) return found.find((i) => s.labels[i] === LABEL_CODES[label]);
  let best = found[0]!;
  for (const i of found) if (s.labels[i]! < s.labels[best]!) best = i;
  return best;
}

/** The undisclosed part of node v's intake of the layer's metal (see compactUndisclosed); 0 when v takes no part in it. */
export function undisclosedOf(layer: MetalLayer, v: number): number {
  const c = layer.compactOf[v]!;
  return c < 0 ? 0 : layer.compactUndisclosed[c]!;
}

export function labelOf(s: Snapshot, i: number): NodeLabel {
  return LABEL_BY_CODE[s.labels[i]!]!;
}

export function rmapStatusOf(s: Snapshot, i: number): RmapStatus | undefined {
  const code = s.rmapStatus[i]!;
  return code === NOT_A_SMELTER ? undefined : RMAP_STATUSES[code];
}

export interface NodeSummary {
  id: string;
  label: NodeLabel;
  name: string;
}

export function summary(s: Snapshot, i: number): NodeSummary {
  return { id: s.ids[i]!, label: labelOf(s, i), name: s.names[i]! };
}

/**
 * Compile a snapshot from a full scan of the store as row objects (what `GraphStore.scan()`
 * returns): scanToColumns, then compileSnapshotFromColumns. Pure and deterministic: the same rows
 * in the same order give the same snapshot.
 */
export function compileSnapshot(scan: { version: number; nodes: readonly GraphNode[]; relationships: readonly Relationship[] }): Snapshot {
  return compileSnapshotFromColumns(scanToColumns(scan));
}

/**
 * Compile a snapshot from a scan as columns. The snapshot takes the node columns over as they are
 * (no copy): whoever made them must not change them afterwards. The SUPPLIES columns are only
 * read. Throws a RangeError naming the column and position of anything malformed: a column of the
 * wrong length, a label or status code out of range, an end that is not a node position, a metal
 * the model does not know, a share outside [0, 1], a SUPPLIES between labels the model does not
 * allow. Deterministic: the same columns give the same snapshot.
 */
export function compileSnapshotFromColumns(scan: ScanColumns): Snapshot {
  const plan = planCompile(scan);
  const { layers, malformed } = buildLayers(plan.jobs);
  return plan.assemble(layers, malformed);
}

/**
 * One metal's layer, ready to be built (here, or in another thread): the scan's SUPPLIES columns
 * as they are (all metals; the build reads those of `code`) and the node columns it needs.
 */
export interface LayerJob {
  metal: Metal;
  /** The metal's code in `supplies.metal`. */
  code: number;
  /** How many of the SUPPLIES are of this metal. */
  edgeCount: number;
  nodeCount: number;
  supplies: Pick<SuppliesColumns, 'count' | 'from' | 'to' | 'metal' | 'share'>;
  labels: Uint8Array;
  recycled: Uint8Array;
}

/** A compile in three steps, so that its layers may be built apart (see server/analytics/layer-builder.ts). */
export interface CompilePlan {
  /** One per metal with relationships, in the order of each metal's first relationship. */
  jobs: LayerJob[];
  /**
   * The snapshot, given the layers of `jobs` in the same order and the first malformed
   * relationship their builds met (see BuiltLayers; the smallest over several builds). Throws a
   * RangeError naming that relationship if there is one.
   */
  assemble(layers: readonly MetalLayer[], malformed: number): Snapshot;
  /** Builds the id index now (else assemble does): a thread waiting for layers built elsewhere may. */
  indexIds(): void;
}

/**
 * Layers as built by buildLayers, and the position of the first malformed relationship among
 * those of their metals (an end that is not a node position, a share outside [0, 1], a SUPPLIES
 * between labels the model does not allow), −1 if none. The relationships are checked as the
 * layers read them rather than in a pass of their own (a tenth of a compile at a million nodes,
 * and one that would run on one thread): a malformed one does no harm to a build (typed arrays
 * ignore writes out of range) and its layers are thrown away with the error.
 */
export interface BuiltLayers {
  layers: MetalLayer[];
  malformed: number;
}

/** The smaller position of two malformed relationships, −1 standing for none. */
export function firstMalformed(a: number, b: number): number {
  return a < 0 ? b : b < 0 ? a : Math.min(a, b);
}

/**
 * Validates the node columns and the SUPPLIES columns' shape, and counts the relationships of
 * each metal. Throws a RangeError naming the column and position of anything malformed (see
 * compileSnapshotFromColumns); each relationship's own checks come with its layer's build.
 */
export function planCompile(scan: ScanColumns): CompilePlan {
  const nodes = scan.nodes;
  checkNodeColumns(nodes);
  const n = nodes.nodeCount;
  const { labels, recycled } = nodes;
  const supplies = scan.supplies;
  const { count, from, to, metal, metals: metalTable, share } = supplies;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`supplies.count must be a non-negative integer, got ${count}`);
  for (const [name, column] of [
    ['from', from],
    ['to', to],
    ['metal', metal],
    ['share', share],
  ] as const) {
    if (column.length < count) throw new RangeError(`supplies.${name} has ${column.length} entries, fewer than supplies.count = ${count}`);
  }
  if (metalTable.length > 256) throw new RangeError(`supplies.metals lists ${metalTable.length} metals; at most 256 fit a Uint8Array code`);
  metalTable.forEach((m, i) => {
    if (!KNOWN_METALS.has(m)) throw new RangeError(`supplies.metals[${i}] is "${m}", not a metal the model knows`);
  });
  const metalCount = metalTable.length;
  // Each layer reads the SUPPLIES of its metal straight from the scan's columns: no copy split by
  // metal first (a serial pass over every relationship, a fifth of a compile at a million nodes);
  // reading the metal codes of all relationships once per layer costs far less.
  const perMetal = new Uint32Array(metalCount);
  const firstSeen = new Int32Array(metalCount).fill(-1);
  for (let k = 0; k < count; k++) {
    const m = metal[k]!;
    if (m >= metalCount) throw new RangeError(`supplies.metal[${k}] = ${m} is not an index into supplies.metals (${metalCount} metals)`);
    if (perMetal[m]! === 0) firstSeen[m] = k;
    perMetal[m]! += 1;
  }
  // Layers in order of each metal's first relationship, as a scan of rows meets them.
  const metalOrder = [...metalTable.keys()].filter((m) => firstSeen[m]! >= 0).sort((a, b) => firstSeen[a]! - firstSeen[b]!);
  const jobs = metalOrder.map(
    (m): LayerJob => ({
      metal: metalTable[m]!,
      code: m,
      edgeCount: perMetal[m]!,
      nodeCount: n,
      supplies: { count, from, to, metal, share },
      labels,
      recycled,
    }),
  );
  let idIndex = scan.idIndex !== undefined && scan.idIndex.slots.length >= 4 * n ? scan.idIndex : undefined;
  return {
    jobs,
    indexIds() {
      idIndex ??= buildIdIndex(nodes.ids);
    },
    assemble(layers, malformed) {
      if (malformed >= 0) throw describeMalformed(scan, malformed);
      if (layers.length !== jobs.length || layers.some((l, i) => l.metal !== jobs[i]!.metal))
        throw new Error('assemble: the layers do not match the jobs');
      return {
        ...nodes,
        version: scan.version,
        metals: layers.map((l) => l.metal).sort(),
        layers: new Map(layers.map((l) => [l.metal, l])),
        idIndex: (idIndex ??= buildIdIndex(nodes.ids)),
      };
    },
  };
}

/** Which SUPPLIES ends the model allows, by label codes: ALLOWED_ENDS[from * 3 + to] = 1. */
const ALLOWED_ENDS = new Uint8Array(9);
for (const f of LABEL_BY_CODE)
  for (const t of LABEL_BY_CODE) if (endsAllowed('SUPPLIES', f, t)) ALLOWED_ENDS[LABEL_CODES[f] * 3 + LABEL_CODES[t]] = 1;

/** The RangeError for relationship k, which a layer build found malformed. */
function describeMalformed(scan: ScanColumns, k: number): RangeError {
  const n = scan.nodes.nodeCount;
  const { labels } = scan.nodes;
  const f = scan.supplies.from[k]!;
  const t = scan.supplies.to[k]!;
  const s = scan.supplies.share[k]!;
  if (!(f >= 0 && f < n)) return new RangeError(`supplies.from[${k}] = ${f} is not a node position in [0, ${n})`);
  if (!(t >= 0 && t < n)) return new RangeError(`supplies.to[${k}] = ${t} is not a node position in [0, ${n})`);
  if (!(s >= 0 && s <= 1) && !Number.isNaN(s)) return new RangeError(`supplies.share[${k}] = ${s}: a share lies in [0, 1] (NaN for none)`);
  return new RangeError(`supplies ${k} goes from a ${LABEL_BY_CODE[labels[f]!]} to a ${LABEL_BY_CODE[labels[t]!]}, which SUPPLIES may not`);
}

/** The layers of these jobs, in order, their kept arrays taken from one arena (see typed-arena.ts). */
export function buildLayers(jobs: readonly LayerJob[]): BuiltLayers {
  if (jobs.length === 0) return { layers: [], malformed: -1 };
  const n = jobs[0]!.nodeCount;
  let keptBytes = 0;
  for (const job of jobs) keptBytes += layerArenaBytes(n, job.edgeCount);
  const kept = new TypedArena(keptBytes);
  const scratch = new TopologyScratch();
  const fill = { in: new Uint32Array(n), out: new Uint32Array(n) };
  const undisclosed = new Float64Array(n);
  let malformed = -1;
  const layers = jobs.map((job) => {
    const built = buildLayer(job, { kept, fill, undisclosed, scratch });
    malformed = firstMalformed(malformed, built.malformed);
    return built.layer;
  });
  return { layers, malformed };
}

function checkNodeColumns(nodes: NodeColumns): void {
  const n = nodes.nodeCount;
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 31) throw new RangeError(`nodes.nodeCount must be an integer in [0, 2^31), got ${n}`);
  const columns: [string, { length: number }][] = [
    ['ids', nodes.ids],
    ['names', nodes.names],
    ['labels', nodes.labels],
    ['countries', nodes.countries],
    ['cahra', nodes.cahra],
    ['countryLists', nodes.countryLists],
    ['countryRiskScore', nodes.countryRiskScore],
    ['rmapStatus', nodes.rmapStatus],
    ['recycled', nodes.recycled],
    ['saqScore', nodes.saqScore],
    ['humanRightsRisk', nodes.humanRightsRisk],
  ];
  for (const [name, column] of columns) {
    if (column.length !== n) throw new RangeError(`nodes.${name} has ${column.length} entries, nodes.nodeCount is ${n}`);
  }
  const { labels, rmapStatus } = nodes;
  for (let i = 0; i < n; i++) {
    if (labels[i]! > 2) throw new RangeError(`nodes.labels[${i}] = ${labels[i]} is not a label code (0 Company, 1 Smelter, 2 Country)`);
    const status = rmapStatus[i]!;
    if (status >= RMAP_STATUSES.length && status !== NOT_A_SMELTER) {
      throw new RangeError(`nodes.rmapStatus[${i}] = ${status} is neither an index into RMAP_STATUSES nor NOT_A_SMELTER`);
    }
  }
}

/** One metal's layer from its relationships (sources, buyers, shares as stored). */
/** Bytes a layer of n nodes and m relationships takes from the compile's arena of kept arrays (see buildLayer). */
function layerArenaBytes(n: number, m: number): number {
  // inOffsets, outOffsets; overShared, present; compactOf
  const byNode = 2 * arenaBytes(n + 1, 4) + 2 * arenaBytes(n, 1) + arenaBytes(n, 4);
  // inSources, outTargets, compactSources; inWeights, outWeights, compactWeights
  const byRelationship = 3 * arenaBytes(m, 4) + 3 * arenaBytes(m, 8);
  return m === 0 ? 0 : byNode + byRelationship;
}

/** What the layers of one compile share: the arena of kept arrays, and reusable temporaries. */
interface LayerWorkspace {
  kept: ArrayAllocator;
  /** Fill cursors of the two CSRs, n entries each. */
  fill: { in: Uint32Array; out: Uint32Array };
  /** Each node's undisclosed part while a layer is built (n entries; kept by compact id only). */
  undisclosed: Float64Array;
  scratch: TopologyScratch;
}

/**
 * One metal's layer from its relationships (sources, buyers, shares as stored), in four passes over
 * the scan's SUPPLIES columns and the layer's own arrays: the offsets of both adjacencies, the
 * in-adjacency with the stored shares, the effective weights (in place), the out-adjacency; then
 * its compact ids (topology/strongly-connected.ts).
 */
function buildLayer(job: LayerJob, work: LayerWorkspace): { layer: MetalLayer; malformed: number } {
  const { metal, edgeCount: count, nodeCount: n, labels, recycled } = job;
  const { kept } = work;
  const offsets = countEnds(job, kept);
  const inAdjacency = fillInAdjacency(job, work, offsets.inOffsets, offsets.malformed);
  const { inSources, inWeights } = inAdjacency;
  const { inOffsets, outOffsets } = offsets;
  const { undisclosed, overShared, present } = effectiveWeights(n, labels, recycled, inOffsets, outOffsets, inWeights, work);
  const { outTargets, outWeights } = outAdjacency(n, count, inOffsets, inSources, inWeights, outOffsets, work);
  const layer: MetalLayer = {
    metal,
    inOffsets,
    inSources,
    inWeights,
    outOffsets,
    outTargets,
    outWeights,
    overShared,
    present,
    edgeCount: count,
    ...layerTopology(inOffsets, inSources, inWeights, undisclosed, present, work.scratch, kept, SHARED),
  };
  return { layer, malformed: inAdjacency.malformed };
}

/**
 * How many relationships of the metal each node buys and sells, as CSR offsets; the first
 * relationship whose ends are malformed (−1: none).
 */
function countEnds(job: LayerJob, kept: ArrayAllocator): { inOffsets: Uint32Array; outOffsets: Uint32Array; malformed: number } {
  const { code, nodeCount: n, labels } = job;
  const { from: edgeFrom, to: edgeTo, metal: edgeMetal, count: total } = job.supplies;
  const inOffsets = kept.uint32(n + 1);
  const outOffsets = kept.uint32(n + 1);
  // The first malformed relationship of this metal (see BuiltLayers): ends here, shares below.
  let malformed = -1;
  for (let e = 0; e < total; e++) {
    if (edgeMetal[e] !== code) continue;
    const f = edgeFrom[e]!;
    const t = edgeTo[e]!;
    if (!(f >= 0 && f < n && t >= 0 && t < n && ALLOWED_ENDS[labels[f]! * 3 + labels[t]!] === 1) && malformed < 0) malformed = e;
    inOffsets[t + 1]! += 1;
    outOffsets[f + 1]! += 1;
  }
  for (let v = 0; v < n; v++) {
    inOffsets[v + 1]! += inOffsets[v]!;
    outOffsets[v + 1]! += outOffsets[v]!;
  }
  return { inOffsets, outOffsets, malformed };
}

/**
 * The in-adjacency: each buyer's sources and, where the effective weights will be, the shares as
 * stored (NaN: none); effectiveWeights turns them into weights in place (the layer keeps no copy
 * of the stored shares: the store has them). A share outside [0, 1] is malformed.
 */
function fillInAdjacency(
  job: LayerJob,
  work: LayerWorkspace,
  inOffsets: Uint32Array,
  malformedEnds: number,
): { inSources: Uint32Array; inWeights: Float64Array; malformed: number } {
  const { code, edgeCount: count, nodeCount: n } = job;
  const { from: edgeFrom, to: edgeTo, metal: edgeMetal, share: edgeShare, count: total } = job.supplies;
  const inSources = work.kept.uint32(count);
  const inWeights = work.kept.float64(count);
  const inFill = work.fill.in;
  inFill.set(inOffsets.subarray(0, n));
  let malformed = malformedEnds;
  for (let e = 0; e < total; e++) {
    if (edgeMetal[e] !== code) continue;
    const slot = inFill[edgeTo[e]!]!++;
    const share = edgeShare[e]!;
    if (!(share >= 0 && share <= 1) && !Number.isNaN(share) && (malformed < 0 || e < malformed)) malformed = e; // NaN: no share
    inSources[slot] = edgeFrom[e]!;
    inWeights[slot] = share;
  }
  return { inSources, inWeights, malformed };
}

/**
 * The effective weights, buyer by buyer, in place (each stored share read before it is
 * overwritten): explicit shares summing above 1 (beyond SHARE_TOLERANCE) are scaled down to sum
 * to 1 and the buyer marked over-shared (relationships without a share then get 0); otherwise the
 * relationships without a share split what the explicit ones leave equally, and with none, what
 * the explicit ones leave is the buyer's undisclosed part. A node without sources is an origin
 * (a country), recycled (a recycled smelter) or wholly undisclosed.
 */
function effectiveWeights(
  n: number,
  labels: Uint8Array,
  recycled: Uint8Array,
  inOffsets: Uint32Array,
  outOffsets: Uint32Array,
  inWeights: Float64Array,
  work: LayerWorkspace,
): { undisclosed: Float64Array; overShared: Uint8Array; present: Uint8Array } {
  const undisclosed = work.undisclosed.fill(0);
  const overShared = work.kept.uint8(n);
  const present = work.kept.uint8(n);
  for (let v = 0; v < n; v++) {
    const start = inOffsets[v]!;
    const end = inOffsets[v + 1]!;
    if (end > start) present[v] = 1;
    if (outOffsets[v + 1]! > outOffsets[v]!) present[v] = 1;
    if (end === start) {
      // A source. Countries are origins; a recycled smelter is recycled; anything else has an undisclosed origin.
      if (present[v] && labels[v] !== LABEL_CODES.Country && !recycled[v]) undisclosed[v] = 1;
      continue;
    }
    let declared = 0;
    let withoutShare = 0;
    for (let j = start; j < end; j++) {
      const s = inWeights[j]!;
      if (Number.isNaN(s)) withoutShare++;
      else declared += s;
    }
    if (declared > 1 + SHARE_TOLERANCE) {
      overShared[v] = 1;
      for (let j = start; j < end; j++) {
        const s = inWeights[j]!;
        inWeights[j] = Number.isNaN(s) ? 0 : s / declared;
      }
    } else if (withoutShare > 0) {
      const each = declared >= 1 ? 0 : (1 - declared) / withoutShare;
      for (let j = start; j < end; j++) {
        const s = inWeights[j]!;
        if (Number.isNaN(s)) inWeights[j] = each;
      }
    } else {
      if (declared < 1 - SHARE_TOLERANCE) undisclosed[v] = 1 - declared;
    }
  }
  return { undisclosed, overShared, present };
}

/** The reverse adjacency, with the same effective weights (w(u, v) is a property of the buyer's intake). */
function outAdjacency(
  n: number,
  count: number,
  inOffsets: Uint32Array,
  inSources: Uint32Array,
  inWeights: Float64Array,
  outOffsets: Uint32Array,
  work: LayerWorkspace,
): { outTargets: Uint32Array; outWeights: Float64Array } {
  const outTargets = work.kept.uint32(count);
  const outWeights = work.kept.float64(count);
  const outFill = work.fill.out;
  outFill.set(outOffsets.subarray(0, n));
  for (let v = 0; v < n; v++) {
    for (let j = inOffsets[v]!; j < inOffsets[v + 1]!; j++) {
      const u = inSources[j]!;
      const slot = outFill[u]!++;
      outTargets[slot] = v;
      outWeights[slot] = inWeights[j]!;
    }
  }
  return { outTargets, outWeights };
}
