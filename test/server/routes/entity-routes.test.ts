import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedHarness, type Harness } from '../app-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await embeddedHarness();
});
afterAll(async () => h.close());

describe('companies, smelters and countries', () => {
  it('gets a company by id', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/companies/acme' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ label: 'Company', id: 'acme', name: 'Acme Watches', country: 'JP', saqScore: 81, tags: ['focal'] });
  });

  it('answers 404 problem+json for an unknown id', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/companies/nobody' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      status: 404,
      title: 'Not found',
      detail: 'No company has id "nobody"',
      instance: '/api/v1/companies/nobody',
    });
  });

  it('lists with search, filters and cursor pages', async () => {
    const first = await h.app.inject({ method: 'GET', url: '/api/v1/companies?search=tier&limit=1' });
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.items.map((n: { id: string }) => n.id)).toEqual(['t1a']);
    const second = await h.app.inject({ method: 'GET', url: `/api/v1/companies?search=tier&limit=1&cursor=${page1.nextCursor}` });
    const page2 = second.json();
    expect(page2.items.map((n: { id: string }) => n.id)).toEqual(['t1b']);
    const third = await h.app.inject({ method: 'GET', url: `/api/v1/companies?search=tier&limit=1&cursor=${page2.nextCursor}` });
    expect(third.json()).toEqual({ items: [expect.objectContaining({ id: 't2' })], nextCursor: null });

    const smelters = await h.app.inject({ method: 'GET', url: '/api/v1/smelters?metal=tin&rmapStatus=active' });
    expect(smelters.json().items.map((n: { id: string }) => n.id)).toEqual(['S-TIN-2']);
    const cahra = await h.app.inject({ method: 'GET', url: '/api/v1/countries?cahra=true' });
    expect(cahra.json().items.map((n: { id: string }) => n.id)).toEqual(['CD']);
  });

  it('names the offending query fields in a 400', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/smelters?limit=0&metal=unobtainium' });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['query.limit', 'query.metal']);
    const cursor = await h.app.inject({ method: 'GET', url: '/api/v1/companies?cursor=garbage' });
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().errors).toEqual([{ path: 'query.cursor', message: 'is not a cursor this service issued' }]);
    const cahra = await h.app.inject({ method: 'GET', url: '/api/v1/countries?cahra=yes' });
    expect(cahra.statusCode).toBe(400);
    expect(cahra.json().errors[0].path).toBe('query.cahra');
  });

  it('creates with PUT (201), replaces (200), and deletes (204, then 404)', async () => {
    const created = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/companies/newco',
      payload: { name: 'NewCo', country: 'DE', saqScore: 55 },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ label: 'Company', id: 'newco', name: 'NewCo', country: 'DE', saqScore: 55 });
    const replaced = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/companies/newco',
      payload: { label: 'Company', id: 'newco', name: 'NewCo GmbH', country: 'DE' },
    });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toEqual({ label: 'Company', id: 'newco', name: 'NewCo GmbH', country: 'DE' });
    expect((await h.app.inject({ method: 'DELETE', url: '/api/v1/companies/newco' })).statusCode).toBe(204);
    expect((await h.app.inject({ method: 'DELETE', url: '/api/v1/companies/newco' })).statusCode).toBe(404);
  });

  it('rejects a PUT whose body is malformed, naming each field, and writes nothing', async () => {
    const res = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/smelters/S-NEW',
      payload: { name: '', metal: 'tin', country: 'pe', colour: 'red' },
    });
    expect(res.statusCode).toBe(400);
    const paths = res
      .json()
      .errors.map((e: { path: string }) => e.path)
      .sort();
    expect(paths).toEqual(['body', 'body.country', 'body.name']);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/smelters/S-NEW' })).statusCode).toBe(404);
    const mismatch = await h.app.inject({ method: 'PUT', url: '/api/v1/companies/a', payload: { id: 'b', name: 'B', country: 'DE' } });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json().errors).toEqual([{ path: 'body.id', message: 'must equal the id in the path ("a") or be left out' }]);
    const badCountry = await h.app.inject({ method: 'GET', url: '/api/v1/countries/congo' });
    expect(badCountry.statusCode).toBe(400);
    expect(badCountry.json().errors[0].path).toBe('path.id');
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const res = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/companies/x',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json().type).toBe('urn:oretrace:problem:not-found');
  });
});
