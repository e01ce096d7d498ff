/**
 * Reads an uploaded CMRT (6.01 – 6.5) or EMRT (2.x) workbook into a CmrtDocument.
 *
 * Templates are saved in a dozen languages (the cirscn copies of the templates cache Chinese
 * labels), so nothing here compares header or label text: sheets are found by their (English,
 * untranslated) names, columns and rows by position, and the layout of each template family was
 * taken from the real templates in test/fixtures/cmrt. Before a cell is read, a label cell at each
 * expected position must be present, so that a template whose layout moved is refused rather than
 * misread.
 *
 * Values are the cached results the workbook was saved with (a formula is never evaluated):
 * most smelter columns are formulas over the Smelter Look-up.
 *
 * Bounded memory: workbook-guard.ts checks the zip before exceljs sees it, and the Smelter List is
 * counted by streaming its XML first, so a sheet with 100,000 smelter rows is refused after
 * reading `maxSmelterRows + 1` of them, before exceljs loads anything. exceljs then gets only the
 * sheets read here, the Smelter List cut after its last smelter row (a template carries 2,500
 * rows of formulas): about 4 times faster than loading the whole template.
 */
import ExcelJS from 'exceljs';
import { MetalSchema, type Metal } from '../../../graph/model.js';
import { METALS } from '../../../graph/metals.js';
import { PayloadTooLargeError, UnprocessableError, ValidationError } from '../../errors.js';
import { cmrtCountryToAlpha2 } from '../../seeding/reference-data.js';
import type { CellRef, CmrtDeclaration, CmrtDocument, CmrtProductRow, CmrtSmelterRow, CmrtWarning, TemplateKind } from './cmrt-document.js';
import { countryNameToAlpha2, parseMineLocations } from './mine-locations.js';
import { openXlsx, type RawCell, type WorkbookLimits, type XlsxPackage } from './workbook-guard.js';

/** Smelter rows a workbook may have; a real CMRT has a few hundred at most. */
export const DEFAULT_MAX_SMELTER_ROWS = 20_000;

export interface ReadCmrtOptions {
  fileName: string;
  /** Default DEFAULT_MAX_SMELTER_ROWS; more rows → PayloadTooLargeError. */
  maxSmelterRows?: number;
  /** Limits of the zip check (workbook-guard.ts), for tests and special deployments. */
  limits?: Partial<WorkbookLimits>;
}

export const SHEET = {
  revision: 'Revision',
  declaration: 'Declaration',
  smelterList: 'Smelter List',
  productList: 'Product List',
  smelterLookup: 'Smelter Look-up',
  mineList: 'Mine List',
} as const;

/** The Smelter List: header on row 4, data from row 5, columns A–Q in both CMRT 6.x and EMRT 2.x. */
export const SMELTER_LIST_FIRST_ROW = 5;
const SMELTER_COLUMNS = {
  smelterIdInput: 'A',
  metal: 'B',
  smelterLookupName: 'C',
  smelterName: 'D',
  country: 'E',
  smelterId: 'F',
  sourceOfId: 'G',
  street: 'H',
  city: 'I',
  stateProvince: 'J',
  nextSteps: 'M',
  mineNames: 'N',
  mineLocations: 'O',
  recycledOrScrap: 'P',
  comments: 'Q',
} as const;
/** A row is a smelter row when one of these (id input, metal, look-up name, name, id) is not blank. */
const SMELTER_KEY_COLUMNS: readonly string[] = ['A', 'B', 'C', 'D', 'F'];

const RMI_SMELTER_ID = /^CID\d{6}$/;

// Worksheet parts exceljs need not build: none of them holds a value.
const IGNORED_XML_NODES = [
  'dataValidations',
  'conditionalFormatting',
  'extLst',
  'hyperlinks',
  'mergeCells',
  'drawing',
  'picture',
  'tableParts',
  'autoFilter',
  'rowBreaks',
  'headerFooter',
  'pageSetup',
  'printOptions',
  'pageMargins',
  'sheetProtection',
];

// ---------------------------------------------------------------------------------------------
// Declaration layouts (rows checked on every template in test/fixtures/cmrt)

interface QuestionBlock {
  /** Row of the question text; the per-metal rows follow it. */
  headerRow: number;
}

