/**
 * Origin mix and smelter mix (SPEC §2 items 1 and 2).
 *
 * Both are absorption probabilities of one random walk: it starts at a buyer v and, at each node,
 * either ends as "undisclosed" (the node's uncovered remainder, or the whole node when it has no
 * known source) or steps to a source u with probability w(u, v), the effective share of the
 * snapshot. It is absorbed at countries (origins) and recycled smelters for the origin mix, and at
 * the first smelter (or country) it reaches for the smelter mix. Mass that can circulate forever in
 * a closed loop of buyers never reaches an origin and counts as undisclosed.
 *
 * Cycles are normal input, so neither walk is a path sum: the strongly connected components of the
 * walk graph are found with an iterative Tarjan, and components are settled one at a time in
 * dependency order, a trivial component by a weighted sum and a non-trivial one by solving its
 * linear system: exactly by dense Gaussian elimination with partial pivoting up to
 * DENSE_SOLVE_LIMIT members, by Gauss–Seidel beyond (see solveSparse). A component none of whose
 * members leaks (no remainder, no step out of it) is a closed loop: what enters it is undisclosed.
 *
 * Two formulations, chosen by what each answer needs:
 * - one node, every origin (originMix, smelterMix): push the *expected number of visits* of the walk
 *   from v down to the sources (one number per upstream node, components from v towards the
 *   sources); the mass absorbed at an absorbing node is its expected number of visits. Per-country
 *   vectors would need up to 250 numbers per upstream node; this needs one.
 * - every node, four aggregates (originSharesAll): pull the absorption probabilities of three
 *   classes (cahra, nonCahra, recycled) up from the sources, each component as soon as Tarjan emits
 *   it (Tarjan emits a component after every component it can walk into); undisclosed is the rest.
 *
 * Step rule per non-absorbing node (the same everywhere, so the answers agree): the described
 * intake is T = Σ w + undisclosed. Where T exceeds 1 − ROUNDING (shares summing to 1 up to
 * rounding, or explicit shares within SHARE_TOLERANCE above 1 that the snapshot leaves unscaled),
 * every step is divided by T so that the walk neither creates nor loses mass; where T falls short
 * (relationships that all got weight 0), the shortfall is undisclosed. Relationships of weight 0
 * are not steps of the walk, also for finding components.
 *
 * On a layer of a million nodes the cost is memory latency, not arithmetic: every relationship
 * costs a random access to its source. The passes below are arranged so that each relationship is
 * looked up at random once per pass, and no more passes are made than the formulation needs.
 */
import { RMAP_STATUSES, type Metal, type RmapStatus } from '../model.js';
import { LABEL_CODES, type MetalLayer, type Snapshot } from '../snapshot.js';

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
 * Components up to this size are solved exactly by dense elimination (k³/3 multiply-adds: 9M at
 * 300, a few milliseconds, and 720 kB). Beyond it a dense matrix costs too much time and memory for
 * a system with a handful of entries per row, and Gauss–Seidel on the sparse system is used.
 */
const DENSE_SOLVE_LIMIT = 300;
/** Gauss–Seidel stops when no value changes by more than this (relative to max(1, value)) in a sweep. */
const SWEEP_TOLERANCE = 1e-13;
/**
 * A component needing more sweeps than this leaks too little to be solved iteratively: an explicit
 * error rather than a wrong answer. The cap also bounds the error of an answer: reaching the
 * tolerance within it means the iteration contracts by at least ln(1e13)/MAX_SWEEPS ≈ 1.5e-3 per
 * sweep, so the remaining error is below 1e-13 / 1.5e-3 ≈ 7e-11.
 */
const MAX_SWEEPS = 20_000;
/** Shortfalls of the described intake below this are rounding of shares that sum to 1, not a leak. */
const ROUNDING = 1e-12;

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

/** The step rule's factor on every step of a node whose described intake is `total`. */
function stepScale(total: number): number {
  return total > 1 - ROUNDING ? 1 / total : 1;
}

/** The step rule's probability of ending as undisclosed at a node with this intake and remainder. */
function stepLeak(total: number, remainder: number): number {
  return total > 1 - ROUNDING ? remainder / total : remainder + (1 - total);
}

