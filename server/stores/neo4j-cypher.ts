/**
 * The Cypher of the Neo4j adapter (private to server/stores/neo4j-store.ts).
 *
 * Labels and relationship types cannot be query parameters in Cypher, so they are spliced into the
 * query text — but only ever from the fixed lookup tables below, keyed by the closed sets of
 * graph/model.ts, never from caller text. Every value travels as a parameter.
 */
import { ALLOWED_ENDS, NODE_LABELS, type NodeLabel } from '../../graph/model.js';

/** The only label texts that may appear in a query. */
const LABEL_TEXT: Readonly<Record<NodeLabel, string>> = Object.freeze({
  Company: 'Company',
  Smelter: 'Smelter',
  Country: 'Country',
});

/** The label of a model label as Cypher text; refuses anything outside the fixed set. */
export function cypherLabel(label: NodeLabel): string {
  if (typeof label !== 'string' || !Object.hasOwn(LABEL_TEXT, label)) {
    throw new TypeError(`Not a node label of the model: ${String(label)}`);
  }
  return LABEL_TEXT[label];
}

export function isNodeLabel(label: unknown): label is NodeLabel {
  return typeof label === 'string' && Object.hasOwn(LABEL_TEXT, label);
}

/** The first model label (in model order: Company, Smelter, Country) among a node's labels. */
export function modelLabelOf(labels: readonly string[]): NodeLabel | undefined {
  return NODE_LABELS.find((l) => labels.includes(l));
}

/** The node that holds the version counter; not part of the domain graph. */
export const META_LABEL = 'OretraceMeta';
export const META_ID = 'graph';

export const CONSTRAINTS: readonly string[] = [
  ...NODE_LABELS.map(
    (label) => `CREATE CONSTRAINT oretrace_${label.toLowerCase()}_id IF NOT EXISTS FOR (n:${cypherLabel(label)}) REQUIRE n.id IS UNIQUE`,
  ),
  `CREATE CONSTRAINT oretrace_meta_id IF NOT EXISTS FOR (n:${META_LABEL}) REQUIRE n.id IS UNIQUE`,
];

export const ENSURE_META = `MERGE (m:${META_LABEL} {id: $metaId}) ON CREATE SET m.version = 0`;

/**
 * The version counter, and the locks that order scans and writes. Every write takes the counter's
 * write lock first (changing nothing), so writes run one after another from their start, not only
 * at their final bump: a write that checks which labels hold its ids cannot race another creating
 * one of them (Neo4j has no uniqueness constraint across labels; the check and this lock make ids
 * unique across labels, and the lock order — counter first, then nodes — is the same in every
 * write). Its last statement bumps the counter. A scan takes the same lock (then rolls back,
 * nothing written): while it holds it no write can commit, and one that was committing has
 * finished applying. The statements that take it (LOCK_VERSION_AT, BUMP_VERSION_AT) reach the
 * counter by its element id, see FIND_META; those below, by its indexed id, only run when there is
 * no counter (init creates it; only a database emptied by hand lacks it).
 */
export const READ_VERSION = `OPTIONAL MATCH (m:${META_LABEL} {id: $metaId}) RETURN coalesce(m.version, 0) AS version`;

/** A scan's lock where there is no counter: nothing to lock, version 0. */
export const LOCK_VERSION = `OPTIONAL MATCH (m:${META_LABEL} {id: $metaId})
SET m.version = m.version
RETURN coalesce(m.version, 0) AS version`;

/** A write's lock where there is no counter: creates it. */
export const CREATE_AND_LOCK_META = `MERGE (m:${META_LABEL} {id: $metaId})
ON CREATE SET m.version = 0
SET m.locks = coalesce(m.locks, 0) + 1
RETURN m.version AS version`;

/** A write's bump where there is no counter: creates it. */
export const BUMP_MISSING_VERSION = `MERGE (m:${META_LABEL} {id: $metaId})
ON CREATE SET m.version = 0
SET m.version = m.version + 1
RETURN m.version AS version`;

/**
 * The version counter's element id, found by a read-only statement (its unique-index seek takes no
 * lock). The three statements below that lock or bump the counter reach it by that element id, not
 * by its indexed id: a statement that writes seeks a unique index with locks on the index entry,
 * and a scan and a write that both took the entry's lock and then waited for the node's deadlocked
 * (the write, holding the node, asked for the entry again to bump the counter). No index, no entry
 * locks: the node's write lock alone orders scans and writes.
 */
export const FIND_META = `MATCH (m:${META_LABEL} {id: $metaId}) RETURN elementId(m) AS eid`;

