/**
 * Origin mix and smelter mix (README, "The API in brief"; ARCHITECTURE.md, "The path of a request").
 *
 * Both are absorption probabilities of one random walk: it starts at a buyer v and, at each node,
 * either ends as "undisclosed" (the node's uncovered remainder, or the whole node when it has no
 * known source) or steps to a source u with probability w(u, v), the effective share of the
 * snapshot. It is absorbed at countries (origins) and recycled smelters for the origin mix, and at
 * the first smelter (or country) it reaches for the smelter mix. Mass that can circulate forever in
 * a closed loop of buyers never reaches an origin and counts as undisclosed.
 *
 * Cycles are normal input, so neither walk is a path sum. The snapshot numbers every layer's nodes
 * in a sources-first order of its strongly connected components (compact ids, MetalLayer.nodes),
 * with the in-adjacency renumbered to match. Outside a cycle a node is settled in one step, all its
 * sources being settled before it (or, walking down from a buyer, all its buyers before it). A cyclic component is split into the
 * strongly connected pieces of the walk itself (steps of positive weight; an absorbing node takes
 * none), and each piece is settled by solving its linear system: exactly by dense Gaussian
 * elimination with partial pivoting up to 300 members, by Gauss–Seidel beyond (see
 * numerics/linear-solvers.ts). A piece none of whose members leaks (no remainder, no step out of it) is
 * a closed loop: what enters it is undisclosed.
 *
 * Two formulations, chosen by what each answer needs:
 * - one node, every origin (originMix, smelterMix): push the *expected number of visits* of the
 *   walk from v down to the sources (one number per upstream node), buyers before their sources:
 *   compact ids from v's downwards, skipping those no visit reached, so that only v's upstream is
 *   worked on. The mass absorbed at an absorbing node is its expected number of visits.
 *   Per-country vectors would need up to 250 numbers per upstream node; this needs one.
 * - every node, four aggregates (originSharesAll): pull the absorption probabilities of three
 *   classes (cahra, nonCahra, recycled) up from the sources in one sweep over the compact ids;
 *   undisclosed is the rest.
 *
 * The answers equal those of the engine before compact ids (a depth-first search per call) up to
 * the order of floating-point additions and where Gauss–Seidel stops on a cycle of more than 300
 * members: on the 1M-node benchmark graph (tin, tantalum, gold) within 2e-15 for originMix and
 * smelterMix, 2.2e-14 for originSharesAll.
 *
 * Step rule per non-absorbing node (the same everywhere, so the answers agree): the described
 * intake is T = Σ w + undisclosed. Where T exceeds 1 − INTAKE_ROUNDING (shares summing to 1 up
 * to rounding, or explicit shares within SHARE_TOLERANCE above 1 that the snapshot leaves
 * unscaled), every step is divided by T so that the walk neither creates nor loses mass; where T
 * falls short (relationships that all got weight 0), the shortfall is undisclosed. Relationships
 * of weight 0 are not steps of the walk, also for finding the pieces of a cycle. The rule lives in
 * share-rounding.ts (intakeScale, intakeLeak), shared with single points of failure and impact.
 *
 * The walk's masses are exact up to rounding, and rounding can leave one a few ulps above 1
 * (ten visits of a loop keeping 0.9 of its intake are 10.000000000000002): each answer's parts are
 * normalised as one mix (normaliseMix), so every share is in [0, 1] and every mix sums to 1.
 *
 * On a layer of a million nodes the cost is memory latency, not arithmetic: every relationship
 * costs a random access to its source. Both passes read each relationship of the part they need
 * once, in the layer's order, over arrays of the layer's size.
 */
import { RMAP_STATUSES, type Metal, type RmapStatus } from '../model.js';
import { LABEL_CODES, type MetalLayer, type Snapshot } from '../snapshot.js';
import { clampShare, intakeLeak, intakeScale, normaliseMix } from '../share-rounding.js';
import { layerMemoOf, type WalkTable } from '../memo.js';
import { type PreparedSystem, preparePieceKrylov, solvePreparedPiece } from '../numerics/krylov.js';
import { solvePiece } from '../numerics/linear-solvers.js';
import { type Scratch, workingArray } from '../numerics/scratch.js';
import { stronglyConnectedComponents } from '../topology/strongly-connected.js';

/** Where v's intake of a metal comes from, as probabilities summing to 1. */
export interface OriginMix {
  /** Origin countries by ISO alpha-2, only those with a positive share, keys sorted. */
  byCountry: Record<string, number>;
  /** Sum over countries on a CAHRA list. */
  cahra: number;
  /** Sum over the other countries. */
  nonCahra: number;
  /** Through recycled/scrap smelters. */
  recycled: number;
  /** Uncovered remainders, sources with no known origin, and closed loops. */
  undisclosed: number;
}

/** The four aggregates of OriginMix for every node of a layer, indexed by node; NaN for nodes not in the metal. */
export interface OriginShares {
  cahra: Float64Array;
  nonCahra: Float64Array;
  recycled: Float64Array;
  undisclosed: Float64Array;
}

/** Through which smelter v's intake passes first; bySmelter's total + notThroughSmelter = 1. */
export interface SmelterMix {
  /** By smelter id, only smelters with a positive share, keys sorted. */
  bySmelter: Record<string, number>;
  /** bySmelter summed by the smelter's RMAP status; only statuses with a positive share, in RMAP_STATUSES order. */
  byRmapStatus: Partial<Record<RmapStatus, number>>;
  /** Undisclosed remainders, sources without a smelter, closed loops: intake that reaches no smelter. */
  notThroughSmelter: number;
}

/**
 * How pieces of a cycle are solved: exactly by dense elimination up to 300 members (k³/3
 * multiply-adds: 9M at 300, a few milliseconds, and 720 kB); beyond, by the sparse solver
 * (numerics/krylov.ts: elimination while its fill stays small, else GMRES inside iterative
 * refinement) until a correction is below 1e-10 of the answer. That bounds the error of the
 * iterate it corrected; adding it leaves far less (each correction is itself solved to 1e-11 of
 * its size), well below the 1e-9 the answers are asked for. A tighter bound would only buy a
 * third correction: a third more time on a giant component.
 */
