/**
 * The embedded GraphStore: a graphology graph in memory, persisted to one JSON file in DATA_DIR.
 * It is what `npm start` uses when no Neo4j is configured.
 *
 * Durability: every write is validated in full first, then applied in memory, then persisted: as
 * one line of what it changed appended to the journal and fsync-ed (./embedded-journal.ts says why
 * and how a torn line is dropped), or, when there is no graph file yet or the journal has outgrown
 * it, by rewriting the graph file: a temporary file, fsync-ed, renamed over the old one, the folder
 * fsync-ed, then the journal emptied. rename(2) is atomic, so a crash at any moment leaves either
 * the old or the new file, never a torn one. If persisting fails, the in-memory graph is reloaded
 * from the files so memory and disk agree.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MultiDirectedGraph } from 'graphology';
import {
  endsAllowed,
  GraphNodeSchema,
  NODE_LABELS,
  RelationshipSchema,
  type GraphNode,
  type GraphNodeInput,
  type NodeLabel,
  type Relationship,
  type RelationshipInput,
  type Supplies,
} from '../../graph/model.js';
import { ScanColumnsBuilder, type ScanColumns } from '../../graph/scan-columns.js';
import { StoreUnavailableError } from '../errors.js';
import type {
  GraphScan,
  GraphStore,
  ImportOptions,
  Neighborhood,
  NeighborhoodRequest,
  NodeFilter,
  Page,
  PageRequest,
  SuppliesFilter,
  SuppliesKey,
  UpsertMode,
  WriteResult,
} from './graph-store.js';
import {
  checkIdsFree,
  checkRelationshipEnds,
  compareKeys,
  decodeCursor,
  encodeCursor,
  givenProperties,
  mergeLabels,
  nodeIds,
  parseDocument,
  parseNodes,
  parseRelationships,
} from './write-rules.js';
import { checkNeighborhoodRequest, walkNeighborhood, type HopStep } from './neighborhood-walk.js';
import {
  appendEntry,
  encodeEntry,
  JOURNAL_NAME,
  readJournal,
  removeJournal,
  DEFAULT_JOURNAL_LIMITS,
  mustCompact,
  shouldCompact,
  type JournalChange,
  type JournalEntry,
  type JournalLimits,
} from './embedded-journal.js';

const FILE_NAME = 'graph.json';
const FORMAT = 'oretrace-embedded-graph';
const FORMAT_VERSION = 1;

interface PersistedGraph {
  format: typeof FORMAT;
  formatVersion: number;
  version: number;
  nodes: GraphNode[];
  relationships: Relationship[];
}

/** `scanAt`: the node's position in the scan being built (scanColumns), so that an edge finds its ends without an id lookup. */
type NodeAttributes = { node: GraphNode; scanAt?: number };
type EdgeAttributes = { relationship: Relationship };

type SupplyGraph = MultiDirectedGraph<NodeAttributes, EdgeAttributes>;

const nodeKey = (label: NodeLabel, id: string): string => `${label}:${id}`;

function edgeKey(r: Relationship, fromLabel: NodeLabel, toLabel: NodeLabel): string {
  return edgeKeyOf(r, nodeKey(fromLabel, r.from), nodeKey(toLabel, r.to));
}

/** The same from the ends' node keys, when the caller has them already (an import makes them once per relationship). */
function edgeKeyOf(r: Relationship, fromKey: string, toKey: string): string {
  const ends = `${fromKey}\u0000${toKey}`;
  return r.type === 'SUPPLIES' ? `SUPPLIES\u0000${ends}\u0000${r.metal}` : `LOCATED_IN\u0000${ends}`;
}

