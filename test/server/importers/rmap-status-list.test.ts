import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RMAP_STATUSES, type RmapStatus } from '../../../graph/model.js';
import { ValidationError } from '../../../server/errors.js';
import { MAX_RMAP_ROWS, parseAuditDate, parseRmapStatusCsv, rmapStatusOf } from '../../../server/importers/rmap-status-list.js';

/**
 * RMI forbids redistributing its facility lists, so the real ones are NOT copied into the project:
 * these tests read them from ../shared/data when that folder is there and are skipped otherwise.
 * The expected counts were taken once with Python's csv module (distinct SMELTER ID per status).
 */
const SHARED = fileURLToPath(new URL('../../../../shared/data/rmi-smelters/', import.meta.url));
const shared = (file: string) => ({ path: `${SHARED}${file}`, exists: existsSync(`${SHARED}${file}`) });
const ALL = shared('rmi_all_smelters_with_status_2023.csv');
const CONFORMANT = shared('rmi_conformant_2023.csv');
const ACTIVE = shared('rmi_active_2023.csv');
const COBALT = shared('rmi_cobalt_refiners_2023.csv');

function validationErrorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

const countByStatus = (m: Map<string, RmapStatus>) => {
  const counts: Partial<Record<RmapStatus, number>> = {};
  for (const s of m.values()) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
};

describe('real RMAP lists from ../shared (not shipped)', () => {
  it.skipIf(!ALL.exists)('a consolidated list with an "RMI Status" column: 629 rows, 349 smelters', () => {
    const list = parseRmapStatusCsv(readFileSync(ALL.path, 'utf8'));
    expect(list.rows).toBe(629);
    expect(list.statuses.size).toBe(349);
    expect(list.skipped).toEqual([]);
    expect(list.columns).toEqual({ id: 'SMELTER ID', status: 'RMI Status', lastAudit: null });
    // Conformant 225; Outreach Required 47 + In Communication 12 + Communication Suspended 6 = 65 not enrolled;
    // Non Conformant 17 + RMI Due Diligence Review - Unable to Proceed 4 = 21; "Not Sure" 21; Active 17.
    expect(countByStatus(list.statuses)).toEqual({ conformant: 225, not_enrolled: 65, non_conformant: 21, unknown: 21, active: 17 });
    expect(list.statuses.get('CID002763')).toBe('conformant'); // 8853 S.p.A.
    expect(list.statuses.get('CID002920')).toBe('not_enrolled'); // ABC Refinery: Outreach Required
  });

  it.skipIf(!CONFORMANT.exists)(
    'RMI\'s Conformant list: the company\'s "Type" column says Conformant on every row; audit dates in two formats',
    () => {
      const list = parseRmapStatusCsv(readFileSync(CONFORMANT.path, 'utf8'));
      expect(list.rows).toBe(267);
      expect(countByStatus(list.statuses)).toEqual({ conformant: 267 });
      expect(list.columns).toEqual({ id: 'SMELTER ID', status: 'Type', lastAudit: 'LAST AUDIT DATE' });
      expect(list.lastAudit.size).toBe(267);
      expect(list.warnings).toEqual([]);
      expect(list.lastAudit.get('CID000004')).toBe('2021-03-09'); // stored as a date
      expect(list.lastAudit.get('CID002708')).toBe('2020-11-19'); // "11/19/2020"
      // Given explicitly, the status applies: "Type" is no status column of its own.
      const withStatus = parseRmapStatusCsv(readFileSync(CONFORMANT.path, 'utf8'), { status: 'conformant' });
      expect(withStatus.columns.status).toBeNull();
      expect(withStatus.statuses).toEqual(list.statuses);
    },
  );

  it.skipIf(!ACTIVE.exists)("RMI's Active list: 40 active facilities", () => {
    const list = parseRmapStatusCsv(readFileSync(ACTIVE.path, 'utf8'));
    expect(list.rows).toBe(40);
    expect(countByStatus(list.statuses)).toEqual({ active: 40 });
  });

  it.skipIf(!COBALT.exists)('a list with no status at all is refused unless the caller says what status it is', () => {
    const text = readFileSync(COBALT.path, 'utf8');
    expect(validationErrorOf(() => parseRmapStatusCsv(text)).fields).toEqual([{ path: 'header', message: 'no status column' }]);
    const list = parseRmapStatusCsv(text, { status: 'unknown' });
    expect(list.rows).toBe(130);
    expect(list.statuses.size).toBe(84);
    expect(list.columns).toEqual({ id: 'SMELTER ID', status: null, lastAudit: null });
  });
});