const PIECE_SOLVE = { denseLimit: 300, tolerance: 1e-10, maxSweeps: 20_000 } as const;

const COUNTRY = LABEL_CODES.Country;
const SMELTER = LABEL_CODES.Smelter;

/** Whether v takes part in this metal in this snapshot (has a SUPPLIES of it, in or out). */
export function takesMetal(snapshot: Snapshot, metal: Metal, v: number): boolean {
  const layer = snapshot.layers.get(metal);
  return layer !== undefined && Number.isInteger(v) && v >= 0 && v < snapshot.nodeCount && layer.present[v] === 1;
}

function layerFor(snapshot: Snapshot, metal: Metal, v: number, what: string): MetalLayer {
  if (!takesMetal(snapshot, metal, v)) {
    const who = Number.isInteger(v) && v >= 0 && v < snapshot.nodeCount ? `"${snapshot.ids[v]}"` : `index ${v}`;
    throw new RangeError(`${what}: node ${who} takes no part in ${metal} in snapshot ${snapshot.version}`);
  }
  return snapshot.layers.get(metal)!;
}

/** What the walks of one company may be given: working arrays lent by a caller that walks again and again (numerics/scratch.ts). */
export interface WalkOptions {
  scratch?: Scratch;
}

/** The origin mix of v for the metal. Throws a RangeError when !takesMetal(snapshot, metal, v). */
export function originMix(snapshot: Snapshot, metal: Metal, v: number, options: WalkOptions = {}): OriginMix {
  const layer = layerFor(snapshot, metal, v, 'originMix');
  return originMixOf(snapshot, walkUpstream(snapshot, layer, v, false, options.scratch));
}

/** The smelter mix of v for the metal. Throws a RangeError when !takesMetal(snapshot, metal, v). */
export function smelterMix(snapshot: Snapshot, metal: Metal, v: number, options: WalkOptions = {}): SmelterMix {
  const layer = layerFor(snapshot, metal, v, 'smelterMix');
  return smelterMixOf(snapshot, walkUpstream(snapshot, layer, v, true, options.scratch));
}

/** Both mixes of v and what the origins answer warns about, from one walk of v's upstream. */
export interface Origins {
  originMix: OriginMix;
  smelterMix: SmelterMix;
  /** Buyers upstream of v (v included) whose shares summed above 1 (node indices, unordered); empty unless asked for. */
  overSharedUpstream: number[];
}

/**
 * The origin mix and the smelter mix of v, equal bit for bit to originMix and smelterMix, from
 * one sweep of v's upstream that carries both walks side by side (their visits interleaved, so one
 * memory access per relationship serves both). With `overShared`, the sweep also follows every
 * relationship whatever its share (as the walks do not: weight 0, past an absorbing node) and
 * lists the over-shared buyers it meets. Throws a RangeError when !takesMetal(snapshot, metal, v).
 */
export function originsOf(snapshot: Snapshot, metal: Metal, v: number, options: WalkOptions & { overShared: boolean }): Origins {
  const layer = layerFor(snapshot, metal, v, 'origins');
  const walk = walkBothUpstream(snapshot, layer, v, options.overShared, options.scratch);
  return {
    originMix: originMixOf(snapshot, walk.origin),
    smelterMix: smelterMixOf(snapshot, walk.smelter),
    overSharedUpstream: walk.overShared,
  };
}

/** The origin mix from where the origin walk was absorbed. */
function originMixOf(snapshot: Snapshot, walk: Absorption): OriginMix {
  const found: [string, number, boolean][] = [];
  let recycled = 0;
  for (let i = 0; i < walk.count; i++) {
    const g = walk.nodes[i]!;
    const mass = walk.mass[i]!;
    if (!(mass > 0)) continue;
    if (snapshot.labels[g] === COUNTRY) found.push([snapshot.countries[g]!, mass, snapshot.cahra[g] === 1]);
    else recycled += mass;
  }
  found.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const codes: string[] = [];
  const masses: number[] = [];
  const isCahra: boolean[] = [];
  for (const [code, mass, cahraFlag] of found) {
    if (codes[codes.length - 1] === code) masses[masses.length - 1]! += mass;
    else {
      codes.push(code);
      masses.push(mass);
      isCahra.push(cahraFlag);
    }
  }
  // Countries, recycled and undisclosed partition the intake: normalised as one mix, so that
  // rounding (sixths of halves summing to 1.0000000000000002) neither lifts a share above 1 nor
  // the mix off 1. The CAHRA split then sums its countries.
  const parts = normaliseMix([...masses, recycled, walk.undisclosed]);
  const byCountry: Record<string, number> = {};
  let cahra = 0;
  let nonCahra = 0;
  codes.forEach((code, i) => {
    const share = parts[i]!;
    byCountry[code] = share;
    if (isCahra[i]) cahra += share;
    else nonCahra += share;
  });
  return {
    byCountry,
    cahra: clampShare(cahra),
    nonCahra: clampShare(nonCahra),
    recycled: parts[codes.length]!,
    undisclosed: parts[codes.length + 1]!,
  };
}

