import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PayloadTooLargeError, UnprocessableError, ValidationError } from '../../../../server/errors.js';
import type { CmrtDocument, CmrtSmelterRow } from '../../../../server/importers/cmrt/cmrt-document.js';
import {
  DEFAULT_MAX_SMELTER_ROWS,
  duplicateSmelterRows,
  parseDeclarationDate,
  readCmrtWorkbook,
} from '../../../../server/importers/cmrt/cmrt-reader.js';
import { PROJECT_ROOT } from '../../../../server/seeding/reference-data.js';
import { buildZip, minimalXlsx, sheetXml } from './zip-fixtures.js';
import { failure } from './failure.js';

// Every expected value below was read by hand once from the workbooks (Python zipfile + XML over
// the cached cell values, independently of exceljs and of this reader) and written down here.

const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'cmrt');
const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));

const FILES = {
  centralGlass: 'cmrt-6.4_central-glass_2024-05-10.xlsx',
  emd: 'cmrt-6.4_emd-electronics-merck_wf6_2024-04-30.xlsx',
  jx: 'cmrt-6.4_jx-advanced-metals_2024-05-30.xlsx',
  pkg: 'cmrt-6.4_pkg-de00_2024-07-10_no-declaration.xlsx',
  sk: 'cmrt-6.4_sk-specialty_wf6_2024-05-09.xlsx',
} as const;

/** "row metal id country" per smelter row, the form the Python check printed. */
function rowSummary(doc: CmrtDocument): string[] {
  return doc.smelters.map((s) => `${s.row} ${s.metal} ${s.smelterId} ${s.countryCode ?? '-'}`);
}

function perMetal(doc: CmrtDocument): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of doc.smelters) counts[String(s.metal)] = (counts[String(s.metal)] ?? 0) + 1;
  return counts;
}

/** Non-blank per-metal answers as "question metal=answer". */
function answers(doc: CmrtDocument): string[] {
  return doc.declaration.metalQuestions.filter((q) => q.raw !== null).map((q) => `${q.question} ${q.metal}=${q.answer}`);
}

function companyAnswers(doc: CmrtDocument): string[] {
  return doc.declaration.companyQuestions.map((q) => `${q.question}${q.metal ? ` ${q.metal}` : ''}=${q.answer}`);
}

function warningSummary(doc: CmrtDocument): string[] {
  return doc.warnings.map((w) => `${w.code} ${w.cell ? `${w.cell.sheet}!${w.cell.column}${w.cell.row}` : '-'}`);
}

const CMRT_COMPANY_ANSWERS_YES_H_NO = [
  'A=yes',
  'B=yes',
  'C=yes',
  'D=yes',
  'E=yes, in conformance with ipc1755 (e.g., cmrt)',
  'F=yes',
  'G=yes',
  'H=no',
];
const TUNGSTEN_ONLY_ANSWERS = (q3: string, q4: string): string[] => [
  '1 tantalum=no',
  '1 tin=no',
  '1 gold=no',
  '1 tungsten=yes',
  '2 tungsten=yes',
  `3 tungsten=${q3}`,
  `4 tungsten=${q4}`,
  '5 tungsten=no',
  '6 tungsten=100%',
  '7 tungsten=yes',
  '8 tungsten=yes',
];

