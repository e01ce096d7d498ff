/**
 * A solver for the sparse M-matrix systems of the analyses, for the pieces Gauss–Seidel cannot
 * settle: exact elimination (GTH) while its fill stays small, else restarted GMRES(m)
 * right-preconditioned by ILU(0); either inside iterative refinement with a compensated residual.
 * Numbers only: nothing here knows metals, layers or nodes (see ARCHITECTURE.md, "Layers of the
 * engine").
 *
 * Why: the analyses solve (I − Q)·x = b on each strongly connected piece of a supply layer, Q the
 * substochastic steps of an absorbing walk among the piece's members (row sums ≤ 1; what a row
 * lacks is the walk leaving the piece). When the piece leaks, I − Q is a nonsingular M-matrix.
 * Gauss–Seidel (linear-solvers.ts) contracts by about how much the walk leaks per sweep: fine when
 * many members leak, hopeless on a giant cycle that leaks at one member, where a sweep carries
 * information one step around the ring and loses almost nothing (a 5,000-ring leaking at one
 * member does not settle in 20,000 sweeps; a 43,000-member network leaking at 3 members neither).
 *
 * Two shapes, two methods. A long cycle that leaks at one member mixes slowly: Q has many
 * eigenvalues near the unit circle, all around it, and no Krylov method with a short memory
 * handles that (GMRES(30)+ILU(0), ours or scipy's, stalls on the 5,000-ring; scipy's GMRES
 * without restarts needs 1,125 steps). But such a cycle has tiny separators, so elimination in Markowitz order
 * fills in almost nothing (the 50,000-ring: 1.5× its entries) and is exact. A real network's giant
 * component is the opposite: it mixes fast (GMRES+ILU(0) converges in 50–70 steps) and fills in
 * without end (scipy's SuperLU did not finish a 43,000-member piece in 10 minutes). So the
 * elimination runs under fill and work bounds and gives way to GMRES when it passes them. Even
 * there, most members of a real network's component have one or two links inside it: a partial
 * elimination takes the pivots that fill in little (Markowitz count up to PARTIAL_MARKOWITZ),
 * and GMRES+ILU(0) solves only what is left, the Schur complement of the rest (on a 16,000-member
 * giant component, a core of 6,000: a solve 2.3× faster; the analyses keep a prepared piece in the
 * snapshot's memo, so the elimination is paid once per snapshot).
 *
 * Accuracy: the answers are probabilities, wanted to ~1e-13, and a small relative residual says
 * little on a slowly leaking piece (the error is up to ‖A⁻¹‖·‖r‖, and ‖A⁻¹‖∞ is the expected
 * number of steps before the walk leaks). The elimination adds numbers of one sign only (GTH), so
 * it is accurate entry by entry however little the piece leaks. Each solve is then a sequence of
 * corrections: the residual b − A·x computed with compensated (double-double) products and sums,
 * A·d = r solved by the factors or by GMRES, x += d, until a correction is below the tolerance.
 * The size of the last correction estimates the true error of the iterate it corrected (standard
 * practice for extra-precise iterative refinement), and the iterate after it is better still.
 *
 * Singular systems (a closed loop) are refused before any work: a Z-matrix that is weakly
 * diagonally dominant by rows (or columns) is nonsingular exactly when every row (column) reaches
 * a strictly dominant one along its nonzeros ("weakly chained diagonally dominant"), an O(nnz)
 * check. A system dominant neither way, or that GMRES cannot solve in the iterations given,
 * reports not converged; nothing is reported converged without a correction below the tolerance.
 *
 * Cost, all bounded: the elimination at most ELIMINATION_WORK_PER_ENTRY·(nnz + n) (+ a floor)
 * operations and FILL_PER_ENTRY·(nnz + n) (+ a floor) entries; a GMRES step one product with A,
 * one ILU(0) solve and up to `restart` orthogonalisation updates, O(nnz + n·restart), memory
 * O(nnz + n·restart), for at most maxIterations steps. ILU(0)'s set-up is bounded by
 * ILU_WORK_PER_ENTRY·(nnz + n); past it (rows meeting hub rows many times) the preconditioner is
 * symmetric Gauss–Seidel, which costs nothing to set up and has the same sparsity.
 */
import { UnsolvableCycleError } from '../errors.js';

/** A square sparse matrix in CSR: row i holds value[e] in column col[e] for e in rowStart[i] .. rowStart[i+1]. */
export interface SparseSystem {
  n: number;
  rowStart: Int32Array;
  col: Int32Array;
  value: Float64Array;
}

export interface KrylovOptions {
  /** Converged once a correction (the estimated error) is at most tolerance·max(1, ‖x‖∞). */
  tolerance: number;
  /** GMRES steps allowed in all, over every correction: bounds the cost. */
  maxIterations: number;
  /** Krylov vectors kept between restarts (GMRES(m)); DEFAULT_RESTART unless given. */
  restart?: number;
}

export interface KrylovResult {
  converged: boolean;
  /** GMRES steps taken, over every correction. */
  iterations: number;
  /** ‖b − A·x‖∞ of the answer, computed with compensated arithmetic. */
  residual: number;
  /** ‖last correction‖∞: the estimated ∞-norm error of the answer (an over-estimate once corrections contract). */
  error: number;
  /** Corrections applied (the first solve from the start included). */
  corrections: number;
  /** Why not converged (absent when converged). */
  reason?: string;
}

const EPS = 2 ** -52;
export const DEFAULT_RESTART = 30;
/** Relative residual reduction GMRES aims for in each correction: each one then cuts the error by about ‖A⁻¹‖·this. */
const INNER_TOLERANCE = 1e-11;
/** Corrections at most: two or three suffice when they contract; more means they do not. */
const MAX_CORRECTIONS = 5;
/** ILU(0) set-up work allowed per stored entry before the cheaper preconditioner is used instead. */
const ILU_WORK_PER_ENTRY = 64;

// ---------------------------------------------------------------------------------------------
// Building the system

/**
 * CSR of n×n entries given as triples (duplicates added, columns sorted within each row, a
 * diagonal entry in every row even when 0). Two stable counting sorts (by column, then by row)
 * order the triples in O(entries + n). Duplicates are summed compensated, so a diagonal
 * 1 − Σ self-steps is the correctly rounded value rather than the sum of rounded partial sums.
 */
