/**
 * Cypher injection is impossible (issue 6): hostile strings — quotes, backticks, `}) DETACH DELETE
 * n //`, `$param`, unicode, very long strings, null bytes, `__proto__`, `constructor` — in every
 * field of every route (ids in paths, query strings, JSON bodies, CSV cells, multipart file names)
 * against the Neo4j store leave the graph exactly as the same requests leave the embedded store,
 * which has no query language to inject into. Values written legitimately come back
 * byte-for-byte. Each request goes to both apps; statuses and answers must agree, and after every
 * request that is not a GET the two graphs must be equal.
 *
 * The static counterpart (labels and types only from fixed sets, queries only from
 * neo4j-cypher.ts) is test/server/stores/neo4j-cypher-injection.test.ts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../../server/app.js';
import { sortedNodes, sortedRelationships } from '../../../server/exporters/graph-export.js';
import { EmbeddedGraphStore } from '../../../server/stores/embedded-store.js';
import type { GraphStore } from '../../../server/stores/graph-store.js';
import { Neo4jGraphStore } from '../../../server/stores/neo4j-store.js';
import { multipartBody } from '../multipart-body.js';
import { fixtureNodes, fixtureRelationships } from '../stores/graph-store-contract.js';

const conn = inject('neo4j');

/** Strings that would break a query built by concatenation, or an object built by assignment. */
export const HOSTILE: readonly string[] = [
  "'",
  '"',
  '`',
  '\\',
  '}) DETACH DELETE n //',
  "x'}) MATCH (n) DETACH DELETE n //",
  'x"}) WITH 1 AS x MATCH (n) DETACH DELETE n RETURN 1 //',
  '` DETACH DELETE n //',
  'Company`) DETACH DELETE n //',
  "' OR 1=1 OR n.id = '",
  '$id',
  '$param',
  '{id: $id}',
  'MATCH (n) DETACH DELETE n',
  'a\nMATCH (n) DETACH DELETE n',
  '/* */ RETURN 1 //',
  ':Company',
  'n:OretraceMeta',
  'CALL db.clearQueryCaches()',
  'a\u0000b',
  '\u0000',
  'Zürich 北京 🦜 \u202eRTL\u202c e\u0301 \u200d',
  'İSTANBUL ß ǅ',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '{"$gt": ""}',
  '%27%22',
  '../../etc',
  `${'x'.repeat(199)}'`,
  "'".repeat(5000),
  'A'.repeat(100_000),
];

const cell = (s: string) => `"${s.replace(/"/g, '""')}"`;
const q = (params: Record<string, string>) => `?${new URLSearchParams(params).toString()}`;
const p = encodeURIComponent;

interface Case {
  what: string;
  request: InjectOptions | (() => Promise<InjectOptions>);
}

