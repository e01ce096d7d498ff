import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { CountrySchema, GraphDocumentSchema, SmelterSchema, type Country, type Smelter } from '../../../graph/model.js';
import {
  cmrtCountryNameToAlpha2Map,
  cmrtCountryToAlpha2,
  LIST_DFA_1502,
  LIST_EU_CAHRA,
  loadCountries,
  loadDoddFrankCountries,
  loadEuCahraList,
  loadIsoCountries,
  loadReferenceSmelters,
  loadSmelterLookup,
  referenceGraph,
  REFERENCE_DIR,
  REFERENCE_FILES,
} from '../../../server/seeding/reference-data.js';

// The expected numbers below were counted once by hand with a separate script (Python csv/json over
// the files in seeds/reference/), independently of the loader; see seeds/reference/PROVENANCE.md.

const DFA_CODES = ['AO', 'BI', 'CD', 'CF', 'CG', 'RW', 'SS', 'TZ', 'UG', 'ZM'];
const EU_WHOLE_COUNTRY = ['BI', 'ER', 'LY', 'VE', 'ZW'];

function byId<T extends { id: string }>(xs: readonly T[]): Map<string, T> {
  return new Map(xs.map((x) => [x.id, x]));
}

describe('countries', () => {
  const countries = loadCountries();
  const countryById = byId(countries);

  it('has every ISO 3166-1 country once, as a valid Country node', () => {
    expect(countries).toHaveLength(249);
    expect(countryById.size).toBe(249);
    for (const c of countries) expect(CountrySchema.parse(c)).toEqual(c);
    expect(loadIsoCountries()).toHaveLength(249);
  });

  it('uses ISO short names, and keeps Namibia ("NA") as a code', () => {
    expect(countryById.get('CD')?.name).toBe('Congo, Democratic Republic of the');
    expect(countryById.get('TW')?.name).toBe('Taiwan, Province of China');
    expect(countryById.get('NA')).toEqual({ label: 'Country', id: 'NA', name: 'Namibia', cahra: false, lists: [] });
    expect(countryById.get('CH')).toEqual({ label: 'Country', id: 'CH', name: 'Switzerland', cahra: false, lists: [] });
  });

  it('marks the 29 countries of the EU list, 5 of them whole-country', () => {
    const eu = loadEuCahraList();
    expect(eu.version).toBe('Report: June 2026 - For publication');
    expect(eu.entries).toHaveLength(29);
    expect(
      eu.entries
        .filter((e) => e.wholeCountry)
        .map((e) => e.alpha2)
        .sort(),
    ).toEqual(EU_WHOLE_COUNTRY);
    expect(eu.entries.reduce((n, e) => n + e.regions.length, 0)).toBe(234);

    const onEu = countries.filter((c) => c.lists.includes(LIST_EU_CAHRA));
    expect(onEu).toHaveLength(29);
    const regionLevel = onEu.filter((c) => c.cahraRegions !== undefined);
    expect(regionLevel).toHaveLength(24);
    expect(regionLevel.reduce((n, c) => n + c.cahraRegions!.length, 0)).toBe(234);
    for (const code of EU_WHOLE_COUNTRY) expect(countryById.get(code)?.cahraRegions).toBeUndefined();
    for (const c of regionLevel) for (const r of c.cahraRegions!) expect(r.startsWith(`${c.id}-`)).toBe(true);
    // Only countries on the EU list carry regions.
    expect(countries.filter((c) => c.cahraRegions !== undefined)).toHaveLength(24);
  });

  it('keeps the EU regions of region-level designations', () => {
    const cd = countryById.get('CD')!;
    expect(cd.lists).toEqual([LIST_EU_CAHRA, LIST_DFA_1502]);
    expect(cd.cahraRegions).toHaveLength(26);
    expect(cd.cahraRegions).toContain('CD-NK');
    expect(cd.cahraRegions).toContain('CD-SK');
    expect(countryById.get('AF')?.cahraRegions).toHaveLength(34);
    expect(countryById.get('MX')?.cahraRegions).toHaveLength(10);
    expect(countryById.get('RU')?.cahraRegions).toHaveLength(2);
    expect(countryById.get('UA')?.cahraRegions).toHaveLength(9);
    expect(countryById.get('CO')?.cahraRegions).toHaveLength(7);
  });

  it('marks exactly the 10 Dodd-Frank covered countries', () => {
    expect(
      loadDoddFrankCountries()
        .map((d) => d.alpha2)
        .sort(),
    ).toEqual(DFA_CODES);
    expect(
      countries
        .filter((c) => c.lists.includes(LIST_DFA_1502))
        .map((c) => c.id)
        .sort(),
    ).toEqual(DFA_CODES);
    // Rwanda, Uganda and Tanzania are covered by Dodd-Frank but not on the EU list.
    for (const code of ['RW', 'UG', 'TZ']) {
      expect(countryById.get(code)).toMatchObject({ cahra: true, lists: [LIST_DFA_1502] });
      expect(countryById.get(code)?.cahraRegions).toBeUndefined();
    }
    expect(countryById.get('BI')).toMatchObject({ cahra: true, lists: [LIST_EU_CAHRA, LIST_DFA_1502] });
  });

  it('sets cahra exactly for countries on some list: 29 + 10 - 4 on both = 35', () => {
    expect(countries.filter((c) => c.cahra)).toHaveLength(35);
    for (const c of countries) expect(c.cahra).toBe(c.lists.length > 0);
    const both = countries
      .filter((c) => c.lists.length === 2)
      .map((c) => c.id)
      .sort();
    expect(both).toEqual(['BI', 'CD', 'CF', 'SS']);
  });

  it('returns fresh objects on every call', () => {
    const a = loadCountries();
    a[0]!.name = 'changed';
    a[0]!.lists.push('X');
    const b = loadCountries();
    expect(b[0]!.name).toBe('Afghanistan');
    expect(b[0]!.lists).toEqual([LIST_EU_CAHRA]);
  });
});

