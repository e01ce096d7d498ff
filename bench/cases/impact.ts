/** What-if (ARCHITECTURE.md, "Layers of the engine"): remove 100 suppliers (companies, smelters, a country) at once, all metals: target ≤ 1 s. */
import { impactOfRemoval } from '../../graph/analyses/impact.js';
import type { BenchCase } from '../lib/types.js';
import { mulberry32 } from './sample.js';

export const impactCase: BenchCase = {
  id: 'impact',
  phase: 'snapshot',
  run(ctx) {
    const s = ctx.snapshot!;
    // 100 distinct nodes that supply something in some metal, drawn with a fixed seed.
    const supplies = new Uint8Array(s.nodeCount);
    for (const layer of s.layers.values())
      for (let v = 0; v < s.nodeCount; v++) if (layer.outOffsets[v + 1]! > layer.outOffsets[v]!) supplies[v] = 1;
    const candidates: number[] = [];
    for (let v = 0; v < s.nodeCount; v++) if (supplies[v]) candidates.push(v);
    const rand = mulberry32(7);
    const removed = new Set<number>();
    while (removed.size < Math.min(100, candidates.length)) removed.add(candidates[Math.floor(rand() * candidates.length)]!);
    const list = [...removed].sort((a, b) => a - b);
    let affected = 0;
    const t = ctx.time(() => {
      affected = impactOfRemoval(s, list, {}).length;
    });
    return [
      {
        name: 'impact-100-nodes',
        value: t.median,
        unit: 'ms',
        target: 1000,
        better: 'lower',
        min: t.min,
        max: t.max,
        reps: t.samples.length,
        note: `${affected} (company, metal) pairs affected`,
      },
    ];
  },
};