/** The smelter mix from where the smelter walk was absorbed. */
function smelterMixOf(snapshot: Snapshot, walk: Absorption): SmelterMix {
  const found: [string, number, number][] = [];
  let notThroughSmelter = walk.undisclosed;
  for (let i = 0; i < walk.count; i++) {
    const g = walk.nodes[i]!;
    const mass = walk.mass[i]!;
    if (!(mass > 0)) continue;
    if (snapshot.labels[g] === SMELTER) found.push([snapshot.ids[g]!, mass, snapshot.rmapStatus[g]!]);
    else notThroughSmelter += mass; // a country reached without a smelter: the model forbids it, the answer still adds up
  }
  found.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const ids: string[] = [];
  const masses: number[] = [];
  const statuses: number[] = [];
  for (const [id, mass, status] of found) {
    if (ids[ids.length - 1] === id) masses[masses.length - 1]! += mass;
    else {
      ids.push(id);
      masses.push(mass);
      statuses.push(status);
    }
  }
  // Smelters and the rest partition the intake: normalised as one mix (see originMix).
  const parts = normaliseMix([...masses, notThroughSmelter]);
  const bySmelter: Record<string, number> = {};
  const statusTotals = new Float64Array(RMAP_STATUSES.length);
  ids.forEach((id, i) => {
    bySmelter[id] = parts[i]!;
    if (statuses[i]! < RMAP_STATUSES.length) statusTotals[statuses[i]!]! += parts[i]!;
  });
  const byRmapStatus: Partial<Record<RmapStatus, number>> = {};
  RMAP_STATUSES.forEach((status, i) => {
    if (statusTotals[i]! > 0) byRmapStatus[status] = clampShare(statusTotals[i]!);
  });
  return { bySmelter, byRmapStatus, notThroughSmelter: parts[ids.length]! };
}

/** Where a walk is absorbed: countries always; recycled smelters (origin mix) or every smelter (smelter mix). */
function isAbsorbing(snapshot: Snapshot, g: number, smelterAbsorbs: boolean): boolean {
  const label = snapshot.labels[g]!;
  return label === COUNTRY || (label === SMELTER && (smelterAbsorbs || snapshot.recycled[g] === 1));
}

/** The step rule of one non-absorbing node, from its row (compact id c). */
interface Step {
  /** Factor on every step (intakeScale). */
  scale: number;
  /** Probability of ending as undisclosed here (intakeLeak). */
  leak: number;
  /** Weight of the steps back to the node itself. */
  self: number;
  /** Whether some step of positive weight leads to another node. */
  others: boolean;
}

function stepOf(layer: MetalLayer, c: number, into: Step): Step {
  const { compactOffsets, compactSources, compactWeights } = layer;
  let total = 0;
  let self = 0;
  let others = false;
  for (let j = compactOffsets[c]!, end = compactOffsets[c + 1]!; j < end; j++) {
    const w = compactWeights[j]!;
    if (!(w > 0)) continue;
    total += w;
    if (compactSources[j] === c) self += w;
    else others = true;
  }
  const own = layer.compactUndisclosed[c]!;
  total += own;
  const terms = compactOffsets[c + 1]! - compactOffsets[c]! + 1;
  into.scale = intakeScale(total, terms);
  into.leak = intakeLeak(total, own, terms);
  into.self = self;
  into.others = others;
  return into;
}

/**
 * The strongly connected pieces of the walk inside one cyclic component (compact ids a..b):
 * steps of positive weight between members, none out of an absorbing member. Pieces in
 * sources-first order; `pieceOf` and `positionOf` are indexed by compact id − a.
 */
interface Pieces {
  members: Int32Array;
  starts: Int32Array;
  count: number;
  pieceOf: Int32Array;
  positionOf: Int32Array;
}

function piecesOf(snapshot: Snapshot, layer: MetalLayer, a: number, b: number, smelterAbsorbs: boolean): Pieces {
  const { compactOffsets, compactSources, compactWeights, nodes } = layer;
  const size = b - a;
  const offsets = new Uint32Array(size + 1);
  const targets: number[] = [];
  for (let i = 0; i < size; i++) {
    const c = a + i;
    if (!isAbsorbing(snapshot, nodes[c]!, smelterAbsorbs)) {
      for (let j = compactOffsets[c]!, end = compactOffsets[c + 1]!; j < end; j++) {
        const s = compactSources[j]!;
        if (compactWeights[j]! > 0 && s >= a && s < b) targets.push(s - a);
      }
    }
    offsets[i + 1] = targets.length;
  }
  const t = stronglyConnectedComponents(size, offsets, Int32Array.from(targets), null);
  const members = new Int32Array(size);
  const positionOf = new Int32Array(size);
  for (let p = 0; p < t.count; p++) {
    for (let i = t.starts[p]!; i < t.starts[p + 1]!; i++) {
      members[i] = a + t.members[i]!;
      positionOf[t.members[i]!] = i - t.starts[p]!;
    }
  }
  return { members, starts: t.starts, count: t.count, pieceOf: t.componentOf, positionOf };
}

/**
 * A cyclic block as a walk sees it, made once per snapshot (LayerMemo.blockWalk): its pieces and,
 * for each piece beyond the dense limit, the sparse solver made ready for the visits (I − Qᵀ) and
 * for the shares (I − Q), each on first need. Checking, ordering and preconditioning a piece of
 * 16,000 members costs far more than solving it (on a giant strongly connected network, about
 * three quarters of an origin mix), and the snapshot never changes.
 */
interface BlockWalk {
  pieces: Pieces;
  /** By piece of two or more members: its step rules and exits, made on first need. */
  rules: (PieceRules | undefined)[];
  /** By piece: the prepared systems of the large pieces, made on first need. */
  visitsSystems: (PreparedSystem | undefined)[];
  sharesSystems: (PreparedSystem | undefined)[];
}

/**
 * The block's walk from the memo. The two walks (smelters absorbing or not) differ only where a
 * primary smelter is a member: otherwise they share one (and their pieces' solvers). Which it is
 * is settled once, when the block's entry is made.
 */
function blockWalkOf(snapshot: Snapshot, layer: MetalLayer, a: number, b: number, smelterAbsorbs: boolean): BlockWalk {
  const walks = layerMemoOf(snapshot, layer).blockWalk(String(a), () => blockWalks(snapshot, layer, a, b));
  return smelterAbsorbs ? walks.smelters : walks.origins;
}