describe('CMRT country names', () => {
  it("maps all 249 CMRT names (and the 6.1 look-up's older spelling of North Macedonia) to alpha-2 codes", () => {
    const map = cmrtCountryNameToAlpha2Map();
    expect(map.size).toBe(250);
    expect(new Set(map.values()).size).toBe(249);
    expect(map.get('NORTH MACEDONIA, REPUBLIC OF')).toBe('MK');
    expect(map.get('CONGO, DEMOCRATIC REPUBLIC OF THE')).toBe('CD');
  });

  it('looks names up ignoring case and spacing', () => {
    expect(cmrtCountryToAlpha2('KOREA, REPUBLIC OF')).toBe('KR');
    expect(cmrtCountryToAlpha2('TAIWAN, PROVINCE OF CHINA')).toBe('TW');
    expect(cmrtCountryToAlpha2('UNITED STATES OF AMERICA')).toBe('US');
    expect(cmrtCountryToAlpha2('  viet   nam ')).toBe('VN');
    expect(cmrtCountryToAlpha2('NAMIBIA')).toBe('NA');
    expect(cmrtCountryToAlpha2('Unknown')).toBeUndefined();
    expect(cmrtCountryToAlpha2('')).toBeUndefined();
  });
});

describe('RMI Smelter Look-up (CMRT 6.5)', () => {
  const rows = loadSmelterLookup();
  const smelters = loadReferenceSmelters();
  const smelterById = byId(smelters);

  it('reads the 629 rows with an id and skips the 8 pseudo rows', () => {
    const fileRows = readFileSync(join(REFERENCE_DIR, REFERENCE_FILES.smelterLookup), 'utf8');
    expect(fileRows).toContain('Smelter not yet identified');
    expect(rows).toHaveLength(629);
    expect(rows.filter((r) => /^Smelter not (listed|yet identified)$/.test(r.lookupName))).toEqual([]);
    for (const r of rows) expect(r.smelterId).toMatch(/^CID\d{6}$/);
    const perMetal = (metal: string) => rows.filter((r) => r.metal === metal).length;
    expect([perMetal('gold'), perMetal('tin'), perMetal('tungsten'), perMetal('tantalum')]).toEqual([324, 153, 87, 65]);
  });

  it('has 349 distinct smelters: gold 182, tin 73, tungsten 59, tantalum 35', () => {
    expect(smelters).toHaveLength(349);
    expect(smelterById.size).toBe(349);
    const count = (metal: string) => smelters.filter((s) => s.metal === metal).length;
    expect({ gold: count('gold'), tin: count('tin'), tungsten: count('tungsten'), tantalum: count('tantalum') }).toEqual({
      gold: 182,
      tin: 73,
      tungsten: 59,
      tantalum: 35,
    });
    expect(smelters.map((s) => s.id)).toEqual([...smelters.map((s) => s.id)].sort());
    for (const s of smelters) {
      expect(SmelterSchema.parse(s)).toEqual(s);
      expect(s.rmapStatus).toBe('unknown');
      expect(s.aliases).not.toContain(s.name);
      expect(new Set(s.aliases).size).toBe(s.aliases.length);
    }
    // 629 rows - 349 standard-name rows = 280 alias rows, none repeated within an id.
    expect(smelters.reduce((n, s) => n + s.aliases.length, 0)).toBe(280);
    expect(new Set(smelters.map((s) => s.country)).size).toBe(54);
  });

  it('spot check: CID001070 China Tin Group, its aliases and country', () => {
    expect(smelterById.get('CID001070')).toEqual<Smelter>({
      label: 'Smelter',
      id: 'CID001070',
      name: 'China Tin Group Co., Ltd.',
      aliases: [
        'China Tin (Hechi)',
        'China Tin Lai Ben Smelter Co., Ltd.',
        'Guang Xi Liu Xhou',
        'Guang Xi Liu Zhou',
        'GuangXi China Tin',
        'Guangxi Hua Shu Dan CO., LTD.',
        'Liuzhhou China Tin',
        'Metallic Materials Branch of Guangxi China Tin Group Co.,Ltd.',
        'XiHai - Liuzhou China Tin Group Co ltd',
      ],
      metal: 'tin',
      country: 'CN',
      rmapStatus: 'unknown',
    });
    const lookupRow = rows.find((r) => r.smelterId === 'CID001070' && r.lookupName === 'GuangXi China Tin');
    expect(lookupRow).toEqual({
      metal: 'tin',
      lookupName: 'GuangXi China Tin',
      standardName: 'China Tin Group Co., Ltd.',
      countryCode: 'CN',
      smelterId: 'CID001070',
      city: 'Laibin',
      state: 'Guangxi Zhuangzu Zizhiqu',
    });
  });

  it('spot checks: aliases kept as published (even mojibake), smelters without aliases', () => {
    expect(smelterById.get('CID000189')).toMatchObject({
      name: 'Cendres + Metaux S.A.',
      aliases: ['Cendres + M?taux SA', 'Cendres + Métaux S.A.'],
      metal: 'gold',
      country: 'CH',
    });
    expect(smelterById.get('CID002763')).toMatchObject({ name: '8853 S.p.A.', aliases: [], metal: 'gold', country: 'IT' });
    expect(smelterById.get('CID001352')).toMatchObject({
      name: 'MKS PAMP SA',
      aliases: ['PAMP S.A.', 'Produits Artistiques de Métaux'],
      country: 'CH',
    });
    // The same standard name on two ids of different metals: the id identifies a smelter.
    expect(smelterById.get('CID000401')).toMatchObject({ name: 'Dowa', metal: 'gold', country: 'JP' });
    expect(smelterById.get('CID000402')).toMatchObject({ name: 'Dowa', metal: 'tin', country: 'JP' });
  });

  it('has the smelters in Dodd-Frank covered countries counted in the PROVENANCE: RW 3, UG 2, TZ 1, CD 1', () => {
    const covered = smelters.filter((s) => DFA_CODES.includes(s.country));
    const grouped: Record<string, string[]> = {};
    for (const s of covered) (grouped[s.country] ??= []).push(s.id);
    expect(grouped).toEqual({
      CD: ['CID004065'],
      RW: ['CID003387', 'CID004054', 'CID005006'],
      TZ: ['CID004506'],
      UG: ['CID003185', 'CID004724'],
    });
    expect(smelterById.get('CID003387')).toMatchObject({ name: 'Luna Smelter, Ltd.', metal: 'tin', country: 'RW' });
  });

  it('has 47 smelters located in countries on the EU list (region-level there, except Zimbabwe)', () => {
    const countries = byId(loadCountries());
    const onEu = smelters.filter((s) => countries.get(s.country)!.lists.includes(LIST_EU_CAHRA));
    const grouped: Record<string, number> = {};
    for (const s of onEu) grouped[s.country] = (grouped[s.country] ?? 0) + 1;
    expect(grouped).toEqual({ CD: 1, CO: 1, IN: 20, MM: 1, MX: 3, RU: 19, SD: 1, ZW: 1 });
    expect(onEu).toHaveLength(47);
  });
});

