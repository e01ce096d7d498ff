/**
 * The contract every GraphStore adapter must pass (ARCHITECTURE.md, "Where to add": a store). One suite, run against the embedded
 * store (embedded-store.test.ts) and against the real Neo4j (neo4j-store.neo4j.test.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GraphNodeInput, RelationshipInput } from '../../../graph/model.js';
import { ConflictError, UnprocessableError, ValidationError } from '../../../server/errors.js';
import type { GraphStore } from '../../../server/stores/graph-store.js';
import { MAX_NEIGHBORHOOD_DEPTH } from '../../../server/stores/neighborhood-walk.js';
import { canonicalSuppliesOrder, scanToColumns, type ScanColumns } from '../../../graph/scan-columns.js';
import { compileSnapshotFromColumns, nodeIndex } from '../../../graph/snapshot.js';

export interface StoreHandle {
  store: GraphStore;
  cleanup: () => Promise<void>;
}

/**
 * A small supply chain, material flowing left to right:
 *   CD ─tin→ S-TIN-1 ─tin→ t2 ─tin→ t1a ─tin .6→ acme
 *   PE ─tin→ S-TIN-1                    t1b ─tin .4→ acme
 *   CN ─tin→ S-TIN-2 ─tin→ t1b
 *   CN ─gold→ S-AU-1 ─gold→ t1a ─gold→ acme
 */
export const fixtureNodes: GraphNodeInput[] = [
  { label: 'Country', id: 'CD', name: 'Congo, Democratic Republic of the', cahra: true, lists: ['EU-CAHRA', 'DFA-1502'] },
  { label: 'Country', id: 'PE', name: 'Peru' },
  { label: 'Country', id: 'CN', name: 'China' },
  { label: 'Country', id: 'JP', name: 'Japan' },
  {
    label: 'Smelter',
    id: 'S-TIN-1',
    name: 'Andes Tin Smelter',
    aliases: ['ATS Fundición'],
    metal: 'tin',
    country: 'PE',
    rmapStatus: 'conformant',
  },
  { label: 'Smelter', id: 'S-TIN-2', name: 'Yunnan Tin Works', metal: 'tin', country: 'CN', rmapStatus: 'active' },
  { label: 'Smelter', id: 'S-AU-1', name: 'Golden Refinery', metal: 'gold', country: 'CN' },
  { label: 'Company', id: 'acme', name: 'Acme Watches', country: 'JP', saqScore: 81, tags: ['focal'] },
  { label: 'Company', id: 't1a', name: 'Tier One Alpha', country: 'CN' },
  { label: 'Company', id: 't1b', name: 'Tier One Beta', country: 'CN', humanRightsRisk: 'high' },
  { label: 'Company', id: 't2', name: 'Tier Two Solder', country: 'JP' },
];

export const fixtureRelationships: RelationshipInput[] = [
  { type: 'SUPPLIES', from: 'CD', to: 'S-TIN-1', metal: 'tin', share: 0.3 },
  { type: 'SUPPLIES', from: 'PE', to: 'S-TIN-1', metal: 'tin', share: 0.7 },
  { type: 'SUPPLIES', from: 'CN', to: 'S-TIN-2', metal: 'tin' },
  { type: 'SUPPLIES', from: 'S-TIN-1', to: 't2', metal: 'tin', source: 'cmrt t2.xlsx' },
  { type: 'SUPPLIES', from: 't2', to: 't1a', metal: 'tin' },
  { type: 'SUPPLIES', from: 't1a', to: 'acme', metal: 'tin', share: 0.6 },
  { type: 'SUPPLIES', from: 't1b', to: 'acme', metal: 'tin', share: 0.4 },
  { type: 'SUPPLIES', from: 'S-TIN-2', to: 't1b', metal: 'tin' },
  { type: 'SUPPLIES', from: 'CN', to: 'S-AU-1', metal: 'gold' },
  { type: 'SUPPLIES', from: 'S-AU-1', to: 't1a', metal: 'gold' },
  { type: 'SUPPLIES', from: 't1a', to: 'acme', metal: 'gold' },
  { type: 'LOCATED_IN', from: 'acme', to: 'JP' },
  { type: 'LOCATED_IN', from: 'S-TIN-1', to: 'PE' },
];

const SUPPLIES_COUNT = fixtureRelationships.filter((r) => r.type === 'SUPPLIES').length;

