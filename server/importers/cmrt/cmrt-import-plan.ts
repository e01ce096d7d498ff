/**
 * From parsed declarations to one graph write and one report per file. Pure: everything it needs
 * from the store comes in `CmrtImportContext`, so the rules are tested without a database and the
 * service (cmrt-import.ts) only gathers the context, calls this, and writes the result in one
 * all-or-nothing import.
 *
 * What a declaration becomes (the model in graph/model.ts; README, "The API in brief"):
 * - `(:Smelter)-[:SUPPLIES {metal}]->(:Company)` for every listed smelter row, the company being the
 *   declarant; no share (a CMRT says which smelters, not how much), so the store splits evenly.
 * - `(:Country)-[:SUPPLIES {metal}]->(:Smelter)` for every country the row's "Location (Country) of
 *   Mine(s)" names; a recycled/scrap mark or "100% recycled? Yes" marks the smelter recycledOrScrap.
 * - Smelters the graph does not hold yet are created from the RMI look-up (resolved) or with a local
 *   id and `identified: false` (unresolved), with LOCATED_IN to their country.
 * Every relationship carries the provenance of its file in `source`.
 */
import { createHash } from 'node:crypto';
import {
  SMELTER_NAME_MAX_LENGTH,
  type Country,
  type GraphNodeInput,
  type Metal,
  type RelationshipInput,
  type Smelter,
} from '../../../graph/model.js';
import { smelterNameKey } from '../smelter-names.js';
import type { SmelterClaim, SmelterResolution } from '../smelter-resolution.js';
import type { CellRef, CmrtDocument, CmrtSmelterRow } from './cmrt-document.js';
import { declarationTopic, type DeclarationTopic } from './declaration-topics.js';

/** What the graph (or the look-up) knows about a smelter id. */
export interface KnownSmelterRecord {
  id: string;
  name: string;
  metal: Metal;
  country: string;
  /** The stored node when the graph holds it; absent for a look-up entry not yet in the graph. */
  node?: Smelter;
  /** Look-up names other than `name`, for creating the node. */
  aliases?: string[];
}

export interface CmrtImportContext {
  resolver: { resolve(claim: SmelterClaim): SmelterResolution };
  /** Graph smelters and look-up smelters by id (graph first). */
  smeltersById: ReadonlyMap<string, KnownSmelterRecord>;
  /** Ids of Country nodes in the graph. */
  countryIds: ReadonlySet<string>;
  /** Reference Country nodes to create when a declaration names a country the graph lacks. */
  referenceCountries: ReadonlyMap<string, Country>;
  /** Dodd-Frank 1502 covered countries (ISO alpha-2). */
  coveredCountries: ReadonlySet<string>;
  /** Countries that count as CAHRA (the graph's `cahra` flag, else the reference lists). */
  cahraCountries: ReadonlySet<string>;
  /** Companies the graph holds. A declarant not among them is created from `newCompanies`. */
  companyIds: ReadonlySet<string>;
  newCompanies: ReadonlyMap<string, { name: string; country: string }>;
  /** ISO timestamp of this import, written into the provenance. */
  importedAt: string;
}

export interface CmrtImportFile {
  document: CmrtDocument;
  /** The declaring company: the buyer of every smelter the file lists. */
  companyId: string;
}

export interface ImportWarning {
  code: string;
  message: string;
  file: string;
  sheet?: string | undefined;
  row?: number | undefined;
  column?: string | undefined;
}

export type SmelterRowStatus = 'resolved_by_id' | 'resolved_by_name' | 'unresolved' | 'not_listed' | 'not_yet_identified' | 'skipped';

export interface ImportedSmelterRow {
  row: number;
  metal: Metal | null;
  name: string | null;
  /** The id written (an RMI id, or a local id for an unresolved smelter); null when not written. */
  smelterId: string | null;
  status: SmelterRowStatus;
  confidence: number;
  duplicate: boolean;
  candidates: Array<{ smelterId: string; name: string; score: number }>;
}