interface DeclarationLayout {
  companyName: string;
  scope: string;
  scopeDescription: string;
  companyId: string;
  companyIdAuthority: string;
  address: string;
  effectiveDate: string;
  /** EMRT: the "Select Minerals/Metals in Scope" cells. */
  metalsInScope: readonly string[];
  metalQuestions: readonly QuestionBlock[];
  /** CMRT: the fixed metal order under every question; EMRT: up to this many rows, metal from the label. */
  metalRows: { fixed: readonly Metal[] } | { fromLabel: number };
  companyQuestions: ReadonlyArray<{ letter: string; row: number; perMetalRows?: number }>;
  /** Rows whose column B must hold a label, besides the ones above. */
  labelRows: readonly number[];
}

const ANSWER_COLUMN = 'D';
const COMMENT_COLUMN = 'G';
const LABEL_COLUMN = 'B';

/** CMRT 6.01, 6.1, 6.22, 6.31, 6.4 and 6.5 share this layout. */
const CMRT_6_LAYOUT: DeclarationLayout = {
  companyName: 'D8',
  scope: 'D9',
  scopeDescription: 'D10',
  companyId: 'D12',
  companyIdAuthority: 'D13',
  address: 'D14',
  effectiveDate: 'D22',
  metalsInScope: [],
  metalQuestions: [25, 31, 37, 43, 49, 55, 61, 67].map((headerRow) => ({ headerRow })),
  metalRows: { fixed: ['tantalum', 'tin', 'gold', 'tungsten'] },
  companyQuestions: [...'ABCDEFGH'].map((letter, i) => ({ letter, row: 75 + 2 * i })),
  labelRows: [8, 9, 12, 13, 14, 22],
};

/** EMRT 2.1: metals chosen in D12:G13, seven per-metal questions of up to ten rows; question C per metal. */
const EMRT_2_LAYOUT: DeclarationLayout = {
  companyName: 'D8',
  scope: 'D9',
  scopeDescription: 'D10',
  companyId: 'D16',
  companyIdAuthority: 'D17',
  address: 'D18',
  effectiveDate: 'D26',
  metalsInScope: ['D12', 'E12', 'G12', 'D13', 'E13', 'G13'],
  metalQuestions: [29, 41, 53, 65, 77, 89, 101].map((headerRow) => ({ headerRow })),
  metalRows: { fromLabel: 10 },
  companyQuestions: [
    { letter: 'A', row: 115 },
    { letter: 'B', row: 117 },
    { letter: 'C', row: 119, perMetalRows: 10 },
    { letter: 'D', row: 131 },
    { letter: 'E', row: 133 },
    { letter: 'F', row: 135 },
    { letter: 'G', row: 137 },
  ],
  labelRows: [8, 9, 12, 16, 17, 18, 26],
};

function layoutFor(kind: TemplateKind, version: string): DeclarationLayout | undefined {
  const major = Number(version.split('.')[0]);
  if (kind === 'CMRT' && major === 6) return CMRT_6_LAYOUT;
  if (kind === 'EMRT' && major === 2) return EMRT_2_LAYOUT;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Cell values

/** A cell value as saved, reduced to what a CMRT holds. */
export type Scalar = string | number | boolean | Date | null;

/** The value of a cell as saved: a formula's cached result, rich text as plain text, errors as null. */
function scalarOf(value: ExcelJS.CellValue): Scalar {
  let v: unknown = value;
  if (v !== null && typeof v === 'object' && !(v instanceof Date) && ('formula' in v || 'sharedFormula' in v)) {
    v = (v as { result?: unknown }).result;
  }
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'object') {
    if ('error' in v) return null;
    if ('richText' in v) return (v as ExcelJS.CellRichTextValue).richText.map((r) => r.text).join('');
    if ('text' in v) {
      const text = (v as { text: unknown }).text;
      if (typeof text === 'string') return text;
      if (text && typeof text === 'object' && 'richText' in text)
        return (text as ExcelJS.CellRichTextValue).richText.map((r) => r.text).join('');
    }
  }
  return null;
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * A cell as trimmed text (tabs, line breaks and no-break spaces too), or null when blank. The
 * number 0 counts as blank unless `keepZero`: the templates' look-up formulas return 0 for an
 * empty look-up cell, and aggregating tools paste those zeros into every empty column.
 */
function textOf(value: Scalar, keepZero = false): string | null {
  if (value === null) return null;
  if (value instanceof Date) return isoDate(value);
  if (typeof value === 'number') return value === 0 && !keepZero ? null : String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  const t = value.trim();
  return t === '' ? null : t;
}

/** Lower case, single spaces: how answers and dropdown values are compared. */
function normalizeAnswer(text: string | null): string | null {
  return text === null ? null : text.replace(/\s+/g, ' ').toLowerCase();
}

/** Same rule as textOf, on a cell streamed by workbook-guard (for counting rows before exceljs). */
function rawCellIsBlank(cell: RawCell, sharedStringBlank: Uint8Array): boolean {
  if (cell.value === undefined || cell.type === 'e') return true;
  if (cell.type === 's') return sharedStringBlank[Number(cell.value)] !== 0;
  if (cell.type === 'str' || cell.type === 'inlineStr') return cell.value.trim() === '';
  if (cell.type === 'b') return false;
  return cell.value.trim() === '' || Number(cell.value) === 0;
}

// ---------------------------------------------------------------------------------------------
// Dates

const MONTHS: Record<string, number> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
};

