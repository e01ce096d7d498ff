/**
 * What-if (ARCHITECTURE.md, "Layers of the engine"): remove 100 suppliers (companies, smelters, a
 * country) at once, all metals: target ≤ 1 s; and ten companies (≤ 200 ms on the 50k giant component).
 */
import { impactOfRemoval } from '../../graph/analyses/impact.js';
import { LABEL_CODES } from '../../graph/snapshot.js';
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
    // Ten nodes among the companies, a different ten each repetition (the giant-network aim: ≤ 200 ms).
    const companies = candidates.filter((v) => s.labels[v] === LABEL_CODES.Company);
    let round = 0;
    const ten = ctx.time(() => {
      const pick = new Set<number>();
      const draw = mulberry32(100 + round++);
      while (pick.size < Math.min(10, companies.length)) pick.add(companies[Math.floor(draw() * companies.length)]!);
      impactOfRemoval(s, [...pick], {});
    });
    return [
      {
        name: 'impact-10-nodes',
        value: ten.median,
        unit: 'ms',
        target: ctx.graph.giantComponent ? 200 : null,
        better: 'lower',
        min: ten.min,
        max: ten.max,
        reps: ten.samples.length,
        note: 'ten companies that supply something, another ten each repetition, all metals',
      },
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
