import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countryNameToAlpha2, parseMineLocations } from '../../../../server/importers/cmrt/mine-locations.js';
import { parseMineLocationsBefore } from './mine-locations-before-oracle.js';
import { cmrtCountryNameToAlpha2Map, loadIsoCountries } from '../../../../server/seeding/reference-data.js';

type Expected = [countries: string[], recycled: boolean, unread: string[], placeholder: boolean];

function check(text: string | null, [countries, recycled, unread, placeholder]: Expected): void {
  expect(parseMineLocations(text), JSON.stringify(text)).toEqual({ countries, recycled, unread, placeholder });
}

describe('parseMineLocations on every column-O text of the five real CMRTs', () => {
  // All 37 distinct "Location (Country) of Mine(s)" values of test/fixtures/cmrt/cmrt-6.4_*.xlsx,
  // with what a person reads in them.
  const real: Array<[string, Expected]> = [
    ['China', [['CN'], false, [], false]],
    ['CHINA', [['CN'], false, [], false]],
    ['Please see RCOI-List, available at the RMI Homepage', [[], false, [], true]],
    ['Japan', [['JP'], false, [], false]],
    ['Ta scrap', [[], true, [], false]],
    // LR / HR / CC are GAM's risk categories (low risk, high risk, covered countries), not Liberia,
    // Croatia and the Cocos Islands: reported, not guessed.
    ['R/S, LR', [[], true, ['LR'], false]],
    ['Recycled or Scrap', [[], true, [], false]],
    ['CC, HR, LR', [[], false, ['CC', 'HR', 'LR'], false]],
    ['LR, HR, CC, DRC, R/S', [['CD'], true, ['LR', 'HR', 'CC'], false]],
    ['listted as conformant Smelter', [[], false, ['listted as conformant Smelter'], false]],
    ['Rwanda', [['RW'], false, [], false]],
    ['Vietnam', [['VN'], false, [], false]],
    ['0', [[], false, [], true]],
    ['Bolivia', [['BO'], false, [], false]],
    ['Poland', [['PL'], false, [], false]],
    [
      'Malaysia.Rwanda  the southern Katanga Province of the DRC that is not within the recognised conflict areas of Eastern DRC.',
      [['MY', 'RW', 'CD'], false, ['that is not within the recognised conflict areas of Eastern'], false],
    ],
    ['Recycled ', [[], true, [], false]],
    ['Sao Paulo Brazil ', [['BR'], false, ['Sao Paulo'], false]],
    ['Puno - Peru', [['PE'], false, ['Puno'], false]],
    ['Kab. Bangka, Indonesia/ Kab. Bangka Tengah, Indonesia', [['ID'], false, ['Kab. Bangka', 'Kab. Bangka Tengah'], false]],
    ['Indonesia ', [['ID'], false, [], false]],
    ['scrap', [[], true, [], false]],
    ['Brazil', [['BR'], false, [], false]],
    ['Recycled etc.', [[], true, [], false]],
    ['recycled', [[], true, [], false]],
    ['RCOI confirmed as per CFSI', [[], false, [], true]],
    ['Recycled', [[], true, [], false]],
    ['Canada', [['CA'], false, [], false]],
    ['Chile', [['CL'], false, [], false]],
    ['Shanghai', [[], false, ['Shanghai'], false]],
    ['Mining, recycled and scrap sources', [[], true, [], false]],
    ['Canada, Chile', [['CA', 'CL'], false, [], false]],
    ['SWITZERLAND', [['CH'], false, [], false]],
    ['TAIWAN', [['TW'], false, [], false]],
    ['United States, Peru, Chile, Japan', [['US', 'PE', 'CL', 'JP'], false, [], false]],
    ['Western Australia', [['AU'], false, [], false]],
    ['Tanzania', [['TZ'], false, [], false]],
  ];
  it.each(real)('%j', (text, expected) => check(text, expected));
});

