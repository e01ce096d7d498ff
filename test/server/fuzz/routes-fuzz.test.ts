/**
 * Fuzz every route from its schema (issue 6): at least 10,000 generated requests — valid, nearly
 * valid and malformed — spread over every operation of the app's OpenAPI document (/docs/json, so
 * a new route is fuzzed without editing this file), through app.inject over the embedded store.
 *
 * Properties, for every request:
 *   - no 5xx, ever;
 *   - an error answer is an RFC 9457 problem (application/problem+json with the status in it);
 *   - a rejected request (4xx) writes nothing: the store's version and counts are unchanged.
 * Targets are also spelled as the router takes them (percent-encoded unreserved characters of the
 * path, the absolute form `http://host/…`), the absolute ones — and half the encoded ones —
 * written on a socket to the listening app, as inject would normalise them.
 *
 * Then the same requests under API keys with keyed reads, sent with no key, a reader key or a
 * wrong one (ORETRACE_FUZZ_KEYED_RUNS, default 3,000): the same properties, and no write ever
 * succeeds without an editor key (the store's version never moves), nor does anything under /api
 * answer 2xx without a valid key.
 *
 * The count of requests and the status histogram are printed. ORETRACE_FUZZ_SEED replays a run,
 * ORETRACE_FUZZ_RUNS changes the total.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyRing, createApiKey } from '../../../server/access/api-keys.js';
import { buildApp } from '../../../server/app.js';
import { EmbeddedGraphStore } from '../../../server/stores/embedded-store.js';
import type { GraphStore } from '../../../server/stores/graph-store.js';
import { embeddedHarness, type Harness } from '../app-harness.js';
import { portOf, rawRequest } from '../plugins/raw-http.js';
import { fixtureNodes, fixtureRelationships } from '../stores/graph-store-contract.js';
import { operationsOf, SchemaArbitraries, type FuzzRequest, type OpenApiDocument, type OpenApiOperation } from './openapi-arbitraries.js';
import { known, requestsFor } from './route-requests.js';

const TOTAL_RUNS = Number(process.env.ORETRACE_FUZZ_RUNS ?? 10_000);
const KEYED_RUNS = Number(process.env.ORETRACE_FUZZ_KEYED_RUNS ?? 3_000);
/**
 * Far longer than any honest request takes here, even a real CMRT workbook on a machine busy with
 * a load test (a few seconds): what takes longer is a request that would never be answered.
 */
const ANSWER_TIMEOUT_MS = 30_000;
const SEED = Number(process.env.ORETRACE_FUZZ_SEED ?? Date.now() % 2 ** 31);

let h: Harness;
let ops: OpenApiOperation[];
let arbs: SchemaArbitraries;

beforeAll(async () => {
  h = await embeddedHarness({ analysisWorkers: 0 });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json() as OpenApiDocument;
  ops = operationsOf(doc);
  arbs = new SchemaArbitraries(doc.components?.schemas ?? {}, known);
}, 60_000);
afterAll(async () => h?.close());

async function resetGraph(store: GraphStore): Promise<void> {
  await store.clear();
  await store.importGraph({ nodes: fixtureNodes, relationships: fixtureRelationships });
}

interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

/**
 * A character as a client writes it on the request line: UTF-8, percent-encoded; a lone surrogate
 * (no UTF-8 of its own) as U+FFFD, as Buffer.from writes it.
 */
function percentEncoded(ch: string): string {
  try {
    return encodeURIComponent(ch);
  } catch {
    return '%EF%BF%BD';
  }
}

function answerOf(app: FastifyInstance, req: FuzzRequest): Promise<Answer> {
  const payload = req.payload !== undefined ? { payload: req.payload } : {};
  // On a request line only visible ASCII can be written: a client percent-encodes the rest (inject takes it raw).
  if (req.via === 'socket')
    return rawRequest(portOf(app), {
      method: req.method,
      target: req.url.replace(/[^\x21-\x7e]/gu, percentEncoded),
      headers: req.headers,
      ...payload,
    });
  return app.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, ...payload });
}

async function send(app: FastifyInstance, store: GraphStore, req: FuzzRequest): Promise<number> {
  const version = await store.version();
  const counts = await store.counts();
  const pending = answerOf(app, req);
  // A request that never gets an answer is a failure too (a client would hang until its timeout).
  let timer: NodeJS.Timeout | undefined;
  const res = await Promise.race([
    pending,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `no answer within ${ANSWER_TIMEOUT_MS} ms: ${req.kind} ${req.method} ${req.url.slice(0, 300)}` +
                ` (${JSON.stringify(req.headers)}) ${String(req.payload ?? '').slice(0, 300)}`,
            ),
          ),
        ANSWER_TIMEOUT_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  const what =
    `${req.kind} ${req.via ?? 'inject'} ${req.method} ${req.url.slice(0, 300)}` +
    ` (${JSON.stringify(req.headers)}) → ${res.statusCode} ${res.body.slice(0, 500)}`;
  if (res.statusCode >= 500) throw new Error(`5xx: ${what}`);
  if (res.statusCode >= 400) {
    if (!String(res.headers['content-type']).startsWith('application/problem+json')) throw new Error(`not a problem+json answer: ${what}`);
    if ((JSON.parse(res.body) as { status?: unknown }).status !== res.statusCode)
      throw new Error(`problem status differs from the HTTP status: ${what}`);
    const after = await store.version();
    if (after !== version) throw new Error(`a rejected request wrote (version ${version} → ${after}): ${what}`);
    expect(await store.counts(), what).toEqual(counts);
  }
  if (process.env.ORETRACE_FUZZ_DEBUG && req.kind.startsWith('valid/') && res.statusCode === 400) console.log(what);
  return res.statusCode;
}

