/**
 * Reference data (README, "Data and licences"): countries with their CAHRA lists, and the RMI Smelter Look-up of the
 * CMRT 6.5 template, read from the files in seeds/reference/ (provenance in PROVENANCE.md there).
 *
 * Every loader reads the files on first use and keeps the parsed result; each call returns fresh
 * objects, so callers may change what they get. A file that does not have the shape expected
 * throws: reference data is shipped with the code, so a surprise there is a bug, not user input.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import {
  CountrySchema,
  MetalSchema,
  SmelterSchema,
  type Country,
  type GraphDocument,
  type LocatedIn,
  type Metal,
  type Smelter,
} from '../../graph/model.js';

/** The project root (this file is seeds/reference/reference-data.ts). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where the reference files live. */
export const REFERENCE_DIR = join(PROJECT_ROOT, 'seeds', 'reference');

export const REFERENCE_FILES = {
  isoCountries: 'iso3166_countries_lukes_v10.csv',
  cmrtCountries: 'cmrt_country_list.csv',
  euCahra: 'eu_cahra_2026-06.json',
  doddFrank: 'dodd_frank_1502_covered_countries.csv',
  smelterLookup: 'smelter_lookup_cmrt_6.5.csv',
} as const;

/** List names put on Country nodes. */
export const LIST_EU_CAHRA = 'EU-CAHRA';
export const LIST_DFA_1502 = 'DFA-1502';

// ---------------------------------------------------------------------------------------------
// Raw files

function readText(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8');
}

function readCsv(dir: string, file: string, expectedColumns: readonly string[]): Record<string, string>[] {
  const rows = parse(readText(dir, file), {
    columns: (header: string[]) => {
      const missing = expectedColumns.filter((c) => !header.includes(c));
      if (missing.length > 0) throw new Error(`${file}: missing column(s) ${missing.join(', ')}`);
      return header;
    },
    bom: true,
    // Some of the files end lines with CRLF; accept both, also mixed (a hand-edited copy).
    record_delimiter: ['\r\n', '\n'],
    skip_empty_lines: true,
  }) as Record<string, string>[];
  return rows;
}

function fail(file: string, row: number, message: string): never {
  // Row numbers count the header as line 1, like a spreadsheet.
  throw new Error(`${file}, row ${row + 2}: ${message}`);
}

const Alpha2 = /^[A-Z]{2}$/;

// ---------------------------------------------------------------------------------------------
// ISO 3166 countries

export interface IsoCountry {
  alpha2: string;
  alpha3: string;
  /** ISO short name as in the lukes file, e.g. "Congo, Democratic Republic of the". */
  name: string;
  numeric: string;
  region: string;
  subRegion: string;
}