function blockWalks(snapshot: Snapshot, layer: MetalLayer, a: number, b: number): { origins: BlockWalk; smelters: BlockWalk } {
  const walk = (smelterAbsorbs: boolean): BlockWalk => ({
    pieces: piecesOf(snapshot, layer, a, b, smelterAbsorbs),
    rules: [],
    visitsSystems: [],
    sharesSystems: [],
  });
  let primarySmelter = false;
  for (let c = a; c < b && !primarySmelter; c++) {
    const g = layer.nodes[c]!;
    primarySmelter = snapshot.labels[g] === SMELTER && snapshot.recycled[g] !== 1;
  }
  const origins = walk(false);
  return { origins, smelters: primarySmelter ? walk(true) : origins };
}

/**
 * What a piece of two or more members is to the walk, whatever the request: each member's step
 * rule (scale, leak), whether the walk can leave it, and its steps out of the piece (exitStart
 * by member position, into exitSource/exitWeight, the weight before scaling). Reading them once
 * per snapshot spares every request a pass over all the piece's relationships: on a 1M-node
 * network's giant component, 1.2 million of them.
 */
interface PieceRules {
  scale: Float64Array;
  leak: Float64Array;
  exits: boolean;
  exitStart: Int32Array;
  exitSource: Int32Array;
  exitWeight: Float64Array;
}

function pieceRulesOf(layer: MetalLayer, members: Int32Array, inPiece: (s: number) => boolean): PieceRules {
  const { compactOffsets, compactSources, compactWeights } = layer;
  const size = members.length;
  const step: Step = { scale: 1, leak: 0, self: 0, others: false };
  const rules: PieceRules = {
    scale: new Float64Array(size),
    leak: new Float64Array(size),
    exits: false,
    exitStart: new Int32Array(size + 1),
    exitSource: new Int32Array(0),
    exitWeight: new Float64Array(0),
  };
  const source: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < size; i++) {
    const c = members[i]!;
    stepOf(layer, c, step);
    rules.scale[i] = step.scale;
    rules.leak[i] = step.leak;
    if (step.leak > 0) rules.exits = true;
    for (let j = compactOffsets[c]!, end = compactOffsets[c + 1]!; j < end; j++) {
      const s = compactSources[j]!;
      if (!(compactWeights[j]! > 0) || inPiece(s)) continue;
      source.push(s);
      weight.push(compactWeights[j]!);
    }
    rules.exitStart[i + 1] = source.length;
  }
  if (source.length > 0) rules.exits = true;
  rules.exitSource = Int32Array.from(source);
  rules.exitWeight = Float64Array.from(weight);
  return rules;
}

/** A large piece's system from its block walk, prepared on first need (`transpose`: the visits' I − Qᵀ). */
function preparedSystemOf(
  walk: BlockWalk,
  p: number,
  transpose: boolean,
  steps: () => { rowStart: Int32Array; col: Int32Array; weight: Float64Array },
  who: string,
): PreparedSystem {
  const systems = transpose ? walk.visitsSystems : walk.sharesSystems;
  let system = systems[p];
  if (system === undefined) {
    const q = steps();
    const k = q.rowStart.length - 1;
    systems[p] = system = preparePieceKrylov(k, q.rowStart, q.col, q.weight, { transpose, who });
  }
  return system;
}

/**
 * The last large piece solved in one request, with its right-hand side: the origin walk and the
 * smelter walk of one company usually inject the same visits into a giant piece they share, and
 * then one solve serves both.
 */
interface LastSolve {
  system: PreparedSystem | undefined;
  rhs: Float64Array;
  solution: Float64Array;
}

interface Absorption {
  /** Absorbing nodes reached (node indices) and the mass absorbed at each, count entries. */
  nodes: Int32Array;
  mass: Float64Array;
  count: number;
  /** Mass absorbed as undisclosed, closed loops included. */
  undisclosed: number;
}

/** What a node is to the walks, by compact id (walkUpstream's per-layer table). */
const OTHER = 0;
const COUNTRY_NODE = 1;
const RECYCLED_SMELTER = 2;
const PRIMARY_SMELTER = 3;

/**
 * Per layer, by compact id: the step rule outside cyclic blocks (scale and leak: they depend on the
 * layer alone) and what the node is (COUNTRY_NODE …). Made on a layer's first walk and kept in the
 * snapshot's memo: a walk then reads each row once, and no node attribute by node index.
 */
function walkTable(snapshot: Snapshot, layer: MetalLayer): WalkTable {
  return layerMemoOf(snapshot, layer).walkTable(() => buildWalkTable(snapshot, layer));
}

function buildWalkTable(snapshot: Snapshot, layer: MetalLayer): WalkTable {
  const { nodes, compactOffsets, compactWeights, compactUndisclosed } = layer;
  const { labels, recycled } = snapshot;
  const k = nodes.length;
  const table: WalkTable = { scale: new Float64Array(k), leak: new Float64Array(k), kind: new Uint8Array(k) };
  for (let c = 0; c < k; c++) {
    const g = nodes[c]!;
    const label = labels[g]!;
    table.kind[c] = label === COUNTRY ? COUNTRY_NODE : label === SMELTER ? (recycled[g] === 1 ? RECYCLED_SMELTER : PRIMARY_SMELTER) : OTHER;
    let total = 0;
    for (let j = compactOffsets[c]!, end = compactOffsets[c + 1]!; j < end; j++) {
      const w = compactWeights[j]!;
      if (w > 0) total += w;
    }
    const own = compactUndisclosed[c]!;
    total += own;
    const terms = compactOffsets[c + 1]! - compactOffsets[c]! + 1;
    table.scale[c] = intakeScale(total, terms);
    table.leak[c] = intakeLeak(total, own, terms);
  }
  return table;
}

/**
 * The walk from `start` over the part of the layer upstream of it: the expected number of visits
 * of every upstream node, pushed from buyers to sources in the layer's order, compact ids from
 * start's downwards (every buyer of a node outside a cycle has a larger compact id, so a node's
 * visits are complete when the sweep reaches it). The sweep reads the visits sequentially and
 * skips the zeros: the work follows start's upstream, plus one read per compact id below start's.
 * Absorbing: countries, and recycled smelters (originMix) or every smelter (smelterMix).
 */