export interface CmrtFileReport {
  file: string;
  templateKind: CmrtDocument['kind'];
  templateVersion: string;
  company: string;
  declaration: {
    companyName: string | null;
    scope: string | null;
    effectiveDate: string | null;
    blank: boolean;
  };
  rowsRead: number;
  /** Distinct smelters written per metal. */
  smeltersByMetal: Partial<Record<Metal, number>>;
  resolution: { byId: number; byName: number; unresolved: number; notListed: number; notYetIdentified: number };
  /** Rows that repeat a (smelter, metal) listed on an earlier row of the same file. */
  duplicates: number;
  /** Distinct (smelter, metal) pairs listed more than once. */
  duplicateSmelters: number;
  smelters: ImportedSmelterRow[];
  warnings: ImportWarning[];
}

export interface CmrtImportPlan {
  nodes: GraphNodeInput[];
  relationships: RelationshipInput[];
  reports: CmrtFileReport[];
}

const MAX_CANDIDATES_REPORTED = 3;

/**
 * The names of a smelter row that are matched and may be recorded: a name longer than a smelter
 * name may be (SMELTER_NAME_MAX_LENGTH, as the API refuses it) is set aside, and the row goes on
 * with its id or its other name. One over-long cell costs its row that name, not the whole file.
 */
function matchableNames(row: CmrtSmelterRow): { smelterName: string | null; lookupName: string | null } {
  const fits = (name: string | null): string | null => (name !== null && isOverLong(name) ? null : name);
  return { smelterName: fits(row.smelterName), lookupName: fits(row.smelterLookupName) };
}

function isOverLong(name: string): boolean {
  return name.trim().length > SMELTER_NAME_MAX_LENGTH;
}

/** A name as the report shows it: an over-long one cut at the cap, with an ellipsis. */
function reportedName(name: string | null): string | null {
  return name !== null && isOverLong(name) ? `${name.trim().slice(0, SMELTER_NAME_MAX_LENGTH)}…` : name;
}

/** What a listed smelter row claims, as the plan asks the resolver (the import matches these beforehand, off the event loop). */
export function smelterClaimOf(row: CmrtSmelterRow, metal: Metal): SmelterClaim {
  const { smelterName, lookupName } = matchableNames(row);
  return {
    metal,
    smelterId: row.smelterId ?? row.smelterIdInput,
    name: smelterName ?? lookupName,
    lookupName,
    countryCode: row.countryCode,
  };
}

/** A stable local id for a smelter no RMI id matched, so re-importing the same name reuses it. */
export function localSmelterId(metal: Metal, name: string, country: string): string {
  const digest = createHash('sha256')
    .update(`${metal}\u0000${smelterNameKey(name)}\u0000${country}`)
    .digest('hex');
  return `LOCAL-${metal.toUpperCase()}-${digest.slice(0, 12)}`;
}

/** The provenance string of one file, as stored on its relationships' `source`. */
export function provenanceOf(document: CmrtDocument, importedAt: string): string {
  const parts = [
    `${document.kind} ${document.templateVersion}`,
    `file=${document.fileName}`,
    `effective=${document.declaration.effectiveDate ?? 'unknown'}`,
    `scope=${document.declaration.scopeKind ?? 'unknown'}`,
    `imported=${importedAt}`,
  ];
  return parts.join('; ').slice(0, 1000);
}

function cellOf(row: CmrtSmelterRow, field: string): Partial<Pick<ImportWarning, 'sheet' | 'row' | 'column'>> {
  const cell = row.cells[field];
  return cell ? { sheet: cell.sheet, row: cell.row, column: cell.column } : { row: row.row };
}

function at(cell: CellRef | undefined): Partial<Pick<ImportWarning, 'sheet' | 'row' | 'column'>> {
  return cell ? { sheet: cell.sheet, row: cell.row, column: cell.column } : {};
}

/** Answer of a per-metal question by topic: 'yes' | 'no' | … | null. */
function answerOf(document: CmrtDocument, metal: Metal, topic: DeclarationTopic): { answer: string | null; cell?: CellRef } {
  for (const q of document.declaration.metalQuestions) {
    if (q.metal === metal && declarationTopic(document.kind, q.question) === topic) return { answer: q.answer, cell: q.cell };
  }
  return { answer: null };
}

interface SmelterClaimSeen {
  file: string;
  row: number;
  country: string | null;
  recycled: 'yes' | 'no' | 'unknown' | null;
}

