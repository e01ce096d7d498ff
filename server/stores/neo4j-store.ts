/**
 * The Neo4j adapter of GraphStore (ARCHITECTURE.md, "Where to add": a store): the production store.
 *
 * - Parameterised Cypher only; labels and types come from the fixed tables of ./neo4j-cypher.ts.
 * - Every write is one write transaction (session.executeWrite, so it may be retried: each attempt
 *   looks everything up again, with rows computed before the transaction): validation first
 *   (write-rules), then the version counter's lock (see neo4j-cypher.ts: writes run one at a time), then
 *   the nodes holding the nodes' ids and every relationship end are looked up in the same
 *   transaction (an id another label holds: ConflictError), then nodes are created or updated and
 *   relationships written by their ends' internal ids in UNWIND batches (created where they cannot
 *   exist yet, merged elsewhere: ./neo4j-write-plan.ts), and the version counter on
 *   (:OretraceMeta {id:'graph'}) is bumped once. Any error inside rolls the whole write back, so a
 *   failed write neither leaves data behind nor moves the counter.
 * - An unreachable server (or one that refuses us) surfaces as StoreUnavailableError on every
 *   method; the driver keeps its pool and reconnects by itself once the server is back.
 */
import neo4j, { type Driver, type ManagedTransaction, type Record as Neo4jRecord, type Session } from 'neo4j-driver';

/** What a managed or an explicit transaction both offer. */
type QueryRunner = Pick<ManagedTransaction, 'run'>;
import {
  CompanySchema,
  CountryCodeSchema,
  CountrySchema,
  NODE_LABELS,
  SmelterSchema,
  type GraphNode,
  type GraphNodeInput,
  type NodeLabel,
  type Relationship,
  type RelationshipInput,
  type Supplies,
  type LocatedIn,
  type Metal,
} from '../../graph/model.js';
import { canonicalSuppliesOrder, ScanColumnsBuilder, type NodeFields, type ScanColumns } from '../../graph/scan-columns.js';
import { DomainError, StoreUnavailableError, UnprocessableError, ValidationError } from '../errors.js';
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
  decodeCursor,
  encodeCursor,
  endIds,
  MAX_PAGE_LIMIT,
  mergeLabels,
  nodeIds,
  parseDocument,
  parseNodes,
  parseRelationships,
} from './write-rules.js';
import {
  checkNeighborhoodRequest,
  compareNodes,
  compareRelationships,
  LABEL_ORDER,
  walkNeighborhood,
  type HopStep,
} from './neighborhood-walk.js';
import {
  BUMP_MISSING_VERSION,
  BUMP_VERSION_AT,
  CENTER_CANDIDATES,
  clearQueries,
  CONSTRAINTS,
  CREATE_AND_LOCK_META,
  COUNT_QUERIES,
  DELETE_SUPPLIES,
  deleteNodeQuery,
  ENSURE_META,
  FIND_BY_ID,
  getNodeQuery,
  isNodeLabel,
  listNodesQuery,
  listSuppliesQuery,
  LOCK_VERSION,
  LOCK_VERSION_AT,
  FIND_META,
  META_ID,
  modelLabelOf,
  neighborhoodHopQuery,
  READ_VERSION,
  SCAN_LOCATED_IN,
  SCAN_SUPPLIES,
  SCAN_SUPPLIES_BY_BUYER,
  scanNodeColumnsQuery,
  scanNodesQuery,
  countLabelQuery,
  createNodesQuery,
  CREATE_LOCATED_IN,
  CREATE_SUPPLIES,
  MERGE_LOCATED_IN,
  MERGE_SUPPLIES,
  scanIdsQuery,
  seekIdsQuery,
  updateNodesQuery,
} from './neo4j-cypher.js';
import {
  nodeRowsByLabel,
  relationshipRows,
  relationshipStatements,
  sliceColumns,
  type EndNode,
  type NodeRow,
  type RelationshipColumns,
  type RelationshipRow,
} from './neo4j-write-plan.js';

/** The subset of a pino/Fastify logger the store uses (console fits too). */
export interface Neo4jStoreLogger {
  debug?(obj: object, msg?: string): void;
  info?(obj: object, msg?: string): void;
  warn?(obj: object, msg?: string): void;
  error?(obj: object, msg?: string): void;
}

export interface Neo4jGraphStoreOptions {
  /** e.g. bolt://localhost:7687 or neo4j://host:7687 */
  uri: string;
  user: string;
  password: string;
  /** Default: the server's default database. */
  database?: string | undefined;
  /** Rows per UNWIND statement; default 5000, at least 1000. */
  batchSize?: number | undefined;
  logger?: Neo4jStoreLogger | undefined;
  /** How long to try to open one connection; default 5000 ms. */
  connectionTimeoutMs?: number | undefined;
  /**
   * How long the driver keeps retrying a transaction on transient errors and lost connections
   * before giving up (then: StoreUnavailableError); default 3000 ms, so that an HTTP request
   * answers 503 within seconds when the server is down.
   */
  maxTransactionRetryTimeMs?: number | undefined;
  /** Records pulled per round trip when scanning; default 10000. */
  fetchSize?: number | undefined;
}

