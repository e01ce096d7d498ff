/**
 * Access is decided by the route a request matched, never by how its target is spelled (Trust
 * issue, finding 1): the router decodes `/%61pi/…` and strips `http://host` off an absolute-form
 * request line, so a decision on the raw URL let writes through without a key. Every operation of
 * the OpenAPI document is sent with a valid request, as plain, percent-encoded and absolute-form
 * targets, over a real socket (and the origin-form ones through inject too), under keys with keyed
 * reads: without a key nothing under /api answers but 401, with a reader key no write succeeds,
 * and every spelling answers as the plain target does. Bad keys count against the rate limit
 * (finding 10).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyRing, createApiKey } from '../../../server/access/api-keys.js';
import { buildApp, type AppOptions } from '../../../server/app.js';
import { EmbeddedGraphStore } from '../../../server/stores/embedded-store.js';
import { operationsOf, SchemaArbitraries, type FuzzRequest, type OpenApiDocument } from '../fuzz/openapi-arbitraries.js';
import { known, validRequestsFor } from '../fuzz/route-requests.js';
import { fixtureNodes, fixtureRelationships } from '../stores/graph-store-contract.js';
import { absoluteForm, percentEncodePath, portOf, rawRequest } from './raw-http.js';

const reader = createApiKey('dashboard', 'reader');
const editor = createApiKey('importer', 'editor');
const ring = new ApiKeyRing([reader.entry, editor.entry]);

interface Served {
  app: FastifyInstance;
  store: EmbeddedGraphStore;
  port: number;
  close: () => Promise<void>;
}

async function serve(options: Partial<AppOptions>): Promise<Served> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oretrace-access-route-'));
  const store = new EmbeddedGraphStore({ dataDir });
  await store.init();
  await store.importGraph({ nodes: fixtureNodes, relationships: fixtureRelationships });
  const app = await buildApp({ store, analysisWorkers: 0, ...options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    store,
    port: portOf(app),
    close: async () => {
      await app.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The spellings of one target the router takes for the same route. */
const SPELLINGS: Record<string, (url: string) => string> = {
  plain: (url) => url,
  'first letter encoded': (url) => percentEncodePath(url, (_c, i) => i === 1),
  'every unreserved character encoded': (url) => percentEncodePath(url, () => true),
  'absolute form': (url) => absoluteForm(url),
  'absolute form, encoded': (url) => absoluteForm(percentEncodePath(url, (_c, i) => i % 2 === 1)),
};

const KEYS: Record<string, Record<string, string>> = { 'no key': {}, 'a reader key': { authorization: `Bearer ${reader.key}` } };