type Where = Partial<Pick<ImportWarning, 'sheet' | 'row' | 'column'>>;

/** What the whole batch writes: nodes and relationships once each, and every file's claims per smelter. */
class CmrtBatch {
  readonly nodes = new Map<string, GraphNodeInput>();
  private readonly relationships = new Map<string, RelationshipInput>();
  /** Claims per smelter id across every file of the batch, for cross-file contradictions. */
  readonly claimsBySmelter = new Map<string, SmelterClaimSeen[]>();

  constructor(readonly context: CmrtImportContext) {}

  addRelationship(r: RelationshipInput): void {
    const key = `${r.type}\u0000${r.from}\u0000${r.to}\u0000${r.type === 'SUPPLIES' ? r.metal : ''}`;
    if (!this.relationships.has(key)) this.relationships.set(key, r);
  }

  /** True when the graph or the batch holds the country, or the reference data gives it (then the batch creates it). */
  ensureCountry(code: string): boolean {
    if (this.context.countryIds.has(code) || this.nodes.has(code)) return true;
    const country = this.context.referenceCountries.get(code);
    if (!country) return false;
    this.nodes.set(code, country);
    return true;
  }

  /** A node and its LOCATED_IN (when its country is known). */
  addLocatedNode(node: GraphNodeInput & { country: string }): void {
    this.nodes.set(node.id, node);
    if (this.ensureCountry(node.country)) this.addRelationship({ type: 'LOCATED_IN', from: node.id, to: node.country });
  }

  /** The declaring company, created from context.newCompanies when neither the graph nor the batch has it. */
  ensureDeclarant(companyId: string): void {
    if (this.context.companyIds.has(companyId) || this.nodes.has(companyId)) return;
    const fresh = this.context.newCompanies.get(companyId);
    if (!fresh) throw new Error(`planCmrtImport: company ${companyId} is neither in the graph nor given as new`);
    this.addLocatedNode({ label: 'Company', id: companyId, name: fresh.name, country: fresh.country });
  }

  claim(smelterId: string, seen: SmelterClaimSeen): void {
    const claims = this.claimsBySmelter.get(smelterId) ?? [];
    claims.push(seen);
    this.claimsBySmelter.set(smelterId, claims);
  }

  plan(reports: CmrtFileReport[]): CmrtImportPlan {
    return { nodes: [...this.nodes.values()], relationships: [...this.relationships.values()], reports };
  }
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key) ?? [];
  list.push(value);
  map.set(key, list);
}

/** The smelter a listed row names, once resolved: its id and what is known of it, or why the row is skipped. */
type RowSmelter =
  | { skip: true; confidence: number; candidates: ImportedSmelterRow['candidates'] }
  | {
      skip: false;
      smelterId: string;
      status: SmelterRowStatus;
      known: KnownSmelterRecord | undefined;
      result: SmelterResolution;
      candidates: ImportedSmelterRow['candidates'];
    };

/** One file of the batch: its rows resolved and written, its declaration checked, its report. */
class CmrtFilePlan {
  private readonly file: string;
  private readonly source: string;
  private readonly warnings: ImportWarning[];
  private readonly smelterRows: ImportedSmelterRow[] = [];
  private readonly resolution = { byId: 0, byName: 0, unresolved: 0, notListed: 0, notYetIdentified: 0 };
  private readonly writtenByMetal = new Map<Metal, Set<string>>();
  private readonly seenInFile = new Set<string>();
  private readonly duplicatedKeys = new Set<string>();
  private duplicates = 0;
  /** Rows per metal with their final smelter, for the declaration checks. */
  private readonly listedByMetal = new Map<Metal, Array<{ row: CmrtSmelterRow; smelterId: string; country: string }>>();
  private readonly unidentifiedByMetal = new Map<Metal, CmrtSmelterRow[]>();

  constructor(
    private readonly batch: CmrtBatch,
    private readonly document: CmrtDocument,
    private readonly companyId: string,
  ) {
    this.file = document.fileName;
    this.warnings = document.warnings.map((w) => ({ code: w.code, message: w.message, file: this.file, ...at(w.cell) }));
    this.source = provenanceOf(document, batch.context.importedAt);
  }

