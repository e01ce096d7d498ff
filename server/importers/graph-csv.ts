/**
 * CSV graph import: nodes.csv and relationships.csv, with the columns the CSV export writes
 * (server/exporters/graph-export.ts), read into the import document of README's "The API in brief"
 *
 * Rules:
 * - The first row names the columns; any subset of the known columns in any order, but an unknown
 *   or repeated column is an error. nodes.csv needs `label` and `id`; relationships.csv needs
 *   `type`, `from` and `to`.
 * - An empty cell is an absent property: an import merges into existing nodes, so an empty cell
 *   keeps what is stored. A cell for a property the row's label does not have must stay empty.
 * - Lists are "|"-joined ("\|" for a "|" inside an item); booleans are true/false; numbers are
 *   plain decimals (".", optional exponent). Cells are trimmed; rows whose cells are all empty
 *   are skipped.
 * - A text or list cell that starts with quotes before =, +, -, @, tab or CR loses one quote: the
 *   export adds it so that spreadsheets do not run the cell as a formula (escapeFormulaCell).
 * - Rows are counted as a spreadsheet shows them: the header is row 1. Every problem names the
 *   file, the row and the column, as a ValidationError field whose path points into the document
 *   (`nodes[11].saqScore`, the 12th data row) and whose message reads
 *   `nodes.csv row 13 column saqScore: …`.
 * - Nothing is returned unless both files are wholly valid, so a caller writes all or nothing.
 */
import { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import {
  GraphNodeSchema,
  NODE_LABELS,
  RELATIONSHIP_TYPES,
  RelationshipSchema,
  type GraphNodeInput,
  type NodeLabel,
  type RelationshipInput,
  type RelationshipType,
} from '../../graph/model.js';
import {
  decodeListCell,
  NODE_CSV_COLUMNS,
  NODE_PROPERTIES,
  RELATIONSHIP_CSV_COLUMNS,
  RELATIONSHIP_PROPERTIES,
  type CellKind,
  type CsvColumn,
  type CsvPart,
  unescapeFormulaCell,
} from '../exporters/graph-export.js';
import { ValidationError, type DomainError, type FieldProblem } from '../errors.js';
import { zodIssuesToFields } from '../stores/write-rules.js';
import { MAX_IMPORT_ROWS } from './import-limits.js';

/** What a CSV file can be read from: its text, its bytes, or a stream of either. */
export type CsvInput = string | Uint8Array | AsyncIterable<string | Uint8Array> | Iterable<Uint8Array>;

export interface CsvReadOptions {
  /** Names used in messages; default nodes.csv / relationships.csv. */
  fileNames?: Partial<Record<CsvPart, string>>;
  /** Data rows per file; default MAX_IMPORT_ROWS. */
  maxRows?: number;
}

export interface CsvGraphImport {
  /** The import document: pass to GraphStore.importGraph. */
  document: { nodes: GraphNodeInput[]; relationships: RelationshipInput[] };
  /** The CSV row (header = row 1) of each document row, to point later errors back at the file. */
  rows: Record<CsvPart, number[]>;
  fileNames: Record<CsvPart, string>;
}

/** A cap on problems listed in one error, as for JSON imports. */
const MAX_LISTED_PROBLEMS = 50;

const REQUIRED_COLUMNS: Record<CsvPart, readonly string[]> = { nodes: ['label', 'id'], relationships: ['type', 'from', 'to'] };
const COLUMNS: Record<CsvPart, readonly CsvColumn[]> = { nodes: NODE_CSV_COLUMNS, relationships: RELATIONSHIP_CSV_COLUMNS };
const DEFAULT_FILE_NAMES: Record<CsvPart, string> = { nodes: 'nodes.csv', relationships: 'relationships.csv' };

/** A cell's text for a message: quoted, and cut short so one huge cell cannot flood the answer. */
function quoted(cell: string): string {
  return JSON.stringify(cell.length > 60 ? `${cell.slice(0, 60)}…` : cell);
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** One cell's text as a property value, or the problem with it. */
function decodeCell(kind: CellKind, cell: string): { value: unknown } | { problem: string } {
  switch (kind) {
    case 'text':
      return { value: unescapeFormulaCell(cell) };
    case 'number':
      return NUMBER.test(cell) ? { value: Number(cell) } : { problem: `${quoted(cell)} is not a number (write e.g. 0.25, with a point)` };
    case 'boolean':
      if (/^true$/i.test(cell)) return { value: true };
      if (/^false$/i.test(cell)) return { value: false };
      return { problem: `${quoted(cell)} is not true or false` };
    case 'list': {
      const items = decodeListCell(unescapeFormulaCell(cell));
      if (items.some((item) => item.trim() === ''))
        return { problem: 'has an empty item: "|" separates items, none may be empty (write "\\|" for a "|" inside an item)' };
      return { value: items };
    }
  }
}

function toAsyncIterable(input: CsvInput): AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array> {
  // Readable.from would iterate a string or a Buffer piece by piece; hand them over whole.
  if (typeof input === 'string' || input instanceof Uint8Array) return [input];
  return input;
}

/** No real row comes near this; a longer one is a broken file (often an unclosed quote), not data. */
const MAX_ROW_BYTES = 1024 * 1024;

const CSV_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted cell is not closed before the end of the file',
  CSV_INVALID_CLOSING_QUOTE:
    'a closing quote must be followed by a comma or the end of the row (write "" for a quote inside a quoted cell)',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE:
    'a closing quote must be followed by a comma or the end of the row (write "" for a quote inside a quoted cell)',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted cell: quote the whole cell and double the quote ("")',
  CSV_MAX_RECORD_SIZE: `a row is longer than ${MAX_ROW_BYTES} bytes (an unclosed quote?)`,
};

interface FileResult {
  rows: Record<string, unknown>[];
  rowNumbers: number[];
  problems: FieldProblem[];
}

/**
 * Read one file into document rows (validated against the model, not yet against the store).
 * Row problems are collected; a file-level problem (header, quoting, too many rows) ends the read.
 */
async function readCsvFile(part: CsvPart, input: CsvInput, fileName: string, maxRows: number): Promise<FileResult> {
  const columns = COLUMNS[part];
  const known = new Map(columns.map((c) => [c.name, c]));
  const rows: Record<string, unknown>[] = [];
  const rowNumbers: number[] = [];
  const problems: FieldProblem[] = [];
  const add = (problem: FieldProblem) => {
    if (problems.length < MAX_LISTED_PROBLEMS) problems.push(problem);
  };
  let header: CsvColumn[] | undefined;
  let recordNumber = 0;
  let stopped = false;

  const readHeader = (cells: string[]) => {
    header = [];
    const seen = new Set<string>();
    cells.forEach((name, c) => {
      const column = known.get(name);
      if (name === '') add({ path: part, message: `${fileName} row 1: column ${c + 1} has no name` });
      else if (column === undefined) {
        const sameIgnoringCase = columns.find((k) => k.name.toLowerCase() === name.toLowerCase());
        add({
          path: part,
          message:
            `${fileName} row 1 column ${name.length > 60 ? `${name.slice(0, 60)}…` : name}: ` +
            `unknown column${sameIgnoringCase ? ` (did you mean ${sameIgnoringCase.name}?)` : ''}; ` +
            `the columns are ${columns.map((k) => k.name).join(', ')}`,
        });
      } else if (seen.has(name)) add({ path: part, message: `${fileName} row 1 column ${name}: the column appears twice` });
      else header!.push(column);
      seen.add(name);
    });
    for (const required of REQUIRED_COLUMNS[part])
      if (!seen.has(required)) add({ path: part, message: `${fileName} row 1: the column ${required} is missing` });
    if (problems.length > 0) stopped = true;
  };

  const readRow = (cells: string[], columnsOfFile: CsvColumn[]) => {
    if (cells.every((c) => c === '')) return;
    const index = rows.length;
    if (index >= maxRows) {
      add({ path: part, message: `${fileName} has more than ${maxRows} rows: split it into several imports` });
      stopped = true;
      return;
    }
    const at = (column?: string) => `${fileName} row ${recordNumber}${column ? ` column ${column}` : ''}`;
    const path = `${part}[${index}]`;
    const row: Record<string, unknown> = {};
    rowNumbers.push(recordNumber);
    rows.push(row);
    if (cells.length !== columnsOfFile.length) {
      add({ path, message: `${at()}: has ${cells.length} cells, the header has ${columnsOfFile.length}` });
      return;
    }
    const unreadable = new Set<string>();
    columnsOfFile.forEach((column, c) => {
      const cell = cells[c]!;
      if (cell === '') return;
      const decoded = decodeCell(column.kind, cell);
      if ('problem' in decoded) {
        add({ path: `${path}.${column.name}`, message: `${at(column.name)}: ${decoded.problem}` });
        unreadable.add(column.name);
      } else row[column.name] = decoded.value;
    });
    for (const problem of modelProblems(part, row, path, at, unreadable)) add(problem);
  };

  // Records are handled as the parser produces them (on_record runs synchronously inside it), so
  // that rows read before a quoting error are still checked, and the header is known when the
  // error names its column. Column counts are checked here rather than by the parser, so that a
  // blank line (one empty cell) is skipped instead of failing, and the message names the row.
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: false,
    max_record_size: MAX_ROW_BYTES,
    on_record: (record: string[]) => {
      if (stopped) return null;
      recordNumber++;
      const cells = record.map((c) => c.trim());
      if (header === undefined) readHeader(cells);
      else readRow(cells, header);
      // Nothing is passed on, except a marker that tells the loop below to stop reading.
      return stopped ? ['stop'] : null;
    },
  });
  const source = Readable.from(toAsyncIterable(input));
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  try {
    for await (const _stop of parser as AsyncIterable<string[]>) break;
  } catch (err) {
    const csvError = err as CsvError & { lines?: number; column?: number | string; records?: number };
    // csv-parse's own errors carry a string code; anything else (a failing upload stream) is not about the CSV.
    if (typeof csvError.code !== 'string' || !(csvError.code in CSV_PROBLEMS || csvError.code.startsWith('CSV_'))) throw err;
    const row = recordNumber + 1;
    const columnIndex = typeof csvError.column === 'number' ? csvError.column : undefined;
    const column = header !== undefined && columnIndex !== undefined ? (header as CsvColumn[])[columnIndex]?.name : undefined;
    add({
      path: column !== undefined ? `${part}[${rows.length}].${column}` : part,
      message:
        `${fileName} row ${row}${column ? ` column ${column}` : ''} (line ${csvError.lines ?? '?'}): ` +
        `${CSV_PROBLEMS[csvError.code] ?? csvError.message}`,
    });
  } finally {
    source.unpipe(parser);
    source.destroy();
    parser.destroy();
  }
  if (header === undefined && problems.length === 0)
    add({ path: part, message: `${fileName} is empty: the first row must name the columns` });
  return { rows, rowNumbers, problems };
}

