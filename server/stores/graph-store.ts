/**
 * The one storage interface of oretrace (ARCHITECTURE.md, "Where to add"). Two adapters implement it — Neo4j for
 * production, graphology-in-a-file for `npm start` without a database — and both pass the same
 * contract suite (test/server/stores/graph-store-contract.ts).
 *
 * Rules every adapter keeps:
 * - It takes and returns plain objects of the domain model (graph/model.ts); no driver or
 *   graphology types leak out.
 * - Every write is all or nothing, and bumps the version counter exactly once when it changes
 *   anything (a write that changes nothing may leave the version alone). Readers compare versions
 *   to know when a compiled snapshot is stale.
 * - Node ids are unique across labels: relationships name their ends by id alone, so an id names
 *   at most one node. A write that would give an id a second label (a Company "CD" beside the
 *   Country CD) fails with ConflictError naming the label that holds it, and nothing is written;
 *   the check runs inside the write, so two concurrent writes cannot both pass it. (A graph written
 *   before this rule may still hold such an id: relationships naming it fail as "ambiguous",
 *   UnprocessableError.)
 * - Bad rows in a batch fail the whole batch with an error whose `fields` name the row
 *   (e.g. `relationships[3].to`), and nothing is written.
 * - An unreachable backend raises StoreUnavailableError.
 */
import type {
  Company,
  Country,
  GraphNode,
  GraphNodeInput,
  Metal,
  NodeLabel,
  Relationship,
  RelationshipInput,
  RmapStatus,
  Smelter,
  Supplies,
} from '../../graph/model.js';
import type { ScanColumns } from '../../graph/scan-columns.js';

export interface Page<T> {
  items: T[];
  /** Opaque; pass back as `cursor` for the next page. null on the last page. */
  nextCursor: string | null;
}

export interface PageRequest {
  /** 1..1000 */
  limit: number;
  cursor?: string | undefined;
}

export interface NodeFilter {
  /** Case-insensitive substring of the name (or of an alias, for smelters) or the id. */
  search?: string | undefined;
  country?: string | undefined;
  /** Smelters only. */
  metal?: Metal | undefined;
  /** Smelters only. */
  rmapStatus?: RmapStatus | undefined;
  /** Countries only. */
  cahra?: boolean | undefined;
}

export interface SuppliesFilter {
  from?: string | undefined;
  to?: string | undefined;
  metal?: Metal | undefined;
}

export interface SuppliesKey {
  from: string;
  to: string;
  metal: Metal;
}

export type NeighborhoodDirection = 'upstream' | 'downstream' | 'both';

export interface NeighborhoodRequest {
  /** upstream: towards sources (against material flow); downstream: towards buyers. */
  direction: NeighborhoodDirection;
  /** Hops, 1..10. */
  depth: number;
  /** Follow only SUPPLIES of this metal. */
  metal?: Metal | undefined;
}

export interface NeighborhoodNode {
  node: GraphNode;
  /** Hops from the centre along SUPPLIES (0 for the centre): the tier, seen from the centre. */
  distance: number;
}

export interface Neighborhood {
  center: GraphNode;
  nodes: NeighborhoodNode[];
  /** The SUPPLIES relationships between returned nodes that the walk followed. */
  relationships: Supplies[];
}

export interface WriteResult {
  nodesUpserted: number;
  relationshipsUpserted: number;
  /** The store version after the write. */
  version: number;
}

export interface GraphScan {
  version: number;
  nodes: GraphNode[];
  relationships: Relationship[];
}

export type UpsertMode = 'merge' | 'replace';

export interface ImportOptions {
  /**
   * The document as GraphNodeSchema and RelationshipSchema parse it, row for row, when the caller
   * parsed it already (the import route's body schema does): the store skips parsing it again (a
   * second zod pass over every row was a tenth of a large import's time). The document is still
   * needed, to say which properties were given. Ignored unless its row counts match the document's.
   */
  parsed?: { nodes: GraphNode[]; relationships: Relationship[] } | undefined;
}

export interface GraphStore {
  readonly kind: 'neo4j' | 'embedded';

  /** Prepare the backend (constraints, files). Idempotent. */
  init(): Promise<void>;
  close(): Promise<void>;
  /** Throws StoreUnavailableError unless the backend answers now. */
  ping(): Promise<void>;
  /** The version counter: bumped by every write. */
  version(): Promise<number>;
  counts(): Promise<{ nodes: number; relationships: number }>;

  getNode<L extends NodeLabel>(label: L, id: string): Promise<Extract<GraphNode, { label: L }> | null>;
  /** Nodes with this id under any label (normally zero or one). */
  findNodesById(id: string): Promise<GraphNode[]>;
  /** Ordered by id. */
  listNodes(label: NodeLabel, filter: NodeFilter, page: PageRequest): Promise<Page<GraphNode>>;

  /**
   * Validate, then insert or update nodes by (label, id). `merge` keeps properties the input does
   * not mention; `replace` makes the stored node exactly the input.
   */
  upsertNodes(nodes: GraphNodeInput[], mode?: UpsertMode): Promise<WriteResult>;
  /** Remove a node with all its relationships. false when it did not exist. */
  deleteNode(label: NodeLabel, id: string): Promise<boolean>;

  /** Ordered by (from, to, metal). */
  listSupplies(filter: SuppliesFilter, page: PageRequest): Promise<Page<Supplies>>;
  /** Upsert by (type, from, to, metal); properties not given are kept (merge). */
  upsertRelationships(relationships: RelationshipInput[]): Promise<WriteResult>;
  deleteSupplies(key: SuppliesKey): Promise<boolean>;

  /** Nodes then relationships, in one all-or-nothing write. */
  importGraph(document: { nodes: GraphNodeInput[]; relationships: RelationshipInput[] }, options?: ImportOptions): Promise<WriteResult>;

  neighborhood(id: string, request: NeighborhoodRequest): Promise<Neighborhood | null>;

  /** Everything, as row objects of one version (export, the CLI). */
  scan(): Promise<GraphScan>;
  /**
   * What an analytics snapshot is compiled from, as columns of one version: the same graph as
   * scan(), read without an object per relationship (graph/scan-columns.ts says why). The same
   * version always gives the same columns.
   */
  scanColumns(): Promise<ScanColumns>;

  /** Remove everything (tests, `seed --reset`). */
  clear(): Promise<void>;
}

export type { Company, Country, Smelter };

/** Every node of a label, page by page (the importers read all smelters or countries this way). */
export async function listAllNodes(store: GraphStore, label: NodeLabel): Promise<GraphNode[]> {
  const all: GraphNode[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listNodes(label, {}, { limit: 1000, cursor });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}