function matchesFilter(node: GraphNode, filter: NodeFilter): boolean {
  if (filter.search) {
    const needle = filter.search.toLowerCase();
    const hay = [node.name, node.id, ...(node.label === 'Smelter' ? node.aliases : [])];
    if (!hay.some((h) => h.toLowerCase().includes(needle))) return false;
  }
  if (filter.country !== undefined) {
    const country = node.label === 'Country' ? node.id : node.country;
    if (country !== filter.country) return false;
  }
  if (filter.metal !== undefined && !(node.label === 'Smelter' && node.metal === filter.metal)) return false;
  if (filter.rmapStatus !== undefined && !(node.label === 'Smelter' && node.rmapStatus === filter.rmapStatus)) return false;
  if (filter.cahra !== undefined && !(node.label === 'Country' && node.cahra === filter.cahra)) return false;
  return true;
}

const NO_LABELS: readonly NodeLabel[] = Object.freeze([]);

/**
 * The labels holding each id, in model order (normally one), kept beside the graph. Relationship
 * ends are named by id alone; finding their labels by trying a `label:id` key per label made three
 * new strings per end and was most of a large import's time.
 */
class LabelIndex {
  private readonly byId = new Map<string, NodeLabel[]>();

  static of(graph: SupplyGraph): LabelIndex {
    const index = new LabelIndex();
    graph.forEachNode((_key, a) => index.add(a.node.label, a.node.id));
    return index;
  }

  get(id: string): readonly NodeLabel[] {
    return this.byId.get(id) ?? NO_LABELS;
  }

  add(label: NodeLabel, id: string): void {
    const labels = this.byId.get(id);
    if (labels === undefined) this.byId.set(id, [label]);
    else if (!labels.includes(label))
      this.byId.set(
        id,
        NODE_LABELS.filter((l) => l === label || labels.includes(l)),
      );
  }

  remove(label: NodeLabel, id: string): void {
    const rest = this.get(id).filter((l) => l !== label);
    if (rest.length > 0) this.byId.set(id, rest);
    else this.byId.delete(id);
  }
}

/** A journal line's changes applied as the write applied them (same keys, same insertion order). */
function replayChanges(graph: SupplyGraph, labels: LabelIndex, changes: readonly JournalChange[]): void {
  for (const change of changes) {
    if ('node' in change) {
      const key = nodeKey(change.node.label, change.node.id);
      if (graph.hasNode(key)) graph.replaceNodeAttributes(key, { node: change.node });
      else graph.addNode(key, { node: change.node });
      labels.add(change.node.label, change.node.id);
    } else if ('relationship' in change) {
      const { relationship: r, fromLabel, toLabel } = change;
      const key = edgeKey(r, fromLabel, toLabel);
      if (graph.hasEdge(key)) graph.replaceEdgeAttributes(key, { relationship: r });
      else graph.addEdgeWithKey(key, nodeKey(fromLabel, r.from), nodeKey(toLabel, r.to), { relationship: r });
    } else if ('dropNode' in change) {
      const key = nodeKey(change.dropNode.label, change.dropNode.id);
      if (graph.hasNode(key)) graph.dropNode(key);
      labels.remove(change.dropNode.label, change.dropNode.id);
    } else if (graph.hasEdge(change.dropEdge)) {
      graph.dropEdge(change.dropEdge);
    }
  }
}

export interface EmbeddedStoreOptions {
  /** Folder of the data file; created if missing. */
  dataDir: string;
  /** When the journal is folded into the graph file; default DEFAULT_JOURNAL_LIMITS (tests lower them). */
  journalLimits?: JournalLimits | undefined;
}

export class EmbeddedGraphStore implements GraphStore {
  readonly kind = 'embedded' as const;
  private graph: SupplyGraph = new MultiDirectedGraph<NodeAttributes, EdgeAttributes>();
  /** Always the labels of `graph`'s nodes: replaced with it, updated with every node added or dropped. */
  private labels = new LabelIndex();
  private currentVersion = 0;
  private ready = false;
  /** Writes run one at a time; reads never wait (they see the state between two writes). */
  private writeQueue: Promise<unknown> = Promise.resolve();
  readonly filePath: string;
  readonly journalPath: string;
  /** Sizes on disk, to decide between a journal line and a new graph file; 0 for the graph file: none yet. */
  private journalBytes = 0;
  private graphFileBytes = 0;
  /** What the running write changed so far, in order: its journal line. */
  private changes: JournalChange[] = [];
  private readonly journalLimits: JournalLimits;
  /** The pending fold of the journal once writes pause. */
  private idleCompaction: NodeJS.Timeout | undefined;