function ymd(year: number, month: number, day: number): string | null {
  if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1) return null;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return isoDate(d);
}

function fromSerial(serial: number, date1904: boolean): string | null {
  if (!Number.isFinite(serial) || serial < 1 || serial > 2_958_465) return null;
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  return isoDate(new Date(epoch + Math.floor(serial) * 86_400_000));
}

export interface ParsedDate {
  iso: string | null;
  raw: string | null;
  problem?: 'unreadable' | 'ambiguous';
}

/**
 * A date as found in a cell: a real date, an Excel serial number, or text. Text dates accepted:
 * ISO-like year first ("2024-05-10", "2024/5/10", "2024.05.10", "20240510", "2024年5月10日"),
 * day and month name ("10-May-2024", "10 May 2024", "10-May-24"), month name first
 * ("May 10, 2024"), and day/month/year with numbers only when the order is certain (one of the
 * two is above 12, or both are equal): "05/10/2024" is ambiguous and not guessed.
 */
export function parseDeclarationDate(value: Scalar, date1904 = false): ParsedDate {
  if (value === null) return { iso: null, raw: null };
  if (value instanceof Date) return { iso: isoDate(value), raw: isoDate(value) };
  if (typeof value === 'number') {
    const iso = fromSerial(value, date1904);
    return iso ? { iso, raw: String(value) } : { iso: null, raw: String(value), problem: 'unreadable' };
  }
  const raw = textOf(value);
  if (raw === null) return { iso: null, raw: null };
  const s = raw.replace(/\s+/g, ' ');
  const ok = (iso: string | null): ParsedDate => (iso ? { iso, raw } : { iso: null, raw, problem: 'unreadable' });
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ][\d:.]+Z?)?$/.exec(s))) return ok(ymd(+m[1]!, +m[2]!, +m[3]!));
  if ((m = /^(\d{4}) ?年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?日?$/.exec(s))) return ok(ymd(+m[1]!, +m[2]!, +m[3]!));
  if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(s))) return ok(ymd(+m[1]!, +m[2]!, +m[3]!));
  if ((m = /^(\d{1,2})(?:st|nd|rd|th)?[- ./]([a-z]{3,9})\.?[- ./,]+(\d{4}|\d{2})$/i.exec(s))) {
    const month = MONTHS[m[2]!.toLowerCase()];
    const year = m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
    return ok(month ? ymd(year, month, +m[1]!) : null);
  }
  if ((m = /^([a-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$/i.exec(s))) {
    const month = MONTHS[m[1]!.toLowerCase()];
    return ok(month ? ymd(+m[3]!, month, +m[2]!) : null);
  }
  if ((m = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(s))) {
    const a = +m[1]!;
    const b = +m[2]!;
    const year = +m[3]!;
    if (a > 12 && b <= 12) return ok(ymd(year, b, a));
    if (b > 12 && a <= 12) return ok(ymd(year, a, b));
    if (a === b) return ok(ymd(year, a, b));
    if (a <= 12 && b <= 12) return { iso: null, raw, problem: 'ambiguous' };
    return ok(null);
  }
  if ((m = /^(\d{5})(?:\.\d+)?$/.exec(s))) return ok(fromSerial(Number(s), date1904));
  return ok(null);
}

// ---------------------------------------------------------------------------------------------
// Sheets

export function sheetKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

export function findSheetName(names: Iterable<string>, wanted: string): string | undefined {
  for (const name of names) if (sheetKey(name) === sheetKey(wanted)) return name;
  return undefined;
}

export function missingSheet(fileName: string, sheet: string): UnprocessableError {
  const message = `the workbook has no '${sheet}' sheet: is it a CMRT or EMRT?`;
  return new UnprocessableError(`${fileName}: ${message}`, [{ path: fileName, message }]);
}

/** Reads cells of one worksheet by address, remembering the sheet name for CellRefs. */
export class SheetReader {
  constructor(
    readonly ws: ExcelJS.Worksheet,
    readonly date1904: boolean,
  ) {}

  get name(): string {
    return this.ws.name;
  }

  ref(column: string, row: number): CellRef {
    return { sheet: this.ws.name, row, column };
  }

  scalar(column: string, row: number): Scalar {
    return scalarOf(this.ws.getCell(`${column}${row}`).value);
  }

  text(column: string, row: number, keepZero = false): string | null {
    return textOf(this.scalar(column, row), keepZero);
  }

  /** A cell holds something: a value, or a formula even without a cached result. */
  present(column: string, row: number): boolean {
    const v = this.ws.getCell(`${column}${row}`).value;
    if (v !== null && typeof v === 'object' && !(v instanceof Date) && ('formula' in v || 'sharedFormula' in v)) return true;
    return textOf(scalarOf(v), true) !== null;
  }
}

function splitAddress(address: string): [string, number] {
  const m = /^([A-Z]+)(\d+)$/.exec(address);
  if (!m) throw new Error(`bad cell address ${address}`);
  return [m[1]!, Number(m[2])];
}

// ---------------------------------------------------------------------------------------------
// Template kind and version

export interface TemplateIdentity {
  kind: TemplateKind;
  version: string;
}

const REVISION_TEXT = /revision\s*(\d+(?:\.\d+)*)/i;

/**
 * Kind and version of a template. The version comes from the revision cell (Declaration J3,
 * "Revision 6.4\nApril 26, 2024": a value, not a translated label), else the same text in Smelter
 * List Q3, else the last entry of the Revision sheet's history; the kind from the Revision sheet's
 * title ("Conflict Minerals Reporting Template" / "Extended Mineral Reporting Template", never
 * translated), else the Declaration title, else the presence of a Mine List (EMRT only).
 */
export function identifyTemplate(
  fileName: string,
  declaration: SheetReader | undefined,
  smelterList: SheetReader | undefined,
  revision: SheetReader | undefined,
  hasMineList: boolean,
): TemplateIdentity {
  let version: string | undefined;
  for (const [sheet, column, row] of [
    [declaration, 'J', 3],
    [smelterList, 'Q', 3],
  ] as const) {
    const m = REVISION_TEXT.exec(sheet?.text(column, row) ?? '');
    if (m) {
      version = m[1];
      break;
    }
  }
  if (version === undefined && revision) {
    // Revision history: the last version number in column B under the "REVISION" heading.
    for (let r = 13; r <= Math.min(revision.ws.rowCount, 500); r++) {
      const v = revision.scalar('B', r);
      const t = typeof v === 'number' ? String(v) : textOf(v);
      if (t !== null && /^\d+(\.\d+)*$/.test(t)) version = t;
    }
  }
  if (version === undefined) {
    const message = 'cannot tell the template version (no "Revision x.y" in Declaration J3, Smelter List Q3 or the Revision sheet)';
    throw new UnprocessableError(`${fileName}: ${message}`, [{ path: fileName, message }]);
  }
  const title = revision?.text('B', 3) ?? '';
  let kind: TemplateKind;
  if (/extended/i.test(title)) kind = 'EMRT';
  else if (/conflict/i.test(title)) kind = 'CMRT';
  else if (/\bEMRT\b/.test(declaration?.text('D', 2) ?? '')) kind = 'EMRT';
  else if (/\bCMRT\b/.test(declaration?.text('D', 2) ?? '')) kind = 'CMRT';
  else kind = hasMineList || Number(version.split('.')[0]) < 3 ? 'EMRT' : 'CMRT';
  return { kind, version };
}

// ---------------------------------------------------------------------------------------------
// Reading

function metalOf(text: string | null): Metal | undefined {
  if (text === null) return undefined;
  const parsed = MetalSchema.safeParse(
    text
      .replace(/\(\*\)/g, '')
      .trim()
      .toLowerCase(),
  );
  return parsed.success ? parsed.data : undefined;
}

function templateMetals(kind: TemplateKind): Metal[] {
  return METALS.filter((m) => m.templates.includes(kind)).map((m) => MetalSchema.parse(m.id));
}

function scopeKindOf(scope: string | null): CmrtDeclaration['scopeKind'] {
  const m = scope === null ? null : (/^\s*([ABC])\s*[.)\-:]/i.exec(scope) ?? /^\s*([ABC])\s*$/i.exec(scope));
  if (!m) return null;
  return ({ A: 'company', B: 'product', C: 'user_defined' } as const)[m[1]!.toUpperCase() as 'A' | 'B' | 'C'];
}