describe('referenceGraph()', () => {
  const graph = referenceGraph();

  it('is countries + smelters + one LOCATED_IN per smelter, and a valid GraphDocument', () => {
    expect(GraphDocumentSchema.parse(graph)).toEqual(graph);
    expect(graph.nodes.filter((n) => n.label === 'Country')).toHaveLength(249);
    expect(graph.nodes.filter((n) => n.label === 'Smelter')).toHaveLength(349);
    expect(graph.nodes.filter((n) => n.label === 'Company')).toHaveLength(0);
    expect(graph.relationships).toHaveLength(349);
    // Ids are unique across labels, so relationships can name their ends by id alone.
    expect(new Set(graph.nodes.map((n) => n.id)).size).toBe(598);
    const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
    const seen = new Set<string>();
    for (const r of graph.relationships) {
      expect(r.type).toBe('LOCATED_IN');
      const from = nodes.get(r.from);
      expect(from?.label).toBe('Smelter');
      expect(nodes.get(r.to)?.label).toBe('Country');
      expect(r.to).toBe((from as Smelter).country);
      expect(seen.has(r.from)).toBe(false);
      seen.add(r.from);
    }
  });

  it('covers every country the smelters are in', () => {
    const countryIds = new Set(graph.nodes.filter((n): n is Country => n.label === 'Country').map((n) => n.id));
    for (const n of graph.nodes) if (n.label === 'Smelter') expect(countryIds.has(n.country)).toBe(true);
  });
});

