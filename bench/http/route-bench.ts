/**
 * Every analysis route as a client sees it (`npm run bench:http`; issue 14, item 4): over HTTP,
 * through the worker pool, the answer cache and JSON, on the demo, the 100k synthetic network, the
 * 50k giant strongly connected network and, in the full run, the 1M giant one.
 *
 * Per network, `oretrace seed` loads it into a fresh embedded store (not timed), then
 * `oretrace serve` starts over it (bench/lib/service.ts) and, one request at a time:
 *   - computed: each route for N different companies (impact: N different sets of 10 companies;
 *     the ranking: N different limits), every request a new question: p50 and p99 of what the
 *     engine computes, nothing answered from the cache;
 *   - repeated: the first of those requests again, 10 times: p50 of an answer kept per snapshot
 *     version (ANSWER_CACHE_MB);
 *   - first after a write: a one-relationship `POST /imports/graph`, then the origins of the
 *     largest company: the new snapshot compiled and the answer computed (p50 of 5).
 * A first request per route warms the JIT and the snapshot's memo and is not counted (the memo
 * keeps what a giant component's solver prepares: "first after a write" includes that work).
 *
 * Flags: --quick (the demo and the 50k giant, 20 companies: the quick run stays within 5 minutes;
 * the 100k network, whose first answer after a write has an aim, is in the full run),
 * --graphs=demo,50k-giant, --companies=N.
 * Writes bench/results/http.json (rows `http.<graph>.<route>.p50|p99|repeated-p50`,
 * `http.<graph>.first-after-write`).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateSyntheticColumns, type SyntheticOptions } from '../../seeds/synthetic/generate-synthetic.js';
import { PROJECT_ROOT } from '../../server/seeding/reference-data.js';
import { quantile } from '../lib/measure.js';
import { startService, type Service } from '../lib/service.js';
import type { ResultRow } from '../lib/types.js';

const RESULTS_FILE = join(PROJECT_ROOT, 'bench', 'results', 'http.json');
const run = promisify(execFile);

interface Network {
  label: string;
  /** Undefined: the demo, which the service seeds itself. */
  synthetic?: SyntheticOptions;
  /** Aim for every route's p50 (ms), if the issue sets one for this network. */
  p50Target?: number;
  /** Aim for the first answer after a write (ms). */
  firstAfterWriteTarget?: number;
}

const NETWORKS: Network[] = [
  { label: 'demo' },
  { label: '100k', synthetic: { companies: 100_000 - 1250, seed: 1 }, firstAfterWriteTarget: 500 },
  { label: '50k-giant', synthetic: { companies: 50_000 - 1250, seed: 1, giantComponent: 0.9, shares: 'none' }, p50Target: 50 },
  { label: '1M-giant', synthetic: { companies: 1_000_000 - 1250, seed: 1, giantComponent: 0.9, shares: 'none', locatedIn: false } },
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const pick = args
  .find((a) => a.startsWith('--graphs='))
  ?.slice('--graphs='.length)
  .split(',');
const companiesPerRoute = Number(args.find((a) => a.startsWith('--companies='))?.split('=')[1] ?? (quick ? 20 : 50));

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The companies asked about: the focal ones first, then tier 1 and 2 companies that take tin. */
function companiesOf(network: Network): string[] {
  if (!network.synthetic) {
    const demo = JSON.parse(readFileSync(join(PROJECT_ROOT, 'seeds', 'demo', 'demo-graph.json'), 'utf8')) as {
      nodes: { label: string; id: string }[];
    };
    return demo.nodes.filter((n) => n.label === 'Company').map((n) => n.id);
  }
  const g = generateSyntheticColumns(network.synthetic);
  const tin = g.metals.indexOf('tin');
  const out = g.focal.map((i) => g.ids[i]!);
  for (let i = g.firstCompany; i < g.nodeCount && out.length < 4 * companiesPerRoute; i++) {
    if (g.tier[i]! >= 1 && g.tier[i]! <= 2 && g.metalMask[i]! & (1 << tin)) out.push(g.ids[i]!);
  }
  return out;
}

async function timedFetch(service: Service, path: string, init?: RequestInit): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${service.base}${path}`, init);
  await res.text();
  const ms = performance.now() - started;
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path} answered ${res.status}`);
  return ms;
}

const post = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** The requests of one route, a different question each (i: which one). */
function routeRequests(companies: readonly string[]): Record<string, (i: number) => [string, RequestInit?]> {
  const at = (i: number) => encodeURIComponent(companies[i % companies.length]!);
  return {
    origins: (i) => [`/api/v1/companies/${at(i)}/origins?metal=tin`],
    risk: (i) => [`/api/v1/companies/${at(i)}/risk?metal=tin`],
    'risk-paths': (i) => [`/api/v1/companies/${at(i)}/risk-paths?metal=tin`],
    'single-points-of-failure': (i) => [`/api/v1/companies/${at(i)}/single-points-of-failure?metal=tin`],
    'impact-10': (i) => [
      '/api/v1/scenarios/impact',
      post({ remove: Array.from({ length: 10 }, (_, k) => companies[(7 * i + 13 * k + 3) % companies.length]!) }),
    ],
    'risk-ranking': (i) => [`/api/v1/rankings/risk?metal=tin&limit=${50 + i}`],
  };
}