async function expectRejects<E extends Error>(promise: Promise<unknown>, type: new (...a: never[]) => E): Promise<E> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected the write to be rejected').toBeInstanceOf(type);
  return err as E;
}

export function describeGraphStoreContract(name: string, makeStore: () => Promise<StoreHandle>): void {
  describe(`GraphStore contract: ${name}`, () => {
    let handle: StoreHandle;
    let store: GraphStore;

    beforeAll(async () => {
      handle = await makeStore();
      store = handle.store;
    });
    afterAll(async () => {
      await handle?.cleanup();
    });
    beforeEach(async () => {
      await store.clear();
      await store.importGraph({ nodes: fixtureNodes, relationships: fixtureRelationships });
    });

    describe('nodes', () => {
      it('gets a node by label and id, with defaults filled', async () => {
        const s = await store.getNode('Smelter', 'S-AU-1');
        expect(s).toEqual({
          label: 'Smelter',
          id: 'S-AU-1',
          name: 'Golden Refinery',
          aliases: [],
          metal: 'gold',
          country: 'CN',
          rmapStatus: 'unknown',
        });
        expect(await store.getNode('Company', 'S-AU-1')).toBeNull();
        expect(await store.getNode('Company', 'nobody')).toBeNull();
      });

      it('upserts idempotently', async () => {
        const before = await store.counts();
        const node: GraphNodeInput = { label: 'Company', id: 'new-co', name: 'New Co', country: 'DE' };
        await store.upsertNodes([node]);
        await store.upsertNodes([node]);
        expect(await store.counts()).toEqual({ nodes: before.nodes + 1, relationships: before.relationships });
        expect(await store.getNode('Company', 'new-co')).toEqual(node);
      });

      it('merge keeps the properties the input does not mention; replace drops them', async () => {
        await store.upsertNodes([{ label: 'Smelter', id: 'S-TIN-1', name: 'Andes Tin Smelter S.A.', metal: 'tin', country: 'PE' }]);
        const merged = await store.getNode('Smelter', 'S-TIN-1');
        expect(merged).toMatchObject({ name: 'Andes Tin Smelter S.A.', rmapStatus: 'conformant', aliases: ['ATS Fundición'] });

        await store.upsertNodes([{ label: 'Company', id: 'acme', name: 'Acme Watches', country: 'JP' }], 'replace');
        expect(await store.getNode('Company', 'acme')).toEqual({ label: 'Company', id: 'acme', name: 'Acme Watches', country: 'JP' });
      });

      it('finds nodes by id across labels', async () => {
        expect((await store.findNodesById('CD')).map((n) => n.label)).toEqual(['Country']);
        expect(await store.findNodesById('missing')).toEqual([]);
      });

      it('a batch with one bad row writes nothing and names the row', async () => {
        const v = await store.version();
        const before = await store.counts();
        const err = await expectRejects(
          store.upsertNodes([
            { label: 'Company', id: 'ok-1', name: 'OK 1', country: 'DE' },
            { label: 'Company', id: 'ok-2', name: 'OK 2', country: 'DE' },
            { label: 'Company', id: 'bad', name: 'Bad', country: 'Germany' },
          ]),
          ValidationError,
        );
        expect(err.fields.map((f) => f.path)).toEqual(['nodes[2].country']);
        expect(await store.counts()).toEqual(before);
        expect(await store.getNode('Company', 'ok-1')).toBeNull();
        expect(await store.version()).toBe(v);
      });

      it('refuses a node whose id a node of another label holds (ConflictError naming it), writing nothing', async () => {
        const v = await store.version();
        const columns = await store.scanColumns();
        const rows = await store.scan();
        for (const mode of ['merge', 'replace'] as const) {
          const err = await expectRejects(
            store.upsertNodes([{ label: 'Company', id: 'CD', name: 'CD Holdings', country: 'US' }], mode),
            ConflictError,
          );
          expect(err.message).toBe('id "CD" is already held by a Country; ids are unique across labels');
          expect(err.fields).toEqual([{ path: 'nodes[0].id', message: 'id "CD" is already held by a Country' }]);
        }
        const viaImport = await expectRejects(
          store.importGraph({
            nodes: [
              { label: 'Company', id: 'fresh', name: 'Fresh', country: 'DE' },
              { label: 'Smelter', id: 't2', name: 'Smelter named like a company', metal: 'tin', country: 'CN' },
              { label: 'Country', id: 'DE', name: 'Germany' },
              { label: 'Smelter', id: 'fresh', name: 'Fresh Smelting', metal: 'tin', country: 'DE' },
            ],
            relationships: [{ type: 'SUPPLIES', from: 'DE', to: 't2', metal: 'tin' }],
          }),
          ConflictError,
        );
        expect(viaImport.fields).toEqual([
          { path: 'nodes[1].id', message: 'id "t2" is already held by a Company' },
          { path: 'nodes[3].id', message: 'id "fresh" is already given to a Company by nodes[0]' },
        ]);
        expect(await store.version()).toBe(v);
        expect(await store.scan()).toEqual(rows);
        expect(await store.scanColumns()).toEqual(columns);
        expect((await store.findNodesById('t2')).map((n) => n.label)).toEqual(['Company']);
        // The node that holds the id is updated as before, and the same id twice under one label is one node.
        await store.upsertNodes([
          { label: 'Country', id: 'CD', name: 'DR Congo' },
          { label: 'Country', id: 'CD', name: 'DR Congo', cahra: true },
        ]);
        expect(await store.getNode('Country', 'CD')).toMatchObject({ name: 'DR Congo', cahra: true });
      });

      it('deleting a node takes its relationships with it', async () => {
        expect(await store.deleteNode('Company', 't1a')).toBe(true);
        expect(await store.getNode('Company', 't1a')).toBeNull();
        const left = await store.listSupplies({}, { limit: 100 });
        expect(left.items.some((r) => r.from === 't1a' || r.to === 't1a')).toBe(false);
        expect(left.items).toHaveLength(SUPPLIES_COUNT - 4);
        expect(await store.deleteNode('Company', 't1a')).toBe(false);
      });
    });

    describe('search and listing', () => {
      it('searches names case-insensitively, and smelter aliases', async () => {
        const byName = await store.listNodes('Company', { search: 'TIER one' }, { limit: 10 });
        expect(byName.items.map((n) => n.id)).toEqual(['t1a', 't1b']);
        const byAlias = await store.listNodes('Smelter', { search: 'fundición' }, { limit: 10 });
        expect(byAlias.items.map((n) => n.id)).toEqual(['S-TIN-1']);
        const none = await store.listNodes('Company', { search: 'zzz' }, { limit: 10 });
        expect(none).toEqual({ items: [], nextCursor: null });
      });

      it('filters by country, metal, RMAP status and CAHRA flag', async () => {
        const cn = await store.listNodes('Company', { country: 'CN' }, { limit: 10 });
        expect(cn.items.map((n) => n.id)).toEqual(['t1a', 't1b']);
        const tin = await store.listNodes('Smelter', { metal: 'tin' }, { limit: 10 });
        expect(tin.items.map((n) => n.id)).toEqual(['S-TIN-1', 'S-TIN-2']);
        const conformant = await store.listNodes('Smelter', { metal: 'tin', rmapStatus: 'conformant' }, { limit: 10 });
        expect(conformant.items.map((n) => n.id)).toEqual(['S-TIN-1']);
        const cahra = await store.listNodes('Country', { cahra: true }, { limit: 10 });
        expect(cahra.items.map((n) => n.id)).toEqual(['CD']);
        const notCahra = await store.listNodes('Country', { cahra: false }, { limit: 10 });
        expect(notCahra.items.map((n) => n.id)).toEqual(['CN', 'JP', 'PE']);
      });

      it('pages through a list with cursors, in id order, without gaps or repeats', async () => {
        const many: GraphNodeInput[] = Array.from({ length: 25 }, (_, i) => ({
          label: 'Company',
          id: `p-${String(i).padStart(2, '0')}`,
          name: `Paged ${i}`,
          country: 'DE',
        }));
        await store.upsertNodes(many);
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listNodes('Company', { country: 'DE' }, { limit: 10, cursor });
          seen.push(...page.items.map((n) => n.id));
          cursor = page.nextCursor ?? undefined;
          pages++;
        } while (cursor);
        expect(pages).toBe(3);
        expect(seen).toEqual(many.map((n) => n.id));
      });

      it('rejects a cursor it did not issue', async () => {
        await expectRejects(store.listNodes('Company', {}, { limit: 10, cursor: 'not-a-cursor' }), ValidationError);
      });

      it('lists SUPPLIES filtered by ends and metal, in key order, with cursors', async () => {
        const intoAcme = await store.listSupplies({ to: 'acme' }, { limit: 10 });
        expect(intoAcme.items.map((r) => [r.from, r.metal, r.share])).toEqual([
          ['t1a', 'gold', undefined],
          ['t1a', 'tin', 0.6],
          ['t1b', 'tin', 0.4],
        ]);
        const gold = await store.listSupplies({ metal: 'gold' }, { limit: 10 });
        expect(gold.items).toHaveLength(3);
        const first = await store.listSupplies({}, { limit: 4 });
        const rest = await store.listSupplies({}, { limit: 100, cursor: first.nextCursor! });
        expect(first.items).toHaveLength(4);
        expect(first.items.length + rest.items.length).toBe(SUPPLIES_COUNT);
        expect(rest.nextCursor).toBeNull();
      });
    });

    describe('relationships', () => {
      it('upserts SUPPLIES by (from, to, metal), keeping provenance the update does not mention', async () => {
        await store.upsertRelationships([{ type: 'SUPPLIES', from: 'S-TIN-1', to: 't2', metal: 'tin', share: 0.5 }]);
        await store.upsertRelationships([{ type: 'SUPPLIES', from: 'S-TIN-1', to: 't2', metal: 'tin', share: 0.5 }]);
        const page = await store.listSupplies({ from: 'S-TIN-1', to: 't2' }, { limit: 10 });
        expect(page.items).toHaveLength(1);
        expect(page.items[0]).toMatchObject({ share: 0.5, source: 'cmrt t2.xlsx', metal: 'tin' });
        expect(page.items[0]!.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
        // Another metal between the same ends is another relationship.
        await store.upsertRelationships([{ type: 'SUPPLIES', from: 't2', to: 't1a', metal: 'gold' }]);
        expect((await store.listSupplies({ from: 't2', to: 't1a' }, { limit: 10 })).items).toHaveLength(2);
      });

      it('upserts LOCATED_IN idempotently', async () => {
        const before = await store.counts();
        await store.upsertRelationships([{ type: 'LOCATED_IN', from: 'acme', to: 'JP' }]);
        expect(await store.counts()).toEqual(before);
        const scan = await store.scan();
        expect(scan.relationships.filter((r) => r.type === 'LOCATED_IN')).toHaveLength(2);
      });

      it('refuses a relationship whose end does not exist, writing nothing', async () => {
        const v = await store.version();
        const err = await expectRejects(
          store.upsertRelationships([
            { type: 'SUPPLIES', from: 't2', to: 't1b', metal: 'tin' },
            { type: 'SUPPLIES', from: 't2', to: 'ghost', metal: 'tin' },
          ]),
          UnprocessableError,
        );
        expect(err.fields).toEqual([{ path: 'relationships[1].to', message: 'no node has id "ghost"' }]);
        expect((await store.listSupplies({ from: 't2' }, { limit: 10 })).items.map((r) => r.to)).toEqual(['t1a']);
        expect(await store.version()).toBe(v);
      });

      it('refuses ends of the wrong kind', async () => {
        const wrong = await expectRejects(
          store.upsertRelationships([{ type: 'SUPPLIES', from: 'acme', to: 'S-TIN-1', metal: 'tin' }]),
          UnprocessableError,
        );
        expect(wrong.fields[0]).toEqual({ path: 'relationships[0]', message: 'SUPPLIES cannot go from a Company to a Smelter' });
      });

      it('deletes a SUPPLIES by its key', async () => {
        expect(await store.deleteSupplies({ from: 't1a', to: 'acme', metal: 'gold' })).toBe(true);
        expect(await store.deleteSupplies({ from: 't1a', to: 'acme', metal: 'gold' })).toBe(false);
        expect((await store.listSupplies({ from: 't1a', to: 'acme' }, { limit: 10 })).items.map((r) => r.metal)).toEqual(['tin']);
      });
    });

    describe('graph import', () => {
      it('imports nodes and relationships together, naming relationship ends by id', async () => {
        const result = await store.importGraph({
          nodes: [
            { label: 'Company', id: 'newco', name: 'NewCo', country: 'DE' },
            { label: 'Smelter', id: 'CID001070', name: 'Some Tin Smelter', metal: 'tin', country: 'PE' },
          ],
          relationships: [
            { type: 'SUPPLIES', from: 'PE', to: 'CID001070', metal: 'tin', share: 1 },
            { type: 'SUPPLIES', from: 'CID001070', to: 'newco', metal: 'tin' },
            { type: 'SUPPLIES', from: 'newco', to: 'acme', metal: 'tin' },
          ],
        });
        expect(result).toMatchObject({ nodesUpserted: 2, relationshipsUpserted: 3 });
        expect(result.version).toBe(await store.version());
        expect((await store.listSupplies({ to: 'acme', metal: 'tin' }, { limit: 10 })).items).toHaveLength(3);
      });

      it('is all or nothing: a dangling relationship discards the nodes of the same import', async () => {
        const v = await store.version();
        const before = await store.counts();
        const err = await expectRejects(
          store.importGraph({
            nodes: [{ label: 'Company', id: 'newco', name: 'NewCo', country: 'DE' }],
            relationships: [
              { type: 'SUPPLIES', from: 'newco', to: 'acme', metal: 'tin' },
              { type: 'SUPPLIES', from: 'nowhere', to: 'acme', metal: 'tin' },
            ],
          }),
          UnprocessableError,
        );
        expect(err.fields[0]!.path).toBe('relationships[1].from');
        expect(await store.counts()).toEqual(before);
        expect(await store.getNode('Company', 'newco')).toBeNull();
        expect(await store.version()).toBe(v);
      });

      it('upserts a batch mixing new and existing relationships, a key named twice, as applying its rows in order would', async () => {
        const before = await store.version();
        const result = await store.importGraph({
          nodes: [{ label: 'Company', id: 'newco', name: 'NewCo', country: 'DE' }],
          relationships: [
            // Stored: the share changes, the provenance it does not mention stays.
            { type: 'SUPPLIES', from: 'S-TIN-1', to: 't2', metal: 'tin', share: 0.5 },
            // New, between ends that already supply and buy.
            { type: 'SUPPLIES', from: 't2', to: 't1b', metal: 'tin', source: 'mixed batch' },
            // New, from a node of the same import.
            { type: 'SUPPLIES', from: 'newco', to: 't1a', metal: 'gold' },
            // New, named twice: the second mentions only the share.
            { type: 'SUPPLIES', from: 'CN', to: 'S-TIN-1', metal: 'tin', source: 'first' },
            { type: 'SUPPLIES', from: 'CN', to: 'S-TIN-1', metal: 'tin', share: 0.25 },
            { type: 'LOCATED_IN', from: 'acme', to: 'JP' },
            { type: 'LOCATED_IN', from: 't2', to: 'JP' },
            { type: 'LOCATED_IN', from: 't2', to: 'JP' },
          ],
        });
        expect(result).toEqual({ nodesUpserted: 1, relationshipsUpserted: 8, version: before + 1 });
        const supplies = (await store.listSupplies({}, { limit: 100 })).items.map(({ updatedAt: _, ...r }) => r);
        expect(supplies).toHaveLength(SUPPLIES_COUNT + 3);
        expect(supplies).toContainEqual({ type: 'SUPPLIES', from: 'S-TIN-1', to: 't2', metal: 'tin', share: 0.5, source: 'cmrt t2.xlsx' });
        expect(supplies).toContainEqual({ type: 'SUPPLIES', from: 't2', to: 't1b', metal: 'tin', source: 'mixed batch' });
        expect(supplies).toContainEqual({ type: 'SUPPLIES', from: 'newco', to: 't1a', metal: 'gold', source: 'manual' });
        expect(supplies).toContainEqual({ type: 'SUPPLIES', from: 'CN', to: 'S-TIN-1', metal: 'tin', share: 0.25, source: 'first' });
        expect(supplies).toContainEqual({ type: 'SUPPLIES', from: 'CD', to: 'S-TIN-1', metal: 'tin', share: 0.3, source: 'manual' });
        const located = (await store.scan()).relationships.filter((r) => r.type === 'LOCATED_IN').map((r) => `${r.from} -> ${r.to}`);
        expect(located.sort()).toEqual(['S-TIN-1 -> PE', 'acme -> JP', 't2 -> JP']);
        expect((await store.counts()).relationships).toBe(fixtureRelationships.length + 4);
      });

      it('merges a node named twice in one import as the two applied in order', async () => {
        await store.importGraph({
          nodes: [
            { label: 'Company', id: 'twice', name: 'First', country: 'DE', saqScore: 10 },
            { label: 'Company', id: 'twice', name: 'Second', country: 'DE' },
            { label: 'Company', id: 'acme', name: 'Acme Watches SA', country: 'JP' },
            { label: 'Company', id: 'acme', name: 'Acme Watches AG', country: 'JP', saqScore: 90 },
          ],
          relationships: [],
        });
        expect(await store.getNode('Company', 'twice')).toEqual({
          label: 'Company',
          id: 'twice',
          name: 'Second',
          country: 'DE',
          saqScore: 10,
        });
        expect(await store.getNode('Company', 'acme')).toMatchObject({ name: 'Acme Watches AG', saqScore: 90, tags: ['focal'] });
      });

      it('writes nothing when one row deep in a large batch of new and existing rows fails', async () => {
        const n = 6000;
        const nodes: GraphNodeInput[] = Array.from({ length: n }, (_, i) => ({
          label: 'Company',
          id: `big-${i}`,
          name: `Big ${i}`,
          country: 'VN',
        }));
        const relationships: RelationshipInput[] = [
          { type: 'SUPPLIES', from: 't1a', to: 'acme', metal: 'tin', share: 0.9 },
          ...nodes.map(
            (node, i): RelationshipInput => ({ type: 'SUPPLIES', from: node.id, to: i === 0 ? 'acme' : `big-${i - 1}`, metal: 'tin' }),
          ),
          { type: 'LOCATED_IN', from: 'big-1', to: 'VN' },
        ];
        relationships[n - 10] = { type: 'SUPPLIES', from: 'big-3', to: 'nowhere', metal: 'tin' };
        const before = await store.scan();
        const err = await expectRejects(store.importGraph({ nodes, relationships }), UnprocessableError);
        expect(err.fields.map((f) => f.path)).toEqual([`relationships[${n - 10}].to`, `relationships[${n + 1}].to`]);
        expect(await store.scan()).toEqual(before);
        expect(await store.getNode('Company', 'big-0')).toBeNull();
      });

      it('imports a batch of thousands of rows in one write', async () => {
        const n = 2500;
        const nodes: GraphNodeInput[] = Array.from({ length: n }, (_, i) => ({
          label: 'Company',
          id: `bulk-${i}`,
          name: `Bulk ${i}`,
          country: 'VN',
        }));
        const relationships: RelationshipInput[] = nodes.map((node, i) => ({
          type: 'SUPPLIES',
          from: node.id,
          to: i === 0 ? 'acme' : `bulk-${i - 1}`,
          metal: 'tin',
        }));
        const v = await store.version();
        const result = await store.importGraph({ nodes, relationships });
        expect(result).toEqual({ nodesUpserted: n, relationshipsUpserted: n, version: v + 1 });
        const counts = await store.counts();
        expect(counts.nodes).toBe(fixtureNodes.length + n);
      });
    });

    describe('neighbourhood', () => {
      it('walks upstream against the flow, with hop distances', async () => {
        const hood = await store.neighborhood('acme', { direction: 'upstream', depth: 2 });
        expect(hood!.center.id).toBe('acme');
        const distances = Object.fromEntries(hood!.nodes.map((n) => [n.node.id, n.distance]));
        expect(distances).toEqual({ acme: 0, t1a: 1, t1b: 1, t2: 2, 'S-AU-1': 2, 'S-TIN-2': 2 });
        expect(hood!.relationships).toHaveLength(6);
      });

      it('follows one metal only when asked', async () => {
        const hood = await store.neighborhood('acme', { direction: 'upstream', depth: 10, metal: 'gold' });
        expect(hood!.nodes.map((n) => n.node.id).sort()).toEqual(['CN', 'S-AU-1', 'acme', 't1a']);
        expect(hood!.relationships.every((r) => r.metal === 'gold')).toBe(true);
      });

      it('walks downstream with the flow, and both ways', async () => {
        const down = await store.neighborhood('S-TIN-1', { direction: 'downstream', depth: 5 });
        expect(Object.fromEntries(down!.nodes.map((n) => [n.node.id, n.distance]))).toEqual({ 'S-TIN-1': 0, t2: 1, t1a: 2, acme: 3 });
        const both = await store.neighborhood('t2', { direction: 'both', depth: 1 });
        expect(both!.nodes.map((n) => n.node.id).sort()).toEqual(['S-TIN-1', 't1a', 't2']);
      });

      it('answers null for an unknown centre', async () => {
        expect(await store.neighborhood('nobody', { direction: 'both', depth: 2 })).toBeNull();
      });

      it(`refuses a depth outside 1..${MAX_NEIGHBORHOOD_DEPTH} with one ValidationError`, async () => {
        for (const depth of [0, MAX_NEIGHBORHOOD_DEPTH + 1, 1.5]) {
          const err = await expectRejects(store.neighborhood('acme', { direction: 'upstream', depth }), ValidationError);
          expect(err.message).toBe(`Invalid depth: must be an integer from 1 to ${MAX_NEIGHBORHOOD_DEPTH}`);
        }
        const deepest = await store.neighborhood('acme', { direction: 'upstream', depth: MAX_NEIGHBORHOOD_DEPTH });
        expect(deepest!.nodes.length).toBeGreaterThan(1);
      });
    });

    describe('scan and version', () => {
      it('scans everything at one version', async () => {
        const scan = await store.scan();
        expect(scan.nodes).toHaveLength(fixtureNodes.length);
        expect(scan.relationships).toHaveLength(fixtureRelationships.length);
        expect(scan.version).toBe(await store.version());
        const s = scan.relationships.find((r) => r.type === 'SUPPLIES' && r.from === 'CD');
        expect(s).toMatchObject({ type: 'SUPPLIES', from: 'CD', to: 'S-TIN-1', metal: 'tin', share: 0.3, source: 'manual' });
      });

      it('scans into columns the same graph as scan(), at the same version, the same on every read', async () => {
        await store.upsertRelationships([{ type: 'SUPPLIES', from: 'PE', to: 'S-TIN-2', metal: 'tin', share: 0.5 }]);
        const canonical = (c: ScanColumns): ScanColumns => ({ ...c, supplies: canonicalSuppliesOrder(c.supplies, c.nodes.nodeCount) });
        const columns = await store.scanColumns();
        const rows = await store.scan();
        expect(columns.version).toBe(rows.version);
        expect(columns.nodes.nodeCount).toBe(fixtureNodes.length);
        expect(columns.supplies.count).toBe(rows.relationships.filter((r) => r.type === 'SUPPLIES').length);
        expect(compileSnapshotFromColumns(canonical(columns))).toEqual(compileSnapshotFromColumns(canonical(scanToColumns(rows))));
        expect(await store.scanColumns()).toEqual(columns);
      });

      it('scans SUPPLIES into columns with the ends they were written with', async () => {
        // t2 is a Company with tin SUPPLIES in and out.
        const snapshot = compileSnapshotFromColumns(await store.scanColumns());
        const tin = snapshot.layers.get('tin')!;
        const company = nodeIndex(snapshot, 't2', 'Company')!;
        const sources = Array.from(tin.inSources.subarray(tin.inOffsets[company]!, tin.inOffsets[company + 1]!), (i) => snapshot.ids[i]);
        const buyers = Array.from(tin.outTargets.subarray(tin.outOffsets[company]!, tin.outOffsets[company + 1]!), (i) => snapshot.ids[i]);
        expect({ sources, buyers }).toEqual({ sources: ['S-TIN-1'], buyers: ['t1a'] });
      });

      it('bumps the version on every write and never on a rejected one', async () => {
        const v0 = await store.version();
        await store.upsertNodes([{ label: 'Company', id: 'v1', name: 'V1', country: 'DE' }]);
        const v1 = await store.version();
        expect(v1).toBeGreaterThan(v0);
        await store.upsertRelationships([{ type: 'SUPPLIES', from: 'v1', to: 'acme', metal: 'tin' }]);
        const v2 = await store.version();
        expect(v2).toBeGreaterThan(v1);
        await expectRejects(store.upsertRelationships([{ type: 'SUPPLIES', from: 'v1', to: 'none', metal: 'tin' }]), UnprocessableError);
        expect(await store.version()).toBe(v2);
        await store.deleteSupplies({ from: 'v1', to: 'acme', metal: 'tin' });
        const v3 = await store.version();
        expect(v3).toBeGreaterThan(v2);
        await store.deleteNode('Company', 'v1');
        expect(await store.version()).toBeGreaterThan(v3);
      });
    });
  });
}
