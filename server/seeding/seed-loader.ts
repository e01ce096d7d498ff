/**
 * Loading the shipped data into a graph store: the reference data (countries, RMI look-up
 * smelters) and the fictional demo group (seeds/demo/demo-graph.json).
 *
 * The demo file carries its own companies, its fictional smelters, copies of the real smelters it
 * uses (with an illustrative rmapStatus) and all its relationships; its relationships also point
 * at Country nodes, which only the reference data provides. So the demo needs the reference data
 * in the store first (loadDemo checks), and seedIfEmpty writes both in one import.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  GraphNodeSchema,
  RelationshipSchema,
  relationshipKey,
  type GraphDocument,
  type GraphNode,
  type Relationship,
} from '../../graph/model.js';
import type { GraphStore, WriteResult } from '../stores/graph-store.js';
import { PROJECT_ROOT, referenceGraph } from './reference-data.js';

export const DEMO_GRAPH_FILE = join(PROJECT_ROOT, 'seeds', 'demo', 'demo-graph.json');

export const DemoFileSchema = z.object({
  notice: z.string().min(1),
  generatedBy: z.string().min(1),
  nodes: z.array(GraphNodeSchema),
  relationships: z.array(RelationshipSchema),
});
export type DemoFile = z.infer<typeof DemoFileSchema>;

const demoCache = new Map<string, DemoFile>();

/** The committed demo file, validated against the domain model. */
export function readDemoFile(file: string = DEMO_GRAPH_FILE): DemoFile {
  let doc = demoCache.get(file);
  if (!doc) {
    const parsed = DemoFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`${file} is not a valid demo graph: ${parsed.error.message}`);
    doc = parsed.data;
    demoCache.set(file, doc);
  }
  return structuredClone(doc);
}

/** The demo's nodes and relationships (no Country nodes: those come from the reference data). */
export function demoGraph(file: string = DEMO_GRAPH_FILE): GraphDocument {
  const { nodes, relationships } = readDemoFile(file);
  return { nodes, relationships };
}

/**
 * Reference data and demo as one document. Where the demo carries a node that the reference data
 * has too (the real smelters it uses), the demo's version wins (it adds an illustrative
 * rmapStatus); relationships are deduplicated by their key, the demo's winning.
 */
export function referenceAndDemoGraph(file: string = DEMO_GRAPH_FILE): GraphDocument {
  const reference = referenceGraph();
  const demo = demoGraph(file);
  const nodes = new Map<string, GraphNode>();
  for (const n of [...reference.nodes, ...demo.nodes]) nodes.set(`${n.label}\u0000${n.id}`, n);
  const relationships = new Map<string, Relationship>();
  for (const r of [...reference.relationships, ...demo.relationships]) relationships.set(relationshipKey(r), r);
  return { nodes: [...nodes.values()], relationships: [...relationships.values()] };
}

/** Upsert countries, look-up smelters and their LOCATED_IN. Idempotent. */
export async function loadReference(store: GraphStore): Promise<WriteResult> {
  return store.importGraph(referenceGraph());
}

/**
 * Upsert the demo graph. The reference data must be in the store already (the demo's
 * relationships point at its Country nodes); throws before writing anything when it is not.
 */
export async function loadDemo(store: GraphStore): Promise<WriteResult> {
  const demo = demoGraph();
  const own = new Set(demo.nodes.map((n) => n.id));
  const countries = new Set<string>();
  for (const r of demo.relationships) {
    for (const id of [r.from, r.to]) if (!own.has(id)) countries.add(id);
  }
  const missing: string[] = [];
  for (const id of [...countries].sort()) {
    if ((await store.getNode('Country', id)) === null) missing.push(id);
  }
  if (missing.length > 0) {
    throw new Error(
      `The demo graph needs the reference data: country node(s) ${missing.join(', ')} are not in the store. ` +
        'Load the reference data first (loadReference).',
    );
  }
  return store.importGraph(demo);
}

export interface SeedResult {
  /** false when the store already held nodes and nothing was written. */
  seeded: boolean;
  result?: WriteResult;
}

/** On an empty store, write the reference data and the demo in one all-or-nothing import. */
export async function seedIfEmpty(store: GraphStore): Promise<SeedResult> {
  if ((await store.counts()).nodes !== 0) return { seeded: false };
  const result = await store.importGraph(referenceAndDemoGraph());
  return { seeded: true, result };
}