/**
 * The counter's write lock, by its element id ($eid): no row when that id no longer names the
 * counter. It writes a value that changes (m.locks): a SET of the value a property already holds
 * took no lock here, and scans read mixed versions. A scan rolls it back; a write commits it.
 */
export const LOCK_VERSION_AT = `MATCH (m) WHERE elementId(m) = $eid AND m:${META_LABEL} AND m.id = $metaId
SET m.locks = coalesce(m.locks, 0) + 1
RETURN coalesce(m.version, 0) AS version`;

/** The last statement of every write: the counter bumped, by its element id ($eid). */
export const BUMP_VERSION_AT = `MATCH (m) WHERE elementId(m) = $eid AND m:${META_LABEL} AND m.id = $metaId
SET m.version = m.version + 1
RETURN m.version AS version`;

/**
 * Bits of a node's `flags` in the look-ups below: the kinds of relationship it already has. A
 * relationship one of whose ends has none of its kind (in its direction) cannot exist yet, so the
 * write creates it outright instead of merging: MERGE looks for it first, and on an import into a
 * graph without relationships that search was most of the work.
 */
export const END_FLAGS = { suppliesOut: 1, suppliesIn: 2, locatedInOut: 4, locatedInIn: 8 } as const;
const END_FLAGS_EXPRESSION = `CASE WHEN EXISTS { (n)-[:SUPPLIES]->() } THEN 1 ELSE 0 END +
  CASE WHEN EXISTS { (n)<-[:SUPPLIES]-() } THEN 2 ELSE 0 END +
  CASE WHEN EXISTS { (n)-[:LOCATED_IN]->() } THEN 4 ELSE 0 END +
  CASE WHEN EXISTS { (n)<-[:LOCATED_IN]-() } THEN 8 ELSE 0 END`;

/**
 * Which of $ids exist under the label: their ids, internal ids (what the writes below reach them
 * by, within the same transaction) and END_FLAGS, as three lists in one record (a record per id
 * costs the driver more than the look-up). By an index seek per id.
 */
export function seekIdsQuery(label: NodeLabel): string {
  return `UNWIND $ids AS wanted
MATCH (n:${cypherLabel(label)} {id: wanted})
RETURN collect(wanted) AS found, collect(id(n)) AS nids, collect(${END_FLAGS_EXPRESSION}) AS flags`;
}

/** The same by reading every node of the label: cheaper than a seek per id when the label has fewer nodes than the batch has ids (smelters, countries). */
export function scanIdsQuery(label: NodeLabel): string {
  const l = cypherLabel(label);
  return `MATCH (n:${l}) USING SCAN n:${l}
WHERE n.id IN $ids
RETURN collect(n.id) AS found, collect(id(n)) AS nids, collect(${END_FLAGS_EXPRESSION}) AS flags`;
}

/** Nodes of the label, from the count store. */
export function countLabelQuery(label: NodeLabel): string {
  return `MATCH (n:${cypherLabel(label)}) RETURN count(n) AS c`;
}

/** Nodes the look-up did not find: created with every property (defaults applied); their ids and internal ids come back. */
export function createNodesQuery(label: NodeLabel): string {
  return `UNWIND $rows AS row
CREATE (n:${cypherLabel(label)})
SET n = row
RETURN collect(n.id) AS found, collect(id(n)) AS nids`;
}

/**
 * Nodes the look-up found, by internal id (row.nid). merge: only the properties the input
 * mentioned; replace: the stored node becomes exactly the input.
 */
export function updateNodesQuery(mode: 'merge' | 'replace'): string {
  return `UNWIND $rows AS row
MATCH (n) WHERE id(n) = row.nid
${mode === 'replace' ? 'SET n = row.props' : 'SET n += row.given'}
RETURN count(*) AS written`;
}

/**
 * Relationship writes by the internal ids of their ends ($a[i] → $b[i]), one column per field
 * (lists of strings and numbers cost the driver a fraction of a map per row). The ends were
 * checked in the same transaction; the count lets the caller notice an end that vanished
 * meanwhile. CREATE only for relationships known to be new (END_FLAGS; duplicates in the batch
 * folded into one row beforehand); MERGE, keyed by (from, to, metal) or (from, to), for the rest.
 * A null column value stores nothing (CREATE) or keeps the stored one (coalesce).
 */
const BY_END_IDS = `UNWIND range(0, size($a) - 1) AS i
MATCH (a) WHERE id(a) = $a[i]
MATCH (b) WHERE id(b) = $b[i]`;

export const CREATE_SUPPLIES = `${BY_END_IDS}
CREATE (a)-[:SUPPLIES {metal: $metal[i], share: $share[i], source: $source[i], updatedAt: $updatedAt}]->(b)
RETURN count(*) AS written`;

