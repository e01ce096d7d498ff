/**
 * Load test (`npm run bench:load`, also run by `npm run bench`): the real service (`oretrace
 * serve`, a child process over an embedded store) driven by autocannon.
 *   1. mixed reads — origins, risk-paths and single-points-of-failure of random (company, metal)
 *      pairs of the demo — at 50 connections for 60 s: req/s, p50, p99, errors (must be 0);
 *   2. soak: the same mix for 10 minutes, the server's RSS sampled every 5 s: start, end, and the
 *      slope of a line fitted to the second half (flat memory: no leak);
 *   3. cheap routes (GET /health, GET /api/v1/companies/:id) at 10 connections while heavy
 *      analyses (impact of removing 100 nodes, full risk ranking) run back to back on a synthetic
 *      20k-company network: their p99 (target ≤ 50 ms), which holds only if the analyses stay off
 *      the event loop (worker threads).
 * Prints a table and writes bench/results/load.json as [{name, value, unit, target, better}].
 *
 * Flags: --quick (10 s load, 30 s soak, 5k-company network), --duration=S, --soak=S, --no-soak,
 * --only=demo|cheap (parts 1–2, or part 3, alone).
 * The rate limit is turned off in the child (RATE_LIMIT_PER_MINUTE=0): this measures the service,
 * not the limiter.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { mulberry32 } from '../../seeds/random.js';
import { PROJECT_ROOT } from '../../server/seeding/reference-data.js';
import { rssMb, startService } from '../lib/service.js';
import type { ResultRow as Row } from '../lib/types.js';

const RESULTS_FILE = join(PROJECT_ROOT, 'bench', 'results', 'load.json');
const CLI = join(PROJECT_ROOT, 'bin', 'oretrace.js');
const METALS = ['tin', 'tantalum', 'tungsten', 'gold', 'cobalt', 'mica'];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
function seconds(name: string, fallback: number): number {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.split('=')[1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number of seconds, got ${arg}`);
  return value;
}
const LOAD_S = seconds('duration', quick ? 10 : 60);
const SOAK_S = args.includes('--no-soak') ? 0 : seconds('soak', quick ? 30 : 600);
const SYNTHETIC_COMPANIES = quick ? 5_000 : 20_000;
const ONLY = args.find((a) => a.startsWith('--only='))?.split('=')[1];
if (ONLY !== undefined && ONLY !== 'demo' && ONLY !== 'cheap') throw new Error(`--only must be demo or cheap, got ${ONLY}`);

const log = (line: string) => process.stderr.write(`${line}\n`);

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** (company, metal) pairs the demo answers for: the group, its units and a sample of suppliers. */
async function demoTargets(base: string): Promise<Array<{ company: string; metal: string }>> {
  const page = await json<{ items: Array<{ id: string }> }>(`${base}/api/v1/companies?limit=1000`);
  const ids = page.items.map((c) => c.id);
  const chosen = [...ids.filter((id) => id.startsWith('aurelia')), ...ids.filter((_, i) => i % 7 === 0).slice(0, 40)];
  return chosen.flatMap((company) => METALS.map((metal) => ({ company, metal })));
}

/** A deterministic generator, so two runs send the same request sequence. */
function mixedRequests(targets: Array<{ company: string; metal: string }>, seed: number): () => string {
  const random = mulberry32(seed);
  return () => {
    const { company, metal } = targets[Math.floor(random() * targets.length)]!;
    const which = random();
    const id = encodeURIComponent(company);
    if (which < 1 / 3) return `/api/v1/companies/${id}/origins?metal=${metal}`;
    if (which < 2 / 3) return `/api/v1/companies/${id}/risk-paths?metal=${metal}&limit=10`;
    return `/api/v1/companies/${id}/single-points-of-failure?metal=${metal}`;
  };
}

