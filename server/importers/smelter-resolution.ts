/**
 * Smelter resolution: what a CMRT/EMRT smelter row says about a smelter (id, metal, names,
 * country) → the RMI smelter id it means, with a confidence and the candidates. Pure, no I/O: the
 * caller passes the RMI Smelter Look-up rows and the smelters the graph holds.
 *
 * Order of evidence
 * 1. The RMI id. A well-formed id ("CID" + 6 digits; case, spaces and a dash are forgiven, and
 *    "CID1070" is read as CID001070) that the look-up or the graph knows resolves the row
 *    (`resolved_by_id`, confidence 1), provided
 *    - the id's metal is the row's metal; otherwise `metalMismatch` is set and the id is ignored
 *      (the row falls back to its name): RMI gives one id per metal, so the id is wrong for this row;
 *    - the row's name fits one of the id's names (similarity ≥ ID_FIT_THRESHOLD); otherwise the id
 *      is kept but `idMismatch` is set (confidence ID_MISMATCH_CONFIDENCE) so the import can warn,
 *      and the candidates show what the name alone would have matched.
 *    A malformed id or one nobody knows sets `unrecognizedId` and falls back to the name; a
 *    placeholder ("", "N/A", "-", "unknown") is no id at all.
 * 2. Metal + name + country. The row's names (Smelter Name and Smelter Look-up, placeholders such
 *    as "Smelter not listed" ignored) are compared with every name of every smelter of that metal:
 *    look-up names, standard names, graph names and aliases. Base score: the same text (case and
 *    spacing aside) 1, the same normalised name (smelter-names.ts) 0.95, a similar name
 *    0.9 × similarity (similarity ≥ FUZZY_FLOOR). Country: same × 1, not given × 0.95, another
 *    × 0.8. The best smelter resolves the row (`resolved_by_name`, confidence = its score) when it
 *    scores ≥ RESOLVE_THRESHOLD and leads the next one by ≥ RESOLVE_MARGIN; else the row is
 *    `unresolved` (confidence 0). Candidates: best first, at most 5, score ≥ CANDIDATE_FLOOR; ties
 *    are broken by smelter id, so the answer never depends on input order. When a same-name match
 *    already wins beyond what any similar name could score, the similarity scan is skipped and the
 *    candidates are the same-name matches only. "Same normalised name" compares smelterNameKey
 *    (the normalised name without spaces), here and for decisions.
 *
 * User decisions are stored in the graph, on the smelter node, and read back here:
 * - CONFIRMED "name N is smelter S": N is in S's `aliases`. An alias of a graph smelter that is not
 *   one of the look-up's names for that id counts as a decision: a row naming N (same normalised
 *   name) resolves to S by name with confidence 1 whatever country it gives, `decision: 'confirmed'`.
 * - REJECTED "name N is not smelter S": N is in S's `rejectedNames`. S is never proposed for a row
 *   whose name normalises like N — not as the match, not as a candidate, and not by id either (a
 *   row giving S's id with name N falls back to its name, with `idMismatch` set). When that removed
 *   a smelter the row would otherwise have scored, the answer says `decision: 'rejected'`.
 * Where the look-up and the graph disagree about a smelter's metal, country or name, the graph
 * wins: it holds the user's data and the newest look-up they loaded.
 */
import { METAL_IDS } from '../../graph/metals.js';
import type { Metal } from '../../graph/model.js';
import { ValidationError, type FieldProblem } from '../errors.js';
import type { SmelterLookupRow } from '../seeding/reference-data.js';
import {
  createSmelterNameIndex,
  looseSmelterName,
  newSmelterMatchWork,
  smelterNameKey,
  smelterNameProfile,
  smelterNameSimilarity,
  type SmelterMatchWork,
  type SmelterNameIndex,
  type SmelterNameProfile,
} from './smelter-names.js';

// ---------------------------------------------------------------------------------------------
// Public shapes