/** Every place a caller's string reaches the store, with the hostile string h in it. */
function casesFor(h: string, i: number): Case[] {
  const id = `inj-${i}`;
  const cases: Case[] = [];
  const add = (what: string, request: Case['request']) => cases.push({ what: `${what} [${i}]`, request });
  // Ids in paths.
  for (const plural of ['companies', 'smelters', 'countries']) {
    add(`GET /${plural}/:id`, { method: 'GET', url: `/api/v1/${plural}/${p(h)}` });
    add(`DELETE /${plural}/:id`, { method: 'DELETE', url: `/api/v1/${plural}/${p(h)}` });
  }
  add('PUT /companies/:id', { method: 'PUT', url: `/api/v1/companies/${p(h)}`, payload: { name: 'Hostile id', country: 'DE' } });
  add('PUT /smelters/:id', {
    method: 'PUT',
    url: `/api/v1/smelters/${p(h)}`,
    payload: { name: 'Hostile id', metal: 'tin', country: 'PE' },
  });
  add('GET /nodes/:id/neighborhood', { method: 'GET', url: `/api/v1/nodes/${p(h)}/neighborhood?direction=both&depth=3` });
  for (const analysis of ['origins', 'risk', 'risk-paths', 'single-points-of-failure']) {
    add(`GET /companies/:id/${analysis}`, { method: 'GET', url: `/api/v1/companies/${p(h)}/${analysis}?metal=tin` });
  }
  add('POST /smelters/:id/name-decisions (id)', {
    method: 'POST',
    url: `/api/v1/smelters/${p(h)}/name-decisions`,
    payload: { name: 'x', decision: 'confirm' },
  });
  // Query strings.
  add('GET /companies?search', { method: 'GET', url: `/api/v1/companies${q({ search: h })}` });
  add('GET /companies?country&cursor', { method: 'GET', url: `/api/v1/companies${q({ country: h, cursor: h })}` });
  add('GET /smelters?search&metal&rmapStatus', { method: 'GET', url: `/api/v1/smelters${q({ search: h, metal: h, rmapStatus: h })}` });
  add('GET /smelters?search', { method: 'GET', url: `/api/v1/smelters${q({ search: h })}` });
  add('GET /countries?cahra&search', { method: 'GET', url: `/api/v1/countries${q({ cahra: h, search: h })}` });
  add('GET /supplies?from&to', { method: 'GET', url: `/api/v1/supplies${q({ from: h, to: h })}` });
  add('GET /supplies?from&metal', { method: 'GET', url: `/api/v1/supplies${q({ from: h, metal: 'tin' })}` });
  add('GET /supplies?to&cursor', { method: 'GET', url: `/api/v1/supplies${q({ to: h, cursor: h })}` });
  add('DELETE /supplies?from&to', { method: 'DELETE', url: `/api/v1/supplies${q({ from: h, to: 'acme', metal: 'tin' })}` });
  add('DELETE /supplies?metal', { method: 'DELETE', url: `/api/v1/supplies${q({ from: 't1a', to: 'acme', metal: h })}` });
  add('GET /nodes/:id/neighborhood?direction&metal&collapse', {
    method: 'GET',
    url: `/api/v1/nodes/acme/neighborhood${q({ direction: h, metal: h, collapse: h })}`,
  });
  add('GET /companies/:id/risk?policy', {
    method: 'GET',
    url: `/api/v1/companies/acme/risk${q({ metal: 'tin', policy: JSON.stringify({ countries: { cahraLists: [h] } }) })}`,
  });
  add('GET /companies/:id/risk?policy (raw)', { method: 'GET', url: `/api/v1/companies/acme/risk${q({ metal: 'tin', policy: h })}` });
  add('GET /rankings/risk?label', { method: 'GET', url: `/api/v1/rankings/risk${q({ metal: 'tin', label: h })}` });
  add('GET /export?format&part', { method: 'GET', url: `/api/v1/export${q({ format: h, part: h })}` });
  add('GET /smelter-matches?name&id&country', {
    method: 'GET',
    url: `/api/v1/smelter-matches${q({ metal: 'tin', name: h, id: h, country: h })}`,
  });
  add('GET /smelter-matches?name', { method: 'GET', url: `/api/v1/smelter-matches${q({ metal: 'tin', name: h })}` });
  // JSON bodies.
  add('PUT /companies/:id body', { method: 'PUT', url: `/api/v1/companies/${id}`, payload: { name: h, country: 'DE', tags: [h, 'ok'] } });
  add('PUT /companies/:id body (country)', { method: 'PUT', url: `/api/v1/companies/${id}-c`, payload: { name: 'ok', country: h } });
  add('PUT /smelters/:id body', {
    method: 'PUT',
    url: `/api/v1/smelters/${id}-s`,
    payload: { name: h, aliases: [h], metal: 'tin', country: 'PE', rejectedNames: [h] },
  });
  add('PUT /countries/:id body', { method: 'PUT', url: `/api/v1/countries/JP`, payload: { name: 'Japan', lists: [h], cahra: false } });
  add('PUT /supplies (from)', { method: 'PUT', url: '/api/v1/supplies', payload: { from: h, to: 'acme', metal: 'tin' } });
  add('PUT /supplies (source)', { method: 'PUT', url: '/api/v1/supplies', payload: { from: 't2', to: 't1a', metal: 'tin', source: h } });
  add('PUT /supplies (metal)', { method: 'PUT', url: '/api/v1/supplies', payload: { from: 't2', to: 't1a', metal: h } });
  add('POST /imports/graph JSON', {
    method: 'POST',
    url: '/api/v1/imports/graph',
    payload: {
      nodes: [
        { label: 'Company', id: h, name: h, country: 'DE', tags: [h] },
        { label: 'Smelter', id: `${id}-js`, name: h, aliases: [h], metal: 'gold', country: 'CN' },
      ],
      relationships: [
        { type: 'SUPPLIES', from: `${id}-js`, to: h, metal: 'gold', source: h },
        { type: 'LOCATED_IN', from: h, to: 'JP' },
      ],
    },
  });
  add('POST /imports/graph JSON (ends)', {
    method: 'POST',
    url: '/api/v1/imports/graph',
    payload: { relationships: [{ type: 'SUPPLIES', from: h, to: 'acme', metal: 'tin' }] },
  });
  add('POST /imports/graph JSON (label)', {
    method: 'POST',
    url: '/api/v1/imports/graph',
    payload: { nodes: [{ label: h, id: `${id}-l`, name: 'x', country: 'DE' }] },
  });
  add('POST /scenarios/impact', { method: 'POST', url: '/api/v1/scenarios/impact', payload: { remove: [h] } });
  add('POST /smelters/:id/name-decisions (name)', {
    method: 'POST',
    url: '/api/v1/smelters/S-TIN-2/name-decisions',
    payload: { name: h, decision: 'confirm' },
  });
  // CSV cells and multipart file names.
  add('POST /imports/graph CSV', async () => {
    const { payload, headers } = await multipartBody([
      [
        'nodes',
        {
          content: `label,id,name,country,tags\r\nCompany,${cell(h)},${cell(h)},DE,${cell(h)}\r\nCompany,${id}-csv,${cell(h)},FR,\r\n`,
          fileName: h,
        },
      ],
      ['relationships', { content: `type,from,to,metal,source\r\nSUPPLIES,${cell(h)},${id}-csv,tin,${cell(h)}\r\n`, fileName: `${h}.csv` }],
    ]);
    return { method: 'POST', url: '/api/v1/imports/graph', payload, headers };
  });
  add('POST /imports/graph CSV (part name)', async () => {
    const { payload, headers } = await multipartBody([[h.slice(0, 200) || 'x', { content: 'label,id,name,country\r\n' }]]);
    return { method: 'POST', url: '/api/v1/imports/graph', payload, headers };
  });
  return cases;
}

