/**
 * A CMRT whose smelter name cell is longer than a smelter name may be (SMELTER_NAME_MAX_LENGTH):
 * the import names the cell in a row warning and goes on with the row's id or other name; one bad
 * cell must not refuse a supplier's whole file (it answered 400 and wrote nothing).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMELTER_NAME_MAX_LENGTH } from '../../../graph/model.js';
import { openXlsx } from '../../../server/importers/cmrt/workbook-guard.js';
import { PROJECT_ROOT } from '../../../server/seeding/reference-data.js';
import { loadReference } from '../../../server/seeding/seed-loader.js';
import { embeddedHarness, type Harness } from '../app-harness.js';
import { multipartBody } from '../multipart-body.js';
import { buildZip, type ZipEntrySpec } from '../importers/cmrt/zip-fixtures.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const JX = join(PROJECT_ROOT, 'test', 'fixtures', 'cmrt', 'cmrt-6.4_jx-advanced-metals_2024-05-30.xlsx');
const LONG_NAME = `Long Name Smelter ${'x'.repeat(300)}`;

interface Warning {
  code: string;
  message: string;
  sheet?: string;
  row?: number;
  column?: string;
}

/** The real JX CMRT with the cells of Smelter List row 5 replaced (A, C, D, F: id input, look-up name, name, id). */
async function jxWithRow5(cells: Partial<Record<'A' | 'C' | 'D' | 'F', string | null>>): Promise<Buffer> {
  const pkg = await openXlsx(readFileSync(JX), { fileName: 'jx.xlsx' });
  const entries: ZipEntrySpec[] = [];
  for (const name of pkg.entries.keys()) {
    const chunks: Buffer[] = [];
    for await (const chunk of pkg.chunks(name)) chunks.push(chunk);
    let data = Buffer.concat(chunks);
    if (name === 'xl/worksheets/sheet5.xml') {
      // The Smelter List of RMI's CMRT 6.x.
      const xml = data.toString('utf8').replace(/<row r="5"[^>]*>.*?<\/row>/s, (row) => {
        for (const [column, text] of Object.entries(cells)) {
          const cell = text === null ? `<c r="${column}5"/>` : `<c r="${column}5" t="inlineStr"><is><t>${text}</t></is></c>`;
          row = row.replace(new RegExp(`<c r="${column}5"[^>]*?(?:/>|>.*?</c>)`), cell);
        }
        return row;
      });
      data = Buffer.from(xml, 'utf8');
    }
    entries.push({ name, data });
  }
  return buildZip(entries);
}

let h: Harness;
beforeAll(async () => {
  h = await embeddedHarness({ withFixture: false });
  await loadReference(h.store);
});
afterAll(async () => h.close());

async function importJx(workbook: Buffer, dryRun: boolean) {
  const body = await multipartBody([['file', { content: workbook, fileName: 'long.xlsx', type: XLSX }]]);
  return h.app.inject({
    method: 'POST',
    url: `/api/v1/imports/cmrt?company=jx-buyer&country=JP&name=JX%20Buyer&dryRun=${dryRun}`,
    ...body,
  });
}

describe(`a CMRT smelter name over ${SMELTER_NAME_MAX_LENGTH} characters`, { timeout: 60_000 }, () => {
  it('skips the row with a warning naming the cells when nothing else identifies it, and imports the rest of the file', async () => {
    const workbook = await jxWithRow5({ A: null, C: LONG_NAME, D: LONG_NAME, F: null });
    for (const dryRun of [true, false]) {
      const response = await importJx(workbook, dryRun);
      expect(response.statusCode, response.body).toBe(200);
      const [report] = response.json().files;
      expect(report).toMatchObject({ rowsRead: 27, smeltersByMetal: { tantalum: 14, tungsten: 6 } });
      const row5 = report.smelters.find((s: { row: number }) => s.row === 5);
      expect(row5).toMatchObject({ status: 'skipped', smelterId: null, name: `${LONG_NAME.slice(0, SMELTER_NAME_MAX_LENGTH)}…` });
      const warnings = (report.warnings as Warning[]).filter((w) => w.row === 5);
      expect(warnings.map((w) => `${w.code} ${w.sheet}!${w.column}${w.row}`)).toEqual([
        'smelter-name-too-long Smelter List!D5',
        'smelter-name-too-long Smelter List!C5',
        'unresolved-smelter-skipped Smelter List!D5',
      ]);
      expect(warnings[0]!.message).toBe(
        `Row 5: the smelter name in D5 is ${LONG_NAME.length} characters long, more than the ${SMELTER_NAME_MAX_LENGTH} a smelter name may have ("${LONG_NAME.slice(0, 40)}…"); it is neither matched nor recorded.`,
      );
    }
    // Written: the other rows, and no smelter under the long name.
    const smelters = await h.app.inject({ url: '/api/v1/supplies?to=jx-buyer&limit=100' });
    expect(smelters.json().items).toHaveLength(20);
  });

  it('resolves the row by its id when only the name is too long', async () => {
    const response = await importJx(await jxWithRow5({ D: LONG_NAME }), false);
    expect(response.statusCode, response.body).toBe(200);
    const [report] = response.json().files;
    expect(report).toMatchObject({ rowsRead: 27, smeltersByMetal: { tantalum: 15, tungsten: 6 }, resolution: { byId: 27, unresolved: 0 } });
    expect(report.smelters.find((s: { row: number }) => s.row === 5)).toMatchObject({ status: 'resolved_by_id', smelterId: 'CID002544' });
    expect((report.warnings as Warning[]).filter((w) => w.row === 5).map((w) => `${w.code} ${w.column}${w.row}`)).toEqual([
      'smelter-name-too-long D5',
    ]);
  });
});