export interface SmelterClaim {
  metal: Metal | null;
  /** The smelter identification number as the row gives it (any spelling). */
  smelterId: string | null;
  /** The Smelter Name column. */
  name: string | null;
  /** The Smelter Look-up column (the template's drop-down), when the row has one. */
  lookupName?: string | null;
  /** ISO 3166-1 alpha-2 of the row's Smelter Country, if it could be read. */
  countryCode: string | null;
}

export interface SmelterCandidate {
  smelterId: string;
  name: string;
  metal: Metal;
  countryCode: string;
  score: number;
  reason: string;
}

export interface SmelterResolution {
  status: 'resolved_by_id' | 'resolved_by_name' | 'unresolved';
  smelterId: string | null;
  /** 0..1; 0 when unresolved. */
  confidence: number;
  /** Best first, at most 5. */
  candidates: SmelterCandidate[];
  /** The id was given but the row's name does not fit it. */
  idMismatch?: { claimedId: string; claimedName: string; referenceName: string };
  /** The id was given but names a smelter of another metal; the row was resolved by name instead. */
  metalMismatch?: { claimedId: string; claimedMetal: Metal; referenceMetal: Metal; referenceName: string };
  /** The id was given but is malformed or known to neither the look-up nor the graph; resolved by name instead. */
  unrecognizedId?: { claimedId: string; reason: 'malformed' | 'unknown' };
  /** A stored user decision decided it. */
  decision?: 'confirmed' | 'rejected';
}

/** A smelter as the graph holds it, with the user's decisions (see the file header). */
export interface KnownSmelter {
  id: string;
  name: string;
  aliases: string[];
  metal: Metal;
  country: string;
  rejectedNames?: string[];
}

export interface SmelterResolver {
  resolve(claim: SmelterClaim): SmelterResolution;
  /** Distinct smelters the resolver knows (look-up ∪ graph). */
  readonly smelterCount: number;
  /** The work of every resolution so far (tests bound it; nothing times it). */
  readonly work: Readonly<SmelterMatchWork>;
}

// ---------------------------------------------------------------------------------------------
// Tuning (the tests pin the behaviour these produce)

export const SMELTER_RESOLUTION_TUNING = {
  SCORE_EXACT: 1,
  SCORE_NORMALISED: 0.95,
  FUZZY_WEIGHT: 0.9,
  FUZZY_FLOOR: 0.4,
  COUNTRY_SAME: 1,
  COUNTRY_MISSING: 0.95,
  COUNTRY_OTHER: 0.8,
  RESOLVE_THRESHOLD: 0.75,
  RESOLVE_MARGIN: 0.04,
  CANDIDATE_FLOOR: 0.35,
  MAX_CANDIDATES: 5,
  ID_FIT_THRESHOLD: 0.5,
  ID_MISMATCH_CONFIDENCE: 0.6,
} as const;
const T = SMELTER_RESOLUTION_TUNING;

// ---------------------------------------------------------------------------------------------
// Ids and placeholders

const PLACEHOLDER_IDS = new Set(['', '-', '--', '0', 'n/a', '#n/a', 'na', 'none', 'unknown', 'not applicable', 'not available', 'tbd']);

/**
 * The canonical RMI smelter id ("CID" + 6 digits) of what a row wrote, or null when it is not
 * one. Case, spaces and a separator after "CID" are forgiven ("cid 001070", "CID-001070"), and
 * fewer than 6 digits are zero-padded ("CID1070" → "CID001070") — the name check catches a wrong
 * guess. Seven or more digits are not an RMI id ("CID0027634").
 */