describe('parseRmapStatusCsv on hand-written lists', () => {
  it('maps RMI status words to the model and says why it skips a row', () => {
    const csv = [
      'Metal,Smelter ID,Standard Smelter Name,RMAP Status',
      'Gold,CID000001,A,Conformant',
      'Gold,CID000002,B,active',
      'Tin,CID000003,C,Non-Conformant',
      'Tin,CID000004,D,Not Enrolled',
      'Tin,CID000005,E,Outreach Required',
      'Tin,CID000006,F,In Communication',
      'Tin,CID000007,G,Communication Suspended - Not Interested',
      'Tin,CID000008,H,RMI Due Diligence Review - Unable to Proceed',
      'Tin,CID000009,I,Not Sure',
      'Tin,CID000010,J,',
      'Tin,CID000011,K,#N/A',
      'Tin,CID000012,L,Pending review',
      'Tin,,M,Conformant',
      'Tin,CID0027634,N,Conformant',
      'Tin, cid000013 ,O,CONFORMANT',
      'Tin,CID000001,A again,Conformant',
      'Tin,CID000001,A contradicted,Active',
      ',,,',
    ].join('\n');
    const list = parseRmapStatusCsv(csv);
    expect(list.rows).toBe(17); // the line of empty cells is not a row
    expect(Object.fromEntries(list.statuses)).toEqual({
      CID000001: 'conformant',
      CID000002: 'active',
      CID000003: 'non_conformant',
      CID000004: 'not_enrolled',
      CID000005: 'not_enrolled',
      CID000006: 'not_enrolled',
      CID000007: 'not_enrolled',
      CID000008: 'non_conformant',
      CID000009: 'unknown',
      CID000013: 'conformant',
    });
    expect(list.skipped).toEqual([
      { row: 11, reason: 'CID000010 has no status' },
      { row: 12, reason: 'CID000011 has no status ("#N/A")' },
      { row: 13, reason: 'CID000012: unknown status "Pending review"' },
      { row: 14, reason: 'no smelter id' },
      { row: 15, reason: '"CID0027634" is not an RMI smelter id (CID + 6 digits)' },
      { row: 18, reason: 'CID000001 is conformant on row 2 and active here; the first is kept' },
    ]);
  });

  it.each([
    ['Smelter Identification Number', 'Status'],
    ['smelter_id', 'rmi_status'],
    ['Facility ID', 'Assessment Status'],
    ['RMI ID', 'Conformance Status'],
    ['SMELTER ID', 'RMI Status'],
  ])('finds the id column %j and the status column %j', (idHeader, statusHeader) => {
    const list = parseRmapStatusCsv(`Name,${statusHeader},${idHeader}\nX,Conformant,CID002763\n`);
    expect(Object.fromEntries(list.statuses)).toEqual({ CID002763: 'conformant' });
    expect(list.columns).toEqual({ id: idHeader, status: statusHeader, lastAudit: null });
  });

  it('finds the header below title rows, reads semicolons, tabs, a BOM and CRLF, and counts rows as file lines', () => {
    const titled =
      '\uFEFFConformant Smelters & Refiners\r\nAs of 2026-01-05\r\n\r\nSmelter ID;Name;Status\r\nCID000001;"A; with a semicolon";Conformant\r\nCID000002;"B, spanning\r\ntwo lines";Active\r\nCID000003;C;Nope\r\n';
    const list = parseRmapStatusCsv(titled);
    expect(Object.fromEntries(list.statuses)).toEqual({ CID000001: 'conformant', CID000002: 'active' });
    expect(list.skipped).toEqual([{ row: 8, reason: 'CID000003: unknown status "Nope"' }]);
    const tabs = parseRmapStatusCsv('Smelter ID\tRMAP Status\nCID000001\tNon Conformant\n');
    expect(Object.fromEntries(tabs.statuses)).toEqual({ CID000001: 'non_conformant' });
  });

  it('reads last audit dates in the forms RMI lists use, and warns about the others', () => {
    const list = parseRmapStatusCsv(
      [
        'Smelter ID,Status,Last Audit Date',
        'CID000001,Conformant,2021-03-09',
        'CID000002,Conformant,11/19/2020',
        'CID000003,Conformant,9-Mar-2021',
        'CID000004,Conformant,13/45/2020',
        'CID000005,Conformant,',
        'CID000001,Conformant,2022-06-01',
      ].join('\n'),
    );
    expect(Object.fromEntries(list.lastAudit)).toEqual({ CID000001: '2022-06-01', CID000002: '2020-11-19', CID000003: '2021-03-09' });
    expect(list.warnings).toEqual([{ row: 5, reason: 'CID000004: unreadable last audit date "13/45/2020"' }]);
    expect(parseAuditDate('2024-02-29')).toBe('2024-02-29');
    expect(parseAuditDate('2023-02-29')).toBeUndefined();
    expect(parseAuditDate('2021-03-09 00:00:00')).toBe('2021-03-09');
    expect(parseAuditDate('03 March 2021')).toBe('2021-03-03');
    expect(parseAuditDate('yesterday')).toBeUndefined();
  });

  it('uses a "Type" column only when every value in it is a status', () => {
    expect(Object.fromEntries(parseRmapStatusCsv('Smelter ID,Type\nCID000001,Conformant\nCID000002,\n').statuses)).toEqual({
      CID000001: 'conformant',
    });
    // A company's risk rating is not a status.
    const e = validationErrorOf(() => parseRmapStatusCsv('Smelter ID,Type\nCID000001,Conformant\nCID000002,Low Risk\n'));
    expect(e.fields).toEqual([{ path: 'header', message: 'no status column' }]);
  });

  it('applies a status given for the whole file, and refuses one when the file has its own status column', () => {
    const list = parseRmapStatusCsv('Smelter ID,Name\nCID000001,A\nCID000002,B\n', { status: 'active' });
    expect(Object.fromEntries(list.statuses)).toEqual({ CID000001: 'active', CID000002: 'active' });
    expect(
      validationErrorOf(() => parseRmapStatusCsv('Smelter ID,RMI Status\nCID000001,Active\n', { status: 'conformant' })).fields,
    ).toEqual([{ path: 'status', message: 'the file has a status column' }]);
    expect(validationErrorOf(() => parseRmapStatusCsv('Smelter ID\nCID000001\n', { status: 'great' as RmapStatus })).fields[0]?.path).toBe(
      'status',
    );
  });

  it('refuses what is not a status list, naming what is wrong', () => {
    const noId = validationErrorOf(() => parseRmapStatusCsv('Metal,Standard Smelter Name,RMI Status\nGold,X,Conformant\n'));
    expect(noId.message).toMatch(/no smelter id column/);
    expect(noId.fields).toEqual([{ path: 'header', message: 'no smelter id column' }]);
    expect(validationErrorOf(() => parseRmapStatusCsv('')).fields).toEqual([{ path: 'file', message: 'empty file' }]);
    expect(validationErrorOf(() => parseRmapStatusCsv('PK\u0003\u0004\u0014\u0000binary')).fields).toEqual([
      { path: 'file', message: 'not CSV text' },
    ]);
    expect(validationErrorOf(() => parseRmapStatusCsv('Smelter ID,Status\n"CID000001,Conformant\n')).fields).toEqual([
      { path: 'file', message: 'not readable CSV' },
    ]);
    const huge = `Smelter ID,Status\n${'CID000001,Conformant\n'.repeat(MAX_RMAP_ROWS + 1)}`;
    expect(validationErrorOf(() => parseRmapStatusCsv(huge)).fields).toEqual([
      { path: 'file', message: `more than ${MAX_RMAP_ROWS} rows` },
    ]);
  });

  it('agrees with a brute-force oracle on random lists, whatever the header spelling and delimiter (fast-check)', () => {
    const STATUS_TEXT: Record<RmapStatus, string[]> = {
      conformant: ['Conformant', 'CONFORMANT', 'RMAP Conformant'],
      active: ['Active', 'active'],
      non_conformant: ['Non-Conformant', 'Non Conformant', 'nonconformant'],
      not_enrolled: ['Not Enrolled', 'Outreach Required', 'In Communication'],
      unknown: ['Unknown', 'Not Sure'],
    };
    const row = fc.record({
      id: fc.integer({ min: 1, max: 40 }).map((n) => `CID${String(n).padStart(6, '0')}`),
      status: fc.constantFrom(...RMAP_STATUSES),
      spelling: fc.nat(),
      name: fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
    });
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 60 }),
        fc.constantFrom(',', ';', '\t'),
        fc.constantFrom('Smelter ID', 'SMELTER IDENTIFICATION NUMBER', 'facility_id'),
        fc.constantFrom('RMI Status', 'status', 'RMAP Assessment Status'),
        (rows, d, idHeader, statusHeader) => {
          const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
          const lines = [[quote('Name'), quote(idHeader), quote(statusHeader)].join(d)];
          for (const r of rows) {
            const texts = STATUS_TEXT[r.status];
            lines.push([quote(r.name), r.id, texts[r.spelling % texts.length]!].join(d));
          }
          const expected = new Map<string, RmapStatus>();
          const conflicts: number[] = [];
          rows.forEach((r, i) => {
            const before = expected.get(r.id);
            if (before === undefined) expected.set(r.id, r.status);
            else if (before !== r.status) conflicts.push(i + 2);
          });
          const list = parseRmapStatusCsv(lines.join('\n'));
          expect(list.statuses).toEqual(expected);
          expect(list.rows).toBe(rows.length);
          expect(list.skipped.map((s) => s.row)).toEqual(conflicts);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('rmapStatusOf', () => {
  it.each([
    ['Conformant', 'conformant'],
    ['  rmap conformant ', 'conformant'],
    ['Compliant', 'conformant'],
    ['Active', 'active'],
    ['NON-CONFORMANT', 'non_conformant'],
    ['not_enrolled', 'not_enrolled'],
    ['Communication Suspended – Not Interested', 'not_enrolled'],
    ['Not Sure', 'unknown'],
    ['Low Risk', undefined],
    ['', undefined],
  ])('%j → %j', (text, expected) => {
    expect(rmapStatusOf(text)).toBe(expected);
  });
});
