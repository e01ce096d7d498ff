/**
 * A store scan as columns: what compileSnapshotFromColumns reads, without an object per node or
 * per relationship. One string array of ids (and one of names), node attributes as typed arrays,
 * and SUPPLIES with their ends as node positions (Int32Array), the metal as a Uint8Array index
 * into a small table and the share as a Float64Array (NaN where the relationship has none).
 *
 * Why: at a million nodes and five million SUPPLIES, a scan of row objects costs gigabytes of heap
 * and the compile spends most of its time in the garbage collector marking them; columns are a
 * few hundred megabytes of flat arrays. The stores build their scans for snapshots with
 * ScanColumnsBuilder as they read (`GraphStore.scanColumns`); `scanToColumns` does the same for
 * row objects (`scan()`, tests).
 *
 * Also here: the id → position index both use (an open-addressing hash in an Int32Array: a Map of a
 * million strings costs about a second to build and tens of megabytes; this, about 0.1 s and 8 MB,
 * and it survives structured cloning into worker threads).
 */
import { endsAllowed, type GraphNode, type Metal, type NodeLabel, type Relationship, RMAP_STATUSES } from './model.js';
import { METAL_IDS } from './metals.js';
import { copyOf, sameType, SHARED } from './typed-arena.js';

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
  const slots = SHARED.int32(2 * capacity).fill(-1); // shared with the analysis workers, as the snapshot's arrays
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
  const builder = new ScanColumnsBuilder(scan.nodes.length, scan.relationships.length);
  for (const node of scan.nodes) builder.node(node);
  for (const r of scan.relationships) if (r.type === 'SUPPLIES') builder.supplies(r.from, r.to, r.metal, r.share);
  return builder.finish(scan.version);
}

/** What a node contributes to the columns: a GraphNode, or just the fields the snapshot keeps (null: absent). */
export type NodeFields =
  | {
      label: 'Company';
      id: string;
      name: string;
      country: string;
      saqScore?: number | null | undefined;
      humanRightsRisk?: keyof typeof HUMAN_RIGHTS_CODES | null | undefined;
    }
  | {
      label: 'Smelter';
      id: string;
      name: string;
      country: string;
      rmapStatus?: (typeof RMAP_STATUSES)[number] | null | undefined;
      recycledOrScrap?: boolean | null | undefined;
    }
  | {
      label: 'Country';
      id: string;
      name: string;
      cahra?: boolean | null | undefined;
      lists?: readonly string[] | null | undefined;
      riskScore?: number | null | undefined;
    };

const NO_LISTS: readonly string[] = [];

/** A Uint8/Int32/Float64 column that grows by doubling, for producers that do not know the count (in shared memory when it was). */
function grown<T extends Uint8Array | Int32Array | Float64Array>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  const next = sameType(array, Math.max(needed, 2 * array.length, 16));
  next.set(array);
  return next;
}

/**
 * Builds a columnar scan row by row, without keeping row objects: all nodes first, then the
 * SUPPLIES (their ends are resolved against the nodes given so far). A store streams its records
 * into it; scanToColumns feeds it row objects.
 */
export class ScanColumnsBuilder {
  private n = 0;
  private readonly ids: string[] = [];
  private readonly names: string[] = [];
  private readonly countries: string[] = [];
  private readonly countryLists: (readonly string[])[] = [];
  private labels: Uint8Array;
  private cahra: Uint8Array;
  private countryRiskScore: Float64Array;
  private rmapStatus: Uint8Array;
  private recycled: Uint8Array;
  private saqScore: Float64Array;
  private humanRightsRisk: Uint8Array;

  private idIndex: IdIndex | undefined;
  private readonly allowed = new Uint8Array(9);
  private count = 0;
  private from: Int32Array;
  private to: Int32Array;
  private metal: Uint8Array;
  private share: Float64Array;
  private readonly metals: Metal[] = [];
  private readonly metalCode = new Map<string, number>();
  // Scans list a node's relationships together more often than not: the last lookup of each end
  // is kept, and a repeated id costs a string comparison instead of a probe.
  private lastFromId = '';
  private lastFrom = -1;
  private lastToId = '';
  private lastTo = -1;
  private lastMetalId = '';
  private lastMetal = 0;