export const MERGE_SUPPLIES = `${BY_END_IDS}
MERGE (a)-[r:SUPPLIES {metal: $metal[i]}]->(b)
ON CREATE SET r.share = $share[i], r.source = $source[i], r.updatedAt = $updatedAt
ON MATCH SET r.share = coalesce($givenShare[i], r.share), r.source = coalesce($givenSource[i], r.source), r.updatedAt = $updatedAt
RETURN count(*) AS written`;

export const CREATE_LOCATED_IN = `${BY_END_IDS}
CREATE (a)-[:LOCATED_IN {updatedAt: $updatedAt}]->(b)
RETURN count(*) AS written`;

export const MERGE_LOCATED_IN = `${BY_END_IDS}
MERGE (a)-[r:LOCATED_IN]->(b)
SET r.updatedAt = $updatedAt
RETURN count(*) AS written`;

export function getNodeQuery(label: NodeLabel): string {
  return `MATCH (n:${cypherLabel(label)} {id: $id}) RETURN properties(n) AS p`;
}

/** One query per label; results in model label order. */
export const FIND_BY_ID = NODE_LABELS.map(
  (label) => `MATCH (n:${cypherLabel(label)} {id: $id}) RETURN '${cypherLabel(label)}' AS label, properties(n) AS p`,
).join('\nUNION ALL\n');

export function deleteNodeQuery(label: NodeLabel): string {
  return `MATCH (n:${cypherLabel(label)} {id: $id}) WITH n, n.id AS id DETACH DELETE n RETURN count(id) AS deleted`;
}

/** Deletes the SUPPLIES of one key, whichever allowed pair of labels its ends have. */
export const DELETE_SUPPLIES = `CALL {
${ALLOWED_ENDS.SUPPLIES.map(
  ([f, t]) => `  MATCH (:${cypherLabel(f)} {id: $from})-[r:SUPPLIES {metal: $metal}]->(:${cypherLabel(t)} {id: $to}) RETURN r`,
).join('\n  UNION ALL\n')}
}
DELETE r
RETURN count(*) AS deleted`;

/** The ends of SUPPLIES when a filter pins one of them: an index seek per label. */
function endByIdUnion(variable: 'a' | 'b', param: '$from' | '$to'): string {
  return `CALL {
${NODE_LABELS.map((l) => `  MATCH (${variable}:${cypherLabel(l)} {id: ${param}}) RETURN ${variable}`).join('\n  UNION ALL\n')}
}`;
}

export interface ListNodesOptions {
  after: boolean;
  search: boolean;
  country: boolean;
  metal: boolean;
  rmapStatus: boolean;
  cahra: boolean;
}

export function listNodesQuery(label: NodeLabel, o: ListNodesOptions): string {
  const where: string[] = [o.after ? 'n.id > $after' : 'n.id IS NOT NULL'];
  if (o.search) {
    const parts = ['toLower(n.id) CONTAINS $search', 'toLower(n.name) CONTAINS $search'];
    if (label === 'Smelter') parts.push('any(a IN coalesce(n.aliases, []) WHERE toLower(a) CONTAINS $search)');
    where.push(`(${parts.join(' OR ')})`);
  }
  // A filter on a property the label does not have matches nothing (as in the embedded store);
  // a country's own country is its id.
  if (o.country) where.push(label === 'Country' ? 'n.id = $country' : 'n.country = $country');
  if (o.metal) where.push(label === 'Smelter' ? 'n.metal = $metal' : 'false');
  if (o.rmapStatus) where.push(label === 'Smelter' ? 'n.rmapStatus = $rmapStatus' : 'false');
  if (o.cahra) where.push(label === 'Country' ? 'coalesce(n.cahra, false) = $cahra' : 'false');
  return `MATCH (n:${cypherLabel(label)})
WHERE ${where.join(' AND ')}
WITH n ORDER BY n.id ASC LIMIT $limit
RETURN properties(n) AS p`;
}

export interface ListSuppliesOptions {
  from: boolean;
  to: boolean;
  metal: boolean;
  after: boolean;
}

export function listSuppliesQuery(o: ListSuppliesOptions): string {
  const lines: string[] = [];
  const where: string[] = [];
  if (o.from) {
    lines.push(endByIdUnion('a', '$from'));
    if (o.to) where.push('b.id = $to');
  } else if (o.to) {
    lines.push(endByIdUnion('b', '$to'));
  }
  lines.push('MATCH (a)-[r:SUPPLIES]->(b)');
  if (o.metal) where.push('r.metal = $metal');
  if (o.after) {
    where.push('(a.id > $afterFrom OR (a.id = $afterFrom AND (b.id > $afterTo OR (b.id = $afterTo AND r.metal > $afterMetal))))');
  }
  if (where.length > 0) lines.push(`WHERE ${where.join(' AND ')}`);
  lines.push('WITH a.id AS from, b.id AS to, r ORDER BY from, to, r.metal LIMIT $limit');
  lines.push('RETURN from, to, properties(r) AS p');
  return lines.join('\n');
}

