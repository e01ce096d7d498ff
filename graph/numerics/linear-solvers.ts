/**
 * The linear systems the analyses solve on the cycles of a supply layer: dense Gaussian
 * elimination for small pieces, the sparse solver of krylov.ts beyond (elimination in a
 * fill-reducing order, else preconditioned GMRES), Gauss–Seidel sweeps, and the stopping rule the
 * sweeps of every analysis share. Numbers only: nothing here knows metals, layers or nodes (see
 * ARCHITECTURE.md, "Layers of the engine").
 *
 * The systems are nonsingular M-matrices (a strongly connected piece that leaks), so both
 * methods are sound; a singular system or sweeps that do not converge throw rather than answer.
 */
import { UnsolvableCycleError } from '../errors.js';
import { type SolveMethod, solvePieceKrylov } from './krylov.js';

/** Values in [0, 1] change by this much only through rounding (a few ulps), not progress. */
const ROUNDING_NOISE = 1e-15;

/**
 * Whether Gauss–Seidel sweeps may stop, given the largest change of this sweep and of the one
 * before. A small change alone is not enough where sweeps contract slowly (a near-closed loop):
 * the error left is about change·ρ/(1−ρ), ρ the ratio of successive changes, so that estimate
 * must be below the tolerance too. A change down to rounding ends the sweeps whatever the ratio.
 */
export function sweepsConverged(change: number, previous: number, tolerance: number): boolean {
  if (change <= ROUNDING_NOISE) return true;
  if (change >= tolerance || !(previous > 0)) return false;
  const ratio = change / previous;
  return ratio < 1 && (change * ratio) / (1 - ratio) < tolerance;
}

/**
 * Solves M·X = B in place by Gaussian elimination with partial pivoting: M is k×k row-major
 * (destroyed), B is k×r row-major and receives X. False (B then undefined) when a pivot is 0 or a
 * value is not finite: a singular system. The systems here are nonsingular M-matrices (a component
 * that leaks), so false means a closed loop got through, or a Newton step went wrong.
 */
export function solveDense(m: Float64Array, rhs: Float64Array, k: number, r: number): boolean {
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
    if (!(best > 0) || !Number.isFinite(best)) return false;
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
    const p = m[col * k + col]!;
    for (let row = col + 1; row < k; row++) {
      const factor = m[row * k + col]! / p;
      if (factor === 0) continue; // supply systems are sparse: most rows need no update
      m[row * k + col] = 0;
      for (let x = col + 1; x < k; x++) m[row * k + x]! -= factor * m[col * k + x]!;
      for (let q = 0; q < r; q++) rhs[row * r + q]! -= factor * rhs[col * r + q]!;
    }
  }
  for (let row = k - 1; row >= 0; row--) {
    const d = m[row * k + row]!;
    for (let q = 0; q < r; q++) {
      let sum = rhs[row * r + q]!;
      for (let x = row + 1; x < k; x++) sum -= m[row * k + x]! * rhs[x * r + q]!;
      const value = sum / d;
      if (!Number.isFinite(value)) return false;
      rhs[row * r + q] = value;
    }
  }
  return true;
}

/** What solveSparse needs besides the system: when to stop, and who to blame when it cannot. */
export interface SweepOptions {
  /** Stop once the largest change, and the error it implies at the observed contraction, are below this. */
  tolerance: number;
  maxSweeps: number;
  /** Names the analysis in the error when the sweeps do not converge. */
  who: string;
}

/**
 * Gauss–Seidel for x_p·diag_p = b_p + Σ_e weight_e·x_{col_e} (e over row p of a compact CSR), with
 * r right-hand sides interleaved in `rhs` (row-major k×r), which receives the solution; the sweeps
 * start from b. For the M-matrices here (irreducible, weakly diagonally dominant, one strict row or
 * column: a component that leaks) it converges from any start; the rate is set by how much the
 * component leaks per step. SOR would need a relaxation factor tuned per component and is not
 * guaranteed to converge for ω > 1 here; plain Gauss–Seidel with alternating sweep directions is
 * enough for supply networks, where components leak at many members. Changes are measured
 * relative to max(1, value). Throws when `maxSweeps` are not enough: an explicit error rather than
 * a wrong answer.
 */
