/**
 * The Neo4j adapter against a real server: the shared GraphStore contract plus checks only Neo4j has (constraints, UNWIND batching, transactions, unreachable server).
 *
 * Connection: `inject('neo4j')` from the Neo4j global setup, else NEO4J_URI / NEO4J_USER /
 * NEO4J_PASSWORD / NEO4J_DATABASE. Without either the suite is skipped.
 */
import { createServer } from 'node:net';
import neo4j from 'neo4j-driver';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { ConflictError, StoreUnavailableError, UnprocessableError, ValidationError } from '../../../server/errors.js';
import { Neo4jGraphStore, type Neo4jStoreLogger } from '../../../server/stores/neo4j-store.js';
import { describeGraphStoreContract } from './graph-store-contract.js';
import { describeRestartProperty } from './store-restart-property.js';

interface Neo4jConnection {
  uri: string;
  user: string;
  password: string;
  database?: string | undefined;
}

function connection(): Neo4jConnection | undefined {
  // Provided by test/setup/neo4j-global-setup.ts; undefined when that setup is not configured.
  const provided: Neo4jConnection | null | undefined = inject('neo4j');
  if (provided?.uri) return provided;
  const uri = process.env.NEO4J_URI;
  if (!uri) return undefined;
  return {
    uri,
    user: process.env.NEO4J_USER ?? 'neo4j',
    password: process.env.NEO4J_PASSWORD ?? '',
    database: process.env.NEO4J_DATABASE || undefined,
  };
}

const conn = connection();

/** A logger that keeps the debug lines, to count UNWIND batches. */
function recordingLogger(): Neo4jStoreLogger & { batches: Array<Record<string, unknown>> } {
  const batches: Array<Record<string, unknown>> = [];
  return {
    batches,
    debug(obj: object, msg?: string) {
      if (msg === 'neo4j unwind batch') batches.push(obj as Record<string, unknown>);
    },
  };
}

async function makeStore(extra: { batchSize?: number; logger?: Neo4jStoreLogger } = {}): Promise<Neo4jGraphStore> {
  const store = new Neo4jGraphStore({ ...conn!, ...extra });
  await store.init();
  await store.clear();
  return store;
}

// ---- the shared contract ------------------------------------------------------------------------

if (conn) {
  describeGraphStoreContract('Neo4jGraphStore', async () => {
    const store = await makeStore();
    return { store, cleanup: () => store.close() };
  });
}

if (conn) {
  // "Restart": close the store (its driver) and open a new one over the same database.
  describeRestartProperty('Neo4jGraphStore', async () => ({
    open: async () => {
      const store = new Neo4jGraphStore({ ...conn });
      await store.init();
      return store;
    },
    cleanup: async () => undefined,
    numRuns: 25,
  }));
}

// ---- Neo4j-specific ------------------------------------------------------------------------------

const company = (id: string, extra: Record<string, unknown> = {}) => ({
  label: 'Company' as const,
  id,
  name: `Company ${id}`,
  country: 'JP',
  ...extra,
});

