/**
 * The resident memory of a process that holds one snapshot, as the service does (ARCHITECTURE.md, "Layers of the engine": a
 * snapshot of 1M nodes / 5M SUPPLIES within 600 MB RSS). bench/worker.ts measures what the
 * snapshot retains on the heap; this measures the process from outside, in a fresh child of its
 * own, so that the million row objects and the baselines of the worker leave no pages behind:
 *
 * RSS at start → generate the network as a columnar scan → compile it as the service does (the
 * layers in server/analytics/layer-builder.ts's worker, kept, as the service keeps it) → drop the
 * scan and the generator's columns, GC → 60 s idle → RSS. Until V8's memory reducer collects the
 * idle worker's heap (10–30 s after a compile here), what that heap still references stays
 * resident: the compile's temporaries, and the scan's columns, shared with the worker (~130 MB at
 * 1M); the figure is the RSS once settled.
 *
 * `snapshot-rss`: what holding the snapshot adds to the process's RSS (settled RSS − RSS at start);
 * the note gives the whole process's RSS (Node, tsx and the layer builder's idle worker included)
 * right after the compile and once settled.
 * Then, as the service's first analysis of a version does, the snapshot is posted to an analysis
 * worker (server/analytics/analysis-pool.ts) and one origin mix is asked of it:
 * `snapshot-publish` is how long the post holds the event loop (the strings are copied, the
 * arrays shared), `snapshot-rss-analysis-worker` the RSS that worker adds once settled.
 *
 *   node --expose-gc --max-old-space-size=N --import tsx bench/snapshot-rss.ts '<GraphSpec JSON>' <out.json> [--quick]
 */
import { writeFileSync } from 'node:fs';
import type { ScanColumns } from '../graph/scan-columns.js';
import { generateSyntheticColumns, type SyntheticColumns, syntheticScanColumns } from '../seeds/synthetic/generate-synthetic.js';
import { AnalysisPool } from '../server/analytics/analysis-pool.js';
import { LayerBuilder } from '../server/analytics/layer-builder.js';
import { BENCH_METAL } from './lib/graphs.js';
import { MB } from './lib/measure.js';
import type { CaseResult, GraphSpec } from './lib/types.js';

/**
 * How long the process idles after the compile (and after the post) before its RSS is read;
 * --quick: less. Seen at 1M: the layer builder's worker was collected 10 s after one compile, 25 s
 * after another, and still not at 30 s once (RSS 67 MB higher).
 */
const SETTLE_SECONDS = 60;
const QUICK_SETTLE_SECONDS = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const mb = (bytes: number): string => (bytes / MB).toFixed(0);

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
}

async function main(): Promise<void> {
  const [specJson, outFile, ...flags] = process.argv.slice(2);
  if (!specJson || !outFile) throw new Error("usage: snapshot-rss.ts '<GraphSpec JSON>' <out.json> [--quick]");
  const graph = JSON.parse(specJson) as GraphSpec;
  const settleMs = (flags.includes('--quick') ? QUICK_SETTLE_SECONDS : SETTLE_SECONDS) * 1000;
  const builder = new LayerBuilder();
  let pool: AnalysisPool | undefined;
  // The pool's worker does not keep the process alive (the service's server does); this does.
  const alive = setInterval(() => undefined, 1000);
  try {
    collect();
    const atStart = process.memoryUsage().rss;
    let generated: SyntheticColumns | undefined = generateSyntheticColumns({
      companies: graph.companies,
      seed: graph.seed,
      locatedIn: graph.locatedIn,
    });
    const focalId = generated.ids[generated.focal[0]!]!;
    let scan: ScanColumns | undefined = syntheticScanColumns(generated, 1);
    generated = undefined;
    const relationships = scan.supplies.count;
    const snapshot = await builder.compile(scan);
    scan = undefined;
    collect();
    const afterCompile = process.memoryUsage().rss;
    await sleep(settleMs);
    collect();
    const holding = process.memoryUsage();
    const settled = holding.rss;

    // As the service answers its first analysis of a new version: post the snapshot to the worker
    // (started now, so that its own start-up counts in what it adds).
    pool = new AnalysisPool(1);
    await sleep(2000);
    let started = performance.now();
    pool.publish(snapshot);
    const publishMs = performance.now() - started;
    started = performance.now();
    await pool.answerJson('origins', snapshot, { company: focalId, metal: BENCH_METAL }, false);
    const firstAnswerMs = performance.now() - started;
    collect();
    await sleep(settleMs);
    collect();
    const withWorker = process.memoryUsage().rss;

    const rows: CaseResult[] = [
      {
        name: 'snapshot-rss',
        value: (settled - atStart) / MB,
        unit: 'MB',
        target: 600,
        better: 'lower',
        reps: 1,
        note:
          `RSS added by holding the snapshot (${snapshot.nodeCount} nodes, ${relationships} SUPPLIES) after a compile as the service does it, scan dropped, ${settleMs / 1000} s idle; ` +
          `the process: ${mb(atStart)} MB at start (Node, tsx), ${mb(afterCompile)} MB right after the compile, ${mb(settled)} MB settled ` +
          `(heap ${mb(holding.heapUsed)} MB used, array buffers ${mb(holding.arrayBuffers)} MB)`,
      },
      {
        name: 'snapshot-rss-analysis-worker',
        value: (withWorker - settled) / MB,
        unit: 'MB',
        target: null,
        better: 'lower',
        reps: 1,
        note: `RSS one analysis worker adds (its start-up included) once it holds the snapshot (its arrays shared, its strings copied) and has answered an origin mix; the process: ${mb(withWorker)} MB`,
      },
      {
        name: 'snapshot-publish',
        value: publishMs,
        unit: 'ms',
        target: null,
        better: 'lower',
        reps: 1,
        note: `event-loop time of posting the snapshot to one analysis worker; its first answer (origin mix of ${focalId}, tin) came ${firstAnswerMs.toFixed(0)} ms after the post`,
      },
    ];
    writeFileSync(outFile, `${JSON.stringify({ rows })}\n`);
  } finally {
    clearInterval(alive);
    await Promise.all([builder.close(), pool?.close()]);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
