/**
 * `oretrace import cmrt FILE... --company ID`: read every file (with a progress bar on stderr),
 * then write them all in one all-or-nothing import, and print the import report.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { ValidationError } from '../errors.js';
import { MAX_CMRT_UPLOAD_BYTES } from '../importers/cmrt/workbook-guard.js';
import { importCmrtFiles, type CmrtImportResult } from '../importers/cmrt/cmrt-import.js';
import type { GraphStore } from '../stores/graph-store.js';
import { table } from './analyze.js';

export interface ImportCmrtOptions {
  company: string;
  country?: string | undefined;
  name?: string | undefined;
  dryRun?: boolean | undefined;
}

/** A one-line bar redrawn in place: "[#####.....] 3/10 file.xlsx". */
export function progressLine(done: number, total: number, label: string, width = 24): string {
  const filled = total === 0 ? width : Math.round((width * done) / total);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`;
}

export async function importCmrtCommand(
  store: GraphStore,
  files: readonly string[],
  options: ImportCmrtOptions,
  progress: (line: string) => void = () => {},
): Promise<CmrtImportResult> {
  const uploads = [];
  for (const file of files) {
    const size = (await stat(file)).size;
    if (size > MAX_CMRT_UPLOAD_BYTES) {
      throw new ValidationError(`${file} is ${size} bytes; a CMRT is at most ${MAX_CMRT_UPLOAD_BYTES}`, [
        { path: file, message: 'file too large' },
      ]);
    }
    uploads.push({ fileName: basename(file), bytes: await readFile(file), companyId: options.company });
  }
  return importCmrtFiles(store, uploads, {
    newCompany: { name: options.name, country: options.country },
    dryRun: options.dryRun,
    onFileRead: (done, total, name) => progress(progressLine(done, total, name)),
  });
}

export function renderCmrtImport(result: CmrtImportResult): string {
  const out: string[] = [];
  out.push(
    table(
      [
        'file',
        'template',
        'rows',
        'smelters per metal',
        'by id',
        'by name',
        'unresolved',
        'not listed / not yet identified',
        'duplicates',
        'warnings',
      ],
      result.files.map((f) => [
        f.file,
        `${f.templateKind} ${f.templateVersion}`,
        f.rowsRead,
        Object.entries(f.smeltersByMetal)
          .map(([m, n]) => `${m} ${n}`)
          .join(', ') || '-',
        f.resolution.byId,
        f.resolution.byName,
        f.resolution.unresolved,
        `${f.resolution.notListed} / ${f.resolution.notYetIdentified}`,
        f.duplicates,
        f.warnings.length,
      ]),
    ),
  );
  const warnings = result.files.flatMap((f) => f.warnings);
  if (warnings.length > 0) {
    out.push('', 'Warnings:');
    out.push(
      table(
        ['file', 'where', 'code', 'message'],
        warnings.map((w) => [
          w.file,
          [w.sheet, w.column && w.row ? `${w.column}${w.row}` : w.row ? `row ${w.row}` : ''].filter(Boolean).join(' '),
          w.code,
          w.message,
        ]),
      ),
    );
  }
  out.push(
    '',
    result.dryRun
      ? 'Dry run: nothing written.'
      : `Written: ${result.nodesUpserted} nodes, ${result.relationshipsUpserted} relationships (store version ${result.version}).`,
  );
  return out.join('\n');
}
