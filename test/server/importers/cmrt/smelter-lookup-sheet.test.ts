import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { UnprocessableError, ValidationError } from '../../../../server/errors.js';
import { readSmelterLookupSheet } from '../../../../server/importers/cmrt/smelter-lookup-sheet.js';
import { cmrtCountryToAlpha2, PROJECT_ROOT, type SmelterLookupRow } from '../../../../server/seeding/reference-data.js';
import { failure } from './failure.js';

const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'cmrt');

/**
 * The look-up as extracted into CSV by a separate script (test/fixtures/cmrt/smelter-lookup-csv),
 * in the shape readSmelterLookupSheet returns: rows with an id, trimmed, metal in lower case.
 */
function csvRows(version: string): { rows: SmelterLookupRow[]; pseudo: number; total: number } {
  const text = readFileSync(join(FIXTURES, 'smelter-lookup-csv', `smelter_lookup_cmrt_${version}.csv`), 'utf8');
  const records = parse(text, { columns: true, bom: true }) as Record<string, string>[];
  const withId = records.filter((r) => r.smelter_id!.trim() !== '');
  // 6.1 spells one country "NORTH MACEDONIA, REPUBLIC OF", which is not in the CMRT country list.
  const country = (name: string): string =>
    cmrtCountryToAlpha2(name) ?? ({ 'NORTH MACEDONIA, REPUBLIC OF': 'MK' } as Record<string, string>)[name]!;
  return {
    total: records.length,
    pseudo: records.length - withId.length,
    rows: withId.map((r) => ({
      metal: r.metal!.trim().toLowerCase() as SmelterLookupRow['metal'],
      lookupName: r.smelter_lookup_name!.trim(),
      standardName: r.standard_smelter_name!.trim(),
      countryCode: country(r.country!.trim()),
      smelterId: r.smelter_id!.trim(),
      city: r.city!.trim(),
      state: r.state_province!.trim(),
    })),
  };
}

describe('readSmelterLookupSheet on every CMRT template', () => {
  // Row counts from test/fixtures/cmrt/PROVENANCE-cmrt-templates.md; distinct ids from
  // test/fixtures/cmrt/smelter-lookup-csv/PROVENANCE.md.
  const versions: Array<[string, string, number, number]> = [
    ['RMI_CMRT_6.01_blank_zh-cached.xlsx', '6.01', 587, 311],
    ['RMI_CMRT_6.1_blank_zh-cached.xlsx', '6.1', 606, 337],
    ['RMI_CMRT_6.22_blank_zh-cached.xlsx', '6.22', 628, 350],
    ['RMI_CMRT_6.31_blank_zh-cached.xlsx', '6.31', 637, 349],
    ['RMI_CMRT_6.4_blank_en.xlsx', '6.4', 660, 368],
    ['RMI_CMRT_6.5_blank_zh-cached.xlsx', '6.5', 637, 349],
  ];
  it.each(versions)(
    '%s: version %s, %i rows (8 without id), %i distinct ids, each row as in the CSV',
    async (file, version, total, distinctIds) => {
      const sheet = await readSmelterLookupSheet(readFileSync(join(FIXTURES, file)), { fileName: file });
      const expected = csvRows(version);
      expect([sheet.kind, sheet.templateVersion]).toEqual(['CMRT', version]);
      expect(expected.total).toBe(total);
      expect(sheet.rows.length + sheet.pseudoRows).toBe(total);
      expect(sheet.pseudoRows).toBe(8);
      expect(new Set(sheet.rows.map((r) => r.smelterId)).size).toBe(distinctIds);
      expect(sheet.rows).toEqual(expected.rows);
    },
    30_000,
  );

  it('reads the EMRT 2.1 look-up: cobalt, copper, lithium, mica and nickel refiners', async () => {
    const file = 'RMI_EMRT_2.1_blank_zh-cached.xlsx';
    const sheet = await readSmelterLookupSheet(readFileSync(join(FIXTURES, file)), { fileName: file });
    expect([sheet.kind, sheet.templateVersion, sheet.rows.length, sheet.pseudoRows]).toEqual(['EMRT', '2.1', 479, 12]);
    const perMetal: Record<string, number> = {};
    for (const r of sheet.rows) perMetal[r.metal] = (perMetal[r.metal] ?? 0) + 1;
    // Counted with Python over the sheet (rows 5–495, 12 of them "Smelter not listed"/"not yet identified").
    expect(perMetal).toEqual({ cobalt: 173, copper: 134, lithium: 75, mica: 34, nickel: 63 });
    expect(sheet.rows[0]).toEqual({
      metal: 'cobalt',
      lookupName: 'Advanced Materials Production Plant (Qingyuan Industrial Park)',
      standardName: 'Advanced Materials Production Plant (Qingyuan Industrial Park)',
      countryCode: 'CN',
      smelterId: 'CID003875',
      city: 'Qingyuan City',
      state: 'Guangdong Sheng',
    });
  }, 30_000);
});

