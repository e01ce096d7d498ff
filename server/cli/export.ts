/**
 * `oretrace export --format json|csv|graphml --out PATH`: the whole graph of the configured store,
 * in the formats of GET /api/v1/export. CSV is two files, written as PATH/nodes.csv and
 * PATH/relationships.csv from one scan, so they always agree. `--out -` writes JSON or GraphML to
 * standard output.
 *
 * Files are written under a temporary name and renamed into place, so an interrupted export never
 * leaves a truncated file where a previous one was.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ValidationError } from '../errors.js';
import { CSV_PARTS, exportChunks, exportFileName, type ExportFormat } from '../exporters/graph-export.js';
import type { GraphStore } from '../stores/graph-store.js';

export interface ExportCommandOptions {
  format: ExportFormat;
  /** A file, a folder (the file gets its usual name inside), or "-" for standard output; a folder for csv. */
  out: string;
}

export interface ExportSummary {
  format: ExportFormat;
  /** The files written; empty when the export went to standard output. */
  files: string[];
  version: number;
  nodes: number;
  relationships: number;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function writeAtomically(path: string, chunks: Iterable<string>): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await pipeline(Readable.from(chunks), createWriteStream(temporary));
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}

export async function exportCommand(
  store: GraphStore,
  options: ExportCommandOptions,
  stdout: Writable = process.stdout,
): Promise<ExportSummary> {
  const { format, out } = options;
  if (out === '-' && format === 'csv')
    throw new ValidationError('A CSV export is two files: --out must name a folder', [
      { path: 'out', message: 'must be a folder for --format csv' },
    ]);
  const scan = await store.scan();
  const summary: ExportSummary = {
    format,
    files: [],
    version: scan.version,
    nodes: scan.nodes.length,
    relationships: scan.relationships.length,
  };
  if (format === 'csv') {
    await mkdir(out, { recursive: true });
    for (const part of CSV_PARTS) {
      const file = join(out, exportFileName('csv', part));
      await writeAtomically(file, exportChunks(scan, 'csv', { part }));
      summary.files.push(file);
    }
    return summary;
  }
  const chunks = exportChunks(scan, format);
  if (out === '-') {
    await pipeline(Readable.from(chunks), stdout, { end: false });
    return summary;
  }
  const file = (await isDirectory(out)) ? join(out, exportFileName(format)) : out;
  await writeAtomically(file, chunks);
  summary.files.push(file);
  return summary;
}

export function renderExport(summary: ExportSummary): string {
  const where = summary.files.length > 0 ? summary.files.join(', ') : 'standard output';
  return (
    `exported ${summary.nodes} nodes and ${summary.relationships} relationships ` +
    `(store version ${summary.version}) as ${summary.format} to ${where}`
  );
}
