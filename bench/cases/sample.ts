/** Deterministic picks for the cases (no Math.random: runs must be comparable); the PRNG is seeds/random.ts's. */
import type { Metal } from '../../graph/model.js';
import type { Snapshot } from '../../graph/snapshot.js';
import { mulberry32 } from '../../seeds/random.js';

export { mulberry32 };

/** Companies at upstream distance 1..maxDistance from `from` in the metal layer, by index. */
export function tierCompanies(s: Snapshot, metal: Metal, from: number, maxDistance: number): number[] {
  const layer = s.layers.get(metal)!;
  const dist = new Map<number, number>([[from, 0]]);
  const queue = [from];
  const out: number[] = [];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    const d = dist.get(v)!;
    if (d >= maxDistance) continue;
    for (let j = layer.inOffsets[v]!; j < layer.inOffsets[v + 1]!; j++) {
      const u = layer.inSources[j]!;
      if (dist.has(u)) continue;
      dist.set(u, d + 1);
      queue.push(u);
      if (s.labels[u] === 0) out.push(u);
    }
  }
  return out.sort((a, b) => a - b);
}
