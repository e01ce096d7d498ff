/**
 * Where the web build goes and how its freshness is judged: the build records every project file
 * it was made from with a content hash (web/dist/.build-inputs.json); the build is stale when one
 * of them changed. Kept apart from vite.config.ts so that checking costs no Vite start-up.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = dirname(fileURLToPath(import.meta.url));
export const projectDir = resolve(webDir, '..');
export const distDir = resolve(webDir, 'dist');
export const BUILD_INPUTS_FILE = '.build-inputs.json';

/** The ISO 3166 table the build derives the world map's country codes from (web/country-code-table.ts). */
export const COUNTRY_TABLE = 'seeds/reference/iso3166_countries_lukes_v10.csv';

/**
 * Files that shape the build besides the bundled modules: the page, the config and its plugins, the
 * country table the build reads, and the dependency lock.
 */
export const FIXED_BUILD_INPUTS = [
  'web/index.html',
  'web/vite.config.ts',
  'web/build-inputs.ts',
  'web/country-code-table.ts',
  COUNTRY_TABLE,
  'package-lock.json',
];

export function fileHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