  constructor(private readonly options: EmbeddedStoreOptions) {
    this.filePath = join(options.dataDir, FILE_NAME);
    this.journalPath = join(options.dataDir, JOURNAL_NAME);
    this.journalLimits = options.journalLimits ?? DEFAULT_JOURNAL_LIMITS;
  }

  async init(): Promise<void> {
    if (this.ready) return;
    await mkdir(this.options.dataDir, { recursive: true });
    await this.removeStaleTempFiles();
    await this.loadFromFile();
    this.ready = true;
  }

  async close(): Promise<void> {
    clearTimeout(this.idleCompaction);
    await this.writeQueue.catch(() => undefined);
    this.ready = false;
  }

  async ping(): Promise<void> {
    if (!this.ready) throw new StoreUnavailableError('The embedded store is not open');
  }

  async version(): Promise<number> {
    return this.currentVersion;
  }

  async counts(): Promise<{ nodes: number; relationships: number }> {
    return { nodes: this.graph.order, relationships: this.graph.size };
  }

  async getNode<L extends NodeLabel>(label: L, id: string): Promise<Extract<GraphNode, { label: L }> | null> {
    const key = nodeKey(label, id);
    if (!this.graph.hasNode(key)) return null;
    return structuredClone(this.graph.getNodeAttributes(key).node) as Extract<GraphNode, { label: L }>;
  }

  async findNodesById(id: string): Promise<GraphNode[]> {
    return this.labelsOf(id).map((label) => structuredClone(this.graph.getNodeAttributes(nodeKey(label, id)).node));
  }

  async listNodes(label: NodeLabel, filter: NodeFilter, page: PageRequest): Promise<Page<GraphNode>> {
    const after = decodeCursor(page.cursor, 1)?.[0];
    const matches: GraphNode[] = [];
    this.graph.forEachNode((_key, attrs) => {
      const node = attrs.node;
      if (node.label !== label) return;
      if (after !== undefined && !(node.id > after)) return;
      if (matchesFilter(node, filter)) matches.push(node);
    });
    matches.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const items = matches.slice(0, page.limit).map((n) => structuredClone(n));
    const last = items[items.length - 1];
    return { items, nextCursor: matches.length > page.limit && last ? encodeCursor([last.id]) : null };
  }

  upsertNodes(nodes: GraphNodeInput[], mode: UpsertMode = 'merge'): Promise<WriteResult> {
    return this.write(() => {
      const parsed = parseNodes(nodes);
      this.checkIdsFree(parsed);
      this.applyNodes(nodes, parsed, mode);
      return { nodesUpserted: parsed.length, relationshipsUpserted: 0 };
    });
  }

  deleteNode(label: NodeLabel, id: string): Promise<boolean> {
    return this.write(() => {
      const key = nodeKey(label, id);
      if (!this.graph.hasNode(key)) return { changed: false, result: false };
      this.graph.dropNode(key);
      this.labels.remove(label, id);
      this.changes.push({ dropNode: { label, id } });
      return { result: true };
    });
  }