/** The origin mix of v for the metal. Throws a RangeError when !takesMetal(snapshot, metal, v). */
export function originMix(snapshot: Snapshot, metal: Metal, v: number): OriginMix {
  const layer = layerFor(snapshot, metal, v, 'originMix');
  const walk = walkUpstream(snapshot, layer, v, false);
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
  const byCountry: Record<string, number> = {};
  let cahra = 0;
  let nonCahra = 0;
  for (const [code, mass, isCahra] of found) {
    byCountry[code] = (byCountry[code] ?? 0) + mass;
    if (isCahra) cahra += mass;
    else nonCahra += mass;
  }
  return { byCountry, cahra, nonCahra, recycled, undisclosed: walk.undisclosed };
}

/** The smelter mix of v for the metal. Throws a RangeError when !takesMetal(snapshot, metal, v). */
export function smelterMix(snapshot: Snapshot, metal: Metal, v: number): SmelterMix {
  const layer = layerFor(snapshot, metal, v, 'smelterMix');
  const walk = walkUpstream(snapshot, layer, v, true);
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
  const bySmelter: Record<string, number> = {};
  const statusTotals = new Float64Array(RMAP_STATUSES.length);
  for (const [id, mass, status] of found) {
    bySmelter[id] = (bySmelter[id] ?? 0) + mass;
    if (status < RMAP_STATUSES.length) statusTotals[status]! += mass;
  }
  const byRmapStatus: Partial<Record<RmapStatus, number>> = {};
  RMAP_STATUSES.forEach((status, i) => {
    if (statusTotals[i]! > 0) byRmapStatus[status] = statusTotals[i]!;
  });
  return { bySmelter, byRmapStatus, notThroughSmelter };
}

interface Absorption {
  /** Absorbing nodes reached (global indices) and the mass absorbed at each, count entries. */
  nodes: Int32Array;
  mass: Float64Array;
  count: number;
  /** Mass absorbed as undisclosed, closed loops included. */
  undisclosed: number;
}

/** walkUpstream's mark of a node whose component has been emitted: above every discovery number. */
const EMITTED = 0x40000000;
const LOCAL_MASK = EMITTED - 1;

/**
 * The walk from `start` over the part of the layer upstream of it. Absorbing: countries, and
 * recycled smelters (originMix) or every smelter (smelterMix).
 *
 * Two passes. Tarjan's pass discovers the upstream part, numbering nodes locally in discovery
 * order, and copies what the second pass needs into local arrays as it reads each relationship
 * once: the source's local id and the weight (localEdge/localWeight, one region per node in
 * discovery order) and the node's step rule. The visit pass then works on local arrays only.
 * Only the array of discovery numbers has the layer's size; the rest grow with the upstream part.
 */