export function sparseFromTriples(n: number, rows: Int32Array, cols: Int32Array, values: Float64Array): SparseSystem {
  const m = rows.length + n;
  const r = new Int32Array(m);
  const c = new Int32Array(m);
  const v = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    r[i] = i;
    c[i] = i; // a 0 on the diagonal: every row has one, so the factorisation finds its pivot
  }
  r.set(rows, n);
  c.set(cols, n);
  v.set(values, n);
  const byCol = countingOrder(c, n, identityOrder(m));
  const order = countingOrder(r, n, byCol);
  const rowStart = new Int32Array(n + 1);
  const col: number[] = [];
  const value: number[] = [];
  for (let t = 0; t < m; ) {
    const e = order[t]!;
    const row = r[e]!;
    // Neumaier's summation of the run of triples at (row, c[e]).
    let sum = v[e]!;
    let carry = 0;
    for (t++; t < m && r[order[t]!] === row && c[order[t]!] === c[e]; t++) {
      const x = v[order[t]!]!;
      const next = sum + x;
      carry += Math.abs(sum) >= Math.abs(x) ? sum - next + x : x - next + sum;
      sum = next;
    }
    col.push(c[e]!);
    value.push(sum + carry);
    rowStart[row + 1]! += 1;
  }
  for (let i = 0; i < n; i++) rowStart[i + 1]! += rowStart[i]!;
  return { n, rowStart, col: Int32Array.from(col), value: Float64Array.from(value) };
}

function identityOrder(m: number): Int32Array {
  const order = new Int32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  return order;
}

/** `order` stably re-sorted by key[order[t]] ∈ [0, n). */
function countingOrder(key: Int32Array, n: number, order: Int32Array): Int32Array {
  const start = new Int32Array(n + 1);
  for (let t = 0; t < order.length; t++) start[key[order[t]!]! + 1]! += 1;
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const out = new Int32Array(order.length);
  for (let t = 0; t < order.length; t++) {
    const e = order[t]!;
    out[start[key[e]!]!++] = e;
  }
  return out;
}

/**
 * A = I − Q, or I − Qᵀ with `transpose`, from the form solvePiece receives: row p of Q holds
 * weight[e] in column col[e] for e in rowStart[p] .. rowStart[p+1] (steps to itself included,
 * repeated columns added).
 */
export function mMatrixOfSteps(k: number, rowStart: Int32Array, col: Int32Array, weight: Float64Array, transpose = false): SparseSystem {
  const m = rowStart[k]!;
  const rows = new Int32Array(k + m);
  const cols = new Int32Array(k + m);
  const values = new Float64Array(k + m);
  for (let p = 0; p < k; p++) {
    rows[p] = p;
    cols[p] = p;
    values[p] = 1; // first, so 1 − q_pp is summed as 1 then minus the self-steps
  }
  for (let p = 0; p < k; p++) {
    for (let e = rowStart[p]!, end = rowStart[p + 1]!; e < end; e++) {
      rows[k + e] = transpose ? col[e]! : p;
      cols[k + e] = transpose ? p : col[e]!;
      values[k + e] = -weight[e]!;
    }
  }
  return sparseFromTriples(k, rows, cols, values);
}

// ---------------------------------------------------------------------------------------------
// Refusing singular systems

/**
 * Why A cannot be solved here, or undefined when it may be. A diagonal entry ≤ 0 or a value not
 * finite is not an M-matrix. A weakly row-dominant Z-matrix is singular exactly when some rows
 * never reach a strictly dominant row along nonzeros (those rows sum to 0 on a closed set: a
 * closed loop); likewise by columns. Dominance within rounding of the row's entries counts as
 * none: a loop that leaks only by rounding is closed. A matrix dominant neither way is left to
 * the iterations to judge.
 */
export function singularReason(a: SparseSystem): string | undefined {
  return examine(a).reason;
}

/** singularReason, and which way A is weakly diagonally dominant (what the direct elimination needs). */
function examine(a: SparseSystem): { reason: string | undefined; dominant: 'rows' | 'columns' | 'neither' } {
  const { n, rowStart, col, value } = a;
  const rowExcess = new Float64Array(n);
  const rowNoise = new Float64Array(n);
  const colExcess = new Float64Array(n);
  const colNoise = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const len = rowStart[i + 1]! - rowStart[i]!;
    for (let e = rowStart[i]!, end = rowStart[i + 1]!; e < end; e++) {
      const j = col[e]!;
      const x = value[e]!;
      if (!Number.isFinite(x)) return { reason: 'a coefficient is not finite', dominant: 'neither' };
      if (j === i) {
        if (!(x > 0)) return { reason: `diagonal entry ${i} is not positive (not an M-matrix)`, dominant: 'neither' };
      } else if (x > 0) {
        return { reason: `off-diagonal entry (${i}, ${j}) is positive (not an M-matrix)`, dominant: 'neither' };
      }
      rowExcess[i]! += x;
      colExcess[j]! += x;
      const noise = 4 * (len + 2) * EPS * Math.abs(x);
      rowNoise[i]! += noise;
      colNoise[j]! += noise;
    }
  }
  if (weaklyDominant(rowExcess, rowNoise)) {
    // Row i steps to j where a_ij ≠ 0; who steps to j: the rows of column j.
    const columns = columnStructure(a);
    const closed = !reachesStrict(n, columns.start, columns.row, rowExcess, rowNoise);
    return { reason: closed ? 'closed: some rows never reach a leaking row (singular)' : undefined, dominant: 'rows' };
  }
  if (weaklyDominant(colExcess, colNoise)) {
    // Column j steps to i where a_ij ≠ 0; who steps to i: the columns of row i.
    const closed = !reachesStrict(n, rowStart, col, colExcess, colNoise);
    return { reason: closed ? 'closed: some columns never reach a leaking column (singular)' : undefined, dominant: 'columns' };
  }
  return { reason: undefined, dominant: 'neither' };
}

function weaklyDominant(excess: Float64Array, noise: Float64Array): boolean {
  for (let i = 0; i < excess.length; i++) if (excess[i]! < -noise[i]!) return false;
  return true;
}

/** Transposed structure of A: the rows holding a nonzero in each column. */
function columnStructure(a: SparseSystem): { start: Int32Array; row: Int32Array } {
  const { n, rowStart, col } = a;
  const start = new Int32Array(n + 1);
  for (let e = 0; e < rowStart[n]!; e++) start[col[e]! + 1]! += 1;
  for (let j = 0; j < n; j++) start[j + 1]! += start[j]!;
  const fill = start.slice(0, n);
  const row = new Int32Array(rowStart[n]!);
  for (let i = 0; i < n; i++) for (let e = rowStart[i]!, end = rowStart[i + 1]!; e < end; e++) row[fill[col[e]!]!++] = i;
  return { start, row };
}

/** Whether every node reaches a strict one (excess above noise), `from` listing the predecessors of each node. */
function reachesStrict(n: number, start: Int32Array, from: Int32Array, excess: Float64Array, noise: Float64Array): boolean {
  const seen = new Uint8Array(n);
  const queue = new Int32Array(n);
  let tail = 0;
  for (let i = 0; i < n; i++) {
    if (excess[i]! > noise[i]!) {
      seen[i] = 1;
      queue[tail++] = i;
    }
  }
  for (let head = 0; head < tail; head++) {
    const j = queue[head]!;
    for (let e = start[j]!, end = start[j + 1]!; e < end; e++) {
      const i = from[e]!;
      if (seen[i] === 0) {
        seen[i] = 1;
        queue[tail++] = i;
      }
    }
  }
  return tail === n;
}