describe('readCmrtWorkbook on the five real CMRT 6.4 declarations', () => {
  const docs = new Map<string, CmrtDocument>();
  beforeAll(async () => {
    for (const name of Object.values(FILES)) docs.set(name, await readCmrtWorkbook(fixture(name), { fileName: name }));
  }, 180_000);
  const doc = (name: string): CmrtDocument => docs.get(name)!;

  it('identifies every file as CMRT 6.4 covering 3TG', () => {
    for (const name of Object.values(FILES)) {
      expect([doc(name).kind, doc(name).templateVersion, doc(name).fileName], name).toEqual(['CMRT', '6.4', name]);
      expect(doc(name).metals).toEqual(['tin', 'tantalum', 'tungsten', 'gold']);
    }
  });

  it('Central Glass: 4 tungsten smelters in China, a company-wide declaration', () => {
    const d = doc(FILES.centralGlass);
    expect(perMetal(d)).toEqual({ tungsten: 4 });
    expect(rowSummary(d)).toEqual([
      '5 tungsten CID002494 CN',
      '6 tungsten CID002551 CN',
      '7 tungsten CID002513 CN',
      '8 tungsten CID002082 CN',
    ]);
    // Column A was left empty: only the look-up was used.
    expect(d.smelters.map((s) => s.smelterIdInput)).toEqual([null, null, null, null]);
    expect(d.smelters.map((s) => s.kind)).toEqual(['listed', 'listed', 'listed', 'listed']);
    expect(d.smelters[2]).toMatchObject({
      smelterLookupName: 'Hunan Shizhuyuan Nonferrous Metals Co., Ltd. Chenzhou Tungsten Products Branch',
      smelterName: 'Hunan Shizhuyuan Nonferrous Metals Co., Ltd. Chenzhou Tungsten Products Branch',
      countryRaw: 'CHINA',
      sourceOfId: 'RMI',
      street: 'Shizhuyuan, Suxian', // "Shizhuyuan, Suxian\n" in the cell
      city: 'Chenzhou',
      stateProvince: 'Hunan Sheng',
      mineNames: 'Hunan Shizhuyuan Nonferrous Metals Co., Ltd.',
      mineLocationsRaw: 'CHINA',
      mineLocations: { countries: ['CN'], recycled: false, unread: [], placeholder: false },
      recycledOrScrap: 'no',
      comments: null,
    });
    // The look-up formula returns 0 for an empty street: read as blank.
    expect(d.smelters[0]!.street).toBeNull();
    expect(d.declaration).toMatchObject({
      companyName: 'Central Glass Co., Ltd.',
      scope: 'A. Company',
      scopeKind: 'company',
      scopeDescription: null,
      companyId: null,
      companyIdAuthority: null,
      address: 'Kowa-Hitotsubashi Building, 7-1 Kanda-Nishikicho 3-chome, Chiyoda-ku, Tokyo 101-0054, Japan',
      effectiveDate: '2024-05-10',
      metalsInScope: [],
      blank: false,
    });
    expect(answers(d)).toEqual(TUNGSTEN_ONLY_ANSWERS('no', 'no'));
    expect(companyAnswers(d)).toEqual(CMRT_COMPANY_ANSWERS_YES_H_NO);
    expect(d.declaration.companyQuestions[1]).toEqual({
      question: 'B',
      answer: 'yes',
      raw: 'Yes',
      comment: 'https://www.cgco.co.jp/csr/report',
      cell: { sheet: 'Declaration', row: 77, column: 'D' },
    });
    expect(d.products).toEqual([]);
    expect(d.warnings).toEqual([]);
    expect(duplicateSmelterRows(d.smelters)).toEqual([]);
  });

  it('EMD Electronics: 1 tungsten smelter, a product declaration for WF6', () => {
    const d = doc(FILES.emd);
    expect(perMetal(d)).toEqual({ tungsten: 1 });
    expect(rowSummary(d)).toEqual(['5 tungsten CID002082 CN']);
    expect(d.smelters[0]).toMatchObject({
      smelterIdInput: 'CID002082',
      metalRaw: 'Tungsten',
      smelterLookupName: 'Xiamen Tungsten Co., Ltd.',
      smelterName: null,
      nextSteps: 'N/A',
      mineNames: 'Ninghua Xingluokeng Tungsten Mining Co., Ltd.;  Jinding Tungsten, Luoyang Yulu Mining Co. Ltd.',
      mineLocations: { countries: ['CN'], recycled: false, unread: [], placeholder: false },
      recycledOrScrap: null,
      comments: 'Listed on RMAP Conformant Tungsten Smelter List',
    });
    expect(d.declaration).toMatchObject({
      companyName: 'EMD Electronics, a business of Merck KGaA, Darmstadt, Germany',
      scope: 'B. Product (or List of Products)',
      scopeKind: 'product',
      address: '8555 S. River Parkway, Tempe, AZ  85284',
      effectiveDate: '2024-04-30',
      blank: false,
    });
    expect(answers(d)).toEqual(TUNGSTEN_ONLY_ANSWERS('yes', 'yes'));
    expect(companyAnswers(d)).toEqual([...CMRT_COMPANY_ANSWERS_YES_H_NO.slice(0, 7), 'H=yes, with the eu']);
    expect(d.products).toEqual([
      { row: 6, productNumber: 'WF6', productName: 'WF6', requesterProductNumber: null, requesterProductName: null, comments: null },
    ]);
    expect(d.warnings).toEqual([]);
  });

  it('JX Advanced Metals: 16 tantalum and 11 tungsten rows, 3 duplicated (id, metal) pairs', () => {
    const d = doc(FILES.jx);
    expect(perMetal(d)).toEqual({ tantalum: 16, tungsten: 11 });
    expect(rowSummary(d)).toEqual([
      '5 tantalum CID002544 TH',
      '6 tantalum CID002549 JP',
      '7 tantalum CID002550 DE',
      '8 tantalum CID002545 DE',
      '9 tantalum CID001969 KZ',
      '10 tantalum CID001969 -', // Smelter Country left empty in this row
      '11 tantalum CID002558 JP',
      '12 tantalum CID002504 US',
      '13 tantalum CID001163 IN',
      '14 tantalum CID000460 CN', // "China" in mixed case
      '15 tantalum CID002557 US',
      '16 tantalum CID000914 CN',
      '17 tantalum CID001522 CN',
      '18 tantalum CID002506 CN',
      '19 tantalum CID001192 JP',
      '20 tantalum CID000917 CN',
      '21 tungsten CID002589 US',
      '22 tungsten CID002082 CN',
      '23 tungsten CID002082 CN',
      '24 tungsten CID002082 CN',
      '25 tungsten CID002082 CN',
      '26 tungsten CID002082 CN',
      '27 tungsten CID002320 CN',
      '28 tungsten CID000258 CN',
      '29 tungsten CID000825 JP',
      '30 tungsten CID002543 VN',
      '31 tungsten CID002320 CN',
    ]);
    expect(duplicateSmelterRows(d.smelters)).toEqual([
      { smelterId: 'CID001969', metal: 'tantalum', rows: [9, 10] },
      { smelterId: 'CID002082', metal: 'tungsten', rows: [22, 23, 24, 25, 26] },
      { smelterId: 'CID002320', metal: 'tungsten', rows: [27, 31] },
    ]);
    const row = (r: number): CmrtSmelterRow => d.smelters.find((s) => s.row === r)!;
    expect(row(10)).toMatchObject({
      countryRaw: null,
      countryCode: null,
      mineLocations: { countries: [], recycled: true, unread: [], placeholder: false },
    });
    expect(row(14).countryRaw).toBe('China');
    expect(row(12)).toMatchObject({ mineLocationsRaw: 'Recycled or Scrap', recycledOrScrap: 'yes', street: 'Jenkins Road' });
    expect(row(15).mineLocations).toEqual({ countries: ['CD'], recycled: true, unread: ['LR', 'HR', 'CC'], placeholder: false });
    expect(row(5).mineLocations).toEqual({ countries: [], recycled: false, unread: [], placeholder: true });
    // Source of id is the number 0 (a formula over an empty look-up cell) in rows 22–27.
    expect(row(22).sourceOfId).toBeNull();
    expect(row(31).cells.mineLocations).toEqual({ sheet: 'Smelter List', row: 31, column: 'O' });
    expect(row(31).cells.country).toEqual({ sheet: 'Smelter List', row: 31, column: 'E' });
    expect(d.declaration).toMatchObject({
      companyName: 'JX Advanced Metals Corporation',
      scope: 'B. Product (or List of Products)',
      scopeKind: 'product',
      address: '10-4, Toranomon 2-Chome, Minato-ku, TOKYO 105-8417, Japan',
      effectiveDate: '2024-05-30',
      effectiveDateRaw: '2024-05-30',
      blank: false,
    });
    expect(answers(d)).toEqual([
      '1 tantalum=yes',
      '1 tin=no',
      '1 gold=no',
      '1 tungsten=yes',
      '2 tantalum=yes',
      '2 tungsten=yes',
      '3 tantalum=yes',
      '3 tungsten=yes',
      '4 tantalum=yes',
      '4 tungsten=yes',
      '5 tantalum=no',
      '5 tungsten=no',
      '6 tantalum=100%',
      '6 tungsten=100%',
      '7 tantalum=yes',
      '7 tungsten=yes',
      '8 tantalum=yes',
      '8 tungsten=yes',
    ]);
    const q3ta = d.declaration.metalQuestions.find((q) => q.question === 3 && q.metal === 'tantalum')!;
    expect(q3ta).toEqual({
      metal: 'tantalum',
      question: 3,
      answer: 'yes',
      raw: 'Yes',
      comment: 'Only uses approved conflict free material in Dodd-Frank Act and OECD-Guidelines.',
      cell: { sheet: 'Declaration', row: 38, column: 'D' },
    });
    expect(companyAnswers(d)).toEqual(CMRT_COMPANY_ANSWERS_YES_H_NO);
    expect(d.products.map((p) => [p.row, p.productNumber, p.productName])).toEqual([
      [6, 'Sputtering Target', 'Ta/ Ta alloy Target'],
      [7, 'Sputtering Target', 'W/ W alloy Target'],
      [8, 'Tantalum parts', 'Other Tantalum parts'],
    ]);
    expect(warningSummary(d)).toEqual([
      'mine-locations-unread Smelter List!O11',
      'mine-locations-unread Smelter List!O13',
      'mine-locations-unread Smelter List!O14',
      'mine-locations-unread Smelter List!O15',
      'mine-locations-unread Smelter List!O21',
    ]);
    expect(d.warnings[4]!.message).toBe('Smelter List row 21: could not read "listted as conformant Smelter" in the mine locations.');
  });

  it('PKG DE00: a blank company part but answers, 33 tin and 34 gold smelters', () => {
    const d = doc(FILES.pkg);
    expect(perMetal(d)).toEqual({ tin: 33, gold: 34 });
    expect(rowSummary(d)).toEqual([
      ...[
        'CID000228 CN',
        'CID000292 US',
        'CID000402 JP',
        'CID000438 BO',
        'CID000468 PL',
        'CID000538 CN',
        'CID001070 CN',
        'CID001105 MY',
        'CID001142 US',
        'CID001173 BR',
        'CID001182 PE',
        'CID001191 JP',
        'CID001231 CN',
        'CID001314 TH',
        'CID001337 BO',
        'CID001453 ID',
        'CID001477 ID',
        'CID001482 ID',
        'CID001539 TW',
        'CID001898 TH',
        'CID002036 BR',
        'CID002158 CN',
        'CID002180 CN',
        'CID002517 PH',
        'CID002773 BE',
        'CID002774 ES',
        'CID003116 CN',
        'CID003190 CN',
        'CID003325 US',
        'CID003387 RW',
        'CID003449 ID',
        'CID003524 ES',
        'CID003582 BR',
      ].map((s, i) => `${i + 5} tin ${s}`),
      ...[
        'CID000077 CH',
        'CID000082 JP',
        'CID000176 DE',
        'CID000401 JP',
        'CID000425 JP',
        'CID000694 DE',
        'CID000707 CN',
        'CID000807 JP',
        'CID000920 US',
        'CID000924 CA',
        'CID000937 JP',
        'CID000981 JP',
        'CID001078 KR',
        'CID001119 JP',
        'CID001147 CN',
        'CID001149 CN',
        'CID001152 SG',
        'CID001153 CH',
        'CID001157 US',
        'CID001161 MX',
        'CID001188 JP',
        'CID001193 JP',
        'CID001259 JP',
        'CID001352 CH',
        'CID001622 CN',
        'CID001761 TW',
        'CID001798 JP',
        'CID001875 JP',
        'CID001916 CN',
        'CID001938 JP',
        'CID001980 BE',
        'CID002030 AU',
        'CID002762 AD',
        'CID002778 DE',
      ].map((s, i) => `${i + 38} gold ${s}`),
    ]);
    expect(duplicateSmelterRows(d.smelters)).toEqual([]);
    const row = (r: number): CmrtSmelterRow => d.smelters.find((s) => s.row === r)!;
    // Luna Smelter, the only covered-country smelter of the five files.
    expect(row(34)).toMatchObject({
      smelterLookupName: 'Luna Smelter, Ltd.',
      countryRaw: 'RWANDA',
      countryCode: 'RW',
      recycledOrScrap: 'unknown',
    });
    // Pasted zeros: "0" in Name of Mine(s), Location and Comments.
    expect(row(5)).toMatchObject({ nextSteps: null, mineNames: null, mineLocationsRaw: '0', comments: null });
    expect(row(5).mineLocations).toEqual({ countries: [], recycled: false, unread: [], placeholder: true });
    expect(row(12).mineLocations.countries).toEqual(['MY', 'RW', 'CD']);
    expect(row(64).mineLocations.countries).toEqual(['US', 'PE', 'CL', 'JP']);
    expect(row(70).mineLocations.countries).toEqual(['TZ']);
    expect(d.declaration).toMatchObject({
      companyName: null,
      scope: null,
      scopeKind: null,
      address: null,
      effectiveDate: null,
      effectiveDateRaw: null,
      blank: false,
    });
    expect(answers(d)).toEqual([
      '1 tantalum=no',
      '1 tin=yes',
      '1 gold=yes',
      '1 tungsten=no',
      '2 tin=yes',
      '2 gold=yes',
      '3 tin=yes',
      '3 gold=no',
      '4 tin=yes',
      '4 gold=no',
      '5 tin=no',
      '5 gold=no',
      '6 tin=100%',
      '6 gold=100%',
      '7 tin=yes',
      '7 gold=yes',
      '8 tin=yes',
      '8 gold=yes',
    ]);
    expect(companyAnswers(d)).toEqual(CMRT_COMPANY_ANSWERS_YES_H_NO);
    expect(d.products).toEqual([]);
    expect(warningSummary(d)).toEqual([
      'mine-locations-unread Smelter List!O12',
      'mine-locations-unread Smelter List!O14',
      'mine-locations-unread Smelter List!O15',
      'mine-locations-unread Smelter List!O20',
      'mine-locations-unread Smelter List!O52',
    ]);
  });

  it('SK specialty: 2 tungsten smelters, a company id, a product without number', () => {
    const d = doc(FILES.sk);
    expect(perMetal(d)).toEqual({ tungsten: 2 });
    expect(rowSummary(d)).toEqual(['5 tungsten CID002082 CN', '6 tungsten CID000258 CN']);
    expect(d.declaration).toMatchObject({
      companyName: 'SK specialty Co., Ltd',
      scope: 'B. Product (or List of Products)',
      scopeKind: 'product',
      companyId: '459-88-02246',
      companyIdAuthority: 'NTS',
      address: '63 Gaheunggongdan-ro, Yeongju, Gyeongsangbuk-do, Korea',
      effectiveDate: '2024-05-09',
      blank: false,
    });
    expect(answers(d)).toEqual(TUNGSTEN_ONLY_ANSWERS('no', 'no'));
    expect(companyAnswers(d)).toEqual(CMRT_COMPANY_ANSWERS_YES_H_NO);
    expect(d.products).toEqual([
      {
        row: 6,
        productNumber: null,
        productName: 'WF6',
        requesterProductNumber: null,
        requesterProductName: null,
        comments: 'For manufacturing WF6 Gas',
      },
    ]);
    expect(d.warnings).toEqual([]);
  });

  it('asks all 8 questions for each of the 4 metals, in the fixed CMRT order', () => {
    const d = doc(FILES.sk);
    expect(d.declaration.metalQuestions).toHaveLength(32);
    expect(d.declaration.metalQuestions.slice(0, 4).map((q) => [q.question, q.metal, q.cell.row])).toEqual([
      [1, 'tantalum', 26],
      [1, 'tin', 27],
      [1, 'gold', 28],
      [1, 'tungsten', 29],
    ]);
    expect(d.declaration.metalQuestions.slice(-1).map((q) => [q.question, q.metal, q.cell.row])).toEqual([[8, 'tungsten', 71]]);
  });
});