function walkUpstream(snapshot: Snapshot, layer: MetalLayer, start: number, smelterAbsorbs: boolean): Absorption {
  const n = snapshot.nodeCount;
  const { labels, recycled: recycledFlag } = snapshot;
  const { inOffsets, inWeights, inSources, undisclosed: remainder } = layer;

  const absorbingNode = (g: number): boolean => {
    const label = labels[g]!;
    return label === COUNTRY || (label === SMELTER && (smelterAbsorbs || recycledFlag[g] === 1));
  };
  if (absorbingNode(start)) {
    return { nodes: Int32Array.of(start), mass: Float64Array.of(1), count: 1, undisclosed: 0 };
  }

  // Global: discOf[g] = local id + 1, with EMITTED set once g's component is emitted (so that an
  // emitted node never lowers a low link, and its local id stays readable).
  const discOf = new Int32Array(n);
  // Local arrays, by discovery order or by relationship in local order, grow with the upstream
  // part: a small upstream on a large layer must not pay for zeroing arrays of the layer's size.
  let nodeCap = Math.min(n, 1024);
  let globalOf = new Int32Array(nodeCap);
  let absorbing = new Uint8Array(nodeCap);
  let base = new Uint32Array(nodeCap + 1); // node u's relationships are localEdge[base[u] .. base[u + 1])
  let intake = new Float64Array(nodeCap); // Σ w, then the step scale once the node is finished
  let selfWeight = new Float64Array(nodeCap);
  let toOthers = new Uint8Array(nodeCap); // some step of positive weight leads to another node
  let leak = new Float64Array(nodeCap);
  let comp = new Int32Array(nodeCap);
  let order = new Int32Array(nodeCap); // members grouped by component, components in emission order
  let compStart = new Int32Array(nodeCap + 1); // component c is order[compStart[c] .. compStart[c + 1])
  // Tarjan's stacks; low links live on the call stack (a node's low is dead once it is finished).
  let tarjanStack = new Int32Array(nodeCap);
  let callStack = new Int32Array(nodeCap);
  let callLow = new Int32Array(nodeCap);
  let nextEdge = new Uint32Array(nodeCap);
  let edgeCap = Math.min(layer.edgeCount, 8192);
  let localEdge = new Int32Array(edgeCap); // local id of each source, −1 for a relationship of weight 0
  let localWeight = new Float64Array(edgeCap);

  const growNodes = (): void => {
    nodeCap = Math.min(n, nodeCap * 2);
    const more = <T extends Int32Array | Uint32Array | Uint8Array | Float64Array>(a: T, extra = 0): T => {
      const b = new (a.constructor as new (length: number) => T)(nodeCap + extra);
      b.set(a);
      return b;
    };
    globalOf = more(globalOf);
    absorbing = more(absorbing);
    base = more(base, 1);
    intake = more(intake);
    selfWeight = more(selfWeight);
    toOthers = more(toOthers);
    leak = more(leak);
    comp = more(comp);
    order = more(order);
    compStart = more(compStart, 1);
    tarjanStack = more(tarjanStack);
    callStack = more(callStack);
    callLow = more(callLow);
    nextEdge = more(nextEdge);
  };
  const growEdges = (need: number): void => {
    while (edgeCap < need) edgeCap = Math.min(layer.edgeCount, edgeCap * 2);
    const edges = new Int32Array(edgeCap);
    edges.set(localEdge);
    localEdge = edges;
    const weights = new Float64Array(edgeCap);
    weights.set(localWeight);
    localWeight = weights;
  };

  let compCount = 0;
  let count = 0;
  let edgeCursor = 0;
  let tsp = 0;
  let csp = 0;

  const discover = (g: number): void => {
    if (count === nodeCap) growNodes();
    const id = count++;
    discOf[g] = id + 1;
    globalOf[id] = g;
    base[id] = edgeCursor;
    tarjanStack[tsp++] = id;
    callStack[csp] = id;
    callLow[csp] = id + 1;
    if (absorbingNode(g)) {
      absorbing[id] = 1;
      nextEdge[csp] = inOffsets[g + 1]!; // the walk ends here: its sources are not followed
    } else {
      nextEdge[csp] = inOffsets[g]!;
      edgeCursor += inOffsets[g + 1]! - inOffsets[g]!;
      if (edgeCursor > edgeCap) growEdges(edgeCursor);
      // Read now, next to the node's other data: independent cache misses overlap, a miss when
      // the node is finished would not.
      leak[id] = remainder[g]!;
    }
    csp++;
  };

  discover(start);
  while (csp > 0) {
    const frame = csp - 1;
    const id = callStack[frame]!;
    const g = globalOf[id]!;
    const end = inOffsets[g + 1]!;
    const at = base[id]! - inOffsets[g]!;
    let j = nextEdge[frame]!;
    let descended = false;
    while (j < end) {
      const w = inWeights[j]!;
      if (!(w > 0)) {
        localEdge[at + j++] = -1;
        continue;
      }
      const s = inSources[j]!;
      localWeight[at + j] = w;
      intake[id]! += w;
      if (s === g) selfWeight[id]! += w;
      else toOthers[id] = 1;
      const d = discOf[s]!;
      if (d === 0) {
        localEdge[at + j] = count;
        nextEdge[frame] = j + 1;
        discover(s);
        descended = true;
        break;
      }
      localEdge[at + j++] = (d & LOCAL_MASK) - 1;
      if (d < callLow[frame]!) callLow[frame] = d;
    }
    if (descended) continue;

    csp--;
    if (absorbing[id] === 0) {
      const own = leak[id]!;
      const total = intake[id]! + own;
      intake[id] = stepScale(total);
      leak[id] = stepLeak(total, own);
    }
    const low = callLow[frame]!;
    if (low !== id + 1) {
      if (low < callLow[frame - 1]!) callLow[frame - 1] = low;
      continue;
    }
    const c = compCount;
    let pos = compStart[c]!;
    let x: number;
    do {
      x = tarjanStack[--tsp]!;
      discOf[globalOf[x]!]! |= EMITTED;
      comp[x] = c;
      order[pos++] = x;
    } while (x !== id);
    compStart[++compCount] = pos;
  }
  base[count] = edgeCursor;
  const scale = intake;

  // --- Expected visits, components from start (emitted last) towards the sources.
  const visits = new Float64Array(count); // mass injected until a component is settled, then its visit count
  visits[0] = 1;
  const absorbedNodes: number[] = [];
  const absorbedMass: number[] = [];
  let undisclosed = 0;

  for (let c = compCount - 1; c >= 0; c--) {
    const a = compStart[c]!;
    const b = compStart[c + 1]!;
    if (b - a === 1) {
      const u = order[a]!;
      const injected = visits[u]!;
      if (!(injected > 0)) continue;
      if (absorbing[u] === 1) {
        absorbedNodes.push(globalOf[u]!);
        absorbedMass.push(injected);
        continue;
      }
      let f = injected;
      if (selfWeight[u]! > 0) {
        if (toOthers[u] === 0 && leak[u] === 0) {
          undisclosed += injected; // a node that only supplies itself: the loop never ends
          visits[u] = 0;
          continue;
        }
        f = visits[u] = injected / (1 - selfWeight[u]! * scale[u]!);
      }
      undisclosed += f * leak[u]!;
      const fs = f * scale[u]!;
      for (let e = base[u]!, end = base[u + 1]!; e < end; e++) {
        const s = localEdge[e]!;
        if (s >= 0 && s !== u) visits[s]! += fs * localWeight[e]!;
      }
      continue;
    }

    // A non-trivial component (no absorbing node has a step out, so none is in one).
    let injectedTotal = 0;
    let exits = false;
    for (let i = a; i < b; i++) {
      const u = order[i]!;
      injectedTotal += visits[u]!;
      if (leak[u]! > 0) exits = true;
      for (let e = base[u]!, end = base[u + 1]!; e < end && !exits; e++) {
        const s = localEdge[e]!;
        if (s >= 0 && comp[s] !== c) exits = true;
      }
    }
    if (!(injectedTotal > 0)) continue;
    if (!exits) {
      // A closed loop: whatever enters circulates forever and never reaches an origin.
      undisclosed += injectedTotal;
      for (let i = a; i < b; i++) visits[order[i]!] = 0;
      continue;
    }
    solveVisits({ order, a, b, c, comp, base, localEdge, localWeight, pos: callStack, scale }, visits);
    for (let i = a; i < b; i++) {
      const u = order[i]!;
      const f = visits[u]!;
      undisclosed += f * leak[u]!;
      const fs = f * scale[u]!;
      for (let e = base[u]!, end = base[u + 1]!; e < end; e++) {
        const s = localEdge[e]!;
        if (s >= 0 && comp[s] !== c) visits[s]! += fs * localWeight[e]!;
      }
    }
  }

  return { nodes: Int32Array.from(absorbedNodes), mass: Float64Array.from(absorbedMass), count: absorbedNodes.length, undisclosed };
}