describe('parseMineLocations on other real-looking texts', () => {
  const cases: Array<[string | null, Expected]> = [
    [null, [[], false, [], false]],
    ['', [[], false, [], false]],
    ['   \t ', [[], false, [], false]],
    // Lists, separators, case.
    ['Australia, Austria, Brazil', [['AU', 'AT', 'BR'], false, [], false]],
    ['australia; AUSTRIA / Brazil\nChile', [['AU', 'AT', 'BR', 'CL'], false, [], false]],
    ['Peru and Bolivia', [['PE', 'BO'], false, [], false]],
    ['Peru & Bolivia or Chile', [['PE', 'BO', 'CL'], false, [], false]],
    ['China, China, CHINA', [['CN'], false, [], false]],
    ['Mines located in China and Peru', [['CN', 'PE'], false, [], false]],
    ['Ore sourced from mines in Rwanda and the DRC', [['RW', 'CD'], false, [], false]],
    // Names with commas and brackets are one country each.
    ['CONGO, DEMOCRATIC REPUBLIC OF THE', [['CD'], false, [], false]],
    ['Congo, Democratic Republic of the, Rwanda', [['CD', 'RW'], false, [], false]],
    ['KOREA, REPUBLIC OF', [['KR'], false, [], false]],
    ["KOREA (DEMOCRATIC PEOPLE'S REPUBLIC OF)", [['KP'], false, [], false]],
    ['TAIWAN, PROVINCE OF CHINA', [['TW'], false, [], false]],
    ['BOLIVIA (PLURINATIONAL STATE OF), PERU', [['BO', 'PE'], false, [], false]],
    ['Tanzania, United Republic of', [['TZ'], false, [], false]],
    ['Congo', [['CG'], false, [], false]],
    ['Congo (Kinshasa)', [['CD'], false, [], false]],
    ['Congo (Brazzaville)', [['CG'], false, [], false]],
    ['DR Congo', [['CD'], false, [], false]],
    ['D.R. Congo', [['CD'], false, [], false]],
    ['Democratic Republic of the Congo', [['CD'], false, [], false]],
    // Short and common names.
    ['USA, UK, DRC', [['US', 'GB', 'CD'], false, [], false]],
    ['U.S.A.', [['US'], false, [], false]],
    ['Korea', [['KR'], false, [], false]],
    ['South Korea, North Korea', [['KR', 'KP'], false, [], false]],
    ['Russia, Vietnam, Taiwan, Bolivia', [['RU', 'VN', 'TW', 'BO'], false, [], false]],
    ['Laos, Syria, Iran, Venezuela', [['LA', 'SY', 'IR', 'VE'], false, [], false]],
    ['Ivory Coast', [['CI'], false, [], false]],
    ["Côte d'Ivoire", [['CI'], false, [], false]],
    ["COTE D'IVOIRE", [['CI'], false, [], false]],
    ['Türkiye, Turkey', [['TR'], false, [], false]],
    ['Trinidad & Tobago', [['TT'], false, [], false]],
    ['Bosnia and Herzegovina', [['BA'], false, [], false]],
    ['Guinea-Bissau, Guinea, Papua New Guinea, Equatorial Guinea', [['GW', 'GN', 'PG', 'GQ'], false, [], false]],
    ['South Sudan, Sudan', [['SS', 'SD'], false, [], false]],
    ['St. Lucia', [['LC'], false, [], false]],
    // Regions that hold another country's name, and the eastern DRC provinces.
    ['New Mexico', [['US'], false, [], false]],
    ['Inner Mongolia', [['CN'], false, [], false]],
    ['South Kivu, North Kivu, Maniema', [['CD'], false, [], false]],
    // Codes: capitalised and alone between separators only.
    ['CN, PE, BR', [['CN', 'PE', 'BR'], false, [], false]],
    ['CHN; PER', [['CN', 'PE'], false, [], false]],
    ['cn, pe', [[], false, ['cn', 'pe'], false]],
    ['MINES IN CHINA', [['CN'], false, [], false]],
    ['NA', [[], false, [], true]],
    ['NO', [[], false, [], true]],
    // Recycled / scrap.
    ['R/S', [[], true, [], false]],
    ['r / s', [[], true, [], false]],
    ['Recycled/Scrap', [[], true, [], false]],
    ['Recycled and scrap', [[], true, [], false]],
    ['Sn scrap', [[], true, [], false]],
    ['SN SCRAP', [[], true, [], false]],
    ['Recyled or Scrap', [[], true, [], false]],
    ['China, recycled', [['CN'], true, [], false]],
    ['Peru (mined) and recycled material', [['PE'], true, [], false]],
    // Placeholders.
    ['N/A', [[], false, [], true]],
    ['n/a', [[], false, [], true]],
    ['-', [[], false, [], true]],
    ['--', [[], false, [], true]],
    ['unknown', [[], false, [], true]],
    ['Unknown.', [[], false, [], true]],
    ['see attached', [[], false, [], true]],
    ['Please see the attached RCOI report', [[], false, [], true]],
    ['Refer to RMI website', [[], false, [], true]],
    ['China, N/A', [['CN'], false, [], false]],
    ['China, unknown', [['CN'], false, [], false]],
    ['Mines', [[], false, [], true]],
    // What cannot be read is reported, trimmed, once.
    ['Atlantis', [[], false, ['Atlantis'], false]],
    ['Atlantis, Peru, Atlantis', [['PE'], false, ['Atlantis'], false]],
    ['Peru (Junin)', [['PE'], false, ['Junin'], false]],
    ['Yunnan Province, China', [['CN'], false, ['Yunnan Province'], false]],
  ];
  it.each(cases)('%j', (text, expected) => check(text, expected));
});

describe('countryNameToAlpha2', () => {
  it.each([
    ['China', 'CN'],
    ['CHINA', 'CN'],
    ['Vietnam', 'VN'],
    ['VIET NAM', 'VN'],
    ['NORTH MACEDONIA, REPUBLIC OF', 'MK'],
    ['Taiwan', 'TW'],
    ['USA', 'US'],
    ['DE', 'DE'],
    ['DEU', 'DE'],
  ])('%j → %s', (text, code) => expect(countryNameToAlpha2(text)).toBe(code));

  it.each(['', 'China, Peru', 'Atlantis', 'de', 'NA', 'Shanghai China'])('%j → undefined', (text) => {
    expect(countryNameToAlpha2(text)).toBeUndefined();
  });
});