  private warn(code: string, message: string, where: Where = {}): void {
    this.warnings.push({ code, message, file: this.file, ...where });
  }

  planFile(): CmrtFileReport {
    this.batch.ensureDeclarant(this.companyId);
    this.checkDeclarationFields();
    for (const row of this.document.smelters) this.importRow(row);
    for (const metal of this.document.metals) this.checkDeclarationAgainstList(metal);
    return this.report();
  }

  /** A blank Declaration, or one with answers but without its mandatory fields. */
  private checkDeclarationFields(): void {
    const declaration = this.document.declaration;
    if (declaration.blank) {
      this.warn(
        'blank-declaration',
        'The Declaration sheet is blank: no company name, scope or answers; only the smelter list is imported.',
        {
          sheet: 'Declaration',
        },
      );
      return;
    }
    const missing = [
      ...(declaration.companyName ? [] : ['company name']),
      ...(declaration.scope ? [] : ['declaration scope']),
      ...(declaration.effectiveDate ? [] : ['effective date']),
    ];
    if (missing.length > 0) {
      this.warn(
        'declaration-incomplete',
        `The Declaration has answers but no ${missing.join(', no ')}: mandatory fields of the template.`,
        { sheet: 'Declaration' },
      );
    }
  }

  private importRow(row: CmrtSmelterRow): void {
    const base = {
      row: row.row,
      metal: row.metal,
      name: reportedName(row.smelterName ?? row.smelterLookupName),
      duplicate: false,
      candidates: [],
    };
    if (row.kind !== 'listed') {
      const status = row.kind;
      if (status === 'not_listed') this.resolution.notListed += 1;
      else this.resolution.notYetIdentified += 1;
      if (row.metal) pushTo(this.unidentifiedByMetal, row.metal, row);
      this.smelterRows.push({ ...base, smelterId: null, status, confidence: 0 });
      return;
    }
    if (!row.metal) {
      this.warn(
        'missing-metal',
        `Row ${row.row} names a smelter but no metal it recognises ("${row.metalRaw ?? ''}"); row skipped.`,
        cellOf(row, 'metal'),
      );
      this.smelterRows.push({ ...base, smelterId: null, status: 'skipped', confidence: 0 });
      return;
    }
    const metal = row.metal;
    const names = matchableNames(row);
    const claimedName = names.smelterName ?? names.lookupName;
    const found = this.rowSmelter(row, metal, claimedName);
    if (found.skip) {
      this.smelterRows.push({ ...base, smelterId: null, status: 'skipped', confidence: found.confidence, candidates: found.candidates });
      return;
    }
    const { smelterId, status, known, result, candidates } = found;
    this.countResolution(row, metal, claimedName, smelterId, status, candidates);
    const duplicate = this.checkDuplicate(row, metal, smelterId);
    this.smelterRows.push({ ...base, smelterId, status, confidence: result.confidence, duplicate, candidates });
    this.writeListedRow(row, metal, smelterId, known);
  }

  /** Warnings for the row's names too long to match or record. */
  private warnOverLongNames(row: CmrtSmelterRow): void {
    for (const field of ['smelterName', 'smelterLookupName'] as const) {
      const name = row[field];
      if (name === null || !isOverLong(name)) continue;
      const cell = row.cells[field];
      this.warn(
        'smelter-name-too-long',
        `Row ${row.row}: the smelter name${cell ? ` in ${cell.column}${cell.row}` : ''} is ${name.trim().length} characters long, ` +
          `more than the ${SMELTER_NAME_MAX_LENGTH} a smelter name may have ("${name.trim().slice(0, 40)}…"); ` +
          'it is neither matched nor recorded.',
        cellOf(row, field),
      );
    }
  }

  private metalMismatch(row: CmrtSmelterRow, metal: Metal, smelter: KnownSmelterRecord): void {
    this.warn(
      'metal-mismatch',
      `Row ${row.row}: ${smelter.id} (${smelter.name}) processes ${smelter.metal}, but it is listed under ${metal}; row not imported.`,
      cellOf(row, 'metal'),
    );
  }