/** A few CMRT uploads: hostile file names, declaring company ids and names. */
async function cmrtCases(): Promise<Case[]> {
  const workbook = await readFile(new URL('../../fixtures/cmrt/cmrt-6.4_central-glass_2024-05-10.xlsx', import.meta.url));
  return ["x'}) MATCH (n) DETACH DELETE n //", '`', '__proto__', 'Zürich 北京 🦜'].map((h, i) => ({
    what: `POST /imports/cmrt [cmrt ${i}]`,
    request: async () => {
      const { payload, headers } = await multipartBody([
        ['file', { content: workbook, fileName: `${h}.xlsx`, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }],
      ]);
      return { method: 'POST', url: `/api/v1/imports/cmrt${q({ company: h, name: h, country: 'JP' })}`, payload, headers };
    },
  }));
}

/** An answer without what legitimately differs between two stores: write times, versions. */
function normalise(value: unknown): unknown {
  // CMRT provenance names the moment of the import.
  if (typeof value === 'string') return value.replace(/imported=\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'imported=…');
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      if (k !== 'updatedAt' && k !== 'version' && k !== 'snapshotVersion' && k !== 'instance') out[k] = normalise(v);
    return out;
  }
  return value;
}

async function graphOf(store: GraphStore) {
  const scan = await store.scan();
  return { nodes: normalise(sortedNodes(scan.nodes)), relationships: normalise(sortedRelationships(scan.relationships)) };
}