describe('bad reference files fail loudly', () => {
  function copyReference(): string {
    const dir = mkdtempSync(join(tmpdir(), 'oretrace-ref-'));
    for (const f of Object.values(REFERENCE_FILES)) copyFileSync(join(REFERENCE_DIR, f), join(dir, f));
    return dir;
  }

  it('throws when a smelter country does not map to an ISO code', () => {
    const dir = copyReference();
    try {
      const file = join(dir, REFERENCE_FILES.smelterLookup);
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace('Gold,8853 S.p.A.,8853 S.p.A.,ITALY,', 'Gold,8853 S.p.A.,8853 S.p.A.,ATLANTIS,'),
      );
      expect(() => loadReferenceSmelters(dir)).toThrow(/country "ATLANTIS" of CID002763/);
      // The shipped data is unaffected.
      expect(loadReferenceSmelters()).toHaveLength(349);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('throws when a list names a country the ISO file does not have', () => {
    const dir = copyReference();
    try {
      const file = join(dir, REFERENCE_FILES.doddFrank);
      writeFileSync(file, `${readFileSync(file, 'utf8').trimEnd()}\nNowhere,XQ,XQQ,adjoining\n`);
      expect(() => loadCountries(dir)).toThrow(/XQ is not an ISO country/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('throws when the rows of one id disagree', () => {
    const dir = copyReference();
    try {
      const file = join(dir, REFERENCE_FILES.smelterLookup);
      const text = readFileSync(file, 'utf8').replace(
        'Tin,GuangXi China Tin,"China Tin Group Co., Ltd.",CHINA,CID001070',
        'Tin,GuangXi China Tin,"China Tin Group Co., Ltd.",MALAYSIA,CID001070',
      );
      expect(text).toContain('MALAYSIA,CID001070');
      writeFileSync(file, text);
      expect(() => loadReferenceSmelters(dir)).toThrow(/CID001070 has two values of countryCode/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