// ---------------------------------------------------------------------------------------------
// Direct elimination (GTH form): exact up to rounding, when its fill stays within bounds

/**
 * A = L·U in an elimination order chosen as it goes (smallest Markowitz count |row|·|column|
 * first, which keeps the fill of cycles and chains near nothing). No numerical pivoting is needed:
 * a symmetric reordering of an M-matrix is one, and so is every Schur complement. Each pivot is
 * taken, as Grassmann–Taksar–Heyman do for Markov chains, as the row's leak plus its
 * off-diagonal mass rather than by subtraction: every operation then adds numbers of one sign,
 * the factors are accurate entry by entry however little the piece leaks, and so is the answer for
 * b ≥ 0 (O'Cinneide). Needs A weakly dominant by rows; a column-dominant A is factorised as Aᵀ.
 */
interface DirectFactor {
  /** Eliminated nodes in order; step t eliminated order[t] (all n of them, unless a core is left). */
  order: Int32Array;
  pivot: Float64Array; // by step
  /** Step t's row of U after the pivot: uCol/uValue[uStart[t] .. uStart[t+1]]. */
  uStart: Int32Array;
  uCol: Int32Array;
  uValue: Float64Array;
  /** Step t's column of L below the pivot, divided by it. */
  lStart: Int32Array;
  lRow: Int32Array;
  lValue: Float64Array;
  /** The factor is of Aᵀ (A was dominant by columns). */
  transposed: boolean;
  /**
   * A partial factorisation stops where the next pivot would fill in too much, leaving a core:
   * the Schur complement of the nodes not eliminated, in the orientation of A (so that it is
   * solved for A's right-hand side), prepared for GMRES, and each node's position in it (−1: eliminated).
   */
  core?: { system: PreparedSystem; nodes: Int32Array; positionOf: Int32Array };
}

/**
 * A partial factorisation pays where it eliminates at least this share of the nodes: the core's
 * GMRES then works on a system that much smaller (on a giant component of a real network, nodes
 * with one or two links inside it, most of them, go without fill).
 */
const PARTIAL_MIN_SHARE = 0.2;
/** A partial factorisation takes pivots while their Markowitz count (the fill they may create) is at most this. */
const PARTIAL_MARKOWITZ = 16;

/** Entries the elimination may create, per entry of A (beyond a floor for small dense pieces): a bound on memory. */
const FILL_PER_ENTRY = 2;
const FILL_FLOOR = 1 << 16;
/** Operations per entry of A (beyond a floor): a bound on time. Past either bound, GMRES is used instead. */
const ELIMINATION_WORK_PER_ENTRY = 16;
const ELIMINATION_WORK_FLOOR = 1 << 20;

/** Row sums of A, compensated: the leak of each row, accurate even when 1 − Σ q cancels almost entirely. */
function rowLeaks(a: SparseSystem): Float64Array {
  const leak = new Float64Array(a.n);
  for (let i = 0; i < a.n; i++) {
    let s = 0;
    let c = 0;
    for (let e = a.rowStart[i]!, end = a.rowStart[i + 1]!; e < end; e++) {
      const v = a.value[e]!;
      const sum = s + v;
      const z = sum - s;
      c += s - (sum - z) + (v - z);
      s = sum;
    }
    leak[i] = Math.max(0, s + c); // below 0 only by rounding: the row leaks nothing
  }
  return leak;
}

function transposeOf(a: SparseSystem): SparseSystem {
  const { n, rowStart, col, value } = a;
  const m = rowStart[n]!;
  const rows = new Int32Array(m);
  for (let i = 0; i < n; i++) rows.fill(i, rowStart[i]!, rowStart[i + 1]!);
  return sparseFromTriples(n, col.subarray(0, m), rows, value.subarray(0, m));
}

/** Min-heap of (count, node), stale entries skipped by the caller: simpler than decreasing keys. */
class CountHeap {
  #count: number[] = [];
  #node: number[] = [];
  get size(): number {
    return this.#node.length;
  }
  push(count: number, node: number): void {
    const c = this.#count;
    const v = this.#node;
    let i = v.length;
    c.push(count);
    v.push(node);
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.#less(i, up)) break;
      this.#swap(i, up);
      i = up;
    }
  }
  /** The node of least count (ties: least node); its count in `out[0]`. */
  pop(out: number[]): number {
    const c = this.#count;
    const v = this.#node;
    const node = v[0]!;
    out[0] = c[0]!;
    const lastCount = c.pop()!;
    const lastNode = v.pop()!;
    if (v.length > 0) {
      c[0] = lastCount;
      v[0] = lastNode;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < v.length && this.#less(l, best)) best = l;
        if (r < v.length && this.#less(r, best)) best = r;
        if (best === i) break;
        this.#swap(i, best);
        i = best;
      }
    }
    return node;
  }
  #less(i: number, j: number): boolean {
    const a = this.#count[i]!;
    const b = this.#count[j]!;
    return a < b || (a === b && this.#node[i]! < this.#node[j]!);
  }
  #swap(i: number, j: number): void {
    const c = this.#count;
    const v = this.#node;
    const t = c[i]!;
    c[i] = c[j]!;
    c[j] = t;
    const u = v[i]!;
    v[i] = v[j]!;
    v[j] = u;
  }
}

/**
 * The GTH factorisation of a row-dominant M-matrix A, or undefined when it would pass the fill or
 * work bounds (or meets a pivot that is not positive: singular in rounding). With `stopAbove`, a
 * partial one instead: pivots in the same order while their Markowitz count is at most stopAbove
 * and the bounds hold, then the rest as a core (the Schur complement) for GMRES. With
 * `keepPartialAt`, both in one pass: the state where the first pivot's count passes it is kept
 * (the partial factors are a prefix of the full ones), and answered when the full elimination
 * then gives way; a second pass for the partial one would cost as much again.
 */