function readDeclaration(fileName: string, sheet: SheetReader, identity: TemplateIdentity, warnings: CmrtWarning[]): CmrtDeclaration {
  const layout = layoutFor(identity.kind, identity.version);
  if (!layout) {
    const message = `${identity.kind} ${identity.version} is not a supported template (oretrace reads CMRT 6.x and EMRT 2.x)`;
    throw new UnprocessableError(`${fileName}: ${message}`, [{ path: fileName, message }]);
  }
  // The labels must be where this layout expects them; otherwise the answers would be misread.
  const fixedMetals: readonly Metal[] = 'fixed' in layout.metalRows ? layout.metalRows.fixed : [];
  const labelRows = [
    ...layout.labelRows,
    ...layout.metalQuestions.map((q) => q.headerRow),
    ...layout.companyQuestions.map((q) => q.row),
    ...layout.metalQuestions.flatMap((q) => fixedMetals.map((_, i) => q.headerRow + 1 + i)),
  ];
  const missing = labelRows.filter((r) => !sheet.present(LABEL_COLUMN, r));
  if (missing.length > 0) {
    const message = `the Declaration does not have the layout of ${identity.kind} ${identity.version} (no label in ${missing
      .slice(0, 5)
      .map((r) => `${LABEL_COLUMN}${r}`)
      .join(', ')})`;
    throw new UnprocessableError(`${fileName}: ${message}`, [{ path: `${fileName}!${sheet.name}`, message }]);
  }

  const at = (address: string): { text: string | null; ref: CellRef } => {
    const [column, row] = splitAddress(address);
    return { text: sheet.text(column, row), ref: sheet.ref(column, row) };
  };
  const companyName = at(layout.companyName).text;
  const scope = at(layout.scope).text;
  const scopeKind = scopeKindOf(scope);
  if (scope !== null && scopeKind === null) {
    warnings.push({
      code: 'unknown-scope',
      message: `Declaration scope "${scope}" is not A (company), B (product) or C (user defined).`,
      cell: at(layout.scope).ref,
    });
  }
  const [dateColumn, dateRow] = splitAddress(layout.effectiveDate);
  const date = parseDeclarationDate(sheet.scalar(dateColumn, dateRow), sheet.date1904);
  if (date.problem === 'ambiguous') {
    warnings.push({
      code: 'ambiguous-date',
      message: `Effective date "${date.raw}" could be day/month or month/day; write it as YYYY-MM-DD or DD-Mon-YYYY.`,
      cell: sheet.ref(dateColumn, dateRow),
    });
  } else if (date.problem === 'unreadable') {
    warnings.push({
      code: 'unreadable-date',
      message: `Effective date "${date.raw}" is not a date.`,
      cell: sheet.ref(dateColumn, dateRow),
    });
  }

  const metalsInScope: Metal[] = [];
  for (const address of layout.metalsInScope) {
    const metal = metalOf(at(address).text);
    if (metal && !metalsInScope.includes(metal)) metalsInScope.push(metal);
  }

  const answer = (row: number): { answer: string | null; raw: string | null; comment: string | null; cell: CellRef } => {
    const raw = sheet.text(ANSWER_COLUMN, row, true);
    return { answer: normalizeAnswer(raw), raw, comment: sheet.text(COMMENT_COLUMN, row), cell: sheet.ref(ANSWER_COLUMN, row) };
  };
  /** The metal rows under a question: fixed (CMRT) or named by the label (EMRT). */
  const metalRowsUnder = (headerRow: number): Array<{ metal: Metal; row: number }> => {
    if ('fixed' in layout.metalRows) return layout.metalRows.fixed.map((metal, i) => ({ metal, row: headerRow + 1 + i }));
    const rows: Array<{ metal: Metal; row: number }> = [];
    for (let i = 1; i <= layout.metalRows.fromLabel; i++) {
      const metal = metalOf(sheet.text(LABEL_COLUMN, headerRow + i));
      if (metal) rows.push({ metal, row: headerRow + i });
    }
    return rows;
  };

  const metalQuestions: CmrtDeclaration['metalQuestions'] = [];
  layout.metalQuestions.forEach((block, i) => {
    for (const { metal, row } of metalRowsUnder(block.headerRow)) metalQuestions.push({ metal, question: i + 1, ...answer(row) });
  });
  const companyQuestions: CmrtDeclaration['companyQuestions'] = [];
  for (const q of layout.companyQuestions) {
    if (q.perMetalRows === undefined) {
      companyQuestions.push({ question: q.letter, ...answer(q.row) });
      continue;
    }
    const overall = answer(q.row);
    if (overall.raw !== null) companyQuestions.push({ question: q.letter, ...overall });
    for (const { metal, row } of metalRowsUnder(q.row)) companyQuestions.push({ question: q.letter, metal, ...answer(row) });
  }

  const blank =
    companyName === null && scope === null && metalQuestions.every((q) => q.raw === null) && companyQuestions.every((q) => q.raw === null);
  return {
    companyName,
    scope,
    scopeKind,
    scopeDescription: at(layout.scopeDescription).text,
    companyId: at(layout.companyId).text,
    companyIdAuthority: at(layout.companyIdAuthority).text,
    address: at(layout.address).text,
    effectiveDate: date.iso,
    effectiveDateRaw: date.raw,
    metalsInScope,
    metalQuestions,
    companyQuestions,
    blank,
  };
}

