/**
 * The world map's country codes, made at build time: the world atlas keys its shapes by ISO 3166
 * numeric code, the API names countries by alpha-2. This Vite plugin reads the ISO 3166 table the
 * server seeds its countries from (seeds/reference, provenance in PROVENANCE.md there) and serves
 * the module `virtual:oretrace/country-codes` with only its alpha-2 → numeric pairs, so the map
 * and the API agree without a second list while the browser's code imports nothing from seeds/
 * (ARCHITECTURE.md, "The shape in one picture").
 *
 * The table is ISO-3166-Countries-with-Regional-Codes by Luke Duncalfe (github.com/lukes/
 * ISO-3166-Countries-with-Regional-Codes), licensed CC BY-SA 4.0
 * (https://creativecommons.org/licenses/by-sa/4.0/); the generated module carries that attribution.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Plugin } from 'vite';
import { COUNTRY_TABLE, projectDir } from './build-inputs.js';

export const COUNTRY_CODES_MODULE = 'virtual:oretrace/country-codes';
// Rollup's convention: a leading NUL keeps other plugins from treating the id as a file.
const RESOLVED_ID = `\0${COUNTRY_CODES_MODULE}`;

const ATTRIBUTION =
  'ISO 3166 alpha-2 → numeric codes from ISO-3166-Countries-with-Regional-Codes by Luke Duncalfe ' +
  '(github.com/lukes/ISO-3166-Countries-with-Regional-Codes), CC BY-SA 4.0 ' +
  '(https://creativecommons.org/licenses/by-sa/4.0/); see seeds/reference/PROVENANCE.md.';

/** alpha-2 ("CD") → numeric ("180"), three digits with leading zeros as the world atlas has them. */
export function numericByAlpha2FromTable(csv: string): Record<string, string> {
  const rows = parse(csv, {
    columns: (header: string[]) => {
      if (!header.includes('alpha-2') || !header.includes('country-code')) {
        throw new Error(`${COUNTRY_TABLE} has no alpha-2 or country-code column`);
      }
      return header;
    },
    bom: true,
    skip_empty_lines: true,
  }) as Record<string, string>[];
  const codes: Record<string, string> = {};
  for (const row of rows) {
    const alpha2 = row['alpha-2'];
    const numeric = row['country-code'];
    if (alpha2 && numeric) codes[alpha2] = numeric.padStart(3, '0');
  }
  return codes;
}

export function countryCodeTable(): Plugin {
  return {
    name: 'oretrace-country-code-table',
    resolveId(id) {
      return id === COUNTRY_CODES_MODULE ? RESOLVED_ID : null;
    },
    load(id) {
      if (id !== RESOLVED_ID) return null;
      const path = resolve(projectDir, COUNTRY_TABLE);
      this.addWatchFile(path);
      const codes = numericByAlpha2FromTable(readFileSync(path, 'utf8'));
      return `/*! ${ATTRIBUTION} */\nexport default ${JSON.stringify(codes)};\n`;
    },
  };
}