function eliminate(a: SparseSystem, transposed: boolean, stopAbove?: number, keepPartialAt?: number): DirectFactor | undefined {
  const { n, rowStart, col, value } = a;
  const entries = rowStart[n]! + n;
  const fillLimit = FILL_PER_ENTRY * entries + FILL_FLOOR;
  const workLimit = ELIMINATION_WORK_PER_ENTRY * entries + ELIMINATION_WORK_FLOOR;
  const rows: Map<number, number>[] = [];
  const cols: Set<number>[] = [];
  for (let i = 0; i < n; i++) {
    rows.push(new Map());
    cols.push(new Set());
  }
  for (let i = 0; i < n; i++) {
    for (let e = rowStart[i]!, end = rowStart[i + 1]!; e < end; e++) {
      const j = col[e]!;
      if (j === i || value[e] === 0) continue;
      rows[i]!.set(j, value[e]!);
      cols[j]!.add(i);
    }
  }
  const leak = rowLeaks(a);
  const markowitz = (i: number): number => rows[i]!.size * cols[i]!.size;
  const heap = new CountHeap();
  for (let i = 0; i < n; i++) heap.push(markowitz(i), i);
  const done = new Uint8Array(n);
  const order = new Int32Array(n);
  const pivot = new Float64Array(n);
  const uStart = new Int32Array(n + 1);
  const lStart = new Int32Array(n + 1);
  const uCol: number[] = [];
  const uValue: number[] = [];
  const lRow: number[] = [];
  const lValue: number[] = [];
  const popped = [0];
  let live = entries;
  let work = 0;
  let steps = n;
  let kept: { steps: number; uEnd: number; lEnd: number; core: CoreTriples } | undefined;
  let gaveWay = false; // the full elimination passed its bounds after `kept` was taken
  for (let t = 0; t < n; t++) {
    let p = -1;
    while (heap.size > 0) {
      const q = heap.pop(popped);
      if (done[q] === 0 && popped[0] === markowitz(q)) {
        p = q;
        break;
      }
    }
    if (p < 0) return undefined; // cannot happen: every change pushed the node's new count
    if (keepPartialAt !== undefined && kept === undefined && markowitz(p) > keepPartialAt)
      kept = { steps: t, uEnd: uCol.length, lEnd: lRow.length, core: coreTriples(n, done, rows, leak, transposed) };
    if (stopAbove !== undefined && markowitz(p) > stopAbove) {
      steps = t;
      break;
    }
    done[p] = 1;
    order[t] = p;
    const row = rows[p]!;
    // GTH: the pivot is the leak plus the off-diagonal mass, a sum of nonnegative numbers.
    let d = leak[p]!;
    for (const v of row.values()) d -= v;
    if (!(d > 0) || !Number.isFinite(d)) return undefined;
    pivot[t] = d;
    for (const [j, v] of row) {
      uCol.push(j);
      uValue.push(v);
      cols[j]!.delete(p);
    }
    uStart[t + 1] = uCol.length;
    for (const i of cols[p]!) {
      const rowI = rows[i]!;
      const aip = rowI.get(p)!;
      rowI.delete(p);
      lRow.push(i);
      lValue.push(aip / d);
      const f = -aip / d; // ≥ 0
      leak[i]! += f * leak[p]!;
      for (const [j, v] of row) {
        if (j === i) continue; // the diagonal is implicit: leak plus off-diagonal mass
        const old = rowI.get(j);
        if (old === undefined) {
          rowI.set(j, f * v);
          cols[j]!.add(i);
          live++;
        } else rowI.set(j, old + f * v);
      }
      work += row.size + 1;
      heap.push(markowitz(i), i);
    }
    lStart[t + 1] = lRow.length;
    for (const j of row.keys()) heap.push(markowitz(j), j);
    rows[p] = new Map();
    cols[p] = new Set();
    if (live > fillLimit || work > workLimit) {
      if (kept !== undefined) {
        gaveWay = t + 1 < n; // past the bounds at the last pivot is still a full factorisation
        break;
      }
      if (stopAbove === undefined) return undefined;
      steps = t + 1;
      break;
    }
  }
  let uEnd = uCol.length;
  let lEnd = lRow.length;
  let triples: CoreTriples | undefined;
  if (gaveWay && kept !== undefined) {
    // The full elimination gave way: back to the partial state kept on the way.
    ({ steps, uEnd, lEnd } = kept);
    triples = kept.core;
  } else if (steps < n) triples = coreTriples(n, done, rows, leak, transposed);
  const core = triples ? coreOf(triples) : undefined;
  if (core === undefined && steps < n) return undefined;
  return {
    order: order.subarray(0, steps),
    pivot: pivot.subarray(0, steps),
    uStart,
    uCol: Int32Array.from(uCol.slice(0, uEnd)),
    uValue: Float64Array.from(uValue.slice(0, uEnd)),
    lStart,
    lRow: Int32Array.from(lRow.slice(0, lEnd)),
    lValue: Float64Array.from(lValue.slice(0, lEnd)),
    transposed,
    ...(core ? { core } : {}),
  };
}

/**
 * The Schur complement left by a partial elimination, as triples in A's orientation: the rows of
 * the nodes not done, their implicit GTH diagonals made explicit.
 */
interface CoreTriples {
  nodes: number[];
  positionOf: Int32Array;
  r: number[];
  c: number[];
  v: number[];
}

function coreTriples(n: number, done: Uint8Array, rows: Map<number, number>[], leak: Float64Array, transposed: boolean): CoreTriples {
  const positionOf = new Int32Array(n).fill(-1);
  const nodes: number[] = [];
  for (let i = 0; i < n; i++) if (done[i] === 0) positionOf[i] = nodes.push(i) - 1;
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (const i of nodes) {
    let d = leak[i]!;
    for (const [j, value] of rows[i]!) {
      d -= value; // off-diagonals are ≤ 0: the diagonal is the leak plus their mass
      const [row, col] = transposed ? [positionOf[j]!, positionOf[i]!] : [positionOf[i]!, positionOf[j]!];
      r.push(row);
      c.push(col);
      v.push(value);
    }
    r.push(positionOf[i]!);
    c.push(positionOf[i]!);
    v.push(d);
  }
  return { nodes, positionOf, r, c, v };
}

/** The core prepared for GMRES: undefined when it cannot be solved (it can: a Schur complement of a nonsingular M-matrix is one). */
function coreOf({ nodes, positionOf, r, c, v }: CoreTriples): DirectFactor['core'] | undefined {
  const system = prepareIterative(sparseFromTriples(nodes.length, Int32Array.from(r), Int32Array.from(c), Float64Array.from(v)));
  return system.reason === undefined ? { system, nodes: Int32Array.from(nodes), positionOf } : undefined;
}

/**
 * x ← A⁻¹·b by the factors (b and x may be the same array). Subtraction-free when b ≥ 0. With a
 * core left, the core's part is solved by GMRES between the forward and the backward sweep (the
 * forward sweep leaves the core's right-hand side, the backward one reads its solution): false
 * when GMRES did not reach its cut in maxSteps, and the steps it took in `steps[0]`.
 */
