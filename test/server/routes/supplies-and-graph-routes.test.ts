import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embeddedHarness, type Harness } from '../app-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await embeddedHarness();
});
afterEach(async () => h.close());

describe('supplies', () => {
  it('lists SUPPLIES into a company', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/supplies?to=acme&metal=tin' });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((r: { from: string; share: number }) => [r.from, r.share])).toEqual([
      ['t1a', 0.6],
      ['t1b', 0.4],
    ]);
  });

  it('upserts by key, keeping provenance an update leaves out', async () => {
    const res = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/supplies',
      payload: { from: 'S-TIN-1', to: 't2', metal: 'tin', share: 0.25 },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ type: 'SUPPLIES', from: 'S-TIN-1', to: 't2', metal: 'tin', share: 0.25, source: 'cmrt t2.xlsx' });
    const fresh = await h.app.inject({ method: 'PUT', url: '/api/v1/supplies', payload: { from: 't2', to: 't1b', metal: 'tin' } });
    expect(fresh.json()).toMatchObject({ source: 'manual' });
  });

  it('refuses a SUPPLIES whose end does not exist with 422 naming it', async () => {
    const res = await h.app.inject({ method: 'PUT', url: '/api/v1/supplies', payload: { from: 'ghost', to: 'acme', metal: 'tin' } });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ path: 'relationships[0].from', message: 'no node has id "ghost"' }]);
  });

  it('refuses a share out of range with 400', async () => {
    const res = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/supplies',
      payload: { from: 't2', to: 't1a', metal: 'tin', share: 1.5 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: 'body.share', message: 'must be at most 1' }]);
  });

  it('deletes by key, then 404', async () => {
    const url = '/api/v1/supplies?from=t1a&to=acme&metal=gold';
    expect((await h.app.inject({ method: 'DELETE', url })).statusCode).toBe(204);
    expect((await h.app.inject({ method: 'DELETE', url })).statusCode).toBe(404);
    const missingKey = await h.app.inject({ method: 'DELETE', url: '/api/v1/supplies?from=t1a' });
    expect(missingKey.statusCode).toBe(400);
    expect(
      missingKey
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['query.metal', 'query.to']);
  });
});

describe('neighbourhood', () => {
  it('returns the upstream tiers of a company', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/nodes/acme/neighborhood?direction=upstream&depth=2&metal=tin' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.collapsed).toBeNull();
    expect(body.nodes.map((n: { node: { id: string }; tier: number }) => [n.node.id, n.tier])).toEqual([
      ['acme', 0],
      ['t1a', 1],
      ['t1b', 1],
      ['S-TIN-2', 2],
      ['t2', 2],
    ]);
    expect(body.totalRelationships).toBe(4);
  });

  it('collapses by tier when asked', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/nodes/acme/neighborhood?depth=4&collapse=tier' });
    const body = res.json();
    expect(body.nodes).toEqual([]);
    expect(body.collapsed.groups.map((g: { key: string; size: number }) => [g.key, g.size])).toEqual([
      ['center', 1],
      ['tier:1', 2],
      ['tier:2', 3],
      ['tier:3', 2],
      ['tier:4', 2],
    ]);
    expect(body.collapsed.links).toContainEqual({ from: 'tier:1', to: 'center', metals: ['gold', 'tin'], relationships: 3 });
  });

  it('collapses automatically past maxNodes', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/nodes/acme/neighborhood?depth=4&maxNodes=3' });
    expect(res.json().collapsed.by).toBe('tier');
  });

  it('404 for an unknown node, 400 for a depth out of range', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/nodes/nobody/neighborhood' })).statusCode).toBe(404);
    const deep = await h.app.inject({ method: 'GET', url: '/api/v1/nodes/acme/neighborhood?depth=11&direction=sideways' });
    expect(deep.statusCode).toBe(400);
    expect(
      deep
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['query.depth', 'query.direction']);
  });
});

describe('graph import', () => {
  it('imports the document shape of the API (README, "The API in brief")', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/imports/graph',
      payload: {
        nodes: [
          { label: 'Company', id: 'imp-co', name: 'Imported Co', country: 'JP' },
          { label: 'Smelter', id: 'CID001070', name: 'Imported Smelter', metal: 'tin', country: 'PE', rmapStatus: 'conformant' },
        ],
        relationships: [
          { type: 'SUPPLIES', from: 'CD', to: 'CID001070', metal: 'tin', share: 0.4 },
          { type: 'SUPPLIES', from: 'CID001070', to: 'imp-co', metal: 'tin' },
          { type: 'LOCATED_IN', from: 'imp-co', to: 'JP' },
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ nodesUpserted: 2, relationshipsUpserted: 3, version: await h.store.version() });
  });

  it('merges into existing nodes without resetting what the document leaves out', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/imports/graph',
      payload: { nodes: [{ label: 'Smelter', id: 'S-TIN-1', name: 'Andes Tin', metal: 'tin', country: 'PE' }] },
    });
    expect(res.statusCode).toBe(200);
    const s = await h.app.inject({ method: 'GET', url: '/api/v1/smelters/S-TIN-1' });
    expect(s.json()).toMatchObject({ name: 'Andes Tin', rmapStatus: 'conformant' });
  });

  it('writes nothing when one relationship names a missing node (422)', async () => {
    const before = await h.store.counts();
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/imports/graph',
      payload: {
        nodes: [{ label: 'Company', id: 'orphan-co', name: 'Orphan', country: 'JP' }],
        relationships: [{ type: 'SUPPLIES', from: 'orphan-co', to: 'missing', metal: 'tin' }],
      },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ path: 'body.relationships[0].to', message: 'no node has id "missing"' }]);
    expect(await h.store.counts()).toEqual(before);
  });

  it('names the bad row of a malformed document (400)', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/imports/graph',
      payload: {
        nodes: [
          { label: 'Company', id: 'ok', name: 'OK', country: 'JP' },
          { label: 'Planet', id: 'mars' },
        ],
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('body.nodes[1].label');
  });
});

describe('operations and docs', () => {
  it('/health and /ready', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    const ready = await h.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.json()).toEqual({ status: 'ready', store: 'embedded', version: await h.store.version() });
  });

  it('serves OpenAPI 3.1 with the domain schemas as components, and the docs page', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    for (const name of ['Company', 'Smelter', 'Country', 'Supplies', 'Problem'])
      expect(Object.keys(doc.components.schemas)).toContain(name);
    for (const path of [
      '/api/v1/companies',
      '/api/v1/companies/{id}',
      '/api/v1/smelters',
      '/api/v1/countries/{id}',
      '/api/v1/supplies',
      '/api/v1/nodes/{id}/neighborhood',
      '/api/v1/imports/graph',
      '/ready',
    ])
      expect(Object.keys(doc.paths)).toContain(path);
    const ui = await h.app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(ui.statusCode);
  });

  it('serves a page at /', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('oretrace');
  });
});