  /** Resolve the row to a smelter: a known one (graph or look-up), or a local one for an unresolved name with a country. */
  private rowSmelter(row: CmrtSmelterRow, metal: Metal, claimedName: string | null): RowSmelter {
    const { context } = this.batch;
    // An RMI id belongs to one metal: a row that lists it under another metal is a mistake in
    // the file (the resolver would look for another smelter by name), so it is reported, not written.
    const claimedId = (row.smelterId ?? row.smelterIdInput ?? '').trim().toUpperCase();
    const byClaimedId = claimedId ? context.smeltersById.get(claimedId) : undefined;
    if (byClaimedId && byClaimedId.metal !== metal) {
      this.metalMismatch(row, metal, byClaimedId);
      return { skip: true, confidence: 0, candidates: [] };
    }
    this.warnOverLongNames(row);
    const result = context.resolver.resolve(smelterClaimOf(row, metal));
    const candidates = result.candidates
      .slice(0, MAX_CANDIDATES_REPORTED)
      .map((c) => ({ smelterId: c.smelterId, name: c.name, score: c.score }));
    const known = result.smelterId ? context.smeltersById.get(result.smelterId) : undefined;
    if (result.idMismatch) {
      this.warn(
        'id-name-mismatch',
        `Row ${row.row}: smelter id ${result.idMismatch.claimedId} is "${result.idMismatch.referenceName}" in the RMI look-up, ` +
          `but the row names "${result.idMismatch.claimedName}".`,
        cellOf(row, 'smelterId'),
      );
    }
    if (known && known.metal !== metal) {
      this.metalMismatch(row, metal, known);
      return { skip: true, confidence: result.confidence, candidates };
    }
    if (known) {
      this.ensureKnownSmelter(row, known);
      // Matched a smelter an earlier import created with a local id: still not an RMI smelter.
      const status = known.node?.identified === false ? 'unresolved' : result.status;
      return { skip: false, smelterId: known.id, status, known, result, candidates };
    }
    const country = row.countryCode;
    if (!claimedName || !country) {
      this.warn(
        'unresolved-smelter-skipped',
        `Row ${row.row}: no RMI smelter matches "${claimedName ?? ''}" ` +
          `and the row lacks a ${claimedName ? 'readable country' : 'name'}, so it cannot be recorded.`,
        cellOf(row, claimedName ? 'country' : 'smelterName'),
      );
      this.resolution.unresolved += 1;
      return { skip: true, confidence: 0, candidates };
    }
    const smelterId = localSmelterId(metal, claimedName, country);
    const local = context.smeltersById.get(smelterId);
    if (!local && !this.batch.nodes.has(smelterId)) {
      this.batch.addLocatedNode({
        label: 'Smelter',
        id: smelterId,
        name: claimedName,
        metal,
        country,
        rmapStatus: 'unknown',
        identified: false,
      });
    }
    return { skip: false, smelterId, status: 'unresolved', known: local, result, candidates };
  }

  /** A look-up smelter the graph lacks is created; a row placing it in another country is warned about. */
  private ensureKnownSmelter(row: CmrtSmelterRow, known: KnownSmelterRecord): void {
    if (!known.node && !this.batch.nodes.has(known.id)) {
      this.batch.addLocatedNode({
        label: 'Smelter',
        id: known.id,
        name: known.name,
        aliases: known.aliases ?? [],
        metal: known.metal,
        country: known.country,
        rmapStatus: 'unknown',
      });
    }
    if (row.countryCode && row.countryCode !== known.country) {
      this.warn(
        'smelter-country-mismatch',
        `Row ${row.row}: ${known.id} (${known.name}) is in ${known.country}, but the row says ${row.countryRaw ?? row.countryCode}.`,
        cellOf(row, 'country'),
      );
    }
  }

  private countResolution(
    row: CmrtSmelterRow,
    metal: Metal,
    claimedName: string | null,
    smelterId: string,
    status: SmelterRowStatus,
    candidates: ImportedSmelterRow['candidates'],
  ): void {
    if (status === 'resolved_by_id') this.resolution.byId += 1;
    else if (status === 'resolved_by_name') this.resolution.byName += 1;
    else this.resolution.unresolved += 1;
    if (status === 'unresolved') {
      this.warn(
        'unresolved-smelter',
        `Row ${row.row}: "${claimedName}" (${metal}) matches no RMI smelter; recorded as ${smelterId}` +
          `${candidates.length ? `; closest: ${candidates.map((c) => `${c.smelterId} ${c.name}`).join(', ')}` : ''}.`,
        cellOf(row, 'smelterName'),
      );
    }
  }

