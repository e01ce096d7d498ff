/**
 * Analyses during a store outage (issue 6): answered from the last compiled snapshot and marked
 * `stale: true` with that snapshot's version; writes and /ready answer 503 problem+json with
 * Retry-After; once the store is back, answers are current again without a restart. A service
 * that never compiled a snapshot has nothing to answer with: 503.
 *
 * The outage here is a switch in front of a real embedded store (every call then fails as the
 * Neo4j adapter fails when its server is down: StoreUnavailableError). The same scenario against a
 * Neo4j that is really killed is in neo4j-kill.neo4j.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { SnapshotProvider } from '../../../server/analytics/snapshot-provider.js';
import { buildApp } from '../../../server/app.js';
import { StoreUnavailableError } from '../../../server/errors.js';
import { EmbeddedGraphStore } from '../../../server/stores/embedded-store.js';
import type { GraphStore } from '../../../server/stores/graph-store.js';
import { fixtureNodes, fixtureRelationships } from '../stores/graph-store-contract.js';

/** A GraphStore whose backend can be switched off: every call then fails as an unreachable one does. */
function switchable(inner: GraphStore): { store: GraphStore; down: boolean; calls: Map<string, number> } {
  const state = { down: false, calls: new Map<string, number>() };
  const store = new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        state.calls.set(String(key), (state.calls.get(String(key)) ?? 0) + 1);
        if (state.down && key !== 'close') return Promise.reject(new StoreUnavailableError('test outage: the store does not answer', 2));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return Object.assign(state, { store });
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp(options: { withFixture?: boolean } = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'oretrace-stale-'));
  const inner = new EmbeddedGraphStore({ dataDir });
  await inner.init();
  if (options.withFixture !== false) await inner.importGraph({ nodes: fixtureNodes, relationships: fixtureRelationships });
  const outage = switchable(inner);
  const app = await buildApp({ store: outage.store, analysisWorkers: 0 });
  await app.ready();
  cleanups.push(async () => {
    await app.close();
    await inner.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { inner, outage, app };
}

const get = (app: FastifyInstance, url: string) => app.inject({ method: 'GET', url });

const ANALYSES = [
  '/api/v1/companies/acme/origins?metal=tin',
  '/api/v1/companies/acme/risk?metal=tin',
  '/api/v1/companies/acme/risk-paths?metal=tin',
  '/api/v1/companies/acme/single-points-of-failure?metal=gold',
  '/api/v1/rankings/risk?metal=tin',
];

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('analyses while the graph store is unavailable', () => {
  it('answer from the last snapshot and say so; writes get 503 with Retry-After; all recovers by itself', async () => {
    const { inner, outage, app } = await setUp();
    const version = await inner.version();
    const before = new Map<string, Record<string, unknown>>();
    for (const url of ANALYSES) {
      const res = await get(app, url);
      expect(res.statusCode, url).toBe(200);
      expect(res.json(), url).toMatchObject({ snapshotVersion: version, stale: false });
      before.set(url, res.json());
    }
    const impact = { method: 'POST' as const, url: '/api/v1/scenarios/impact', payload: { remove: ['S-TIN-1'] } };
    const impactBefore = (await app.inject(impact)).json();
    expect(impactBefore).toMatchObject({ snapshotVersion: version, stale: false });

    outage.down = true;
    for (const url of ANALYSES) {
      const res = await get(app, url);
      expect(res.statusCode, url).toBe(200);
      // The same answer, from the same snapshot, marked stale.
      expect(res.json(), url).toEqual({ ...before.get(url), stale: true });
    }
    expect((await app.inject(impact)).json()).toEqual({ ...impactBefore, stale: true });
    // Domain errors still come from the stale snapshot.
    expect((await get(app, '/api/v1/companies/ghost/origins?metal=tin')).statusCode).toBe(404);

    const write = await app.inject({ method: 'PUT', url: '/api/v1/companies/during', payload: { name: 'During', country: 'DE' } });
    expect(write.statusCode).toBe(503);
    expect(write.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(write.headers['retry-after']).toBe('2');
    expect(write.json()).toMatchObject({ status: 503, type: 'urn:oretrace:problem:store-unavailable' });
    const ready = await get(app, '/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.headers['retry-after']).toMatch(/^\d+$/);
    // Entity reads go to the store itself: they cannot be served and say so.
    expect((await get(app, '/api/v1/companies/acme')).statusCode).toBe(503);

    // Back, and moved on meanwhile (as if another instance had written): current answers again.
    outage.down = false;
    await inner.upsertRelationships([{ type: 'SUPPLIES', from: 'CD', to: 'S-TIN-2', metal: 'tin', share: 0.5 }]);
    const after = await inner.version();
    await until('a current answer', async () => (await get(app, ANALYSES[0]!)).json().stale === false);
    const origins = (await get(app, ANALYSES[0]!)).json();
    expect(origins).toMatchObject({ snapshotVersion: after, stale: false });
    // S-TIN-2 now takes half its tin from CD: acme gets 0.4 of that on top of the 0.18 before.
    expect(origins.originMix.byCountry.CD).toBeCloseTo(0.18 + 0.2, 12);
    expect((await get(app, '/ready')).statusCode).toBe(200);
    const again = await app.inject({ method: 'PUT', url: '/api/v1/companies/after', payload: { name: 'After', country: 'DE' } });
    expect(again.statusCode).toBe(201);
    // Nothing of the refused write was kept.
    expect(await inner.getNode('Company', 'during')).toBeNull();
  });

  it('answer 503 when no snapshot was ever compiled', async () => {
    const { outage, app } = await setUp();
    outage.down = true;
    const res = await get(app, ANALYSES[0]!);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.json()).toMatchObject({ status: 503, type: 'urn:oretrace:problem:store-unavailable' });
  });
});

describe('the stale flag in OpenAPI', () => {
  it('is a documented, required field of every analysis answer', async () => {
    const { app } = await setUp({ withFixture: false });
    const doc = (await get(app, '/docs/json')).json() as {
      components: {
        schemas: Record<string, { properties?: Record<string, { type?: string; description?: string }>; required?: string[] }>;
      };
    };
    for (const name of [
      'OriginsAnswer',
      'RiskAnswer',
      'RiskPathsAnswer',
      'SinglePointsOfFailureAnswer',
      'ImpactAnswer',
      'RiskRankingAnswer',
    ]) {
      const schema = doc.components.schemas[name]!;
      expect(schema.properties?.stale, name).toMatchObject({
        type: 'boolean',
        description: expect.stringMatching(/could not be reached.*last snapshot/),
      });
      expect(schema.required, name).toContain('stale');
    }
  });
});

describe('SnapshotProvider.read', () => {
  it('does not ask an unavailable store again within the recheck time, then does', async () => {
    const { inner, outage } = await setUp();
    const provider = new SnapshotProvider(outage.store, { unavailableRecheckMs: 300 });
    const first = await provider.read();
    expect(first).toMatchObject({ stale: false, snapshot: { version: await inner.version() } });
    outage.down = true;
    outage.calls.clear();
    const stale = await provider.read();
    expect(stale).toEqual({ snapshot: first.snapshot, stale: true });
    expect(outage.calls.get('version')).toBe(1);
    for (let i = 0; i < 5; i++) expect((await provider.read()).stale).toBe(true);
    expect(outage.calls.get('version')).toBe(1);
    outage.down = false;
    await new Promise((r) => setTimeout(r, 350));
    expect(await provider.read()).toEqual({ snapshot: first.snapshot, stale: false });
    expect(outage.calls.get('version')).toBe(2);
  });

  it('passes other errors on, stale snapshot or not', async () => {
    const { inner } = await setUp();
    const provider = new SnapshotProvider(inner);
    await provider.read();
    const broken = new Proxy(inner, {
      get: (t, k, r) => (k === 'version' ? () => Promise.reject(new TypeError('a bug, not an outage')) : Reflect.get(t, k, r)),
    });
    const other = new SnapshotProvider(broken);
    await expect(other.read()).rejects.toThrow(TypeError);
  });
});