function walkUpstream(
  snapshot: Snapshot,
  layer: MetalLayer,
  start: number,
  smelterAbsorbs: boolean,
  scratch: Scratch | undefined,
): Absorption {
  if (isAbsorbing(snapshot, start, smelterAbsorbs)) {
    return { nodes: Int32Array.of(start), mass: Float64Array.of(1), count: 1, undisclosed: 0 };
  }
  const { compactOf, compactOffsets, compactSources, compactWeights, cyclicBlocks, nodes } = layer;
  const { scale, leak, kind } = walkTable(snapshot, layer);
  // Absorbing kinds are 1 .. absorbing: countries, recycled smelters and, for the smelter mix, the others.
  const absorbing = smelterAbsorbs ? PRIMARY_SMELTER : RECYCLED_SMELTER;
  const first = compactOf[start]!;
  // The last cyclic block starting at or below `first`; blocks are taken whole when the sweep enters them.
  let block = (cyclicBlocks.length >> 1) - 1;
  while (block >= 0 && cyclicBlocks[2 * block]! > first) block--;
  // The walk's own visits, by compact id: only ids below start's, and the rest of a cyclic block
  // start is in, can be upstream of it. The caller's scratch (zeroed when lent), or fresh.
  const visits = workingArray(scratch, 0, Math.max(first + 1, block >= 0 ? cyclicBlocks[2 * block + 1]! : 0));
  const lane: Lane = { visits, stride: 1, offset: 0 };

  const absorbedNodes: number[] = [];
  const absorbedMass: number[] = [];
  let undisclosed = 0;
  visits[first] = 1;
  for (let c = first; c >= 0; c--) {
    if (block >= 0 && c < cyclicBlocks[2 * block + 1]!) {
      const a = cyclicBlocks[2 * block]!;
      undisclosed += settleBlockVisits(snapshot, layer, a, cyclicBlocks[2 * block + 1]!, smelterAbsorbs, lane, absorbedNodes, absorbedMass);
      c = a;
      block--;
      continue;
    }
    const injected = visits[c]!;
    if (injected === 0) continue;
    visits[c] = 0;
    const what = kind[c]!;
    if (what !== OTHER && what <= absorbing) {
      absorbedNodes.push(nodes[c]!);
      absorbedMass.push(injected);
      continue;
    }
    // Outside a cyclic block a node never supplies itself: the step rule without self-loops.
    undisclosed += injected * leak[c]!;
    const fs = injected * scale[c]!;
    for (let j = compactOffsets[c]!, end = compactOffsets[c + 1]!; j < end; j++) {
      const w = compactWeights[j]!;
      if (w > 0) visits[compactSources[j]!]! += fs * w;
    }
  }
  scratch?.returnZeroed(0); // every visit was zeroed where it was read
  return { nodes: Int32Array.from(absorbedNodes), mass: Float64Array.from(absorbedMass), count: absorbedNodes.length, undisclosed };
}

/**
 * One walk's expected visits by compact id c at visits[c · stride + offset]: a walk of its own
 * (stride 1), or one of the two walks walkBothUpstream carries side by side (stride 2).
 */
interface Lane {
  visits: Float64Array;
  stride: number;
  offset: number;
}

/** Where one of walkBothUpstream's walks has got to: what it absorbed so far. */
class LaneAbsorption {
  readonly nodes: number[] = [];
  readonly mass: number[] = [];
  undisclosed = 0;

  absorb(g: number, mass: number): void {
    this.nodes.push(g);
    this.mass.push(mass);
  }

  done(): Absorption {
    return {
      nodes: Int32Array.from(this.nodes),
      mass: Float64Array.from(this.mass),
      count: this.nodes.length,
      undisclosed: this.undisclosed,
    };
  }
}

/** Lane offsets of walkBothUpstream's two walks. */
const ORIGIN_LANE = 0;
const SMELTER_LANE = 1;

/**
 * walkUpstream for the origin mix and for the smelter mix at once, in one sweep of start's
 * upstream: each walk's arithmetic is walkUpstream's, in the same order (so the answers are the
 * same bits), the two walks' visits interleaved so that reading a source's row serves both. With
 * `overShared`, the sweep also marks every node reachable upstream of start along any
 * relationship (cyclic blocks are strongly connected along every relationship: one member reached
 * reaches all) and collects the over-shared buyers among them, for the answer's warnings.
 */
