/**
 * Graph export: pure functions from a store scan to the files other programs read.
 *
 * - JSON: exactly the import document of README's "The API in brief" (plus `version` and `exportedAt`, which the
 *   import ignores), so export → import round-trips.
 * - CSV: nodes.csv and relationships.csv (RFC 4180), the same columns the CSV import reads
 *   (server/importers/graph-csv.ts); text that a spreadsheet would run as a formula is written
 *   with a leading quote, which the import takes off again (escapeFormulaCell).
 * - GraphML 1.0 for Gephi, networkx, yEd…
 *
 * Every format is produced as a sequence of string chunks (a few tens of kB each), so the HTTP
 * route and the CLI can stream a large graph instead of building one huge string. Output is
 * deterministic: nodes ordered by label then id, relationships by type, from, to, metal, and the
 * properties of a record in the order the model declares them.
 */
import { z } from 'zod';
import {
  CompanySchema,
  CountrySchema,
  GraphDocumentSchema,
  LocatedInSchema,
  NODE_LABELS,
  RELATIONSHIP_TYPES,
  SmelterSchema,
  SuppliesSchema,
  type GraphNode,
  type NodeLabel,
  type Relationship,
  type RelationshipType,
} from '../../graph/model.js';
import { UnprocessableError } from '../errors.js';
import type { GraphScan } from '../stores/graph-store.js';

// --- columns ---------------------------------------------------------------------------------

/** How a property is written into one CSV cell or GraphML value. */
export type CellKind = 'text' | 'number' | 'boolean' | 'list';

export interface CsvColumn {
  name: string;
  kind: CellKind;
}

const NODE_SCHEMAS = { Company: CompanySchema, Smelter: SmelterSchema, Country: CountrySchema } as const satisfies Record<
  NodeLabel,
  z.ZodObject
>;
const RELATIONSHIP_SCHEMAS = { SUPPLIES: SuppliesSchema, LOCATED_IN: LocatedInSchema } as const satisfies Record<
  RelationshipType,
  z.ZodObject
>;

/**
 * The column order people and programs see. Properties the model gains later get a column after
 * these, in the order their schema declares them, so an export never silently drops a property.
 */
const NODE_COLUMN_ORDER = [
  'label',
  'id',
  'name',
  'country',
  'metal',
  'rmapStatus',
  'aliases',
  'recycledOrScrap',
  'lastAudit',
  'saqScore',
  'humanRightsRisk',
  'tags',
  'cahra',
  'lists',
  'cahraRegions',
  'riskScore',
];
const RELATIONSHIP_COLUMN_ORDER = ['type', 'from', 'to', 'metal', 'share', 'source', 'updatedAt'];

function kindOf(schema: z.core.$ZodType): CellKind {
  let t = schema;
  while (['optional', 'default', 'nullable', 'prefault'].includes(t._zod.def.type)) {
    t = (t._zod.def as unknown as { innerType: z.core.$ZodType }).innerType;
  }
  switch (t._zod.def.type) {
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return 'list';
    default:
      // strings, enums, literals, ISO dates
      return 'text';
  }
}

function columnsOf(schemas: Record<string, z.ZodObject>, preferredOrder: readonly string[]): CsvColumn[] {
  const kinds = new Map<string, CellKind>();
  for (const [owner, schema] of Object.entries(schemas)) {
    for (const [name, property] of Object.entries(schema.shape)) {
      const kind = kindOf(property as z.core.$ZodType);
      const seen = kinds.get(name);
      // One column holds the property for every label; a cell cannot be a number for one and a list for another.
      if (seen !== undefined && seen !== kind) throw new Error(`Property ${name} of ${owner} is a ${kind}, elsewhere a ${seen}`);
      kinds.set(name, kind);
    }
  }
  const names = [...preferredOrder.filter((n) => kinds.has(n)), ...[...kinds.keys()].filter((n) => !preferredOrder.includes(n))];
  return names.map((name) => ({ name, kind: kinds.get(name)! }));
}

