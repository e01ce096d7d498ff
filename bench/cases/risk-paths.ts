/**
 * Top-10 risk paths (README, "The API in brief"), maxDepth 8, for 50 companies with large upstreams: the focal
 * companies and companies one or two tiers below the first. Value = p50 over the companies
 * (target ≤ 30 ms). The intrinsic risk is computed once beforehand, as a server does per snapshot.
 */
import { intrinsicRisk } from '../../graph/analyses/risk-policy.js';
import { DEFAULT_RISK_POLICY } from '../../server/analytics/risk-policies.js';
import { topRiskPaths } from '../../graph/analyses/risk-paths.js';
import { quantile, summarize } from '../lib/measure.js';
import type { BenchCase } from '../lib/types.js';
import { mulberry32, tierCompanies } from './sample.js';

export const riskPathsCase: BenchCase = {
  id: 'risk-paths',
  phase: 'snapshot',
  run(ctx) {
    const s = ctx.snapshot!;
    const intrinsic = intrinsicRisk(s, DEFAULT_RISK_POLICY);
    const rand = mulberry32(11);
    const near = tierCompanies(s, ctx.metal, ctx.focal, 2);
    const companies = [...new Set([ctx.focal, ctx.largestUpstream])];
    while (companies.length < 50 && near.length > 0) {
      const pick = near.splice(Math.floor(rand() * near.length), 1)[0]!;
      companies.push(pick);
    }
    const options = { limit: 10, maxDepth: 8, intrinsic };
    topRiskPaths(s, ctx.metal, DEFAULT_RISK_POLICY, ctx.focal, options); // warm-up
    const samples = companies.map((c) => {
      const t0 = performance.now();
      topRiskPaths(s, ctx.metal, DEFAULT_RISK_POLICY, c, options);
      return performance.now() - t0;
    });
    const t = summarize(samples);
    return [
      {
        name: 'risk-paths-p50',
        value: t.median,
        unit: 'ms',
        target: 30,
        better: 'lower',
        min: t.min,
        max: t.max,
        reps: samples.length,
        note: `p95 ${quantile(samples, 0.95).toFixed(1)} ms over ${samples.length} companies (focal + tiers 1–2)`,
      },
    ];
  },
};