function walkBothUpstream(
  snapshot: Snapshot,
  layer: MetalLayer,
  start: number,
  overShared: boolean,
  scratch: Scratch | undefined,
): { origin: Absorption; smelter: Absorption; overShared: number[] } {
  const { compactOf, compactOffsets, compactSources, compactWeights, cyclicBlocks, nodes } = layer;
  const { scale, leak, kind } = walkTable(snapshot, layer);
  const first = compactOf[start]!;
  let block = (cyclicBlocks.length >> 1) - 1;
  while (block >= 0 && cyclicBlocks[2 * block]! > first) block--;
  const size = Math.max(first + 1, block >= 0 ? cyclicBlocks[2 * block + 1]! : 0);
  const visits = workingArray(scratch, 0, 2 * size);
  const lanes = [
    { visits, stride: 2, offset: ORIGIN_LANE },
    { visits, stride: 2, offset: SMELTER_LANE },
  ];
  const origin = new LaneAbsorption();
  const smelter = new LaneAbsorption();
  // A start where a walk is absorbed ends that walk at once (walkUpstream's first case).
  if (isAbsorbing(snapshot, start, false)) origin.absorb(start, 1);
  else visits[2 * first + ORIGIN_LANE] = 1;
  if (isAbsorbing(snapshot, start, true)) smelter.absorb(start, 1);
  else visits[2 * first + SMELTER_LANE] = 1;
  const reached = overShared ? new Uint8Array(size) : undefined;
  const over: number[] = [];
  const last: LastSolve = { system: undefined, rhs: new Float64Array(0), solution: new Float64Array(0) };
  if (reached !== undefined) reached[first] = 1;
  else if (visits[2 * first] === 0 && visits[2 * first + 1] === 0) {
    scratch?.returnZeroed(0);
    return { origin: origin.done(), smelter: smelter.done(), overShared: over };
  }

  for (let c = first; c >= 0; c--) {
    if (block >= 0 && c < cyclicBlocks[2 * block + 1]!) {
      const a = cyclicBlocks[2 * block]!;
      const b = cyclicBlocks[2 * block + 1]!;
      if (reached !== undefined) reachBlock(layer, a, b, reached, over);
      origin.undisclosed += settleBlockVisits(snapshot, layer, a, b, false, lanes[0]!, origin.nodes, origin.mass, last);
      smelter.undisclosed += settleBlockVisits(snapshot, layer, a, b, true, lanes[1]!, smelter.nodes, smelter.mass, last);
      c = a;
      block--;
      continue;
    }
    const toOrigin = visits[2 * c]!;
    const toSmelter = visits[2 * c + 1]!;
    if (reached !== undefined && reached[c] === 1) reachSources(layer, c, reached, over);
    if (toOrigin === 0 && toSmelter === 0) continue;
    visits[2 * c] = 0; // zeroed where read, so a lent scratch goes back clean
    visits[2 * c + 1] = 0;
    const what = kind[c]!;
    // Absorbed: countries and recycled smelters for the origin walk, every smelter too for the smelter walk.
    let pushOrigin = 0;
    let pushSmelter = 0;
    if (toOrigin !== 0) {
      if (what !== OTHER && what <= RECYCLED_SMELTER) origin.absorb(nodes[c]!, toOrigin);
      else {
        origin.undisclosed += toOrigin * leak[c]!;
        pushOrigin = toOrigin * scale[c]!;
      }
    }
    if (toSmelter !== 0) {
      if (what !== OTHER) smelter.absorb(nodes[c]!, toSmelter);
      else {
        smelter.undisclosed += toSmelter * leak[c]!;
        pushSmelter = toSmelter * scale[c]!;
      }
    }
    if (pushOrigin === 0 && pushSmelter === 0) continue;
    for (let j = compactOffsets[c]!, end = compactOffsets[c + 1]!; j < end; j++) {
      const w = compactWeights[j]!;
      if (!(w > 0)) continue;
      const at = 2 * compactSources[j]!;
      // Each walk adds exactly what walkUpstream adds (a zero push adds +0: no change).
      visits[at]! += pushOrigin * w;
      visits[at + 1]! += pushSmelter * w;
    }
  }
  scratch?.returnZeroed(0);
  return { origin: origin.done(), smelter: smelter.done(), overShared: over };
}

/** The sweep reached compact id c: so are its sources, along every relationship; c itself may be over-shared. */
function reachSources(layer: MetalLayer, c: number, reached: Uint8Array, over: number[]): void {
  const v = layer.nodes[c]!;
  if (layer.overShared[v] === 1) over.push(v);
  for (let j = layer.compactOffsets[c]!, end = layer.compactOffsets[c + 1]!; j < end; j++) reached[layer.compactSources[j]!] = 1;
}

/** The same for a cyclic block (compact ids a..b): one member reached reaches all. */
function reachBlock(layer: MetalLayer, a: number, b: number, reached: Uint8Array, over: number[]): void {
  let any = false;
  for (let c = a; c < b && !any; c++) any = reached[c] === 1;
  if (!any) return;
  for (let c = a; c < b; c++) reached[c] = 1;
  for (let c = a; c < b; c++) reachSources(layer, c, reached, over);
}

/**
 * Settles the expected visits of one cyclic component (compact ids a..b) given the visits injected
 * into it from downstream, pushes what leaves it to its sources, zeroes its members' visits, and
 * returns the mass that ends undisclosed inside it. The walk's pieces are taken downstream first
 * (reverse of their sources-first order), so that each piece has all its injected visits when it
 * is solved.
 */
function settleBlockVisits(
  snapshot: Snapshot,
  layer: MetalLayer,
  a: number,
  b: number,
  smelterAbsorbs: boolean,
  lane: Lane,
  absorbedNodes: number[],
  absorbedMass: number[],
  last?: LastSolve,
): number {
  const { visits, stride, offset } = lane;
  let any = false;
  for (let c = a; c < b && !any; c++) any = visits[c * stride + offset]! > 0;
  if (!any) return 0;
  const walk = blockWalkOf(snapshot, layer, a, b, smelterAbsorbs);
  const pieces = walk.pieces;
  let undisclosed = 0;
  const step: Step = { scale: 1, leak: 0, self: 0, others: false };
  for (let p = pieces.count - 1; p >= 0; p--) {
    const from = pieces.starts[p]!;
    const to = pieces.starts[p + 1]!;
    const inPiece = (s: number): boolean => s >= a && s < b && pieces.pieceOf[s - a] === p;
    if (to - from === 1) {
      undisclosed += settleSingleVisits(snapshot, layer, pieces.members[from]!, smelterAbsorbs, lane, step, absorbedNodes, absorbedMass);
      continue;
    }

    // A piece of two or more members (none absorbing: an absorbing node takes no step, so it is
    // never on a cycle of the walk).
    const members = pieces.members.subarray(from, to);
    const size = to - from;
    let injectedTotal = 0;
    for (let i = 0; i < size; i++) injectedTotal += visits[members[i]! * stride + offset]!;
    if (!(injectedTotal > 0)) continue;
    const rules = (walk.rules[p] ??= pieceRulesOf(layer, members, inPiece));
    const { scale, leak, exitStart, exitSource, exitWeight } = rules;
    if (!rules.exits) {
      undisclosed += injectedTotal; // a closed loop: whatever enters circulates forever and never reaches an origin
      continue;
    }
    const at = (s: number): number => (inPiece(s) ? pieces.positionOf[s - a]! : -1);
    const f =
      size > PIECE_SOLVE.denseLimit
        ? solveLargePieceVisits(walk, p, () => pieceSteps(layer, members, at, scale), members, lane, last)
        : solvePieceVisits(layer, members, at, scale, lane);
    for (let i = 0; i < size; i++) {
      undisclosed += f[i]! * leak[i]!;
      const fs = f[i]! * scale[i]!;
      for (let e = exitStart[i]!, end = exitStart[i + 1]!; e < end; e++) visits[exitSource[e]! * stride + offset]! += fs * exitWeight[e]!;
    }
  }
  for (let c = a; c < b; c++) visits[c * stride + offset] = 0;
  return undisclosed;
}

