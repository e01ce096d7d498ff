/**
 * The compiled snapshot every analysis runs on (SPEC §2): an immutable picture of one store
 * version with integer node indices and, per metal, compressed adjacency (CSR) in typed arrays,
 * both directions, with the effective shares of SPEC §1 already worked out.
 *
 * String ids become integers once, here. Analyses never see strings on their hot paths.
 *
 * Direction: SUPPLIES points along the material flow, source → buyer. `in*` arrays list a buyer's
 * sources (what an origin walk follows); `out*` arrays list a source's buyers (what an impact
 * follows downstream).
 */
import { endsAllowed, type GraphNode, type Metal, type NodeLabel, type Relationship, RMAP_STATUSES, type RmapStatus } from './model.js';

export const LABEL_CODES = { Company: 0, Smelter: 1, Country: 2 } as const satisfies Record<NodeLabel, number>;
export const LABEL_BY_CODE: readonly NodeLabel[] = ['Company', 'Smelter', 'Country'];
export const HUMAN_RIGHTS_CODES = { none: 0, low: 1, medium: 2, high: 3 } as const;

/** Shares summing above 1 by less than this are rounding, not a data-quality problem. */
export const SHARE_TOLERANCE = 1e-9;

export interface MetalLayer {
  metal: Metal;
  /** Buyer v's sources are inSources[inOffsets[v] .. inOffsets[v+1]), with effective weights inWeights. */
  inOffsets: Uint32Array;
  inSources: Uint32Array;
  inWeights: Float64Array;
  /** The explicit share as stored (NaN when the relationship has none), aligned with inSources. */
  inDeclaredShares: Float64Array;
  /** Source u's buyers are outTargets[outOffsets[u] .. outOffsets[u+1]), weights aligned. */
  outOffsets: Uint32Array;
  outTargets: Uint32Array;
  outWeights: Float64Array;
  /**
   * Part of v's intake of this metal whose origin is not disclosed: the uncovered remainder of
   * explicit shares, or 1 for a non-country node with no sources (unless it is recycled/scrap).
   * 0 for nodes that take no part in this metal.
   */
  undisclosed: Float64Array;
  /** 1 where v's explicit shares summed above 1 and were scaled down (a data-quality warning). */
  overShared: Uint8Array;
  /** 1 where v takes part in this metal (has a SUPPLIES of it in or out). */
  present: Uint8Array;
  edgeCount: number;
}

export interface Snapshot {
  /** The store version this snapshot was compiled from. */
  version: number;
  nodeCount: number;
  ids: readonly string[];
  names: readonly string[];
  labels: Uint8Array;
  /** ISO alpha-2 of the node's country (its own id for a Country). */
  countries: readonly string[];
  /** Countries: on a CAHRA list. */
  cahra: Uint8Array;
  /** Countries: the lists naming it (EU-CAHRA, DFA-1502…); empty for other nodes. */
  countryLists: readonly (readonly string[])[];
  /** Countries: riskScore, NaN when absent. */
  countryRiskScore: Float64Array;
  /** Smelters: index into RMAP_STATUSES; 255 for other nodes. */
  rmapStatus: Uint8Array;
  /** Smelters: recycled or scrap source. */
  recycled: Uint8Array;
  /** Companies: SAQ score 0..100, NaN when absent. */
  saqScore: Float64Array;
  /** Companies: HUMAN_RIGHTS_CODES. */
  humanRightsRisk: Uint8Array;
  metals: readonly Metal[];
  layers: ReadonlyMap<Metal, MetalLayer>;
  /** Nodes by id alone; several when an id exists under two labels. */
  indicesById: ReadonlyMap<string, number | number[]>;
}

export const NOT_A_SMELTER = 255;

