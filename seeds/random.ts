/**
 * mulberry32: a small seeded PRNG, uniform in [0, 1). The generators use it so that a seed always
 * gives the same data (no Math.random, no clock); tests use it for reproducible random inputs.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
