/**
 * The resident memory of a process that holds one snapshot, as the service does (SPEC §2: a
 * snapshot of 1M nodes / 5M SUPPLIES within 600 MB RSS). bench/worker.ts measures what the
 * snapshot retains on the heap; this measures the process from outside, in a fresh child of its
 * own, so that the million row objects and the baselines of the worker leave no pages behind:
 *
 * RSS at start → generate the network as a columnar scan → compile it as the service does (two
 * threads: server/analytics/layer-builder.ts, its worker kept, as the service keeps it) → drop the
 * scan and the generator's columns, GC → 30 s idle → RSS. The worker's
 * temporaries of the compile stay resident until V8's memory reducer collects that idle thread's
 * heap (some 25 s after a compile, seen at 1M: ~90 MB); the figure is the RSS once settled.
 *
 * `snapshot-rss`: what holding the snapshot adds to the process's RSS (settled RSS − RSS at start);
 * the note gives the whole process's RSS (Node, tsx and the layer builder's idle worker included)
 * right after the compile and once settled.
 *
 *   node --expose-gc --max-old-space-size=N --import tsx bench/snapshot-rss.ts '<GraphSpec JSON>' <out.json>
 */
import { writeFileSync } from 'node:fs';
import type { ScanColumns } from '../graph/scan-columns.js';
import { generateSyntheticColumns, syntheticScanColumns } from '../seeds/synthetic/generate-synthetic.js';
import { LayerBuilder } from '../server/analytics/layer-builder.js';
import { MB } from './lib/measure.js';
import type { CaseResult, GraphSpec } from './lib/types.js';

/** How long the process idles after the compile before its RSS is read. */
const SETTLE_SECONDS = 30;

const mb = (bytes: number): string => (bytes / MB).toFixed(0);

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
}

async function main(): Promise<void> {
  const [specJson, outFile] = process.argv.slice(2);
  if (!specJson || !outFile) throw new Error("usage: snapshot-rss.ts '<GraphSpec JSON>' <out.json>");
  const graph = JSON.parse(specJson) as GraphSpec;
  const builder = new LayerBuilder();
  try {
    collect();
    const atStart = process.memoryUsage().rss;
    let scan: ScanColumns | undefined = syntheticScanColumns(generateSyntheticColumns({ companies: graph.companies, seed: graph.seed, locatedIn: graph.locatedIn }), 1);
    const relationships = scan.supplies.count;
    const snapshot = await builder.compile(scan);
    scan = undefined;
    collect();
    const afterCompile = process.memoryUsage().rss;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_SECONDS * 1000));
    collect();
    const holding = process.memoryUsage();
    const settled = holding.rss;
    const row: CaseResult = {
      name: 'snapshot-rss',
      value: (settled - atStart) / MB,
      unit: 'MB',
      target: 600,
      better: 'lower',
      reps: 1,
      note:
        `RSS added by holding the snapshot (${snapshot.nodeCount} nodes, ${relationships} SUPPLIES) after a two-thread compile, scan dropped, ${SETTLE_SECONDS} s idle; ` +
        `the process: ${mb(atStart)} MB at start (Node, tsx), ${mb(afterCompile)} MB right after the compile, ${mb(settled)} MB settled ` +
        `(heap ${mb(holding.heapUsed)} MB used, array buffers ${mb(holding.arrayBuffers)} MB)`,
    };
    writeFileSync(outFile, `${JSON.stringify({ rows: [row] })}\n`);
  } finally {
    await builder.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