function rowIsSmelterRow(sheet: SheetReader, row: number): boolean {
  return SMELTER_KEY_COLUMNS.some((c) => sheet.text(c, row) !== null);
}

function tooManySmelterRows(fileName: string, max: number): PayloadTooLargeError {
  const message = `the Smelter List has more than ${max} smelter rows, the limit for one workbook`;
  return new PayloadTooLargeError(`${fileName}: ${message}`, [{ path: `${fileName}!${SHEET.smelterList}`, message }]);
}

function readSmelters(
  sheet: SheetReader,
  kind: TemplateKind,
  maxRows: number,
  fileName: string,
  warnings: CmrtWarning[],
): CmrtSmelterRow[] {
  const covered = new Set<Metal>(templateMetals(kind));
  const rows: CmrtSmelterRow[] = [];
  const last = sheet.ws.rowCount;
  for (let r = SMELTER_LIST_FIRST_ROW; r <= last; r++) {
    if (!rowIsSmelterRow(sheet, r)) continue;
    if (rows.length === maxRows) throw tooManySmelterRows(fileName, maxRows);
    const cells: Record<string, CellRef> = {};
    for (const [field, column] of Object.entries(SMELTER_COLUMNS)) cells[field] = sheet.ref(column, r);
    const get = (field: keyof typeof SMELTER_COLUMNS, keepZero = false): string | null => sheet.text(SMELTER_COLUMNS[field], r, keepZero);

    const metalRaw = get('metal');
    const metal = metalOf(metalRaw) ?? null;
    if (metalRaw === null) {
      warnings.push({ code: 'missing-metal', message: `Smelter List row ${r} has no metal.`, cell: cells.metal });
    } else if (metal === null) {
      warnings.push({
        code: 'unknown-metal',
        message: `Smelter List row ${r}: "${metalRaw}" is not a metal oretrace knows.`,
        cell: cells.metal,
      });
    } else if (!covered.has(metal)) {
      warnings.push({
        code: 'metal-not-in-template',
        message: `Smelter List row ${r}: ${metal} is not a metal of the ${kind}.`,
        cell: cells.metal,
      });
    }

    const smelterIdInput = get('smelterIdInput')?.toUpperCase() ?? null;
    const idInF = get('smelterId')?.toUpperCase() ?? null;
    const smelterId = idInF ?? (smelterIdInput !== null && RMI_SMELTER_ID.test(smelterIdInput) ? smelterIdInput : null);
    if (idInF !== null && smelterIdInput !== null && idInF !== smelterIdInput) {
      warnings.push({
        code: 'smelter-id-mismatch',
        message: `Smelter List row ${r}: the id typed in column A (${smelterIdInput}) is not the id in column F (${idInF}).`,
        cell: cells.smelterId,
      });
    }
    if (smelterId !== null && !RMI_SMELTER_ID.test(smelterId)) {
      warnings.push({
        code: 'malformed-smelter-id',
        message: `Smelter List row ${r}: "${smelterId}" is not an RMI smelter id (CID and 6 digits).`,
        cell: cells.smelterId,
      });
    }

    const countryRaw = get('country');
    const countryCode = countryRaw === null ? null : (cmrtCountryToAlpha2(countryRaw) ?? countryNameToAlpha2(countryRaw) ?? null);
    if (countryRaw !== null && countryCode === null) {
      warnings.push({
        code: 'unknown-country',
        message: `Smelter List row ${r}: country "${countryRaw}" is not a country oretrace knows.`,
        cell: cells.country,
      });
    }

    const mineLocationsRaw = get('mineLocations', true);
    const mineLocations = parseMineLocations(mineLocationsRaw);
    if (mineLocations.unread.length > 0) {
      warnings.push({
        code: 'mine-locations-unread',
        message: `Smelter List row ${r}: could not read ${mineLocations.unread.map((u) => `"${u}"`).join(', ')} in the mine locations.`,
        cell: cells.mineLocations,
      });
    }

    const recycledRaw = get('recycledOrScrap');
    const recycledAnswer = normalizeAnswer(recycledRaw);
    let recycledOrScrap: CmrtSmelterRow['recycledOrScrap'] = null;
    if (recycledAnswer === 'yes' || recycledAnswer === 'no' || recycledAnswer === 'unknown') recycledOrScrap = recycledAnswer;
    else if (recycledRaw !== null) {
      warnings.push({
        code: 'unknown-recycled-answer',
        message: `Smelter List row ${r}: "${recycledRaw}" is not Yes, No or Unknown.`,
        cell: cells.recycledOrScrap,
      });
    }

    const smelterLookupName = get('smelterLookupName');
    const lookupKey = normalizeAnswer(smelterLookupName);
    const rowKind: CmrtSmelterRow['kind'] =
      lookupKey === 'smelter not listed' ? 'not_listed' : lookupKey === 'smelter not yet identified' ? 'not_yet_identified' : 'listed';

    rows.push({
      row: r,
      metal,
      metalRaw,
      smelterIdInput,
      smelterLookupName,
      smelterName: get('smelterName'),
      countryRaw,
      countryCode,
      smelterId,
      sourceOfId: get('sourceOfId'),
      street: get('street'),
      city: get('city'),
      stateProvince: get('stateProvince'),
      nextSteps: get('nextSteps'),
      mineNames: get('mineNames'),
      mineLocationsRaw,
      mineLocations,
      recycledOrScrap,
      comments: get('comments'),
      kind: rowKind,
      cells,
    });
  }
  return rows;
}