  /** Whether an earlier row of this file listed the same (smelter, metal); warned and counted. */
  private checkDuplicate(row: CmrtSmelterRow, metal: Metal, smelterId: string): boolean {
    const duplicateKey = `${smelterId}\u0000${metal}`;
    const duplicate = this.seenInFile.has(duplicateKey);
    this.seenInFile.add(duplicateKey);
    if (duplicate) {
      this.duplicates += 1;
      this.duplicatedKeys.add(duplicateKey);
      this.warn(
        'duplicate-smelter',
        `Row ${row.row} repeats ${smelterId} for ${metal}, listed on an earlier row.`,
        cellOf(row, 'smelterId'),
      );
    }
    return duplicate;
  }

  /** The row's SUPPLIES (smelter → declarant, mine countries → smelter), its recycled flag and its claims. */
  private writeListedRow(row: CmrtSmelterRow, metal: Metal, smelterId: string, known: KnownSmelterRecord | undefined): void {
    const { batch, source } = this;
    const written = this.writtenByMetal.get(metal) ?? new Set<string>();
    written.add(smelterId);
    this.writtenByMetal.set(metal, written);
    pushTo(this.listedByMetal, metal, { row, smelterId, country: known?.country ?? row.countryCode! });

    batch.addRelationship({ type: 'SUPPLIES', from: smelterId, to: this.companyId, metal, source });
    for (const origin of row.mineLocations.countries) {
      if (batch.ensureCountry(origin)) batch.addRelationship({ type: 'SUPPLIES', from: origin, to: smelterId, metal, source });
      else this.warn('unknown-country', `Row ${row.row}: mine country ${origin} is not a known country.`, cellOf(row, 'mineLocations'));
    }
    // Text of the mine locations it could not read is already among the reader's warnings.
    const recycled = row.recycledOrScrap === 'yes' || (row.mineLocations.recycled && row.mineLocations.countries.length === 0);
    if (recycled) {
      const current = batch.nodes.get(smelterId) ?? known?.node;
      if (current && current.label === 'Smelter' && current.recycledOrScrap !== true)
        batch.nodes.set(smelterId, { ...current, recycledOrScrap: true });
    }
    batch.claim(smelterId, { file: this.file, row: row.row, country: row.countryCode, recycled: row.recycledOrScrap });
  }

  /** The declaration's answers for one metal against the smelter list. */
  private checkDeclarationAgainstList(metal: Metal): void {
    const { document } = this;
    const listed = this.listedByMetal.get(metal) ?? [];
    const used = answerOf(document, metal, 'intentionally_added');
    if (used.answer === 'yes' && listed.length === 0) {
      this.warn(
        'metal-used-without-smelters',
        `The declaration says ${metal} is used, but the smelter list names no ${metal} smelter.`,
        at(used.cell),
      );
    }
    const identified = answerOf(document, metal, 'all_smelters_identified');
    const unidentified = this.unidentifiedByMetal.get(metal) ?? [];
    if (identified.answer === 'yes' && unidentified.length > 0) {
      this.warn(
        'all-identified-contradicted',
        `The declaration says all ${metal} smelters are identified, but ${unidentified.length} row(s) ` +
          `say "Smelter not yet identified" or "Smelter not listed" (first: row ${unidentified[0]!.row}).`,
        at(identified.cell),
      );
    }
    this.checkSourcingDenials(metal, listed);
    const allRecycled = answerOf(document, metal, 'all_recycled_or_scrap');
    if (allRecycled.answer === 'yes') {
      const mined = listed.filter(({ row }) => row.recycledOrScrap === 'no' || row.mineLocations.countries.length > 0);
      if (mined.length > 0) {
        this.warn(
          'all-recycled-contradicted',
          `The declaration says all ${metal} is recycled or scrap, but ${mined.length} row(s) ` +
            `name mines or say "No" to 100% recycled (first: row ${mined[0]!.row.row}).`,
          at(allRecycled.cell),
        );
      }
    }
  }