async function seedNetwork(network: Network, dataDir: string): Promise<void> {
  const o = network.synthetic!;
  const cli = [join(PROJECT_ROOT, 'bin', 'oretrace.js'), 'seed', 'synthetic', '--companies', String(o.companies), '--seed', String(o.seed)];
  if (o.giantComponent) cli.push('--giant-component', String(o.giantComponent));
  if (o.shares) cli.push('--shares', o.shares);
  const started = performance.now();
  await run(process.execPath, cli, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NEO4J_URI: '', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    maxBuffer: 1 << 26,
  });
  log(`  seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function benchNetwork(network: Network): Promise<ResultRow[]> {
  const dataDir = await mkdtemp(join(tmpdir(), `oretrace-http-${network.label}-`));
  const rows: ResultRow[] = [];
  let service: Service | undefined;
  try {
    if (network.synthetic) await seedNetwork(network, dataDir);
    service = await startService({ dataDir, env: { SEED_DEMO: network.synthetic ? 'false' : 'true' } });
    const companies = companiesOf(network);
    const requests = routeRequests(companies);
    for (const [route, request] of Object.entries(requests)) {
      await timedFetch(service, ...request(companiesPerRoute)); // warm-up: JIT, snapshot, memo
      const computed: number[] = [];
      for (let i = 0; i < companiesPerRoute; i++) computed.push(await timedFetch(service, ...request(i)));
      const repeated: number[] = [];
      for (let r = 0; r < 10; r++) repeated.push(await timedFetch(service, ...request(0)));
      const row = (what: string, value: number, target: number | null, note: string): ResultRow => ({
        name: `http.${network.label}.${route}.${what}`,
        value: Math.round(value * 10) / 10,
        unit: 'ms',
        target,
        better: 'lower',
        graph: network.label,
        note,
      });
      const [p50, p99, again] = [quantile(computed, 0.5), quantile(computed, 0.99), quantile(repeated, 0.5)];
      rows.push(row('p50', p50, network.p50Target ?? null, `${companiesPerRoute} different requests, one at a time`));
      rows.push(row('p99', p99, null, `${companiesPerRoute} different requests`));
      rows.push(row('repeated-p50', again, null, 'the same request 10 times: answered from the cache'));
      log(`  ${route.padEnd(26)} p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, repeated ${again.toFixed(1)} ms`);
    }
    rows.push(await firstAfterWrite(service, network, companies));
  } finally {
    await service?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  return rows;
}

/** A one-relationship write, then the origins of the first company: recompiling and answering. */
async function firstAfterWrite(service: Service, network: Network, companies: readonly string[]): Promise<ResultRow> {
  const company = companies[0]!;
  const supplier = companies[companies.length - 1]!;
  const samples: number[] = [];
  for (let r = 0; r < 5; r++) {
    // The supplier's share flips between two values: every write changes the graph.
    const write = {
      nodes: [],
      relationships: [{ type: 'SUPPLIES', from: supplier, to: company, metal: 'tin', share: r % 2 === 0 ? 0.001 : 0.002 }],
    };
    await timedFetch(service, '/api/v1/imports/graph', post(write));
    samples.push(await timedFetch(service, `/api/v1/companies/${encodeURIComponent(company)}/origins?metal=tin`));
  }
  const p50 = quantile(samples, 0.5);
  log(`  first origins after a write: p50 ${p50.toFixed(0)} ms`);
  return {
    name: `http.${network.label}.first-after-write`,
    value: Math.round(p50),
    unit: 'ms',
    target: network.firstAfterWriteTarget ?? null,
    better: 'lower',
    graph: network.label,
    min: Math.round(Math.min(...samples)),
    max: Math.round(Math.max(...samples)),
    reps: samples.length,
    note: 'POST /imports/graph of one relationship, then GET origins: the new snapshot compiled, the answer computed',
  };
}

async function main(): Promise<void> {
  const inQuick = new Set(['demo', '50k-giant']);
  const networks = NETWORKS.filter((n) => (pick ? pick.includes(n.label) : !quick || inQuick.has(n.label)));
  const rows: ResultRow[] = [];
  for (const network of networks) {
    log(`== ${network.label}`);
    try {
      rows.push(...(await benchNetwork(network)));
    } catch (err) {
      log(`  ${network.label} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  mkdirSync(join(PROJECT_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(rows, null, 2)}\n`);
  log(`wrote ${RESULTS_FILE}`);
}

await main();
