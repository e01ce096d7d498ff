/**
 * Shares and mixes as floating point leaves them, put back where exact arithmetic has them.
 *
 * The analyses compute probabilities: shares of an intake, visit probabilities of the origin
 * walk, lost shares. Exactly, each is in [0, 1] and each mix (a partition of the intake) sums to
 * 1; in floating point a sum of sixths of halves, or ten visits of a loop keeping 0.9, ends a few
 * ulps off (1.0000000000000002), and the answer schemas (rightly) reject a share above 1. Every
 * share and mix an answer carries goes through these helpers where it is produced, so that no
 * answer fails on rounding. They move a figure only by its rounding error: a clamp moves a value
 * only when it is outside [0, 1], and normalising divides by a total that is 1 up to rounding.
 *
 * Also here, the step rule of the origin walk, which every analysis that follows the walk uses
 * (origin mix, smelter mix, single points of failure, impact), so that they agree.
 */

/** A shortfall of the described intake below this is rounding of shares that sum to 1, not a leak. */
export const INTAKE_ROUNDING = 1e-12;

/**
 * The rounding a sum of `terms` shares may carry: INTAKE_ROUNDING, or n·ε where the sum has more
 * terms than that covers (100,000 equal shares of 1e-5 sum to 0.99999999999808: a whole intake,
 * not a leak of 1.9e-12; a sum of n positive terms is off by at most about n·ε of its value).
 */
export function intakeRounding(terms: number): number {
  return Math.max(INTAKE_ROUNDING, terms * Number.EPSILON);
}

/** A probability computed in floating point, clamped into [0, 1] (NaN stays NaN: a bug, not rounding). */
export function clampShare(x: number): number {
  return x < 0 ? 0 : Math.min(x, 1);
}

/**
 * The parts of one mix (non-negative, exactly summing to 1; a negative part is a rounded 0)
 * divided by their total, so that they sum to 1 up to an ulp or two and none exceeds 1. Parts
 * that sum to 0 (no mix at all) are returned clamped.
 */
export function normaliseMix(parts: readonly number[]): number[] {
  let total = 0;
  for (const p of parts) if (p > 0) total += p;
  if (!(total > 0) || total === 1) return parts.map(clampShare);
  // Each part ≤ total, and division rounds monotonically, so each quotient is ≤ 1.
  return parts.map((p) => (p > 0 ? clampShare(p / total) : 0));
}

/**
 * The step rule of the origin walk at a node whose described intake (positive weights plus the
 * undisclosed remainder) is `total`, a sum of `terms` numbers: the factor on every step. Where the total is 1 up to
 * rounding, or a hair above 1 (explicit shares within the snapshot's SHARE_TOLERANCE above 1,
 * which it leaves unscaled), steps are divided by it, so that the walk neither creates nor loses
 * mass; where it falls short (relationships that all got weight 0), steps are taken as they are.
 */
export function intakeScale(total: number, terms = 1): number {
  return total > 1 - intakeRounding(terms) ? 1 / total : 1;
}

/** The step rule's probability of ending as undisclosed at a node with this intake and remainder. */
export function intakeLeak(total: number, remainder: number, terms = 1): number {
  return total > 1 - intakeRounding(terms) ? remainder / total : remainder + (1 - total);
}
