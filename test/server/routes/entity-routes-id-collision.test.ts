/**
 * Trust issue, finding 8: an id another label holds. `PUT /companies/CD` on a store holding the
 * Country CD used to be accepted, and on the next start the embedded store hung the Country's
 * relationships on the Company (a Company → Smelter SUPPLIES, which the model forbids), the DRC
 * left every origin mix, and every later import naming CD failed as ambiguous. Ids are unique
 * across labels: such a write is a 409 naming the label that holds the id, and a restart changes
 * nothing.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/app.js';
import { PROJECT_ROOT } from '../../../server/seeding/reference-data.js';
import { loadReference } from '../../../server/seeding/seed-loader.js';
import { EmbeddedGraphStore } from '../../../server/stores/embedded-store.js';
import { multipartBody } from '../multipart-body.js';
import { fixtureNodes, fixtureRelationships } from '../stores/graph-store-contract.js';

interface Service {
  app: FastifyInstance;
  store: EmbeddedGraphStore;
}

const dirs: string[] = [];
const running: Service[] = [];

async function start(dataDir: string): Promise<Service> {
  const store = new EmbeddedGraphStore({ dataDir });
  await store.init();
  const app = await buildApp({ store, analysisWorkers: 0, logger: false });
  await app.ready();
  const service = { app, store };
  running.push(service);
  return service;
}

async function stop(service: Service): Promise<void> {
  running.splice(running.indexOf(service), 1);
  await service.app.close();
  await service.store.close();
}

/** What a client sees of the graph: the export (every node and relationship) and the DRC's share of acme's tin. */
async function observed(app: FastifyInstance) {
  const exported = await app.inject({ method: 'GET', url: '/api/v1/export' });
  const origins = await app.inject({ method: 'GET', url: '/api/v1/companies/acme/origins?metal=tin' });
  const { exportedAt: _at, ...graph } = exported.json();
  return { graph, drc: origins.json().originMix.byCountry.CD };
}

afterEach(async () => {
  for (const service of [...running]) await stop(service);
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function serviceWithFixture(): Promise<{ dataDir: string; service: Service }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oretrace-collision-'));
  dirs.push(dataDir);
  const service = await start(dataDir);
  await service.store.importGraph({ nodes: fixtureNodes, relationships: fixtureRelationships });
  return { dataDir, service };
}

describe('an id another label holds', () => {
  it('PUT /companies/CD over the Country CD is refused with a 409 naming the Country, and a restart moves no data', async () => {
    const { dataDir, service } = await serviceWithFixture();
    const before = await observed(service.app);
    expect(before.drc).toBeGreaterThan(0);

    const put = await service.app.inject({
      method: 'PUT',
      url: '/api/v1/companies/CD',
      payload: { name: 'CD Holdings', country: 'US' },
    });
    expect(put.statusCode).toBe(409);
    expect(put.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(put.json()).toMatchObject({
      status: 409,
      type: 'urn:oretrace:problem:conflict',
      detail: 'id "CD" is already held by a Country; ids are unique across labels',
      errors: [{ path: 'nodes[0].id', message: 'id "CD" is already held by a Country' }],
    });

    await stop(service);
    const restarted = await start(dataDir);
    expect(await observed(restarted.app)).toEqual(before);
    // Imports naming CD still know which node they mean.
    const imported = await restarted.app.inject({
      method: 'POST',
      url: '/api/v1/imports/graph',
      payload: { relationships: [{ type: 'SUPPLIES', from: 'CD', to: 'S-TIN-2', metal: 'tin' }] },
    });
    expect(imported.statusCode).toBe(200);
  });

  it('PUT of a smelter or a country with an id a company holds is refused the same way', async () => {
    const { service } = await serviceWithFixture();
    const smelter = await service.app.inject({
      method: 'PUT',
      url: '/api/v1/smelters/acme',
      payload: { name: 'Acme Smelting', metal: 'tin', country: 'JP' },
    });
    expect(smelter.statusCode).toBe(409);
    expect(smelter.json().detail).toBe('id "acme" is already held by a Company; ids are unique across labels');
    await service.store.importGraph({ nodes: [{ label: 'Company', id: 'US', name: 'US Metals', country: 'US' }], relationships: [] });
    const country = await service.app.inject({ method: 'PUT', url: '/api/v1/countries/US', payload: { name: 'United States' } });
    expect(country.statusCode).toBe(409);
    expect(country.json().detail).toBe('id "US" is already held by a Company; ids are unique across labels');
    expect(await service.store.getNode('Country', 'US')).toBeNull();
  });

  it('PUT of the node that holds the id still replaces it', async () => {
    const { service } = await serviceWithFixture();
    const res = await service.app.inject({ method: 'PUT', url: '/api/v1/countries/CD', payload: { name: 'DR Congo', cahra: true } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ label: 'Country', id: 'CD', name: 'DR Congo', cahra: true, lists: [] });
  });

  it('a graph import that would give an id a second label is a 409 and writes nothing', async () => {
    const { service } = await serviceWithFixture();
    const version = await service.store.version();
    const res = await service.app.inject({
      method: 'POST',
      url: '/api/v1/imports/graph',
      payload: {
        nodes: [
          { label: 'Company', id: 'newco', name: 'NewCo', country: 'DE' },
          { label: 'Company', id: 'PE', name: 'PE Partners', country: 'US' },
        ],
        relationships: [],
      },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().errors).toEqual([{ path: 'body.nodes[1].id', message: 'id "PE" is already held by a Country' }]);
    expect(await service.store.getNode('Company', 'newco')).toBeNull();
    expect(await service.store.version()).toBe(version);
  });

  it('a CMRT import for a new company whose id a country holds is a 409 and writes nothing', { timeout: 60_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'oretrace-collision-'));
    dirs.push(dataDir);
    const service = await start(dataDir);
    await loadReference(service.store);
    const version = await service.store.version();
    const name = 'cmrt-6.4_jx-advanced-metals_2024-05-30.xlsx';
    const file = {
      content: readFileSync(join(PROJECT_ROOT, 'test', 'fixtures', 'cmrt', name)),
      fileName: name,
      type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    };
    const res = await service.app.inject({
      method: 'POST',
      url: '/api/v1/imports/cmrt?company=JP&country=JP&name=Japan%20Metals',
      ...(await multipartBody([['file', file]])),
    });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().detail).toBe('id "JP" is already held by a Country; ids are unique across labels');
    expect(await service.store.getNode('Company', 'JP')).toBeNull();
    expect(await service.store.version()).toBe(version);
  });

  it('documents the 409 on PUT in OpenAPI', async () => {
    const { service } = await serviceWithFixture();
    const doc = (await service.app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const plural of ['companies', 'smelters', 'countries']) {
      expect(Object.keys(doc.paths[`/api/v1/${plural}/{id}`].put.responses)).toContain('409');
    }
  });
});