describe('fuzzing every route of the OpenAPI document', () => {
  it(`answers ${TOTAL_RUNS} generated requests without a 5xx, and writes nothing for a rejected one`, async () => {
    expect(ops.length).toBeGreaterThanOrEqual(25);
    const perRoute = Math.ceil(TOTAL_RUNS / ops.length);
    const histogram = new Map<number, number>();
    const byRoute = new Map<string, Map<number, number>>();
    const byKind = new Map<string, number>();
    const routeSeconds = new Map<string, number>();
    let sent = 0;
    const started = performance.now();
    for (const [i, op] of ops.entries()) {
      await resetGraph(h.store);
      const route = `${op.method} ${op.path}`;
      const statuses = new Map<number, number>();
      const routeStarted = performance.now();
      await fc.assert(
        fc.asyncProperty(requestsFor(op, arbs), async (req) => {
          const status = await send(h.app, h.store, req);
          sent++;
          histogram.set(status, (histogram.get(status) ?? 0) + 1);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          byKind.set(req.kind, (byKind.get(req.kind) ?? 0) + 1);
          // Keep the graph small and the fixture's ids alive for the analyses.
          if (sent % 100 === 0) await resetGraph(h.store);
        }),
        { numRuns: perRoute, seed: SEED + i, endOnFailure: false },
      );
      byRoute.set(route, statuses);
      routeSeconds.set(route, (performance.now() - routeStarted) / 1000);
    }
    const seconds = (performance.now() - started) / 1000;
    const fmt = (m: Map<number, number>) =>
      [...m]
        .sort((a, b) => a[0] - b[0])
        .map(([s, n]) => `${s}: ${n}`)
        .join(', ');
    console.log(
      [
        `fuzz (seed ${SEED}): ${sent} requests over ${ops.length} operations in ${seconds.toFixed(1)} s — statuses ${fmt(histogram)}`,
        ...[...byRoute].map(([route, m]) => `  ${route.padEnd(52)} ${routeSeconds.get(route)!.toFixed(1).padStart(5)} s  ${fmt(m)}`),
        `  kinds: ${[...byKind]
          .sort()
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')}`,
      ].join('\n'),
    );
    expect(sent).toBeGreaterThanOrEqual(TOTAL_RUNS);
    expect([...histogram.keys()].every((s) => s < 500)).toBe(true);
    // The generator must reach the routes' real work, not only their validation.
    expect([...histogram].filter(([s]) => s >= 200 && s < 300).reduce((a, [, n]) => a + n, 0)).toBeGreaterThan(TOTAL_RUNS / 5);
  }, 600_000);
});

const reader = createApiKey('fuzz-reader', 'reader');
const editor = createApiKey('fuzz-editor', 'editor');
/** Everything but an editor key: none, a reader's, a wrong one, a malformed header. */
const NOT_EDITOR = fc.constantFrom<Record<string, string>>(
  {},
  { authorization: `Bearer ${reader.key}` },
  { authorization: 'Bearer ort_not-a-configured-key' },
  { authorization: reader.key },
);

describe('fuzzing every route under API keys, without an editor key', () => {
  let keyed: FastifyInstance;
  let store: EmbeddedGraphStore;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oretrace-fuzz-keyed-'));
    store = new EmbeddedGraphStore({ dataDir });
    await store.init();
    await resetGraph(store);
    keyed = await buildApp({ store, analysisWorkers: 0, access: { keys: new ApiKeyRing([reader.entry, editor.entry]), reads: 'keyed' } });
    await keyed.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);
  afterAll(async () => {
    await keyed?.close();
    await store?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it(`answers ${KEYED_RUNS} generated requests with no write and, without a valid key, no 2xx under /api`, async () => {
    const perRoute = Math.ceil(KEYED_RUNS / ops.length);
    const version = await store.version();
    const histogram = new Map<number, number>();
    let sent = 0;
    for (const [i, op] of ops.entries()) {
      const withKeys = fc.tuple(requestsFor(op, arbs), NOT_EDITOR).map(([req, auth]) => {
        // The generator's own Authorization headers stay in now and then: they are not editor keys either.
        const headers = auth.authorization === undefined ? req.headers : { ...req.headers, ...auth };
        return { req: { ...req, headers }, valid: headers.authorization === `Bearer ${reader.key}` };
      });
      await fc.assert(
        fc.asyncProperty(withKeys, async ({ req, valid }) => {
          const status = await send(keyed, store, req);
          sent++;
          histogram.set(status, (histogram.get(status) ?? 0) + 1);
          const what =
            `${req.kind} ${req.via ?? 'inject'} ${req.method} ${req.url.slice(0, 200)}` + ` (${JSON.stringify(req.headers)}) → ${status}`;
          if (status < 300 && !valid && op.path.startsWith('/api/')) throw new Error(`answered without a valid key: ${what}`);
          if ((await store.version()) !== version) throw new Error(`wrote without an editor key: ${what}`);
        }),
        { numRuns: perRoute, seed: SEED + 7919 + i, endOnFailure: false },
      );
    }
    const fmt = [...histogram]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}: ${n}`)
      .join(', ');
    console.log(`fuzz under keys (seed ${SEED}): ${sent} requests over ${ops.length} operations — statuses ${fmt}`);
    expect(sent).toBeGreaterThanOrEqual(KEYED_RUNS);
    expect(await store.version()).toBe(version);
    // The reader key reaches the reads' real work, so the run is not only refusals.
    expect([...histogram].filter(([s]) => s >= 200 && s < 300).length).toBeGreaterThan(0);
  }, 600_000);
});
