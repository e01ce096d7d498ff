/**
 * From parsed declarations to one graph write and one report per file. Pure: everything it needs
 * from the store comes in `CmrtImportContext`, so the rules are tested without a database and the
 * service (cmrt-import.ts) only gathers the context, calls this, and writes the result in one
 * all-or-nothing import.
 *
 * What a declaration becomes (SPEC §1):
 * - `(:Smelter)-[:SUPPLIES {metal}]->(:Company)` for every listed smelter row, the company being the
 *   declarant; no share (a CMRT says which smelters, not how much), so the store splits evenly.
 * - `(:Country)-[:SUPPLIES {metal}]->(:Smelter)` for every country the row's "Location (Country) of
 *   Mine(s)" names; a recycled/scrap mark or "100% recycled? Yes" marks the smelter recycledOrScrap.
 * - Smelters the graph does not hold yet are created from the RMI look-up (resolved) or with a local
 *   id and `identified: false` (unresolved), with LOCATED_IN to their country.
 * Every relationship carries the provenance of its file in `source`.
 */
import { createHash } from 'node:crypto';
import { SMELTER_NAME_MAX_LENGTH, type Country, type GraphNodeInput, type Metal, type RelationshipInput, type Smelter } from '../../../graph/model.js';
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
  return { metal, smelterId: row.smelterId ?? row.smelterIdInput, name: smelterName ?? lookupName, lookupName, countryCode: row.countryCode };
}