  /** "No" to sourcing from covered countries or CAHRAs, against listed smelters in or sourcing from them. */
  private checkSourcingDenials(metal: Metal, listed: ReadonlyArray<{ row: CmrtSmelterRow; smelterId: string; country: string }>): void {
    const { context } = this.batch;
    for (const [topic, set, what] of [
      ['covered_countries', context.coveredCountries, 'a Dodd-Frank covered country'],
      ['cahra', context.cahraCountries, 'a conflict-affected or high-risk area'],
    ] as const) {
      const answer = answerOf(this.document, metal, topic);
      if (answer.answer !== 'no') continue;
      for (const { row, smelterId, country } of listed) {
        const hits = [country, ...row.mineLocations.countries].filter((c) => set.has(c));
        if (hits.length === 0) continue;
        this.warn(
          `${topic === 'cahra' ? 'cahra' : 'covered-country'}-sourcing-denied`,
          `The declaration says no ${metal} smelter sources from ${what}, ` +
            `but row ${row.row} (${smelterId}) is in or sources from ${[...new Set(hits)].join(', ')}.`,
          at(answer.cell),
        );
      }
    }
  }

  private report(): CmrtFileReport {
    const { document } = this;
    const smeltersByMetal: Partial<Record<Metal, number>> = {};
    for (const [metal, ids] of this.writtenByMetal) smeltersByMetal[metal] = ids.size;
    return {
      file: this.file,
      templateKind: document.kind,
      templateVersion: document.templateVersion,
      company: this.companyId,
      declaration: {
        companyName: document.declaration.companyName,
        scope: document.declaration.scope,
        effectiveDate: document.declaration.effectiveDate,
        blank: document.declaration.blank,
      },
      rowsRead: document.smelters.length,
      smeltersByMetal,
      resolution: this.resolution,
      duplicates: this.duplicates,
      duplicateSmelters: this.duplicatedKeys.size,
      smelters: this.smelterRows,
      warnings: this.warnings,
    };
  }
}

export function planCmrtImport(files: readonly CmrtImportFile[], context: CmrtImportContext): CmrtImportPlan {
  const batch = new CmrtBatch(context);
  const reports = files.map(({ document, companyId }) => new CmrtFilePlan(batch, document, companyId).planFile());
  warnCrossFileContradictions(batch, reports);
  return batch.plan(reports);
}

/** Suppliers that contradict each other (or what the graph already says) about one smelter. */
function warnCrossFileContradictions(batch: CmrtBatch, reports: readonly CmrtFileReport[]): void {
  for (const [smelterId, claims] of batch.claimsBySmelter) {
    const known = batch.context.smeltersById.get(smelterId);
    const countries = new Set(claims.map((c) => c.country).filter((c): c is string => c !== null));
    if (countries.size > 1) {
      const first = claims[0]!;
      const report = reports.find((r) => r.file === first.file)!;
      report.warnings.push({
        code: 'cross-file-contradiction',
        file: first.file,
        row: first.row,
        message: `Declarations disagree on the country of ${smelterId}: ${claims
          .filter((c) => c.country)
          .map((c) => `${c.country} (${c.file} row ${c.row})`)
          .join(', ')}.`,
      });
    }
    const recycledAnswers = new Set(claims.map((c) => c.recycled).filter((r) => r === 'yes' || r === 'no'));
    const graphSaysRecycled = known?.node?.recycledOrScrap === true;
    if (recycledAnswers.size > 1 || (graphSaysRecycled && recycledAnswers.has('no'))) {
      const first = claims.find((c) => c.recycled === 'no') ?? claims[0]!;
      const report = reports.find((r) => r.file === first.file)!;
      report.warnings.push({
        code: 'cross-file-contradiction',
        file: first.file,
        row: first.row,
        message: `Declarations disagree on whether ${smelterId} is 100% recycled: ${[
          ...claims.filter((c) => c.recycled === 'yes' || c.recycled === 'no').map((c) => `${c.recycled} (${c.file} row ${c.row})`),
          ...(graphSaysRecycled ? ['yes (already in the graph)'] : []),
        ].join(', ')}.`,
      });
    }
  }
}
