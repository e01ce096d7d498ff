/**
 * The benchmark (`npm run bench`, `npm run bench -- --quick`). See bench/README.md.
 *
 * For each synthetic graph, a worker child (bench/worker.ts) generates it, compiles the snapshot
 * and runs every case of bench/cases/ plus the graphology baseline; then the networkx/scipy
 * baselines (bench/baselines/networkx_baselines.py, in the pinned venv) run on the same metal layer,
 * and bench/snapshot-rss.ts measures the RSS of a fresh process holding the snapshot; then bench/neo4j-worker.ts times scan + compile from Neo4j for the 100k graph; then the web
 * front end's render benchmark (bench/web/render-bench.ts, in Chromium) and the load test of the
 * running service (bench/load/load-test.ts: mixed reads, the soak, cheap routes beside heavy
 * analyses). At the end: a table on stdout and bench/results/latest.json.
 *
 * Flags: --quick (100k + 20k graphs instead of 1M + 100k; the load test's quick mode without the
 * soak), --no-neo4j, --no-hostile (the hostile-input benchmark, bench/hostile/hostile-inputs.ts),
 * --no-networkx, --no-graphology, --no-web, --no-load, --no-soak (the load test without its
 * 10-minute soak), --only=id,id (engine case ids, see bench/cases/index.ts; snapshot-compile always
 * runs; --only leaves out the web and load benchmarks).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../server/seeding/reference-data.js';
import { GRAPH_100K, graphsFor } from './lib/graphs.js';
import { round } from './lib/measure.js';
import { ensureBenchVenv } from './lib/python-env.js';
import { renderTable } from './lib/table.js';
import type { CaseResult, ResultRow, Timing } from './lib/types.js';
import type { WorkerOutput } from './worker.js';

const RESULTS_DIR = join(PROJECT_ROOT, 'bench', 'results');
const WORK_DIR = join(PROJECT_ROOT, '.oretrace', 'bench-data');

interface PythonOutput {
  versions: Record<string, string>;
  timings: Record<string, Timing>;
  checks: Record<string, number>;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * Run a child to completion, its stderr passed through; rejects on a non-zero exit, and kills it
 * after `limitMs` (a case that never returns must not hang the whole run).
 */
