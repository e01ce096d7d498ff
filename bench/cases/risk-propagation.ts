/** Propagated risk of every node (SPEC §2.3) under the default policy: target ≤ 1 s. Baseline: PageRank. */
import { DEFAULT_RISK_POLICY } from '../../server/analytics/risk-policies.js';
import { propagateRisk } from '../../graph/analyses/risk-score.js';
import type { BenchCase } from '../lib/types.js';

export const riskPropagation: BenchCase = {
  id: 'risk-propagation',
  phase: 'snapshot',
  run(ctx) {
    const s = ctx.snapshot!;
    const t = ctx.time(() => propagateRisk(s, ctx.metal, DEFAULT_RISK_POLICY));
    return [
      { name: 'risk-propagation', value: t.median, unit: 'ms', target: 1000, better: 'lower', min: t.min, max: t.max, reps: t.samples.length, baselineKey: 'pagerank', note: 'intrinsic risk included' },
    ];
  },
};
