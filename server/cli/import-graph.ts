/**
 * `oretrace import graph FILE...`: JSON graph documents (README's "The API in brief", also what `oretrace export
 * --format json` writes) and/or a pair of CSV files (nodes.csv, relationships.csv, told apart by
 * file name or given with --nodes / --relationships), written in ONE all-or-nothing import.
 * Problems name the file and the row: `relationships.csv row 5 column to: …`,
 * `supplier.json relationships[3].to: …`.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { GraphNodeInput, RelationshipInput } from '../../graph/model.js';
import { DomainError, ValidationError, type FieldProblem } from '../errors.js';
import type { CsvPart } from '../exporters/graph-export.js';
import { readGraphCsv, type CsvGraphImport } from '../importers/graph-csv.js';
import { MAX_IMPORT_ROWS } from '../importers/import-limits.js';
import type { GraphStore, WriteResult } from '../stores/graph-store.js';
import { table } from './analyze.js';

export interface ImportGraphOptions {
  /** nodes.csv, when its name does not say so. */
  nodes?: string | undefined;
  /** relationships.csv, when its name does not say so. */
  relationships?: string | undefined;
}

/** What one input file contributed to the import. */
export interface ImportedSource {
  file: string;
  nodes: number;
  relationships: number;
}

export interface ImportGraphOutcome {
  result: WriteResult;
  sources: ImportedSource[];
}

/** Which part of the document a CSV file holds, from its name: "nodes.csv", "2026-nodes.csv"… */
export function csvPartOfFileName(file: string): CsvPart | undefined {
  const name = basename(file).toLowerCase();
  if (name.endsWith('relationships.csv')) return 'relationships';
  if (name.endsWith('nodes.csv')) return 'nodes';
  return undefined;
}

/** Where the rows of the combined document came from, to name the file and row in errors. */
interface Segment {
  part: CsvPart;
  start: number;
  count: number;
  /** The location of row i of this segment, e.g. "a.json relationships[3]" or "relationships.csv row 5". */
  locate: (i: number) => string;
  /** CSV messages already carry the file and row. */
  csv: boolean;
}

function locateInSources(err: DomainError, segments: readonly Segment[]): void {
  for (const field of err.fields) {
    const m = /^(nodes|relationships)\[(\d+)\](.*)$/.exec(field.path);
    if (!m) continue;
    const k = Number(m[2]);
    const segment = segments.find((s) => s.part === m[1] && k >= s.start && k < s.start + s.count);
    if (!segment) continue;
    const rest = m[3] ?? '';
    if (segment.csv) {
      const column = /^\.([A-Za-z]+)/.exec(rest)?.[1];
      field.message = `${segment.locate(k - segment.start)}${column ? ` column ${column}` : ''}: ${field.message}`;
    } else {
      field.message = `${segment.locate(k - segment.start)}${rest}: ${field.message}`;
    }
  }
}

/** The error as one text for the terminal: every problem on its own line. */
function withAllProblems(err: DomainError): DomainError {
  const lines = err.fields.map((f: FieldProblem) => `  ${f.message}`);
  err.message = `nothing was written: ${err.fields.length === 1 ? 'one problem' : `${err.fields.length} problems`}\n${lines.join('\n')}`;
  return err;
}

async function readJsonDocument(file: string): Promise<{ nodes: GraphNodeInput[]; relationships: RelationshipInput[] }> {
  const text = await readFile(file, 'utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`${file} is not JSON: ${(err as Error).message}`, [
      { path: file, message: `${file} is not JSON: ${(err as Error).message}` },
    ]);
  }
  const problems: FieldProblem[] = [];
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    problems.push({ path: file, message: `${file}: must be an object with "nodes" and "relationships" arrays` });
  } else {
    for (const key of ['nodes', 'relationships'] as const) {
      const value = (doc as Record<string, unknown>)[key];
      if (value !== undefined && !Array.isArray(value))
        problems.push({ path: `${file}.${key}`, message: `${file} ${key}: must be an array` });
    }
  }
  if (problems.length > 0) throw new ValidationError(problems[0]!.message, problems);
  const { nodes = [], relationships = [] } = doc as { nodes?: GraphNodeInput[]; relationships?: RelationshipInput[] };
  return { nodes, relationships };
}

/**
 * Read every file, then import everything in one write. Throws the store's or the reader's
 * DomainError, its message listing every problem with file and row; nothing is written then.
 */