function runChild(cmd: string, args: string[], limitMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setTimeout(() => {
      log(`${cmd} ran longer than ${Math.round(limitMs / 60_000)} min: killing it (pid ${child.pid})`);
      child.kill('SIGKILL');
    }, limitMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} exited with ${signal ?? code}`));
    });
  });
}

function nodeArgs(heapMb: number, script: string): string[] {
  return ['--expose-gc', `--max-old-space-size=${heapMb}`, '--import', 'tsx', join(PROJECT_ROOT, 'bench', script)];
}

function row(c: CaseResult, graph: string, baseline?: ResultRow['baseline']): ResultRow {
  const { baselineKey: _unused, ...rest } = c;
  const out: ResultRow = { ...rest, name: `${c.name}[${graph}]`, graph, value: round(c.value) };
  if (c.min !== undefined) out.min = round(c.min);
  if (c.max !== undefined) out.max = round(c.max);
  if (baseline && (baseline.networkx !== undefined || baseline.graphology !== undefined)) out.baseline = baseline;
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const withNeo4j = !args.includes('--no-neo4j');
  let withNetworkx = !args.includes('--no-networkx');
  const withGraphology = !args.includes('--no-graphology');
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  // --graphs=50k-giant,100k: only these graphs of the run (by label).
  const pick = args
    .find((a) => a.startsWith('--graphs='))
    ?.slice('--graphs='.length)
    .split(',');
  const graphs = graphsFor(quick).filter((g) => !pick || pick.includes(g.label));
  if (pick && graphs.length === 0)
    throw new Error(
      `--graphs names none of this run's graphs (${graphsFor(quick)
        .map((g) => g.label)
        .join(', ')})`,
    );
  const childLimit = (quick ? 8 : 45) * 60_000;
  const started = performance.now();

  log(
    `oretrace bench — ${quick ? 'QUICK mode: graphs of 100k and 20k nodes and the 50k giant component (targets are set for 1M nodes / 5M SUPPLIES)' : 'full run: graphs of 1M nodes (~5M SUPPLIES) and 100k nodes, and giant components of 50k and 1M nodes'}`,
  );
  log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );

  let python: string | undefined;
  if (withNetworkx) {
    try {
      python = ensureBenchVenv(log);
    } catch (err) {
      log(`networkx baselines unavailable (${err instanceof Error ? err.message : String(err)}): continuing without them`);
      withNetworkx = false;
    }
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  mkdirSync(WORK_DIR, { recursive: true });

  const rows: ResultRow[] = [];
  const mismatches: string[] = [];
  const versions: Record<string, string> = {};
  for (const graph of graphs) {
    log(`\n== graph ${graph.label}: ${graph.companies} companies, seed ${graph.seed}${graph.locatedIn ? '' : ', no LOCATED_IN'}`);
    const outFile = join(WORK_DIR, `${graph.label}-worker.json`);
    const workerArgs = [JSON.stringify(graph), outFile];
    if (quick) workerArgs.push('--quick');
    if (withNetworkx) workerArgs.push('--edges', WORK_DIR);
    if (!withGraphology) workerArgs.push('--no-graphology');
    if (only) workerArgs.push(`--only=${only}`);
    await runChild(process.execPath, [...nodeArgs(graph.heapMb, 'worker.ts'), ...workerArgs], childLimit);
    const worker = JSON.parse(readFileSync(outFile, 'utf8')) as WorkerOutput;

    let nx: PythonOutput | undefined;
    if (withNetworkx && python && worker.edges) {
      log(`-- networkx/scipy baselines on ${graph.label} (${worker.edges.edgeCount} ${worker.metal} edges)`);
      const pyOut = join(WORK_DIR, `${graph.label}-networkx.json`);
      const pyArgs = [
        join(PROJECT_ROOT, 'bench', 'baselines', 'networkx_baselines.py'),
        worker.edges.prefix,
        pyOut,
        '--reps',
        quick ? '3' : '3',
        '--budget',
        quick ? '20' : '60',
      ];
      if (graph.minCutBaseline) pyArgs.push('--min-cut');
      try {
        await runChild(python, pyArgs, childLimit);
        nx = JSON.parse(readFileSync(pyOut, 'utf8')) as PythonOutput;
        Object.assign(versions, nx.versions);
      } catch (err) {
        log(`networkx baselines failed on ${graph.label}: ${err instanceof Error ? err.message : String(err)}`);
      }
      for (const ext of ['from.i32', 'to.i32', 'weight.f64', 'meta.json']) rmSync(`${worker.edges.prefix}.${ext}`, { force: true });
    }

    for (const c of worker.rows) {
      const key = c.baselineKey;
      const baseline: ResultRow['baseline'] = {};
      if (key && nx?.timings[key]) baseline.networkx = round(nx.timings[key]!.median);
      if (key && worker.graphology[key]) baseline.graphology = round(worker.graphology[key]!.median);
      rows.push(row(c, graph.label, baseline));
    }
    // The resident memory of a process holding the snapshot, in a fresh child (see snapshot-rss.ts).
    if (!only) {
      log(`-- RSS of a process holding the ${graph.label} snapshot`);
      const rssOut = join(WORK_DIR, `${graph.label}-rss.json`);
      try {
        await runChild(
          process.execPath,
          [...nodeArgs(graph.heapMb, 'snapshot-rss.ts'), JSON.stringify(graph), rssOut, ...(quick ? ['--quick'] : [])],
          childLimit,
        );
        for (const c of (JSON.parse(readFileSync(rssOut, 'utf8')) as { rows: CaseResult[] }).rows) rows.push(row(c, graph.label));
      } catch (err) {
        log(`snapshot RSS failed on ${graph.label}: ${err instanceof Error ? err.message : String(err)} (its figure is missing)`);
      }
    }

    // Do the baselines answer the same questions the same way? (a benchmark of a wrong answer is worthless)
    const compare = (key: string, theirs: number | undefined, who: string, tolerance = 0) => {
      const ours = worker.checks[key];
      if (ours === undefined || theirs === undefined) return;
      if (Math.abs(ours - theirs) > tolerance) mismatches.push(`${graph.label}: ${key}: engine ${ours}, ${who} ${theirs}`);
    };
    compare('bfs-reached', worker.checks['graphology-bfs-reached'], 'graphology');
    if (nx) {
      compare('bfs-reached', nx.checks['bfs-reached'], 'networkx');
      compare('idom-reached', nx.checks['idom-reached'], 'networkx');
      compare('connectivity', nx.checks.connectivity, 'networkx');
      compare('spof-redundancy', nx.checks.connectivity, 'networkx min cut');
      compare('origin-cahra-focal', nx.checks['origin-cahra-focal'], 'scipy', 1e-9);
      compare('origin-cahra-largest', nx.checks['origin-cahra-largest'], 'scipy', 1e-9);
    }
  }

  if (withNeo4j) {
    log(`\n== Neo4j: scan + compile of the ${GRAPH_100K.label} graph`);
    const outFile = join(WORK_DIR, 'neo4j.json');
    try {
      await runChild(
        process.execPath,
        [...nodeArgs(4096, 'neo4j-worker.ts'), JSON.stringify(GRAPH_100K), outFile, ...(quick ? ['--quick'] : [])],
        2 * childLimit,
      );
      const out = JSON.parse(readFileSync(outFile, 'utf8')) as { rows: CaseResult[] };
      for (const c of out.rows) rows.push(row(c, GRAPH_100K.label));
    } catch (err) {
      log(`Neo4j case skipped: ${err instanceof Error ? err.message : String(err)} (run with --no-neo4j to leave it out)`);
    }
  }

  // The service as a whole: each script writes its own results file, whose rows join the table.
  const services: Array<{ what: string; script: string; args: string[]; results: string }> = [];
  if (!only && !args.includes('--no-web'))
    services.push({ what: 'web front end render', script: 'web/render-bench.ts', args: [], results: 'web.json' });
  if (!only && !args.includes('--no-load')) {
    // Quick keeps the whole run within minutes: the load test's quick mode, without its soak.
    const loadArgs = quick ? ['--quick', '--no-soak'] : args.includes('--no-soak') ? ['--no-soak'] : [];
    services.push({ what: 'load test of the service', script: 'load/load-test.ts', args: loadArgs, results: 'load.json' });
  }
  // Every analysis route over HTTP on the demo, the 100k network and the giant components.
  if (!only && !args.includes('--no-http'))
    services.push({
      what: 'analysis routes over HTTP',
      script: 'http/route-bench.ts',
      args: quick ? ['--quick'] : [],
      results: 'http.json',
    });
  // The hostile inputs of the Trust issue, each against a fresh service: answer, time, worst /health.
  if (!only && !args.includes('--no-hostile'))
    services.push({ what: 'hostile inputs', script: 'hostile/hostile-inputs.ts', args: [], results: 'hostile.json' });
  for (const service of services) {
    log(`\n== ${service.what} (bench/${service.script})`);
    try {
      await runChild(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'bench', service.script), ...service.args], 2 * childLimit);
      rows.push(...(JSON.parse(readFileSync(join(RESULTS_DIR, service.results), 'utf8')) as ResultRow[]));
    } catch (err) {
      log(`${service.what} failed: ${err instanceof Error ? err.message : String(err)} (its figures are missing)`);
    }
  }

  const minutes = (performance.now() - started) / 60_000;
  process.stdout.write(
    `\noretrace bench (${quick ? 'quick: 100k + 20k nodes — smaller than the 1M graph the targets are for' : 'full: 1M + 100k nodes'}), metal tin, ${minutes.toFixed(1)} min\n`,
  );
  process.stdout.write(`value = median (ms unless stated); ratio = value / baseline (below 1: the engine is faster)\n`);
  if (Object.keys(versions).length > 0)
    process.stdout.write(
      `baselines: ${Object.entries(versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}, graphology 0.26.0\n`,
    );
  process.stdout.write(`\n${renderTable(rows)}\n`);
  if (mismatches.length > 0)
    process.stdout.write(`\nANSWERS DIFFER between the engine and a baseline:\n${mismatches.map((m) => `  ${m}`).join('\n')}\n`);
  else
    process.stdout.write(
      '\nthe engine and the baselines agree on the answers compared (BFS reach, dominator reach, connectivity, CAHRA share).\n',
    );
  const file = join(RESULTS_DIR, 'latest.json');
  writeFileSync(file, `${JSON.stringify(rows, null, 2)}\n`);
  process.stdout.write(`\nwrote ${file}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