/** Product List: header on row 5, data from row 6; CMRT B–D, EMRT B–F (with the requester's number and name). */
function readProducts(sheet: SheetReader, kind: TemplateKind): CmrtProductRow[] {
  const products: CmrtProductRow[] = [];
  for (let r = 6; r <= sheet.ws.rowCount; r++) {
    const productNumber = sheet.text('B', r);
    const productName = sheet.text('C', r);
    // The template's copyright line sits in column B below the list.
    if (productNumber?.startsWith('©')) continue;
    const requesterProductNumber = kind === 'EMRT' ? sheet.text('D', r) : null;
    const requesterProductName = kind === 'EMRT' ? sheet.text('E', r) : null;
    if (productNumber === null && productName === null && requesterProductNumber === null && requesterProductName === null) continue;
    products.push({
      row: r,
      productNumber,
      productName,
      requesterProductNumber,
      requesterProductName,
      comments: sheet.text(kind === 'EMRT' ? 'F' : 'D', r),
    });
  }
  return products;
}

/**
 * Counts the smelter rows of the Smelter List by streaming its XML, and throws
 * PayloadTooLargeError as soon as there are more than `max`, before exceljs loads the workbook.
 */
async function checkSmelterRowCount(pkg: XlsxPackage, part: string, max: number): Promise<{ count: number; lastRow: number }> {
  const blank = await pkg.sharedStringBlankness();
  let count = 0;
  let lastRow = 0;
  await pkg.scanRows(part, (row, cells) => {
    if (row < SMELTER_LIST_FIRST_ROW) return true;
    if (cells.some((c) => SMELTER_KEY_COLUMNS.includes(c.column) && !rawCellIsBlank(c, blank))) {
      count++;
      lastRow = row;
    }
    return count <= max;
  });
  if (count > max) throw tooManySmelterRows(pkg.fileName, max);
  return { count, lastRow };
}