/** One non-trivial component of walkUpstream (members order[a .. b), id c), in its local arrays. */
interface WalkComponent {
  order: Int32Array;
  a: number;
  b: number;
  c: number;
  comp: Int32Array;
  base: Uint32Array;
  localEdge: Int32Array;
  localWeight: Float64Array;
  /** Scratch by local id, receives each member's position within the component. */
  pos: Int32Array;
  /** The step rule's scale by local id. */
  scale: Float64Array;
}

/**
 * Expected visits within one leaking component: f = b + Qᵀ f restricted to the component, where b
 * (in `visits` on entry) is the mass injected from components already settled. I − Qᵀ is an
 * irreducible, weakly diagonally dominant M-matrix with a strictly dominant column (the component
 * leaks), so it is nonsingular and both solvers are sound.
 */
function solveVisits(w: WalkComponent, visits: Float64Array): void {
  const { order, a, b, c, comp, base, localEdge, localWeight, pos, scale } = w;
  const k = b - a;
  for (let p = 0; p < k; p++) pos[order[a + p]!] = p;
  if (k <= DENSE_SOLVE_LIMIT) {
    const m = new Float64Array(k * k);
    const rhs = new Float64Array(k);
    for (let p = 0; p < k; p++) {
      m[p * k + p] = 1;
      const u = order[a + p]!;
      rhs[p] = visits[u]!;
      for (let e = base[u]!, end = base[u + 1]!; e < end; e++) {
        const s = localEdge[e]!;
        if (s >= 0 && comp[s] === c) m[pos[s]! * k + p]! -= localWeight[e]! * scale[u]!;
      }
    }
    solveDense(m, rhs, k, 1);
    for (let p = 0; p < k; p++) visits[order[a + p]!] = rhs[p]!;
    return;
  }

  // Gauss–Seidel on f_s (1 − q_ss) = b_s + Σ_{u≠s} q_us f_u needs, per member s, the members that
  // step into it: the transpose of the component's steps, built here.
  const into = new Int32Array(k + 1);
  for (let p = 0; p < k; p++) {
    const u = order[a + p]!;
    for (let e = base[u]!, end = base[u + 1]!; e < end; e++) {
      const s = localEdge[e]!;
      if (s >= 0 && s !== u && comp[s] === c) into[pos[s]! + 1]! += 1;
    }
  }
  for (let p = 0; p < k; p++) into[p + 1]! += into[p]!;
  const fromPos = new Int32Array(into[k]!);
  const fromWeight = new Float64Array(into[k]!);
  const fill = into.slice(0, k);
  const diag = new Float64Array(k).fill(1);
  for (let p = 0; p < k; p++) {
    const u = order[a + p]!;
    for (let e = base[u]!, end = base[u + 1]!; e < end; e++) {
      const s = localEdge[e]!;
      if (s < 0 || comp[s] !== c) continue;
      const q = localWeight[e]! * scale[u]!;
      if (s === u) {
        diag[p]! -= q;
        continue;
      }
      const slot = fill[pos[s]!]!++;
      fromPos[slot] = p;
      fromWeight[slot] = q;
    }
  }
  const f = new Float64Array(k);
  for (let p = 0; p < k; p++) f[p] = visits[order[a + p]!]!;
  solveSparse(k, into, fromPos, fromWeight, diag, f, 1, 'originMix/smelterMix');
  for (let p = 0; p < k; p++) visits[order[a + p]!] = f[p]!;
}

