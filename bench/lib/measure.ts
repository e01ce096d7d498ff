/**
 * Timing and memory helpers. Medians over repetitions; a first run under 200 ms is a JIT warm-up
 * and is not counted; calls under 50 ms are repeated 15 times by default (their medians are the
 * noisiest), others 5; a case stops repeating when its time budget is spent (but always has one
 * sample). A full GC (with --expose-gc) runs before each timed case.
 */
import type { Timing } from './types.js';

export function timeIt(fn: () => unknown, options: { reps?: number; budgetMs?: number } = {}): Timing {
  // Start from a collected heap, so that the garbage of the previous case is not collected (and
  // billed) during this one; what this case allocates is still collected during its own runs.
  (globalThis as { gc?: () => void }).gc?.();
  const budget = options.budgetMs ?? 30_000;
  const samples: number[] = [];
  const started = performance.now();
  let t0 = performance.now();
  fn();
  const first = performance.now() - t0;
  const reps = options.reps ?? (first < 50 ? 15 : 5);
  if (first >= 200) samples.push(first);
  while (samples.length < reps && (samples.length === 0 || performance.now() - started < budget)) {
    t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

export function summarize(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, samples };
}

/** The p-quantile (0..1) of samples, nearest rank. */
export function quantile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** heapUsed + arrayBuffers after a full GC (needs node --expose-gc), in bytes. */
export function retainedBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

export const MB = 1024 * 1024;

export function round(x: number, digits = 3): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