export function loadIsoCountries(dir: string = REFERENCE_DIR): IsoCountry[] {
  const file = REFERENCE_FILES.isoCountries;
  const rows = readCsv(dir, file, ['name', 'alpha-2', 'alpha-3', 'country-code', 'region', 'sub-region']);
  const seen = new Set<string>();
  return rows.map((r, i) => {
    const alpha2 = (r['alpha-2'] ?? '').trim();
    const name = (r.name ?? '').trim();
    if (!Alpha2.test(alpha2)) fail(file, i, `"${alpha2}" is not an alpha-2 code`);
    if (name === '') fail(file, i, 'empty name');
    if (seen.has(alpha2)) fail(file, i, `duplicate alpha-2 code ${alpha2}`);
    seen.add(alpha2);
    return {
      alpha2,
      alpha3: (r['alpha-3'] ?? '').trim(),
      name,
      numeric: (r['country-code'] ?? '').trim(),
      region: (r.region ?? '').trim(),
      subRegion: (r['sub-region'] ?? '').trim(),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// CMRT country names

/** Upper-case, single spaces: the form CMRT country names are compared in. */
export function normalizeCmrtCountryName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toUpperCase();
}

const cmrtMapCache = new Map<string, ReadonlyMap<string, string>>();

/**
 * CMRT country name (as written in a CMRT's "Smelter Country", e.g.
 * "CONGO, DEMOCRATIC REPUBLIC OF THE") → ISO 3166-1 alpha-2 ("CD"). Keys are normalised with
 * normalizeCmrtCountryName; prefer cmrtCountryToAlpha2 for look-ups.
 */
export function cmrtCountryNameToAlpha2Map(dir: string = REFERENCE_DIR): ReadonlyMap<string, string> {
  const cached = cmrtMapCache.get(dir);
  if (cached) return cached;
  const file = REFERENCE_FILES.cmrtCountries;
  const map = new Map<string, string>();
  readCsv(dir, file, ['alpha2', 'cmrt_country_name']).forEach((r, i) => {
    const alpha2 = (r.alpha2 ?? '').trim();
    const name = normalizeCmrtCountryName(r.cmrt_country_name ?? '');
    if (!Alpha2.test(alpha2)) fail(file, i, `"${alpha2}" is not an alpha-2 code`);
    if (name === '') fail(file, i, 'empty country name');
    const before = map.get(name);
    if (before !== undefined && before !== alpha2) fail(file, i, `"${name}" maps to both ${before} and ${alpha2}`);
    map.set(name, alpha2);
  });
  cmrtMapCache.set(dir, map);
  return map;
}

/** The alpha-2 code of a CMRT country name (case and spacing ignored), or undefined. */
export function cmrtCountryToAlpha2(name: string, dir: string = REFERENCE_DIR): string | undefined {
  return cmrtCountryNameToAlpha2Map(dir).get(normalizeCmrtCountryName(name));
}

// ---------------------------------------------------------------------------------------------
// EU CAHRA list

const EuCahraFileSchema = z.object({
  meta: z.looseObject({
    source: z.string(),
    version: z.string(),
    retrieved: z.string(),
  }),
  entries: z.array(
    z.object({
      countryName: z.string().min(1),
      iso2: z.string().regex(Alpha2),
      iso3: z.string(),
      wholeCountry: z.boolean(),
      regions: z
        .array(
          z.object({
            name: z.string(),
            code: z.string().regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/),
            conflictAffected: z.boolean(),
            highRisk: z.boolean(),
          }),
        )
        .nullable(),
    }),
  ),
});

export interface EuCahraEntry {
  alpha2: string;
  countryName: string;
  wholeCountry: boolean;
  /** ISO 3166-2 codes of the designated regions; empty for whole-country designations. */
  regions: { code: string; name: string; conflictAffected: boolean; highRisk: boolean }[];
}

export interface EuCahraList {
  version: string;
  retrieved: string;
  source: string;
  entries: EuCahraEntry[];
}

export function loadEuCahraList(dir: string = REFERENCE_DIR): EuCahraList {
  const file = REFERENCE_FILES.euCahra;
  const parsed = EuCahraFileSchema.safeParse(JSON.parse(readText(dir, file)));
  if (!parsed.success) throw new Error(`${file}: unexpected shape: ${parsed.error.message}`);
  const { meta, entries } = parsed.data;
  return {
    version: meta.version,
    retrieved: meta.retrieved,
    source: meta.source,
    entries: entries.map((e) => {
      const regions = e.regions ?? [];
      if (!e.wholeCountry && regions.length === 0) throw new Error(`${file}: ${e.iso2} is neither whole-country nor has regions`);
      for (const r of regions) {
        if (!r.code.startsWith(`${e.iso2}-`)) throw new Error(`${file}: region ${r.code} is not in ${e.iso2}`);
      }
      return {
        alpha2: e.iso2,
        countryName: e.countryName,
        wholeCountry: e.wholeCountry,
        regions: e.wholeCountry ? [] : regions.map((r) => ({ ...r })),
      };
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Dodd-Frank s.1502 covered countries

export interface DoddFrankCountry {
  alpha2: string;
  name: string;
  role: string;
}

export function loadDoddFrankCountries(dir: string = REFERENCE_DIR): DoddFrankCountry[] {
  const file = REFERENCE_FILES.doddFrank;
  return readCsv(dir, file, ['country_name', 'iso_alpha2', 'role']).map((r, i) => {
    const alpha2 = (r.iso_alpha2 ?? '').trim();
    if (!Alpha2.test(alpha2)) fail(file, i, `"${alpha2}" is not an alpha-2 code`);
    return { alpha2, name: (r.country_name ?? '').trim(), role: (r.role ?? '').trim() };
  });
}

// ---------------------------------------------------------------------------------------------
// Country nodes

const countriesCache = new Map<string, Country[]>();

/**
 * Every ISO 3166-1 country as a Country node, in the order of the ISO file. `lists` names the
 * lists that designate it (EU-CAHRA for whole-country or region-level EU designations, DFA-1502
 * for the Dodd-Frank covered countries); `cahra` is true when any list names it;
 * `cahraRegions` holds the ISO 3166-2 codes of region-level EU designations. Which lists count
 * for risk is a risk-policy decision taken elsewhere; the lists here are kept as published.
 */
export function loadCountries(dir: string = REFERENCE_DIR): Country[] {
  let countries = countriesCache.get(dir);
  if (!countries) {
    const iso = loadIsoCountries(dir);
    const known = new Set(iso.map((c) => c.alpha2));
    const eu = new Map<string, EuCahraEntry>();
    for (const e of loadEuCahraList(dir).entries) {
      if (!known.has(e.alpha2)) throw new Error(`${REFERENCE_FILES.euCahra}: ${e.alpha2} is not an ISO country`);
      if (eu.has(e.alpha2)) throw new Error(`${REFERENCE_FILES.euCahra}: ${e.alpha2} listed twice`);
      eu.set(e.alpha2, e);
    }
    const dfa = new Set<string>();
    for (const d of loadDoddFrankCountries(dir)) {
      if (!known.has(d.alpha2)) throw new Error(`${REFERENCE_FILES.doddFrank}: ${d.alpha2} is not an ISO country`);
      dfa.add(d.alpha2);
    }
    countries = iso.map((c) => {
      const lists: string[] = [];
      const euEntry = eu.get(c.alpha2);
      if (euEntry) lists.push(LIST_EU_CAHRA);
      if (dfa.has(c.alpha2)) lists.push(LIST_DFA_1502);
      const node: Country = {
        label: 'Country',
        id: c.alpha2,
        name: c.name,
        cahra: lists.length > 0,
        lists,
      };
      if (euEntry && !euEntry.wholeCountry) node.cahraRegions = euEntry.regions.map((r) => r.code);
      return CountrySchema.parse(node);
    });
    countriesCache.set(dir, countries);
  }
  return structuredClone(countries);
}

// ---------------------------------------------------------------------------------------------
// RMI Smelter Look-up

export interface SmelterLookupRow {
  metal: Metal;
  /** The name as listed in the look-up's "Smelter Look-up" column (an alias or the standard name). */
  lookupName: string;
  standardName: string;
  /** ISO alpha-2, mapped from the CMRT country name. */
  countryCode: string;
  /** RMI smelter identification number, e.g. "CID001070". */
  smelterId: string;
  city: string;
  state: string;
}

const lookupCache = new Map<string, SmelterLookupRow[]>();

/**
 * The rows of the Smelter Look-up that carry a smelter id, in file order. The 8 pseudo rows
 * ("Smelter not listed" / "Smelter not yet identified") have no id and are skipped. Throws when a
 * country name does not map to an ISO code or a metal is unknown. `file` (in `dir`, beside the
 * CMRT country list it maps countries with) selects another template version's look-up.
 */
export function loadSmelterLookup(dir: string = REFERENCE_DIR, file: string = REFERENCE_FILES.smelterLookup): SmelterLookupRow[] {
  const cacheKey = `${dir}\u0000${file}`;
  let rows = lookupCache.get(cacheKey);
  if (!rows) {
    const countryMap = cmrtCountryNameToAlpha2Map(dir);
    const raw = readCsv(dir, file, [
      'metal',
      'smelter_lookup_name',
      'standard_smelter_name',
      'country',
      'smelter_id',
      'city',
      'state_province',
    ]);
    rows = [];
    raw.forEach((r, i) => {
      const smelterId = (r.smelter_id ?? '').trim();
      if (smelterId === '') return; // "Smelter not listed" / "Smelter not yet identified"
      const metal = MetalSchema.safeParse((r.metal ?? '').trim().toLowerCase());
      if (!metal.success) fail(file, i, `unknown metal "${r.metal}"`);
      const countryName = r.country ?? '';
      const countryCode = countryMap.get(normalizeCmrtCountryName(countryName));
      if (countryCode === undefined) fail(file, i, `country "${countryName}" of ${smelterId} is not in ${REFERENCE_FILES.cmrtCountries}`);
      const lookupName = (r.smelter_lookup_name ?? '').trim();
      const standardName = (r.standard_smelter_name ?? '').trim();
      if (lookupName === '' || standardName === '') fail(file, i, `${smelterId} has an empty name`);
      rows!.push({
        metal: metal.data,
        lookupName,
        standardName,
        countryCode,
        smelterId,
        city: (r.city ?? '').trim(),
        state: (r.state_province ?? '').trim(),
      });
    });
    lookupCache.set(cacheKey, rows);
  }
  return rows.map((r) => ({ ...r }));
}

const smeltersCache = new Map<string, Smelter[]>();

/**
 * Look-up rows grouped into Smelter nodes, ordered by id: name = the standard name, aliases = the
 * other look-up names (deduplicated, in row order), rmapStatus "unknown" (the look-up carries no
 * status; users load their own RMAP list). Throws when the rows of one id disagree on metal,
 * standard name or country; `origin` names the file in that message.
 */
export function smeltersFromLookup(rows: readonly SmelterLookupRow[], origin: string): Smelter[] {
  const byId = new Map<string, { first: SmelterLookupRow; aliases: string[] }>();
  for (const row of rows) {
    const entry = byId.get(row.smelterId);
    if (!entry) {
      byId.set(row.smelterId, { first: row, aliases: row.lookupName === row.standardName ? [] : [row.lookupName] });
      continue;
    }
    const { first } = entry;
    for (const key of ['metal', 'standardName', 'countryCode'] as const) {
      if (first[key] !== row[key]) {
        throw new Error(`${origin}: ${row.smelterId} has two values of ${key}: "${first[key]}" and "${row[key]}"`);
      }
    }
    if (row.lookupName !== row.standardName && !entry.aliases.includes(row.lookupName)) entry.aliases.push(row.lookupName);
  }
  return [...byId.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, { first, aliases }]) =>
      SmelterSchema.parse({
        label: 'Smelter',
        id,
        name: first.standardName,
        aliases,
        metal: first.metal,
        country: first.countryCode,
        rmapStatus: 'unknown',
      }),
    );
}

/** The distinct smelters of the shipped look-up as Smelter nodes (see smeltersFromLookup). */
export function loadReferenceSmelters(dir: string = REFERENCE_DIR): Smelter[] {
  let smelters = smeltersCache.get(dir);
  if (!smelters) {
    smelters = smeltersFromLookup(loadSmelterLookup(dir), REFERENCE_FILES.smelterLookup);
    smeltersCache.set(dir, smelters);
  }
  return structuredClone(smelters);
}

// ---------------------------------------------------------------------------------------------
// The reference graph

/**
 * Countries, the look-up's smelters, and LOCATED_IN from each smelter to its country. No SUPPLIES:
 * the reference data says nothing about material flow.
 */
export function referenceGraph(dir: string = REFERENCE_DIR): GraphDocument {
  const countries = loadCountries(dir);
  const smelters = loadReferenceSmelters(dir);
  const known = new Set(countries.map((c) => c.id));
  const relationships: LocatedIn[] = smelters.map((s) => {
    if (!known.has(s.country)) throw new Error(`smelter ${s.id} is in ${s.country}, which is not an ISO country`);
    return { type: 'LOCATED_IN', from: s.id, to: s.country };
  });
  return { nodes: [...countries, ...smelters], relationships };
}
