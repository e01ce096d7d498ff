/**
 * POST /api/v1/imports/graph with CSV (multipart/form-data). The JSON path is covered in
 * supplies-and-graph-routes.test.ts and must keep passing unchanged.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import graphStore from '../../../server/plugins/graph-store.js';
import multipart from '../../../server/plugins/multipart.js';
import problemDetails from '../../../server/plugins/problem-details.js';
import importRoutes from '../../../server/routes/imports.js';
import { embeddedHarnessPerTest, expectRoundTrip } from '../app-harness.js';
import { multipartBody, type Part } from '../multipart-body.js';

async function postCsv(app: FastifyInstance, parts: [string, Part][]) {
  return app.inject({ method: 'POST', url: '/api/v1/imports/graph', ...(await multipartBody(parts)) });
}

const h = embeddedHarnessPerTest();

describe('POST /api/v1/imports/graph with CSV', () => {
  it('imports nodes.csv and relationships.csv in one write', async () => {
    const version = await h.store.version();
    const res = await postCsv(h.app, [
      [
        'nodes',
        'label,id,name,country,metal,rmapStatus\nCompany,imp-co,"Imported, Co",JP,,\nSmelter,CID001070,Imported Smelter,PE,tin,conformant\n',
      ],
      [
        'relationships',
        'type,from,to,metal,share\nSUPPLIES,CD,CID001070,tin,0.4\nSUPPLIES,CID001070,imp-co,tin,\nLOCATED_IN,imp-co,JP,,\n',
      ],
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ nodesUpserted: 2, relationshipsUpserted: 3, version: version + 1 });
    expect(await h.store.getNode('Company', 'imp-co')).toEqual({ label: 'Company', id: 'imp-co', name: 'Imported, Co', country: 'JP' });
    const supplies = await h.store.listSupplies({ to: 'CID001070' }, { limit: 10 });
    expect(supplies.items.map((s) => [s.from, s.share])).toEqual([['CD', 0.4]]);
  });

  it('takes either part alone, as a file or as a plain form field', async () => {
    const onlyRelationships = await postCsv(h.app, [['relationships', 'type,from,to,metal\nSUPPLIES,t2,t1b,tin\n']]);
    expect(onlyRelationships.statusCode).toBe(200);
    expect(onlyRelationships.json()).toMatchObject({ nodesUpserted: 0, relationshipsUpserted: 1 });
    const field = await postCsv(h.app, [['nodes', { content: 'label,id,name,country\nCompany,f1,Field Co,DE\n', field: true }]]);
    expect(field.statusCode).toBe(200);
    expect(field.json()).toMatchObject({ nodesUpserted: 1, relationshipsUpserted: 0 });
  });

  it('round-trips the CSV export into an empty store', async () => {
    const nodes = (await h.app.inject({ method: 'GET', url: '/api/v1/export?format=csv&part=nodes' })).body;
    const relationships = (await h.app.inject({ method: 'GET', url: '/api/v1/export?format=csv&part=relationships' })).body;
    await expectRoundTrip(h.store, (empty) =>
      postCsv(empty, [
        ['nodes', nodes],
        ['relationships', relationships],
      ]),
    );
  });

  it('400 naming file, row and column for a bad row; nothing written', async () => {
    const before = await h.store.scan();
    const res = await postCsv(h.app, [
      ['nodes', 'label,id,name,country\nCompany,ok-co,OK,JP\nCompany,bad-co,Bad,Japan\n'],
      ['relationships', 'type,from,to,metal,share\nSUPPLIES,ok-co,acme,tin,1.5\n'],
    ]);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    const problem = res.json();
    expect(problem.detail).toBe('nodes.csv row 3 column country: must be an ISO 3166-1 alpha-2 code in upper case, e.g. "CD"');
    expect(problem.errors).toEqual([
      {
        path: 'body.nodes[1].country',
        message: 'nodes.csv row 3 column country: must be an ISO 3166-1 alpha-2 code in upper case, e.g. "CD"',
      },
      { path: 'body.relationships[0].share', message: 'relationships.csv row 2 column share: must be at most 1' },
    ]);
    expect(await h.store.scan()).toEqual(before);
  });

  it('422 pointing at the CSV row when an end does not exist; nothing written', async () => {
    const before = await h.store.scan();
    const res = await postCsv(h.app, [
      ['nodes', 'label,id,name,country\nCompany,new-co,New,JP\n'],
      ['relationships', 'type,from,to,metal\nSUPPLIES,new-co,acme,tin\nSUPPLIES,ghost,acme,tin\n'],
    ]);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { path: 'body.relationships[1].from', message: 'relationships.csv row 3 column from: no node has id "ghost"' },
    ]);
    expect(await h.store.scan()).toEqual(before);
  });

  it('400 naming an unknown part, a repeated part, or no part at all', async () => {
    const unknown = await postCsv(h.app, [
      ['nodes', 'label,id,name,country\n'],
      ['edges', 'type,from,to\n'],
    ]);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors).toEqual([
      { path: 'body.edges', message: 'is not a part this route takes; send parts named "nodes" and "relationships"' },
    ]);
    const twice = await postCsv(h.app, [
      ['nodes', 'label,id,name,country\n'],
      ['nodes', 'label,id,name,country\n'],
    ]);
    expect(twice.statusCode).toBe(400);
    expect(twice.json().errors).toEqual([{ path: 'body.nodes', message: 'is given twice; send it once' }]);
    const none = await postCsv(h.app, []);
    expect(none.statusCode).toBe(400);
    expect(none.json().errors).toEqual([{ path: 'body.nodes', message: 'send a part named nodes or relationships (or both)' }]);
  });

  it('415 for a bare text/csv or text/plain body, 400 for no body; nothing written (CSV comes as multipart parts)', async () => {
    const version = await h.store.version();
    for (const type of ['text/csv', 'text/plain', 'text/plain; charset=utf-8']) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/imports/graph',
        payload: 'label,id\n',
        headers: { 'content-type': type },
      });
      expect(res.statusCode, type).toBe(415);
      expect(res.headers['content-type']).toBe('application/problem+json');
    }
    const none = await h.app.inject({ method: 'POST', url: '/api/v1/imports/graph' });
    expect(none.statusCode).toBe(400);
    expect(none.json().errors).toEqual([
      { path: 'body', message: 'is required: a JSON document (application/json) or CSV parts (multipart/form-data)' },
    ]);
    expect(await h.store.version()).toBe(version);
  });

  it('documents both media types in OpenAPI', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const body = doc.paths['/api/v1/imports/graph'].post.requestBody;
    expect(Object.keys(body.content)).toEqual(['application/json', 'multipart/form-data']);
    expect(body.content['application/json'].schema.properties.nodes.items).toEqual({ $ref: '#/components/schemas/GraphNodeInput' });
    const form = body.content['multipart/form-data'].schema;
    expect(form.additionalProperties).toBe(false);
    expect(Object.keys(form.properties)).toEqual(['nodes', 'relationships']);
    expect(form.properties.nodes).toMatchObject({ type: 'string', format: 'binary', contentMediaType: 'text/csv' });
    expect(form.properties.nodes.description).toMatch(/^nodes\.csv: a header row naming any of the columns label, id, name, /);
  });
});

describe('413 for an over-size CSV part', () => {
  let app: FastifyInstance;
  beforeEach(async () => {
    // The route's own limit is 64 MiB; a small app with a small limit checks the behaviour cheaply.
    app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(problemDetails);
    await app.register(graphStore, { store: h.store });
    await app.register(multipart);
    await app.register(importRoutes, { prefix: '/api/v1', csvFileBytes: 200 });
    await app.ready();
  });
  afterEach(async () => app.close());

  it('names the part and writes nothing', async () => {
    const before = await h.store.scan();
    const rows = Array.from({ length: 20 }, (_, i) => `Company,big-${i},Big ${i},JP`).join('\n');
    const res = await postCsv(app, [['nodes', `label,id,name,country\n${rows}\n`]]);
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.json()).toMatchObject({
      status: 413,
      detail: 'The part "nodes" is larger than 200 bytes',
      errors: [{ path: 'body.nodes', message: 'is larger than 200 bytes' }],
    });
    expect(await h.store.scan()).toEqual(before);
    // Under the limit the same app imports.
    const small = await postCsv(app, [['nodes', 'label,id,name,country\nCompany,s1,S,JP\n']]);
    expect(small.statusCode).toBe(200);
  });
});