function solveDirect(f: DirectFactor, b: Float64Array, x: Float64Array, maxSteps = 0, m = DEFAULT_RESTART, steps = [0]): boolean {
  const { order, pivot, uStart, uCol, uValue, lStart, lRow, lValue } = f;
  const n = order.length;
  if (x !== b) x.set(b);
  steps[0] = 0;
  let reached = true;
  if (!f.transposed) {
    // A = L·U: forward by L (pushing each settled value down its column), back by U.
    for (let t = 0; t < n; t++) {
      const y = x[order[t]!]!;
      if (y !== 0) for (let e = lStart[t]!, end = lStart[t + 1]!; e < end; e++) x[lRow[e]!]! -= lValue[e]! * y;
    }
    if (f.core) reached = solveCore(f.core, x, maxSteps, m, steps);
    for (let t = n - 1; t >= 0; t--) {
      const p = order[t]!;
      let s = x[p]!;
      for (let e = uStart[t]!, end = uStart[t + 1]!; e < end; e++) s -= uValue[e]! * x[uCol[e]!]!;
      x[p] = s / pivot[t]!;
    }
    return reached;
  }
  // Aᵀ = L·U, so A = Uᵀ·Lᵀ: forward by Uᵀ, back by Lᵀ.
  for (let t = 0; t < n; t++) {
    const p = order[t]!;
    const y = x[p]! / pivot[t]!;
    x[p] = y;
    if (y !== 0) for (let e = uStart[t]!, end = uStart[t + 1]!; e < end; e++) x[uCol[e]!]! -= uValue[e]! * y;
  }
  if (f.core) reached = solveCore(f.core, x, maxSteps, m, steps);
  for (let t = n - 1; t >= 0; t--) {
    const p = order[t]!;
    let s = x[p]!;
    for (let e = lStart[t]!, end = lStart[t + 1]!; e < end; e++) s -= lValue[e]! * x[lRow[e]!]!;
    x[p] = s;
  }
  return reached;
}

/** The core's unknowns in x, from the right-hand side the forward sweep left there, by GMRES on the Schur complement. */
function solveCore(core: NonNullable<DirectFactor['core']>, x: Float64Array, maxSteps: number, m: number, steps: number[]): boolean {
  const k = core.nodes.length;
  const r = new Float64Array(k);
  const d = new Float64Array(k);
  for (let i = 0; i < k; i++) r[i] = x[core.nodes[i]!]!;
  const run = gmres(core.system, r, d, INNER_TOLERANCE, maxSteps, Math.min(m, k));
  steps[0] = run.steps;
  for (let i = 0; i < k; i++) x[core.nodes[i]!] = d[i]!;
  return run.reached;
}

// ---------------------------------------------------------------------------------------------
// Preconditioner: A ≈ L·U on A's own sparsity (unit L below the diagonal, U on and above)

interface Factor {
  /** L's entries below the diagonal, U's on and above, on A's pattern. */
  lu: Float64Array;
  /** Index of each row's diagonal entry. */
  diagAt: Int32Array;
  kind: 'ilu0' | 'symmetric Gauss–Seidel';
}

function diagonalPositions(a: SparseSystem): Int32Array {
  const diagAt = new Int32Array(a.n);
  for (let i = 0; i < a.n; i++) {
    let e = a.rowStart[i]!;
    while (a.col[e] !== i) e++; // sparseFromTriples puts a diagonal entry in every row
    diagAt[i] = e;
  }
  return diagAt;
}

/** ILU(0) when its set-up fits the work bound and its pivots come out positive; else symmetric Gauss–Seidel. */
function factor(a: SparseSystem, diagAt: Int32Array): Factor {
  if (iluWork(a, diagAt) <= ILU_WORK_PER_ENTRY * (a.rowStart[a.n]! + a.n)) {
    const lu = ilu0(a, diagAt);
    if (lu !== undefined) return { lu, diagAt, kind: 'ilu0' };
  }
  return { lu: symmetricGaussSeidel(a, diagAt), diagAt, kind: 'symmetric Gauss–Seidel' };
}

/** Operations of ilu0: for each entry (i, k) below the diagonal, the length of row k above its diagonal. */
function iluWork(a: SparseSystem, diagAt: Int32Array): number {
  let work = 0;
  for (let i = 0; i < a.n; i++) {
    for (let e = a.rowStart[i]!; e < diagAt[i]!; e++) {
      const k = a.col[e]!;
      work += a.rowStart[k + 1]! - diagAt[k]! - 1;
    }
  }
  return work;
}

/**
 * ILU(0), row by row (the IKJ form): row i is eliminated by the rows above it, keeping only the
 * updates that land on row i's own nonzeros. Undefined when a pivot is not positive and finite
 * (it always is for a nonsingular M-matrix; rounding on a near-singular one could break it).
 */
function ilu0(a: SparseSystem, diagAt: Int32Array): Float64Array | undefined {
  const { n, rowStart, col } = a;
  const lu = a.value.slice();
  const at = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const start = rowStart[i]!;
    const end = rowStart[i + 1]!;
    for (let e = start; e < end; e++) at[col[e]!] = e;
    for (let e = start; e < diagAt[i]!; e++) {
      const k = col[e]!;
      const l = lu[e]! / lu[diagAt[k]!]!;
      lu[e] = l;
      for (let f = diagAt[k]! + 1, fEnd = rowStart[k + 1]!; f < fEnd; f++) {
        const t = at[col[f]!]!;
        if (t >= 0) lu[t]! -= l * lu[f]!;
      }
    }
    for (let e = start; e < end; e++) at[col[e]!] = -1;
    const pivot = lu[diagAt[i]!]!;
    if (!(pivot > 0) || !Number.isFinite(pivot)) return undefined;
  }
  return lu;
}

/** M = (D + L)·D⁻¹·(D + U), A = D + L + U: as a unit lower factor (L·D⁻¹ + I) and an upper one (D + U). */
function symmetricGaussSeidel(a: SparseSystem, diagAt: Int32Array): Float64Array {
  const lu = a.value.slice();
  for (let i = 0; i < a.n; i++) for (let e = a.rowStart[i]!; e < diagAt[i]!; e++) lu[e] = lu[e]! / a.value[diagAt[a.col[e]!]!]!;
  return lu;
}

/** y ← M⁻¹·y in place: forward by the unit lower factor, backward by the upper one. */
function precondition(a: SparseSystem, f: Factor, y: Float64Array): void {
  const { n, rowStart, col } = a;
  const { lu, diagAt } = f;
  for (let i = 0; i < n; i++) {
    let s = y[i]!;
    for (let e = rowStart[i]!, d = diagAt[i]!; e < d; e++) s -= lu[e]! * y[col[e]!]!;
    y[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {
    const d = diagAt[i]!;
    let s = y[i]!;
    for (let e = d + 1, end = rowStart[i + 1]!; e < end; e++) s -= lu[e]! * y[col[e]!]!;
    y[i] = s / lu[d]!;
  }
}

// ---------------------------------------------------------------------------------------------
// Products and residuals

/** out ← A·x. */
function multiply(a: SparseSystem, x: Float64Array, out: Float64Array): void {
  const { n, rowStart, col, value } = a;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let e = rowStart[i]!, end = rowStart[i + 1]!; e < end; e++) s += value[e]! * x[col[e]!]!;
    out[i] = s;
  }
}

const SPLITTER = 134217729; // 2^27 + 1: Dekker's split of a double into two 26-bit halves