/**
 * Gauss–Seidel for x_p·diag_p = b_p + Σ_e weight_e·x_{col_e} (e over row p of a compact CSR), with
 * r right-hand sides interleaved in `rhs` (row-major k×r), which receives the solution. For the
 * M-matrices here (irreducible, weakly diagonally dominant, one strict row or column) it converges
 * for any start; the rate is set by how much the component leaks per step. SOR would need a
 * relaxation factor tuned per component and is not guaranteed to converge for ω > 1 here; plain
 * Gauss–Seidel with alternating sweep directions is enough for supply networks, where components
 * leak to smelters and remainders at many members.
 */
function solveSparse(
  k: number,
  rowStart: Int32Array,
  col: Int32Array,
  weight: Float64Array,
  diag: Float64Array,
  rhs: Float64Array,
  r: number,
  who: string,
): void {
  const b = rhs.slice(0, k * r);
  const x = rhs; // start from b: the first visit of each member, a fair first guess
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let change = 0;
    // Members are in Tarjan's order; which direction carries values fastest depends on the
    // formulation, so alternate (symmetric Gauss–Seidel).
    const forward = sweep % 2 === 1;
    for (let i = 0; i < k; i++) {
      const p = forward ? i : k - 1 - i;
      const d = diag[p]!;
      for (let q = 0; q < r; q++) {
        let sum = b[p * r + q]!;
        for (let e = rowStart[p]!, end = rowStart[p + 1]!; e < end; e++) sum += weight[e]! * x[col[e]! * r + q]!;
        const next = sum / d;
        const delta = Math.abs(next - x[p * r + q]!) / (next > 1 ? next : 1);
        if (delta > change) change = delta;
        x[p * r + q] = next;
      }
    }
    if (change < SWEEP_TOLERANCE) return;
  }
  throw new Error(
    `${who}: a cycle of ${k} suppliers leaks too little supply to any source for its shares to be solved in ${MAX_SWEEPS} sweeps`,
  );
}

/**
 * Solves M·X = B in place by Gaussian elimination with partial pivoting: M is k×k row-major, B is
 * k×r row-major and receives X. M is an irreducible diagonally dominant M-matrix here, so a zero
 * pivot means a bug upstream (a closed loop let through), not bad data.
 */
