/**
 * RMAP status lists: a CSV of RMI facilities with their Responsible Minerals Assurance Process
 * status, as a user obtained it from RMI (oretrace cannot ship one: RMI forbids redistributing its
 * facility lists). → smelter id → the model's RmapStatus.
 *
 * Real lists come in several shapes: RMI's per-status downloads (the Conformant list, the Active
 * list) have no status column at all — the file is the status; consolidated lists made by
 * companies carry a status column ("RMI Status") and sometimes their own annotations ("Not Sure",
 * a "Type" column of risk ratings). Columns are therefore found by header, case and punctuation
 * ignored, with several spellings each; the header may sit below a few title rows; the delimiter
 * may be a comma, a semicolon (European Excel) or a tab.
 */
import { parse } from 'csv-parse/sync';
import { RMAP_STATUSES, type RmapStatus } from '../../graph/model.js';
import { ValidationError } from '../errors.js';
import { normalizeSmelterId } from './smelter-resolution.js';

export interface RmapStatusList {
  /** Smelter id (canonical "CID" + 6 digits) → status. */
  statuses: Map<string, RmapStatus>;
  /** Data rows read (non-blank rows below the header). */
  rows: number;
  /** Rows not used, with why; `row` is the line of the file where the row starts. */
  skipped: Array<{ row: number; reason: string }>;
  /** Smelter id → last audit date (YYYY-MM-DD), when the list has a last-audit column. */
  lastAudit: Map<string, string>;
  /** Cells read but not understood that did not cost the row (e.g. an unreadable audit date). */
  warnings: Array<{ row: number; reason: string }>;
  /** The header text of the columns used; status is null when the whole file had one status. */
  columns: { id: string; status: string | null; lastAudit: string | null };
}

export interface RmapStatusCsvOptions {
  /**
   * The status of every row, for a list that is one status (RMI's Conformant or Active list) and so
   * has no status column. Refused when the file has its own status column.
   */
  status?: RmapStatus;
}

/** More rows than any RMI list has by two orders of magnitude: a bigger file is not a status list. */
export const MAX_RMAP_ROWS = 100_000;
/** How far down the header row may be (below title rows such as "Conformant Smelters, as of …"). */
const HEADER_SEARCH_ROWS = 20;

const normHeader = (h: string): string =>
  h
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');

const ID_HEADERS = [
  'smelterid',
  'smelteridentificationnumber',
  'smelteridentification',
  'smelteridnumber',
  'smelterreferenceid',
  'smelterrefinerid',
  'smelterrefineridentificationnumber',
  'refinerid',
  'facilityid',
  'facilityidentificationnumber',
  'rmiid',
  'rmismelterid',
  'rmifacilityid',
  'cid',
  'cidnumber',
];
const STATUS_HEADERS = [
  'rmistatus',
  'rmapstatus',
  'status',
  'assessmentstatus',
  'rmapassessmentstatus',
  'conformancestatus',
  'rmapconformancestatus',
  'conformantstatus',
  'facilitystatus',
  'smelterstatus',
  'auditstatus',
  'rmapauditstatus',
  'participationstatus',
  'rmapparticipationstatus',
];
/** Used only when every non-blank cell is an RMAP status (a company's copy of a per-status list). */
const WEAK_STATUS_HEADERS = ['type', 'category', 'list'];
const AUDIT_HEADERS = ['lastauditdate', 'lastassessmentdate', 'mostrecentauditdate', 'lastaudit', 'auditdate', 'assessmentdate'];

// RMI's status vocabulary (and older CFSI/CFSP words) → the model's five statuses.
const STATUS_WORDS: ReadonlyMap<string, RmapStatus> = new Map<string, RmapStatus>([
  ['conformant', 'conformant'],
  ['rmap conformant', 'conformant'],
  ['conformant smelter', 'conformant'],
  ['conformant refiner', 'conformant'],
  ['compliant', 'conformant'], // CFSP wording before 2017
  ['cfsp compliant', 'conformant'],
  ['active', 'active'],
  ['rmap active', 'active'],
  ['active smelter', 'active'],
  ['active refiner', 'active'],
  ['non conformant', 'non_conformant'],
  ['nonconformant', 'non_conformant'],
  ['not conformant', 'non_conformant'],
  ['non compliant', 'non_conformant'],
  // RMI reviewed the facility and will not assess it (red flags): for risk, as bad as non-conformant.
  ['rmi due diligence review unable to proceed', 'non_conformant'],
  ['due diligence review unable to proceed', 'non_conformant'],
  ['not enrolled', 'not_enrolled'],
  ['outreach required', 'not_enrolled'],
  ['in communication', 'not_enrolled'],
  ['communication suspended not interested', 'not_enrolled'],
  ['communication suspended', 'not_enrolled'],
  ['not interested', 'not_enrolled'],
  ['not participating', 'not_enrolled'],
  ['non participating', 'not_enrolled'],
  ['eligible', 'not_enrolled'],
  ['unknown', 'unknown'],
  ['not sure', 'unknown'], // a company's annotation in its copy of the list, not an RMI term
  ['not known', 'unknown'],
  ...RMAP_STATUSES.map((s) => [s.replace(/_/g, ' '), s] as [string, RmapStatus]),
]);