  /** Expected counts (a hint: the columns grow past them). */
  constructor(nodes = 0, supplies = 0) {
    // In shared memory (see SHARED): a snapshot takes these columns over and shares them with the analysis workers.
    this.labels = SHARED.uint8(nodes);
    this.cahra = SHARED.uint8(nodes);
    this.countryRiskScore = SHARED.float64(nodes);
    this.rmapStatus = SHARED.uint8(nodes);
    this.recycled = SHARED.uint8(nodes);
    this.saqScore = SHARED.float64(nodes);
    this.humanRightsRisk = SHARED.uint8(nodes);
    // The SUPPLIES columns in shared memory: the layer builder's worker reads them in place.
    this.from = SHARED.int32(supplies);
    this.to = SHARED.int32(supplies);
    this.metal = SHARED.uint8(supplies);
    this.share = SHARED.float64(supplies);
    // A 3×3 table of label codes keeps the per-relationship step free of allocation.
    for (const f of LABEL_BY_CODE)
      for (const t of LABEL_BY_CODE) if (endsAllowed('SUPPLIES', f, t)) this.allowed[LABEL_CODES[f] * 3 + LABEL_CODES[t]] = 1;
  }

  /** Adds a node; returns its position. */
  node(node: NodeFields): number {
    if (this.idIndex || this.count > 0) throw new Error('ScanColumnsBuilder: a node after the first SUPPLIES');
    const i = this.n++;
    if (i >= this.labels.length) this.growNodes(i + 1);
    this.ids.push(node.id);
    this.names.push(node.name);
    this.labels[i] = LABEL_CODES[node.label];
    this.countryLists.push(NO_LISTS);
    this.countryRiskScore[i] = Number.NaN;
    this.saqScore[i] = Number.NaN;
    this.rmapStatus[i] = NOT_A_SMELTER;
    this.cahra[i] = 0;
    this.recycled[i] = 0;
    this.humanRightsRisk[i] = 0;
    switch (node.label) {
      case 'Company':
        this.countries.push(node.country);
        if (node.saqScore !== undefined && node.saqScore !== null) this.saqScore[i] = node.saqScore;
        if (node.humanRightsRisk) this.humanRightsRisk[i] = HUMAN_RIGHTS_CODES[node.humanRightsRisk];
        break;
      case 'Smelter':
        this.countries.push(node.country);
        this.rmapStatus[i] = RMAP_STATUSES.indexOf(node.rmapStatus ?? 'unknown');
        if (node.recycledOrScrap) this.recycled[i] = 1;
        break;
      case 'Country':
        this.countries.push(node.id);
        if (node.cahra) this.cahra[i] = 1;
        this.countryLists[i] = node.lists ?? NO_LISTS;
        if (node.riskScore !== undefined && node.riskScore !== null) this.countryRiskScore[i] = node.riskScore;
        break;
    }
    return i;
  }

  /**
   * One SUPPLIES by its ends' ids. An id used under two labels is settled by the end's label
   * (LABEL_CODES) when the store says it, else by which ends the model allows for SUPPLIES (the
   * last allowed pair wins); a relationship whose ends are unknown or not allowed is left out: the
   * stores refuse such rows, and a snapshot never fails on one.
   */
  supplies(fromId: string, toId: string, metalId: Metal, share: number | null | undefined, fromLabel?: number, toLabel?: number): void {
    const idIndex = (this.idIndex ??= buildIdIndex(this.ids));
    const { ids, labels, allowed } = this;
    if (fromId !== this.lastFromId) {
      this.lastFromId = fromId;
      this.lastFrom = uniquePosition(idIndex, ids, fromId);
    }
    if (toId !== this.lastToId) {
      this.lastToId = toId;
      this.lastTo = uniquePosition(idIndex, ids, toId);
    }
    let f = this.lastFrom;
    let t = f === -1 ? -1 : this.lastTo;
    if (f >= 0 && t >= 0) {
      if (!allowed[labels[f]! * 3 + labels[t]!]) return;
    } else if (f === -2 || t === -2) {
      const withLabel = (found: number[], label: number | undefined) =>
        label === undefined ? found : found.filter((i) => labels[i] === label);
      ({ f, t } = settleAmbiguous(
        withLabel(positionsOf(idIndex, ids, fromId), fromLabel),
        withLabel(positionsOf(idIndex, ids, toId), toLabel),
        labels,
        allowed,
      ));
      if (f < 0) return;
    } else return;
    this.append(f, t, metalId, share);
  }

  /**
   * One SUPPLIES by its ends' positions (as node() returned them), for a store that knows which
   * node each end is. Ends the model does not allow for SUPPLIES are left out, as by supplies().
   */
  suppliesAt(f: number, t: number, metalId: Metal, share: number | null | undefined): void {
    if (!(f >= 0 && f < this.n && t >= 0 && t < this.n)) throw new RangeError(`ScanColumnsBuilder: no node at position ${f} or ${t}`);
    if (!this.allowed[this.labels[f]! * 3 + this.labels[t]!]) return;
    this.append(f, t, metalId, share);
  }