/**
 * Reads a CMRT/EMRT workbook. Throws ValidationError (not an .xlsx / damaged),
 * PayloadTooLargeError (over the limits, decompression bomb, too many smelter rows) or
 * UnprocessableError (an Excel workbook that is not a CMRT/EMRT of a supported version).
 */
export async function readCmrtWorkbook(bytes: Buffer | Uint8Array, options: ReadCmrtOptions): Promise<CmrtDocument> {
  const { fileName } = options;
  const maxSmelterRows = options.maxSmelterRows ?? DEFAULT_MAX_SMELTER_ROWS;
  const pkg = await openXlsx(bytes, { fileName, ...(options.limits ? { limits: options.limits } : {}) });
  const parts = await pkg.sheetParts();
  for (const required of [SHEET.smelterList, SHEET.declaration]) {
    if (findSheetName(parts.keys(), required) === undefined) throw missingSheet(fileName, required);
  }
  const smelterSheetName = findSheetName(parts.keys(), SHEET.smelterList)!;
  const { lastRow } = await checkSmelterRowCount(pkg, parts.get(smelterSheetName)!, maxSmelterRows);

  // exceljs gets the four sheets read here, and the Smelter List without the template's empty
  // formula rows after the last smelter (rows 1–4 hold the header and the revision).
  const workbook = await loadWorkbook(
    pkg,
    [SHEET.revision, SHEET.declaration, SHEET.smelterList, SHEET.productList],
    new Map([[smelterSheetName, Math.max(lastRow, SMELTER_LIST_FIRST_ROW - 1)]]),
  );
  const date1904 = Boolean(workbook.properties?.date1904);
  const sheet = (name: string): SheetReader | undefined => {
    const ws = workbook.worksheets.find((w) => sheetKey(w.name) === sheetKey(name));
    return ws ? new SheetReader(ws, date1904) : undefined;
  };
  const declarationSheet = sheet(SHEET.declaration);
  const smelterSheet = sheet(SHEET.smelterList);
  if (!smelterSheet) throw missingSheet(fileName, SHEET.smelterList);
  if (!declarationSheet) throw missingSheet(fileName, SHEET.declaration);
  const productSheet = sheet(SHEET.productList);

  const hasMineList = findSheetName(parts.keys(), SHEET.mineList) !== undefined;
  const identity = identifyTemplate(fileName, declarationSheet, smelterSheet, sheet(SHEET.revision), hasMineList);
  const warnings: CmrtWarning[] = [];
  const declaration = readDeclaration(fileName, declarationSheet, identity, warnings);
  const smelters = readSmelters(smelterSheet, identity.kind, maxSmelterRows, fileName, warnings);
  let products: CmrtProductRow[] = [];
  if (productSheet) products = readProducts(productSheet, identity.kind);
  else warnings.push({ code: 'missing-sheet', message: `The workbook has no '${SHEET.productList}' sheet.` });

  return {
    kind: identity.kind,
    templateVersion: identity.version,
    fileName,
    metals: templateMetals(identity.kind),
    declaration,
    smelters,
    products,
    warnings,
  };
}