export async function importGraphCommand(
  store: GraphStore,
  files: readonly string[],
  options: ImportGraphOptions = {},
): Promise<ImportGraphOutcome> {
  const csvFiles: Partial<Record<CsvPart, string>> = {};
  const jsonFiles: string[] = [];
  const problems: FieldProblem[] = [];
  const takeCsv = (part: CsvPart, file: string) => {
    if (csvFiles[part] !== undefined)
      problems.push({ path: file, message: `${file}: a second ${part} CSV (already have ${csvFiles[part]}); import one pair at a time` });
    else csvFiles[part] = file;
  };
  if (options.nodes !== undefined) takeCsv('nodes', options.nodes);
  if (options.relationships !== undefined) takeCsv('relationships', options.relationships);
  for (const file of files) {
    const ext = extname(file).toLowerCase();
    if (ext === '.json') jsonFiles.push(file);
    else if (ext === '.csv') {
      const part = csvPartOfFileName(file);
      if (part === undefined)
        problems.push({
          path: file,
          message:
            `${file}: cannot tell whether it holds nodes or relationships; ` +
            'name it …nodes.csv or …relationships.csv, or pass it with --nodes or --relationships',
        });
      else takeCsv(part, file);
    } else problems.push({ path: file, message: `${file}: not a .json document or a .csv file` });
  }
  if (jsonFiles.length === 0 && csvFiles.nodes === undefined && csvFiles.relationships === undefined && problems.length === 0)
    problems.push({ path: 'files', message: 'no file to import: give .json documents and/or nodes.csv and relationships.csv' });
  if (problems.length > 0) throw withAllProblems(new ValidationError(problems[0]!.message, problems));

  const document: { nodes: GraphNodeInput[]; relationships: RelationshipInput[] } = { nodes: [], relationships: [] };
  const segments: Segment[] = [];
  const sources: ImportedSource[] = [];
  try {
    for (const file of jsonFiles) {
      const doc = await readJsonDocument(file);
      segments.push({
        part: 'nodes',
        start: document.nodes.length,
        count: doc.nodes.length,
        locate: (i) => `${file} nodes[${i}]`,
        csv: false,
      });
      segments.push({
        part: 'relationships',
        start: document.relationships.length,
        count: doc.relationships.length,
        locate: (i) => `${file} relationships[${i}]`,
        csv: false,
      });
      for (const n of doc.nodes) document.nodes.push(n);
      for (const r of doc.relationships) document.relationships.push(r);
      sources.push({ file, nodes: doc.nodes.length, relationships: doc.relationships.length });
    }
    let csv: CsvGraphImport | undefined;
    if (csvFiles.nodes !== undefined || csvFiles.relationships !== undefined) {
      const fileNames = { nodes: csvFiles.nodes ?? 'nodes.csv', relationships: csvFiles.relationships ?? 'relationships.csv' };
      csv = await readGraphCsv(
        {
          nodes: csvFiles.nodes !== undefined ? await readFile(csvFiles.nodes) : undefined,
          relationships: csvFiles.relationships !== undefined ? await readFile(csvFiles.relationships) : undefined,
        },
        { fileNames },
      );
      for (const part of ['nodes', 'relationships'] as const) {
        const rows = csv.rows[part];
        segments.push({
          part,
          start: document[part].length,
          count: rows.length,
          locate: (i) => `${fileNames[part]} row ${rows[i]}`,
          csv: true,
        });
      }
      for (const n of csv.document.nodes) document.nodes.push(n);
      for (const r of csv.document.relationships) document.relationships.push(r);
      for (const part of ['nodes', 'relationships'] as const) {
        const file = csvFiles[part];
        if (file !== undefined)
          sources.push({
            file,
            nodes: part === 'nodes' ? csv.rows.nodes.length : 0,
            relationships: part === 'relationships' ? csv.rows.relationships.length : 0,
          });
      }
    }
    for (const part of ['nodes', 'relationships'] as const) {
      if (document[part].length > MAX_IMPORT_ROWS)
        throw new ValidationError(`${document[part].length} ${part} in all: at most ${MAX_IMPORT_ROWS} per import; split the files`, [
          { path: part, message: `${document[part].length} ${part} in all: at most ${MAX_IMPORT_ROWS} per import; split the files` },
        ]);
    }
    try {
      return { result: await store.importGraph(document), sources };
    } catch (err) {
      if (err instanceof DomainError) locateInSources(err, segments);
      throw err;
    }
  } catch (err) {
    if (err instanceof DomainError && !err.message.startsWith('nothing was written')) throw withAllProblems(err);
    throw err;
  }
}

/** The outcome as a table for people (`--json` prints the WriteResult instead). */
export function renderGraphImport(outcome: ImportGraphOutcome): string {
  const { result, sources } = outcome;
  return [
    table(
      ['file', 'nodes', 'relationships'],
      [
        ...sources.map((s) => [s.file, s.nodes, s.relationships] as (string | number)[]),
        ['upserted', result.nodesUpserted, result.relationshipsUpserted],
      ],
    ),
    `store version ${result.version}`,
  ].join('\n');
}
