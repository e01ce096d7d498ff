/**
 * Origin mix (README, "The API in brief"): the aggregates for every node at once (target ≤ 300 ms) and the full mix
 * of the company with the largest upstream (target ≤ 50 ms).
 */
import { originMix, originSharesAll } from '../../graph/analyses/origin-mix.js';
import { Scratch } from '../../graph/numerics/scratch.js';
import type { BenchCase } from '../lib/types.js';

export const originSharesAllCase: BenchCase = {
  id: 'origin-shares-all',
  phase: 'snapshot',
  run(ctx) {
    const s = ctx.snapshot!;
    let cahra = Number.NaN;
    const scratch = new Scratch(); // the working arrays, lent to every repetition
    const t = ctx.time(() => {
      cahra = originSharesAll(s, ctx.metal, { scratch }).cahra[ctx.focal]!;
    });
    ctx.checks['origin-cahra-focal'] = cahra;
    return [
      {
        name: 'origin-shares-all',
        value: t.median,
        unit: 'ms',
        target: 300,
        better: 'lower',
        min: t.min,
        max: t.max,
        reps: t.samples.length,
        baselineKey: 'origin-all',
      },
    ];
  },
};

export const originMixCase: BenchCase = {
  id: 'origin-mix',
  phase: 'snapshot',
  run(ctx) {
    const s = ctx.snapshot!;
    let cahra = Number.NaN;
    const scratch = new Scratch(); // the walk's working arrays, lent to every repetition (as the engine's front door lends its own)
    const t = ctx.time(() => {
      cahra = originMix(s, ctx.metal, ctx.largestUpstream, { scratch }).cahra;
    });
    ctx.checks['origin-cahra-largest'] = cahra;
    return [
      {
        name: 'origin-mix',
        value: t.median,
        unit: 'ms',
        target: 50,
        better: 'lower',
        min: t.min,
        max: t.max,
        reps: t.samples.length,
        baselineKey: 'origin-one',
        note: `company ${s.ids[ctx.largestUpstream]} (largest upstream)`,
      },
    ];
  },
};
