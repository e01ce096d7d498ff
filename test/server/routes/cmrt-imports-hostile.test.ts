/**
 * POST /api/v1/imports/cmrt with the hostile workbooks of the "Trust" issue: the import reads in
 * its own thread (the service keeps answering), and the reader's refusals cross the thread with
 * their status, message and fields.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmrtReadsInFlight } from '../../../server/importers/cmrt/cmrt-reader-thread.js';
import { openXlsx } from '../../../server/importers/cmrt/workbook-guard.js';
import { PROJECT_ROOT } from '../../../server/seeding/reference-data.js';
import { loadReference } from '../../../server/seeding/seed-loader.js';
import { embeddedHarness, type Harness } from '../app-harness.js';
import { multipartBody } from '../multipart-body.js';
import { buildZip, type ZipEntrySpec } from '../importers/cmrt/zip-fixtures.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const JX = join(PROJECT_ROOT, 'test', 'fixtures', 'cmrt', 'cmrt-6.4_jx-advanced-metals_2024-05-30.xlsx');

/** The entries of the real JX CMRT, inflated, to be edited and zipped again. */
async function realEntries(): Promise<ZipEntrySpec[]> {
  const pkg = await openXlsx(readFileSync(JX), { fileName: 'jx.xlsx' });
  const entries: ZipEntrySpec[] = [];
  for (const name of pkg.entries.keys()) {
    const chunks: Buffer[] = [];
    for await (const chunk of pkg.chunks(name)) chunks.push(chunk);
    entries.push({ name, data: Buffer.concat(chunks) });
  }
  return entries;
}

/** The JX CMRT with Excel's longest cell (32,767 characters of "scrap x ") as mine location of every smelter row. */
async function withHugeMineCells(): Promise<Buffer> {
  const cell = 'scrap x '.repeat(4096).slice(0, 32_767).trimEnd();
  const entries = (await realEntries()).map((e) => {
    if (e.name !== 'xl/worksheets/sheet5.xml') return e; // the Smelter List
    const xml = e
      .data!.toString()
      .replace(/<row r="(\d+)"[^>]*>.*?<\/row>/gs, (row, r: string) =>
        Number(r) < 5 || !new RegExp(`<c r="B${r}"[^>]*t="s"><v>`).test(row)
          ? row
          : row.replace(
              new RegExp(`<c r="O${r}"([^>]*?)(?: t="\\w+")?(?:/>|>.*?</c>)`),
              `<c r="O${r}"$1 t="inlineStr"><is><t>${cell}</t></is></c>`,
            ),
      );
    return { name: e.name, data: xml };
  });
  return buildZip(entries);
}

/** The JX CMRT plus a 1.6 M-cell sheet under a name its workbook never references. */
async function withHiddenSheet(name: string): Promise<Buffer> {
  const rows: string[] = ['<worksheet><sheetData>'];
  for (let r = 1; r <= 100_000; r++) {
    let row = `<row r="${r}">`;
    for (const c of 'ABCDEFGHIJKLMNOP') row += `<c r="${c}${r}"><v>${r}</v></c>`;
    rows.push(`${row}</row>`);
  }
  rows.push('</sheetData></worksheet>');
  const raw = Buffer.from(rows.join(''));
  return buildZip([...(await realEntries()), { name, deflated: { data: deflateRawSync(raw), size: raw.length, crc: crc32(raw) } }]);
}

let h: Harness;
beforeAll(async () => {
  h = await embeddedHarness({ withFixture: false });
  await loadReference(h.store);
});
afterAll(async () => h.close());

async function postWorkbook(bytes: Buffer, fileName: string) {
  const body = await multipartBody([['file', { content: bytes, fileName, type: XLSX }]]);
  return h.app.inject({ method: 'POST', url: '/api/v1/imports/cmrt?company=jx-buyer&country=JP&name=JX%20Buyer&dryRun=true', ...body });
}

describe('POST /api/v1/imports/cmrt with hostile workbooks', { timeout: 120_000 }, () => {
  it('keeps answering /health while it reads a CMRT whose every mine location is 32,767 characters long', async () => {
    const bytes = await withHugeMineCells();
    let importAnswered = false;
    const importing = postWorkbook(bytes, 'huge-cells.xlsx').finally(() => {
      importAnswered = true;
    });
    // /health back to back until the import answers; count the answers given while the workbook
    // was being read (in the reader thread, so that the event loop was free to answer).
    let answeredWhileReading = 0;
    while (!importAnswered) {
      const health = await h.app.inject({ url: '/health' });
      expect(health.statusCode).toBe(200);
      if (cmrtReadsInFlight() > 0 && !importAnswered) answeredWhileReading++;
      // inject answers in microtasks: let the event loop take the reader thread's message.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const response = await importing;
    expect(response.statusCode, response.body).toBe(200);
    const [report] = response.json().files;
    expect(report).toMatchObject({ rowsRead: 27, smeltersByMetal: { tantalum: 15, tungsten: 6 } });
    expect(report.warnings.filter((w: { code: string }) => w.code === 'mine-locations-unread')).toHaveLength(27);
    expect(answeredWhileReading).toBeGreaterThan(0);
  });

  it.each(['xl/worksheets/sheet99.xml.bak', 'xl/worksheets/sub/sheet1.xml', 'XL/Worksheets/Sheet1.XML'])(
    'refuses a real CMRT carrying a 1.6 M-cell sheet as %s with 413, writing nothing',
    async (name) => {
      const before = await h.store.version();
      const response = await postWorkbook(await withHiddenSheet(name), 'hidden.xlsx');
      expect(response.statusCode, response.body).toBe(413);
      expect(response.json()).toMatchObject({
        detail: 'hidden.xlsx has more than 1500000 worksheet cells',
        errors: [{ path: 'body.file(hidden.xlsx)', message: 'hidden.xlsx has more than 1500000 worksheet cells' }],
      });
      expect(await h.store.version()).toBe(before);
    },
  );

  it('answers the reader refusals of the thread as before: 400 not a workbook, 422 not a CMRT', async () => {
    const pdf = await postWorkbook(Buffer.from('%PDF-1.7 not a workbook'), 'cmrt.pdf');
    expect(pdf.statusCode).toBe(400);
    expect(pdf.json()).toMatchObject({
      detail: 'not an .xlsx file: cmrt.pdf is not a zip archive, and an .xlsx workbook is one',
      errors: [{ path: 'body.file(cmrt.pdf)', message: 'is not a zip archive, and an .xlsx workbook is one' }],
    });
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Sheet1').getCell('A1').value = 'hello';
    const book = await postWorkbook(Buffer.from(await wb.xlsx.writeBuffer()), 'book.xlsx');
    expect(book.statusCode, book.body).toBe(422);
    expect(book.json().detail).toMatch(/book\.xlsx/);
  });
});
