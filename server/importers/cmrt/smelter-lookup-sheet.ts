/**
 * The "Smelter Look-up" sheet of a CMRT/EMRT template: RMI's list of smelter names and aliases
 * with their ids, shipped inside every template revision. `oretrace reference load TEMPLATE.xlsx`
 * reads it to refresh the reference smelters from a newer template.
 *
 * Layout (every template in test/fixtures/cmrt): header on row 4, data from row 5, columns
 * A metal, B look-up name (an alias or the standard name), C standard name, D country (CMRT
 * upper-case name), E smelter id, F source of the id, G street, H city, I state/province; J and K
 * are helper formulas. Each metal ends with two pseudo rows without an id, "Smelter not listed"
 * and "Smelter not yet identified".
 *
 * Read on the calling thread, unlike CMRT uploads (cmrt-reader-thread.ts): only the CLI reads a
 * template's look-up (`oretrace reference load`), where no request waits on the event loop. A route
 * that took templates would have to read them in the reader thread.
 */
import { MetalSchema } from '../../../graph/model.js';
import { PayloadTooLargeError, UnprocessableError, type FieldProblem } from '../../errors.js';
import { cmrtCountryToAlpha2, type SmelterLookupRow } from '../../seeding/reference-data.js';
import type { TemplateKind } from './cmrt-document.js';
import { findSheetName, identifyTemplate, loadWorkbook, missingSheet, SHEET, SheetReader, sheetKey } from './cmrt-reader.js';
import { countryNameToAlpha2 } from './mine-locations.js';
import { openXlsx, type WorkbookLimits } from './workbook-guard.js';

export const SMELTER_LOOKUP_FIRST_ROW = 5;
/** A look-up has about 660 rows; far more means this is not RMI's list. */
export const MAX_SMELTER_LOOKUP_ROWS = 50_000;

export interface SmelterLookupSheet {
  kind: TemplateKind;
  templateVersion: string;
  /** Rows with a smelter id, in sheet order (aliases repeat an id). */
  rows: SmelterLookupRow[];
  /** Rows without an id: "Smelter not listed" / "Smelter not yet identified" for each metal. */
  pseudoRows: number;
}

/**
 * Reads the Smelter Look-up of a template. Throws ValidationError / PayloadTooLargeError as
 * readCmrtWorkbook does for a file that is not a safe .xlsx, and UnprocessableError when the
 * workbook has no look-up sheet or a row has an unknown metal, an unknown country or no name
 * (reference data is all or nothing; the error names every bad cell, up to 20).
 */
export async function readSmelterLookupSheet(
  bytes: Buffer | Uint8Array,
  options: { fileName: string; limits?: Partial<WorkbookLimits> },
): Promise<SmelterLookupSheet> {
  const { fileName } = options;
  const pkg = await openXlsx(bytes, { fileName, ...(options.limits ? { limits: options.limits } : {}) });
  if (findSheetName((await pkg.sheetParts()).keys(), SHEET.smelterLookup) === undefined) {
    throw missingSheet(fileName, SHEET.smelterLookup);
  }
  // The Smelter List is not loaded: the Declaration or the Revision sheet give the version.
  const workbook = await loadWorkbook(pkg, [SHEET.revision, SHEET.declaration, SHEET.smelterLookup]);
  const date1904 = Boolean(workbook.properties?.date1904);
  const sheet = (name: string): SheetReader | undefined => {
    const ws = workbook.worksheets.find((w) => sheetKey(w.name) === sheetKey(name));
    return ws ? new SheetReader(ws, date1904) : undefined;
  };
  const lookup = sheet(SHEET.smelterLookup)!;
  const hasMineList = findSheetName((await pkg.sheetParts()).keys(), SHEET.mineList) !== undefined;
  const identity = identifyTemplate(fileName, sheet(SHEET.declaration), undefined, sheet(SHEET.revision), hasMineList);

  const rows: SmelterLookupRow[] = [];
  const problems: FieldProblem[] = [];
  let pseudoRows = 0;
  const at = (column: string, row: number): string => `${fileName}!${lookup.name}!${column}${row}`;
  for (let r = SMELTER_LOOKUP_FIRST_ROW; r <= lookup.ws.rowCount; r++) {
    const metalRaw = lookup.text('A', r);
    const lookupName = lookup.text('B', r);
    const standardName = lookup.text('C', r);
    const countryRaw = lookup.text('D', r);
    const smelterId = lookup.text('E', r)?.toUpperCase() ?? null;
    if (metalRaw === null && lookupName === null && standardName === null && smelterId === null) continue;
    if (rows.length + pseudoRows >= MAX_SMELTER_LOOKUP_ROWS) {
      const message = `the Smelter Look-up has more than ${MAX_SMELTER_LOOKUP_ROWS} rows`;
      throw new PayloadTooLargeError(`${fileName}: ${message}`, [{ path: fileName, message }]);
    }
    if (smelterId === null) {
      pseudoRows++;
      continue;
    }
    const metal = MetalSchema.safeParse((metalRaw ?? '').toLowerCase());
    if (!metal.success) problems.push({ path: at('A', r), message: `"${metalRaw ?? ''}" is not a metal oretrace knows (${smelterId})` });
    const countryCode = countryRaw === null ? undefined : (cmrtCountryToAlpha2(countryRaw) ?? countryNameToAlpha2(countryRaw));
    if (countryCode === undefined)
      problems.push({ path: at('D', r), message: `country "${countryRaw ?? ''}" of ${smelterId} is not a known country` });
    if (lookupName === null || standardName === null)
      problems.push({ path: at(lookupName === null ? 'B' : 'C', r), message: `${smelterId} has an empty name` });
    if (metal.success && countryCode !== undefined && lookupName !== null && standardName !== null) {
      rows.push({
        metal: metal.data,
        lookupName,
        standardName,
        countryCode,
        smelterId,
        city: lookup.text('H', r) ?? '',
        state: lookup.text('I', r) ?? '',
      });
    }
  }
  if (problems.length > 0) {
    const message = `${problems.length} row(s) of the Smelter Look-up cannot be read`;
    throw new UnprocessableError(`${fileName}: ${message}`, problems.slice(0, 20));
  }
  return { kind: identity.kind, templateVersion: identity.version, rows, pseudoRows };
}
