import { describe, it, expect } from 'vitest';
import {
  relationshipKey,
  type GraphNode,
  type GraphNodeInput,
  type NodeLabel,
  type Relationship,
  type RelationshipInput,
} from '../../../graph/model.js';
import type { GraphStore, WriteResult } from '../../../server/stores/graph-store.js';
import { checkRelationshipEnds, mergeLabels, parseNodes, parseRelationships } from '../../../server/stores/write-rules.js';
import {
  demoGraph,
  loadDemo,
  loadReference,
  readDemoFile,
  referenceAndDemoGraph,
  seedIfEmpty,
} from '../../../server/seeding/seed-loader.js';
import { referenceGraph } from '../../../server/seeding/reference-data.js';

/**
 * Just enough of a GraphStore for the loaders: importGraph applies the shared write rules
 * (row validation, relationship ends) all or nothing, like the real adapters.
 */
class FakeStore {
  readonly kind = 'embedded' as const;
  readonly nodes = new Map<string, GraphNode>();
  readonly relationships = new Map<string, Relationship>();
  imports = 0;
  private v = 0;

  async counts(): Promise<{ nodes: number; relationships: number }> {
    return { nodes: this.nodes.size, relationships: this.relationships.size };
  }

  async getNode(label: NodeLabel, id: string): Promise<GraphNode | null> {
    return this.nodes.get(`${label}\u0000${id}`) ?? null;
  }

  async importGraph(document: { nodes: GraphNodeInput[]; relationships: RelationshipInput[] }): Promise<WriteResult> {
    this.imports += 1;
    const nodes = parseNodes(document.nodes);
    const relationships = parseRelationships(document.relationships);
    const stored = new Map<string, NodeLabel[]>();
    for (const n of this.nodes.values()) stored.set(n.id, [...(stored.get(n.id) ?? []), n.label]);
    checkRelationshipEnds(relationships, mergeLabels(stored, nodes));
    for (const n of nodes) this.nodes.set(`${n.label}\u0000${n.id}`, n);
    for (const r of relationships) this.relationships.set(relationshipKey(r), r);
    this.v += 1;
    return { nodesUpserted: nodes.length, relationshipsUpserted: relationships.length, version: this.v };
  }
}

const asStore = (s: FakeStore) => s as unknown as GraphStore;

describe('seed loader', () => {
  const reference = referenceGraph();
  const demo = demoGraph();

  it('reads and validates the demo file', () => {
    const file = readDemoFile();
    expect(file.notice).toMatch(/FICTIONAL/);
    expect(file.nodes.length).toBe(demo.nodes.length);
    expect(file.relationships.length).toBe(demo.relationships.length);
  });

  it('seeds an empty store with reference data and demo in one import', async () => {
    const store = new FakeStore();
    const first = await seedIfEmpty(asStore(store));
    expect(first.seeded).toBe(true);
    expect(store.imports).toBe(1);
    const demoOnly = demo.nodes.filter((n) => !reference.nodes.some((r) => r.id === n.id)).length;
    expect(first.result?.nodesUpserted).toBe(reference.nodes.length + demoOnly);
    expect(first.result?.relationshipsUpserted).toBe(reference.relationships.length + demo.relationships.length);
    expect((await store.counts()).nodes).toBe(reference.nodes.length + demoOnly);

    // The demo's illustrative status wins over the reference "unknown" for the real smelters it uses.
    const realInDemo = demo.nodes.find((n) => n.label === 'Smelter' && n.id.startsWith('CID'));
    expect(realInDemo).toBeDefined();
    expect(await store.getNode('Smelter', realInDemo!.id)).toEqual(realInDemo);

    const second = await seedIfEmpty(asStore(store));
    expect(second).toEqual({ seeded: false });
    expect(store.imports).toBe(1);
  });

  it('refuses to load the demo without the reference data, writing nothing', async () => {
    const store = new FakeStore();
    await expect(loadDemo(asStore(store))).rejects.toThrow(/reference data/);
    expect(store.imports).toBe(0);
    expect((await store.counts()).nodes).toBe(0);
  });

  it('loads reference data, then the demo on top', async () => {
    const store = new FakeStore();
    const ref = await loadReference(asStore(store));
    expect(ref).toEqual({ nodesUpserted: 598, relationshipsUpserted: 349, version: 1 });
    const d = await loadDemo(asStore(store));
    expect(d.nodesUpserted).toBe(demo.nodes.length);
    expect(d.relationshipsUpserted).toBe(demo.relationships.length);
    expect(d.version).toBe(2);
    // Same end state as seeding in one go.
    const once = new FakeStore();
    await seedIfEmpty(asStore(once));
    expect([...store.nodes.keys()].sort()).toEqual([...once.nodes.keys()].sort());
    expect([...store.relationships.keys()].sort()).toEqual([...once.relationships.keys()].sort());
  });

  it('combines reference and demo without duplicate nodes or relationships', () => {
    const combined = referenceAndDemoGraph();
    const ids = combined.nodes.map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    const keys = combined.relationships.map((r) => relationshipKey(r));
    expect(new Set(keys).size).toBe(keys.length);
  });
});