export const DEFAULT_BATCH_SIZE = 5000;
export const MIN_BATCH_SIZE = 1000;
/** Attempts of scan() when a write commits while it reads (versions differ at start and end). */
const SCAN_ATTEMPTS = 5;

type Props = Record<string, unknown>;

/** Property keys per label in model order (the schema's own key order), without `label`. */
const NODE_KEYS: Readonly<Record<NodeLabel, readonly string[]>> = {
  Company: Object.keys(CompanySchema.shape).filter((k) => k !== 'label'),
  Smelter: Object.keys(SmelterSchema.shape).filter((k) => k !== 'label'),
  Country: Object.keys(CountrySchema.shape).filter((k) => k !== 'label'),
};

/** Schema defaults, filled in on read when a node was stored without them (e.g. by hand). */
const NODE_DEFAULTS: Readonly<Record<NodeLabel, Readonly<Props>>> = {
  Company: {},
  Smelter: { aliases: [], rmapStatus: 'unknown' },
  Country: { cahra: false, lists: [] },
};

/** What a write's look-up found: the labels holding each id, and the ends relationships are written by. */
interface StoredNodes {
  labels: Map<string, NodeLabel[]>;
  ends: Map<string, EndNode>;
}

interface WritePlan {
  nodes: GraphNode[];
  /** The raw inputs, index for index with `nodes`, to know which properties were mentioned. */
  rawNodes: readonly unknown[];
  relationships: Relationship[];
  mode: UpsertMode;
  /** Set once before the transaction, so a retried transaction writes the same value. */
  updatedAt: string;
}

/** A stored node back to a plain domain object; unknown properties are left out. */
function toNode(label: NodeLabel, p: Props): GraphNode {
  const out: Props = { label };
  for (const key of NODE_KEYS[label]) {
    const v = p[key];
    if (v !== undefined && v !== null) out[key] = v;
    else if (Object.hasOwn(NODE_DEFAULTS[label], key)) out[key] = NODE_DEFAULTS[label][key];
  }
  return out as unknown as GraphNode;
}

/** A record of scanNodeColumnsQuery(label) as the fields the columns keep; absent properties are null. */
function nodeFieldsOf(label: NodeLabel, r: Neo4jRecord): NodeFields {
  // Column 0 is the internal id; an absent property reads null, which the builder takes as absent.
  switch (label) {
    case 'Company':
      return { label, id: r.get(1), name: r.get(2), country: r.get(3), saqScore: r.get(4), humanRightsRisk: r.get(5) };
    case 'Smelter':
      return { label, id: r.get(1), name: r.get(2), country: r.get(3), rmapStatus: r.get(4), recycledOrScrap: r.get(5) };
    case 'Country':
      return { label, id: r.get(1), name: r.get(2), cahra: r.get(3), lists: r.get(4), riskScore: r.get(5) };
  }
}

function toSupplies(from: string, to: string, p: Props): Supplies {
  // In the model's key order: type, from, to, metal, share, source, updatedAt.
  return {
    type: 'SUPPLIES',
    from,
    to,
    metal: p.metal as Supplies['metal'],
    ...(typeof p.share === 'number' ? { share: p.share } : {}),
    source: typeof p.source === 'string' ? p.source : 'manual',
    ...(typeof p.updatedAt === 'string' ? { updatedAt: p.updatedAt } : {}),
  };
}

function toLocatedIn(from: string, to: string, p: Props): LocatedIn {
  return typeof p.updatedAt === 'string' ? { type: 'LOCATED_IN', from, to, updatedAt: p.updatedAt } : { type: 'LOCATED_IN', from, to };
}

function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * Stream a result record by record (pulled fetchSize at a time): unlike `for await`, no promise
 * per record, and unlike `.records`, no second copy of a large result.
 */
function stream(tx: QueryRunner, query: string, onRecord: (record: Neo4jRecord) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed = false;
    tx.run(query).subscribe({
      onNext: (record) => {
        if (failed) return;
        try {
          onRecord(record);
        } catch (err) {
          failed = true;
          reject(err);
        }
      },
      onCompleted: () => {
        if (!failed) resolve();
      },
      onError: (err) => {
        failed = true;
        reject(err);
      },
    });
  });
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new ValidationError(`Invalid limit: must be an integer from 1 to ${MAX_PAGE_LIMIT}`, [
      { path: 'query.limit', message: `must be an integer from 1 to ${MAX_PAGE_LIMIT}` },
    ]);
  }
}

function checkLabel(label: unknown): asserts label is NodeLabel {
  if (!isNodeLabel(label)) {
    throw new ValidationError(`Invalid label: ${String(label)}`, [{ path: 'label', message: `must be one of ${NODE_LABELS.join(', ')}` }]);
  }
}

// ---- driver errors ----------------------------------------------------------------------------

