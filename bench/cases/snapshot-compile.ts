/**
 * Compiling the snapshot (SPEC §2): target ≤ 2 s on 1M nodes / 5M SUPPLIES.
 *
 * `snapshot-compile`: compileSnapshotFromColumns over the generated network as a columnar scan
 * (graph/scan-columns.ts: ids in one string array, SUPPLIES ends as Int32Array positions, metal
 * codes, shares as Float64Array) — what a store that scans into columns would hand over.
 * `snapshot-compile-rows`: compileSnapshot over the row objects a store's scan() returns today
 * (scanToColumns, then the same compile); making the objects is not timed.
 */
import { compileSnapshot, compileSnapshotFromColumns, type Snapshot } from '../../graph/snapshot.js';
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
        snapshot = compileSnapshotFromColumns(scan.columns);
      },
      { reps: ctx.quick ? 5 : 3, budgetMs: 60_000 },
    );
    ctx.snapshot = snapshot;
    const rows = scan.rows();
    const r = ctx.time(() => compileSnapshot(rows), { reps: 3, budgetMs: 60_000 });
    return [
      { name: 'snapshot-compile', value: t.median, unit: 'ms', target: 2000, better: 'lower', min: t.min, max: t.max, reps: t.samples.length, note: 'from a columnar scan' },
      {
        name: 'snapshot-compile-rows',
        value: r.median,
        unit: 'ms',
        target: null,
        better: 'lower',
        min: r.min,
        max: r.max,
        reps: r.samples.length,
        note: `from ${rows.nodes.length + rows.relationships.length} row objects (scanToColumns + compile), as from store.scan()`,
      },
    ];
  },
};