const BLANK_STATUS = new Set(['', 'n a', 'na', 'none', '0']);

const normStatus = (s: string): string =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/** The model's status for an RMI status text ("Conformant", "Non-Conformant", "Outreach Required"…), or undefined. */
export function rmapStatusOf(text: string): RmapStatus | undefined {
  return STATUS_WORDS.get(normStatus(text));
}

function sniffDelimiter(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(0, HEADER_SEARCH_ROWS);
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t']) {
    let count = 0;
    for (const line of lines) {
      let quoted = false;
      for (const ch of line) {
        if (ch === '"') quoted = !quoted;
        else if (ch === d && !quoted) count += 1;
      }
    }
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/** An audit date as RMI lists write it (ISO, US "M/D/YYYY", "9-Mar-2021") → "YYYY-MM-DD", or undefined. */
export function parseAuditDate(text: string): string | undefined {
  const t = text.trim();
  let y: number, m: number, d: number;
  let match: RegExpExecArray | null;
  if ((match = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$/.exec(t)))
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t))) [m, d, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{1,2})[- ]([A-Za-z]{3})[a-z]*[- ,]+(\d{4})$/.exec(t)) && MONTHS[match[2]!.toLowerCase()]) {
    [d, m, y] = [Number(match[1]), MONTHS[match[2]!.toLowerCase()]!, Number(match[3])];
  } else return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1990 || y > 2100 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function findColumn(header: readonly string[], names: readonly string[]): number {
  const normalised = header.map(normHeader);
  for (const name of names) {
    const i = normalised.indexOf(name);
    if (i >= 0) return i;
  }
  return -1;
}

interface CsvRecord {
  cells: string[];
  line: number;
}

/**
 * Reads an RMAP status list. Throws ValidationError when the text is not a CSV list of smelters:
 * empty, a workbook rather than CSV, no smelter id column, no status column (and no `status`
 * option), or more than MAX_RMAP_ROWS rows. Rows it cannot use are listed in `skipped`: a missing
 * or malformed id, a blank or unknown status, an id listed earlier with another status (the first
 * one is kept).
 */
