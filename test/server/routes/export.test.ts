import { describe, expect, it } from 'vitest';
import { graphToGraphMl, graphToNodesCsv, graphToRelationshipsCsv } from '../../../server/exporters/graph-export.js';
import { embeddedHarnessPerTest, expectRoundTrip } from '../app-harness.js';

const h = embeddedHarnessPerTest();

describe('GET /api/v1/export', () => {
  it('answers the JSON import document by default, as an attachment', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/export' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['content-disposition']).toBe('attachment; filename="oretrace-graph.json"');
    const doc = res.json();
    expect(Object.keys(doc)).toEqual(['version', 'exportedAt', 'nodes', 'relationships']);
    expect(doc.version).toBe(await h.store.version());
    expect(Date.now() - Date.parse(doc.exportedAt)).toBeLessThan(60_000);
    expect(doc.nodes).toHaveLength(11);
    expect(doc.relationships).toHaveLength(13);
    expect(doc.nodes[0]).toEqual({ label: 'Company', id: 'acme', name: 'Acme Watches', country: 'JP', saqScore: 81, tags: ['focal'] });
  });

  it('JSON export → POST /api/v1/imports/graph into an empty store → the same graph', async () => {
    const exported = await h.app.inject({ method: 'GET', url: '/api/v1/export?format=json' });
    await expectRoundTrip(h.store, (empty) =>
      empty.inject({ method: 'POST', url: '/api/v1/imports/graph', payload: exported.body, headers: { 'content-type': 'application/json' } }),
    );
  });

  it('answers CSV one part at a time', async () => {
    const scan = await h.store.scan();
    const nodes = await h.app.inject({ method: 'GET', url: '/api/v1/export?format=csv&part=nodes' });
    expect(nodes.statusCode).toBe(200);
    expect(nodes.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(nodes.headers['content-disposition']).toBe('attachment; filename="nodes.csv"');
    expect(nodes.body).toBe(graphToNodesCsv(scan));
    const relationships = await h.app.inject({ method: 'GET', url: '/api/v1/export?format=csv&part=relationships' });
    expect(relationships.headers['content-disposition']).toBe('attachment; filename="relationships.csv"');
    expect(relationships.body).toBe(graphToRelationshipsCsv(scan));
    expect(relationships.body.split('\r\n')).toHaveLength(13 + 2);
  });

  it('answers GraphML', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/export?format=graphml' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/graphml+xml');
    expect(res.headers['content-disposition']).toBe('attachment; filename="oretrace-graph.graphml"');
    const exportedAt = /<data key="g_exportedAt">([^<]+)<\/data>/.exec(res.body)![1]!;
    expect(res.body).toBe(graphToGraphMl(await h.store.scan(), { exportedAt: new Date(exportedAt) }));
  });

  it('400 naming query.part or query.format', async () => {
    const noPart = await h.app.inject({ method: 'GET', url: '/api/v1/export?format=csv' });
    expect(noPart.statusCode).toBe(400);
    expect(noPart.headers['content-type']).toBe('application/problem+json');
    expect(noPart.json().errors).toEqual([{ path: 'query.part', message: 'is required with format=csv: nodes or relationships (a CSV export is two files)' }]);
    const partWithJson = await h.app.inject({ method: 'GET', url: '/api/v1/export?format=graphml&part=nodes' });
    expect(partWithJson.json().errors).toEqual([{ path: 'query.part', message: 'only goes with format=csv; a graphml export is one file' }]);
    const badPart = await h.app.inject({ method: 'GET', url: '/api/v1/export?format=csv&part=edges' });
    expect(badPart.json().errors.map((e: { path: string }) => e.path)).toEqual(['query.part']);
    const badFormat = await h.app.inject({ method: 'GET', url: '/api/v1/export?format=xlsx' });
    expect(badFormat.statusCode).toBe(400);
    expect(badFormat.json().errors.map((e: { path: string }) => e.path)).toEqual(['query.format']);
  });

  it('422 for GraphML when an id names nodes of two labels (JSON still exports)', async () => {
    await h.store.upsertNodes([{ label: 'Company', id: 'CD', name: 'CD Trading', country: 'JP' }]);
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/export?format=graphml' });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ path: 'nodes.CD', message: 'id "CD" names both a Company and a Country; GraphML needs ids unique across labels' }]);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/export' })).statusCode).toBe(200);
  });

  it('is documented in OpenAPI with its three media types', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const op = doc.paths['/api/v1/export'].get;
    expect(op.parameters.map((p: { name: string; in: string }) => `${p.in}.${p.name}`)).toEqual(['query.format', 'query.part']);
    expect(Object.keys(op.responses['200'].content)).toEqual(['application/json', 'text/csv', 'application/graphml+xml']);
    expect(op.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/GraphExport' });
    expect(doc.components.schemas.GraphExport.required).toEqual(expect.arrayContaining(['version', 'exportedAt']));
  });
});