  async listSupplies(filter: SuppliesFilter, page: PageRequest): Promise<Page<Supplies>> {
    const after = decodeCursor(page.cursor, 3);
    const matches: Supplies[] = [];
    this.graph.forEachEdge((_key, attrs) => {
      const r = attrs.relationship;
      if (r.type !== 'SUPPLIES') return;
      if (filter.from !== undefined && r.from !== filter.from) return;
      if (filter.to !== undefined && r.to !== filter.to) return;
      if (filter.metal !== undefined && r.metal !== filter.metal) return;
      if (after && compareKeys([r.from, r.to, r.metal], after) <= 0) return;
      matches.push(r);
    });
    matches.sort((a, b) => compareKeys([a.from, a.to, a.metal], [b.from, b.to, b.metal]));
    const items = matches.slice(0, page.limit).map((r) => structuredClone(r));
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: matches.length > page.limit && last ? encodeCursor([last.from, last.to, last.metal]) : null,
    };
  }

  upsertRelationships(relationships: RelationshipInput[]): Promise<WriteResult> {
    return this.write(() => {
      const parsed = parseRelationships(relationships);
      this.checkEnds(parsed, []);
      this.applyRelationships(relationships, parsed);
      return { nodesUpserted: 0, relationshipsUpserted: parsed.length };
    });
  }

  deleteSupplies(key: SuppliesKey): Promise<boolean> {
    return this.write(() => {
      const edge = this.findSuppliesEdge(key);
      if (edge === undefined) return { changed: false, result: false };
      this.graph.dropEdge(edge);
      this.changes.push({ dropEdge: edge });
      return { result: true };
    });
  }

  importGraph(document: { nodes: GraphNodeInput[]; relationships: RelationshipInput[] }, options?: ImportOptions): Promise<WriteResult> {
    return this.write(() => {
      // Parse everything before touching the graph: a bad row anywhere means nothing is written.
      const { nodes, relationships } = parseDocument(document, options?.parsed);
      this.checkIdsFree(nodes);
      this.checkEnds(relationships, nodes);
      this.applyNodes(document.nodes, nodes, 'merge');
      this.applyRelationships(document.relationships, relationships);
      return { nodesUpserted: nodes.length, relationshipsUpserted: relationships.length };
    });
  }

  async neighborhood(id: string, request: NeighborhoodRequest): Promise<Neighborhood | null> {
    checkNeighborhoodRequest(request);
    const centerLabel = NODE_LABELS.find((l) => this.graph.hasNode(nodeKey(l, id)));
    if (centerLabel === undefined) return null;
    const centerKey = nodeKey(centerLabel, id);
    const center = structuredClone(this.graph.getNodeAttributes(centerKey).node);
    return walkNeighborhood(request, centerKey, center, (frontier) => this.hopSteps(frontier, request));
  }

  /** The SUPPLIES one hop from `frontier` follows, in the request's direction and metal. */
  private hopSteps(frontier: readonly string[], request: NeighborhoodRequest): HopStep<string>[] {
    const steps: HopStep<string>[] = [];
    const visit = (edge: string, attrs: EdgeAttributes, neighbour: string) => {
      const r = attrs.relationship;
      if (r.type !== 'SUPPLIES' || (request.metal !== undefined && r.metal !== request.metal)) return;
      steps.push({
        edge,
        relationship: () => structuredClone(r),
        neighbour,
        node: () => structuredClone(this.graph.getNodeAttributes(neighbour).node),
      });
    };
    for (const key of frontier) {
      if (request.direction !== 'downstream') this.graph.forEachInEdge(key, (edge, attrs, source) => visit(edge, attrs, source));
      if (request.direction !== 'upstream') this.graph.forEachOutEdge(key, (edge, attrs, _source, target) => visit(edge, attrs, target));
    }
    return steps;
  }

  async scan(): Promise<GraphScan> {
    // Reads run between writes (JS is single-threaded and writes mutate synchronously), so this is one version.
    const nodes: GraphNode[] = [];
    const relationships: Relationship[] = [];
    this.graph.forEachNode((_k, a) => nodes.push(structuredClone(a.node)));
    this.graph.forEachEdge((_k, a) => relationships.push(structuredClone(a.relationship)));
    return { version: this.currentVersion, nodes, relationships };
  }

  async scanColumns(): Promise<ScanColumns> {
    // As scan(), in insertion order, but read in place: the builder copies what it keeps.
    // Each end's position is read off its node (written just before, in the same synchronous
    // pass): two id lookups per relationship were most of a 100k network's scan.
    const builder = new ScanColumnsBuilder(this.graph.order, this.graph.size);
    this.graph.forEachNode((_k, a) => {
      a.scanAt = builder.node(a.node);
    });
    this.graph.forEachEdge((_k, a, _from, _to, fromNode, toNode) => {
      const r = a.relationship;
      if (r.type === 'SUPPLIES') builder.suppliesAt(fromNode.scanAt!, toNode.scanAt!, r.metal, r.share);
    });
    return builder.finish(this.currentVersion);
  }

  clear(): Promise<void> {
    return this.write(() => {
      this.graph.clear();
      this.labels = new LabelIndex();
      // An empty graph file is smaller than any journal line that could say so.
      return { result: undefined, rewrite: true };
    });
  }

  // --- internals ---------------------------------------------------------------------------

  private labelsOf(id: string): readonly NodeLabel[] {
    return this.labels.get(id);
  }

  private checkIdsFree(nodes: readonly GraphNode[]): void {
    checkIdsFree(nodes, new Map(nodeIds(nodes).map((id) => [id, this.labelsOf(id)])));
  }

  private checkEnds(relationships: readonly Relationship[], batchNodes: readonly GraphNode[]): void {
    // The store's index with the batch's own nodes counted, as a view: copying every end's labels
    // into one map cost more than the check.
    const inBatch = mergeLabels(new Map(), batchNodes);
    const labelsOf = (id: string): readonly NodeLabel[] => {
      const stored = this.labelsOf(id);
      const own = inBatch.get(id);
      return own === undefined ? stored : [...stored, ...own.filter((l) => !stored.includes(l))];
    };
    checkRelationshipEnds(relationships, { get: labelsOf });
  }

  /** Assumes `parsed` passed validation; cannot fail half-way. */
  private applyNodes(raw: readonly unknown[], parsed: readonly GraphNode[], mode: UpsertMode): void {
    parsed.forEach((node, i) => {
      const key = nodeKey(node.label, node.id);
      if (!this.graph.hasNode(key)) {
        this.graph.addNode(key, { node });
        this.labels.add(node.label, node.id);
        this.changes.push({ node });
      } else if (mode === 'replace') {
        this.graph.replaceNodeAttributes(key, { node });
        this.changes.push({ node });
      } else {
        const existing = this.graph.getNodeAttributes(key).node;
        const merged = GraphNodeSchema.parse({ ...existing, ...givenProperties(raw[i], node) });
        this.graph.replaceNodeAttributes(key, { node: merged });
        this.changes.push({ node: merged });
      }
    });
  }

  /** Assumes the ends were checked; cannot fail half-way. */
  private applyRelationships(raw: readonly unknown[], parsed: readonly Relationship[]): void {
    const now = new Date().toISOString();
    parsed.forEach((r, i) => {
      const fromLabel = this.labelsOf(r.from)[0]!;
      const toLabel = this.labelsOf(r.to)[0]!;
      const fromKey = nodeKey(fromLabel, r.from);
      const toKey = nodeKey(toLabel, r.to);
      const key = edgeKeyOf(r, fromKey, toKey);
      let relationship: Relationship;
      if (!this.graph.hasEdge(key)) {
        relationship = { ...r, updatedAt: now };
        this.graph.addEdgeWithKey(key, fromKey, toKey, { relationship });
      } else {
        const existing = this.graph.getEdgeAttributes(key).relationship;
        relationship = RelationshipSchema.parse({ ...existing, ...givenProperties(raw[i], r), updatedAt: now });
        this.graph.replaceEdgeAttributes(key, { relationship });
      }
      this.changes.push({ relationship, fromLabel, toLabel });
    });
  }

  private findSuppliesEdge(key: SuppliesKey): string | undefined {
    for (const fromLabel of this.labelsOf(key.from)) {
      for (const toLabel of this.labelsOf(key.to)) {
        const k = edgeKey({ type: 'SUPPLIES', from: key.from, to: key.to, metal: key.metal, source: 'manual' }, fromLabel, toLabel);
        if (this.graph.hasEdge(k)) return k;
      }
    }
    return undefined;
  }

  /**
   * Run one write: serialised behind earlier writes; the mutation runs synchronously (so readers
   * never see half of it), then the file is replaced. On a persistence failure memory is reloaded
   * from the file, which still holds the previous state.
   */
  private write<T>(
    mutate: () => { result?: T; changed?: boolean; rewrite?: boolean; nodesUpserted?: number; relationshipsUpserted?: number },
  ): Promise<T & WriteResult> {
    const run = async () => {
      if (!this.ready) throw new StoreUnavailableError('The embedded store is not open');
      this.changes = [];
      let outcome: ReturnType<typeof mutate>;
      let changes: JournalChange[];
      try {
        outcome = mutate();
      } finally {
        changes = this.changes;
        this.changes = [];
      }
      if (outcome.changed !== false) {
        this.currentVersion += 1;
        try {
          await this.save({ version: this.currentVersion, changes }, outcome.rewrite === true);
        } catch (err) {
          await this.loadFromFile();
          throw new StoreUnavailableError(`Could not save the graph file: ${(err as Error).message}`);
        }
      }
      if ('result' in outcome) return outcome.result as T & WriteResult;
      return {
        nodesUpserted: outcome.nodesUpserted ?? 0,
        relationshipsUpserted: outcome.relationshipsUpserted ?? 0,
        version: this.currentVersion,
      } as T & WriteResult;
    };
    const next = this.writeQueue.then(run, run);
    this.writeQueue = next.catch(() => undefined);
    return next;
  }

  /** One write to disk: a journal line, or the whole graph file when there is none yet or the journal has outgrown it. */
  private async save(entry: JournalEntry, rewrite: boolean): Promise<void> {
    if (rewrite || this.graphFileBytes === 0 || mustCompact(this.journalLimits, this.journalBytes, this.graphFileBytes)) {
      await this.compact();
      return;
    }
    this.journalBytes = await appendEntry(this.journalPath, encodeEntry(entry), this.journalBytes);
    if (shouldCompact(this.journalLimits, this.journalBytes, this.graphFileBytes)) this.compactWhenIdle();
  }

  private async compact(): Promise<void> {
    clearTimeout(this.idleCompaction);
    await this.persist();
    // The graph file holds every line now (and opening skips lines at or below its version).
    await removeJournal(this.journalPath);
    this.journalBytes = 0;
  }

  /**
   * Folds the journal once no write has come for `idleMs`, queued like a write (it reads the graph
   * between two writes). A failure leaves the journal and the old graph file as they were: the
   * next pause, or the hard bound, tries again.
   */
  private compactWhenIdle(): void {
    clearTimeout(this.idleCompaction);
    this.idleCompaction = setTimeout(() => {
      const run = async () => {
        if (this.ready && shouldCompact(this.journalLimits, this.journalBytes, this.graphFileBytes)) await this.compact();
      };
      this.writeQueue = this.writeQueue.then(run, run).catch(() => undefined);
    }, this.journalLimits.idleMs);
    this.idleCompaction.unref();
  }

  private async persist(): Promise<void> {
    const doc: PersistedGraph = {
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      version: this.currentVersion,
      nodes: this.graph.mapNodes((_k, a) => a.node),
      relationships: this.graph.mapEdges((_k, a) => a.relationship),
    };
    const temp = join(this.options.dataDir, `.${FILE_NAME}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const handle = await open(temp, 'w');
    try {
      const text = JSON.stringify(doc);
      await handle.writeFile(text);
      await handle.sync();
      // Characters, not bytes: close enough to weigh the journal against.
      this.graphFileBytes = Math.max(1, text.length);
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, this.filePath);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    // The rename is durable only once the folder entry is on disk.
    const dir = await open(this.options.dataDir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  private async loadFromFile(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.filePath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // The journal holds changes to a graph file: without it they would rebuild only part of a graph.
      if ((await readJournal(this.journalPath)).entries.length > 0)
        throw new Error(`${this.journalPath} holds changes but ${this.filePath} is missing; refusing to start over part of a graph`);
      this.graph = new MultiDirectedGraph<NodeAttributes, EdgeAttributes>();
      this.labels = new LabelIndex();
      this.currentVersion = 0;
      this.graphFileBytes = 0;
      this.journalBytes = 0;
      return;
    }
    let doc: PersistedGraph;
    try {
      doc = JSON.parse(text) as PersistedGraph;
    } catch (err) {
      throw new Error(`${this.filePath} is not valid JSON (${(err as Error).message}); refusing to start over it`);
    }
    if (doc.format !== FORMAT || doc.formatVersion !== FORMAT_VERSION) {
      throw new Error(`${this.filePath} is not an oretrace graph file of format version ${FORMAT_VERSION}`);
    }
    const graph = new MultiDirectedGraph<NodeAttributes, EdgeAttributes>();
    for (const node of doc.nodes) graph.addNode(nodeKey(node.label, node.id), { node });
    const labels = LabelIndex.of(graph);
    const labelsOf = (id: string) => labels.get(id);
    doc.relationships.forEach((r, i) => {
      const [fromLabel, toLabel] = this.placeEnds(r, i, labelsOf(r.from), labelsOf(r.to));
      graph.addEdgeWithKey(edgeKey(r, fromLabel, toLabel), nodeKey(fromLabel, r.from), nodeKey(toLabel, r.to), {
        relationship: r,
      });
    });
    const journal = await readJournal(this.journalPath);
    let version = doc.version;
    for (const entry of journal.entries) {
      if (entry.version <= version) continue;
      replayChanges(graph, labels, entry.changes);
      version = entry.version;
    }
    this.graph = graph;
    this.labels = labels;
    this.currentVersion = version;
    this.graphFileBytes = Math.max(1, text.length);
    this.journalBytes = journal.bytes;
  }

  /**
   * The labels of the nodes a stored relationship joins. The file names ends by id alone, which
   * is unambiguous because writes keep ids unique across labels; a file written before they did
   * may hold an id under two labels. Then the ends the model allows say which node the
   * relationship belongs to (SUPPLIES from "CD" into a smelter is the Country's, never the
   * Company's), and a relationship they cannot place refuses the file: guessing would move data.
   */
  private placeEnds(
    r: Relationship,
    index: number,
    fromLabels: readonly NodeLabel[],
    toLabels: readonly NodeLabel[],
  ): [NodeLabel, NodeLabel] {
    const where = `${this.filePath}: relationships[${index}] (${r.type} ${r.from} -> ${r.to})`;
    if (fromLabels.length === 0 || toLabels.length === 0) throw new Error(`${where} names a missing node`);
    if (fromLabels.length === 1 && toLabels.length === 1) return [fromLabels[0]!, toLabels[0]!];
    const allowed = fromLabels.flatMap((f) =>
      toLabels.filter((t) => endsAllowed(r.type, f, t)).map((t) => [f, t] as [NodeLabel, NodeLabel]),
    );
    if (allowed.length === 1) return allowed[0]!;
    const shared = [r.from, r.to]
      .map((id, i) => [id, i === 0 ? fromLabels : toLabels] as const)
      .filter(([, labels]) => labels.length > 1)
      .map(([id, labels]) => `"${id}" is held by a ${labels.join(' and a ')}`)
      .join('; ');
    throw new Error(
      `${where} cannot be placed: ${shared}, and ${allowed.length === 0 ? 'no' : 'more than one'} pair of them may be its ends. ` +
        'Ids must be unique across labels: rename or remove one of those nodes in the file, then start again',
    );
  }

  private async removeStaleTempFiles(): Promise<void> {
    // Left behind only by a crash between open and rename; the real file is intact.
    for (const name of await readdir(this.options.dataDir)) {
      if (name.startsWith(`.${FILE_NAME}.`) && name.endsWith('.tmp')) await rm(join(this.options.dataDir, name), { force: true });
    }
  }
}
