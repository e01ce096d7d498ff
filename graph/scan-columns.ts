/**
 * A store scan as columns: what compileSnapshotFromColumns reads, without an object per node or
 * per relationship. One string array of ids (and one of names), node attributes as typed arrays,
 * and SUPPLIES with their ends as node positions (Int32Array), the metal as a Uint8Array index
 * into a small table and the share as a Float64Array (NaN where the relationship has none).
 *
 * Why: at a million nodes and five million SUPPLIES, a scan of row objects costs gigabytes of heap
 * and the compile spends most of its time in the garbage collector marking them; columns are a
 * few hundred megabytes of flat arrays. The stores return row objects today (`scan()`), so
 * `scanToColumns` converts rows to columns in one pass per kind of row; a store that produced
 * columns itself (Neo4j's driver hands back records one at a time) would skip the row objects.
 *
 * Also here: the id → position index both use (an open-addressing hash in an Int32Array: a Map of a
 * million strings costs about a second to build and tens of megabytes; this, about 0.1 s and 8 MB,
 * and it survives structured cloning into worker threads).
 */
import { endsAllowed, type GraphNode, type Metal, type NodeLabel, type Relationship, RMAP_STATUSES } from './model.js';
import { METAL_IDS } from './metals.js';

export const LABEL_CODES = { Company: 0, Smelter: 1, Country: 2 } as const satisfies Record<NodeLabel, number>;
export const LABEL_BY_CODE: readonly NodeLabel[] = ['Company', 'Smelter', 'Country'];
export const HUMAN_RIGHTS_CODES = { none: 0, low: 1, medium: 2, high: 3 } as const;
/** rmapStatus of a node that is not a smelter. */
export const NOT_A_SMELTER = 255;

/** Node attributes by position, as the snapshot keeps them. */
export interface NodeColumns {
  nodeCount: number;
  ids: readonly string[];
  names: readonly string[];
  /** LABEL_CODES. */
  labels: Uint8Array;
  /** ISO alpha-2 of the node's country (its own id for a Country). */
  countries: readonly string[];
  /** Countries: on a CAHRA list. */
  cahra: Uint8Array;
  /** Countries: the lists naming it (EU-CAHRA, DFA-1502…); empty for other nodes. */
  countryLists: readonly (readonly string[])[];
  /** Countries: riskScore, NaN when absent. */
  countryRiskScore: Float64Array;
  /** Smelters: index into RMAP_STATUSES; NOT_A_SMELTER for other nodes. */
  rmapStatus: Uint8Array;
  /** Smelters: recycled or scrap source. */
  recycled: Uint8Array;
  /** Companies: SAQ score 0..100, NaN when absent. */
  saqScore: Float64Array;
  /** Companies: HUMAN_RIGHTS_CODES. */
  humanRightsRisk: Uint8Array;
}

/** SUPPLIES relationships by position k < count (arrays may be longer than count). */
export interface SuppliesColumns {
  count: number;
  /** Node positions of the source (from) and the buyer (to). */
  from: Int32Array;
  to: Int32Array;
  /** Index into `metals`. */
  metal: Uint8Array;
  metals: readonly Metal[];
  /** The explicit share, NaN where the relationship has none. */
  share: Float64Array;
}

export interface ScanColumns {
  /** The store version the scan was taken at. */
  version: number;
  nodes: NodeColumns;
  supplies: SuppliesColumns;
  /** The index of nodes.ids, when the producer built one already (scanToColumns does). */
  idIndex?: IdIndex;
}

// ---------------------------------------------------------------------------------------------
// The id index

/**
 * Positions by id: open addressing with linear probing over a power-of-two table at most half
 * full. Slot p is the pair slots[2p] (a position, −1 when empty) and slots[2p + 1] (that id's
 * hash): a probe compares hashes within one cache line and reads an id string only when the hash
 * matches. An id under several labels has several slots. Deterministic (no seed), so equal id
 * arrays give equal tables; typed arrays only, so it survives structured cloning.
 */
export interface IdIndex {
  slots: Int32Array;
}