/**
 * out ← b − A·x with every product and sum compensated (Ogita–Rump–Oishi Dot2): as accurate as if
 * computed in twice the precision, then rounded. On a slowly leaking piece b − A·x cancels
 * heavily (x ≈ Q·x + b), and plain double would leave rounding noise as large as the error sought.
 */
export function residual(a: SparseSystem, b: Float64Array, x: Float64Array, out: Float64Array): void {
  const { n, rowStart, col, value } = a;
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    let c = 0;
    for (let e = rowStart[i]!, end = rowStart[i + 1]!; e < end; e++) {
      const u = -value[e]!;
      const v = x[col[e]!]!;
      const p = u * v;
      // TwoProduct: p + q = u·v exactly.
      let t = SPLITTER * u;
      const uh = t - (t - u);
      const ul = u - uh;
      t = SPLITTER * v;
      const vh = t - (t - v);
      const vl = v - vh;
      const q = ul * vl - (p - uh * vh - ul * vh - uh * vl);
      // TwoSum: sum + w = s + p exactly.
      const sum = s + p;
      const z = sum - s;
      const w = s - (sum - z) + (p - z);
      s = sum;
      c += w + q;
    }
    out[i] = s + c;
  }
}

function normInf(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const v = Math.abs(x[i]!);
    if (v > m || Number.isNaN(v)) m = v; // NaN propagates: a non-finite answer must not pass as small
  }
  return m;
}

function norm2(x: Float64Array): number {
  // Scaled by the largest entry: residuals of 1e-170 or so must not underflow to 0.
  const m = normInf(x);
  if (m === 0 || !Number.isFinite(m)) return m;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! / m;
    s += v * v;
  }
  return m * Math.sqrt(s);
}

// ---------------------------------------------------------------------------------------------
// GMRES(m), right-preconditioned: minimises ‖r − A·M⁻¹·u‖₂ over the Krylov space of A·M⁻¹

/** A system made ready for any number of right-hand sides: checked, factorised, with working space. */
export interface PreparedSystem {
  a: SparseSystem;
  /** Why it cannot be solved (singular, not an M-matrix), or undefined. */
  reason: string | undefined;
  /** The exact factors when their fill fits the bounds; else GMRES with `factor` as preconditioner. */
  direct: DirectFactor | undefined;
  factor: Factor | undefined;
  /** ‖A‖₂ bounded by √(‖A‖₁‖A‖∞): what sets the residual plain double can reach. */
  norm: number;
  work: Map<number, GmresWork>;
}

/** How a prepared system is solved. */
export type SolveMethod = 'refused' | 'direct' | 'partial elimination+gmres' | 'gmres+ilu0' | 'gmres+symmetric Gauss–Seidel';

interface GmresWork {
  basis: Float64Array; // (m+1) vectors of n
  hessenberg: Float64Array; // column j at j·(m+1)
  cos: Float64Array;
  sin: Float64Array;
  g: Float64Array;
  w: Float64Array;
  z: Float64Array;
  res: Float64Array;
}

/**
 * Checks A and factorises it once, for solvePrepared to use for each right-hand side: fully when
 * the fill allows, else partially (a core for GMRES), else not (GMRES on A). `full: false` skips
 * the attempt at a full factorisation, for a caller that saw it give way on the same piece;
 * `partial: false` the partial one, for a system solved once.
 */
export function prepareMMatrix(a: SparseSystem, options: { full?: boolean; partial?: boolean } = {}): PreparedSystem {
  const canonical = isCanonical(a) ? a : canonicalCopy(a);
  const { reason, dominant } = examine(canonical);
  const prepared: PreparedSystem = {
    a: canonical,
    reason,
    direct: undefined,
    factor: undefined,
    norm: normBound(canonical),
    work: new Map(),
  };
  if (reason !== undefined) return prepared;
  if (dominant !== 'neither') prepared.direct = elimination(canonical, dominant === 'columns', options);
  if (prepared.direct === undefined) prepared.factor = factor(canonical, diagonalPositions(canonical));
  return prepared;
}

/**
 * The factors of A (of Aᵀ when `transposed`): full where the fill allows; where it gives way,
 * partial: the nodes that fill in little (Markowitz count up to PARTIAL_MARKOWITZ) eliminated,
 * the rest, the core, left to GMRES (undefined when that would eliminate less than
 * PARTIAL_MIN_SHARE of the nodes: GMRES on the whole system then). One pass does both (see
 * eliminate); `full: false` stops at the partial state, `partial: false` never answers one.
 */
function elimination(a: SparseSystem, transposed: boolean, options: { full?: boolean; partial?: boolean }): DirectFactor | undefined {
  const partial = options.partial !== false;
  if (options.full === false && !partial) return undefined;
  const m = transposed ? transposeOf(a) : a;
  const f =
    options.full === false
      ? eliminate(m, transposed, PARTIAL_MARKOWITZ)
      : eliminate(m, transposed, undefined, partial ? PARTIAL_MARKOWITZ : undefined);
  if (f?.core !== undefined && f.order.length < PARTIAL_MIN_SHARE * a.n) return undefined;
  return f;
}

function normBound(a: SparseSystem): number {
  const rows = new Float64Array(a.n);
  const cols = new Float64Array(a.n);
  for (let i = 0; i < a.n; i++) {
    for (let e = a.rowStart[i]!, end = a.rowStart[i + 1]!; e < end; e++) {
      const v = Math.abs(a.value[e]!);
      rows[i]! += v;
      cols[a.col[e]!]! += v;
    }
  }
  return Math.sqrt(normInf(rows) * normInf(cols));
}

/** How a prepared system is solved (for tests and reports). */
export function methodOf(p: PreparedSystem): SolveMethod {
  if (p.reason !== undefined) return 'refused';
  if (p.direct !== undefined) return p.direct.core ? 'partial elimination+gmres' : 'direct';
  return p.factor!.kind === 'ilu0' ? 'gmres+ilu0' : 'gmres+symmetric Gauss–Seidel';
}

/** Prepares A for GMRES alone, skipping the direct elimination (to test and compare the iterative path). */
export function prepareIterative(a: SparseSystem): PreparedSystem {
  const canonical = isCanonical(a) ? a : canonicalCopy(a);
  const { reason } = examine(canonical);
  const prepared: PreparedSystem = {
    a: canonical,
    reason,
    direct: undefined,
    factor: undefined,
    norm: normBound(canonical),
    work: new Map(),
  };
  if (reason === undefined) prepared.factor = factor(canonical, diagonalPositions(canonical));
  return prepared;
}

/** Columns strictly increasing within each row, the diagonal present: what the factorisation needs. */
function isCanonical(a: SparseSystem): boolean {
  for (let i = 0; i < a.n; i++) {
    let diagonal = false;
    for (let e = a.rowStart[i]!, end = a.rowStart[i + 1]!; e < end; e++) {
      if (e > a.rowStart[i]! && a.col[e]! <= a.col[e - 1]!) return false;
      if (a.col[e] === i) diagonal = true;
    }
    if (!diagonal) return false;
  }
  return true;
}