export function normalizeSmelterId(raw: string): string | null {
  const compact = raw.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
  const m = /^CID[-_.#:]?(\d{1,6})$/.exec(compact);
  return m ? `CID${m[1]!.padStart(6, '0')}` : null;
}

/** True for what a row puts in the id cell when it has no id ("", "N/A", "-", "unknown", …). */
export function isPlaceholderSmelterId(raw: string): boolean {
  return PLACEHOLDER_IDS.has(raw.normalize('NFKC').trim().toLowerCase());
}

const PLACEHOLDER_NAMES = new Set(['smelter not listed', 'smelter not yet identified', 'unknown', 'n/a', '#n/a', 'na', 'none', '-', '0']);

/** True for the template's pseudo names ("Smelter not listed", "Smelter not yet identified") and blanks. */
export function isPlaceholderSmelterName(name: string): boolean {
  const loose = looseSmelterName(name);
  return loose === '' || PLACEHOLDER_NAMES.has(loose);
}

// ---------------------------------------------------------------------------------------------
// The index

type NameSource = 'reference' | 'confirmed';

interface KnownName {
  profile: SmelterNameProfile;
  loose: string;
  /** 'confirmed': a graph alias the look-up does not have, i.e. a user decision. */
  source: NameSource;
}

interface SmelterEntry {
  id: string;
  name: string;
  metal: Metal;
  country: string;
  names: KnownName[];
  rejectedKeys: Set<string>;
}

const METALS = new Set<string>(METAL_IDS);
const ALPHA2 = /^[A-Z]{2}$/;

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function addName(entry: SmelterEntry, text: string, source: NameSource): void {
  const trimmed = text.trim();
  if (trimmed === '' || isPlaceholderSmelterName(trimmed)) return;
  const loose = looseSmelterName(trimmed);
  const existing = entry.names.find((n) => n.loose === loose);
  if (existing) return;
  const profile = smelterNameProfile(trimmed);
  if (profile.key === '') return;
  entry.names.push({ profile, loose, source });
}

function validateInput(input: { lookup: readonly SmelterLookupRow[]; graphSmelters: readonly KnownSmelter[] }): void {
  const problems: FieldProblem[] = [];
  if (!Array.isArray(input.lookup)) problems.push({ path: 'lookup', message: 'must be an array of look-up rows' });
  if (!Array.isArray(input.graphSmelters)) problems.push({ path: 'graphSmelters', message: 'must be an array of smelters' });
  if (problems.length === 0) {
    input.lookup.forEach((r, i) => {
      if (normalizeSmelterId(r.smelterId) !== r.smelterId)
        problems.push({ path: `lookup[${i}].smelterId`, message: `"${r.smelterId}" is not an RMI id (CID + 6 digits)` });
      if (!METALS.has(r.metal)) problems.push({ path: `lookup[${i}].metal`, message: `unknown metal "${r.metal}"` });
      if (!ALPHA2.test(r.countryCode))
        problems.push({ path: `lookup[${i}].countryCode`, message: `"${r.countryCode}" is not an alpha-2 code` });
    });
    input.graphSmelters.forEach((s, i) => {
      if (typeof s.id !== 'string' || s.id.trim() === '') problems.push({ path: `graphSmelters[${i}].id`, message: 'must not be empty' });
      if (!METALS.has(s.metal)) problems.push({ path: `graphSmelters[${i}].metal`, message: `unknown metal "${s.metal}"` });
      if (!ALPHA2.test(s.country)) problems.push({ path: `graphSmelters[${i}].country`, message: `"${s.country}" is not an alpha-2 code` });
      if (typeof s.name !== 'string') problems.push({ path: `graphSmelters[${i}].name`, message: 'must be text' });
      if (!Array.isArray(s.aliases)) problems.push({ path: `graphSmelters[${i}].aliases`, message: 'must be a list of names' });
    });
  }
  if (problems.length > 0) {
    throw new ValidationError(
      `Cannot build the smelter resolver: ${problems.length} problem(s), first: ${problems[0]!.path} ${problems[0]!.message}`,
      problems.slice(0, 50),
    );
  }
}

function buildEntries(lookup: readonly SmelterLookupRow[], graphSmelters: readonly KnownSmelter[]): Map<string, SmelterEntry> {
  const entries = new Map<string, SmelterEntry>();
  const lookupKeys = new Map<string, Set<string>>();
  for (const row of lookup) {
    let entry = entries.get(row.smelterId);
    if (!entry) {
      entry = { id: row.smelterId, name: row.standardName, metal: row.metal, country: row.countryCode, names: [], rejectedKeys: new Set() };
      entries.set(row.smelterId, entry);
      lookupKeys.set(row.smelterId, new Set());
    }
    addName(entry, row.standardName, 'reference');
    addName(entry, row.lookupName, 'reference');
    lookupKeys.get(row.smelterId)!.add(smelterNameKey(row.standardName)).add(smelterNameKey(row.lookupName));
  }
  for (const s of graphSmelters) {
    const id = s.id.trim();
    let entry = entries.get(id);
    if (entry) {
      entry.metal = s.metal;
      entry.country = s.country;
      entry.name = s.name;
    } else {
      entry = { id, name: s.name, metal: s.metal, country: s.country, names: [], rejectedKeys: new Set() };
      entries.set(id, entry);
    }
    const fromLookup = lookupKeys.get(id);
    addName(entry, s.name, 'reference');
    for (const alias of s.aliases) {
      const isDecision = !fromLookup?.has(smelterNameKey(alias));
      addName(entry, alias, isDecision ? 'confirmed' : 'reference');
      // An alias already known as a reference name may also have been confirmed; that changes nothing.
    }
    for (const rejected of s.rejectedNames ?? []) {
      const key = smelterNameKey(rejected);
      if (key !== '') entry.rejectedKeys.add(key);
    }
  }
  for (const entry of entries.values()) {
    // A fixed order, so that which of two equally good names a reason quotes never depends on input order.
    entry.names.sort((a, b) => compareIds(a.loose, b.loose) || compareIds(a.source, b.source));
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------
// Scoring

interface Scored {
  entry: SmelterEntry;
  score: number;
  reason: string;
  confirmed: boolean;
}

const round = (x: number): number => Math.round(x * 10_000) / 10_000;

function countryFactor(claimCountry: string | null, entryCountry: string): { factor: number; note: string } {
  if (claimCountry === null) return { factor: T.COUNTRY_MISSING, note: 'no country given' };
  if (claimCountry === entryCountry) return { factor: T.COUNTRY_SAME, note: 'same country' };
  return { factor: T.COUNTRY_OTHER, note: `row says ${claimCountry}, smelter is in ${entryCountry}` };
}

function candidateOf(s: Scored): SmelterCandidate {
  return {
    smelterId: s.entry.id,
    name: s.entry.name,
    metal: s.entry.metal,
    countryCode: s.entry.country,
    score: round(s.score),
    reason: s.reason,
  };
}

function byScoreThenId(a: Scored, b: Scored): number {
  return b.score - a.score || compareIds(a.entry.id, b.entry.id);
}

interface ClaimName {
  text: string;
  loose: string;
  profile: SmelterNameProfile;
}

function claimNamesOf(claim: SmelterClaim): ClaimName[] {
  const out: ClaimName[] = [];
  for (const raw of [claim.name, claim.lookupName]) {
    if (typeof raw !== 'string') continue;
    const text = raw.trim();
    if (isPlaceholderSmelterName(text)) continue;
    const profile = smelterNameProfile(text);
    if (profile.key === '' || out.some((c) => c.profile.key === profile.key)) continue;
    out.push({ text, loose: looseSmelterName(text), profile });
  }
  return out;
}

function isRejected(s: Scored, claimNames: readonly ClaimName[]): boolean {
  return claimNames.some((cn) => s.entry.rejectedKeys.has(cn.profile.key));
}

function validateClaim(claim: SmelterClaim): { metal: Metal | null; country: string | null } {
  const problems: FieldProblem[] = [];
  if (claim === null || typeof claim !== 'object') {
    throw new ValidationError('A smelter claim must be an object', [{ path: 'claim', message: 'must be an object' }]);
  }
  if (claim.metal !== null && !METALS.has(claim.metal)) problems.push({ path: 'metal', message: `unknown metal "${String(claim.metal)}"` });
  for (const key of ['smelterId', 'name', 'lookupName', 'countryCode'] as const) {
    const v = claim[key];
    if (v !== null && v !== undefined && typeof v !== 'string') problems.push({ path: key, message: 'must be text or null' });
  }
  let country: string | null = null;
  if (typeof claim.countryCode === 'string' && claim.countryCode.trim() !== '') {
    country = claim.countryCode.trim().toUpperCase();
    if (!ALPHA2.test(country)) problems.push({ path: 'countryCode', message: `"${claim.countryCode}" is not an ISO 3166-1 alpha-2 code` });
  }
  if (problems.length > 0)
    throw new ValidationError(`Invalid smelter claim: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, problems);
  return { metal: claim.metal, country };
}

// ---------------------------------------------------------------------------------------------
// The resolver

type NamedEntry = { entry: SmelterEntry; name: KnownName };
type ResolutionFlags = Pick<SmelterResolution, 'idMismatch' | 'metalMismatch' | 'unrecognizedId' | 'decision'>;

/** What resolveById decided: an answer, or the flags and exclusions the name match goes on with. */
type ByIdOutcome = { answer: SmelterResolution } | { answer: null; flags: ResolutionFlags; excluded: Set<string> };

/** The resolver's names, indexed once per store version, and the two ways of matching a claim: by id, by name. */
class SmelterNameResolver implements SmelterResolver {
  // key → (entry, name) pairs, for exact and normalised matches in O(1).
  private readonly byKey = new Map<string, NamedEntry[]>();
  // metal → every (entry, name), for the similarity scan. Sorted by id so scans are deterministic.
  private readonly byMetal = new Map<Metal, NamedEntry[]>();
  // The names of a pool indexed by words and trigrams, so that a scan scores only the names that
  // can reach FUZZY_FLOOR; built with the resolver (once per store version), `all`'s on first use.
  private readonly indexes = new Map<Metal | null, SmelterNameIndex>();
  private readonly all: NamedEntry[] = [];
  readonly work = newSmelterMatchWork();
  readonly smelterCount: number;

  constructor(private readonly entries: Map<string, SmelterEntry>) {
    this.smelterCount = entries.size;
    for (const entry of [...entries.values()].sort((a, b) => compareIds(a.id, b.id))) {
      for (const name of entry.names) {
        const pair = { entry, name };
        let list = this.byKey.get(name.profile.key);
        if (!list) this.byKey.set(name.profile.key, (list = []));
        list.push(pair);
        let metalList = this.byMetal.get(entry.metal);
        if (!metalList) this.byMetal.set(entry.metal, (metalList = []));
        metalList.push(pair);
        this.all.push(pair);
      }
    }
    for (const [metal, pool] of this.byMetal) this.indexes.set(metal, indexOf(pool));
  }

  resolve(claim: SmelterClaim): SmelterResolution {
    const { metal, country } = validateClaim(claim);
    const claimNames = claimNamesOf(claim);
    const byId = this.resolveById(claim, claimNames, metal, country);
    if (byId.answer) return byId.answer;
    return this.resolveByName(claimNames, metal, country, byId.flags, byId.excluded);
  }

  /** The claim's RMI id, when it has one: its entry wins if the row's names fit it (or it gives none). */
  private resolveById(claim: SmelterClaim, claimNames: ClaimName[], metal: Metal | null, country: string | null): ByIdOutcome {
    const flags: ResolutionFlags = {};
    const excluded = new Set<string>();
    const rawId = typeof claim.smelterId === 'string' ? claim.smelterId.trim() : '';
    if (rawId === '' || isPlaceholderSmelterId(rawId)) return { answer: null, flags, excluded };
    const id = normalizeSmelterId(rawId);
    const entry = id === null ? undefined : this.entries.get(id);
    if (id === null) flags.unrecognizedId = { claimedId: rawId, reason: 'malformed' };
    else if (!entry) flags.unrecognizedId = { claimedId: id, reason: 'unknown' };
    else if (metal !== null && entry.metal !== metal) {
      flags.metalMismatch = { claimedId: id, claimedMetal: metal, referenceMetal: entry.metal, referenceName: entry.name };
    } else {
      const rejectedName = claimNames.find((cn) => entry.rejectedKeys.has(cn.profile.key));
      if (rejectedName) {
        // The user said this name is not this smelter: the id cannot win over that.
        flags.idMismatch = { claimedId: id, claimedName: rejectedName.text, referenceName: entry.name };
        flags.decision = 'rejected';
        excluded.add(entry.id);
      } else if (claimNames.length === 0) {
        return {
          answer: { status: 'resolved_by_id', smelterId: entry.id, confidence: 1, candidates: [byIdCandidate(entry, 1, 'RMI id')] },
        };
      } else {
        return { answer: this.idAgainstNames(entry, claimNames, metal, country) };
      }
    }
    return { answer: null, flags, excluded };
  }

  /** An id whose entry exists for the metal, against the row's names: resolved by id either way, confident only when a name fits. */
  private idAgainstNames(entry: SmelterEntry, claimNames: ClaimName[], metal: Metal | null, country: string | null): SmelterResolution {
    let fit = 0;
    let confirmedFit = false;
    for (const cn of claimNames) {
      for (const n of entry.names) {
        const s = smelterNameSimilarity(cn.profile, n.profile, this.work);
        if (s > fit || (s === fit && n.source === 'confirmed')) {
          fit = s;
          confirmedFit = n.source === 'confirmed';
        }
      }
    }
    if (fit >= T.ID_FIT_THRESHOLD) {
      const result: SmelterResolution = {
        status: 'resolved_by_id',
        smelterId: entry.id,
        confidence: 1,
        candidates: [byIdCandidate(entry, 1, fit === 1 ? 'RMI id; name fits' : `RMI id; name similar (${fit.toFixed(2)})`)],
      };
      if (confirmedFit && fit === 1) result.decision = 'confirmed';
      return result;
    }
    const { ranked } = this.scoreByName(claimNames, metal, country, new Set([entry.id]));
    const candidates = [
      byIdCandidate(entry, T.ID_MISMATCH_CONFIDENCE, `RMI id; the row's name does not fit (best similarity ${fit.toFixed(2)})`),
      ...ranked
        .filter((s) => s.score >= T.CANDIDATE_FLOOR)
        .slice(0, T.MAX_CANDIDATES - 1)
        .map(candidateOf),
    ];
    return {
      status: 'resolved_by_id',
      smelterId: entry.id,
      confidence: T.ID_MISMATCH_CONFIDENCE,
      candidates,
      idMismatch: { claimedId: entry.id, claimedName: claimNames[0]!.text, referenceName: entry.name },
    };
  }

  /** The best name match, when it is good enough and clear of the next by the margin; else unresolved with candidates. */
  private resolveByName(
    claimNames: ClaimName[],
    metal: Metal | null,
    country: string | null,
    flags: ResolutionFlags,
    excluded: ReadonlySet<string>,
  ): SmelterResolution {
    if (claimNames.length === 0) return { status: 'unresolved', smelterId: null, confidence: 0, candidates: [], ...flags };
    const { ranked, rejectedApplied } = this.scoreByName(claimNames, metal, country, excluded);
    if (rejectedApplied) flags.decision = 'rejected';
    const candidates = ranked
      .filter((s) => s.score >= T.CANDIDATE_FLOOR)
      .slice(0, T.MAX_CANDIDATES)
      .map(candidateOf);
    const [first, second] = ranked;
    if (first && first.score >= T.RESOLVE_THRESHOLD && (!second || first.score - second.score >= T.RESOLVE_MARGIN - 1e-12)) {
      const result: SmelterResolution = {
        status: 'resolved_by_name',
        smelterId: first.entry.id,
        confidence: round(first.score),
        candidates,
        ...flags,
      };
      if (first.confirmed) result.decision = 'confirmed';
      return result;
    }
    return { status: 'unresolved', smelterId: null, confidence: 0, candidates, ...flags };
  }

  /**
   * Every entry's best score for the claim's names (same name, then similar names when they could
   * still win), ranked, the excluded and rejected left out.
   */
  private scoreByName(
    claimNames: ClaimName[],
    metal: Metal | null,
    country: string | null,
    excluded: ReadonlySet<string>,
  ): { ranked: Scored[]; rejectedApplied: boolean } {
    const best = new Map<string, Scored>();
    const consider = (s: Scored): void => {
      const before = best.get(s.entry.id);
      if (!before || s.score > before.score || (s.score === before.score && s.confirmed && !before.confirmed)) best.set(s.entry.id, s);
    };
    this.sameNameMatches(claimNames, metal, country, consider);
    // A similar name scores at most FUZZY_WEIGHT × 0.99; once a same-name match beats that by the
    // margin, the similarity scan cannot change the answer, and it is most of the cost.
    let bestSameName = 0;
    for (const s of best.values()) {
      if (!excluded.has(s.entry.id) && !isRejected(s, claimNames)) bestSameName = Math.max(bestSameName, s.score);
    }
    if (bestSameName < T.FUZZY_WEIGHT * 0.99 + T.RESOLVE_MARGIN) this.similarNameMatches(claimNames, metal, country, consider);
    let rejectedApplied = false;
    const ranked: Scored[] = [];
    for (const s of best.values()) {
      if (excluded.has(s.entry.id) || isRejected(s, claimNames)) {
        if (s.score >= T.CANDIDATE_FLOOR) rejectedApplied = true;
        continue;
      }
      ranked.push(s);
    }
    ranked.sort(byScoreThenId);
    return { ranked, rejectedApplied };
  }

  /** Names with the claim's key: a user's confirmation, the same name, or the same normalised name. */
  private sameNameMatches(claimNames: ClaimName[], metal: Metal | null, country: string | null, consider: (s: Scored) => void): void {
    for (const cn of claimNames) {
      for (const { entry, name } of this.byKey.get(cn.profile.key) ?? []) {
        if (metal !== null && entry.metal !== metal) continue;
        if (name.source === 'confirmed') {
          consider({ entry, score: 1, reason: `confirmed by a user: "${name.profile.name}" is this smelter`, confirmed: true });
          continue;
        }
        const exact = name.loose === cn.loose;
        const base = exact ? T.SCORE_EXACT : T.SCORE_NORMALISED;
        const c = countryFactor(country, entry.country);
        consider({
          entry,
          score: base * c.factor,
          reason: `${exact ? 'same name' : 'same normalised name'} "${name.profile.name}"; ${c.note}`,
          confirmed: false,
        });
      }
    }
  }

  /** Names similar to the claim's (at least FUZZY_FLOOR), from the metal's pool through its index. */
  private similarNameMatches(claimNames: ClaimName[], metal: Metal | null, country: string | null, consider: (s: Scored) => void): void {
    const pool = metal === null ? this.all : (this.byMetal.get(metal) ?? []);
    let index = this.indexes.get(metal);
    if (!index) this.indexes.set(metal, (index = indexOf(pool)));
    for (const cn of claimNames) {
      // In pool order, as a scan of every name would meet them: ties keep the first name's reason.
      for (const at of index.candidatesOf(cn.profile, T.FUZZY_FLOOR, this.work)) {
        const { entry, name } = pool[at]!;
        if (name.profile.key === cn.profile.key) continue; // scored above
        const similarity = smelterNameSimilarity(cn.profile, name.profile, this.work);
        if (similarity < T.FUZZY_FLOOR) continue;
        const c = countryFactor(country, entry.country);
        consider({
          entry,
          score: T.FUZZY_WEIGHT * similarity * c.factor,
          reason: `similar name "${name.profile.name}" (${similarity.toFixed(2)}); ${c.note}`,
          confirmed: false,
        });
      }
    }
  }
}

function indexOf(pool: ReadonlyArray<{ name: KnownName }>): SmelterNameIndex {
  return createSmelterNameIndex(pool.map((p) => p.name.profile));
}

function byIdCandidate(entry: SmelterEntry, score: number, reason: string): SmelterCandidate {
  return candidateOf({ entry, score, reason, confirmed: false });
}

export function createSmelterResolver(input: { lookup: SmelterLookupRow[]; graphSmelters: KnownSmelter[] }): SmelterResolver {
  validateInput(input);
  const resolver = new SmelterNameResolver(buildEntries(input.lookup, input.graphSmelters));
  return { resolve: (claim) => resolver.resolve(claim), smelterCount: resolver.smelterCount, work: resolver.work };
}