describe('readSmelterLookupSheet refuses what it cannot use', () => {
  it('a file that is not an .xlsx', async () => {
    const err = await failure(readSmelterLookupSheet(Buffer.from('metal,smelter\n'), { fileName: 'lookup.csv' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toBe('not an .xlsx file: lookup.csv is not a zip archive, and an .xlsx workbook is one');
  });

  it('a workbook without a Smelter Look-up sheet', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Declaration');
    const err = await failure(readSmelterLookupSheet(Buffer.from(await wb.xlsx.writeBuffer()), { fileName: 'x.xlsx' }));
    expect(err).toBeInstanceOf(UnprocessableError);
    expect(err.message).toBe("x.xlsx: the workbook has no 'Smelter Look-up' sheet: is it a CMRT or EMRT?");
  });

  it('rows with an unknown metal, an unknown country or no name, each named by its cell', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Declaration').getCell('J3').value = 'Revision 6.6\nMay 1, 2026';
    const lookup = wb.addWorksheet('Smelter Look-up');
    const rows = [
      ['Gold', '8853 S.p.A.', '8853 S.p.A.', 'ITALY', 'CID002763', 'RMI', '', 'Pero', 'Lombardia'],
      ['Silver', 'Silver Co', 'Silver Co', 'ITALY', 'CID009998', 'RMI'],
      ['Tin', 'Tin Co', 'Tin Co', 'ATLANTIS', 'CID009999', 'RMI'],
      ['Tin', '', 'Tin Co', 'CHINA', 'cid009997', 'RMI'],
      ['Tin', 'Smelter not listed'],
    ];
    rows.forEach((values, i) => values.forEach((v, j) => (lookup.getCell(5 + i, j + 1).value = v)));
    const err = await failure(readSmelterLookupSheet(Buffer.from(await wb.xlsx.writeBuffer()), { fileName: 'new.xlsx' }));
    expect(err).toBeInstanceOf(UnprocessableError);
    expect(err.message).toBe('new.xlsx: 3 row(s) of the Smelter Look-up cannot be read');
    expect((err as UnprocessableError).fields).toEqual([
      { path: 'new.xlsx!Smelter Look-up!A6', message: '"Silver" is not a metal oretrace knows (CID009998)' },
      { path: 'new.xlsx!Smelter Look-up!D7', message: 'country "ATLANTIS" of CID009999 is not a known country' },
      { path: 'new.xlsx!Smelter Look-up!B8', message: 'CID009997 has an empty name' },
    ]);
  });

  it('reads a good hand-made look-up, skipping pseudo rows, with the version from the Declaration', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Declaration').getCell('J3').value = 'Revision 6.6\nMay 1, 2026';
    const lookup = wb.addWorksheet('Smelter Look-up');
    lookup.getCell('A4').value = '金属';
    const rows = [
      ['Gold', '8853 S.p.A.', '8853 S.p.A.', 'ITALY', 'CID002763', 'RMI', '', 'Pero', 'Lombardia'],
      ['Tin ', 'Thai Sarco', 'Thaisarco', 'THAILAND', 'CID001898', 'RMI', 0, 'Phuket', 'Phuket'],
      ['Tin', 'Smelter not listed'],
      ['Tin', 'Smelter not yet identified', 'Unknown', 'Unknown'],
    ];
    rows.forEach((values, i) => values.forEach((v, j) => (lookup.getCell(5 + i, j + 1).value = v)));
    const sheet = await readSmelterLookupSheet(Buffer.from(await wb.xlsx.writeBuffer()), { fileName: 'new.xlsx' });
    expect(sheet).toEqual({
      kind: 'CMRT',
      templateVersion: '6.6',
      pseudoRows: 2,
      rows: [
        {
          metal: 'gold',
          lookupName: '8853 S.p.A.',
          standardName: '8853 S.p.A.',
          countryCode: 'IT',
          smelterId: 'CID002763',
          city: 'Pero',
          state: 'Lombardia',
        },
        {
          metal: 'tin',
          lookupName: 'Thai Sarco',
          standardName: 'Thaisarco',
          countryCode: 'TH',
          smelterId: 'CID001898',
          city: 'Phuket',
          state: 'Phuket',
        },
      ],
    });
  });
});