describe.skipIf(!conn)('Neo4jGraphStore (Neo4j specifics)', { timeout: 60_000 }, () => {
  let store: Neo4jGraphStore;
  let logger: ReturnType<typeof recordingLogger>;

  beforeAll(async () => {
    logger = recordingLogger();
    store = await makeStore({ batchSize: 1000, logger });
  });
  afterAll(async () => {
    await store?.close();
  });
  beforeEach(async () => {
    await store.clear();
    logger.batches.length = 0;
  });

  it('creates the uniqueness constraints, idempotently', async () => {
    await store.init();
    const driver = neo4j.driver(conn!.uri, neo4j.auth.basic(conn!.user, conn!.password));
    try {
      const { records } = await driver.executeQuery(
        'SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties RETURN type, labelsOrTypes[0] AS label, properties',
        {},
        { database: conn!.database },
      );
      const unique = records
        .filter((r) => String(r.get('type')).includes('UNIQUENESS'))
        .map((r) => `${r.get('label')}.${(r.get('properties') as string[]).join(',')}`);
      expect(unique).toEqual(expect.arrayContaining(['Company.id', 'Smelter.id', 'Country.id', 'OretraceMeta.id']));
    } finally {
      await driver.close();
    }
  });

  it('round-trips nodes as plain domain objects, without nulls or driver types', async () => {
    await store.importGraph({
      nodes: [
        company('acme', { saqScore: 87, humanRightsRisk: 'low', tags: ['tier-1'] }),
        {
          label: 'Smelter',
          id: 'CID001070',
          name: 'Smelter A',
          metal: 'tin',
          country: 'PE',
          recycledOrScrap: true,
          lastAudit: '2025-03-01',
        },
        { label: 'Country', id: 'CD', name: 'Congo', cahra: true, lists: ['EU-CAHRA'], riskScore: 0.9 },
      ],
      relationships: [],
    });
    expect(await store.getNode('Company', 'acme')).toEqual({
      label: 'Company',
      id: 'acme',
      name: 'Company acme',
      country: 'JP',
      saqScore: 87,
      humanRightsRisk: 'low',
      tags: ['tier-1'],
    });
    expect(await store.getNode('Smelter', 'CID001070')).toEqual({
      label: 'Smelter',
      id: 'CID001070',
      name: 'Smelter A',
      aliases: [],
      metal: 'tin',
      country: 'PE',
      rmapStatus: 'unknown',
      recycledOrScrap: true,
      lastAudit: '2025-03-01',
    });
    expect(await store.getNode('Country', 'CD')).toEqual({
      label: 'Country',
      id: 'CD',
      name: 'Congo',
      cahra: true,
      lists: ['EU-CAHRA'],
      riskScore: 0.9,
    });
    expect(await store.getNode('Company', 'CD')).toBeNull();
  });

  it('merge keeps unmentioned properties (defaults included); replace removes them', async () => {
    await store.upsertNodes([
      company('acme', { saqScore: 50, tags: ['a'] }),
      { label: 'Smelter', id: 'S1', name: 'S1', metal: 'tin', country: 'PE', rmapStatus: 'conformant', aliases: ['Ess'] },
    ]);
    await store.upsertNodes([
      { label: 'Company', id: 'acme', name: 'Acme 2', country: 'DE' },
      { label: 'Smelter', id: 'S1', name: 'S1 renamed', metal: 'tin', country: 'PE' },
    ]);
    expect(await store.getNode('Company', 'acme')).toMatchObject({ name: 'Acme 2', country: 'DE', saqScore: 50, tags: ['a'] });
    expect(await store.getNode('Smelter', 'S1')).toMatchObject({ name: 'S1 renamed', rmapStatus: 'conformant', aliases: ['Ess'] });
    await store.upsertNodes([{ label: 'Company', id: 'acme', name: 'Acme 3', country: 'FR' }], 'replace');
    expect(await store.getNode('Company', 'acme')).toEqual({ label: 'Company', id: 'acme', name: 'Acme 3', country: 'FR' });
  });

  it('upserts SUPPLIES by (from, to, metal), stamps updatedAt, keeps source and share on merge', async () => {
    await store.importGraph({
      nodes: [company('a'), company('b')],
      relationships: [
        { type: 'SUPPLIES', from: 'a', to: 'b', metal: 'tin', share: 0.5, source: 'cmrt.xlsx' },
        { type: 'SUPPLIES', from: 'a', to: 'b', metal: 'gold' },
      ],
    });
    await store.upsertRelationships([{ type: 'SUPPLIES', from: 'a', to: 'b', metal: 'tin' }]);
    const page = await store.listSupplies({ from: 'a' }, { limit: 10 });
    expect(page.items.map((r) => [r.metal, r.share, r.source])).toEqual([
      ['gold', undefined, 'manual'],
      ['tin', 0.5, 'cmrt.xlsx'],
    ]);
    for (const r of page.items) expect(Date.parse(r.updatedAt!)).toBeGreaterThan(Date.now() - 60_000);
    expect(await store.counts()).toEqual({ nodes: 2, relationships: 2 });
  });

  it('splits a 2,500-row write into at least 3 UNWIND batches, in one version bump', async () => {
    const before = await store.version();
    const nodes = Array.from({ length: 2500 }, (_, i) => company(`c${String(i).padStart(5, '0')}`));
    const relationships = nodes.slice(1).map((n, i) => ({ type: 'SUPPLIES' as const, from: n.id, to: nodes[i]!.id, metal: 'tin' }));
    const result = await store.importGraph({ nodes, relationships });
    expect(result).toEqual({ nodesUpserted: 2500, relationshipsUpserted: 2499, version: before + 1 });
    const nodeBatches = logger.batches.filter((b) => b.what === 'nodes:Company');
    const relBatches = logger.batches.filter((b) => String(b.what).startsWith('SUPPLIES'));
    expect(nodeBatches.length).toBeGreaterThanOrEqual(3);
    expect(relBatches.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...logger.batches.map((b) => Number(b.rows)))).toBeLessThanOrEqual(1000);
    expect(await store.counts()).toEqual({ nodes: 2500, relationships: 2499 });
    expect(await store.version()).toBe(before + 1);
  });

  it('never lets a batch size below 1000 through', () => {
    const s = new Neo4jGraphStore({ ...conn!, batchSize: 10 });
    expect(s.batchSize).toBe(1000);
    return s.close();
  });

  it('a failed write leaves no data and the version unchanged', async () => {
    await store.upsertNodes([company('x')]);
    const before = await store.version();
    const nodes = Array.from({ length: 2500 }, (_, i) => company(`n${i}`));
    await expect(
      store.importGraph({
        nodes,
        relationships: [
          { type: 'SUPPLIES', from: 'n1', to: 'n2', metal: 'tin' },
          { type: 'SUPPLIES', from: 'n1', to: 'missing', metal: 'tin' },
        ],
      }),
    ).rejects.toMatchObject({ name: 'UnprocessableError', fields: [{ path: 'relationships[1].to' }] });
    await expect(store.upsertRelationships([{ type: 'SUPPLIES', from: 'CD', to: 'x', metal: 'tin' }])).rejects.toBeInstanceOf(
      UnprocessableError,
    );
    await expect(store.upsertNodes([company('y'), { label: 'Company', id: 'z', name: 'Z', country: 'japan' }])).rejects.toMatchObject({
      name: 'ValidationError',
      fields: [{ path: 'nodes[1].country' }],
    });
    expect(await store.version()).toBe(before);
    expect(await store.counts()).toEqual({ nodes: 1, relationships: 0 });
  });

  it('refuses ends of the wrong kind, and an id another label holds', async () => {
    await store.importGraph({
      nodes: [
        company('acme'),
        { label: 'Country', id: 'CD', name: 'Congo' },
        { label: 'Smelter', id: 'CD2', name: 'S', metal: 'tin', country: 'CD' },
      ],
      relationships: [],
    });
    await expect(store.upsertRelationships([{ type: 'SUPPLIES', from: 'acme', to: 'CD2', metal: 'tin' }])).rejects.toMatchObject({
      fields: [{ path: 'relationships[0]' }],
    });
    await expect(store.upsertNodes([company('CD')])).rejects.toThrow(ConflictError);
    await expect(store.upsertNodes([company('CD2')], 'replace')).rejects.toMatchObject({
      status: 409,
      fields: [{ path: 'nodes[0].id', message: 'id "CD2" is already held by a Smelter' }],
    });
    expect((await store.findNodesById('CD')).map((n) => n.label)).toEqual(['Country']);
  });

  it('a database that already holds an id under two labels (written outside oretrace): relationships naming it are ambiguous, both nodes refuse a second label', async () => {
    await store.importGraph({ nodes: [company('acme'), { label: 'Country', id: 'CD', name: 'Congo' }], relationships: [] });
    const driver = neo4j.driver(conn!.uri, neo4j.auth.basic(conn!.user, conn!.password));
    try {
      await driver.executeQuery("CREATE (:Company {id: 'CD', name: 'CD Holdings', country: 'US'})", {}, { database: conn!.database });
    } finally {
      await driver.close();
    }
    await expect(store.upsertRelationships([{ type: 'LOCATED_IN', from: 'acme', to: 'CD' }])).rejects.toMatchObject({
      fields: [{ path: 'relationships[0].to', message: 'id "CD" is ambiguous: it names a Company and a Country' }],
    });
    await expect(store.upsertNodes([{ label: 'Country', id: 'CD', name: 'DR Congo' }])).rejects.toThrow(
      'id "CD" is already held by a Company; ids are unique across labels',
    );
    // Deleting the intruder is the way out.
    expect(await store.deleteNode('Company', 'CD')).toBe(true);
    await store.upsertRelationships([{ type: 'LOCATED_IN', from: 'acme', to: 'CD' }]);
  });

  it("concurrent writes giving one id two labels: exactly one commits (the check runs under the writes' lock)", async () => {
    const labels = ['Company', 'Smelter'] as const;
    for (let round = 0; round < 5; round++) {
      const id = `race-${round}`;
      const writes = Array.from({ length: 6 }, (_, i) => {
        const label = labels[i % 2]!;
        const node = label === 'Company' ? company(id) : { label, id, name: `Smelter ${id}`, metal: 'tin' as const, country: 'JP' };
        // Half as imports with a second node, so the writes differ in size and overlap in time.
        return i < 2 ? store.upsertNodes([node]) : store.importGraph({ nodes: [company(`${id}-${i}`), node], relationships: [] });
      });
      const outcomes = await Promise.allSettled(writes);
      const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason);
      expect(refused.every((e) => e instanceof ConflictError)).toBe(true);
      const holders = (await store.findNodesById(id)).map((n) => n.label);
      expect(holders).toHaveLength(1);
      // Every write of the label that won committed, every write of the other was refused.
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    }
  });

  it('keeps user text as data (no injection through ids or search)', async () => {
    const id = "x'}) DETACH DELETE n //`";
    await store.upsertNodes([company(id, { name: 'Quote`s "name"' })]);
    expect(await store.getNode('Company', id)).toMatchObject({ id });
    expect((await store.listNodes('Company', { search: "'}) detach" }, { limit: 10 })).items.map((n) => n.id)).toEqual([id]);
    await expect(store.listNodes('Company); MATCH (n' as never, {}, { limit: 10 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('lists nodes with filters and cursor pages; supplies with a 3-part cursor', async () => {
    await store.importGraph({
      nodes: [
        ...['b', 'a', 'd', 'c', 'e'].map((id) => company(id, { country: id === 'c' ? 'DE' : 'JP' })),
        { label: 'Smelter', id: 'S1', name: 'Alpha', aliases: ['Thaisarco'], metal: 'tin', country: 'TH', rmapStatus: 'conformant' },
        { label: 'Smelter', id: 'S2', name: 'Beta', metal: 'gold', country: 'CH' },
        { label: 'Country', id: 'CD', name: 'Congo', cahra: true },
        { label: 'Country', id: 'JP', name: 'Japan' },
      ],
      relationships: [
        { type: 'SUPPLIES', from: 'b', to: 'a', metal: 'tin' },
        { type: 'SUPPLIES', from: 'b', to: 'a', metal: 'gold' },
        { type: 'SUPPLIES', from: 'c', to: 'a', metal: 'tin' },
        { type: 'SUPPLIES', from: 'S1', to: 'b', metal: 'tin' },
        { type: 'LOCATED_IN', from: 'a', to: 'JP' },
      ],
    });
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listNodes('Company', {}, { limit: 2, cursor });
      ids.push(...page.items.map((n) => n.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(ids).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect((await store.listNodes('Company', { country: 'DE' }, { limit: 10 })).items.map((n) => n.id)).toEqual(['c']);
    expect((await store.listNodes('Smelter', { search: 'THAIS' }, { limit: 10 })).items.map((n) => n.id)).toEqual(['S1']);
    expect((await store.listNodes('Smelter', { metal: 'gold' }, { limit: 10 })).items.map((n) => n.id)).toEqual(['S2']);
    expect((await store.listNodes('Smelter', { rmapStatus: 'conformant' }, { limit: 10 })).items.map((n) => n.id)).toEqual(['S1']);
    expect((await store.listNodes('Country', { cahra: true }, { limit: 10 })).items.map((n) => n.id)).toEqual(['CD']);
    expect((await store.listNodes('Country', { cahra: false }, { limit: 10 })).items.map((n) => n.id)).toEqual(['JP']);
    expect((await store.listNodes('Company', { cahra: false }, { limit: 10 })).items).toEqual([]);
    await expect(store.listNodes('Company', {}, { limit: 1, cursor: 'nonsense' })).rejects.toBeInstanceOf(ValidationError);

    const keys: string[] = [];
    cursor = undefined;
    do {
      const page = await store.listSupplies({}, { limit: 1, cursor });
      keys.push(...page.items.map((r) => `${r.from}>${r.to}:${r.metal}`));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(keys).toEqual(['S1>b:tin', 'b>a:gold', 'b>a:tin', 'c>a:tin']);
    expect((await store.listSupplies({ to: 'a', metal: 'tin' }, { limit: 10 })).items.map((r) => r.from)).toEqual(['b', 'c']);
    expect((await store.listSupplies({ from: 'b', to: 'a' }, { limit: 10 })).items.map((r) => r.metal)).toEqual(['gold', 'tin']);
  });

  it('walks neighbourhoods hop by hop, up, down and both, per metal', async () => {
    // CD -> S1 -> t2 -> t1 -> focal (tin); t2 -> t1 also gold; other -> focal (gold)
    await store.importGraph({
      nodes: [
        { label: 'Country', id: 'CD', name: 'Congo' },
        { label: 'Smelter', id: 'S1', name: 'S1', metal: 'tin', country: 'CD' },
        company('t2'),
        company('t1'),
        company('focal'),
        company('other'),
      ],
      relationships: [
        { type: 'SUPPLIES', from: 'CD', to: 'S1', metal: 'tin' },
        { type: 'SUPPLIES', from: 'S1', to: 't2', metal: 'tin' },
        { type: 'SUPPLIES', from: 't2', to: 't1', metal: 'tin' },
        { type: 'SUPPLIES', from: 't2', to: 't1', metal: 'gold' },
        { type: 'SUPPLIES', from: 't1', to: 'focal', metal: 'tin' },
        { type: 'SUPPLIES', from: 'other', to: 'focal', metal: 'gold' },
        { type: 'LOCATED_IN', from: 'focal', to: 'CD' },
      ],
    });
    const up = await store.neighborhood('focal', { direction: 'upstream', depth: 10, metal: 'tin' });
    expect(up!.center.id).toBe('focal');
    expect(up!.nodes.map((n) => [n.node.id, n.distance])).toEqual([
      ['focal', 0],
      ['t1', 1],
      ['t2', 2],
      ['S1', 3],
      ['CD', 4],
    ]);
    expect(up!.relationships.map((r) => `${r.from}>${r.to}:${r.metal}`)).toEqual(['CD>S1:tin', 'S1>t2:tin', 't1>focal:tin', 't2>t1:tin']);
    const up2 = await store.neighborhood('focal', { direction: 'upstream', depth: 2 });
    expect(up2!.nodes.map((n) => n.node.id).sort()).toEqual(['focal', 'other', 't1', 't2']);
    expect(up2!.relationships).toHaveLength(4);
    const down = await store.neighborhood('S1', { direction: 'downstream', depth: 1 });
    expect(down!.nodes.map((n) => n.node.id)).toEqual(['S1', 't2']);
    const both = await store.neighborhood('t1', { direction: 'both', depth: 1 });
    expect(both!.nodes.map((n) => n.node.id).sort()).toEqual(['focal', 't1', 't2']);
    expect(await store.neighborhood('nobody', { direction: 'both', depth: 1 })).toBeNull();
    // Ids are unique across labels: "CD" is the Country, and no Company can take it.
    await expect(store.upsertNodes([company('CD')])).rejects.toThrow(ConflictError);
    expect((await store.neighborhood('CD', { direction: 'downstream', depth: 1 }))!.center.label).toBe('Country');
  });

  it('deletes nodes and supplies, bumping the version only when something went', async () => {
    await store.importGraph({
      nodes: [company('a'), company('b')],
      relationships: [{ type: 'SUPPLIES', from: 'a', to: 'b', metal: 'tin' }],
    });
    let v = await store.version();
    expect(await store.deleteSupplies({ from: 'a', to: 'b', metal: 'gold' })).toBe(false);
    expect(await store.version()).toBe(v);
    expect(await store.deleteSupplies({ from: 'a', to: 'b', metal: 'tin' })).toBe(true);
    expect(await store.version()).toBe(++v);
    await store.upsertRelationships([{ type: 'SUPPLIES', from: 'a', to: 'b', metal: 'tin' }]);
    v = await store.version();
    expect(await store.deleteNode('Company', 'a')).toBe(true);
    expect(await store.version()).toBe(v + 1);
    expect(await store.deleteNode('Company', 'a')).toBe(false);
    expect(await store.version()).toBe(v + 1);
    expect(await store.counts()).toEqual({ nodes: 1, relationships: 0 });
  });

  it('scans everything with its version; clear empties the graph and bumps the version', async () => {
    await store.importGraph({
      nodes: [company('a'), company('b'), { label: 'Country', id: 'JP', name: 'Japan' }],
      relationships: [
        { type: 'SUPPLIES', from: 'a', to: 'b', metal: 'tin', share: 0.25 },
        { type: 'LOCATED_IN', from: 'a', to: 'JP' },
      ],
    });
    const scan = await store.scan();
    expect(scan.version).toBe(await store.version());
    expect(scan.nodes.map((n) => `${n.label}:${n.id}`)).toEqual(['Company:a', 'Company:b', 'Country:JP']);
    expect(scan.relationships.map((r) => ({ ...r, updatedAt: undefined }))).toEqual([
      { type: 'SUPPLIES', from: 'a', to: 'b', metal: 'tin', share: 0.25, source: 'manual', updatedAt: undefined },
      { type: 'LOCATED_IN', from: 'a', to: 'JP', updatedAt: undefined },
    ]);
    const v = await store.version();
    await store.clear();
    expect(await store.version()).toBe(v + 1);
    expect(await store.counts()).toEqual({ nodes: 0, relationships: 0 });
    await store.ping();
  });
});

describe('Neo4jGraphStore with no server', { timeout: 30_000 }, () => {
  let closedPort = 0;
  let store: Neo4jGraphStore;

  beforeAll(async () => {
    // A port that was free a moment ago: nothing listens there.
    closedPort = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const port = (srv.address() as { port: number }).port;
        srv.close(() => resolve(port));
      });
    });
    store = new Neo4jGraphStore({
      uri: `bolt://127.0.0.1:${closedPort}`,
      user: 'neo4j',
      password: 'irrelevant',
      connectionTimeoutMs: 1000,
      maxTransactionRetryTimeMs: 1000,
    });
  });
  afterAll(() => store.close());

  const calls: Array<[string, (s: Neo4jGraphStore) => Promise<unknown>]> = [
    ['ping', (s) => s.ping()],
    ['init', (s) => s.init()],
    ['version', (s) => s.version()],
    ['counts', (s) => s.counts()],
    ['getNode', (s) => s.getNode('Company', 'a')],
    ['listNodes', (s) => s.listNodes('Company', {}, { limit: 10 })],
    ['upsertNodes', (s) => s.upsertNodes([company('a')])],
    ['upsertRelationships', (s) => s.upsertRelationships([{ type: 'SUPPLIES', from: 'a', to: 'b', metal: 'tin' }])],
    ['neighborhood', (s) => s.neighborhood('a', { direction: 'both', depth: 2 })],
    ['scan', (s) => s.scan()],
    ['scanColumns', (s) => s.scanColumns()],
    ['clear', (s) => s.clear()],
  ];
  it.each(calls)('%s raises StoreUnavailableError within seconds', async (_name, call) => {
    const t0 = Date.now();
    await expect(call(store)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