/** Columns of nodes.csv, in order. */
export const NODE_CSV_COLUMNS: readonly CsvColumn[] = columnsOf(NODE_SCHEMAS, NODE_COLUMN_ORDER);
/** Columns of relationships.csv, in order. */
export const RELATIONSHIP_CSV_COLUMNS: readonly CsvColumn[] = columnsOf(RELATIONSHIP_SCHEMAS, RELATIONSHIP_COLUMN_ORDER);

/** The properties (columns) each node label may fill. */
export const NODE_PROPERTIES: Readonly<Record<NodeLabel, ReadonlySet<string>>> = Object.fromEntries(
  NODE_LABELS.map((l) => [l, new Set(Object.keys(NODE_SCHEMAS[l].shape))]),
) as unknown as Record<NodeLabel, ReadonlySet<string>>;
/** The properties (columns) each relationship type may fill. */
export const RELATIONSHIP_PROPERTIES: Readonly<Record<RelationshipType, ReadonlySet<string>>> = Object.fromEntries(
  RELATIONSHIP_TYPES.map((t) => [t, new Set(Object.keys(RELATIONSHIP_SCHEMAS[t].shape))]),
) as unknown as Record<RelationshipType, ReadonlySet<string>>;

// --- list cells ------------------------------------------------------------------------------

/** Separates the items of a list in one cell (aliases, tags, lists, cahraRegions). */
export const LIST_SEPARATOR = '|';

/**
 * Lists are "|"-joined. An item that itself contains "|" or "\" has them escaped with a
 * backslash ("a\|b"), so every list survives the round trip; ordinary items read as typed.
 */
export function encodeListCell(items: readonly string[]): string {
  return items.map((item) => item.replace(/[\\|]/g, (c) => `\\${c}`)).join(LIST_SEPARATOR);
}

