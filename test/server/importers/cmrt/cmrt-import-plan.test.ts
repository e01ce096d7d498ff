/**
 * The import rules on hand-built declarations: which nodes and relationships a file becomes, how
 * its smelters resolve, and every consistency warning, exactly.
 */
import { describe, expect, it } from 'vitest';
import type { Metal } from '../../../../graph/model.js';
import type { CmrtDocument, CmrtSmelterRow } from '../../../../server/importers/cmrt/cmrt-document.js';
import {
  localSmelterId,
  planCmrtImport,
  type CmrtImportContext,
  type KnownSmelterRecord,
} from '../../../../server/importers/cmrt/cmrt-import-plan.js';
import { createSmelterResolver } from '../../../../server/importers/smelter-resolution.js';
import {
  loadCountries,
  loadDoddFrankCountries,
  loadReferenceSmelters,
  loadSmelterLookup,
} from '../../../../server/seeding/reference-data.js';

const CMRT_METALS: Metal[] = ['tantalum', 'tin', 'gold', 'tungsten'];

function smelterRow(row: number, fields: Partial<CmrtSmelterRow>): CmrtSmelterRow {
  const cells: CmrtSmelterRow['cells'] = {};
  const columns: Record<string, string> = { metal: 'B', smelterName: 'D', country: 'E', smelterId: 'F', mineLocations: 'O' };
  for (const [field, column] of Object.entries(columns)) cells[field] = { sheet: 'Smelter List', row, column };
  return {
    row,
    metal: null,
    metalRaw: null,
    smelterIdInput: null,
    smelterLookupName: null,
    smelterName: null,
    countryRaw: null,
    countryCode: null,
    smelterId: null,
    sourceOfId: null,
    street: null,
    city: null,
    stateProvince: null,
    nextSteps: null,
    mineNames: null,
    mineLocationsRaw: null,
    mineLocations: { countries: [], recycled: false, unread: [], placeholder: false },
    recycledOrScrap: null,
    comments: null,
    kind: 'listed',
    cells,
    ...fields,
  };
}

type Answers = Partial<Record<Metal, Partial<Record<number, string>>>>;

function cmrt(fileName: string, smelters: CmrtSmelterRow[], answers: Answers = {}, blank = false): CmrtDocument {
  const metalQuestions: CmrtDocument['declaration']['metalQuestions'] = [];
  for (const [metal, byQuestion] of Object.entries(answers) as [Metal, Record<number, string>][]) {
    for (const [question, answer] of Object.entries(byQuestion)) {
      const q = Number(question);
      metalQuestions.push({ metal, question: q, answer, raw: answer, cell: { sheet: 'Declaration', row: 20 + 6 * q, column: 'D' } });
    }
  }
  return {
    kind: 'CMRT',
    templateVersion: '6.4',
    fileName,
    metals: CMRT_METALS,
    declaration: {
      companyName: blank ? null : 'Supplier Ltd',
      scope: blank ? null : 'A. Company',
      scopeKind: blank ? null : 'company',
      scopeDescription: null,
      companyId: null,
      address: null,
      effectiveDate: blank ? null : '2024-05-10',
      effectiveDateRaw: blank ? null : '2024-05-10',
      metalQuestions,
      companyQuestions: [],
      blank,
    },
    smelters,
    products: [],
    warnings: [],
  };
}

function context(extra: Partial<CmrtImportContext> = {}): CmrtImportContext {
  const countries = loadCountries();
  const smeltersById = new Map<string, KnownSmelterRecord>();
  for (const s of loadReferenceSmelters())
    smeltersById.set(s.id, { id: s.id, name: s.name, metal: s.metal, country: s.country, aliases: s.aliases });
  return {
    resolver: createSmelterResolver({ lookup: loadSmelterLookup(), graphSmelters: [] }),
    smeltersById,
    countryIds: new Set(countries.map((c) => c.id)),
    referenceCountries: new Map(countries.map((c) => [c.id, c])),
    coveredCountries: new Set(loadDoddFrankCountries().map((c) => c.alpha2)),
    cahraCountries: new Set(countries.filter((c) => c.cahra).map((c) => c.id)),
    companyIds: new Set(['acme']),
    newCompanies: new Map(),
    importedAt: '2026-11-25T12:00:00.000Z',
    ...extra,
  };
}

const none = { countries: [], recycled: false, unread: [], placeholder: false };