function solveDense(m: Float64Array, rhs: Float64Array, k: number, r: number): void {
  for (let col = 0; col < k; col++) {
    let pivot = col;
    let best = Math.abs(m[col * k + col]!);
    for (let row = col + 1; row < k; row++) {
      const x = Math.abs(m[row * k + col]!);
      if (x > best) {
        best = x;
        pivot = row;
      }
    }
    if (!(best > 0)) throw new Error('origin mix: singular system for a component that leaks (closed loop not detected)');
    if (pivot !== col) {
      for (let x = col; x < k; x++) {
        const t = m[col * k + x]!;
        m[col * k + x] = m[pivot * k + x]!;
        m[pivot * k + x] = t;
      }
      for (let q = 0; q < r; q++) {
        const t = rhs[col * r + q]!;
        rhs[col * r + q] = rhs[pivot * r + q]!;
        rhs[pivot * r + q] = t;
      }
    }
    const inv = 1 / m[col * k + col]!;
    for (let row = col + 1; row < k; row++) {
      const factor = m[row * k + col]! * inv;
      if (factor === 0) continue; // supply systems are sparse: most rows need no update
      m[row * k + col] = 0;
      for (let x = col + 1; x < k; x++) m[row * k + x]! -= factor * m[col * k + x]!;
      for (let q = 0; q < r; q++) rhs[row * r + q]! -= factor * rhs[col * r + q]!;
    }
  }
  for (let row = k - 1; row >= 0; row--) {
    const inv = 1 / m[row * k + row]!;
    for (let q = 0; q < r; q++) {
      let sum = rhs[row * r + q]!;
      for (let x = row + 1; x < k; x++) sum -= m[row * k + x]! * rhs[x * r + q]!;
      rhs[row * r + q] = sum * inv;
    }
  }
}

/** originSharesAll's discovery number of a node whose component is settled: above every real one. */
const SETTLED = 0x7fffffff;

/**
 * The four aggregates of the origin mix for every node of the metal at once (NaN for nodes that take
 * no part in it). One Tarjan pass over the whole layer; each component is settled as soon as Tarjan
 * emits it, when every component it can walk into is already settled. Agrees with originMix to
 * rounding where components are solved densely, to about 1e-12 where Gauss–Seidel is used.
 *
 * A settled node's relationships are read a second time to sum its sources. Summing them during
 * Tarjan's own read instead (running sums per call-stack frame) was measured slower on a 1M-node
 * layer: the per-frame state costs more than the second read, whose sources are mostly in cache.
 */