/**
 * A piece of one member (compact id c) of settleBlockVisits: absorbed, or its visits pushed to its
 * sources, a self-supply solved in closed form (f = injected / (1 − self·scale)). Returns the mass
 * that ends undisclosed there.
 */
function settleSingleVisits(
  snapshot: Snapshot,
  layer: MetalLayer,
  c: number,
  smelterAbsorbs: boolean,
  lane: Lane,
  step: Step,
  absorbedNodes: number[],
  absorbedMass: number[],
): number {
  const { visits, stride, offset } = lane;
  const injected = visits[c * stride + offset]!;
  if (!(injected > 0)) return 0;
  const g = layer.nodes[c]!;
  if (isAbsorbing(snapshot, g, smelterAbsorbs)) {
    absorbedNodes.push(g);
    absorbedMass.push(injected);
    return 0;
  }
  stepOf(layer, c, step);
  let f = injected;
  if (step.self > 0) {
    if (!step.others && step.leak === 0) return injected; // a node that only supplies itself: the loop never ends
    f = injected / (1 - step.self * step.scale);
  }
  const { compactOffsets, compactSources, compactWeights } = layer;
  const fs = f * step.scale;
  for (let j = compactOffsets[c]!, end = compactOffsets[c + 1]!; j < end; j++) {
    const w = compactWeights[j]!;
    const s = compactSources[j]!;
    if (w > 0 && s !== c) visits[s * stride + offset]! += fs * w;
  }
  return f * step.leak;
}

/**
 * One piece's steps among its own members as a compact CSR (positions within `members`): Q of
 * solvePiece, with each member's steps scaled by its step rule. `at(s)` is the position of compact
 * id s in `members`, −1 outside the piece.
 */
function pieceSteps(
  layer: MetalLayer,
  members: Int32Array,
  at: (s: number) => number,
  scale: Float64Array,
): { rowStart: Int32Array; col: Int32Array; weight: Float64Array } {
  const { compactOffsets, compactSources, compactWeights } = layer;
  const k = members.length;
  const rowStart = new Int32Array(k + 1);
  const col: number[] = [];
  const weight: number[] = [];
  for (let p = 0; p < k; p++) {
    const c = members[p]!;
    for (let j = compactOffsets[c]!, end = compactOffsets[c + 1]!; j < end; j++) {
      const q = at(compactSources[j]!);
      if (!(compactWeights[j]! > 0) || q < 0) continue;
      col.push(q);
      weight.push(compactWeights[j]! * scale[p]!);
    }
    rowStart[p + 1] = col.length;
  }
  return { rowStart, col: Int32Array.from(col), weight: Float64Array.from(weight) };
}

/**
 * Expected visits within one leaking piece: f = b + Qᵀ f restricted to it, b the visits injected
 * (in `visits` on entry), Q the members' scaled steps to each other. I − Qᵀ is an irreducible,
 * weakly diagonally dominant M-matrix with a strictly dominant column (the piece leaks), so it is
 * nonsingular and both solvers are sound.
 */
function solvePieceVisits(
  layer: MetalLayer,
  members: Int32Array,
  at: (s: number) => number,
  scale: Float64Array,
  lane: Lane,
): Float64Array {
  const k = members.length;
  const f = new Float64Array(k);
  for (let p = 0; p < k; p++) f[p] = lane.visits[members[p]! * lane.stride + lane.offset]!;
  const q = pieceSteps(layer, members, at, scale);
  solvePiece(k, q.rowStart, q.col, q.weight, f, 1, { ...PIECE_SOLVE, transpose: true, who: 'originMix/smelterMix' });
  return f;
}

/**
 * solvePieceVisits for a piece beyond the dense limit, by its prepared system (memo); the same
 * solve as the last one of the request when its right-hand side is the same.
 */
function solveLargePieceVisits(
  walk: BlockWalk,
  p: number,
  steps: () => { rowStart: Int32Array; col: Int32Array; weight: Float64Array },
  members: Int32Array,
  lane: Lane,
  last: LastSolve | undefined,
): Float64Array {
  const who = 'originMix/smelterMix';
  const system = preparedSystemOf(walk, p, true, steps, who);
  const k = members.length;
  const f = new Float64Array(k);
  for (let i = 0; i < k; i++) f[i] = lane.visits[members[i]! * lane.stride + lane.offset]!;
  if (last !== undefined && last.system === system && sameValues(last.rhs, f)) return last.solution.slice();
  const rhs = f.slice();
  solvePreparedPiece(system, f, 1, { tolerance: PIECE_SOLVE.tolerance, who });
  if (last !== undefined) {
    last.system = system;
    last.rhs = rhs;
    last.solution = f.slice();
  }
  return f;
}

