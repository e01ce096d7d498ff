/**
 * POST /api/v1/imports/cmrt with the real CMRTs, and the smelter-matching routes: the report, what
 * lands in the graph, and that a rejected request writes nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Supplies } from '../../../graph/model.js';
import { PROJECT_ROOT } from '../../../server/seeding/reference-data.js';
import { loadReference } from '../../../server/seeding/seed-loader.js';
import { embeddedHarness, type Harness } from '../app-harness.js';
import { multipartBody, type Part } from '../multipart-body.js';

const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'cmrt');
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const JX = 'cmrt-6.4_jx-advanced-metals_2024-05-30.xlsx';
const CENTRAL_GLASS = 'cmrt-6.4_central-glass_2024-05-10.xlsx';
const PKG = 'cmrt-6.4_pkg-de00_2024-07-10_no-declaration.xlsx';

const workbook = (name: string): Part => ({ content: readFileSync(join(FIXTURES, name)), fileName: name, type: XLSX });

let h: Harness;
beforeAll(async () => {
  h = await embeddedHarness({ withFixture: false });
  await loadReference(h.store);
});
afterAll(async () => h.close());

async function post(query: string, parts: [string, Part][]) {
  return h.app.inject({ method: 'POST', url: `/api/v1/imports/cmrt?${query}`, ...(await multipartBody(parts)) });
}

async function expectNothingWritten(send: () => Promise<{ statusCode: number; json: () => unknown }>, status: number) {
  const before = await h.store.version();
  const response = await send();
  expect(response.statusCode, JSON.stringify(response.json())).toBe(status);
  expect(await h.store.version()).toBe(before);
  return response.json() as { type: string; errors?: { path: string; message: string }[]; detail?: string };
}

describe('POST /api/v1/imports/cmrt', { timeout: 60_000 }, () => {
  it('imports a real CMRT and answers with its report', async () => {
    const response = await post('company=jx-buyer&country=JP&name=JX%20Buyer', [['file', workbook(JX)]]);
    expect(response.statusCode, response.body).toBe(200);
    const result = response.json();
    expect(result.dryRun).toBe(false);
    const [report] = result.files;
    expect(report).toMatchObject({
      file: JX,
      templateKind: 'CMRT',
      templateVersion: '6.4',
      company: 'jx-buyer',
      declaration: {
        companyName: 'JX Advanced Metals Corporation',
        scope: 'B. Product (or List of Products)',
        effectiveDate: '2024-05-30',
        blank: false,
      },
      rowsRead: 27,
      smeltersByMetal: { tantalum: 15, tungsten: 6 },
      resolution: { byId: 27, byName: 0, unresolved: 0, notListed: 0, notYetIdentified: 0 },
      duplicates: 6,
      duplicateSmelters: 3,
    });
    expect(report.warnings.filter((w: { code: string }) => w.code === 'duplicate-smelter').map((w: { row: number }) => w.row)).toEqual([
      10, 23, 24, 25, 26, 31,
    ]);

    const supplies = await h.app.inject({ url: '/api/v1/supplies?to=jx-buyer&limit=100' });
    const items = supplies.json().items as Supplies[];
    expect(items).toHaveLength(21);
    expect(items.filter((s) => s.metal === 'tungsten')).toHaveLength(6);
    for (const s of items)
      expect(s.source).toMatch(new RegExp(`^CMRT 6\\.4; file=${JX.replace(/\./g, '\\.')}; effective=2024-05-30; scope=product; imported=`));
    // "Japan" on row 9 becomes ore from JP into that smelter.
    const origin = await h.app.inject({ url: '/api/v1/supplies?from=JP&to=CID001969&metal=tantalum' });
    expect(origin.json().items).toHaveLength(1);
    const company = await h.app.inject({ url: '/api/v1/companies/jx-buyer' });
    expect(company.json()).toMatchObject({ id: 'jx-buyer', name: 'JX Buyer', country: 'JP' });
  });

  it('reports consistency warnings of a declaration with cells', async () => {
    const response = await post('company=jx-buyer&dryRun=true', [['file', workbook(PKG)]]);
    expect(response.statusCode, response.body).toBe(200);
    const [report] = response.json().files;
    expect(report.smeltersByMetal).toEqual({ tin: 33, gold: 34 });
    const codes = report.warnings.map(
      (w: { code: string; sheet?: string; column?: string; row?: number }) => `${w.code} ${w.sheet ?? ''}!${w.column ?? ''}${w.row ?? ''}`,
    );
    expect(codes).toContain('declaration-incomplete Declaration!');
    expect(codes).toContain('covered-country-sourcing-denied Declaration!D40');
  });

  it('writes nothing on a dry run', async () => {
    await expectNothingWritten(() => post('company=jx-buyer&dryRun=true', [['file', workbook(CENTRAL_GLASS)]]), 200);
  });

  it('is all or nothing over several files', async () => {
    const problem = await expectNothingWritten(
      () =>
        post('company=jx-buyer', [
          ['file', workbook(CENTRAL_GLASS)],
          ['file', { content: 'not a workbook', fileName: 'notes.xlsx', type: XLSX }],
        ]),
      400,
    );
    expect(problem.errors?.[0]?.path).toBe('body.file(notes.xlsx)');
    expect(problem.detail).toContain('not an .xlsx file');
  });

  it('needs a known company, or a country to create it', async () => {
    const problem = await expectNothingWritten(() => post('company=nobody', [['file', workbook(CENTRAL_GLASS)]]), 404);
    expect(problem.errors).toEqual([{ path: 'query.company', message: expect.stringContaining('give its country') }]);
  });

  it('rejects requests that are not workbook uploads', async () => {
    const missing = await expectNothingWritten(() => post('company=jx-buyer', [['other', workbook(CENTRAL_GLASS)]]), 400);
    expect(missing.errors?.[0]?.path).toBe('body.other');
    const none = await expectNothingWritten(() => post('company=jx-buyer', [['note', { content: 'hello', field: true }]]), 400);
    expect(none.errors?.[0]?.path).toBe('body.file');
    const json = await expectNothingWritten(
      () => h.app.inject({ method: 'POST', url: '/api/v1/imports/cmrt?company=jx-buyer', payload: { file: 'x' } }),
      400,
    );
    expect(json.errors?.[0]?.path).toBe('headers.content-type');
    const badQuery = await expectNothingWritten(() => post('company=jx-buyer&country=Japan', [['file', workbook(CENTRAL_GLASS)]]), 400);
    expect(badQuery.errors?.[0]?.path).toBe('query.country');
  });

  it('refuses an upload over the size limit with 413', async () => {
    const big = new Uint8Array(26 * 1024 * 1024);
    const problem = await expectNothingWritten(
      () => post('company=jx-buyer', [['file', { content: big, fileName: 'big.xlsx', type: XLSX }]]),
      413,
    );
    expect(problem.errors?.[0]?.path).toBe('body.file');
  });
});

describe('smelter matching and decisions', { timeout: 60_000 }, () => {
  const match = async (query: string) => (await h.app.inject({ url: `/api/v1/smelter-matches?${query}` })).json();

  it('resolves by id and by name, and says when it cannot', async () => {
    expect(await match('metal=gold&id=CID002763')).toMatchObject({ status: 'resolved_by_id', smelterId: 'CID002763', confidence: 1 });
    expect(await match('metal=gold&name=ABC%20Refinery%20Pty%20Ltd.&country=AU')).toMatchObject({
      status: 'resolved_by_name',
      smelterId: 'CID002920',
    });
    expect(await match('metal=tin&name=Zzyzx%20Backyard%20Tin%20Works')).toMatchObject({ status: 'unresolved', smelterId: null });
    const problem = await h.app.inject({ url: '/api/v1/smelter-matches?metal=gold' });
    expect(problem.statusCode).toBe(400);
    expect(problem.json().errors[0].path).toBe('query.name');
  });

  it('stores a confirmed name as an alias and reuses it', async () => {
    const name = 'Pero Precious Metals Works';
    expect((await match(`metal=gold&name=${encodeURIComponent(name)}&country=IT`)).smelterId).not.toBe('CID002763');
    const confirmed = await h.app.inject({
      method: 'POST',
      url: '/api/v1/smelters/CID002763/name-decisions',
      payload: { name, decision: 'confirm' },
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json().aliases).toContain(name);
    expect(await match(`metal=gold&name=${encodeURIComponent(name)}&country=IT`)).toMatchObject({
      status: 'resolved_by_name',
      smelterId: 'CID002763',
      decision: 'confirmed',
    });
  });

  it('never proposes a smelter again for a rejected name', async () => {
    const name = 'ABC Refineries';
    const before = await match(`metal=gold&name=${encodeURIComponent(name)}&country=AU`);
    expect(before.smelterId).toBe('CID002920');
    const rejected = await h.app.inject({
      method: 'POST',
      url: '/api/v1/smelters/CID002920/name-decisions',
      payload: { name, decision: 'reject' },
    });
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect(rejected.json().rejectedNames).toEqual([name]);
    const after = await match(`metal=gold&name=${encodeURIComponent(name)}&country=AU`);
    expect(after.smelterId).not.toBe('CID002920');
    expect(after.candidates.map((c: { smelterId: string }) => c.smelterId)).not.toContain('CID002920');

    const own = await h.app.inject({
      method: 'POST',
      url: '/api/v1/smelters/CID002920/name-decisions',
      payload: { name: 'ABC Refinery Pty Ltd.', decision: 'reject' },
    });
    expect(own.statusCode).toBe(400);
    expect(own.json().errors[0].path).toBe('body.name');
    const unknown = await h.app.inject({
      method: 'POST',
      url: '/api/v1/smelters/CID999999/name-decisions',
      payload: { name, decision: 'confirm' },
    });
    expect(unknown.statusCode).toBe(404);
  });
});
