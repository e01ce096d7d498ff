/** Propagated risk of every node (README, "The API in brief") under the default policy: target ≤ 1 s. Baseline: PageRank. */
import { DEFAULT_RISK_POLICY } from '../../server/analytics/risk-policies.js';
import { propagateRisk } from '../../graph/analyses/risk-score.js';
import { Scratch } from '../../graph/numerics/scratch.js';
import type { BenchCase } from '../lib/types.js';

export const riskPropagation: BenchCase = {
  id: 'risk-propagation',
  phase: 'snapshot',
  run(ctx) {
    const s = ctx.snapshot!;
    const scratch = new Scratch(); // the working arrays, lent to every repetition
    const t = ctx.time(() => propagateRisk(s, ctx.metal, DEFAULT_RISK_POLICY, { scratch }));
    return [
      {
        name: 'risk-propagation',
        value: t.median,
        unit: 'ms',
        target: 1000,
        better: 'lower',
        min: t.min,
        max: t.max,
        reps: t.samples.length,
        baselineKey: 'pagerank',
        note: 'intrinsic risk included',
      },
    ];
  },
};
