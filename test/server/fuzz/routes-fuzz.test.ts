/**
 * Fuzz every route from its schema (issue 6): at least 10,000 generated requests — valid, nearly
 * valid and malformed — spread over every operation of the app's OpenAPI document (/docs/json, so
 * a new route is fuzzed without editing this file), through app.inject over the embedded store.
 *
 * Properties, for every request:
 *   - no 5xx, ever;
 *   - an error answer is an RFC 9457 problem (application/problem+json with the status in it);
 *   - a rejected request (4xx) writes nothing: the store's version and counts are unchanged.
 * The count of requests and the status histogram are printed. ORETRACE_FUZZ_SEED replays a run,
 * ORETRACE_FUZZ_RUNS changes the total.
 */
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../../server/stores/graph-store.js';
import { embeddedHarness, type Harness } from '../app-harness.js';
import { fixtureNodes, fixtureRelationships } from '../stores/graph-store-contract.js';
import { operationsOf, SchemaArbitraries, type FuzzRequest, type OpenApiDocument, type OpenApiOperation } from './openapi-arbitraries.js';
import { known, requestsFor } from './route-requests.js';

const TOTAL_RUNS = Number(process.env.ORETRACE_FUZZ_RUNS ?? 10_000);
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
  const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json() as OpenApiDocument;
  ops = operationsOf(doc);
  arbs = new SchemaArbitraries(doc.components?.schemas ?? {}, known);
}, 60_000);
afterAll(async () => h?.close());

async function resetGraph(store: GraphStore): Promise<void> {
  await store.clear();
  await store.importGraph({ nodes: fixtureNodes, relationships: fixtureRelationships });
}

async function send(app: FastifyInstance, store: GraphStore, req: FuzzRequest): Promise<number> {
  const version = await store.version();
  const counts = await store.counts();
  const pending = app.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, ...(req.payload !== undefined ? { payload: req.payload } : {}) });
  // A request that never gets an answer is a failure too (a client would hang until its timeout).
  let timer: NodeJS.Timeout | undefined;
  const res = await Promise.race([
    pending,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms: ${req.kind} ${req.method} ${req.url.slice(0, 300)} (${JSON.stringify(req.headers)}) ${String(req.payload ?? '').slice(0, 300)}`)), ANSWER_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
  const what = `${req.kind} ${req.method} ${req.url.slice(0, 300)} (${JSON.stringify(req.headers)}) → ${res.statusCode} ${res.body.slice(0, 500)}`;
  if (res.statusCode >= 500) throw new Error(`5xx: ${what}`);
  if (res.statusCode >= 400) {
    if (!String(res.headers['content-type']).startsWith('application/problem+json')) throw new Error(`not a problem+json answer: ${what}`);
    if (res.json().status !== res.statusCode) throw new Error(`problem status differs from the HTTP status: ${what}`);
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
    const fmt = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}: ${n}`).join(', ');
    console.log(
      [
        `fuzz (seed ${SEED}): ${sent} requests over ${ops.length} operations in ${seconds.toFixed(1)} s — statuses ${fmt(histogram)}`,
        ...[...byRoute].map(([route, m]) => `  ${route.padEnd(52)} ${routeSeconds.get(route)!.toFixed(1).padStart(5)} s  ${fmt(m)}`),
        `  kinds: ${[...byKind].sort().map(([k, n]) => `${k} ${n}`).join(', ')}`,
      ].join('\n'),
    );
    expect(sent).toBeGreaterThanOrEqual(TOTAL_RUNS);
    expect([...histogram.keys()].every((s) => s < 500)).toBe(true);
    // The generator must reach the routes' real work, not only their validation.
    expect([...histogram].filter(([s]) => s >= 200 && s < 300).reduce((a, [, n]) => a + n, 0)).toBeGreaterThan(TOTAL_RUNS / 5);
  }, 600_000);
});
