/**
 * A CMRT or EMRT workbook as read (server/importers/cmrt/cmrt-reader.ts): the Declaration, the
 * Smelter List and the Product List, values normalised but nothing resolved against the graph.
 * The CMRT import (cmrt-import.ts) consumes it. Every value keeps the cell it came from, so that
 * warnings can name sheet, row and column.
 */
import type { Metal } from '../../../graph/model.js';

/** Where a value sits in the workbook, for warnings: sheet name as in the file, 1-based row, column letter. */
export interface CellRef {
  sheet: string;
  row: number;
  column: string;
}

export type TemplateKind = 'CMRT' | 'EMRT';

export interface CmrtDeclaration {
  /** Declaration D8 (CMRT 6.x and EMRT 2.x). */
  companyName: string | null;
  /** Raw text, e.g. "A. Company", "B. Product (or List of Products)". */
  scope: string | null;
  /** From the scope's letter A/B/C. */
  scopeKind: 'company' | 'product' | 'user_defined' | null;
  scopeDescription: string | null;
  /** "Company Unique ID" if present. */
  companyId: string | null;
  /** "Company Unique ID Authority" (e.g. "DUNS", "VAT"), if present. Always set by the reader. */
  companyIdAuthority?: string | null;
  address: string | null;
  /** ISO YYYY-MM-DD; real dates or text dates normalised; null if blank/unreadable. */
  effectiveDate: string | null;
  /** As found, for warnings (a real date is written as its ISO date). */
  effectiveDateRaw: string | null;
  /** EMRT only: the minerals ticked in "Select Minerals/Metals in Scope"; empty for a CMRT. Always set by the reader. */
  metalsInScope?: Metal[];
  /**
   * Per-metal answers to the per-metal questions (CMRT Q1..Q8, EMRT Q1..Q7): `answer` is the text
   * lower-cased with spaces collapsed ('yes', 'no', 'unknown', '100%', 'greater than 90%', …) or
   * null when blank; `raw` as written; `comment` from the Comments column.
   */
  metalQuestions: Array<{
    metal: Metal;
    question: number;
    answer: string | null;
    raw: string | null;
    /** The Comments column (G). Always set by the reader. */
    comment?: string | null;
    cell: CellRef;
  }>;
  /**
   * Company-level questions (CMRT A..H, EMRT A..G): letter, normalised answer, raw, comment, cell.
   * EMRT question C is asked per mineral: one entry per mineral, with `metal` set.
   */
  companyQuestions: Array<{
    question: string;
    metal?: Metal;
    answer: string | null;
    raw: string | null;
    /** The Comments column (G). Always set by the reader. */
    comment?: string | null;
    cell: CellRef;
  }>;
  /** true when company name, scope and every question are blank. */
  blank: boolean;
}

/** Keys of CmrtSmelterRow.cells: the field names below (the country cell is keyed `country`). */
export type CmrtSmelterField =
  | 'smelterIdInput'
  | 'metal'
  | 'smelterLookupName'
  | 'smelterName'
  | 'country'
  | 'smelterId'
  | 'sourceOfId'
  | 'street'
  | 'city'
  | 'stateProvince'
  | 'nextSteps'
  | 'mineNames'
  | 'mineLocations'
  | 'recycledOrScrap'
  | 'comments';

export interface CmrtSmelterRow {
  /** 1-based Excel row on the Smelter List sheet (data starts on row 5). */
  row: number;
  /** null when the cell is blank/unrecognised (a warning). */
  metal: Metal | null;
  metalRaw: string | null;
  /** Column A. */
  smelterIdInput: string | null;
  /** Column C (may be "Smelter not listed" / "Smelter not yet identified"). */
  smelterLookupName: string | null;
  /** Column D. */
  smelterName: string | null;
  /** Column E as written. */
  countryRaw: string | null;
  /** ISO alpha-2 via the CMRT country list (then common names), null if unreadable. */
  countryCode: string | null;
  /**
   * Column F (the identification number, e.g. "CID001070"), trimmed, upper-case. When F is blank
   * (a workbook saved without recalculation) the id typed into column A is used instead.
   */
  smelterId: string | null;
  /** Column G. */
  sourceOfId: string | null;
  /** Columns H, I, J. */
  street: string | null;
  city: string | null;
  stateProvince: string | null;
  /** Column M. */
  nextSteps: string | null;
  /** Column N. */
  mineNames: string | null;
  /** Column O (free text). */
  mineLocationsRaw: string | null;
  /** Column O parsed. */
  mineLocations: MineLocations;
  /** Column P. */
  recycledOrScrap: 'yes' | 'no' | 'unknown' | null;
  /** Column Q. */
  comments: string | null;
  /** 'listed' normal row; 'not_listed' = "Smelter not listed"; 'not_yet_identified' = "Smelter not yet identified". */
  kind: 'listed' | 'not_listed' | 'not_yet_identified';
  /** Cells of this row keyed by field name (CmrtSmelterField: the country cell is `country`), for warnings. */
  cells: Record<string, CellRef>;
}

export interface MineLocations {
  /** ISO alpha-2, distinct, in order of appearance. */
  countries: string[];
  /** "R/S", "Recycled/Scrap", "Ta scrap", "recycled"… */
  recycled: boolean;
  /** Pieces of text neither a country nor a recycled mark nor a known placeholder. */
  unread: string[];
  /** The whole text is a placeholder ("0", "N/A", "Please see RCOI-List", "-", "unknown"). */
  placeholder: boolean;
}

export interface CmrtProductRow {
  row: number;
  /** CMRT "Manufacturer's/Responder's Product Number", EMRT "Responder Product Number". */
  productNumber: string | null;
  productName: string | null;
  /** EMRT only: "Requester Product Number" / "Requester Product Name"; null in a CMRT. Always set by the reader. */
  requesterProductNumber?: string | null;
  requesterProductName?: string | null;
  comments: string | null;
}

export interface CmrtWarning {
  /** Stable, machine-readable: 'unknown-metal', 'unknown-country', 'unreadable-date', … (see cmrt-reader.ts). */
  code: string;
  message: string;
  cell?: CellRef;
}

export interface CmrtDocument {
  kind: TemplateKind;
  /** E.g. "6.4", "6.01", "2.1" (from the Declaration's revision cell, else the Smelter List's, else the Revision sheet). */
  templateVersion: string;
  fileName: string;
  /**
   * Metals this template covers: CMRT = tin, tantalum, tungsten, gold; EMRT 2.x = cobalt, copper,
   * graphite, lithium, mica, nickel (those metals.json knows).
   */
  metals: Metal[];
  declaration: CmrtDeclaration;
  /** Every non-empty data row, in sheet order, duplicates kept. */
  smelters: CmrtSmelterRow[];
  products: CmrtProductRow[];
  /** Reading problems (unreadable dates, unknown metals, unread mine text…). */
  warnings: CmrtWarning[];
}