/** FNV-1a over UTF-16 code units with a murmur-style finish (spreads consecutive ids). */
function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let c = 0; c < id.length; c++) h = Math.imul(h ^ id.charCodeAt(c), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

export function buildIdIndex(ids: readonly string[]): IdIndex {
  const n = ids.length;
  let capacity = 16;
  while (capacity < 2 * n) capacity *= 2;
  const mask = capacity - 1;
  // Hash everything first, then insert: two tight loops run several times faster than one that
  // interleaves string reads with random writes into the table.
  const hashes = new Int32Array(n);
  for (let i = 0; i < n; i++) hashes[i] = idHash(ids[i]!);
  const slots = new Int32Array(2 * capacity).fill(-1);
  for (let i = 0; i < n; i++) {
    const h = hashes[i]!;
    let p = h & mask;
    while (slots[2 * p] !== -1) p = (p + 1) & mask;
    slots[2 * p] = i;
    slots[2 * p + 1] = h;
  }
  return { slots };
}

/** Every position holding this id, in position order (usually one; none when unknown). */
export function positionsOf(index: IdIndex, ids: readonly string[], id: string): number[] {
  const { slots } = index;
  const mask = (slots.length >> 1) - 1;
  const h = idHash(id);
  const found: number[] = [];
  for (let p = h & mask; ; p = (p + 1) & mask) {
    const i = slots[2 * p]!;
    if (i === -1) break;
    if (slots[2 * p + 1] === h && ids[i] === id) found.push(i);
  }
  return found.length > 1 ? found.sort((a, b) => a - b) : found;
}

/** The one position with this id when there is exactly one, −1 when none, −2 when several. */
function uniquePosition(index: IdIndex, ids: readonly string[], id: string): number {
  const { slots } = index;
  const mask = (slots.length >> 1) - 1;
  const h = idHash(id);
  let found = -1;
  for (let p = h & mask; ; p = (p + 1) & mask) {
    const i = slots[2 * p]!;
    if (i === -1) return found;
    if (slots[2 * p + 1] === h && ids[i] === id) {
      if (found !== -1) return -2;
      found = i;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Rows → columns

/**
 * The scan of a store (row objects) as columns, in one pass over the nodes and one over the
 * relationships. Only SUPPLIES are kept (LOCATED_IN adds nothing the nodes do not say). Each end
 * is resolved to a node position; an id used under two labels is settled by which ends the model
 * allows for SUPPLIES (the last allowed pair wins). A relationship whose ends are unknown or
 * not allowed is left out: the store refuses such rows, and a snapshot never fails on one.
 */
export function scanToColumns(scan: { version: number; nodes: readonly GraphNode[]; relationships: readonly Relationship[] }): ScanColumns {
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
  }
  const idIndex = buildIdIndex(ids);

  // A 3×3 table of label codes keeps the per-relationship loop free of allocation.
  const allowed = new Uint8Array(9);
  for (const f of LABEL_BY_CODE) for (const t of LABEL_BY_CODE) if (endsAllowed('SUPPLIES', f, t)) allowed[LABEL_CODES[f] * 3 + LABEL_CODES[t]] = 1;
  const rels = scan.relationships;
  const from = new Int32Array(rels.length);
  const to = new Int32Array(rels.length);
  const metal = new Uint8Array(rels.length);
  const share = new Float64Array(rels.length);
  const metals: Metal[] = [];
  const metalCode = new Map<Metal, number>();
  let count = 0;
  // Scans list a node's relationships together more often than not: the last lookup of each end
  // is kept, and a repeated id costs a string comparison instead of a probe.
  let lastFromId = '';
  let lastFrom = -1;
  let lastToId = '';
  let lastTo = -1;
  let lastMetalId = '';
  let lastMetal = 0;
  for (const r of rels) {
    if (r.type !== 'SUPPLIES') continue;
    if (r.from !== lastFromId) {
      lastFromId = r.from;
      lastFrom = uniquePosition(idIndex, ids, r.from);
    }
    if (r.to !== lastToId) {
      lastToId = r.to;
      lastTo = uniquePosition(idIndex, ids, r.to);
    }
    let f = lastFrom;
    let t = f === -1 ? -1 : lastTo;
    if (f >= 0 && t >= 0) {
      if (!allowed[labels[f]! * 3 + labels[t]!]) continue;
    } else if (f === -2 || t === -2) {
      ({ f, t } = settleAmbiguous(positionsOf(idIndex, ids, r.from), positionsOf(idIndex, ids, r.to), labels, allowed));
      if (f < 0) continue;
    } else continue;
    if (r.metal !== lastMetalId) {
      lastMetalId = r.metal;
      let m = metalCode.get(r.metal);
      if (m === undefined) {
        m = metals.length;
        if (m > 255) throw new RangeError(`scanToColumns: more than 256 metals (at "${r.metal}")`);
        metals.push(r.metal);
        metalCode.set(r.metal, m);
      }
      lastMetal = m;
    }
    const m = lastMetal;
    from[count] = f;
    to[count] = t;
    metal[count] = m;
    share[count] = r.share ?? Number.NaN;
    count++;
  }
  return {
    version: scan.version,
    nodes: { nodeCount: n, ids, names, labels, countries, cahra, countryLists, countryRiskScore, rmapStatus, recycled, saqScore, humanRightsRisk },
    supplies: { count, from, to, metal, metals, share },
    idIndex,
  };
}

/** Ends of a relationship whose id is used under several labels: the last pair the model allows. */
function settleAmbiguous(fromCandidates: readonly number[], toCandidates: readonly number[], labels: Uint8Array, allowed: Uint8Array): { f: number; t: number } {
  let f = -1;
  let t = -1;
  for (const a of fromCandidates) {
    for (const b of toCandidates) {
      if (allowed[labels[a]! * 3 + labels[b]!]) {
        f = a;
        t = b;
      }
    }
  }
  return { f, t };
}

/** Every metal id the model knows, for validating a column scan's metal table. */
export const KNOWN_METALS: ReadonlySet<string> = new Set(METAL_IDS);