describe('parseMineLocations properties', () => {
  const iso = loadIsoCountries();
  const known: Array<[string, string]> = [
    ...iso.map((c): [string, string] => [c.name, c.alpha2]),
    ...[...cmrtCountryNameToAlpha2Map().entries()],
  ];
  const distinct = (codes: string[]): string[] => codes.filter((c, i) => codes.indexOf(c) === i);

  it('reads every ISO and CMRT country name alone', () => {
    for (const [name, code] of known)
      expect(parseMineLocations(name), name).toEqual({ countries: [code], recycled: false, unread: [], placeholder: false });
  });

  it('joining any list of known country names with ", " gives exactly those codes, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...known), { minLength: 1, maxLength: 8 }), (names) => {
        const text = names.map(([n]) => n).join(', ');
        expect(parseMineLocations(text)).toEqual({
          countries: distinct(names.map(([, c]) => c)),
          recycled: false,
          unread: [],
          placeholder: false,
        });
      }),
      { numRuns: 500 },
    );
  });

  it('does not depend on case or on the separator, and a recycled mark anywhere is seen', () => {
    const separators = [', ', '; ', ' / ', '\n', ',', ' ;\t'];
    const casing = [(s: string) => s, (s: string) => s.toUpperCase(), (s: string) => s.toLowerCase()];
    const marks = ['R/S', 'recycled', 'Recycled/Scrap', 'scrap', 'Ta scrap'];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...known), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(...separators),
        fc.constantFrom(...casing),
        fc.option(fc.tuple(fc.constantFrom(...marks), fc.nat()), { nil: undefined }),
        (names, separator, toCase, mark) => {
          const pieces = names.map(([n]) => toCase(n));
          if (mark) pieces.splice(mark[1] % (pieces.length + 1), 0, mark[0]);
          expect(parseMineLocations(pieces.join(separator))).toEqual({
            countries: distinct(names.map(([, c]) => c)),
            recycled: mark !== undefined,
            unread: [],
            placeholder: false,
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws, and every country it returns is an ISO code', () => {
    const codes = new Set(iso.map((c) => c.alpha2));
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const result = parseMineLocations(text);
        for (const c of result.countries) expect(codes.has(c)).toBe(true);
        expect(new Set(result.countries).size).toBe(result.countries.length);
        if (result.placeholder) expect(result).toEqual({ countries: [], recycled: false, unread: [], placeholder: true });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseMineLocations is linear in the length of the text', () => {
  // Pieces that exercise every path: names, codes, recycled marks (which cut the text), "N/A",
  // fillers, separators, and words nobody can read.
  const pieces = [
    'China',
    'CHINA',
    'CN',
    'PER',
    'LR',
    'DRC',
    'Congo, Democratic Republic of the',
    'New Mexico',
    'Bolivia',
    'R/S',
    'r / s',
    'recycled',
    'Recycled or Scrap',
    'scrap',
    'Ta scrap',
    'Sn  scraps',
    'N/A',
    'n / a',
    'mines in',
    'the',
    'x',
    'Kab. Bangka',
    'U.S.A.',
    'Sao Paulo',
    '0',
    '42',
    'Côte d’Ivoire',
    'see attached',
    'and',
    'or',
  ];
  const separators = [', ', ',', '; ', ' / ', '/', '\n', ' ', '  ', ' & ', '.', ' (', ') ', ' - ', '|', '\t'];
  const cell = fc
    .array(fc.tuple(fc.constantFrom(...pieces), fc.constantFrom(...separators)), { maxLength: 40 })
    .map((parts) => parts.map(([p, s]) => p + s).join(''));

  it('gives the answer the former (quadratic) parser gave, on random cells', () => {
    fc.assert(
      fc.property(fc.oneof(cell, fc.string({ maxLength: 120 })), (text) => {
        expect(parseMineLocations(text)).toEqual(parseMineLocationsBefore(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the longest cell Excel allows, "scrap x " repeated, and the same cell of distinct words', () => {
    // 4,096 recycled marks and 4,096 unread pieces: the former parser compared every word with
    // every mark (and every piece with every piece), 16 M steps per cell; this one reads it once.
    const scrap = 'scrap x '.repeat(4096).slice(0, 32_767).trimEnd();
    expect(parseMineLocations(scrap)).toEqual({ countries: [], recycled: true, unread: ['x'], placeholder: false });
    const words = Array.from({ length: 4096 }, (_, i) => `w${i}`);
    const distinct = words.join(', ');
    expect(parseMineLocations(distinct)).toEqual({ countries: [], recycled: false, unread: words, placeholder: false });
  });

  it('reads a cell ten times longer than Excel allows (330 K characters) in one pass', () => {
    // The former parser's work grew with the square of the marks: 100 times a 32 K cell's here
    // (minutes; vitest gives up first). A linear parser reads it like ten long cells.
    const huge = 'scrap x, Peru; R/S, N/A '.repeat(14_000);
    expect(parseMineLocations(huge)).toEqual({ countries: ['PE'], recycled: true, unread: ['x'], placeholder: false });
  });
});