const UNAVAILABLE_CODES = new Set([
  'ServiceUnavailable',
  'SessionExpired',
  'Neo.TransientError.General.DatabaseUnavailable',
  'Neo.ClientError.Database.DatabaseNotFound',
  'Neo.ClientError.Security.Unauthorized',
  'Neo.ClientError.Security.AuthenticationRateLimit',
  'Neo.ClientError.Security.CredentialsExpired',
]);

const CONNECTION_FAILURE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|Connection acquisition timed out|Failed to connect to server|Connection was closed by server|Pool (is )?closed|closed driver/i;

function errorChain(err: unknown): Array<{ code?: unknown; message?: unknown }> {
  const chain: Array<{ code?: unknown; message?: unknown }> = [];
  let e: unknown = err;
  for (let i = 0; i < 5 && typeof e === 'object' && e !== null; i++) {
    chain.push(e as { code?: unknown; message?: unknown });
    e = (e as { cause?: unknown }).cause;
  }
  return chain;
}

/** Whether a driver error means "the server cannot be used right now". */
export function isUnavailableError(err: unknown): boolean {
  return errorChain(err).some(
    (e) =>
      (typeof e.code === 'string' && (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('Neo.TransientError.'))) ||
      (typeof e.message === 'string' && CONNECTION_FAILURE.test(e.message)),
  );
}

function isDeadlock(err: unknown): boolean {
  return errorChain(err).some((e) => e.code === 'Neo.TransientError.Transaction.DeadlockDetected');
}

function isConstraintViolation(err: unknown): boolean {
  return errorChain(err).some((e) => e.code === 'Neo.ClientError.Schema.ConstraintValidationFailed');
}

// ---- the store -----------------------------------------------------------------------------------

export class Neo4jGraphStore implements GraphStore {
  readonly kind = 'neo4j' as const;
  readonly batchSize: number;
  private readonly driver: Driver;
  private readonly database: string | undefined;
  private readonly logger: Neo4jStoreLogger | undefined;
  private readonly fetchSize: number;
  private readonly uri: string;
  private closed = false;
  /** The version counter's element id (FIND_META); undefined until looked up, null when there is none. */
  private counterElementId: string | null | undefined;