describe('readCmrtWorkbook on every blank template', () => {
  const templates: Array<[string, 'CMRT' | 'EMRT', string]> = [
    ['RMI_CMRT_6.01_blank_zh-cached.xlsx', 'CMRT', '6.01'],
    ['RMI_CMRT_6.1_blank_zh-cached.xlsx', 'CMRT', '6.1'],
    ['RMI_CMRT_6.22_blank_zh-cached.xlsx', 'CMRT', '6.22'],
    ['RMI_CMRT_6.31_blank_zh-cached.xlsx', 'CMRT', '6.31'],
    ['RMI_CMRT_6.4_blank_en.xlsx', 'CMRT', '6.4'],
    ['RMI_CMRT_6.5_blank_zh-cached.xlsx', 'CMRT', '6.5'],
    ['RMI_EMRT_2.1_blank_zh-cached.xlsx', 'EMRT', '2.1'],
  ];
  const docs = new Map<string, CmrtDocument>();
  beforeAll(async () => {
    for (const [name] of templates) docs.set(name, await readCmrtWorkbook(fixture(name), { fileName: name }));
  }, 180_000);

  it.each(templates)('%s is %s %s with an empty smelter list', (name, kind, version) => {
    const d = docs.get(name)!;
    expect([d.kind, d.templateVersion]).toEqual([kind, version]);
    expect(d.smelters).toEqual([]);
    expect(d.products).toEqual([]);
    expect(d.warnings).toEqual([]);
    expect(d.metals).toEqual(
      kind === 'CMRT' ? ['tin', 'tantalum', 'tungsten', 'gold'] : ['cobalt', 'mica', 'copper', 'graphite', 'lithium', 'nickel'],
    );
    expect(d.declaration.companyName).toBeNull();
    expect(d.declaration.effectiveDate).toBeNull();
  });

  it('says the declaration is blank in every template but 6.31, whose copy keeps a few answers', () => {
    for (const [name] of templates) expect(docs.get(name)!.declaration.blank, name).toBe(name !== 'RMI_CMRT_6.31_blank_zh-cached.xlsx');
    const d = docs.get('RMI_CMRT_6.31_blank_zh-cached.xlsx')!;
    // Values left in the cirscn copy of the 6.31 template (D9, D32, D38, D44, D50, D56, D62, D68, D75).
    expect([d.declaration.scope, d.declaration.scopeKind]).toEqual(['A. Company', 'company']);
    expect(answers(d)).toEqual([
      '2 tantalum=yes',
      '3 tantalum=yes',
      '4 tantalum=unknown',
      '5 tantalum=yes',
      '6 tantalum=100%',
      '7 tantalum=no',
      '8 tantalum=no',
    ]);
    expect(companyAnswers(d)[0]).toBe('A=yes');
  });

  it('reads the EMRT 2.1 declaration layout: minerals in scope, 7 questions per mineral, question C per mineral', () => {
    const d = docs.get('RMI_EMRT_2.1_blank_zh-cached.xlsx')!;
    expect(d.declaration.metalsInScope).toEqual(['cobalt', 'copper', 'graphite', 'lithium', 'mica', 'nickel']);
    expect(d.declaration.metalQuestions).toHaveLength(42);
    expect(d.declaration.metalQuestions.slice(0, 6).map((q) => [q.question, q.metal, q.cell.row])).toEqual([
      [1, 'cobalt', 30],
      [1, 'copper', 31],
      [1, 'graphite', 32],
      [1, 'lithium', 33],
      [1, 'mica', 34],
      [1, 'nickel', 35],
    ]);
    expect(d.declaration.metalQuestions.slice(-1).map((q) => [q.question, q.metal, q.cell.row])).toEqual([[7, 'nickel', 107]]);
    expect(companyAnswers(d)).toEqual([
      'A=null',
      'B=null',
      'C cobalt=null',
      'C copper=null',
      'C graphite=null',
      'C lithium=null',
      'C mica=null',
      'C nickel=null',
      'D=null',
      'E=null',
      'F=null',
      'G=null',
    ]);
    expect(d.declaration.companyQuestions.map((q) => q.cell.row)).toEqual([115, 117, 120, 121, 122, 123, 124, 125, 131, 133, 135, 137]);
  });
});