export function originSharesAll(snapshot: Snapshot, metal: Metal): OriginShares {
  const layer = snapshot.layers.get(metal);
  if (layer === undefined) throw new RangeError(`originSharesAll: snapshot ${snapshot.version} has no ${metal}`);
  const n = snapshot.nodeCount;
  const { labels, recycled: recycledFlag, cahra: cahraFlag } = snapshot;
  const { inOffsets, inSources, inWeights, undisclosed: und, present } = layer;

  // The three classes of node v at x[3v .. 3v+2]: summing a source's classes costs one random
  // memory access, not three (memory latency dominates on large layers).
  const x = new Float64Array(3 * n);

  const disc = new Int32Array(n); // discovery number (1-based); SETTLED once its component is settled
  const low = new Int32Array(n);
  const tarjanStack = new Int32Array(n);
  const callStack = new Int32Array(n);
  const nextEdge = new Uint32Array(n);
  let counter = 0;
  let tsp = 0;
  let csp = 0;
  const component = new ComponentSolver(layer, x, disc, low);

  for (let root = 0; root < n; root++) {
    if (present[root] !== 1 || disc[root] !== 0) continue;
    // discover(root), inlined below for every node: the hot loop allocates nothing
    disc[root] = low[root] = ++counter;
    tarjanStack[tsp++] = root;
    callStack[csp] = root;
    nextEdge[csp] = isOriginAbsorbing(labels, recycledFlag, root) ? inOffsets[root + 1]! : inOffsets[root]!;
    csp++;
    while (csp > 0) {
      const u = callStack[csp - 1]!;
      const end = inOffsets[u + 1]!;
      let j = nextEdge[csp - 1]!;
      let descended = false;
      while (j < end) {
        const w = inWeights[j]!;
        const s = inSources[j]!;
        j++;
        if (!(w > 0)) continue;
        const d = disc[s]!;
        if (d === 0) {
          nextEdge[csp - 1] = j;
          disc[s] = low[s] = ++counter;
          tarjanStack[tsp++] = s;
          callStack[csp] = s;
          nextEdge[csp] = isOriginAbsorbing(labels, recycledFlag, s) ? inOffsets[s + 1]! : inOffsets[s]!;
          csp++;
          descended = true;
          break;
        }
        if (d < low[u]!) low[u] = d; // settled nodes carry SETTLED and never lower it
      }
      if (descended) continue;
      csp--;
      if (low[u] !== disc[u]) {
        const parent = callStack[csp - 1]!;
        if (low[u]! < low[parent]!) low[parent] = low[u]!;
        continue;
      }
      // u roots a component: its members are tarjanStack[first .. tsp).
      let first = tsp - 1;
      while (tarjanStack[first] !== u) first--;
      if (first === tsp - 1) {
        settleTrivial(u);
        disc[u] = SETTLED;
      } else {
        component.settle(tarjanStack, first, tsp);
        for (let i = first; i < tsp; i++) disc[tarjanStack[i]!] = SETTLED;
      }
      tsp = first;
    }
  }

  function settleTrivial(u: number): void {
    if (isOriginAbsorbing(labels, recycledFlag, u)) {
      if (labels[u] === COUNTRY) x[3 * u + (cahraFlag[u] === 1 ? 0 : 1)] = 1;
      else x[3 * u + 2] = 1;
      return;
    }
    let total = 0;
    let self = 0;
    let others = false;
    let sc = 0;
    let sn = 0;
    let sr = 0;
    for (let j = inOffsets[u]!, end = inOffsets[u + 1]!; j < end; j++) {
      const w = inWeights[j]!;
      if (!(w > 0)) continue;
      total += w;
      const s = inSources[j]!;
      if (s === u) {
        self += w;
        continue;
      }
      others = true;
      sc += w * x[3 * s]!;
      sn += w * x[3 * s + 1]!;
      sr += w * x[3 * s + 2]!;
    }
    const own = und[u]!;
    total += own;
    const scale = stepScale(total);
    if (self > 0 && !others && stepLeak(total, own) === 0) return; // supplies only itself: a closed loop, all undisclosed
    const factor = scale / (1 - self * scale);
    x[3 * u] = sc * factor;
    x[3 * u + 1] = sn * factor;
    x[3 * u + 2] = sr * factor;
  }

  const cahra = new Float64Array(n);
  const nonCahra = new Float64Array(n);
  const recycled = new Float64Array(n);
  const undisclosed = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    if (present[v] !== 1) {
      cahra[v] = nonCahra[v] = recycled[v] = undisclosed[v] = Number.NaN;
      continue;
    }
    const c = (cahra[v] = x[3 * v]!);
    const nc = (nonCahra[v] = x[3 * v + 1]!);
    const r = (recycled[v] = x[3 * v + 2]!);
    const rest = 1 - c - nc - r;
    undisclosed[v] = rest > 0 ? rest : 0; // below 0 only by rounding
  }
  return { cahra, nonCahra, recycled, undisclosed };
}

function isOriginAbsorbing(labels: Uint8Array, recycledFlag: Uint8Array, g: number): boolean {
  const label = labels[g]!;
  return label === COUNTRY || (label === SMELTER && recycledFlag[g] === 1);
}

/**
 * Settles one non-trivial component for originSharesAll: x = Q x + r for the three classes, where r
 * sums what settled sources contribute. I − Q is the transpose of solveVisits' matrix, with the
 * same guarantees. Scratch space grows to the largest component met and is reused.
 */
class ComponentSolver {
  private dense = new Float64Array(0);
  private rhs = new Float64Array(0);
  private scale = new Float64Array(0);

  constructor(
    private readonly layer: MetalLayer,
    /** The three classes per node, interleaved (see originSharesAll). */
    private readonly x: Float64Array,
    /** Discovery numbers: a source not yet SETTLED is a member (Tarjan's invariant). */
    private readonly disc: Int32Array,
    /** Tarjan is done with the members' low values: reused as positions within the component. */
    private readonly pos: Int32Array,
  ) {}