  constructor(options: Neo4jGraphStoreOptions) {
    const batch = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isFinite(batch)) throw new RangeError('batchSize must be a number');
    this.batchSize = Math.max(MIN_BATCH_SIZE, Math.floor(batch));
    this.database = options.database || undefined;
    this.logger = options.logger;
    this.fetchSize = Math.max(1000, Math.floor(options.fetchSize ?? 10_000));
    this.uri = options.uri;
    const logger = options.logger;
    this.driver = neo4j.driver(options.uri, neo4j.auth.basic(options.user, options.password), {
      disableLosslessIntegers: true,
      userAgent: 'oretrace',
      connectionTimeout: options.connectionTimeoutMs ?? 5000,
      connectionAcquisitionTimeout: Math.max(10_000, (options.connectionTimeoutMs ?? 5000) * 2),
      maxTransactionRetryTime: options.maxTransactionRetryTimeMs ?? 3000,
      logging: {
        level: 'warn',
        logger: (level, message) => {
          if (level === 'error') logger?.error?.({ store: 'neo4j' }, message);
          else logger?.warn?.({ store: 'neo4j' }, message);
        },
      },
    });
  }

  // ---- lifecycle ----

  async init(): Promise<void> {
    await this.guard('init', async () => {
      const session = this.session('WRITE');
      try {
        for (const statement of CONSTRAINTS) {
          try {
            await session.run(statement);
          } catch (err) {
            // Two instances creating the same constraint at once: the loser may hear about it.
            const code = (err as { code?: unknown }).code;
            if (
              code !== 'Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists' &&
              code !== 'Neo.ClientError.Schema.ConstraintAlreadyExists'
            )
              throw err;
          }
        }
        await session.run('CALL db.awaitIndexes(300)');
        await session.executeWrite((tx) => tx.run(ENSURE_META, { metaId: META_ID }));
      } finally {
        await session.close();
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.driver.close();
  }

  async ping(): Promise<void> {
    await this.guard('ping', async () => {
      const session = this.driver.session({
        database: this.database,
        defaultAccessMode: neo4j.session.READ,
        disableAutoCommitRetries: true,
      });
      try {
        await session.run('RETURN 1 AS ok');
      } finally {
        await session.close();
      }
    });
  }

  async version(): Promise<number> {
    return this.read('version', (tx) => this.readVersion(tx));
  }

  async counts(): Promise<{ nodes: number; relationships: number }> {
    return this.read('counts', async (tx) => {
      const c: number[] = [];
      for (const q of COUNT_QUERIES) {
        const res = await tx.run(q);
        c.push(Number(res.records[0]?.get('c') ?? 0));
      }
      const labels = NODE_LABELS.length;
      return {
        nodes: c.slice(0, labels).reduce((a, b) => a + b, 0),
        relationships: c.slice(labels).reduce((a, b) => a + b, 0),
      };
    });
  }

  // ---- nodes ----

  async getNode<L extends NodeLabel>(label: L, id: string): Promise<Extract<GraphNode, { label: L }> | null> {
    checkLabel(label);
    return this.read('getNode', async (tx) => {
      const res = await tx.run(getNodeQuery(label), { id });
      const rec = res.records[0];
      return rec ? (toNode(label, rec.get('p') as Props) as Extract<GraphNode, { label: L }>) : null;
    });
  }

  async findNodesById(id: string): Promise<GraphNode[]> {
    return this.read('findNodesById', async (tx) => {
      const res = await tx.run(FIND_BY_ID, { id });
      return res.records.map((r) => toNode(r.get('label') as NodeLabel, r.get('p') as Props)).sort(compareNodes);
    });
  }

  async listNodes(label: NodeLabel, filter: NodeFilter, page: PageRequest): Promise<Page<GraphNode>> {
    checkLabel(label);
    checkLimit(page.limit);
    const after = decodeCursor(page.cursor, 1)?.[0];
    const search = filter.search !== undefined && filter.search !== '' ? filter.search.toLowerCase() : undefined;
    const query = listNodesQuery(label, {
      after: after !== undefined,
      search: search !== undefined,
      country: filter.country !== undefined,
      metal: filter.metal !== undefined,
      rmapStatus: filter.rmapStatus !== undefined,
      cahra: typeof filter.cahra === 'boolean',
    });
    const params = {
      after: after ?? null,
      search: search ?? null,
      country: filter.country ?? null,
      metal: filter.metal ?? null,
      rmapStatus: filter.rmapStatus ?? null,
      cahra: typeof filter.cahra === 'boolean' ? filter.cahra : null,
      limit: neo4j.int(page.limit + 1),
    };
    return this.read('listNodes', async (tx) => {
      const res = await tx.run(query, params);
      const nodes = res.records.map((r) => toNode(label, r.get('p') as Props));
      const more = nodes.length > page.limit;
      const items = more ? nodes.slice(0, page.limit) : nodes;
      return { items, nextCursor: more ? encodeCursor([items[items.length - 1]!.id]) : null };
    });
  }

  async upsertNodes(nodes: GraphNodeInput[], mode: UpsertMode = 'merge'): Promise<WriteResult> {
    if (mode !== 'merge' && mode !== 'replace') throw new TypeError(`Unknown upsert mode: ${String(mode)}`);
    const parsed = parseNodes(nodes);
    return this.write(
      'upsertNodes',
      {
        nodes: parsed,
        rawNodes: nodes,
        relationships: [],
        mode,
        updatedAt: new Date().toISOString(),
      },
      [],
    );
  }

  async deleteNode(label: NodeLabel, id: string): Promise<boolean> {
    checkLabel(label);
    return this.withSession('WRITE', 'deleteNode', (session) =>
      session.executeWrite(async (tx) => {
        await this.lockWrites(tx);
        const res = await tx.run(deleteNodeQuery(label), { id });
        const deleted = Number(res.records[0]?.get('deleted') ?? 0);
        if (deleted === 0) return false;
        await this.bumpVersion(tx);
        return true;
      }),
    );
  }

  // ---- relationships ----

  async listSupplies(filter: SuppliesFilter, page: PageRequest): Promise<Page<Supplies>> {
    checkLimit(page.limit);
    const after = decodeCursor(page.cursor, 3);
    const has = (v: string | undefined): v is string => v !== undefined && v !== '';
    const query = listSuppliesQuery({
      from: has(filter.from),
      to: has(filter.to),
      metal: has(filter.metal),
      after: after !== undefined,
    });
    const params = {
      from: has(filter.from) ? filter.from : null,
      to: has(filter.to) ? filter.to : null,
      metal: has(filter.metal) ? filter.metal : null,
      afterFrom: after?.[0] ?? null,
      afterTo: after?.[1] ?? null,
      afterMetal: after?.[2] ?? null,
      limit: neo4j.int(page.limit + 1),
    };
    return this.read('listSupplies', async (tx) => {
      const res = await tx.run(query, params);
      const rels = res.records.map((r) => toSupplies(r.get('from') as string, r.get('to') as string, r.get('p') as Props));
      const more = rels.length > page.limit;
      const items = more ? rels.slice(0, page.limit) : rels;
      const last = items[items.length - 1];
      return { items, nextCursor: more && last ? encodeCursor([last.from, last.to, last.metal]) : null };
    });
  }

  async upsertRelationships(relationships: RelationshipInput[]): Promise<WriteResult> {
    const parsed = parseRelationships(relationships);
    return this.write(
      'upsertRelationships',
      { nodes: [], rawNodes: [], relationships: parsed, mode: 'merge', updatedAt: new Date().toISOString() },
      relationships,
    );
  }

  async deleteSupplies(key: SuppliesKey): Promise<boolean> {
    return this.withSession('WRITE', 'deleteSupplies', (session) =>
      session.executeWrite(async (tx) => {
        await this.lockWrites(tx);
        const res = await tx.run(DELETE_SUPPLIES, { from: key.from, to: key.to, metal: key.metal });
        const deleted = Number(res.records[0]?.get('deleted') ?? 0);
        if (deleted === 0) return false;
        await this.bumpVersion(tx);
        return true;
      }),
    );
  }

  async importGraph(
    document: { nodes: GraphNodeInput[]; relationships: RelationshipInput[] },
    options?: ImportOptions,
  ): Promise<WriteResult> {
    const rawNodes = document.nodes ?? [];
    const rawRels = document.relationships ?? [];
    const { nodes, relationships } = parseDocument({ nodes: rawNodes, relationships: rawRels }, options?.parsed);
    return this.write('importGraph', { nodes, rawNodes, relationships, mode: 'merge', updatedAt: new Date().toISOString() }, rawRels);
  }

  // ---- traversal and scan ----

  async neighborhood(id: string, request: NeighborhoodRequest): Promise<Neighborhood | null> {
    checkNeighborhoodRequest(request);
    const hopQuery = neighborhoodHopQuery(request.direction, request.metal !== undefined);
    return this.read('neighborhood', async (tx) => {
      // Element ids are only stable within one transaction: the whole walk runs in this one.
      const cands = await tx.run(CENTER_CANDIDATES, { id });
      const centerRec = cands.records
        .map((r) => ({ label: r.get('label') as NodeLabel, nid: r.get('nid') as string, p: r.get('p') as Props }))
        .sort((a, b) => LABEL_ORDER[a.label] - LABEL_ORDER[b.label])[0];
      if (!centerRec) return null;
      const center = toNode(centerRec.label, centerRec.p);
      return walkNeighborhood(request, centerRec.nid, center, (frontier) => this.hopSteps(tx, hopQuery, frontier, request.metal));
    });
  }

  /** One hop of the walk: the hop query per chunk of the frontier, element ids as keys. */
  private async hopSteps(
    tx: QueryRunner,
    hopQuery: string,
    frontier: readonly string[],
    metal: Metal | undefined,
  ): Promise<HopStep<string>[]> {
    const steps: HopStep<string>[] = [];
    for (const part of chunks(frontier, this.batchSize)) {
      const res = await tx.run(hopQuery, { frontier: part, metal: metal ?? null });
      for (const r of res.records) {
        const label = modelLabelOf(r.get('labels') as string[]);
        if (!label) continue;
        steps.push({
          edge: r.get('rid') as string,
          relationship: () => toSupplies(r.get('from') as string, r.get('to') as string, r.get('rp') as Props),
          neighbour: r.get('nid') as string,
          node: () => toNode(label, r.get('p') as Props),
        });
      }
    }
    return steps;
  }

  async scan(): Promise<GraphScan> {
    return this.readOneVersion('scan', async (tx) => {
      const nodes: GraphNode[] = [];
      const relationships: Relationship[] = [];
      for (const label of NODE_LABELS) {
        await stream(tx, scanNodesQuery(label), (r) => nodes.push(toNode(label, r.get('p') as Props)));
      }
      await stream(tx, SCAN_SUPPLIES, (r) =>
        relationships.push(toSupplies(r.get('from') as string, r.get('to') as string, r.get('p') as Props)),
      );
      await stream(tx, SCAN_LOCATED_IN, (r) =>
        relationships.push(toLocatedIn(r.get('from') as string, r.get('to') as string, r.get('p') as Props)),
      );
      return (version) => {
        nodes.sort(compareNodes);
        relationships.sort(compareRelationships);
        return { version, nodes, relationships };
      };
    });
  }

  async scanColumns(): Promise<ScanColumns> {
    return this.readOneVersion('scan', async (tx) => {
      const builder = new ScanColumnsBuilder();
      // Labels in the order of scan(), each in id order: node positions are the same on every read.
      // Internal id → position. Internal ids are dense (record positions in the store), so a
      // table indexed by them is smaller and several times faster than a Map of a million numbers.
      let positionOf = new Int32Array(1024).fill(-1);
      const place = (internalId: number, position: number) => {
        if (internalId >= positionOf.length) {
          const grown = new Int32Array(Math.max(internalId + 1, 2 * positionOf.length)).fill(-1);
          grown.set(positionOf);
          positionOf = grown;
        }
        positionOf[internalId] = position;
      };
      const at = (internalId: number) => (internalId < positionOf.length ? positionOf[internalId]! : -1);
      for (const label of NODE_LABELS) {
        await stream(tx, scanNodeColumnsQuery(label), (r) => place(r.get(0) as number, builder.node(nodeFieldsOf(label, r))));
      }
      await stream(tx, SCAN_SUPPLIES_BY_BUYER, (r) => {
        const to = at(r.get(0) as number);
        if (to < 0) return; // SUPPLIES into a node outside the model's labels
        const sources = r.get(1) as Array<[number, Metal, number | null]>;
        for (let j = 0; j < sources.length; j++) {
          const source = sources[j]!;
          const from = at(source[0]);
          if (from >= 0) builder.suppliesAt(from, to, source[1], source[2]);
        }
      });
      return (version) => {
        const columns = builder.finish(version);
        return { ...columns, supplies: canonicalSuppliesOrder(columns.supplies, columns.nodes.nodeCount) };
      };
    });
  }

  /**
   * Reads of one committed version. Neo4j reads are read-committed without snapshots, and a
   * lock-free reader can even see a commit half applied: comparing the version before and after
   * the reads is not enough. The read holds the version counter's write lock instead
   * (LOCK_VERSION; then rolled back, nothing is written): no write can commit while it reads, so
   * what it reads is one version. Writes wait for it to finish before they commit. `read` returns
   * a function that makes the answer once the version is known to be one.
   */
  private readOneVersion<T>(op: string, read: (tx: QueryRunner) => Promise<(version: number) => T>): Promise<T> {
    return this.withSession(
      'WRITE',
      op,
      async (session) => {
        for (let attempt = 1; attempt <= SCAN_ATTEMPTS; attempt++) {
          const tx = session.beginTransaction();
          let before: number;
          let after: number;
          let finish: (version: number) => T;
          try {
            before = await this.onCounter(tx, LOCK_VERSION_AT, LOCK_VERSION);
            finish = await read(tx);
            after = await this.readVersion(tx);
          } catch (err) {
            // Neo4j chose this read as a deadlock's victim: its detector also reports waits behind
            // queued writes as deadlocks, and asks for a retry (a transient error). It read nothing
            // that counts: it reads again, as a read that saw a change does, and gives up as one.
            if (!isDeadlock(err)) throw err;
            this.logger?.debug?.({ store: 'neo4j', attempt }, 'scan chosen as a deadlock victim; scanning again');
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * attempt));
            continue;
          } finally {
            await tx.rollback().catch(() => undefined);
          }
          if (before === after) return finish(before);
          // Only a write that does not bump the counter last (none does) could get here.
          this.logger?.debug?.({ store: 'neo4j', before, after, attempt }, 'graph changed during scan; scanning again');
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * attempt));
        }
        // What was read mixes versions: never hand it out (under any version number, a snapshot
        // compiled from it would give answers no committed graph gives).
        throw new StoreUnavailableError(`The graph kept changing while it was read (${SCAN_ATTEMPTS} attempts); try again`, 1);
      },
      this.fetchSize,
    );
  }

  async clear(): Promise<void> {
    await this.withSession('WRITE', 'clear', async (session) => {
      // CALL ... IN TRANSACTIONS needs an implicit (auto-commit) transaction: session.run.
      for (const q of clearQueries(this.batchSize)) await session.run(q);
      await session.executeWrite((tx) => this.bumpVersion(tx));
    });
  }

  // ---- internals ----

  private session(mode: 'READ' | 'WRITE', fetchSize?: number): Session {
    return this.driver.session({
      database: this.database,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
      ...(fetchSize !== undefined ? { fetchSize } : {}),
    });
  }

  private async withSession<T>(mode: 'READ' | 'WRITE', op: string, fn: (session: Session) => Promise<T>, fetchSize?: number): Promise<T> {
    return this.guard(op, async () => {
      const session = this.session(mode, fetchSize);
      try {
        return await fn(session);
      } finally {
        await session.close();
      }
    });
  }

  private read<T>(op: string, work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    return this.withSession('READ', op, (session) => session.executeRead(work));
  }

  /** Turns driver failures into the error vocabulary; domain errors pass through. */
  private async guard<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof DomainError) throw err;
      if (isUnavailableError(err)) {
        const detail = err instanceof Error ? err.message : String(err);
        this.logger?.warn?.({ store: 'neo4j', op, uri: this.uri, err: detail }, 'Neo4j unavailable');
        throw Object.assign(new StoreUnavailableError(`Neo4j is unavailable (${op}): ${detail.split('\n')[0]}`), { cause: err });
      }
      if (isConstraintViolation(err)) {
        const detail = err instanceof Error ? err.message : String(err);
        throw Object.assign(new UnprocessableError(`The write violates a uniqueness constraint: ${detail}`), { cause: err });
      }
      throw err;
    }
  }

  private async readVersion(tx: QueryRunner): Promise<number> {
    const res = await tx.run(READ_VERSION, { metaId: META_ID });
    return Number(res.records[0]?.get('version') ?? 0);
  }

  private async bumpVersion(tx: ManagedTransaction): Promise<number> {
    return this.onCounter(tx, BUMP_VERSION_AT, BUMP_MISSING_VERSION);
  }

  /** The first statement of every write transaction: the version counter's write lock (neo4j-cypher.ts). */
  private async lockWrites(tx: ManagedTransaction): Promise<void> {
    await this.onCounter(tx, LOCK_VERSION_AT, CREATE_AND_LOCK_META);
  }

  /**
   * Runs `atCounter` on the version counter reached by its element id (see FIND_META: no
   * unique-index locks), and answers the version it returns. The element id is looked up once per
   * store and again when it stops naming the counter (a database emptied by hand); `otherwise`
   * (by indexed id, creating the counter if need be) runs only when there is no counter at all.
   */
  private async onCounter(tx: QueryRunner, atCounter: string, otherwise: string): Promise<number> {
    for (let lookup = 0; lookup < 2; lookup++) {
      this.counterElementId ??= await this.findCounter(tx);
      if (this.counterElementId === null) break;
      const res = await tx.run(atCounter, { eid: this.counterElementId, metaId: META_ID });
      if (res.records.length > 0) return Number(res.records[0]!.get('version') ?? 0);
      this.counterElementId = undefined;
    }
    this.counterElementId = undefined;
    const res = await tx.run(otherwise, { metaId: META_ID });
    return Number(res.records[0]?.get('version') ?? 0);
  }

  private async findCounter(tx: QueryRunner): Promise<string | null> {
    const res = await tx.run(FIND_META, { metaId: META_ID });
    return (res.records[0]?.get('eid') as string | undefined) ?? null;
  }

  /**
   * The nodes holding the given ids, within the transaction: their labels, internal ids and
   * END_FLAGS. A label with fewer nodes than there are ids is read whole (neo4j-cypher.ts, scanIdsQuery).
   */
  private async lookupNodes(tx: ManagedTransaction, ids: readonly string[]): Promise<StoredNodes> {
    const stored: StoredNodes = { labels: new Map(), ends: new Map() };
    // Only an ISO code can be a Country's id: the other ids need no look-up there.
    const countryIds = ids.filter((id) => CountryCodeSchema.safeParse(id).success);
    for (const label of NODE_LABELS) {
      const wanted = label === 'Country' ? countryIds : ids;
      if (wanted.length === 0) continue;
      const count = await tx.run(countLabelQuery(label));
      const nodes = Number(count.records[0]?.get('c') ?? 0);
      if (nodes === 0) continue;
      const parts = nodes <= wanted.length ? [wanted] : chunks(wanted, this.batchSize);
      const query = nodes <= wanted.length ? scanIdsQuery(label) : seekIdsQuery(label);
      for (const part of parts) {
        const res = await tx.run(query, { ids: part });
        const record = res.records[0];
        if (record === undefined) continue;
        const found = record.get('found') as string[];
        const nids = record.get('nids') as number[];
        const flags = record.get('flags') as number[];
        for (let k = 0; k < found.length; k++) {
          const id = found[k]!;
          const labels = stored.labels.get(id) ?? [];
          labels.push(label);
          stored.labels.set(id, labels);
          // An id under two labels keeps its first: relationships naming it are refused as ambiguous.
          if (!stored.ends.has(id)) stored.ends.set(id, { nid: nids[k]!, flags: flags[k]! });
        }
      }
    }
    return stored;
  }

  /** Nodes before relationships: updates by internal id, creations of the rest; the created nodes join `ends`. */
  private async writeNodes(
    tx: ManagedTransaction,
    op: string,
    rowsByLabel: Map<NodeLabel, NodeRow[]>,
    mode: UpsertMode,
    stored: StoredNodes,
  ) {
    for (const label of NODE_LABELS) {
      const rows = rowsByLabel.get(label);
      if (rows === undefined) continue;
      const updates: Array<{ nid: number; props: Props; given: Props }> = [];
      const creations: Props[] = [];
      for (const row of rows) {
        // checkIdsFree passed: a stored id in this batch is held by this label alone.
        const end = stored.ends.get(row.id);
        if (end === undefined) creations.push(row.props);
        else
          updates.push(mode === 'replace' ? { nid: end.nid, props: row.props, given: {} } : { nid: end.nid, props: {}, given: row.given });
      }
      if (updates.length > 0) await this.runBatches(tx, op, `nodes:${label}`, updateNodesQuery(mode), updates);
      for (const part of chunks(creations, this.batchSize)) {
        this.logger?.debug?.({ store: 'neo4j', op, what: `nodes:${label}`, rows: part.length }, 'neo4j unwind batch');
        const res = await tx.run(createNodesQuery(label), { rows: part });
        const found = (res.records[0]?.get('found') as string[] | undefined) ?? [];
        const nids = (res.records[0]?.get('nids') as number[] | undefined) ?? [];
        for (let k = 0; k < found.length; k++) stored.ends.set(found[k]!, { nid: nids[k]!, flags: 0 });
      }
    }
  }

  /**
   * The relationship statements' columns in batches of batchSize rows; returns how many rows they
   * reported written. Two statements are kept in flight (the driver pipelines them within the
   * transaction; the server runs them in order), so the client packs the next batch while the
   * server works on this one.
   */
  private async runColumnBatches(
    tx: ManagedTransaction,
    op: string,
    what: string,
    query: string,
    columns: RelationshipColumns,
    params: (part: RelationshipColumns) => Record<string, unknown>,
  ): Promise<number> {
    const total = columns.a.length;
    let written = 0;
    let inFlight: Promise<number> | undefined;
    for (let start = 0; start < total; start += this.batchSize) {
      const part = sliceColumns(columns, start, Math.min(total, start + this.batchSize));
      this.logger?.debug?.({ store: 'neo4j', op, what, from: start, rows: part.a.length }, 'neo4j unwind batch');
      const sent = tx.run(query, params(part)).then((res) => Number(res.records[0]?.get('written') ?? 0));
      // Keep a rejection of a statement still in flight from going unhandled if an earlier one fails.
      sent.catch(() => undefined);
      if (inFlight) written += await inFlight;
      inFlight = sent;
    }
    if (inFlight) written += await inFlight;
    return written;
  }

  /** The relationships, by the internal ids of their ends: created where known new, merged elsewhere. */
  private async writeRelationships(
    tx: ManagedTransaction,
    op: string,
    rows: readonly RelationshipRow[],
    stored: StoredNodes,
    updatedAt: string,
  ) {
    const statements = relationshipStatements(rows, (id) => stored.ends.get(id)!);
    const supplies = (c: RelationshipColumns) => ({ ...c, updatedAt });
    const locatedIn = (c: RelationshipColumns) => ({ a: c.a, b: c.b, updatedAt });
    const written =
      (await this.runColumnBatches(tx, op, 'SUPPLIES:create', CREATE_SUPPLIES, statements.createSupplies, supplies)) +
      (await this.runColumnBatches(tx, op, 'SUPPLIES:merge', MERGE_SUPPLIES, statements.mergeSupplies, supplies)) +
      (await this.runColumnBatches(tx, op, 'LOCATED_IN:create', CREATE_LOCATED_IN, statements.createLocatedIn, locatedIn)) +
      (await this.runColumnBatches(tx, op, 'LOCATED_IN:merge', MERGE_LOCATED_IN, statements.mergeLocatedIn, locatedIn));
    if (written !== rows.length) {
      // An end was deleted by a concurrent write between the check and the write.
      throw new UnprocessableError('A relationship end was removed while the write ran; nothing was written', [
        { path: 'relationships', message: 'an end node no longer exists' },
      ]);
    }
  }

  /** UNWIND map rows in batches (node updates); returns how many rows the statements reported written. */
  private async runBatches(tx: ManagedTransaction, op: string, what: string, query: string, rows: readonly unknown[]): Promise<number> {
    let written = 0;
    for (const part of chunks(rows, this.batchSize)) {
      this.logger?.debug?.({ store: 'neo4j', op, what, rows: part.length }, 'neo4j unwind batch');
      const res = await tx.run(query, { rows: part });
      written += Number(res.records[0]?.get('written') ?? 0);
    }
    return written;
  }

  /** One all-or-nothing write of nodes then relationships, bumping the version once. */
  private async write(op: string, plan: WritePlan, rawRelationships: readonly unknown[]): Promise<WriteResult> {
    const { nodes, rawNodes, relationships, mode, updatedAt } = plan;
    if (nodes.length === 0 && relationships.length === 0) {
      return { nodesUpserted: 0, relationshipsUpserted: 0, version: await this.version() };
    }
    // Rows are built once, outside the transaction function, which the driver may run again.
    const nodeRows = nodeRowsByLabel(nodes, rawNodes, mode);
    const relRows = relationshipRows(relationships, rawRelationships);
    const ids = [...new Set([...nodeIds(nodes), ...endIds(relationships)])];

    const started = performance.now();
    const phase = (name: string, since: number) =>
      this.logger?.debug?.({ store: 'neo4j', op, phase: name, ms: Math.round(performance.now() - since) }, 'neo4j write phase');
    const version = await this.withSession('WRITE', op, (session) =>
      session.executeWrite(async (tx) => {
        let t = performance.now();
        await this.lockWrites(tx);
        // 1. Check that no other label holds the nodes' ids, and every relationship end, against
        // the store and this batch's nodes. Throwing rolls the transaction back.
        const stored = await this.lookupNodes(tx, ids);
        checkIdsFree(nodes, stored.labels);
        if (relationships.length > 0) checkRelationshipEnds(relationships, mergeLabels(stored.labels, nodes));
        phase('check-ends', t);
        t = performance.now();
        // 2. Nodes before relationships.
        await this.writeNodes(tx, op, nodeRows, mode, stored);
        if (nodes.length > 0) phase('nodes', t);
        t = performance.now();
        // 3. Relationships, by the internal ids of their ends.
        if (relRows.length > 0) await this.writeRelationships(tx, op, relRows, stored, updatedAt);
        if (relationships.length > 0) phase('relationships', t);
        // 4. Once per write.
        return this.bumpVersion(tx);
      }),
    );
    phase('total-with-commit', started);
    return { nodesUpserted: nodes.length, relationshipsUpserted: relationships.length, version };
  }
}
