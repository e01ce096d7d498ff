/**
 * The rows a Neo4j write sends (private to server/stores/neo4j-store.ts), made before its
 * transaction: nodes and relationships folded so that each key appears once (the store then
 * creates what the look-up did not find instead of merging it), and relationships as columns of
 * their ends' internal ids and fields for the statements of ./neo4j-cypher.ts.
 *
 * Folding gives what applying the rows one after another did (and the embedded store does): the
 * first occurrence of a key creates it or merges into the stored one, each later one merges what
 * it mentioned on top (in replace mode, replaces it).
 */
import type { GraphNode, Relationship } from '../../graph/model.js';
import type { UpsertMode } from './graph-store.js';
import { END_FLAGS } from './neo4j-cypher.js';
import { givenProperties } from './write-rules.js';

type Props = Record<string, unknown>;

export interface NodeRow {
  id: string;
  /** Every property, defaults applied: a new node, or replace mode. */
  props: Props;
  /** Only what the input mentioned (plus id): merged into an existing node. */
  given: Props;
}

function definedProps(obj: object, skip: readonly string[]): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined && v !== null && !skip.includes(k)) out[k] = v;
  return out;
}

function nodeRow(node: GraphNode, raw: unknown): NodeRow {
  const props = definedProps(node, ['label']);
  // Only what the caller sent (write-rules decides, as for the embedded store): parse defaults
  // must not overwrite stored values on a merge.
  const given = { ...definedProps(givenProperties(raw, node), ['label']), id: node.id };
  return { id: node.id, props, given };
}

/** The batch's nodes by label, one row per id. */
export function nodeRowsByLabel(
  nodes: readonly GraphNode[],
  raw: readonly unknown[],
  mode: UpsertMode,
): Map<GraphNode['label'], NodeRow[]> {
  const byKey = new Map<string, { label: GraphNode['label']; row: NodeRow }>();
  nodes.forEach((node, i) => {
    const row = nodeRow(node, raw[i]);
    const key = `${node.label}\u0000${node.id}`;
    const earlier = byKey.get(key);
    if (earlier === undefined) byKey.set(key, { label: node.label, row });
    else if (mode === 'replace') earlier.row = row;
    else earlier.row = { id: row.id, props: { ...earlier.row.props, ...row.given }, given: { ...earlier.row.given, ...row.given } };
  });
  const byLabel = new Map<GraphNode['label'], NodeRow[]>();
  for (const { label, row } of byKey.values()) {
    const rows = byLabel.get(label) ?? [];
    rows.push(row);
    byLabel.set(label, rows);
  }
  return byLabel;
}

/** One SUPPLIES or LOCATED_IN of the batch, its duplicates folded in. */
export interface RelationshipRow {
  type: Relationship['type'];
  from: string;
  to: string;
  /** SUPPLIES only (part of the key); null for LOCATED_IN. */
  metal: string | null;
  /** A new relationship's share and source (the source defaulted), null for none. */
  share: number | null;
  source: string | null;
  /** What the input mentioned, merged into a stored one; null: keep the stored value. */
  givenShare: number | null;
  givenSource: string | null;
}

/** The batch's relationships, one row per key, in the order of their first occurrence. */
export function relationshipRows(relationships: readonly Relationship[], raw: readonly unknown[]): RelationshipRow[] {
  const byKey = new Map<string, RelationshipRow>();
  relationships.forEach((r, i) => {
    if (r.type === 'LOCATED_IN') {
      const key = `L\u0000${r.from}\u0000${r.to}`;
      if (!byKey.has(key))
        byKey.set(key, {
          type: r.type,
          from: r.from,
          to: r.to,
          metal: null,
          share: null,
          source: null,
          givenShare: null,
          givenSource: null,
        });
      return;
    }
    const given = givenProperties(raw[i], r);
    const givenShare = given.share ?? null;
    const givenSource = given.source ?? null;
    const key = `S\u0000${r.from}\u0000${r.to}\u0000${r.metal}`;
    const earlier = byKey.get(key);
    if (earlier === undefined) {
      byKey.set(key, {
        type: r.type,
        from: r.from,
        to: r.to,
        metal: r.metal,
        share: r.share ?? null,
        source: r.source,
        givenShare,
        givenSource,
      });
      return;
    }
    earlier.share = givenShare ?? earlier.share;
    earlier.source = givenSource ?? earlier.source;
    earlier.givenShare = givenShare ?? earlier.givenShare;
    earlier.givenSource = givenSource ?? earlier.givenSource;
  });
  return [...byKey.values()];
}

/** What the transaction knows of a relationship end: its internal id, and END_FLAGS (0 for a node this write created). */
export interface EndNode {
  nid: number;
  flags: number;
}

/** The columns of one relationship statement (neo4j-cypher.ts: CREATE_SUPPLIES …). */
export interface RelationshipColumns {
  a: number[];
  b: number[];
  metal: Array<string | null>;
  share: Array<number | null>;
  source: Array<string | null>;
  givenShare: Array<number | null>;
  givenSource: Array<string | null>;
}

function emptyColumns(): RelationshipColumns {
  return { a: [], b: [], metal: [], share: [], source: [], givenShare: [], givenSource: [] };
}

export interface RelationshipStatements {
  createSupplies: RelationshipColumns;
  mergeSupplies: RelationshipColumns;
  createLocatedIn: RelationshipColumns;
  mergeLocatedIn: RelationshipColumns;
}

/** Whether the relationship cannot exist yet: one of its ends has no relationship of its type in its direction. */
function knownNew(row: RelationshipRow, from: EndNode, to: EndNode): boolean {
  const [out, into] =
    row.type === 'SUPPLIES' ? [END_FLAGS.suppliesOut, END_FLAGS.suppliesIn] : [END_FLAGS.locatedInOut, END_FLAGS.locatedInIn];
  return (from.flags & out) === 0 || (to.flags & into) === 0;
}

/** The rows as the columns of the four statements; `endOf` knows every end (the ends were checked). */
export function relationshipStatements(rows: readonly RelationshipRow[], endOf: (id: string) => EndNode): RelationshipStatements {
  const statements: RelationshipStatements = {
    createSupplies: emptyColumns(),
    mergeSupplies: emptyColumns(),
    createLocatedIn: emptyColumns(),
    mergeLocatedIn: emptyColumns(),
  };
  for (const row of rows) {
    const from = endOf(row.from);
    const to = endOf(row.to);
    const isNew = knownNew(row, from, to);
    const columns =
      row.type === 'SUPPLIES'
        ? isNew
          ? statements.createSupplies
          : statements.mergeSupplies
        : isNew
          ? statements.createLocatedIn
          : statements.mergeLocatedIn;
    columns.a.push(from.nid);
    columns.b.push(to.nid);
    columns.metal.push(row.metal);
    columns.share.push(row.share);
    columns.source.push(row.source);
    columns.givenShare.push(row.givenShare);
    columns.givenSource.push(row.givenSource);
  }
  return statements;
}

/** Rows [start, end) of the columns. */
export function sliceColumns(columns: RelationshipColumns, start: number, end: number): RelationshipColumns {
  return {
    a: columns.a.slice(start, end),
    b: columns.b.slice(start, end),
    metal: columns.metal.slice(start, end),
    share: columns.share.slice(start, end),
    source: columns.source.slice(start, end),
    givenShare: columns.givenShare.slice(start, end),
    givenSource: columns.givenSource.slice(start, end),
  };
}