export function parseRmapStatusCsv(text: string, options: RmapStatusCsvOptions = {}): RmapStatusList {
  if (typeof text !== 'string')
    throw new ValidationError('The RMAP status list must be text', [{ path: 'file', message: 'must be CSV text' }]);
  if (options.status !== undefined && !(RMAP_STATUSES as readonly string[]).includes(options.status)) {
    throw new ValidationError(`Unknown RMAP status "${String(options.status)}"`, [
      { path: 'status', message: `must be one of ${RMAP_STATUSES.join(', ')}` },
    ]);
  }
  if (text.startsWith('PK\u0003\u0004') || text.includes('\u0000')) {
    throw new ValidationError(
      'The RMAP status list is not CSV text (it looks like a workbook or a binary file); save it from Excel as CSV',
      [{ path: 'file', message: 'not CSV text' }],
    );
  }
  if (text.trim() === '') throw new ValidationError('The RMAP status list is empty', [{ path: 'file', message: 'empty file' }]);

  let parsed: string[][];
  try {
    parsed = parse(text, {
      delimiter: sniffDelimiter(text),
      bom: true,
      relax_column_count: true,
      // Blank lines come back as records, so that counting records and the line breaks inside
      // quoted cells gives file lines (csv-parse's own line count is off after a CRLF in quotes).
      skip_empty_lines: false,
      record_delimiter: ['\r\n', '\n', '\r'],
      to: MAX_RMAP_ROWS + HEADER_SEARCH_ROWS + 1,
    }) as string[][];
  } catch (e) {
    throw new ValidationError(`The RMAP status list is not readable CSV: ${(e as Error).message}`, [
      { path: 'file', message: 'not readable CSV' },
    ]);
  }
  let nextLine = 1;
  const records: CsvRecord[] = parsed.map((record) => {
    const line = nextLine;
    nextLine += 1 + record.reduce((n, c) => n + (c.match(/\r\n|\n|\r/g)?.length ?? 0), 0);
    return { cells: record.map((c) => c.trim()), line };
  });

  const headerIndex = records.slice(0, HEADER_SEARCH_ROWS).findIndex((r) => findColumn(r.cells, ID_HEADERS) >= 0);
  if (headerIndex < 0) {
    throw new ValidationError(
      `The RMAP status list has no smelter id column: none of its first ${HEADER_SEARCH_ROWS} rows has a header ` +
        'such as "Smelter ID", "Smelter Identification Number" or "Facility ID"',
      [{ path: 'header', message: 'no smelter id column' }],
    );
  }
  const header = records[headerIndex]!.cells;
  const body = records.slice(headerIndex + 1).filter((r) => r.cells.some((c) => c !== ''));
  if (body.length > MAX_RMAP_ROWS) {
    throw new ValidationError(`The RMAP status list has more than ${MAX_RMAP_ROWS} rows`, [
      { path: 'file', message: `more than ${MAX_RMAP_ROWS} rows` },
    ]);
  }

  const idColumn = findColumn(header, ID_HEADERS);
  let statusColumn = findColumn(header, STATUS_HEADERS);
  if (statusColumn < 0 && options.status === undefined) {
    const weak = findColumn(header, WEAK_STATUS_HEADERS);
    const values = weak < 0 ? [] : body.map((r) => r.cells[weak] ?? '').filter((c) => !BLANK_STATUS.has(normStatus(c)));
    if (values.length > 0 && values.every((v) => rmapStatusOf(v) !== undefined)) statusColumn = weak;
  }
  if (statusColumn >= 0 && options.status !== undefined) {
    throw new ValidationError(
      `The RMAP status list has its own status column "${header[statusColumn]}"; do not give a status for the whole file`,
      [{ path: 'status', message: 'the file has a status column' }],
    );
  }
  if (statusColumn < 0 && options.status === undefined) {
    throw new ValidationError(
      'The RMAP status list has no status column (such as "RMI Status" or "RMAP Status"); ' +
        "if the whole file is one status list, e.g. RMI's Conformant list, give that status",
      [{ path: 'header', message: 'no status column' }],
    );
  }
  const useColumn = options.status === undefined;
  const auditColumn = findColumn(header, AUDIT_HEADERS);

  const statuses = new Map<string, RmapStatus>();
  const firstRow = new Map<string, number>();
  const lastAudit = new Map<string, string>();
  const skipped: RmapStatusList['skipped'] = [];
  const warnings: RmapStatusList['warnings'] = [];
  for (const { cells, line } of body) {
    const rawId = cells[idColumn] ?? '';
    if (rawId === '') {
      skipped.push({ row: line, reason: 'no smelter id' });
      continue;
    }
    const id = normalizeSmelterId(rawId);
    if (id === null) {
      skipped.push({ row: line, reason: `"${rawId}" is not an RMI smelter id (CID + 6 digits)` });
      continue;
    }
    let status: RmapStatus | undefined = options.status;
    if (useColumn) {
      const rawStatus = cells[statusColumn] ?? '';
      if (BLANK_STATUS.has(normStatus(rawStatus))) {
        skipped.push({ row: line, reason: `${id} has no status${rawStatus === '' ? '' : ` ("${rawStatus}")`}` });
        continue;
      }
      status = rmapStatusOf(rawStatus);
      if (status === undefined) {
        skipped.push({ row: line, reason: `${id}: unknown status "${rawStatus}"` });
        continue;
      }
    }
    const before = statuses.get(id);
    if (before !== undefined && before !== status) {
      skipped.push({ row: line, reason: `${id} is ${before} on row ${firstRow.get(id)} and ${status} here; the first is kept` });
      continue;
    }
    if (before === undefined) {
      statuses.set(id, status!);
      firstRow.set(id, line);
    }
    if (auditColumn >= 0) {
      const rawDate = cells[auditColumn] ?? '';
      if (rawDate !== '') {
        const date = parseAuditDate(rawDate);
        if (date === undefined) warnings.push({ row: line, reason: `${id}: unreadable last audit date "${rawDate}"` });
        else if ((lastAudit.get(id) ?? '') < date) lastAudit.set(id, date);
      }
    }
  }
  return {
    statuses,
    rows: body.length,
    skipped,
    lastAudit,
    warnings,
    columns: {
      id: header[idColumn]!,
      status: useColumn ? header[statusColumn]! : null,
      lastAudit: auditColumn >= 0 ? header[auditColumn]! : null,
    },
  };
}