describe('planCmrtImport', () => {
  const rows = [
    // By id, with its own name: mined in the DRC and Rwanda.
    smelterRow(5, {
      metal: 'gold',
      smelterName: '8853 S.p.A.',
      countryCode: 'IT',
      countryRaw: 'ITALY',
      smelterId: 'CID002763',
      mineLocations: { countries: ['CD', 'RW'], recycled: false, unread: ['somewhere'], placeholder: false },
    }),
    // By name only.
    smelterRow(6, { metal: 'gold', smelterName: 'ABC Refinery Pty Ltd.', countryCode: 'AU', countryRaw: 'AUSTRALIA', mineLocations: none }),
    // The same smelter again: a duplicate.
    smelterRow(7, {
      metal: 'gold',
      smelterName: 'ABC Refinery Pty Ltd.',
      countryCode: 'AU',
      countryRaw: 'AUSTRALIA',
      smelterId: 'CID002920',
    }),
    // Nobody knows it: a local id.
    smelterRow(8, {
      metal: 'tin',
      smelterName: 'Zzyzx Backyard Tin Works',
      countryCode: 'BO',
      countryRaw: 'BOLIVIA',
      recycledOrScrap: 'yes',
    }),
    // A gold refiner listed under tin.
    smelterRow(9, { metal: 'tin', smelterName: 'Chimet S.p.A.', countryCode: 'IT', smelterId: 'CID000233' }),
    smelterRow(10, { metal: 'tin', smelterLookupName: 'Smelter not yet identified', kind: 'not_yet_identified' }),
  ];
  const answers: Answers = {
    tantalum: { 1: 'yes' },
    tin: { 1: 'yes', 7: 'yes' },
    gold: { 1: 'yes', 3: 'no', 4: 'no' },
    tungsten: { 1: 'no' },
  };

  it('writes smelters, origins and provenance, and reports resolution and every inconsistency', () => {
    const plan = planCmrtImport([{ document: cmrt('supplier.xlsx', rows, answers), companyId: 'acme' }], context());
    const local = localSmelterId('tin', 'Zzyzx Backyard Tin Works', 'BO');
    expect(local).toMatch(/^LOCAL-TIN-[0-9a-f]{12}$/);

    expect(plan.nodes.map((n) => `${n.label}:${n.id}`).sort()).toEqual(
      ['Smelter:CID002763', 'Smelter:CID002920', `Smelter:${local}`].sort(),
    );
    const localNode = plan.nodes.find((n) => n.id === local)!;
    expect(localNode).toMatchObject({
      label: 'Smelter',
      name: 'Zzyzx Backyard Tin Works',
      metal: 'tin',
      country: 'BO',
      identified: false,
      recycledOrScrap: true,
    });

    const rels = plan.relationships.map((r) => `${r.type} ${r.from}->${r.to}${r.type === 'SUPPLIES' ? ` ${r.metal}` : ''}`).sort();
    expect(rels).toEqual(
      [
        'LOCATED_IN CID002763->IT',
        'LOCATED_IN CID002920->AU',
        `LOCATED_IN ${local}->BO`,
        'SUPPLIES CD->CID002763 gold',
        'SUPPLIES RW->CID002763 gold',
        'SUPPLIES CID002763->acme gold',
        'SUPPLIES CID002920->acme gold',
        `SUPPLIES ${local}->acme tin`,
      ].sort(),
    );
    for (const r of plan.relationships) {
      if (r.type === 'SUPPLIES')
        expect(r.source).toBe('CMRT 6.4; file=supplier.xlsx; effective=2024-05-10; scope=company; imported=2026-11-25T12:00:00.000Z');
    }

    const [report] = plan.reports;
    expect(report!.resolution).toEqual({ byId: 2, byName: 1, unresolved: 1, notListed: 0, notYetIdentified: 1 });
    expect(report!.duplicates).toBe(1);
    expect(report!.duplicateSmelters).toBe(1);
    expect(report!.smeltersByMetal).toEqual({ gold: 2, tin: 1 });
    expect(report!.smelters.map((s) => [s.row, s.status, s.smelterId, s.duplicate])).toEqual([
      [5, 'resolved_by_id', 'CID002763', false],
      [6, 'resolved_by_name', 'CID002920', false],
      [7, 'resolved_by_id', 'CID002920', true],
      [8, 'unresolved', local, false],
      [9, 'skipped', null, false],
      [10, 'not_yet_identified', null, false],
    ]);
    expect(report!.warnings.map((w) => [w.code, w.sheet, w.row, w.column])).toEqual([
      ['duplicate-smelter', 'Smelter List', 7, 'F'],
      ['unresolved-smelter', 'Smelter List', 8, 'D'],
      ['metal-mismatch', 'Smelter List', 9, 'B'],
      ['metal-used-without-smelters', 'Declaration', 26, 'D'],
      ['all-identified-contradicted', 'Declaration', 62, 'D'],
      ['covered-country-sourcing-denied', 'Declaration', 38, 'D'],
      ['cahra-sourcing-denied', 'Declaration', 44, 'D'],
    ]);
    expect(report!.warnings.find((w) => w.code === 'metal-used-without-smelters')!.message).toContain('tantalum');
    expect(report!.warnings.find((w) => w.code === 'covered-country-sourcing-denied')!.message).toContain('CD, RW');
  });

  it('gives an unresolved smelter the same local id on every import', () => {
    const once = planCmrtImport([{ document: cmrt('a.xlsx', [rows[3]!]), companyId: 'acme' }], context());
    const again = planCmrtImport(
      [{ document: cmrt('b.xlsx', [{ ...rows[3]!, smelterName: '  zzyzx backyard tin works ' }]), companyId: 'acme' }],
      context(),
    );
    expect(once.reports[0]!.smelters[0]!.smelterId).toBe(again.reports[0]!.smelters[0]!.smelterId);
  });

  it('creates a declarant that is not in the graph, and warns about a blank declaration', () => {
    const plan = planCmrtImport(
      [{ document: cmrt('blank.xlsx', [rows[1]!], {}, true), companyId: 'newco' }],
      context({ newCompanies: new Map([['newco', { name: 'NewCo', country: 'JP' }]]) }),
    );
    expect(plan.nodes.find((n) => n.id === 'newco')).toEqual({ label: 'Company', id: 'newco', name: 'NewCo', country: 'JP' });
    expect(plan.relationships).toContainEqual({ type: 'LOCATED_IN', from: 'newco', to: 'JP' });
    expect(plan.reports[0]!.warnings.map((w) => w.code)).toEqual(['blank-declaration']);
    const supplies = plan.relationships.find((r) => r.type === 'SUPPLIES')!;
    expect(supplies.type === 'SUPPLIES' && supplies.source).toContain('effective=unknown; scope=unknown');
  });

  it('finds suppliers that contradict each other about one smelter', () => {
    const a = smelterRow(5, {
      metal: 'gold',
      smelterName: '8853 S.p.A.',
      smelterId: 'CID002763',
      countryCode: 'IT',
      recycledOrScrap: 'yes',
    });
    const b = smelterRow(9, {
      metal: 'gold',
      smelterName: '8853 S.p.A.',
      smelterId: 'CID002763',
      countryCode: 'CH',
      recycledOrScrap: 'no',
    });
    const plan = planCmrtImport(
      [
        { document: cmrt('a.xlsx', [a]), companyId: 'acme' },
        { document: cmrt('b.xlsx', [b]), companyId: 'acme' },
      ],
      context(),
    );
    expect(plan.reports[1]!.warnings.map((w) => w.code)).toEqual(['smelter-country-mismatch', 'cross-file-contradiction']);
    const crossFile = [...plan.reports[0]!.warnings, ...plan.reports[1]!.warnings].filter((w) => w.code === 'cross-file-contradiction');
    expect(crossFile.map((w) => [w.file, w.row])).toEqual([
      ['a.xlsx', 5],
      ['b.xlsx', 9],
    ]);
    expect(crossFile[0]!.message).toBe('Declarations disagree on the country of CID002763: IT (a.xlsx row 5), CH (b.xlsx row 9).');
    expect(crossFile[1]!.message).toBe(
      'Declarations disagree on whether CID002763 is 100% recycled: yes (a.xlsx row 5), no (b.xlsx row 9).',
    );
  });

  it('flags "all recycled" contradicted by mines', () => {
    const mined = smelterRow(5, {
      metal: 'gold',
      smelterName: '8853 S.p.A.',
      smelterId: 'CID002763',
      countryCode: 'IT',
      mineLocations: { ...none, countries: ['PE'] },
    });
    const plan = planCmrtImport([{ document: cmrt('a.xlsx', [mined], { gold: { 5: 'yes' } }), companyId: 'acme' }], context());
    expect(plan.reports[0]!.warnings.map((w) => w.code)).toEqual(['all-recycled-contradicted']);
  });
});