/** The inverse of encodeListCell. A backslash before any other character is kept as it is. */
export function decodeListCell(cell: string): string[] {
  const items: string[] = [];
  let current = '';
  for (let i = 0; i < cell.length; i++) {
    const c = cell[i]!;
    if (c === '\\' && (cell[i + 1] === '\\' || cell[i + 1] === LIST_SEPARATOR)) {
      current += cell[i + 1];
      i++;
    } else if (c === LIST_SEPARATOR) {
      items.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  items.push(current);
  return items;
}

/** A property value as the text of one CSV cell or GraphML value; undefined stays an empty cell. */
export function encodeCell(kind: CellKind, value: unknown): string {
  if (value === undefined || value === null) return '';
  switch (kind) {
    case 'list':
      return encodeListCell(value as string[]);
    case 'number':
      // The shortest text that reads back as the same double.
      return String(value as number);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'text':
      return String(value);
  }
}

// --- spreadsheet formulas ---------------------------------------------------------------------

/**
 * A cell that a spreadsheet would run as a formula (OWASP "CSV injection"): one starting with =,
 * +, -, @, tab or CR, after any number of quotes. The quotes count so that the mapping stays
 * one-to-one: "'=x" is written "''=x", and the import can take exactly one quote off.
 */
const FORMULA_CELL = /^'*[=+\-@\t\r]/;
const ESCAPED_FORMULA_CELL = /^'+[=+\-@\t\r]/;

/**
 * A text cell as a spreadsheet should see it: a formula cell gets a leading "'" (the spreadsheet
 * shows it as text), anything else is written as it is, so names like "'t Hooft" stay untouched.
 * No written cell starts a formula, and unescapeFormulaCell(escapeFormulaCell(s)) === s.
 */
export function escapeFormulaCell(cell: string): string {
  return FORMULA_CELL.test(cell) ? `'${cell}` : cell;
}

/** The inverse of escapeFormulaCell, used by the CSV import. */
export function unescapeFormulaCell(cell: string): string {
  return ESCAPED_FORMULA_CELL.test(cell) ? cell.slice(1) : cell;
}

/**
 * The text of one CSV cell. Only text and list cells can carry a formula; numbers and booleans
 * are written as they are, so that a spreadsheet (and the import) reads them as numbers: a
 * negative number ("-0.5") is a value, not a formula, and a quote would make it text. (Shares
 * lie in (0, 1] and scores are not negative, so no number column starts with "-" today.)
 */
export function encodeCsvCell(kind: CellKind, value: unknown): string {
  const text = encodeCell(kind, value);
  return kind === 'text' || kind === 'list' ? escapeFormulaCell(text) : text;
}

// --- ordering --------------------------------------------------------------------------------

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function sortedNodes(nodes: readonly GraphNode[]): GraphNode[] {
  const rank = new Map(NODE_LABELS.map((l, i) => [l, i]));
  return [...nodes].sort((a, b) => rank.get(a.label)! - rank.get(b.label)! || compareText(a.id, b.id));
}

export function sortedRelationships(relationships: readonly Relationship[]): Relationship[] {
  const rank = new Map(RELATIONSHIP_TYPES.map((t, i) => [t, i]));
  const metal = (r: Relationship) => (r.type === 'SUPPLIES' ? r.metal : '');
  return [...relationships].sort(
    (a, b) =>
      rank.get(a.type)! - rank.get(b.type)! || compareText(a.from, b.from) || compareText(a.to, b.to) || compareText(metal(a), metal(b)),
  );
}

/** A record with its properties in model order; properties the model does not know are dropped. */
function canonical(record: object, columns: readonly CsvColumn[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const source = record as Record<string, unknown>;
  for (const { name } of columns) if (source[name] !== undefined) out[name] = source[name];
  return out;
}

/** Joins small pieces into chunks of about this many characters before handing them on. */
const CHUNK_CHARS = 64 * 1024;

function* chunked(pieces: Iterable<string>): Generator<string> {
  let buffer = '';
  for (const piece of pieces) {
    buffer += piece;
    if (buffer.length >= CHUNK_CHARS) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer !== '') yield buffer;
}

export interface ExportOptions {
  /** The time written into the export; now when not given (tests pass a fixed one). */
  exportedAt?: Date;
}

// --- JSON ------------------------------------------------------------------------------------

/** The JSON export: the import document of README's "The API in brief" with the store version and the export time. */
export const GraphExportSchema = GraphDocumentSchema.extend({
  version: z.number().int().describe('Store version the export was taken from; ignored by the import'),
  exportedAt: z.iso.datetime().describe('When the export was taken; ignored by the import'),
}).meta({
  id: 'GraphExport',
  description: 'The graph-import document (POST /api/v1/imports/graph) with the store version and the export time.',
});
export type GraphExport = z.infer<typeof GraphExportSchema>;

/** The JSON export, one node or relationship per line. */
export function* graphJsonChunks(scan: GraphScan, options: ExportOptions = {}): Generator<string> {
  const exportedAt = (options.exportedAt ?? new Date()).toISOString();
  function* pieces(): Generator<string> {
    yield `{\n  "version": ${scan.version},\n  "exportedAt": ${JSON.stringify(exportedAt)},\n  "nodes": [`;
    let first = true;
    for (const node of sortedNodes(scan.nodes)) {
      yield `${first ? '' : ','}\n    ${JSON.stringify(canonical(node, NODE_CSV_COLUMNS))}`;
      first = false;
    }
    yield `${first ? '' : '\n  '}],\n  "relationships": [`;
    first = true;
    for (const r of sortedRelationships(scan.relationships)) {
      yield `${first ? '' : ','}\n    ${JSON.stringify(canonical(r, RELATIONSHIP_CSV_COLUMNS))}`;
      first = false;
    }
    yield `${first ? '' : '\n  '}]\n}\n`;
  }
  yield* chunked(pieces());
}

export function graphToJson(scan: GraphScan, options: ExportOptions = {}): string {
  return [...graphJsonChunks(scan, options)].join('');
}

// --- CSV -------------------------------------------------------------------------------------

export const CSV_PARTS = ['nodes', 'relationships'] as const;
export type CsvPart = (typeof CSV_PARTS)[number];

/** RFC 4180: a cell with a comma, a quote or a line break is quoted, quotes doubled. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvRow(record: object, columns: readonly CsvColumn[]): string {
  const source = record as Record<string, unknown>;
  // RFC 4180 ends records with CRLF.
  return `${columns.map((c) => csvField(encodeCsvCell(c.kind, source[c.name]))).join(',')}\r\n`;
}

export function* nodesCsvChunks(scan: Pick<GraphScan, 'nodes'>): Generator<string> {
  function* pieces(): Generator<string> {
    yield `${NODE_CSV_COLUMNS.map((c) => c.name).join(',')}\r\n`;
    for (const node of sortedNodes(scan.nodes)) yield csvRow(node, NODE_CSV_COLUMNS);
  }
  yield* chunked(pieces());
}

export function* relationshipsCsvChunks(scan: Pick<GraphScan, 'relationships'>): Generator<string> {
  function* pieces(): Generator<string> {
    yield `${RELATIONSHIP_CSV_COLUMNS.map((c) => c.name).join(',')}\r\n`;
    for (const r of sortedRelationships(scan.relationships)) yield csvRow(r, RELATIONSHIP_CSV_COLUMNS);
  }
  yield* chunked(pieces());
}

export function csvChunks(scan: GraphScan, part: CsvPart): Generator<string> {
  return part === 'nodes' ? nodesCsvChunks(scan) : relationshipsCsvChunks(scan);
}

export function graphToNodesCsv(scan: Pick<GraphScan, 'nodes'>): string {
  return [...nodesCsvChunks(scan)].join('');
}

export function graphToRelationshipsCsv(scan: Pick<GraphScan, 'relationships'>): string {
  return [...relationshipsCsvChunks(scan)].join('');
}

// --- GraphML ---------------------------------------------------------------------------------

/** Characters XML 1.0 cannot carry at all, not even as a character reference; they become U+FFFD. */
const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // As references so that parsers keep them: raw line breaks and tabs in attribute values are
  // normalised to spaces, and a raw CR anywhere becomes LF.
  '\r': '&#13;',
  '\n': '&#10;',
  '\t': '&#9;',
};

/** Text safe inside an XML element or a double- or single-quoted attribute. */
export function xmlEscape(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/[&<>"'\r\n\t]/g, (c) => XML_ESCAPES[c]!);
}

const GRAPHML_TYPE: Record<CellKind, string> = { text: 'string', list: 'string', number: 'double', boolean: 'boolean' };

/** GraphML key ids: the attribute name, prefixed so a node and an edge attribute of one name stay apart. */
const nodeKeyId = (name: string) => `n_${name}`;
const edgeKeyId = (name: string) => `e_${name}`;

/** Node columns that become GraphML data (the id is the node element's own id). */
const GRAPHML_NODE_ATTRIBUTES = NODE_CSV_COLUMNS.filter((c) => c.name !== 'id');
/** Edge columns that become GraphML data (from and to are the edge's source and target). */
const GRAPHML_EDGE_ATTRIBUTES = RELATIONSHIP_CSV_COLUMNS.filter((c) => c.name !== 'from' && c.name !== 'to');

/**
 * GraphML names nodes by id alone, so an id carried by two nodes of different labels cannot be
 * written. Checked before the first byte goes out, so a client never gets half a file.
 */
export function assertIdsUniqueAcrossLabels(nodes: readonly GraphNode[]): void {
  const labelById = new Map<string, NodeLabel>();
  const problems: { path: string; message: string }[] = [];
  for (const n of nodes) {
    const seen = labelById.get(n.id);
    if (seen !== undefined && problems.length < 50) {
      // Labels in model order, so the message does not depend on the order the store returned.
      const [a, b] = NODE_LABELS.filter((l) => l === seen || l === n.label);
      problems.push({
        path: `nodes.${n.id}`,
        message: `id "${n.id}" names both a ${a} and a ${b}; GraphML needs ids unique across labels`,
      });
    } else labelById.set(n.id, n.label);
  }
  if (problems.length > 0) throw new UnprocessableError(problems[0]!.message, problems);
}

/**
 * GraphML 1.0 with a <key> for every attribute (node attributes of all labels, edge type, metal,
 * share, source, updatedAt; graph version and export time). Lists are "|"-joined as in CSV.
 * Throws UnprocessableError, before producing anything, when an id names nodes of two labels.
 */
export function graphMlChunks(scan: GraphScan, options: ExportOptions = {}): Generator<string> {
  assertIdsUniqueAcrossLabels(scan.nodes);
  const exportedAt = (options.exportedAt ?? new Date()).toISOString();
  function* pieces(): Generator<string> {
    yield '<?xml version="1.0" encoding="UTF-8"?>\n';
    yield '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
      'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n';
    yield '  <key id="g_version" for="graph" attr.name="version" attr.type="long"/>\n';
    yield '  <key id="g_exportedAt" for="graph" attr.name="exportedAt" attr.type="string"/>\n';
    for (const c of GRAPHML_NODE_ATTRIBUTES)
      yield `  <key id="${nodeKeyId(c.name)}" for="node" attr.name="${c.name}" attr.type="${GRAPHML_TYPE[c.kind]}"/>\n`;
    for (const c of GRAPHML_EDGE_ATTRIBUTES)
      yield `  <key id="${edgeKeyId(c.name)}" for="edge" attr.name="${c.name}" attr.type="${GRAPHML_TYPE[c.kind]}"/>\n`;
    yield '  <graph id="oretrace" edgedefault="directed">\n';
    yield `    <data key="g_version">${scan.version}</data>\n`;
    yield `    <data key="g_exportedAt">${exportedAt}</data>\n`;
    for (const node of sortedNodes(scan.nodes)) {
      const source = node as unknown as Record<string, unknown>;
      let xml = `    <node id="${xmlEscape(node.id)}">`;
      for (const c of GRAPHML_NODE_ATTRIBUTES) {
        if (source[c.name] === undefined) continue;
        xml += `<data key="${nodeKeyId(c.name)}">${xmlEscape(encodeCell(c.kind, source[c.name]))}</data>`;
      }
      yield `${xml}</node>\n`;
    }
    let e = 0;
    for (const r of sortedRelationships(scan.relationships)) {
      const source = r as unknown as Record<string, unknown>;
      let xml = `    <edge id="e${e++}" source="${xmlEscape(r.from)}" target="${xmlEscape(r.to)}">`;
      for (const c of GRAPHML_EDGE_ATTRIBUTES) {
        if (source[c.name] === undefined) continue;
        xml += `<data key="${edgeKeyId(c.name)}">${xmlEscape(encodeCell(c.kind, source[c.name]))}</data>`;
      }
      yield `${xml}</edge>\n`;
    }
    yield '  </graph>\n</graphml>\n';
  }
  return chunked(pieces());
}

export function graphToGraphMl(scan: GraphScan, options: ExportOptions = {}): string {
  return [...graphMlChunks(scan, options)].join('');
}

// --- formats ---------------------------------------------------------------------------------

export const EXPORT_FORMATS = ['json', 'csv', 'graphml'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_CONTENT_TYPES = {
  // JSON is UTF-8 by definition (RFC 8259) and the GraphML prolog declares its encoding.
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  graphml: 'application/graphml+xml',
} as const satisfies Record<ExportFormat, string>;

/** File names of an export, as the CLI writes them and as Content-Disposition suggests them. */
export function exportFileName(format: ExportFormat, part?: CsvPart): string {
  if (format === 'csv') return `${part ?? 'nodes'}.csv`;
  return format === 'json' ? 'oretrace-graph.json' : 'oretrace-graph.graphml';
}

/**
 * The chunks of one export file. CSV needs the part (nodes or relationships). Checks that can
 * fail (GraphML ids) run here, before the first chunk.
 */
export function exportChunks(scan: GraphScan, format: ExportFormat, options: ExportOptions & { part?: CsvPart } = {}): Iterable<string> {
  switch (format) {
    case 'json':
      return graphJsonChunks(scan, options);
    case 'graphml':
      return graphMlChunks(scan, options);
    case 'csv':
      if (options.part === undefined) throw new Error('A CSV export is two files: name the part (nodes or relationships)');
      return csvChunks(scan, options.part);
  }
}