function canonicalCopy(a: SparseSystem): SparseSystem {
  const m = a.rowStart[a.n]!;
  const rows = new Int32Array(m);
  for (let i = 0; i < a.n; i++) rows.fill(i, a.rowStart[i]!, a.rowStart[i + 1]!);
  return sparseFromTriples(a.n, rows, a.col.subarray(0, m), a.value.subarray(0, m));
}

function workFor(p: PreparedSystem, m: number): GmresWork {
  let w = p.work.get(m);
  if (w === undefined) {
    const n = p.a.n;
    w = {
      basis: new Float64Array((m + 1) * n),
      hessenberg: new Float64Array((m + 1) * m),
      cos: new Float64Array(m),
      sin: new Float64Array(m),
      g: new Float64Array(m + 1),
      w: new Float64Array(n),
      z: new Float64Array(n),
      res: new Float64Array(n),
    };
    p.work.set(m, w);
  }
  return w;
}

/**
 * d ← an approximate solution of A·d = r from d = 0, the residual cut by `relative` (true
 * residual, recomputed at every restart) or down to what plain double can resolve (a few ulps of
 * ‖A‖·‖d‖ + ‖r‖: on an ill-conditioned piece ‖d‖ ≫ ‖r‖ and the relative cut is out of reach; the
 * compensated residual of the correction after this takes over), or `maxSteps` steps taken,
 * whichever first. Whether the cut was reached, and the steps taken. A restart cycle that does
 * not lower the true residual at all is a stall: no further cycle would either.
 */
function gmres(
  p: PreparedSystem,
  r: Float64Array,
  d: Float64Array,
  relative: number,
  maxSteps: number,
  m: number,
): { reached: boolean; steps: number } {
  const { a } = p;
  const f = p.factor!;
  const n = a.n;
  const ws = workFor(p, m);
  const { basis, hessenberg: h, cos, sin, g, w, z, res } = ws;
  const h1 = m + 1;
  d.fill(0);
  res.set(r);
  let beta = norm2(res);
  const rNorm = beta;
  let target = relative * beta;
  let steps = 0;
  if (beta === 0) return { reached: true, steps };
  while (steps < maxSteps) {
    if (!(beta > target)) return { reached: beta <= target, steps };
    for (let i = 0; i < n; i++) basis[i] = res[i]! / beta;
    g.fill(0);
    g[0] = beta;
    let j = 0;
    while (j < m && steps < maxSteps) {
      steps++;
      // w = A·M⁻¹·v_j, orthogonalised against v_0..v_j (modified Gram–Schmidt).
      z.set(basis.subarray(j * n, (j + 1) * n));
      precondition(a, f, z);
      multiply(a, z, w);
      for (let i = 0; i <= j; i++) h[j * h1 + i] = orthogonalise(w, basis, i * n, n);
      const next = norm2(w);
      h[j * h1 + j + 1] = next;
      if (next > 0) for (let t = 0, at = (j + 1) * n; t < n; t++) basis[at + t] = w[t]! / next;
      // Givens rotations keep the Hessenberg matrix triangular; |g[j+1]| is the residual norm.
      for (let i = 0; i < j; i++) {
        const x = h[j * h1 + i]!;
        const y = h[j * h1 + i + 1]!;
        h[j * h1 + i] = cos[i]! * x + sin[i]! * y;
        h[j * h1 + i + 1] = -sin[i]! * x + cos[i]! * y;
      }
      const x = h[j * h1 + j]!;
      const y = h[j * h1 + j + 1]!;
      const rho = Math.hypot(x, y);
      if (!(rho > 0) || !Number.isFinite(rho)) break; // the Krylov space is exhausted on a singular direction
      cos[j] = x / rho;
      sin[j] = y / rho;
      h[j * h1 + j] = rho;
      h[j * h1 + j + 1] = 0;
      g[j + 1] = -sin[j]! * g[j]!;
      g[j] = cos[j]! * g[j]!;
      j++;
      if (Math.abs(g[j]!) <= target || next === 0) break;
    }
    if (j === 0) return { reached: false, steps };
    addCorrection(a, f, ws, j, m, d);
    // The true residual, in plain double: the refinement around this recomputes it exactly.
    multiply(a, d, w);
    for (let i = 0; i < n; i++) res[i] = r[i]! - w[i]!;
    const previous = beta;
    beta = norm2(res);
    if (!Number.isFinite(beta)) return { reached: false, steps };
    target = Math.max(relative * rNorm, 16 * EPS * (p.norm * norm2(d) + rNorm));
    if (beta <= target) return { reached: true, steps };
    if (!(beta < previous)) return { reached: false, steps };
  }
  return { reached: beta <= target, steps };
}

/**
 * w ← w − (w·v)·v for the basis vector v at basis[at .. at + n); answers w·v. Offsets, not
 * subarray views: this is GMRES's inner loop.
 */
function orthogonalise(w: Float64Array, basis: Float64Array, at: number, n: number): number {
  let dot = 0;
  for (let t = 0; t < n; t++) dot += w[t]! * basis[at + t]!;
  for (let t = 0; t < n; t++) w[t]! -= dot * basis[at + t]!;
  return dot;
}

/** d += M⁻¹·(V·y), y solving the triangular least-squares system of the first j steps. */
function addCorrection(a: SparseSystem, f: Factor, ws: GmresWork, j: number, m: number, d: Float64Array): void {
  const n = a.n;
  const { basis, hessenberg: h, g, z } = ws;
  const h1 = m + 1;
  const y = new Float64Array(j);
  for (let i = j - 1; i >= 0; i--) {
    let s = g[i]!;
    for (let c = i + 1; c < j; c++) s -= h[c * h1 + i]! * y[c]!;
    y[i] = s / h[i * h1 + i]!;
  }
  z.fill(0);
  for (let i = 0; i < j; i++) {
    const yi = y[i]!;
    for (let t = 0, at = i * n; t < n; t++) z[t]! += yi * basis[at + t]!;
  }
  precondition(a, f, z);
  for (let t = 0; t < n; t++) d[t]! += z[t]!;
}

// ---------------------------------------------------------------------------------------------
// The solve: corrections until one is below the tolerance

/**
 * Solves A·x = b for a prepared nonsingular M-matrix; `x` holds the start and receives the answer.
 * Corrections d solve A·d = b − A·x (residual compensated) by the exact factors, or by GMRES where
 * the elimination gave way; converged once a correction is at most tolerance·max(1, ‖x‖∞) (and,
 * by GMRES, reached its cut). With the factors that takes two solves: the answer, then a
 * correction of a few ulps. Not converged (x then the best iterate, not to be trusted) when the
 * system was refused, the iterations ran out, or corrections stopped contracting.
 */
