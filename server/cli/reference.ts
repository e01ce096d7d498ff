/**
 * `oretrace reference load TEMPLATE.xlsx` and `oretrace reference rmap-status FILE.csv`: file
 * reading for the reference refresh in server/importers/reference-refresh.ts.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { ValidationError } from '../errors.js';
import { MAX_CMRT_UPLOAD_BYTES } from '../importers/cmrt/workbook-guard.js';
import {
  loadLookupFromTemplate,
  loadRmapStatuses,
  type LookupRefreshResult,
  type RmapRefreshResult,
} from '../importers/reference-refresh.js';
import type { GraphStore } from '../stores/graph-store.js';

/** RMI's full facility list is a few thousand rows; anything far larger is not one. */
const MAX_RMAP_FILE_BYTES = 20 * 1024 * 1024;

async function readBounded(file: string, limit: number): Promise<Buffer> {
  const size = (await stat(file)).size;
  if (size > limit)
    throw new ValidationError(`${file} is ${size} bytes; at most ${limit} are read`, [{ path: file, message: 'file too large' }]);
  return readFile(file);
}

export async function loadLookupCommand(store: GraphStore, file: string): Promise<LookupRefreshResult> {
  return loadLookupFromTemplate(store, await readBounded(file, MAX_CMRT_UPLOAD_BYTES), basename(file));
}

export async function loadRmapStatusCommand(store: GraphStore, file: string): Promise<RmapRefreshResult> {
  return loadRmapStatuses(store, (await readBounded(file, MAX_RMAP_FILE_BYTES)).toString('utf8'));
}
