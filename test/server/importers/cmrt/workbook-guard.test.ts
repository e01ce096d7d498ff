import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { crc32, deflateRawSync } from 'node:zlib';
import { PayloadTooLargeError, ValidationError } from '../../../../server/errors.js';
import {
  DEFAULT_WORKBOOK_LIMITS,
  MAX_CMRT_UPLOAD_BYTES,
  openXlsx,
  type RawCell,
} from '../../../../server/importers/cmrt/workbook-guard.js';
import { PROJECT_ROOT } from '../../../../server/seeding/reference-data.js';
import { buildZip, minimalXlsx, sheetXml, zerosDeflated } from './zip-fixtures.js';
import { failure } from './failure.js';

const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'cmrt');
const JX = 'cmrt-6.4_jx-advanced-metals_2024-05-30.xlsx';
const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));

const GiB = 1024 * 1024 * 1024;

describe('openXlsx refuses what is not an .xlsx', () => {
  it('refuses text, with the file named', async () => {
    const err = await failure(openXlsx(Buffer.from('Company,Smelter\nAcme,CID001070\n'), { fileName: 'list.csv' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toBe('not an .xlsx file: list.csv is not a zip archive, and an .xlsx workbook is one');
    expect((err as ValidationError).fields).toEqual([{ path: 'list.csv', message: 'is not a zip archive, and an .xlsx workbook is one' }]);
  });

  it('refuses an empty upload', async () => {
    const err = await failure(openXlsx(Buffer.alloc(0), { fileName: 'empty.xlsx' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/^not an \.xlsx file: empty\.xlsx is not a zip archive/);
  });

  it('tells a legacy .xls / password-protected workbook (an OLE2 file) apart', async () => {
    const ole2 = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
    const err = await failure(openXlsx(ole2, { fileName: 'old.xls' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toBe(
      'not an .xlsx file: old.xls is a legacy .xls or password-protected workbook; save it as .xlsx without a password',
    );
  });

  it('refuses a zip with one text file: a zip but not an Excel workbook', async () => {
    const zip = buildZip([{ name: 'readme.txt', data: 'hello' }]);
    const err = await failure(openXlsx(zip, { fileName: 'notes.zip' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toBe('not an .xlsx file: notes.zip is a zip but not an Excel workbook (it has no xl/workbook.xml)');
  });

  it('refuses a truncated workbook as a damaged zip', async () => {
    const cut = fixture(JX).subarray(0, 700_000);
    const err = await failure(openXlsx(cut, { fileName: 'cut.xlsx' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/^not an \.xlsx file: cut\.xlsx is a damaged zip archive \(no end of central directory record/);
  });

  it('refuses an entry whose deflate data is garbage', async () => {
    const zip = buildZip([{ name: 'xl/workbook.xml', data: '<workbook/>' }]);
    // Overwrite the deflated bytes (after the 30-byte header and the 15-byte name) with garbage.
    zip.fill(0xff, 45, 50);
    const err = await failure(openXlsx(zip, { fileName: 'garbage.xlsx' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/^not an \.xlsx file: garbage\.xlsx is a damaged zip archive \(xl\/workbook\.xml /);
  });
});

describe('openXlsx refuses what is too large, without inflating it', () => {
  let zeros: Awaited<ReturnType<typeof zerosDeflated>>;
  beforeAll(async () => {
    zeros = await zerosDeflated(GiB);
  }, 120_000);

  it('refuses an upload above the compressed limit (25 MB by default)', async () => {
    expect(DEFAULT_WORKBOOK_LIMITS.maxCompressedBytes).toBe(25 * 1024 * 1024);
    expect(MAX_CMRT_UPLOAD_BYTES).toBe(25 * 1024 * 1024);
    const err = await failure(openXlsx(Buffer.alloc(MAX_CMRT_UPLOAD_BYTES + 1), { fileName: 'big.xlsx' }));
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect(err.message).toBe('big.xlsx is 25.0 MB, more than the 25.0 MB an uploaded workbook may have');
    const small = await failure(openXlsx(fixture(JX), { fileName: JX, limits: { maxCompressedBytes: 1_000_000 } }));
    expect(small).toBeInstanceOf(PayloadTooLargeError);
    expect(small.message).toBe(`${JX} is 1.4 MB, more than the 1.0 MB an uploaded workbook may have`);
  });

  it('refuses a decompression bomb: an entry of 1 GB of zeros', async () => {
    expect(zeros.size).toBe(GiB);
    expect(zeros.data.length).toBeLessThan(2_000_000);
    const bomb = buildZip([
      { name: 'xl/workbook.xml', data: '<workbook/>' },
      { name: 'xl/worksheets/sheet1.xml', deflated: zeros },
    ]);
    const before = process.memoryUsage().rss;
    const err = await failure(openXlsx(bomb, { fileName: 'bomb.xlsx' }));
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    // The ratio check fires first: it needs only the directory.
    expect(err.message).toMatch(
      /^decompression bomb: xl\/worksheets\/sheet1\.xml in bomb\.xlsx expands \d+:1 \(1024\.0 MB\), more than 100:1$/,
    );
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('refuses a package that declares more than 200 MB in total, even at honest ratios', async () => {
    // Twenty-one 10 MB entries of random-looking text would be slow to build; the directory is
    // what is checked, so declare the sizes and store tiny bodies (the check happens before any inflation).
    const entries = [{ name: 'xl/workbook.xml', data: '<workbook/>' }];
    const zip = buildZip([
      ...entries,
      ...Array.from({ length: 21 }, (_, i) => ({
        name: `xl/media/image${i}.bin`,
        data: Buffer.alloc(200_000, i),
        store: true,
        declaredSize: 10 * 1024 * 1024,
      })),
    ]);
    const err = await failure(openXlsx(zip, { fileName: 'huge.xlsx', limits: { maxCompressionRatio: 1000 } }));
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect(err.message).toBe('decompression bomb: huge.xlsx declares 210.0 MB uncompressed, more than the 200.0 MB limit');
  });

  it('refuses a lying central directory: 1 GB of zeros declared as 1 KB, after inflating little more than 1 KB', async () => {
    const liar = buildZip([
      { name: 'xl/workbook.xml', data: '<workbook/>' },
      { name: 'xl/worksheets/sheet1.xml', deflated: zeros, declaredSize: 1024 },
    ]);
    const before = process.memoryUsage().rss;
    const err = await failure(openXlsx(liar, { fileName: 'liar.xlsx' }));
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect(err.message).toBe(
      'decompression bomb: xl/worksheets/sheet1.xml in liar.xlsx inflates to more than the 1024 bytes its zip directory declares',
    );
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('refuses a workbook with more worksheet cells than allowed', async () => {
    const err = await failure(openXlsx(fixture(JX), { fileName: JX, limits: { maxWorksheetCells: 50_000 } }));
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect(err.message).toBe(`${JX} has more than 50000 worksheet cells`);
  });

  it('refuses a zip with too many entries', async () => {
    const zip = buildZip([
      { name: 'xl/workbook.xml', data: '<workbook/>' },
      ...Array.from({ length: 20 }, (_, i) => ({ name: `x${i}.txt`, data: 'x' })),
    ]);
    const err = await failure(openXlsx(zip, { fileName: 'many.xlsx', limits: { maxEntries: 10 } }));
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect(err.message).toBe('many.xlsx has 21 zip entries, more than the 10 a workbook may have');
  });
});

describe('openXlsx on real workbooks', () => {
  it('accepts every fixture and counts its worksheet cells (as counted by a separate Python script)', async () => {
    // Cells counted with Python's zipfile + re over xl/worksheets/*.xml (pattern <c[ >/]).
    const expected: Record<string, number> = {
      'cmrt-6.4_central-glass_2024-05-10.xlsx': 105_372,
      'cmrt-6.4_emd-electronics-merck_wf6_2024-04-30.xlsx': 105_372,
      'cmrt-6.4_jx-advanced-metals_2024-05-30.xlsx': 105_300,
      'cmrt-6.4_pkg-de00_2024-07-10_no-declaration.xlsx': 104_892,
      'cmrt-6.4_sk-specialty_wf6_2024-05-09.xlsx': 105_372,
      'RMI_CMRT_6.01_blank_zh-cached.xlsx': 102_325,
      'RMI_CMRT_6.1_blank_zh-cached.xlsx': 102_536,
      'RMI_CMRT_6.22_blank_zh-cached.xlsx': 99_021,
      'RMI_CMRT_6.31_blank_zh-cached.xlsx': 105_467,
      'RMI_CMRT_6.4_blank_en.xlsx': 105_372,
      'RMI_CMRT_6.5_blank_zh-cached.xlsx': 105_138,
      'RMI_EMRT_2.1_blank_zh-cached.xlsx': 182_662,
    };
    for (const [name, cells] of Object.entries(expected)) {
      const pkg = await openXlsx(fixture(name), { fileName: name });
      expect(pkg.worksheetCells, name).toBe(cells);
    }
  }, 60_000);

  it('maps sheet names to parts, in workbook order', async () => {
    const pkg = await openXlsx(fixture('RMI_EMRT_2.1_blank_zh-cached.xlsx'), { fileName: 'emrt.xlsx' });
    const parts = await pkg.sheetParts();
    expect([...parts.keys()]).toEqual([
      'Revision',
      'Instructions',
      'Definitions',
      'Declaration',
      'Smelter List',
      'Checker',
      'Mine List',
      'Product List',
      'Smelter Look-up',
      'L',
      'C',
      'SorP',
    ]);
    for (const part of parts.values()) expect(pkg.has(part), part).toBe(true);
  });

  it('streams the rows of a sheet with the cached values of its cells', async () => {
    const pkg = await openXlsx(fixture(JX), { fileName: JX });
    const part = (await pkg.sheetParts()).get('Smelter List')!;
    const blank = await pkg.sharedStringBlankness();
    expect(blank.length).toBe(15_962);
    const rows: number[] = [];
    let row31: RawCell[] = [];
    await pkg.scanRows(part, (r, cells) => {
      rows.push(r);
      if (r === 31) row31 = cells;
    });
    expect(rows.length).toBe(2502);
    expect(rows.slice(0, 3)).toEqual([1, 2, 3]);
    // Row 31 (Xiamen Tungsten (H.C.)): F is a shared string, R a cached formula string, V a number.
    const byColumn = new Map(row31.map((c) => [c.column, c]));
    expect(byColumn.get('R')).toEqual({ column: 'R', type: 'str', value: 'Xiamen Tungsten (H.C.) Co., Ltd.', hasFormula: true });
    expect(byColumn.get('V')).toEqual({ column: 'V', type: undefined, value: '658', hasFormula: true });
    expect(byColumn.get('F')?.type).toBe('s');
    expect(byColumn.get('D')).toEqual({ column: 'D', type: undefined, value: undefined, hasFormula: false });
    // Stopping early.
    let seen = 0;
    await pkg.scanRows(part, () => ++seen < 10);
    expect(seen).toBe(10);
  });

  it('streams rows of hand-written XML: inline strings, entities, missing r attributes, self-closing rows', async () => {
    const xml =
      '<worksheet><sheetData><row r="2"><c r="B2" t="inlineStr"><is><t>Tin&#9;</t></is></c><c t="s"><v>0</v></c></row>' +
      '<row/><row><c r="A4" t="e"><v>#N/A</v></c><c r="D4"><f>1+1</f><v>2</v></c></row></sheetData></worksheet>';
    const pkg = await openXlsx(minimalXlsx([{ name: 'S', xml }]), { fileName: 'w.xlsx' });
    const seen: Array<[number, RawCell[]]> = [];
    await pkg.scanRows('xl/worksheets/sheet1.xml', (r, cells) => {
      seen.push([r, cells]);
    });
    expect(seen).toEqual([
      [
        2,
        [
          { column: 'B', type: 'inlineStr', value: 'Tin\t', hasFormula: false },
          { column: 'C', type: 's', value: '0', hasFormula: false },
        ],
      ],
      [3, []],
      [
        4,
        [
          { column: 'A', type: 'e', value: '#N/A', hasFormula: false },
          { column: 'D', type: undefined, value: '2', hasFormula: true },
        ],
      ],
    ]);
  });

  it('streams a sheet much larger than a chunk without losing a row', async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => ({
      A: `CID${String(i).padStart(6, '0')}`,
      B: 'Tin',
      C: `Smelter &amp; Co. ${i}`,
    }));
    const pkg = await openXlsx(minimalXlsx([{ name: 'Smelter List', xml: sheetXml(rows, 5) }]), { fileName: 'big.xlsx' });
    let count = 0;
    const wrong: string[] = [];
    await pkg.scanRows('xl/worksheets/sheet1.xml', (r, cells) => {
      const got = `${r}:${cells.map((c) => `${c.column}=${c.value}`).join('|')}`;
      const want = `${count + 5}:A=CID${String(count).padStart(6, '0')}|B=Tin|C=Smelter & Co. ${count}`;
      if (got !== want && wrong.length < 5) wrong.push(`${got} ≠ ${want}`);
      count++;
    });
    expect(wrong).toEqual([]);
    expect(count).toBe(30_000);
  });
});

describe('XlsxPackage.withOnlySheets', () => {
  it('keeps only the named sheets, cut after a row, as a package that passes the guard again', async () => {
    const pkg = await openXlsx(fixture(JX), { fileName: JX });
    const slim = await pkg.withOnlySheets((name) => ['Declaration', 'Smelter List'].includes(name), new Map([['Smelter List', 31]]));
    expect(slim.length).toBeLessThan(fixture(JX).length);
    const again = await openXlsx(slim, { fileName: 'slim.xlsx' });
    const parts = await again.sheetParts();
    expect([...parts.keys()]).toEqual(['Declaration', 'Smelter List']);
    expect(again.has('xl/worksheets/sheet11.xml')).toBe(false); // SorP
    expect(await again.text('xl/workbook.xml')).not.toContain('definedName');
    const rows: number[] = [];
    await again.scanRows(parts.get('Smelter List')!, (r) => {
      rows.push(r);
    });
    expect(rows).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    // Everything else of the sheet is still there, e.g. the columns and the conditional formats.
    const xml = await again.text(parts.get('Smelter List')!);
    expect(xml).toMatch(/<\/sheetData>/);
    expect(xml).toMatch(/<conditionalFormatting/);
    // The Declaration is copied unchanged.
    expect(await again.text(parts.get('Declaration')!)).toBe(await pkg.text((await pkg.sheetParts()).get('Declaration')!));
  });

  it('cuts hand-written XML with rows without numbers and empty rows', async () => {
    const xml =
      '<worksheet><cols/><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row/><row><c><v>3</v></c></row><row r="4"/></sheetData><x/></worksheet>';
    const pkg = await openXlsx(minimalXlsx([{ name: 'S', xml }]), { fileName: 'w.xlsx' });
    const slim = await openXlsx(await pkg.withOnlySheets(() => true, new Map([['S', 2]])), { fileName: 'slim.xlsx' });
    expect(await slim.text('xl/worksheets/sheet1.xml')).toBe(
      '<worksheet><cols/><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row/></sheetData><x/></worksheet>',
    );
  });
});

describe('the cell limit and exceljs see the same parts', () => {
  // 1.6 M cells, deflated once: a sheet above the 1.5 M-cell limit under names the workbook never
  // references, which exceljs's name patterns (unanchored, case-sensitive) read or skip.
  let hidden: { data: Buffer; size: number; crc: number };
  beforeAll(() => {
    const rows: string[] = ['<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'];
    for (let r = 1; r <= 100_000; r++) {
      let row = `<row r="${r}">`;
      for (const c of 'ABCDEFGHIJKLMNOP') row += `<c r="${c}${r}"><v>${r}</v></c>`;
      rows.push(`${row}</row>`);
    }
    rows.push('</sheetData></worksheet>');
    const raw = Buffer.from(rows.join(''), 'utf8');
    hidden = { data: deflateRawSync(raw), size: raw.length, crc: crc32(raw) };
  });
  const small = { name: 'S', xml: sheetXml([{ A: 'a' }]) };

  it.each([
    'xl/worksheets/sheet99.xml.bak',
    'xl/worksheets/sub/sheet1.xml',
    'XL/Worksheets/Sheet1.XML',
    'x/xl/worksheets/sheet2.xml',
    'docs/notes.txt',
  ])(
    'refuses a 1.6 M-cell sheet hidden as %s (413), whatever the name',
    async (name) => {
      const err = await failure(openXlsx(minimalXlsx([small], [{ name, deflated: hidden }]), { fileName: 'hidden.xlsx' }));
      expect(err).toBeInstanceOf(PayloadTooLargeError);
      expect(err.message).toBe(`hidden.xlsx has more than ${DEFAULT_WORKBOOK_LIMITS.maxWorksheetCells} worksheet cells`);
    },
    30_000,
  );

  it('does not count the calculation chain, whose <c> elements name formula cells, and never hands it on', async () => {
    const chain = `<calcChain>${Array.from({ length: 60 }, (_, i) => `<c r="A${i + 1}" i="1"/>`).join('')}</calcChain>`;
    const pkg = await openXlsx(minimalXlsx([small], [{ name: 'xl/calcChain.xml', data: chain }]), {
      fileName: 'c.xlsx',
      limits: { maxWorksheetCells: 50 },
    });
    expect(pkg.worksheetCells).toBe(1);
    const slim = await openXlsx(await pkg.withOnlySheets(() => true), { fileName: 'slim.xlsx' });
    expect(slim.has('xl/calcChain.xml')).toBe(false);
  });

  it('hands exceljs only the parts the workbook references, however the others are named', async () => {
    const unreferenced = [
      'xl/worksheets/sheet2.xml', // exceljs would build it as sheet 2
      'xl/worksheets/sheet99.xml.bak',
      'xl/worksheets/sub/sheet1.xml',
      'XL/Worksheets/Sheet1.XML',
      'x/xl/worksheets/sheet3.xml',
      'xl/comments9.xml',
      'xl/drawings/drawing9.xml',
    ].map((name) => ({ name, data: sheetXml([{ A: 'hidden' }]) }));
    const pkg = await openXlsx(minimalXlsx([small], unreferenced), { fileName: 'u.xlsx' });
    const slim = await openXlsx(await pkg.withOnlySheets(() => true), { fileName: 'slim.xlsx' });
    expect([...slim.entries.keys()].sort()).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/_rels/workbook.xml.rels',
      'xl/workbook.xml',
      'xl/worksheets/sheet1.xml',
    ]);
  });

  it('keeps what the kept sheets reference, through relative targets, and drops what only dropped sheets did', async () => {
    const pkg = await openXlsx(fixture(JX), { fileName: JX });
    const slim = await openXlsx(await pkg.withOnlySheets((name) => ['Declaration', 'Smelter List'].includes(name)), {
      fileName: 'slim.xlsx',
    });
    const kept = [...slim.entries.keys()];
    // Declaration (sheet4) and Smelter List (sheet5) with their rels, drawings, comments, VML and image.
    for (const part of [
      'xl/worksheets/_rels/sheet4.xml.rels',
      'xl/drawings/drawing4.xml',
      'xl/drawings/_rels/drawing4.xml.rels',
      'xl/comments1.xml',
      'xl/drawings/vmlDrawing1.vml',
      'xl/comments2.xml',
      'xl/media/image1.png',
      'xl/sharedStrings.xml',
      'xl/styles.xml',
      'xl/theme/theme1.xml',
      'docProps/core.xml',
      'customXml/itemProps1.xml',
    ]) {
      expect(kept, part).toContain(part);
    }
    // Parts only the other sheets reference.
    for (const part of [
      'xl/worksheets/sheet2.xml',
      'xl/drawings/drawing2.xml',
      'xl/comments3.xml',
      'xl/worksheets/_rels/sheet6.xml.rels',
      'xl/calcChain.xml',
    ]) {
      expect(kept, part).not.toContain(part);
    }
  });
});