// ---------------------------------------------------------------------------------------------
// A CMRT built with exceljs: the layout's labels, and whatever a test puts in the cells.

const CMRT_LABEL_ROWS = [
  8,
  9,
  12,
  13,
  14,
  22,
  ...[25, 31, 37, 43, 49, 55, 61, 67].flatMap((r) => [r, r + 1, r + 2, r + 3, r + 4]),
  75,
  77,
  79,
  81,
  83,
  85,
  87,
  89,
];

interface SyntheticCmrt {
  revision?: string | null;
  labels?: boolean;
  declaration?: Record<string, ExcelJS.CellValue>;
  smelters?: Record<number, Record<string, ExcelJS.CellValue>>;
  products?: Record<number, Record<string, ExcelJS.CellValue>>;
  sheets?: readonly string[];
}

async function syntheticCmrt(spec: SyntheticCmrt): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const names = spec.sheets ?? ['Revision', 'Declaration', 'Smelter List', 'Product List'];
  const ws = new Map(names.map((n) => [n, wb.addWorksheet(n)]));
  const revision = ws.get('Revision');
  if (revision) revision.getCell('B3').value = 'Conflict Minerals Reporting Template';
  const declaration = ws.get('Declaration');
  if (declaration) {
    if (spec.revision !== null) declaration.getCell('J3').value = `Revision ${spec.revision ?? '6.5'}\nApril 25, 2025`;
    if (spec.labels !== false) for (const r of CMRT_LABEL_ROWS) declaration.getCell(`B${r}`).value = '标签';
    for (const [address, value] of Object.entries(spec.declaration ?? {})) declaration.getCell(address).value = value;
  }
  const smelterList = ws.get('Smelter List');
  for (const [row, cells] of Object.entries(spec.smelters ?? {})) {
    for (const [column, value] of Object.entries(cells)) smelterList!.getCell(`${column}${row}`).value = value;
  }
  for (const [row, cells] of Object.entries(spec.products ?? {})) {
    for (const [column, value] of Object.entries(cells)) ws.get('Product List')!.getCell(`${column}${row}`).value = value;
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('readCmrtWorkbook on what suppliers really type', () => {
  let doc: CmrtDocument;
  beforeAll(async () => {
    const bytes = await syntheticCmrt({
      declaration: {
        D8: ' Acme Metals Ltd.\t',
        D9: 'c. user defined',
        D10: 'Connectors, 2025',
        D22: '10-May-2024',
        D26: 'YES ', // Q1 tantalum
        D27: '\tno',
        D28: 'Unknown',
        D29: 'Yes',
        D56: 'Greater than  90%',
        D75: 'Yes',
        G75: 'https://example.invalid/policy',
      },
      smelters: {
        4: { A: '冶炼厂识别号码输入列', B: '金属 (*)' }, // header row: never data
        5: { B: 'TIN', C: 'Thaisarco', E: 'THAILAND', F: 'CID001898', P: 'YES', O: 'Thailand, Malaysia' },
        6: { B: 'Tin ', C: 'Smelter not listed', D: 'Local Tin Works', E: 'Vietnam', P: 'no' },
        7: { B: 'tin\t', C: 'smelter not yet identified ' },
        // 8: empty
        9: { G: 0, H: 0, M: 'only notes, no smelter' }, // not a smelter row: no metal, name or id
        10: { A: 'cid002082', B: 'Tungsten' }, // F not recalculated: the id typed in A is used
        11: { A: 'CID000001', B: 'Gold', F: 'CID000002' },
        12: { B: 'Gold', F: 'CID0027634' },
        13: { B: 'Cobalt', D: 'A cobalt refiner' },
        14: { B: 'Silver', D: 'A silver refiner' },
        15: { D: 'Smelter without metal' },
        16: { B: 'Gold', D: 'Somewhere Refinery', E: 'Atlantis', O: 'Peru, Atlantis', P: 'Maybe' },
        17: { B: 'tin', C: 'Thaisarco', E: 'THAILAND', F: 'CID001898' },
        18: { B: 'Tantalum', F: 'CID000211', H: 0, M: 0, O: 0, Q: { formula: 'IF(1,"x","")', result: 'computed comment' } },
        19: { B: 'Tantalum', F: { formula: 'IF(1,"CID000291","")', result: 'CID000291' }, E: { formula: 'X', result: { error: '#N/A' } } },
      },
      products: {
        5: { B: 'Responder Product Number (*)' },
        6: { B: 'P-1', C: 'Connector', D: 'for cars' },
        7: { B: 12345 },
        9: { C: 'Name only' },
        2006: { B: '© 2025 Responsible Minerals Initiative. All rights reserved.' },
      },
    });
    doc = await readCmrtWorkbook(bytes, { fileName: 'acme.xlsx' });
  }, 60_000);

  const row = (r: number): CmrtSmelterRow => doc.smelters.find((s) => s.row === r)!;

  it('keeps every row with a metal, a name or an id, in sheet order, and nothing else', () => {
    expect(doc.smelters.map((s) => s.row)).toEqual([5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it('reads dropdown values whatever their case and trailing spaces or tabs', () => {
    expect([5, 6, 7, 17].map((r) => [row(r).metal, row(r).metalRaw])).toEqual([
      ['tin', 'TIN'],
      ['tin', 'Tin'],
      ['tin', 'tin'],
      ['tin', 'tin'],
    ]);
    expect([5, 6, 16, 17].map((r) => row(r).recycledOrScrap)).toEqual(['yes', 'no', null, null]);
  });

  it('tells listed, "Smelter not listed" and "Smelter not yet identified" rows apart', () => {
    expect([5, 6, 7].map((r) => row(r).kind)).toEqual(['listed', 'not_listed', 'not_yet_identified']);
    expect(row(6)).toMatchObject({ smelterName: 'Local Tin Works', countryRaw: 'Vietnam', countryCode: 'VN', smelterId: null });
    expect(row(7)).toMatchObject({ smelterLookupName: 'smelter not yet identified', countryCode: null });
  });

  it('takes the id from column F, else from column A, upper-cased', () => {
    expect([5, 10, 11, 12, 19].map((r) => [row(r).smelterIdInput, row(r).smelterId])).toEqual([
      [null, 'CID001898'],
      ['CID002082', 'CID002082'],
      ['CID000001', 'CID000002'],
      [null, 'CID0027634'],
      [null, 'CID000291'],
    ]);
  });

  it('reads cached formula results, and errors and zeros as blank', () => {
    expect(row(18)).toMatchObject({ street: null, nextSteps: null, mineLocationsRaw: '0', comments: 'computed comment' });
    expect(row(18).mineLocations.placeholder).toBe(true);
    expect(row(19)).toMatchObject({ countryRaw: null, countryCode: null });
  });

  it('keeps duplicates and reports them through duplicateSmelterRows', () => {
    expect(duplicateSmelterRows(doc.smelters)).toEqual([{ smelterId: 'CID001898', metal: 'tin', rows: [5, 17] }]);
  });

  it('warns about each reading problem with its cell', () => {
    expect(warningSummary(doc)).toEqual([
      'smelter-id-mismatch Smelter List!F11',
      'malformed-smelter-id Smelter List!F12',
      'metal-not-in-template Smelter List!B13',
      'unknown-metal Smelter List!B14',
      'missing-metal Smelter List!B15',
      'unknown-country Smelter List!E16',
      'mine-locations-unread Smelter List!O16',
      'unknown-recycled-answer Smelter List!P16',
    ]);
    expect(doc.warnings.map((w) => w.message)).toEqual([
      'Smelter List row 11: the id typed in column A (CID000001) is not the id in column F (CID000002).',
      'Smelter List row 12: "CID0027634" is not an RMI smelter id (CID and 6 digits).',
      'Smelter List row 13: cobalt is not a metal of the CMRT.',
      'Smelter List row 14: "Silver" is not a metal oretrace knows.',
      'Smelter List row 15 has no metal.',
      'Smelter List row 16: country "Atlantis" is not a country oretrace knows.',
      'Smelter List row 16: could not read "Atlantis" in the mine locations.',
      'Smelter List row 16: "Maybe" is not Yes, No or Unknown.',
    ]);
    expect(row(14).metal).toBeNull();
    expect(row(13).metal).toBe('cobalt');
    expect(row(16).mineLocations.countries).toEqual(['PE']);
    expect(row(5).mineLocations.countries).toEqual(['TH', 'MY']);
  });

  it('reads the declaration: trimmed text, scope letter in any case, text date, answers normalised', () => {
    expect(doc.declaration).toMatchObject({
      companyName: 'Acme Metals Ltd.',
      scope: 'c. user defined',
      scopeKind: 'user_defined',
      scopeDescription: 'Connectors, 2025',
      effectiveDate: '2024-05-10',
      effectiveDateRaw: '10-May-2024',
      blank: false,
    });
    expect(answers(doc)).toEqual(['1 tantalum=yes', '1 tin=no', '1 gold=unknown', '1 tungsten=yes', '6 tantalum=greater than 90%']);
    expect(doc.declaration.metalQuestions[0]!.raw).toBe('YES');
    expect(doc.declaration.companyQuestions[0]).toEqual({
      question: 'A',
      answer: 'yes',
      raw: 'Yes',
      comment: 'https://example.invalid/policy',
      cell: { sheet: 'Declaration', row: 75, column: 'D' },
    });
  });

  it('reads the product list without its header or the copyright line', () => {
    expect(doc.products).toEqual([
      {
        row: 6,
        productNumber: 'P-1',
        productName: 'Connector',
        requesterProductNumber: null,
        requesterProductName: null,
        comments: 'for cars',
      },
      { row: 7, productNumber: '12345', productName: null, requesterProductNumber: null, requesterProductName: null, comments: null },
      { row: 9, productNumber: null, productName: 'Name only', requesterProductNumber: null, requesterProductName: null, comments: null },
    ]);
  });
});

describe('effective dates', () => {
  it.each([
    ['a real date', new Date(Date.UTC(2024, 4, 10)), { iso: '2024-05-10', raw: '2024-05-10' }],
    ['an Excel serial number', 45422, { iso: '2024-05-10', raw: '45422' }],
    ['an Excel serial number as text', '45422', { iso: '2024-05-10', raw: '45422' }],
    ['ISO', '2024-05-10', { iso: '2024-05-10', raw: '2024-05-10' }],
    ['ISO with time', '2024-05-10T00:00:00Z', { iso: '2024-05-10', raw: '2024-05-10T00:00:00Z' }],
    ['year first with slashes', '2024/5/9', { iso: '2024-05-09', raw: '2024/5/9' }],
    ['year first with dots', '2024.05.09', { iso: '2024-05-09', raw: '2024.05.09' }],
    ['compact', '20240509', { iso: '2024-05-09', raw: '20240509' }],
    ['Chinese', '2024年5月9日', { iso: '2024-05-09', raw: '2024年5月9日' }],
    ['DD-Mon-YYYY', '10-May-2024', { iso: '2024-05-10', raw: '10-May-2024' }],
    ['DD Month YYYY', '10 September 2024', { iso: '2024-09-10', raw: '10 September 2024' }],
    ['DD-Mon-YY', '1-Jan-25', { iso: '2025-01-01', raw: '1-Jan-25' }],
    ['Month DD, YYYY', 'May 10, 2024', { iso: '2024-05-10', raw: 'May 10, 2024' }],
    ['day above 12 first', '31/12/2024', { iso: '2024-12-31', raw: '31/12/2024' }],
    ['day above 12 second', '12/31/2024', { iso: '2024-12-31', raw: '12/31/2024' }],
    ['same day and month', '05/05/2024', { iso: '2024-05-05', raw: '05/05/2024' }],
    ['ambiguous day/month', '05/10/2024', { iso: null, raw: '05/10/2024', problem: 'ambiguous' }],
    ['not a calendar day', '2024-02-30', { iso: null, raw: '2024-02-30', problem: 'unreadable' }],
    ['not a date', 'last spring', { iso: null, raw: 'last spring', problem: 'unreadable' }],
    ['blank', '   ', { iso: null, raw: null }],
    ['empty', null, { iso: null, raw: null }],
  ] as const)('%s', (_, value, expected) => {
    expect(parseDeclarationDate(value as never)).toEqual(expected);
  });

  it('uses the 1904 date system when the workbook does', () => {
    expect(parseDeclarationDate(43960, true)).toEqual({ iso: '2024-05-10', raw: '43960' });
  });

  it('warns about an ambiguous effective date and keeps it as written', async () => {
    const d = await readCmrtWorkbook(await syntheticCmrt({ declaration: { D8: 'X', D22: '05/10/2024' } }), { fileName: 'x.xlsx' });
    expect([d.declaration.effectiveDate, d.declaration.effectiveDateRaw]).toEqual([null, '05/10/2024']);
    expect(warningSummary(d)).toEqual(['ambiguous-date Declaration!D22']);
  });
});

describe('readCmrtWorkbook refuses bad files with a clear error', () => {
  it('not a zip', async () => {
    const err = await failure(readCmrtWorkbook(Buffer.from('%PDF-1.7 not a workbook'), { fileName: 'cmrt.pdf' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toBe('not an .xlsx file: cmrt.pdf is not a zip archive, and an .xlsx workbook is one');
  });

  it('a zip with one text file', async () => {
    const err = await failure(readCmrtWorkbook(buildZip([{ name: 'cmrt.txt', data: 'Tin, CID001070' }]), { fileName: 'cmrt.zip' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toBe('not an .xlsx file: cmrt.zip is a zip but not an Excel workbook (it has no xl/workbook.xml)');
  });

  it('a workbook without the CMRT sheets', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Sheet1').getCell('A1').value = 'hello';
    const err = await failure(readCmrtWorkbook(Buffer.from(await wb.xlsx.writeBuffer()), { fileName: 'book.xlsx' }));
    expect(err).toBeInstanceOf(UnprocessableError);
    expect(err.message).toBe("book.xlsx: the workbook has no 'Smelter List' sheet: is it a CMRT or EMRT?");
    const noDeclaration = await failure(readCmrtWorkbook(await syntheticCmrt({ sheets: ['Smelter List'] }), { fileName: 'sl.xlsx' }));
    expect(noDeclaration.message).toBe("sl.xlsx: the workbook has no 'Declaration' sheet: is it a CMRT or EMRT?");
  });

  it('a workbook whose Declaration does not have the layout of its version', async () => {
    const err = await failure(readCmrtWorkbook(await syntheticCmrt({ labels: false }), { fileName: 'moved.xlsx' }));
    expect(err).toBeInstanceOf(UnprocessableError);
    expect(err.message).toBe('moved.xlsx: the Declaration does not have the layout of CMRT 6.5 (no label in B8, B9, B12, B13, B14)');
  });

  it('a template version it cannot read, or none', async () => {
    const old = await failure(readCmrtWorkbook(await syntheticCmrt({ revision: '5.12' }), { fileName: 'old.xlsx' }));
    expect(old).toBeInstanceOf(UnprocessableError);
    expect(old.message).toBe('old.xlsx: CMRT 5.12 is not a supported template (oretrace reads CMRT 6.x and EMRT 2.x)');
    const none = await failure(
      readCmrtWorkbook(await syntheticCmrt({ revision: null, sheets: ['Declaration', 'Smelter List'] }), { fileName: 'none.xlsx' }),
    );
    expect(none).toBeInstanceOf(UnprocessableError);
    expect(none.message).toMatch(/^none\.xlsx: cannot tell the template version/);
  });

  it('more smelter rows than the limit (default 20,000)', async () => {
    expect(DEFAULT_MAX_SMELTER_ROWS).toBe(20_000);
    const rows: Record<number, Record<string, string>> = {};
    for (let r = 5; r < 5 + 30; r++) rows[r] = { B: 'Tin', C: 'Thaisarco' };
    const bytes = await syntheticCmrt({ smelters: rows });
    const err = await failure(readCmrtWorkbook(bytes, { fileName: 'many.xlsx', maxSmelterRows: 29 }));
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect(err.message).toBe('many.xlsx: the Smelter List has more than 29 smelter rows, the limit for one workbook');
    expect((await readCmrtWorkbook(bytes, { fileName: 'many.xlsx', maxSmelterRows: 30 })).smelters).toHaveLength(30);
  });

  it('a 100,000-row smelter list: refused while streaming, before the workbook is loaded', async () => {
    const rows = function* (): Generator<Record<string, string>> {
      for (let i = 0; i < 100_000; i++) {
        yield { A: `CID${String(i).padStart(6, '0')}`, B: 'Tin', C: `Smelter ${i}`, E: 'CHINA', F: `CID${String(i).padStart(6, '0')}` };
      }
    };
    const bytes = minimalXlsx([
      { name: 'Declaration', xml: sheetXml([{ J: 'Revision 6.5' }], 3) },
      { name: 'Smelter List', xml: sheetXml(rows(), 5) },
    ]);
    const before = process.memoryUsage().rss;
    const err = await failure(readCmrtWorkbook(bytes, { fileName: 'huge.xlsx' }));
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect(err.message).toBe('huge.xlsx: the Smelter List has more than 20000 smelter rows, the limit for one workbook');
    expect((err as PayloadTooLargeError).fields).toEqual([
      { path: 'huge.xlsx!Smelter List', message: 'the Smelter List has more than 20000 smelter rows, the limit for one workbook' },
    ]);
    expect(process.memoryUsage().rss - before).toBeLessThan(300 * 1024 * 1024);
  }, 60_000);
});