/** The index of the node with this id, preferring Company, then Smelter, then Country. */
export function nodeIndex(s: Snapshot, id: string, label?: NodeLabel): number | undefined {
  const found = s.indicesById.get(id);
  if (found === undefined) return undefined;
  if (typeof found === 'number') return label === undefined || s.labels[found] === LABEL_CODES[label] ? found : undefined;
  if (label !== undefined) return found.find((i) => s.labels[i] === LABEL_CODES[label]);
  return [...found].sort((a, b) => s.labels[a]! - s.labels[b]!)[0];
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
 * Compile a snapshot from a full scan of the store. Pure and deterministic: the same rows in the
 * same order give the same snapshot.
 */
export function compileSnapshot(scan: { version: number; nodes: readonly GraphNode[]; relationships: readonly Relationship[] }): Snapshot {
  const n = scan.nodes.length;
  const ids: string[] = new Array(n);
  const names: string[] = new Array(n);
  const countries: string[] = new Array(n);
  const countryLists: (readonly string[])[] = new Array(n);
  const labels = new Uint8Array(n);
  const cahra = new Uint8Array(n);
  const countryRiskScore = new Float64Array(n).fill(Number.NaN);
  const rmapStatus = new Uint8Array(n).fill(NOT_A_SMELTER);
  const recycled = new Uint8Array(n);
  const saqScore = new Float64Array(n).fill(Number.NaN);
  const humanRightsRisk = new Uint8Array(n);
  const indicesById = new Map<string, number | number[]>();
  const NO_LISTS: readonly string[] = [];

  for (let i = 0; i < n; i++) {
    const node = scan.nodes[i]!;
    ids[i] = node.id;
    names[i] = node.name;
    labels[i] = LABEL_CODES[node.label];
    countryLists[i] = NO_LISTS;
    switch (node.label) {
      case 'Company':
        countries[i] = node.country;
        if (node.saqScore !== undefined) saqScore[i] = node.saqScore;
        if (node.humanRightsRisk !== undefined) humanRightsRisk[i] = HUMAN_RIGHTS_CODES[node.humanRightsRisk];
        break;
      case 'Smelter':
        countries[i] = node.country;
        rmapStatus[i] = RMAP_STATUSES.indexOf(node.rmapStatus ?? 'unknown');
        if (node.recycledOrScrap) recycled[i] = 1;
        break;
      case 'Country':
        countries[i] = node.id;
        if (node.cahra) cahra[i] = 1;
        countryLists[i] = node.lists ?? NO_LISTS;
        if (node.riskScore !== undefined) countryRiskScore[i] = node.riskScore;
        break;
    }
    const seen = indicesById.get(node.id);
    if (seen === undefined) indicesById.set(node.id, i);
    else indicesById.set(node.id, typeof seen === 'number' ? [seen, i] : [...seen, i]);
  }

  // Resolve SUPPLIES ends to indices once; an id under two labels is settled by which ends the model allows.
  // A 3×3 table of label codes keeps this loop free of allocation: it runs once per relationship.
  const allowed = new Uint8Array(9);
  for (const f of LABEL_BY_CODE) for (const t of LABEL_BY_CODE) if (endsAllowed('SUPPLIES', f, t)) allowed[LABEL_CODES[f] * 3 + LABEL_CODES[t]] = 1;
  const candidates = (id: string): readonly number[] => {
    const found = indicesById.get(id);
    return found === undefined ? [] : typeof found === 'number' ? [found] : found;
  };
  const metalIndex = new Map<Metal, number>();
  const metals: Metal[] = [];
  const rels = scan.relationships;
  const edgeFrom = new Uint32Array(rels.length);
  const edgeTo = new Uint32Array(rels.length);
  const edgeMetal = new Uint16Array(rels.length);
  const edgeShare = new Float64Array(rels.length);
  let e = 0;
  for (const r of rels) {
    if (r.type !== 'SUPPLIES') continue;
    let from = -1;
    let to = -1;
    const fromFound = indicesById.get(r.from);
    const toFound = indicesById.get(r.to);
    if (typeof fromFound === 'number' && typeof toFound === 'number') {
      if (allowed[labels[fromFound]! * 3 + labels[toFound]!]) {
        from = fromFound;
        to = toFound;
      }
    } else if (fromFound !== undefined && toFound !== undefined) {
      for (const f of candidates(r.from)) {
        for (const t of candidates(r.to)) {
          if (allowed[labels[f]! * 3 + labels[t]!]) {
            from = f;
            to = t;
          }
        }
      }
    }
    if (from < 0) continue; // the store refuses such rows; a snapshot never fails on one
    let m = metalIndex.get(r.metal);
    if (m === undefined) {
      m = metals.length;
      metals.push(r.metal);
      metalIndex.set(r.metal, m);
    }
    edgeFrom[e] = from;
    edgeTo[e] = to;
    edgeMetal[e] = m;
    edgeShare[e] = r.share ?? Number.NaN;
    e++;
  }
  const edgeCount = e;

  // Group the edges by metal once (a counting sort), so that each layer reads only its own.
  const metalStart = new Uint32Array(metals.length + 1);
  for (let k = 0; k < edgeCount; k++) metalStart[edgeMetal[k]! + 1]! += 1;
  for (let m = 0; m < metals.length; m++) metalStart[m + 1]! += metalStart[m]!;
  const byMetal = new Uint32Array(edgeCount);
  const metalFill = metalStart.slice(0, metals.length);
  for (let k = 0; k < edgeCount; k++) byMetal[metalFill[edgeMetal[k]!]!++] = k;

  const layers = new Map<Metal, MetalLayer>();
  metals.forEach((metal, m) => {
    const edges = byMetal.subarray(metalStart[m]!, metalStart[m + 1]!);
    layers.set(metal, buildLayer(metal, n, edges, edgeFrom, edgeTo, edgeShare, labels, recycled));
  });

  return {
    version: scan.version,
    nodeCount: n,
    ids,
    names,
    labels,
    countries,
    cahra,
    countryLists,
    countryRiskScore,
    rmapStatus,
    recycled,
    saqScore,
    humanRightsRisk,
    metals: [...metals].sort(),
    layers,
    indicesById,
  };
}

function buildLayer(
  metal: Metal,
  n: number,
  edges: Uint32Array,
  edgeFrom: Uint32Array,
  edgeTo: Uint32Array,
  edgeShare: Float64Array,
  labels: Uint8Array,
  recycled: Uint8Array,
): MetalLayer {
  const count = edges.length;
  const inOffsets = new Uint32Array(n + 1);
  const outOffsets = new Uint32Array(n + 1);
  for (let e = 0; e < count; e++) {
    const k = edges[e]!;
    inOffsets[edgeTo[k]! + 1]! += 1;
    outOffsets[edgeFrom[k]! + 1]! += 1;
  }
  for (let v = 0; v < n; v++) {
    inOffsets[v + 1]! += inOffsets[v]!;
    outOffsets[v + 1]! += outOffsets[v]!;
  }
  const inSources = new Uint32Array(count);
  const inDeclaredShares = new Float64Array(count);
  const inFill = inOffsets.slice(0, n);
  for (let e = 0; e < count; e++) {
    const k = edges[e]!;
    const slot = inFill[edgeTo[k]!]!++;
    inSources[slot] = edgeFrom[k]!;
    inDeclaredShares[slot] = edgeShare[k]!;
  }

  // Effective weights per SPEC §1, buyer by buyer.
  const inWeights = new Float64Array(count);
  const undisclosed = new Float64Array(n);
  const overShared = new Uint8Array(n);
  const present = new Uint8Array(n);
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
      const s = inDeclaredShares[j]!;
      if (Number.isNaN(s)) withoutShare++;
      else declared += s;
    }
    if (declared > 1 + SHARE_TOLERANCE) {
      overShared[v] = 1;
      for (let j = start; j < end; j++) {
        const s = inDeclaredShares[j]!;
        inWeights[j] = Number.isNaN(s) ? 0 : s / declared;
      }
    } else if (withoutShare > 0) {
      const each = declared >= 1 ? 0 : (1 - declared) / withoutShare;
      for (let j = start; j < end; j++) {
        const s = inDeclaredShares[j]!;
        inWeights[j] = Number.isNaN(s) ? each : s;
      }
    } else {
      for (let j = start; j < end; j++) inWeights[j] = inDeclaredShares[j]!;
      if (declared < 1 - SHARE_TOLERANCE) undisclosed[v] = 1 - declared;
    }
  }

  // The reverse adjacency carries the same effective weights (w(u, v) is a property of the buyer's intake).
  const outTargets = new Uint32Array(count);
  const outWeights = new Float64Array(count);
  const outFill = outOffsets.slice(0, n);
  for (let v = 0; v < n; v++) {
    for (let j = inOffsets[v]!; j < inOffsets[v + 1]!; j++) {
      const u = inSources[j]!;
      const slot = outFill[u]!++;
      outTargets[slot] = v;
      outWeights[slot] = inWeights[j]!;
    }
  }

  return {
    metal,
    inOffsets,
    inSources,
    inWeights,
    inDeclaredShares,
    outOffsets,
    outTargets,
    outWeights,
    undisclosed,
    overShared,
    present,
    edgeCount: count,
  };
}