function sameValues(x: Float64Array, y: Float64Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * The four aggregates of the origin mix for every node of the metal at once (NaN for nodes that take
 * no part in it): one sweep over the layer's compact ids (a sources-first order), each node settled
 * from its settled sources, each cyclic component piece by piece. Agrees with originMix to
 * rounding where pieces are solved densely, to about 1e-12 where Gauss–Seidel is used. A caller
 * that sweeps again and again lends a `scratch` (numerics/scratch.ts).
 */
export function originSharesAll(snapshot: Snapshot, metal: Metal, options: { scratch?: Scratch } = {}): OriginShares {
  const layer = snapshot.layers.get(metal);
  if (layer === undefined) throw new RangeError(`originSharesAll: snapshot ${snapshot.version} has no ${metal}`);
  const n = snapshot.nodeCount;
  const { labels, recycled: recycledFlag, cahra: cahraFlag } = snapshot;
  const { nodes, compactOffsets, compactSources, compactWeights, compactUndisclosed, cyclicBlocks } = layer;
  const k = nodes.length;

  // The three classes of compact id c at x[3c .. 3c+2]: summing a source's classes costs one
  // random memory access, not three (memory latency dominates on large layers).
  const x = workingArray(options.scratch, 0, 3 * k);

  let nextBlock = 0;
  for (let c = 0; c < k; c++) {
    if (nextBlock < cyclicBlocks.length && cyclicBlocks[nextBlock] === c) {
      const end = cyclicBlocks[nextBlock + 1]!;
      settleBlockShares(snapshot, layer, c, end, x);
      c = end - 1;
      nextBlock += 2;
      continue;
    }
    // A node of its own: all its sources come before it, settled.
    const g = nodes[c]!;
    const label = labels[g]!;
    if (label === COUNTRY) {
      x[3 * c + (cahraFlag[g] === 1 ? 0 : 1)] = 1;
      continue;
    }
    if (label === SMELTER && recycledFlag[g] === 1) {
      x[3 * c + 2] = 1;
      continue;
    }
    let total = 0;
    let sc = 0;
    let sn = 0;
    let sr = 0;
    for (let j = compactOffsets[c]!, end = compactOffsets[c + 1]!; j < end; j++) {
      const w = compactWeights[j]!;
      if (!(w > 0)) continue;
      total += w;
      const s = 3 * compactSources[j]!;
      sc += w * x[s]!;
      sn += w * x[s + 1]!;
      sr += w * x[s + 2]!;
    }
    const scale = intakeScale(total + compactUndisclosed[c]!, compactOffsets[c + 1]! - compactOffsets[c]! + 1);
    x[3 * c] = sc * scale;
    x[3 * c + 1] = sn * scale;
    x[3 * c + 2] = sr * scale;
  }

  // By node index: the answer is written in order, each node's classes read from x once.
  const { compactOf } = layer;
  const cahra = new Float64Array(n);
  const nonCahra = new Float64Array(n);
  const recycled = new Float64Array(n);
  const undisclosed = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    const c = compactOf[v]!;
    if (c < 0) {
      cahra[v] = nonCahra[v] = recycled[v] = undisclosed[v] = Number.NaN;
      continue;
    }
    // Probabilities a few ulps outside [0, 1] by rounding are put back (share-rounding.ts).
    const xc = (cahra[v] = clampShare(x[3 * c]!));
    const xn = (nonCahra[v] = clampShare(x[3 * c + 1]!));
    const xr = (recycled[v] = clampShare(x[3 * c + 2]!));
    undisclosed[v] = clampShare(1 - xc - xn - xr); // below 0 only by rounding
  }
  return { cahra, nonCahra, recycled, undisclosed };
}

/**
 * Settles one cyclic component (compact ids a..b) for originSharesAll, every compact id below a
 * being settled: x = Q x + r for the three classes on each piece of the walk inside it, pieces
 * sources first, r summing what settled sources contribute. I − Q is the transpose of
 * solvePieceVisits' matrix, with the same guarantees. A closed loop keeps its classes at 0: all
 * undisclosed.
 */
function settleBlockShares(snapshot: Snapshot, layer: MetalLayer, a: number, b: number, x: Float64Array): void {
  const { compactOffsets, compactSources, compactWeights, nodes } = layer;
  const walk = blockWalkOf(snapshot, layer, a, b, false);
  const pieces = walk.pieces;
  const step: Step = { scale: 1, leak: 0, self: 0, others: false };
  for (let p = 0; p < pieces.count; p++) {
    const members = pieces.members.subarray(pieces.starts[p]!, pieces.starts[p + 1]!);
    const k = members.length;
    const at = (s: number): number => (s >= a && s < b && pieces.pieceOf[s - a] === p ? pieces.positionOf[s - a]! : -1);
    if (k === 1) {
      const c = members[0]!;
      const g = nodes[c]!;
      if (isAbsorbing(snapshot, g, false)) {
        if (snapshot.labels[g] === COUNTRY) x[3 * c + (snapshot.cahra[g] === 1 ? 0 : 1)] = 1;
        else x[3 * c + 2] = 1;
        continue;
      }
    }
    const scale = new Float64Array(k);
    const rhs = new Float64Array(3 * k);
    let exits = false;
    for (let q = 0; q < k; q++) {
      const c = members[q]!;
      stepOf(layer, c, step);
      scale[q] = step.scale;
      if (step.leak > 0) exits = true;
      let sc = 0;
      let sn = 0;
      let sr = 0;
      for (let j = compactOffsets[c]!, end = compactOffsets[c + 1]!; j < end; j++) {
        const w = compactWeights[j]!;
        const s = compactSources[j]!;
        if (!(w > 0) || at(s) >= 0) continue;
        exits = true;
        sc += w * x[3 * s]!;
        sn += w * x[3 * s + 1]!;
        sr += w * x[3 * s + 2]!;
      }
      rhs[3 * q] = sc * step.scale;
      rhs[3 * q + 1] = sn * step.scale;
      rhs[3 * q + 2] = sr * step.scale;
    }
    if (!exits) continue; // a closed loop (or a node supplying only itself): all undisclosed
    if (k > PIECE_SOLVE.denseLimit) {
      const who = 'originSharesAll';
      const system = preparedSystemOf(walk, p, false, () => pieceSteps(layer, members, at, scale), who);
      solvePreparedPiece(system, rhs, 3, { tolerance: PIECE_SOLVE.tolerance, who });
    } else {
      const steps = pieceSteps(layer, members, at, scale);
      solvePiece(k, steps.rowStart, steps.col, steps.weight, rhs, 3, { ...PIECE_SOLVE, who: 'originSharesAll' });
    }
    for (let q = 0; q < k; q++) {
      const c = members[q]!;
      x[3 * c] = rhs[3 * q]!;
      x[3 * c + 1] = rhs[3 * q + 1]!;
      x[3 * c + 2] = rhs[3 * q + 2]!;
    }
  }
}