interface LoadFigures {
  requests: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function cannon(
  base: string,
  connections: number,
  durationS: number,
  nextPath: () => string,
  onTick?: () => void,
): Promise<LoadFigures> {
  const instance = autocannon({
    url: base,
    connections,
    duration: durationS,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: nextPath() }),
      },
    ],
  });
  const ticker = onTick ? setInterval(onTick, 5_000) : undefined;
  const result = await instance;
  if (ticker) clearInterval(ticker);
  return {
    requests: result.requests.total,
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

function slopePerMinute(samples: Array<{ t: number; mb: number }>): number {
  const n = samples.length;
  if (n < 2) return 0;
  const mt = samples.reduce((a, s) => a + s.t, 0) / n;
  const mm = samples.reduce((a, s) => a + s.mb, 0) / n;
  const num = samples.reduce((a, s) => a + (s.t - mt) * (s.mb - mm), 0);
  const den = samples.reduce((a, s) => a + (s.t - mt) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 60;
}

/** 1 and 2: mixed reads and the soak, on the demo. */
async function demoParts(rows: Row[], dataDir: string): Promise<void> {
  log('load: starting the service over the demo…');
  const demo = await startService({ dataDir: join(dataDir, 'demo'), env: { SEED_DEMO: 'true' } });
  try {
    const targets = await demoTargets(demo.base);
    log(`load: ${targets.length} (company, metal) pairs; warming up…`);
    await cannon(demo.base, 10, 3, mixedRequests(targets, 7));
    log(`load: mixed reads, 50 connections, ${LOAD_S} s…`);
    const mixed = await cannon(demo.base, 50, LOAD_S, mixedRequests(targets, 1));
    rows.push(
      { name: 'load.mixed.requests', value: mixed.requests, unit: 'requests', target: null, better: 'higher' },
      { name: 'load.mixed.throughput', value: Math.round(mixed.reqPerSec), unit: 'req/s', target: null, better: 'higher' },
      { name: 'load.mixed.latency.p50', value: mixed.p50, unit: 'ms', target: null, better: 'lower' },
      { name: 'load.mixed.latency.p99', value: mixed.p99, unit: 'ms', target: null, better: 'lower' },
      {
        name: 'load.mixed.errors',
        value: mixed.errors + mixed.non2xx,
        unit: 'responses',
        target: 0,
        better: 'lower',
        note: `${mixed.errors} socket errors/timeouts, ${mixed.non2xx} non-2xx`,
      },
    );
    if (SOAK_S > 0) {
      log(`load: soak, the same mix for ${SOAK_S} s, RSS every 5 s…`);
      const pid = demo.child.pid!;
      const started = Date.now();
      const samples: Array<{ t: number; mb: number }> = [{ t: 0, mb: rssMb(pid) }];
      const soak = await cannon(demo.base, 50, SOAK_S, mixedRequests(targets, 2), () =>
        samples.push({ t: (Date.now() - started) / 1000, mb: rssMb(pid) }),
      );
      samples.push({ t: (Date.now() - started) / 1000, mb: rssMb(pid) });
      const secondHalf = samples.filter((s) => s.t >= SOAK_S / 2);
      const curve = samples.map((s) => `${Math.round(s.t)}s:${Math.round(s.mb)}`).join(' ');
      log(`load: soak RSS (MB) ${curve}`);
      rows.push(
        { name: 'soak.duration', value: SOAK_S, unit: 's', target: null, better: 'higher' },
        { name: 'soak.requests', value: soak.requests, unit: 'requests', target: null, better: 'higher' },
        { name: 'soak.errors', value: soak.errors + soak.non2xx, unit: 'responses', target: 0, better: 'lower' },
        { name: 'soak.rss.start', value: Math.round(samples[0]!.mb), unit: 'MB', target: null, better: 'lower' },
        { name: 'soak.rss.end', value: Math.round(samples[samples.length - 1]!.mb), unit: 'MB', target: null, better: 'lower' },
        { name: 'soak.rss.max', value: Math.round(Math.max(...samples.map((s) => s.mb))), unit: 'MB', target: null, better: 'lower' },
        {
          name: 'soak.rss.slope-second-half',
          value: Math.round(slopePerMinute(secondHalf) * 100) / 100,
          unit: 'MB/min',
          target: null,
          better: 'lower',
          note: `RSS curve ${curve}`,
        },
      );
    }
  } finally {
    await demo.stop();
  }
}

/** 3: cheap routes beside heavy analyses on a bigger network. */
async function cheapUnderHeavy(rows: Row[], dataDir: string): Promise<void> {
  log(`load: generating a ${SYNTHETIC_COMPANIES}-company synthetic network…`);
  const bigDir = join(dataDir, 'synthetic');
  const seeded = spawnSync(process.execPath, [CLI, 'seed', 'synthetic', '--companies', String(SYNTHETIC_COMPANIES)], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NEO4J_URI: '', DATA_DIR: bigDir, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
  });
  if (seeded.status !== 0) throw new Error(`seed synthetic failed: ${seeded.stderr}`);
  const big = await startService({ dataDir: bigDir, env: { SEED_DEMO: 'false' } });
  try {
    const companies = (await json<{ items: Array<{ id: string }> }>(`${big.base}/api/v1/companies?limit=200`)).items.map((c) => c.id);
    const smelters = (await json<{ items: Array<{ id: string }> }>(`${big.base}/api/v1/smelters?limit=100`)).items.map((s) => s.id);
    // Compile the snapshot once before measuring: the first analysis pays for it.
    await json(`${big.base}/api/v1/rankings/risk?metal=tin&limit=10`);
    let heavyRuns = 0;
    let heavyFailures = 0;
    let heavyMs = 0;
    let stop = false;
    const heavy = (async () => {
      const random = mulberry32(3);
      while (!stop) {
        const started = performance.now();
        const remove = Array.from({ length: 100 }, () => (random() < 0.5 ? smelters : companies)[Math.floor(random() * 100)]!);
        const requests = [
          fetch(`${big.base}/api/v1/scenarios/impact`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ remove: [...new Set(remove)] }),
          }),
          fetch(`${big.base}/api/v1/rankings/risk?metal=${METALS[heavyRuns % 4]}&limit=1000`),
        ];
        for (const r of await Promise.all(requests)) {
          if (!r.ok) heavyFailures += 1;
          await r.arrayBuffer();
        }
        heavyRuns += 1;
        heavyMs += performance.now() - started;
      }
    })();
    const random = mulberry32(5);
    const cheap = await cannon(big.base, 10, quick ? 10 : 30, () =>
      random() < 0.5 ? '/health' : `/api/v1/companies/${encodeURIComponent(companies[Math.floor(random() * companies.length)]!)}`,
    );
    stop = true;
    await heavy;
    rows.push(
      { name: 'cheap-under-heavy.latency.p50', value: cheap.p50, unit: 'ms', target: null, better: 'lower' },
      {
        name: 'cheap-under-heavy.latency.p99',
        value: cheap.p99,
        unit: 'ms',
        target: 50,
        better: 'lower',
        note: `${heavyRuns} heavy rounds meanwhile, ${Math.round(heavyMs / Math.max(1, heavyRuns))} ms each`,
      },
      {
        name: 'cheap-under-heavy.errors',
        value: cheap.errors + cheap.non2xx + heavyFailures,
        unit: 'responses',
        target: 0,
        better: 'lower',
      },
    );
  } finally {
    await big.stop();
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const dataDir = await mkdtemp(join(tmpdir(), 'oretrace-load-'));
  try {
    if (ONLY !== 'cheap') await demoParts(rows, dataDir);
    if (ONLY !== 'demo') await cheapUnderHeavy(rows, dataDir);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }

  mkdirSync(join(PROJECT_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(rows, null, 2)}\n`);
  const width = Math.max(...rows.map((r) => r.name.length));
  process.stdout.write(`\n${'figure'.padEnd(width)}  ${'value'.padStart(10)}  unit        target\n`);
  for (const r of rows) {
    const met = r.target === null ? '' : (r.better === 'lower' ? r.value <= r.target : r.value >= r.target) ? '  met' : '  MISSED';
    process.stdout.write(`${r.name.padEnd(width)}  ${String(r.value).padStart(10)}  ${r.unit.padEnd(10)}  ${r.target ?? ''}${met}\n`);
  }
  process.stdout.write(`\nwritten to ${RESULTS_FILE}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:load: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
