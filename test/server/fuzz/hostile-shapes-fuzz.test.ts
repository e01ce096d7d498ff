/**
 * The route fuzzer on hostile graph shapes (Trust issue, finding 4 and "the route fuzzer also
 * sends … hostile graph shapes"): fast-check picks a shape of test/graph/hostile-shapes.ts — a
 * lattice, a complete layered DAG, a giant strongly connected component, a deep chain, a buyer
 * with thousands of sources — and a size, bounded so that a run stays quick; imports it through
 * POST /api/v1/imports/graph; then sends generated requests to random analysis operations of the
 * OpenAPI document (tag "analyses"), about the shape's buyer, the node it names for removal and
 * random companies, smelters and countries of it, with valid, nearly valid and malformed
 * parameters and targets as the route fuzzer's arbitraries make them (route-requests.ts).
 *
 * Analyses run in a real worker under the default work budget, as in production. Properties, for
 * every request: an answer comes (no hang); never a 5xx (a 503 analysis-timeout on shapes this
 * small is a budget tripped by a runaway analysis); a 2xx answer parses with the catalogue schema
 * of its operation; a 4xx is an RFC 9457 problem with its status; and no analysis writes.
 *
 * ORETRACE_HOSTILE_FUZZ_RUNS changes the number of shapes, ORETRACE_FUZZ_SEED replays a run.
 */
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { completeLayeredDag, deepChain, giantScc, type HostileShape, lattice, wideBuyer } from '../../graph/hostile-shapes.js';
import { embeddedHarness, type Harness } from '../app-harness.js';
import { portOf, rawRequest } from '../plugins/raw-http.js';
import { type AnalysisDocument, type AnalysisOperation, analysisOperations, analysisRequest } from '../routes/analysis-operations.js';
import {
  type FuzzRequest,
  type KnownIds,
  type OpenApiDocument,
  type OpenApiOperation,
  operationsOf,
  SchemaArbitraries,
} from './openapi-arbitraries.js';
import { requestsFor, validRequestsFor } from './route-requests.js';

const RUNS = Number(process.env.ORETRACE_HOSTILE_FUZZ_RUNS ?? 25);
const SEED = Number(process.env.ORETRACE_FUZZ_SEED ?? Date.now() % 2 ** 31);
const MAX_REQUESTS_PER_SHAPE = 12;
/** Far longer than any analysis of these sizes takes (well under a second): longer is a hang. */
const ANSWER_TIMEOUT_MS = 30_000;

let h: Harness;
let doc: OpenApiDocument;
let ops: AnalysisOperation[];
/** The analysis operations as the fuzzer's arbitraries read them. */
let fuzzed: OpenApiOperation[];
/** Each analysis operation's answer schema, by `METHOD path` (the fuzz request's `route`). */
const answerSchemaOf = new Map<string, z.ZodType>();

beforeAll(async () => {
  h = await embeddedHarness({ withFixture: false, analysisWorkers: 1 });
  // Absolute-form targets go over a socket (inject would normalise them).
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json() as OpenApiDocument;
  ops = analysisOperations(doc as unknown as AnalysisDocument);
  for (const op of ops) answerSchemaOf.set(`${op.method} ${op.path}`, op.schema);
  fuzzed = operationsOf(doc).filter((op) => answerSchemaOf.has(`${op.method} ${op.path}`));
}, 60_000);
afterAll(async () => h?.close());

// ---------------------------------------------------------------------------------------------
// Shapes and requests

/** A shape of each kind, at a size that keeps one run quick. */
const shapeArb: fc.Arbitrary<HostileShape> = fc.oneof(
  fc.tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 8 })).map(([perTier, tiers]) => lattice(perTier, tiers)),
  fc.tuple(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 2, max: 5 })).map(([perTier, tiers]) => completeLayeredDag(perTier, tiers)),
  fc.integer({ min: 10, max: 2000 }).map((size) => giantScc(size)),
  fc.integer({ min: 1, max: 3000 }).map((depth) => deepChain(depth)),
  fc.integer({ min: 1, max: 5000 }).map((sources) => wideBuyer(sources)),
);

const idsOf = (shape: HostileShape, label: string) => shape.nodes.filter((n) => n.label === label).map((n) => n.id);

/**
 * The ids the requests draw from: the buyer, the node to remove and a few random companies of the
 * shape (the arbitraries add ids of their own, unknown ones included).
 */
function knownIdsOf(shape: HostileShape): fc.Arbitrary<KnownIds> {
  const companies = idsOf(shape, 'Company');
  return fc.uniqueArray(fc.constantFrom(...companies), { minLength: 1, maxLength: 4 }).map((picked) => ({
    companies: [...new Set([shape.buyer, ...(companies.includes(shape.remove) ? [shape.remove] : []), ...picked])],
    smelters: [...new Set([...idsOf(shape, 'Smelter').slice(0, 3), ...(companies.includes(shape.remove) ? [] : [shape.remove])])],
    countries: idsOf(shape, 'Country'),
  }));
}

/**
 * A valid request about a company of the shape (removing nodes of it), with a random `limit` or
 * the route's default: kind "targeted", which must be answered 200.
 */