describe('access from the matched route, under keys with keyed reads', () => {
  let s: Served;
  let requests: FuzzRequest[];
  beforeAll(async () => {
    s = await serve({ access: { keys: ring, reads: 'keyed' } });
    const doc = (await s.app.inject({ url: '/docs/json' })).json() as OpenApiDocument;
    const arbs = new SchemaArbitraries(doc.components?.schemas ?? {}, known);
    // One valid request per operation: what would do the route's real work if it were let in.
    requests = operationsOf(doc).map((op, i) => {
      const [req] = fc.sample(validRequestsFor(op, arbs), { numRuns: 1, seed: 1000 + i });
      const { authorization: _a, ...headers } = req!.headers;
      return { ...req!, headers };
    });
  }, 60_000);
  afterAll(async () => s?.close());

  it('answers every operation, however its target is spelled, as the plain target: 401 without a key, no write with a reader key', async () => {
    expect(requests.length).toBeGreaterThanOrEqual(25);
    const version = await s.store.version();
    const counts = await s.store.counts();
    const wrong: string[] = [];
    const plainStatus = new Map<string, number>();
    for (const [keyName, auth] of Object.entries(KEYS)) {
      for (const req of requests) {
        for (const [spelling, spell] of Object.entries(SPELLINGS)) {
          const target = spell(req.url);
          const sent = {
            method: req.method,
            target,
            headers: { ...req.headers, ...auth },
            ...(req.payload !== undefined ? { payload: req.payload } : {}),
          };
          const answers = [{ via: 'socket', status: (await rawRequest(s.port, sent)).statusCode }];
          if (!target.startsWith('http:')) {
            const injected = await s.app.inject({
              method: req.method as 'GET',
              url: target,
              headers: sent.headers,
              ...(req.payload !== undefined ? { payload: req.payload } : {}),
            });
            answers.push({ via: 'inject', status: injected.statusCode });
          }
          const what = `${keyName}, ${spelling}: ${req.method} ${target.slice(0, 120)}`;
          for (const { via, status } of answers) {
            if (keyName === 'no key' && req.url.startsWith('/api/') && status !== 401) {
              wrong.push(`${what} (${via}) → ${status}, not 401`);
            }
            const plain = plainStatus.get(`${keyName} ${req.route}`);
            if (plain === undefined) plainStatus.set(`${keyName} ${req.route}`, status);
            else if (status !== plain) wrong.push(`${what} (${via}) → ${status}, the plain target ${plain}`);
          }
          if ((await s.store.version()) !== version) wrong.push(`${what} wrote`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(await s.store.counts()).toEqual(counts);
    // A reader key is refused every write: PUT, DELETE and the imports at least.
    const refused = requests.filter((r) => plainStatus.get(`a reader key ${r.route}`) === 403).map((r) => r.route);
    expect(refused).toEqual(
      expect.arrayContaining([
        'PUT /api/v1/companies/{id}',
        'DELETE /api/v1/companies/{id}',
        'POST /api/v1/imports/graph',
        'POST /api/v1/smelters/{id}/name-decisions',
      ]),
    );
  }, 300_000);

  it('refuses the requests of the finding, which once went through', async () => {
    const company = JSON.stringify({ name: 'Bypass Co', country: 'JP' });
    const json = { 'content-type': 'application/json' };
    const version = await s.store.version();
    const sent = [
      { method: 'PUT', target: '/%61pi/v1/companies/x', headers: json, payload: company },
      { method: 'DELETE', target: `/%61pi/v1/companies/${known.companies[0]}` },
      { method: 'GET', target: '/%61pi/v1/export?format=json' },
      { method: 'POST', target: `/%61pi/v1/smelters/${known.smelters[0]}/name-decisions`, headers: json, payload: '{}' },
      {
        method: 'POST',
        target: 'http://x/api/v1/imports/graph',
        headers: json,
        payload: JSON.stringify({ nodes: [{ id: 'C-BYPASS', label: 'Company', name: 'Bypass' }], relationships: [] }),
      },
    ];
    const answers = [];
    for (const r of sent) answers.push(await rawRequest(s.port, r));
    expect(answers.map((a) => a.statusCode)).toEqual([401, 401, 401, 401, 401]);
    for (const a of answers) {
      expect(a.headers['content-type']).toContain('application/problem+json');
      expect(a.headers['www-authenticate']).toBe('Bearer realm="oretrace"');
    }
    expect(JSON.parse(answers[0]!.body).detail).toContain('PUT /api/v1/companies/:id needs an API key with the editor role');
    expect(await s.store.version()).toBe(version);
    // With the right key the same spellings work: the decision is the route's, not a refusal of odd targets.
    const allowed = await rawRequest(s.port, { ...sent[0]!, headers: { ...json, authorization: `Bearer ${editor.key}` } });
    expect(allowed.statusCode).toBe(201);
  });

  it('leaves a target that matches no route harmless: a 404 problem, whatever the key', async () => {
    for (const target of ['/%61pi/v1/nothing-here', 'http://x/api/v2/companies', '/API/v1/companies']) {
      const a = await rawRequest(s.port, { method: 'POST', target, headers: { 'content-type': 'application/json' }, payload: '{}' });
      expect([a.statusCode, a.headers['content-type']]).toEqual([404, expect.stringContaining('application/problem+json')]);
    }
  });
});

describe('bad keys and the rate limit', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('counts requests with a bad key: the one past the limit gets 429, not another 401', async () => {
    const s = await serve({ access: { keys: ring, reads: 'open' }, safety: { rateLimitPerMinute: 5 } });
    cleanups.push(s.close);
    const statuses = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (await s.app.inject({ url: '/api/v1/countries?limit=1', headers: { authorization: `Bearer ort_guess${i}` } })).statusCode,
      );
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // Malformed headers and missing keys on keyed routes count as well, from the same address.
    const more = await s.app.inject({
      method: 'PUT',
      url: '/api/v1/companies/x',
      headers: { authorization: 'Basic Zm9vOmJhcg==' },
      payload: { name: 'x' },
    });
    expect(more.statusCode).toBe(429);
    // A good key has its own budget.
    expect((await s.app.inject({ url: '/api/v1/countries?limit=1', headers: { authorization: `Bearer ${reader.key}` } })).statusCode).toBe(
      200,
    );
  });

  it('counts refusals for a missing key too', async () => {
    const s = await serve({ access: { keys: ring, reads: 'keyed' }, safety: { rateLimitPerMinute: 3 } });
    cleanups.push(s.close);
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await rawRequest(s.port, { method: 'GET', target: '/%61pi/v1/countries?limit=1' })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});