/** One hop of the neighbourhood walk from a frontier of element ids (valid within one transaction). */
export function neighborhoodHopQuery(direction: 'upstream' | 'downstream' | 'both', metal: boolean): string {
  const pattern =
    direction === 'upstream' ? '(x)<-[r:SUPPLIES]-(y)' : direction === 'downstream' ? '(x)-[r:SUPPLIES]->(y)' : '(x)-[r:SUPPLIES]-(y)';
  return `UNWIND $frontier AS eid
MATCH (x) WHERE elementId(x) = eid
MATCH ${pattern}${metal ? '\nWHERE r.metal = $metal' : ''}
RETURN elementId(y) AS nid, labels(y) AS labels, properties(y) AS p,
       elementId(r) AS rid, startNode(r).id AS from, endNode(r).id AS to, properties(r) AS rp`;
}

export const CENTER_CANDIDATES = NODE_LABELS.map(
  (label) => `MATCH (n:${cypherLabel(label)} {id: $id}) RETURN '${cypherLabel(label)}' AS label, elementId(n) AS nid, properties(n) AS p`,
).join('\nUNION ALL\n');

export function scanNodesQuery(label: NodeLabel): string {
  return `MATCH (n:${cypherLabel(label)}) RETURN properties(n) AS p`;
}

/**
 * Per label, the node's internal id (which the SUPPLIES below name their sources by) and the fields
 * an analytics snapshot keeps (graph/scan-columns.ts NodeFields, in this order), in id order (the
 * uniqueness constraint's index gives it), as plain columns read by position: a properties map
 * costs the driver several times as much to decode. Internal ids are only used within the one
 * transaction of a scan, where they cannot be reused.
 */
const SCAN_NODE_COLUMNS: Readonly<Record<NodeLabel, string>> = {
  Company: 'MATCH (n:Company) RETURN id(n), n.id, n.name, n.country, n.saqScore, n.humanRightsRisk ORDER BY n.id',
  Smelter: 'MATCH (n:Smelter) RETURN id(n), n.id, n.name, n.country, n.rmapStatus, n.recycledOrScrap ORDER BY n.id',
  Country: 'MATCH (n:Country) RETURN id(n), n.id, n.name, n.cahra, n.lists, n.riskScore ORDER BY n.id',
};

export function scanNodeColumnsQuery(label: NodeLabel): string {
  return SCAN_NODE_COLUMNS[label];
}

/**
 * SUPPLIES per buyer: its internal id, and a list of [source's internal id, metal, share] — one
 * record per buyer and integers for the ends: the driver's cost is per record and per string, and
 * this reads several times faster than a record of two id strings per relationship. In no
 * particular order (canonicalSuppliesOrder sorts them).
 */
export const SCAN_SUPPLIES_BY_BUYER = `MATCH (b) WHERE EXISTS { ()-[:SUPPLIES]->(b) }
RETURN id(b), [(a)-[r:SUPPLIES]->(b) | [id(a), r.metal, r.share]]`;

export const SCAN_SUPPLIES = 'MATCH (a)-[r:SUPPLIES]->(b) RETURN a.id AS from, b.id AS to, properties(r) AS p';
export const SCAN_LOCATED_IN = 'MATCH (a)-[r:LOCATED_IN]->(b) RETURN a.id AS from, b.id AS to, properties(r) AS p';

/** Each answered from the count store. */
export const COUNT_QUERIES: readonly string[] = [
  ...NODE_LABELS.map((l) => `MATCH (n:${cypherLabel(l)}) RETURN count(n) AS c`),
  'MATCH ()-[r:SUPPLIES]->() RETURN count(r) AS c',
  'MATCH ()-[r:LOCATED_IN]->() RETURN count(r) AS c',
];

/** For clear(): implicit transactions only (CALL ... IN TRANSACTIONS). */
export function clearQueries(batch: number): string[] {
  const rows = Math.max(1, Math.floor(batch));
  return [
    `MATCH ()-[r:SUPPLIES|LOCATED_IN]->() CALL { WITH r DELETE r } IN TRANSACTIONS OF ${rows} ROWS`,
    `MATCH (n) WHERE ${NODE_LABELS.map((l) => `n:${cypherLabel(l)}`).join(' OR ')} CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF ${rows} ROWS`,
  ];
}