  settle(members: Int32Array, a: number, b: number): void {
    const { inOffsets, inSources, inWeights, undisclosed: und } = this.layer;
    const { x, disc, pos } = this;
    const k = b - a;
    if (this.scale.length < k) {
      this.scale = new Float64Array(k);
      this.rhs = new Float64Array(3 * k);
    }
    const scale = this.scale;
    const rhs = this.rhs;
    for (let p = 0; p < k; p++) pos[members[a + p]!] = p;

    let exits = false;
    for (let p = 0; p < k; p++) {
      const u = members[a + p]!;
      let total = 0;
      for (let j = inOffsets[u]!, end = inOffsets[u + 1]!; j < end; j++) {
        const w = inWeights[j]!;
        if (!(w > 0)) continue;
        total += w;
        if (disc[inSources[j]!] === SETTLED) exits = true;
      }
      const own = und[u]!;
      total += own;
      scale[p] = stepScale(total);
      if (stepLeak(total, own) > 0) exits = true;
    }
    if (!exits) return; // a closed loop: the members' classes stay 0, all undisclosed

    for (let p = 0; p < k; p++) {
      const u = members[a + p]!;
      let sc = 0;
      let sn = 0;
      let sr = 0;
      for (let j = inOffsets[u]!, end = inOffsets[u + 1]!; j < end; j++) {
        const w = inWeights[j]!;
        const s = inSources[j]!;
        if (!(w > 0) || disc[s] !== SETTLED) continue;
        sc += w * x[3 * s]!;
        sn += w * x[3 * s + 1]!;
        sr += w * x[3 * s + 2]!;
      }
      rhs[3 * p] = sc * scale[p]!;
      rhs[3 * p + 1] = sn * scale[p]!;
      rhs[3 * p + 2] = sr * scale[p]!;
    }

    if (k <= DENSE_SOLVE_LIMIT) {
      if (this.dense.length < k * k) this.dense = new Float64Array(DENSE_SOLVE_LIMIT * DENSE_SOLVE_LIMIT);
      const m = this.dense;
      m.fill(0, 0, k * k);
      for (let p = 0; p < k; p++) {
        m[p * k + p] = 1;
        const u = members[a + p]!;
        for (let j = inOffsets[u]!, end = inOffsets[u + 1]!; j < end; j++) {
          const w = inWeights[j]!;
          const s = inSources[j]!;
          if (!(w > 0) || disc[s] === SETTLED) continue;
          m[p * k + pos[s]!]! -= w * scale[p]!;
        }
      }
      solveDense(m, rhs, k, 3);
    } else {
      // x_u (1 − q_uu) = r_u + Σ_{s≠u} q_us x_s over a compact copy of the component's steps, so
      // that the sweeps stay within the component's memory instead of the whole layer's.
      const rowStart = new Int32Array(k + 1);
      for (let p = 0; p < k; p++) {
        const u = members[a + p]!;
        let inside = 0;
        for (let j = inOffsets[u]!, end = inOffsets[u + 1]!; j < end; j++) {
          const s = inSources[j]!;
          if (inWeights[j]! > 0 && s !== u && disc[s] !== SETTLED) inside++;
        }
        rowStart[p + 1] = rowStart[p]! + inside;
      }
      const col = new Int32Array(rowStart[k]!);
      const weight = new Float64Array(rowStart[k]!);
      const diag = new Float64Array(k).fill(1);
      for (let p = 0; p < k; p++) {
        const u = members[a + p]!;
        let e = rowStart[p]!;
        for (let j = inOffsets[u]!, end = inOffsets[u + 1]!; j < end; j++) {
          const w = inWeights[j]!;
          const s = inSources[j]!;
          if (!(w > 0) || disc[s] === SETTLED) continue;
          if (s === u) diag[p]! -= w * scale[p]!;
          else {
            col[e] = pos[s]!;
            weight[e++] = w * scale[p]!;
          }
        }
      }
      solveSparse(k, rowStart, col, weight, diag, rhs, 3, 'originSharesAll');
    }
    for (let p = 0; p < k; p++) {
      const u = members[a + p]!;
      x[3 * u] = rhs[3 * p]!;
      x[3 * u + 1] = rhs[3 * p + 1]!;
      x[3 * u + 2] = rhs[3 * p + 2]!;
    }
  }
}
