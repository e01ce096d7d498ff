/**
 * ISO 3166-1 alpha-2 → numeric codes, from the reference table the server seeds its countries
 * from (seeds/reference, with provenance), so the world map (whose shapes are keyed by numeric
 * code) and the API (alpha-2) agree without a second list.
 */
import isoTable from '../../../seeds/reference/iso3166_countries_lukes_v10.csv?raw';

function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

let cache: Map<string, string> | null = null;

/** alpha-2 ("CD") → numeric ("180"), three digits with leading zeros as the world atlas has them. */
export function numericByAlpha2(): Map<string, string> {
  if (cache) return cache;
  const lines = isoTable.split(/\r?\n/).filter(Boolean);
  const header = parseCsvLine(lines[0]!);
  const a2 = header.indexOf('alpha-2');
  const num = header.indexOf('country-code');
  if (a2 < 0 || num < 0) throw new Error('The ISO 3166 table has no alpha-2 or country-code column');
  cache = new Map();
  for (const line of lines.slice(1)) {
    const row = parseCsvLine(line);
    if (row[a2] && row[num]) cache.set(row[a2]!, row[num]!.padStart(3, '0'));
  }
  return cache;
}