/** Check one decoded row against the model: label or type, properties it may have, then zod. */
function modelProblems(
  part: CsvPart,
  row: Record<string, unknown>,
  path: string,
  at: (column?: string) => string,
  /** Columns whose cell could not be read: already reported, so zod's "required" is not repeated. */
  unreadable: ReadonlySet<string>,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const kindColumn = part === 'nodes' ? 'label' : 'type';
  const kind = row[kindColumn] as string | undefined;
  const kinds: readonly string[] = part === 'nodes' ? NODE_LABELS : RELATIONSHIP_TYPES;
  if (unreadable.has(kindColumn)) return [];
  if (kind === undefined) return [{ path: `${path}.${kindColumn}`, message: `${at(kindColumn)}: is required (the cell is empty)` }];
  if (!kinds.includes(kind))
    return [{ path: `${path}.${kindColumn}`, message: `${at(kindColumn)}: ${quoted(kind)} is not one of ${kinds.join(', ')}` }];
  const allowed = part === 'nodes' ? NODE_PROPERTIES[kind as NodeLabel] : RELATIONSHIP_PROPERTIES[kind as RelationshipType];
  for (const column of Object.keys(row)) {
    if (!allowed.has(column))
      problems.push({ path: `${path}.${column}`, message: `${at(column)}: a ${kind} has no ${column}; leave the cell empty` });
  }
  if (problems.length > 0) return problems;
  const result = (part === 'nodes' ? GraphNodeSchema : RelationshipSchema).safeParse(row);
  if (result.success) return [];
  const issues = result.error.issues.filter((issue) => !unreadable.has(String(issue.path[0])));
  return zodIssuesToFields(issues, path).map((field, i) => {
    const column = issues[i]!.path[0];
    if (typeof column !== 'string') return { path: field.path, message: `${at()}: ${field.message}` };
    const missing = row[column] === undefined;
    return { path: field.path, message: `${at(column)}: ${missing ? 'is required (the cell is empty)' : field.message}` };
  });
}

/**
 * Read nodes.csv and/or relationships.csv into one import document. Throws a ValidationError
 * listing the problems of both files (at most 50) when anything is wrong.
 */
export async function readGraphCsv(files: Partial<Record<CsvPart, CsvInput>>, options: CsvReadOptions = {}): Promise<CsvGraphImport> {
  const fileNames = { ...DEFAULT_FILE_NAMES, ...options.fileNames };
  const maxRows = options.maxRows ?? MAX_IMPORT_ROWS;
  const empty: FileResult = { rows: [], rowNumbers: [], problems: [] };
  const nodes = files.nodes !== undefined ? await readCsvFile('nodes', files.nodes, fileNames.nodes, maxRows) : empty;
  const relationships =
    files.relationships !== undefined ? await readCsvFile('relationships', files.relationships, fileNames.relationships, maxRows) : empty;
  const problems = [...nodes.problems, ...relationships.problems].slice(0, MAX_LISTED_PROBLEMS);
  if (problems.length > 0) throw new ValidationError(problems[0]!.message, problems);
  return {
    document: { nodes: nodes.rows as GraphNodeInput[], relationships: relationships.rows as RelationshipInput[] },
    rows: { nodes: nodes.rowNumbers, relationships: relationships.rowNumbers },
    fileNames,
  };
}

/**
 * Point an error about the document (e.g. the store's 422 `relationships[3].to: no node has id
 * "x"`) at the CSV rows it came from: messages become `relationships.csv row 5 column to: …`.
 * Paths stay document paths. Changes the error in place and returns it.
 */
export function locateInCsv<E extends DomainError>(err: E, csv: Pick<CsvGraphImport, 'rows' | 'fileNames'>): E {
  for (const field of err.fields) {
    const m = /^(nodes|relationships)\[(\d+)\](?:\.([A-Za-z]+))?/.exec(field.path);
    if (!m) continue;
    const part = m[1] as CsvPart;
    const row = csv.rows[part][Number(m[2])];
    if (row === undefined || field.message.startsWith(csv.fileNames[part])) continue;
    field.message = `${csv.fileNames[part]} row ${row}${m[3] ? ` column ${m[3]}` : ''}: ${field.message}`;
  }
  if (err.fields.length > 0) err.message = err.fields[0]!.message;
  return err;
}