export function solveSparse(
  k: number,
  rowStart: Int32Array,
  col: Int32Array,
  weight: Float64Array,
  diag: Float64Array,
  rhs: Float64Array,
  r: number,
  options: SweepOptions,
): void {
  const b = rhs.slice(0, k * r);
  const x = rhs;
  let previous = Number.POSITIVE_INFINITY;
  for (let sweep = 0; sweep < options.maxSweeps; sweep++) {
    let change = 0;
    const forward = sweep % 2 === 1;
    for (let i = 0; i < k; i++) {
      const p = forward ? i : k - 1 - i;
      const d = diag[p]!;
      for (let q = 0; q < r; q++) {
        let sum = b[p * r + q]!;
        for (let e = rowStart[p]!, end = rowStart[p + 1]!; e < end; e++) sum += weight[e]! * x[col[e]! * r + q]!;
        const next = sum / d;
        const delta = Math.abs(next - x[p * r + q]!) / Math.max(next, 1);
        if (delta > change) change = delta;
        x[p * r + q] = next;
      }
    }
    if (change === 0 || sweepsConverged(change, previous, options.tolerance)) return;
    previous = change;
  }
  throw new UnsolvableCycleError(
    `${options.who}: a cycle of ${k} suppliers leaks too little supply to any source ` +
      `for its shares to be solved in ${options.maxSweeps} sweeps`,
  );
}

/** How solvePiece solves: dense up to denseLimit members, Gauss–Seidel (SweepOptions) beyond. */
export interface PieceOptions extends SweepOptions {
  denseLimit: number;
  /** Solve with the transpose of I − Q (the expected-visits form of a walk) instead. */
  transpose?: boolean;
  /**
   * Beyond denseLimit: 'direct' (default, krylov.ts: the elimination, else GMRES), 'iterative'
   * (GMRES at once, for a caller that saw the elimination give way on the same piece), or
   * 'sweeps' (Gauss–Seidel, kept for comparison in tests).
   */
  sparse?: 'direct' | 'iterative' | 'sweeps';
}

/** How solvePiece solved: densely, by Gauss–Seidel sweeps, or as krylov.ts says. */
export type PieceMethod = 'dense' | 'sweeps' | SolveMethod;

/**
 * Solves (I − Q)·X = B, or (I − Qᵀ)·X = B with `transpose`, for one strongly connected piece of k
 * members: row p of Q holds weight[e] in column col[e] for e in rowStart[p] .. rowStart[p+1] (the
 * member's weighted steps to members, steps to itself included, repeated columns added). B is k×r
 * row-major in `rhs`, which receives X. Exact by dense elimination up to options.denseLimit
 * members; beyond, Gauss–Seidel on the sparse system (a dense matrix would cost k² memory for a
 * handful of entries per row). For a piece that leaks, I − Q is a nonsingular M-matrix; a
 * singular one means a closed loop got through, and throws.
 */
export function solvePiece(
  k: number,
  rowStart: Int32Array,
  col: Int32Array,
  weight: Float64Array,
  rhs: Float64Array,
  r: number,
  options: PieceOptions,
): PieceMethod {
  const transpose = options.transpose === true;
  if (k <= options.denseLimit) {
    const m = new Float64Array(k * k);
    for (let p = 0; p < k; p++) {
      m[p * k + p]! += 1;
      for (let e = rowStart[p]!, end = rowStart[p + 1]!; e < end; e++) {
        if (transpose) m[col[e]! * k + p]! -= weight[e]!;
        else m[p * k + col[e]!]! -= weight[e]!;
      }
    }
    if (!solveDense(m, rhs, k, r))
      throw new UnsolvableCycleError(
        `${options.who}: singular system for a cycle of ${k} suppliers that leaks (a closed loop not detected)`,
      );
    return 'dense';
  }
  // Beyond the dense limit: sparse elimination in a fill-reducing order, else preconditioned
  // GMRES (krylov.ts). Gauss–Seidel stalls on large cycles that leak at few members (a ring of
  // 5,000 leaking at one: 20,000 sweeps and no answer), the shape of real company networks.
  if (options.sparse !== 'sweeps') {
    const method = options.sparse === 'iterative' ? 'iterative' : 'once';
    return solvePieceKrylov(k, rowStart, col, weight, rhs, r, { tolerance: options.tolerance, who: options.who, transpose, method });
  }
  // x_p·(1 − q_pp) = b_p + Σ_{s≠p} q_ps x_s, by rows of Q or, transposed, by its columns.
  const diag = new Float64Array(k).fill(1);
  const start = new Int32Array(k + 1);
  for (let p = 0; p < k; p++) {
    for (let e = rowStart[p]!, end = rowStart[p + 1]!; e < end; e++) {
      const s = col[e]!;
      if (s === p) diag[p]! -= weight[e]!;
      else start[(transpose ? s : p) + 1]! += 1;
    }
  }
  for (let p = 0; p < k; p++) start[p + 1]! += start[p]!;
  const other = new Int32Array(start[k]!);
  const otherWeight = new Float64Array(start[k]!);
  const fill = start.slice(0, k);
  for (let p = 0; p < k; p++) {
    for (let e = rowStart[p]!, end = rowStart[p + 1]!; e < end; e++) {
      const s = col[e]!;
      if (s === p) continue;
      const row = transpose ? s : p;
      const slot = fill[row]!++;
      other[slot] = transpose ? p : s;
      otherWeight[slot] = weight[e]!;
    }
  }
  solveSparse(k, start, other, otherWeight, diag, rhs, r, options);
  return 'sweeps';
}
