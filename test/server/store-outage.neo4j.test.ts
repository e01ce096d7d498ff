/**
 * Neo4j goes away while the service runs: /ready and writes answer 503 with Retry-After, the
 * process stays up, and both recover by themselves once Neo4j is back — without restarting the
 * service. Runs its own Neo4j (port 7689, home .oretrace/neo4j-outage) so that stopping it does
 * not disturb the server the other tests share.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { localNeo4jPaths, startLocalNeo4j, stopLocalNeo4j, type StartLocalNeo4jResult } from '../../tools/local-neo4j/local-neo4j.js';
import { buildApp } from '../../server/app.js';
import { Neo4jGraphStore } from '../../server/stores/neo4j-store.js';

const OUTAGE_PORT = Number(process.env.ORETRACE_OUTAGE_NEO4J_PORT ?? 7689);
const home = localNeo4jPaths({ home: '.oretrace/neo4j-outage' }).home;
// Share the jars the global setup already fetched.
const lib = process.env.ORETRACE_NEO4J_LIB ?? localNeo4jPaths().lib;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

// With an external NEO4J_URI there is no local server to stop; the scenario needs one we own.
const ownServer = inject('neo4j') !== null && !process.env.NEO4J_URI;

describe.runIf(ownServer)('Neo4j outage and recovery', () => {
  let neo: StartLocalNeo4jResult;
  let store: Neo4jGraphStore;
  let app: FastifyInstance;
  const quiet = () => undefined;

  beforeAll(async () => {
    neo = await startLocalNeo4j({ home, lib, port: OUTAGE_PORT, log: quiet });
    store = new Neo4jGraphStore({ uri: neo.uri, user: neo.user, password: neo.password, database: neo.database });
    await store.init();
    await store.clear();
    await store.upsertNodes([{ label: 'Company', id: 'before-outage', name: 'Before', country: 'DE' }]);
    app = await buildApp({ store });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    await store?.close();
    await stopLocalNeo4j({ home, lib, log: quiet });
  });

  it('answers 503 while Neo4j is down and recovers when it is back', async () => {
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);

    await stopLocalNeo4j({ home, lib, log: quiet });

    const ready = await app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.headers['content-type']).toMatch(/problem\+json/);
    expect(ready.headers['retry-after']).toMatch(/^\d+$/);

    const write = await app.inject({ method: 'PUT', url: '/api/v1/companies/during-outage', payload: { name: 'During', country: 'DE' } });
    expect(write.statusCode).toBe(503);
    expect(write.json()).toMatchObject({ status: 503, type: 'urn:oretrace:problem:store-unavailable' });
    // The process is still up.
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);

    await startLocalNeo4j({ home, lib, port: OUTAGE_PORT, log: quiet });

    await until('/ready to answer 200', async () => (await app.inject({ method: 'GET', url: '/ready' })).statusCode === 200);
    const again = await app.inject({ method: 'PUT', url: '/api/v1/companies/after-outage', payload: { name: 'After', country: 'DE' } });
    expect(again.statusCode).toBe(201);
    const before = await app.inject({ method: 'GET', url: '/api/v1/companies/before-outage' });
    expect(before.statusCode).toBe(200);
    // Nothing of the refused write was kept.
    expect((await app.inject({ method: 'GET', url: '/api/v1/companies/during-outage' })).statusCode).toBe(404);
  });
});