export function solvePrepared(p: PreparedSystem, b: Float64Array, x: Float64Array, options: KrylovOptions): KrylovResult {
  const n = p.a.n;
  const r = new Float64Array(n);
  if (p.reason !== undefined)
    return { converged: false, iterations: 0, residual: Number.NaN, error: Number.POSITIVE_INFINITY, corrections: 0, reason: p.reason };
  const m = Math.max(1, Math.min(options.restart ?? DEFAULT_RESTART, n));
  const d = new Float64Array(n);
  residual(p.a, b, x, r);
  let iterations = 0;
  let error = Number.POSITIVE_INFINITY;
  let previous = Number.POSITIVE_INFINITY;
  let reason: string | undefined = 'corrections did not contract';
  let corrections = 0;
  while (corrections < MAX_CORRECTIONS) {
    if (normInf(r) === 0) {
      error = 0; // x solves the stored system exactly
      reason = undefined;
      break;
    }
    const run = correction(p, r, d, options.maxIterations - iterations, m);
    iterations += run.steps;
    const size = normInf(d);
    if (!Number.isFinite(size)) {
      reason = 'the iterations produced non-finite values';
      break;
    }
    for (let i = 0; i < n; i++) x[i]! += d[i]!;
    corrections++;
    residual(p.a, b, x, r);
    error = size;
    if (!run.reached) {
      reason = iterations >= options.maxIterations ? `${options.maxIterations} iterations were not enough` : 'GMRES stalled';
      break;
    }
    if (size <= options.tolerance * Math.max(1, normInf(x))) {
      reason = undefined;
      break;
    }
    if (size > previous / 2) break; // not contracting: more corrections would not help
    previous = size;
  }
  const result: KrylovResult = { converged: reason === undefined, iterations, residual: normInf(r), error, corrections };
  if (reason !== undefined) result.reason = reason;
  return result;
}

/** d ← A⁻¹·r: by the exact factors when there are, else by GMRES to INNER_TOLERANCE. */
function correction(p: PreparedSystem, r: Float64Array, d: Float64Array, maxSteps: number, m: number): { reached: boolean; steps: number } {
  if (p.direct === undefined) return gmres(p, r, d, INNER_TOLERANCE, maxSteps, m);
  const steps = [0];
  const reached = solveDirect(p.direct, r, d, maxSteps, m, steps);
  return { reached, steps: steps[0]! };
}

/** Solves A·x = b (see solvePrepared); for several right-hand sides, prepare once instead. */
export function solveMMatrix(a: SparseSystem, b: Float64Array, x: Float64Array, options: KrylovOptions): KrylovResult {
  return solvePrepared(prepareMMatrix(a), b, x, options);
}

// ---------------------------------------------------------------------------------------------
// solvePiece's form

export interface PieceKrylovOptions {
  /** The estimated error allowed, relative to max(1, ‖x‖∞) (see KrylovOptions). */
  tolerance: number;
  /** Names the analysis in the error when the piece cannot be solved. */
  who: string;
  /** Solve with I − Qᵀ instead of I − Q. */
  transpose?: boolean;
  /** GMRES steps per right-hand side; DEFAULT_PIECE_ITERATIONS unless given. */
  maxIterations?: number;
  restart?: number;
  /**
   * 'many' (preparePieceKrylov's default): for a piece prepared once and solved many times (the
   * memo's): the full elimination, else a partial one with GMRES on its core, else GMRES.
   * 'once' (solvePieceKrylov's default): the full elimination, else GMRES (a partial elimination
   * costs more to set up than it saves on one right-hand side: 200 ms on a 16,000-member piece).
   * 'iterative': GMRES at once (a caller that saw the full elimination give way on the same piece).
   */
  method?: 'many' | 'once' | 'iterative';
}

/**
 * GMRES steps per right-hand side when the elimination gave way: 50–90 are used on pieces up to
 * 43,000 members; a bound on the cost (about 5 ms a step at 43,000 members with restart 30).
 */
export const DEFAULT_PIECE_ITERATIONS = 1000;

/**
 * Solves (I − Q)·X = B, or (I − Qᵀ)·X = B with `transpose`, as solvePiece does (same arguments:
 * B k×r row-major in `rhs`, which receives X), by GMRES on the sparse system. Throws, naming
 * options.who, when the piece is closed or the solve does not converge: an explicit error rather
 * than a wrong answer.
 */
export function solvePieceKrylov(
  k: number,
  rowStart: Int32Array,
  col: Int32Array,
  weight: Float64Array,
  rhs: Float64Array,
  r: number,
  options: PieceKrylovOptions,
): SolveMethod {
  const prepared = preparePieceKrylov(k, rowStart, col, weight, { method: 'once', ...options });
  solvePreparedPiece(prepared, rhs, r, options);
  return methodOf(prepared);
}

/**
 * The system of one piece made ready once (checked, factorised or preconditioned), for any number
 * of solves: what a snapshot's memo keeps for a large piece, so that a request pays for the
 * solve only. Throws, naming options.who, when the piece is closed.
 */
export function preparePieceKrylov(
  k: number,
  rowStart: Int32Array,
  col: Int32Array,
  weight: Float64Array,
  options: Pick<PieceKrylovOptions, 'who' | 'transpose' | 'method'>,
): PreparedSystem {
  const system = mMatrixOfSteps(k, rowStart, col, weight, options.transpose === true);
  const prepared =
    options.method === 'iterative' ? prepareIterative(system) : prepareMMatrix(system, { partial: options.method !== 'once' });
  if (prepared.reason !== undefined)
    throw new UnsolvableCycleError(`${options.who}: cannot solve a cycle of ${k} suppliers: ${prepared.reason}`);
  return prepared;
}

/**
 * solvePieceKrylov's solve on a prepared piece. The prepared system's GMRES working space is
 * reused (and fully rewritten by every solve, so a solve that throws leaves nothing behind);
 * solves on one prepared system must not run at the same time, which they cannot: analyses run
 * synchronously, one at a time per thread.
 */
export function solvePreparedPiece(prepared: PreparedSystem, rhs: Float64Array, r: number, options: PieceKrylovOptions): void {
  const k = prepared.a.n;
  const krylov: KrylovOptions = { tolerance: options.tolerance, maxIterations: options.maxIterations ?? DEFAULT_PIECE_ITERATIONS };
  if (options.restart !== undefined) krylov.restart = options.restart;
  const b = new Float64Array(k);
  const x = new Float64Array(k);
  for (let q = 0; q < r; q++) {
    for (let p = 0; p < k; p++) b[p] = rhs[p * r + q]!;
    x.fill(0);
    const result = solvePrepared(prepared, b, x, krylov);
    if (!result.converged) {
      throw new UnsolvableCycleError(
        `${options.who}: a cycle of ${k} suppliers could not be solved (${result.reason}; ` +
          `${result.iterations} iterations, estimated error ${result.error.toExponential(2)})`,
      );
    }
    for (let p = 0; p < k; p++) rhs[p * r + q] = x[p]!;
  }
}
