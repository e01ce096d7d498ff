/**
 * Loading a synthetic supply network (seeds/synthetic) into a graph store, for
 * `oretrace seed synthetic --companies N` and the benchmarks.
 *
 * A million-node network does not fit one write (one Neo4j transaction, one zod pass over
 * millions of rows), so it goes in chunks: nodes first, then relationships, each chunk one
 * `importGraph` call. Each chunk is all or nothing, the whole load is not: a load that fails
 * half-way leaves the chunks before it in the store (loading again with the same options upserts
 * the same rows, so it can simply be repeated).
 */
import type { GraphNode, Relationship } from '../../graph/model.js';
import {
  generateSyntheticColumns,
  syntheticNode,
  syntheticRelationship,
  syntheticRelationshipCount,
  type SyntheticOptions,
  type SyntheticStats,
} from '../../seeds/synthetic/generate-synthetic.js';
import type { GraphStore } from '../stores/graph-store.js';

export interface SyntheticLoadOptions extends SyntheticOptions {
  /**
   * Rows per importGraph call. Default 20 000 for Neo4j; for the embedded store, which rewrites
   * its whole file on every write, everything in one write.
   */
  chunkSize?: number | undefined;
}

export interface SyntheticLoadProgress {
  phase: 'generated' | 'nodes' | 'relationships';
  /** Rows of this phase written so far. */
  done: number;
  total: number;
}

export interface SyntheticLoadResult {
  nodesUpserted: number;
  relationshipsUpserted: number;
  /** The store version after the last chunk. */
  version: number;
  /** Ids of the focal companies; the first is "the" focal company. */
  focal: string[];
  stats: SyntheticStats;
}

export const DEFAULT_SYNTHETIC_CHUNK = 20_000;

/** Generate the network and upsert it into the store chunk by chunk (nodes, then relationships). */
export async function writeSyntheticGraph(
  store: GraphStore,
  options: SyntheticLoadOptions,
  onProgress?: (progress: SyntheticLoadProgress) => void,
): Promise<SyntheticLoadResult> {
  const chunk = options.chunkSize ?? (store.kind === 'embedded' ? Number.MAX_SAFE_INTEGER : DEFAULT_SYNTHETIC_CHUNK);
  if (!(chunk >= 1)) throw new RangeError(`chunkSize must be at least 1, got ${options.chunkSize}`);
  const g = generateSyntheticColumns(options);
  const relationshipCount = syntheticRelationshipCount(g);
  onProgress?.({ phase: 'generated', done: 0, total: g.nodeCount + relationshipCount });

  let nodesUpserted = 0;
  let relationshipsUpserted = 0;
  let version = await store.version();
  for (let start = 0; start < g.nodeCount; start += chunk) {
    const end = Math.min(g.nodeCount, start + chunk);
    const nodes: GraphNode[] = [];
    for (let i = start; i < end; i++) nodes.push(syntheticNode(g, i));
    const result = await store.importGraph({ nodes, relationships: [] });
    nodesUpserted += result.nodesUpserted;
    version = result.version;
    onProgress?.({ phase: 'nodes', done: end, total: g.nodeCount });
  }
  for (let start = 0; start < relationshipCount; start += chunk) {
    const end = Math.min(relationshipCount, start + chunk);
    const relationships: Relationship[] = [];
    for (let k = start; k < end; k++) relationships.push(syntheticRelationship(g, k));
    const result = await store.importGraph({ nodes: [], relationships });
    relationshipsUpserted += result.relationshipsUpserted;
    version = result.version;
    onProgress?.({ phase: 'relationships', done: end, total: relationshipCount });
  }
  return { nodesUpserted, relationshipsUpserted, version, focal: g.focal.map((i) => g.ids[i]!), stats: g.stats };
}