function targetedRequests(shape: HostileShape, known: KnownIds): fc.Arbitrary<FuzzRequest> {
  const nodes = shape.nodes.map((n) => n.id);
  return fc
    .record({
      op: fc.constantFrom(...ops),
      company: fc.constantFrom(...known.companies),
      remove: fc.uniqueArray(fc.constantFrom(shape.remove, ...nodes), { minLength: 1, maxLength: 3 }),
      limit: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
    })
    .map(({ op, company, remove, limit }): FuzzRequest => {
      const req = analysisRequest(op, { company, remove, ...(limit !== undefined ? { limit } : {}) });
      return {
        method: req.method,
        url: req.url,
        headers: req.payload ? { 'content-type': 'application/json' } : {},
        ...(req.payload ? { payload: JSON.stringify(req.payload) } : {}),
        route: `${op.method} ${op.path}`,
        kind: 'targeted',
      };
    });
}

/**
 * Requests to random analysis operations, about ids of the shape: targeted ones, valid ones of the
 * fuzzer, and the fuzzer's full mix (nearly valid, garbage, spelled targets).
 */
function requestsAbout(shape: HostileShape, known: KnownIds): fc.Arbitrary<FuzzRequest[]> {
  const arbs = new SchemaArbitraries(doc.components?.schemas ?? {}, known);
  const request = fc.oneof(
    { weight: 2, arbitrary: targetedRequests(shape, known) },
    { weight: 1, arbitrary: fc.oneof(...fuzzed.map((op) => validRequestsFor(op, arbs))) },
    { weight: 2, arbitrary: fc.oneof(...fuzzed.map((op) => requestsFor(op, arbs))) },
  );
  return fc.array(request, { minLength: 1, maxLength: MAX_REQUESTS_PER_SHAPE });
}

const caseArb = shapeArb.chain((shape) => knownIdsOf(shape).chain((known) => fc.tuple(fc.constant(shape), requestsAbout(shape, known))));

// ---------------------------------------------------------------------------------------------
// Sending and checking

interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

function answerOf(app: FastifyInstance, req: FuzzRequest): Promise<Answer> {
  const payload = req.payload !== undefined ? { payload: req.payload } : {};
  // On a request line only visible ASCII can be written: a client percent-encodes the rest.
  if (req.via === 'socket') {
    const target = req.url.replace(/[^\x21-\x7e]/gu, encodeURIComponent);
    return rawRequest(portOf(app), { method: req.method, target, headers: req.headers, ...payload });
  }
  return app.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, ...payload });
}

/** The answer, or an error naming the request if none comes in time. */
async function answerInTime(req: FuzzRequest, shape: HostileShape): Promise<Answer> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms on ${shape.name}: ${req.kind} ${req.method} ${req.url.slice(0, 300)}`)),
      ANSWER_TIMEOUT_MS,
    );
  });
  return Promise.race([answerOf(h.app, req), late]).finally(() => clearTimeout(timer));
}

async function importShape(shape: HostileShape): Promise<void> {
  await h.store.clear();
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/v1/imports/graph',
    payload: { nodes: shape.nodes, relationships: shape.relationships },
  });
  expect(res.statusCode, `${shape.name}: ${res.body.slice(0, 500)}`).toBe(200);
}

/** Checks one answer; its status for the histogram. */
function expectSound(req: FuzzRequest, res: Answer, shape: HostileShape): number {
  const what =
    `${shape.name}: ${req.kind} ${req.via ?? 'inject'} ${req.method} ${req.url.slice(0, 300)}` +
    ` ${String(req.payload ?? '').slice(0, 200)}` +
    ` → ${res.statusCode} ${res.body.slice(0, 500)}`;
  if (res.statusCode >= 500) throw new Error(`5xx: ${what}`);
  if (req.kind === 'targeted' && res.statusCode !== 200) throw new Error(`a valid request about the shape not answered 200: ${what}`);
  if (res.statusCode >= 400) {
    if (!String(res.headers['content-type']).startsWith('application/problem+json')) throw new Error(`not a problem+json answer: ${what}`);
    if ((JSON.parse(res.body) as { status?: unknown }).status !== res.statusCode)
      throw new Error(`problem status differs from the HTTP status: ${what}`);
  } else if (res.statusCode >= 200 && res.statusCode < 300) {
    const schema = answerSchemaOf.get(req.route);
    if (!schema) throw new Error(`no answer schema for ${req.route}: ${what}`);
    const parsed = schema.safeParse(JSON.parse(res.body));
    if (!parsed.success) throw new Error(`answer outside its schema (${JSON.stringify(parsed.error.issues.slice(0, 3))}): ${what}`);
  }
  return res.statusCode;
}

describe('fuzzing the analysis routes on hostile graph shapes', () => {
  it(`answers random analysis requests on ${RUNS} random shapes without a 5xx, in schema or as a problem`, async () => {
    expect(fuzzed.length).toBe(answerSchemaOf.size);
    const statuses = new Map<number, number>();
    const shapes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(caseArb, async ([shape, requests]) => {
        await importShape(shape);
        const version = await h.store.version();
        for (const req of requests) {
          const status = expectSound(req, await answerInTime(req, shape), shape);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
        expect(await h.store.version(), `an analysis wrote on ${shape.name}`).toBe(version);
        const kind = shape.name.replace(/[\d×]+/g, '#');
        shapes.set(kind, (shapes.get(kind) ?? 0) + 1);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    const fmt = (m: Map<string | number, number>) =>
      [...m]
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
        .map(([k, n]) => `${k}: ${n}`)
        .join(', ');
    console.log(`hostile-shape fuzz (seed ${SEED}): shapes ${fmt(shapes)} — statuses ${fmt(statuses)}`);
    // The generator must reach the analyses' real work, not only their validation.
    expect([...statuses].filter(([s]) => s >= 200 && s < 300).reduce((a, [, n]) => a + n, 0)).toBeGreaterThan(0);
  }, 120_000);
});