/**
 * exceljs over a package workbook-guard has checked, given only the sheets named in `sheets`
 * (case-insensitive; the others are left out before exceljs builds them), each cut after its
 * row in `lastRows` (sheet name as in the workbook → last row) if any.
 */
export async function loadWorkbook(
  pkg: XlsxPackage,
  sheets: readonly string[],
  lastRows: ReadonlyMap<string, number> = new Map(),
): Promise<ExcelJS.Workbook> {
  const wanted = new Set(sheets.map(sheetKey));
  const workbook = new ExcelJS.Workbook();
  try {
    const slim = await pkg.withOnlySheets((name) => wanted.has(sheetKey(name)), lastRows);
    // exceljs declares its own Buffer type; the bytes are a Node Buffer.
    const bytes = slim as unknown as Parameters<ExcelJS.Xlsx['load']>[0];
    await workbook.xlsx.load(bytes, { ignoreNodes: IGNORED_XML_NODES });
  } catch (err) {
    const message = `is a damaged workbook (exceljs cannot read it: ${(err as Error).message})`;
    throw new ValidationError(`not an .xlsx file: ${pkg.fileName} ${message}`, [{ path: pkg.fileName, message }]);
  }
  return workbook;
}

/** Groups of smelter rows that list the same smelter id under the same metal (more than one row each). */
export function duplicateSmelterRows(smelters: readonly CmrtSmelterRow[]): Array<{ smelterId: string; metal: Metal; rows: number[] }> {
  const groups = new Map<string, { smelterId: string; metal: Metal; rows: number[] }>();
  for (const s of smelters) {
    if (s.smelterId === null || s.metal === null) continue;
    const key = `${s.metal}\u0000${s.smelterId}`;
    const group = groups.get(key) ?? { smelterId: s.smelterId, metal: s.metal, rows: [] };
    group.rows.push(s.row);
    groups.set(key, group);
  }
  return [...groups.values()].filter((g) => g.rows.length > 1);
}
