/** Compiling the snapshot from a full scan (SPEC §2): target ≤ 2 s on 1M nodes / 5M SUPPLIES. */
import { compileSnapshot, type Snapshot } from '../../graph/snapshot.js';
import type { BenchCase } from '../lib/types.js';

export const snapshotCompile: BenchCase = {
  id: 'snapshot-compile',
  phase: 'scan',
  run(ctx) {
    const scan = ctx.scan;
    if (!scan) throw new Error('snapshot-compile needs the scan');
    let snapshot: Snapshot | undefined;
    const t = ctx.time(
      () => {
        snapshot = undefined; // let the previous one go before building the next
        snapshot = compileSnapshot(scan);
      },
      { reps: ctx.quick ? 5 : 3, budgetMs: 60_000 },
    );
    ctx.snapshot = snapshot;
    return [{ name: 'snapshot-compile', value: t.median, unit: 'ms', target: 2000, better: 'lower', min: t.min, max: t.max, reps: t.samples.length }];
  },
};