/** A stable local id for a smelter no RMI id matched, so re-importing the same name reuses it. */
export function localSmelterId(metal: Metal, name: string, country: string): string {
  const digest = createHash('sha256').update(`${metal}\u0000${smelterNameKey(name)}\u0000${country}`).digest('hex');
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

export function planCmrtImport(files: readonly CmrtImportFile[], context: CmrtImportContext): CmrtImportPlan {
  const nodes = new Map<string, GraphNodeInput>();
  const relationships = new Map<string, RelationshipInput>();
  const addRelationship = (r: RelationshipInput): void => {
    const key = `${r.type}\u0000${r.from}\u0000${r.to}\u0000${r.type === 'SUPPLIES' ? r.metal : ''}`;
    if (!relationships.has(key)) relationships.set(key, r);
  };
  const ensureCountry = (code: string): boolean => {
    if (context.countryIds.has(code) || nodes.has(code)) return true;
    const country = context.referenceCountries.get(code);
    if (!country) return false;
    nodes.set(code, country);
    return true;
  };
  /** Claims per smelter id across every file of the batch, for cross-file contradictions. */
  const claimsBySmelter = new Map<string, SmelterClaimSeen[]>();
  const reports: CmrtFileReport[] = [];

  for (const { document, companyId } of files) {
    const file = document.fileName;
    const warnings: ImportWarning[] = document.warnings.map((w) => ({ code: w.code, message: w.message, file, ...at(w.cell) }));
    const warn = (code: string, message: string, where: Partial<Pick<ImportWarning, 'sheet' | 'row' | 'column'>> = {}): void => {
      warnings.push({ code, message, file, ...where });
    };
    const source = provenanceOf(document, context.importedAt);

    if (!context.companyIds.has(companyId) && !nodes.has(companyId)) {
      const fresh = context.newCompanies.get(companyId);
      if (!fresh) throw new Error(`planCmrtImport: company ${companyId} is neither in the graph nor given as new`);
      nodes.set(companyId, { label: 'Company', id: companyId, name: fresh.name, country: fresh.country });
      if (ensureCountry(fresh.country)) addRelationship({ type: 'LOCATED_IN', from: companyId, to: fresh.country });
    }
    const declaration = document.declaration;
    if (declaration.blank) {
      warn('blank-declaration', 'The Declaration sheet is blank: no company name, scope or answers; only the smelter list is imported.', {
        sheet: 'Declaration',
      });
    } else {
      const missing = [
        ...(declaration.companyName ? [] : ['company name']),
        ...(declaration.scope ? [] : ['declaration scope']),
        ...(declaration.effectiveDate ? [] : ['effective date']),
      ];
      if (missing.length > 0) {
        warn('declaration-incomplete', `The Declaration has answers but no ${missing.join(', no ')}: mandatory fields of the template.`, { sheet: 'Declaration' });
      }
    }

    const smelterRows: ImportedSmelterRow[] = [];
    const resolution = { byId: 0, byName: 0, unresolved: 0, notListed: 0, notYetIdentified: 0 };
    const writtenByMetal = new Map<Metal, Set<string>>();
    const seenInFile = new Set<string>();
    const duplicatedKeys = new Set<string>();
    let duplicates = 0;
    /** Rows per metal with their final smelter, for the declaration checks below. */
    const listedByMetal = new Map<Metal, Array<{ row: CmrtSmelterRow; smelterId: string; country: string }>>();
    const unidentifiedByMetal = new Map<Metal, CmrtSmelterRow[]>();

    for (const row of document.smelters) {
      const base = { row: row.row, metal: row.metal, name: reportedName(row.smelterName ?? row.smelterLookupName), duplicate: false, candidates: [] };
      if (row.kind !== 'listed') {
        const status = row.kind;
        if (status === 'not_listed') resolution.notListed += 1;
        else resolution.notYetIdentified += 1;
        if (row.metal) {
          const list = unidentifiedByMetal.get(row.metal) ?? [];
          list.push(row);
          unidentifiedByMetal.set(row.metal, list);
        }
        smelterRows.push({ ...base, smelterId: null, status, confidence: 0 });
        continue;
      }
      if (!row.metal) {
        warn('missing-metal', `Row ${row.row} names a smelter but no metal it recognises ("${row.metalRaw ?? ''}"); row skipped.`, cellOf(row, 'metal'));
        smelterRows.push({ ...base, smelterId: null, status: 'skipped', confidence: 0 });
        continue;
      }
      const metal = row.metal;
      const names = matchableNames(row);
      const claimedName = names.smelterName ?? names.lookupName;
      // An RMI id belongs to one metal: a row that lists it under another metal is a mistake in
      // the file (the resolver would look for another smelter by name), so it is reported, not written.
      const claimedId = (row.smelterId ?? row.smelterIdInput ?? '').trim().toUpperCase();
      const byClaimedId = claimedId ? context.smeltersById.get(claimedId) : undefined;
      if (byClaimedId && byClaimedId.metal !== metal) {
        warn(
          'metal-mismatch',
          `Row ${row.row}: ${byClaimedId.id} (${byClaimedId.name}) processes ${byClaimedId.metal}, but it is listed under ${metal}; row not imported.`,
          cellOf(row, 'metal'),
        );
        smelterRows.push({ ...base, smelterId: null, status: 'skipped', confidence: 0 });
        continue;
      }
      for (const field of ['smelterName', 'smelterLookupName'] as const) {
        const name = row[field];
        if (name === null || !isOverLong(name)) continue;
        const cell = row.cells[field];
        warn(
          'smelter-name-too-long',
          `Row ${row.row}: the smelter name${cell ? ` in ${cell.column}${cell.row}` : ''} is ${name.trim().length} characters long, more than the ${SMELTER_NAME_MAX_LENGTH} a smelter name may have ("${name.trim().slice(0, 40)}…"); it is neither matched nor recorded.`,
          cellOf(row, field),
        );
      }
      const result = context.resolver.resolve(smelterClaimOf(row, metal));
      const candidates = result.candidates
        .slice(0, MAX_CANDIDATES_REPORTED)
        .map((c) => ({ smelterId: c.smelterId, name: c.name, score: c.score }));

      let smelterId: string | null = null;
      let status: SmelterRowStatus = result.status;
      let known = result.smelterId ? context.smeltersById.get(result.smelterId) : undefined;
      if (result.idMismatch) {
        warn(
          'id-name-mismatch',
          `Row ${row.row}: smelter id ${result.idMismatch.claimedId} is "${result.idMismatch.referenceName}" in the RMI look-up, but the row names "${result.idMismatch.claimedName}".`,
          cellOf(row, 'smelterId'),
        );
      }
      if (known && known.metal !== metal) {
        warn(
          'metal-mismatch',
          `Row ${row.row}: ${known.id} (${known.name}) processes ${known.metal}, but it is listed under ${metal}; row not imported.`,
          cellOf(row, 'metal'),
        );
        smelterRows.push({ ...base, smelterId: null, status: 'skipped', confidence: result.confidence, candidates });
        continue;
      }
      if (known && known.node?.identified === false) {
        // Matched a smelter an earlier import created with a local id: still not an RMI smelter.
        status = 'unresolved';
      }
      if (known) {
        smelterId = known.id;
        if (!known.node && !nodes.has(known.id)) {
          nodes.set(known.id, {
            label: 'Smelter',
            id: known.id,
            name: known.name,
            aliases: known.aliases ?? [],
            metal: known.metal,
            country: known.country,
            rmapStatus: 'unknown',
          });
          if (ensureCountry(known.country)) addRelationship({ type: 'LOCATED_IN', from: known.id, to: known.country });
        }
        if (row.countryCode && row.countryCode !== known.country) {
          warn(
            'smelter-country-mismatch',
            `Row ${row.row}: ${known.id} (${known.name}) is in ${known.country}, but the row says ${row.countryRaw ?? row.countryCode}.`,
            cellOf(row, 'country'),
          );
        }
      } else {
        status = 'unresolved';
        const country = row.countryCode;
        if (!claimedName || !country) {
          warn(
            'unresolved-smelter-skipped',
            `Row ${row.row}: no RMI smelter matches "${claimedName ?? ''}" and the row lacks a ${claimedName ? 'readable country' : 'name'}, so it cannot be recorded.`,
            cellOf(row, claimedName ? 'country' : 'smelterName'),
          );
          resolution.unresolved += 1;
          smelterRows.push({ ...base, smelterId: null, status: 'skipped', confidence: 0, candidates });
          continue;
        }
        smelterId = localSmelterId(metal, claimedName, country);
        known = context.smeltersById.get(smelterId);
        if (!known && !nodes.has(smelterId)) {
          nodes.set(smelterId, { label: 'Smelter', id: smelterId, name: claimedName, metal, country, rmapStatus: 'unknown', identified: false });
          if (ensureCountry(country)) addRelationship({ type: 'LOCATED_IN', from: smelterId, to: country });
        }
      }
      if (status === 'resolved_by_id') resolution.byId += 1;
      else if (status === 'resolved_by_name') resolution.byName += 1;
      else resolution.unresolved += 1;
      if (status === 'unresolved') {
        warn(
          'unresolved-smelter',
          `Row ${row.row}: "${claimedName}" (${metal}) matches no RMI smelter; recorded as ${smelterId}${candidates.length ? `; closest: ${candidates.map((c) => `${c.smelterId} ${c.name}`).join(', ')}` : ''}.`,
          cellOf(row, 'smelterName'),
        );
      }

      const duplicateKey = `${smelterId}\u0000${metal}`;
      const duplicate = seenInFile.has(duplicateKey);
      seenInFile.add(duplicateKey);
      if (duplicate) {
        duplicates += 1;
        duplicatedKeys.add(duplicateKey);
        warn('duplicate-smelter', `Row ${row.row} repeats ${smelterId} for ${metal}, listed on an earlier row.`, cellOf(row, 'smelterId'));
      }
      smelterRows.push({ ...base, smelterId, status, confidence: result.confidence, duplicate, candidates });
      const written = writtenByMetal.get(metal) ?? new Set<string>();
      written.add(smelterId!);
      writtenByMetal.set(metal, written);

      const smelterCountry = known?.country ?? row.countryCode!;
      const listed = listedByMetal.get(metal) ?? [];
      listed.push({ row, smelterId: smelterId!, country: smelterCountry });
      listedByMetal.set(metal, listed);

      addRelationship({ type: 'SUPPLIES', from: smelterId!, to: companyId, metal, source });
      for (const origin of row.mineLocations.countries) {
        if (ensureCountry(origin)) addRelationship({ type: 'SUPPLIES', from: origin, to: smelterId!, metal, source });
        else warn('unknown-country', `Row ${row.row}: mine country ${origin} is not a known country.`, cellOf(row, 'mineLocations'));
      }
      // Text of the mine locations it could not read is already among the reader's warnings.
      const recycled = row.recycledOrScrap === 'yes' || (row.mineLocations.recycled && row.mineLocations.countries.length === 0);
      if (recycled) {
        const current = nodes.get(smelterId!) ?? known?.node;
        if (current && current.label === 'Smelter' && current.recycledOrScrap !== true) nodes.set(smelterId!, { ...current, recycledOrScrap: true });
      }
      const claims = claimsBySmelter.get(smelterId!) ?? [];
      claims.push({ file, row: row.row, country: row.countryCode, recycled: row.recycledOrScrap });
      claimsBySmelter.set(smelterId!, claims);
    }

    // The declaration against the smelter list.
    for (const metal of document.metals) {
      const listed = listedByMetal.get(metal) ?? [];
      const used = answerOf(document, metal, 'intentionally_added');
      if (used.answer === 'yes' && listed.length === 0) {
        warn('metal-used-without-smelters', `The declaration says ${metal} is used, but the smelter list names no ${metal} smelter.`, at(used.cell));
      }
      const identified = answerOf(document, metal, 'all_smelters_identified');
      const unidentified = unidentifiedByMetal.get(metal) ?? [];
      if (identified.answer === 'yes' && unidentified.length > 0) {
        warn(
          'all-identified-contradicted',
          `The declaration says all ${metal} smelters are identified, but ${unidentified.length} row(s) say "Smelter not yet identified" or "Smelter not listed" (first: row ${unidentified[0]!.row}).`,
          at(identified.cell),
        );
      }
      for (const [topic, set, what] of [
        ['covered_countries', context.coveredCountries, 'a Dodd-Frank covered country'],
        ['cahra', context.cahraCountries, 'a conflict-affected or high-risk area'],
      ] as const) {
        const answer = answerOf(document, metal, topic);
        if (answer.answer !== 'no') continue;
        for (const { row, smelterId, country } of listed) {
          const hits = [country, ...row.mineLocations.countries].filter((c) => set.has(c));
          if (hits.length === 0) continue;
          warn(
            `${topic === 'cahra' ? 'cahra' : 'covered-country'}-sourcing-denied`,
            `The declaration says no ${metal} smelter sources from ${what}, but row ${row.row} (${smelterId}) is in or sources from ${[...new Set(hits)].join(', ')}.`,
            at(answer.cell),
          );
        }
      }
      const allRecycled = answerOf(document, metal, 'all_recycled_or_scrap');
      if (allRecycled.answer === 'yes') {
        const mined = listed.filter(({ row }) => row.recycledOrScrap === 'no' || row.mineLocations.countries.length > 0);
        if (mined.length > 0) {
          warn(
            'all-recycled-contradicted',
            `The declaration says all ${metal} is recycled or scrap, but ${mined.length} row(s) name mines or say "No" to 100% recycled (first: row ${mined[0]!.row.row}).`,
            at(allRecycled.cell),
          );
        }
      }
    }

    const smeltersByMetal: Partial<Record<Metal, number>> = {};
    for (const [metal, ids] of writtenByMetal) smeltersByMetal[metal] = ids.size;
    reports.push({
      file,
      templateKind: document.kind,
      templateVersion: document.templateVersion,
      company: companyId,
      declaration: {
        companyName: document.declaration.companyName,
        scope: document.declaration.scope,
        effectiveDate: document.declaration.effectiveDate,
        blank: document.declaration.blank,
      },
      rowsRead: document.smelters.length,
      smeltersByMetal,
      resolution,
      duplicates,
      duplicateSmelters: duplicatedKeys.size,
      smelters: smelterRows,
      warnings,
    });
  }

  // Suppliers that contradict each other (or what the graph already says) about one smelter.
  for (const [smelterId, claims] of claimsBySmelter) {
    const known = context.smeltersById.get(smelterId);
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

  return { nodes: [...nodes.values()], relationships: [...relationships.values()], reports };
}
