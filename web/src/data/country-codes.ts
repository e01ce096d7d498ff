/**
 * ISO 3166-1 alpha-2 → numeric codes, so that the world map (whose shapes are keyed by numeric
 * code) and the API (alpha-2) agree without a second list: the web build derives them from the
 * reference table the server seeds its countries from (web/country-code-table.ts; ISO 3166 table
 * by Luke Duncalfe, CC BY-SA 4.0, provenance in seeds/reference/PROVENANCE.md).
 */
import numericCodes from 'virtual:oretrace/country-codes';

let cache: Map<string, string> | null = null;

/** alpha-2 ("CD") → numeric ("180"), three digits with leading zeros as the world atlas has them. */
export function numericByAlpha2(): Map<string, string> {
  cache ??= new Map(Object.entries(numericCodes));
  return cache;
}