  private append(f: number, t: number, metalId: Metal, share: number | null | undefined): void {
    if (metalId !== this.lastMetalId) {
      this.lastMetalId = metalId;
      let m = this.metalCode.get(metalId);
      if (m === undefined) {
        m = this.metals.length;
        if (m > 255) throw new RangeError(`scanToColumns: more than 256 metals (at "${metalId}")`);
        this.metals.push(metalId);
        this.metalCode.set(metalId, m);
      }
      this.lastMetal = m;
    }
    const k = this.count++;
    if (k >= this.from.length) {
      this.from = grown(this.from, k + 1);
      this.to = grown(this.to, k + 1);
      this.metal = grown(this.metal, k + 1);
      this.share = grown(this.share, k + 1);
    }
    this.from[k] = f;
    this.to[k] = t;
    this.metal[k] = this.lastMetal;
    this.share[k] = share ?? Number.NaN;
  }

  finish(version: number): ScanColumns {
    const n = this.n;
    const idIndex = this.idIndex ?? buildIdIndex(this.ids);
    const fit = <T extends Uint8Array | Int32Array | Float64Array>(a: T, length: number): T =>
      a.length === length ? a : copyOf(a, length);
    return {
      version,
      nodes: {
        nodeCount: n,
        ids: this.ids,
        names: this.names,
        labels: fit(this.labels, n),
        countries: this.countries,
        cahra: fit(this.cahra, n),
        countryLists: this.countryLists,
        countryRiskScore: fit(this.countryRiskScore, n),
        rmapStatus: fit(this.rmapStatus, n),
        recycled: fit(this.recycled, n),
        saqScore: fit(this.saqScore, n),
        humanRightsRisk: fit(this.humanRightsRisk, n),
      },
      supplies: { count: this.count, from: this.from, to: this.to, metal: this.metal, metals: this.metals, share: this.share },
      idIndex,
    };
  }

  private growNodes(needed: number): void {
    this.labels = grown(this.labels, needed);
    this.cahra = grown(this.cahra, needed);
    this.countryRiskScore = grown(this.countryRiskScore, needed);
    this.rmapStatus = grown(this.rmapStatus, needed);
    this.recycled = grown(this.recycled, needed);
    this.saqScore = grown(this.saqScore, needed);
    this.humanRightsRisk = grown(this.humanRightsRisk, needed);
  }
}

/**
 * The SUPPLIES in a canonical order — by source position, then buyer position, then metal id — so
 * that a store whose reads come back in no defined order (Neo4j) still compiles the same version
 * to the same snapshot, bit for bit (the order of a buyer's sources is the order its shares are
 * summed in). Three stable counting sorts (metal, buyer, source): linear in the relationships.
 */
export function canonicalSuppliesOrder(supplies: SuppliesColumns, nodeCount: number): SuppliesColumns {
  const { count } = supplies;
  const metalRank = new Uint8Array(supplies.metals.length);
  const byName = supplies.metals.map((m, code) => ({ m, code })).sort((x, y) => (x.m < y.m ? -1 : x.m > y.m ? 1 : 0));
  byName.forEach(({ code }, rank) => (metalRank[code] = rank));
  let order = new Int32Array(count);
  for (let k = 0; k < count; k++) order[k] = k;
  let next = new Int32Array(count);
  const pass = (keyOf: (k: number) => number, buckets: number) => {
    const starts = new Int32Array(buckets + 1);
    for (let k = 0; k < count; k++) starts[keyOf(order[k]!) + 1]! += 1;
    for (let b = 0; b < buckets; b++) starts[b + 1]! += starts[b]!;
    for (let k = 0; k < count; k++) {
      const e = order[k]!;
      next[starts[keyOf(e)]!++] = e;
    }
    [order, next] = [next, order];
  };
  const { from, to, metal, share } = supplies;
  pass((e) => metalRank[metal[e]!]!, supplies.metals.length);
  pass((e) => to[e]!, nodeCount);
  pass((e) => from[e]!, nodeCount);
  const out: SuppliesColumns = {
    count,
    from: SHARED.int32(count),
    to: SHARED.int32(count),
    metal: SHARED.uint8(count),
    metals: supplies.metals,
    share: SHARED.float64(count),
  };
  for (let k = 0; k < count; k++) {
    const e = order[k]!;
    out.from[k] = from[e]!;
    out.to[k] = to[e]!;
    out.metal[k] = metal[e]!;
    out.share[k] = share[e]!;
  }
  return out;
}

/** Ends of a relationship whose id is used under several labels: the last pair the model allows. */
function settleAmbiguous(
  fromCandidates: readonly number[],
  toCandidates: readonly number[],
  labels: Uint8Array,
  allowed: Uint8Array,
): { f: number; t: number } {
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