describe.runIf(conn !== null)('Cypher injection through every route', () => {
  let neo: Neo4jGraphStore;
  let embedded: EmbeddedGraphStore;
  let dataDir: string;
  let neoApp: FastifyInstance;
  let embeddedApp: FastifyInstance;

  beforeAll(async () => {
    neo = new Neo4jGraphStore({ ...conn! });
    await neo.init();
    await neo.clear();
    await neo.importGraph({ nodes: fixtureNodes, relationships: fixtureRelationships });
    dataDir = await mkdtemp(join(tmpdir(), 'oretrace-injection-'));
    embedded = new EmbeddedGraphStore({ dataDir });
    await embedded.init();
    await embedded.importGraph({ nodes: fixtureNodes, relationships: fixtureRelationships });
    neoApp = await buildApp({ store: neo, analysisWorkers: 0 });
    embeddedApp = await buildApp({ store: embedded, analysisWorkers: 0 });
    await neoApp.ready();
    await embeddedApp.ready();
  }, 120_000);

  afterAll(async () => {
    await neoApp?.close();
    await embeddedApp?.close();
    await neo?.clear().catch(() => undefined);
    await neo?.close();
    await embedded?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('leaves the graph as the embedded store has it after the same requests, request by request', async () => {
    const cases = [...HOSTILE.flatMap((h, i) => casesFor(h, i)), ...(await cmrtCases())];
    const statuses = new Map<number, number>();
    let compared = 0;
    for (const c of cases) {
      const request = typeof c.request === 'function' ? await c.request() : c.request;
      const fromNeo = await neoApp.inject(request);
      const fromEmbedded = await embeddedApp.inject(request);
      statuses.set(fromNeo.statusCode, (statuses.get(fromNeo.statusCode) ?? 0) + 1);
      expect(fromNeo.statusCode, `${c.what}: ${fromNeo.body.slice(0, 300)}`).toBe(fromEmbedded.statusCode);
      expect(fromNeo.statusCode, `${c.what}: ${fromNeo.body.slice(0, 300)}`).toBeLessThan(500);
      if ((fromNeo.headers['content-type'] ?? '').toString().includes('json')) {
        expect(normalise(fromNeo.json()), c.what).toEqual(normalise(fromEmbedded.json()));
      } else {
        expect(fromNeo.body, c.what).toBe(fromEmbedded.body);
      }
      if (request.method !== 'GET') {
        expect(await graphOf(neo), `graph after ${c.what}`).toEqual(await graphOf(embedded));
        compared++;
      }
    }
    console.log(
      `Cypher injection: ${cases.length} requests with ${HOSTILE.length} hostile strings, each to both stores; ` +
        `graphs compared after ${compared} writes;` +
        ` statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`,
    );
    // The fixture graph is all there (only properties the requests set may differ).
    for (const n of fixtureNodes) expect(await neo.getNode(n.label, n.id), n.id).not.toBeNull();
  }, 600_000);

  it('stores hostile names, tags and provenance byte for byte', async () => {
    for (const [i, h] of HOSTILE.entries()) {
      const name = h.trim();
      // What the model accepts as a name: 1..500 characters once trimmed.
      if (name.length === 0 || name.length > 500) continue;
      const put = await neoApp.inject({
        method: 'PUT',
        url: `/api/v1/companies/bytes-${i}`,
        payload: { name: h, country: 'DE', tags: [h] },
      });
      expect(put.statusCode, `${i}: ${put.body.slice(0, 200)}`).toBe(201);
      const got = (await neoApp.inject({ method: 'GET', url: `/api/v1/companies/bytes-${i}` })).json();
      expect(got.name).toBe(name);
      expect(got.tags).toEqual([name]);
      const rel = await neoApp.inject({
        method: 'PUT',
        url: '/api/v1/supplies',
        payload: { from: 't2', to: `bytes-${i}`, metal: 'tin', source: h },
      });
      expect(rel.statusCode, rel.body.slice(0, 200)).toBe(200);
      const listed = await neoApp.inject({ method: 'GET', url: `/api/v1/supplies${q({ from: 't2', to: `bytes-${i}` })}` });
      expect(listed.json().items.map((r: { source: string }) => r.source)).toEqual([name]);
    }
    // A hostile id that is a valid id is an id like any other.
    const id = "x'}) MATCH (n) DETACH DELETE n //";
    expect(
      (await neoApp.inject({ method: 'PUT', url: `/api/v1/companies/${p(id)}`, payload: { name: 'Odd id', country: 'DE' } })).statusCode,
    ).toBeLessThan(300);
    expect((await neoApp.inject({ method: 'GET', url: `/api/v1/companies/${p(id)}` })).json()).toMatchObject({ id, name: 'Odd id' });
    expect((await neo.counts()).nodes).toBeGreaterThanOrEqual(fixtureNodes.length);
  }, 300_000);
});
