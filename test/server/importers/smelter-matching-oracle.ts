/**
 * The oracle the bounded matcher is checked against: smelter similarity and resolution exactly as
 * they were before it (commit 1b2787c), a full optimal-string-alignment table for every pair and a
 * scan of every name of the metal. Slow on purpose; only tests import it. Normalisation did not
 * change, so it is imported.
 */
import { METAL_IDS } from '../../../graph/metals.js';
import type { Metal } from '../../../graph/model.js';
import { ValidationError, type FieldProblem } from '../../../server/errors.js';
import type { SmelterLookupRow } from '../../../server/seeding/reference-data.js';
import { looseSmelterName, normalizeSmelterName, smelterNameKey } from '../../../server/importers/smelter-names.js';
import {
  isPlaceholderSmelterId,
  isPlaceholderSmelterName,
  normalizeSmelterId,
  SMELTER_RESOLUTION_TUNING,
  type KnownSmelter,
  type SmelterClaim,
  type SmelterCandidate,
  type SmelterResolution,
  type SmelterResolver,
} from '../../../server/importers/smelter-resolution.js';

/**
 * Words nearly every smelter name has, in the languages of the look-up ("Refinery", "Smelting",
 * "Metals", "Mineração"…). Two names that share only these are not alike:
 * "ABC Refinery" is not "Bangalore Refinery". Similarity compares the rest (the distinctive
 * words) whenever both names have some.
 */
const GENERIC_WORDS = new Set([
  // What smelters do and are. Metal names are NOT generic: "Yunnan Tin" and "Yunnan Copper" are
  // different companies, and would both be just "Yunnan" without them.
  'metal',
  'metals',
  'metallurgy',
  'metallurgical',
  'metalurgica',
  'metalurgia',
  'metallurgie',
  'mining',
  'mine',
  'mines',
  'mineral',
  'minerals',
  'mineracao',
  'mineracion',
  'refinery',
  'refineries',
  'refining',
  'refiner',
  'refiners',
  'refined',
  'smelter',
  'smelters',
  'smelting',
  'smelt',
  'precious',
  'nonferrous',
  'non',
  'ferrous',
  'material',
  'materials',
  'industry',
  'industries',
  'industrial',
  'industria',
  'industrias',
  'technology',
  'technologies',
  'tech',
  'hi',
  'high',
  'new',
  'resource',
  'resources',
  'chemical',
  'chemicals',
  'alloy',
  'alloys',
  'product',
  'products',
  'electrolysis',
  'electrolytic',
  'international',
  'trading',
  'trade',
  'recycling',
  'plant',
  'factory',
  'works',
  'branch',
  'mint',
  'enterprise',
  'enterprises',
  'development',
  'science',
  'environmental',
  'solder',
  'powder',
  'advanced',
  'bullion',
  'manufacturing',
  'processing',
  'comercio',
  'commerce',
  'scheideanstalt',
  // connectives left after normalisation
  'of',
  'and',
  'the',
  'de',
  'do',
  'da',
  'del',
  'e',
  'y',
  'und',
  'et',
]);

const PLANT_MARKERS = new Set(['east', 'west', 'north', 'south', 'i', 'ii', 'iii', 'iv']);

interface NamePart {
  key: string;
  chars: readonly string[];
  tokens: ReadonlySet<string>;
  trigrams: ReadonlyMap<string, number>;
  trigramCount: number;
  /** The words that tell sister plants apart (numbers, compass points), sorted and joined; "" when none. */
  markers: string;
}

/** A name prepared once for many comparisons. */
export interface OracleNameProfile {
  /** As given. */
  readonly name: string;
  /** normalizeSmelterName(name). */
  readonly normalized: string;
  /** smelterNameKey(name). */
  readonly key: string;
  /** The words compared: the distinctive ones (not in GENERIC_WORDS), or all when none is. */
  readonly compared: NamePart;
}

function namePart(tokens: readonly string[]): NamePart {
  const key = tokens.join('');
  const chars = [...key]; // code points, so CJK and accented scripts split cleanly
  const trigrams = new Map<string, number>();
  let trigramCount = 0;
  if (chars.length > 0) {
    const padded = [' ', ...chars, ' '];
    for (let i = 0; i + 3 <= padded.length; i++) {
      const g = padded[i]! + padded[i + 1]! + padded[i + 2]!;
      trigrams.set(g, (trigrams.get(g) ?? 0) + 1);
      trigramCount += 1;
    }
  }
  const markers = tokens
    .filter((t) => /^\p{N}+$/u.test(t) || PLANT_MARKERS.has(t))
    .sort()
    .join(' ');
  return { key, chars, tokens: new Set(tokens), trigrams, trigramCount, markers };
}

export function oracleNameProfile(name: string): OracleNameProfile {
  const normalized = normalizeSmelterName(name);
  const tokens = normalized === '' ? [] : normalized.split(' ');
  const distinctive = tokens.filter((t) => !GENERIC_WORDS.has(t));
  return { name, normalized, key: tokens.join(''), compared: namePart(distinctive.length > 0 ? distinctive : tokens) };
}

/** |A ∩ B| / |A ∪ B| over words. */
function tokenJaccard(a: NamePart, b: NamePart): number {
  if (a.tokens.size === 0 || b.tokens.size === 0) return 0;
  let common = 0;
  for (const t of a.tokens) if (b.tokens.has(t)) common += 1;
  return common / (a.tokens.size + b.tokens.size - common);
}

/** Sørensen–Dice coefficient over character trigrams (multisets, keys padded with a space). */
function trigramDice(a: NamePart, b: NamePart): number {
  if (a.trigramCount === 0 || b.trigramCount === 0) return 0;
  const [small, large] = a.trigrams.size <= b.trigrams.size ? [a, b] : [b, a];
  let common = 0;
  for (const [g, n] of small.trigrams) {
    const m = large.trigrams.get(g);
    if (m !== undefined) common += Math.min(n, m);
  }
  return (2 * common) / (a.trigramCount + b.trigramCount);
}

/** The least edit ratio that counts as a typo of the same name. */
const TYPO_FLOOR = 0.84;
/** The most two names can score whose numbers or compass points differ. */
const MARKER_CLASH_CAP = 0.45;

/**
 * 1 − (optimal string alignment distance / longer length): typos and swapped letters
 * ("Heraues" for "Heraeus" is 1 edit). Returns 0 early when the lengths alone rule out `floor`.
 */
function editRatio(a: readonly string[], b: readonly string[], floor: number): number {
  const n = a.length;
  const m = b.length;
  const longer = Math.max(n, m);
  if (longer === 0) return 0;
  // Distances above this cannot reach `floor`: stop as soon as a whole row exceeds it.
  const maxDistance = Math.floor((1 - floor) * longer + 1e-9);
  if (Math.abs(n - m) > maxDistance) return 0;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > maxDistance) return 0;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  const distance = prev[m]!;
  return distance > maxDistance ? 0 : 1 - distance / longer;
}

/**
 * How alike two smelter names are, in [0, 1]; 1 exactly when their keys (smelterNameKey) are equal.
 *
 * Compared on the distinctive words (generic ones like "Gold Refinery" set aside, unless a name has
 * nothing else), the larger of: token-set Jaccard (words in another order, a word more or less),
 * trigram Dice (words run together, longer variations), an edit ratio (typos), and a containment
 * score when every distinctive word of one name is in the other ("Umicore" in "Umicore S.A.
 * Business Unit Precious Metals Refining"): 0.6 + 0.3 × Jaccard — a short name inside a long one
 * is a hint, not proof ("Yunnan Tin" is inside several Yunnan Tin smelters). Different keys never
 * score above 0.99.
 */
export function oracleNameSimilarity(a: OracleNameProfile | string, b: OracleNameProfile | string): number {
  const pa = typeof a === 'string' ? oracleNameProfile(a) : a;
  const pb = typeof b === 'string' ? oracleNameProfile(b) : b;
  if (pa.key === '' || pb.key === '') return 0;
  if (pa.key === pb.key) return 1;
  const ca = pa.compared;
  const cb = pb.compared;
  if (ca.key === cb.key) return 0.99; // same distinctive words, different generic ones
  const jaccard = tokenJaccard(ca, cb);
  const dice = trigramDice(ca, cb);
  const [small, large] = ca.tokens.size <= cb.tokens.size ? [ca, cb] : [cb, ca];
  let contained = small.tokens.size > 0;
  for (const t of small.tokens) {
    if (!large.tokens.has(t)) {
      contained = false;
      break;
    }
  }
  const containment = contained ? 0.6 + 0.3 * jaccard : 0;
  let best = Math.max(jaccard, dice, containment);
  // An edit ratio below TYPO_FLOOR says little (short names are a few edits from anything).
  const edit = editRatio(ca.chars, cb.chars, Math.max(best, TYPO_FLOOR));
  best = Math.max(best, edit >= TYPO_FLOOR ? edit : 0);
  // "Unit 2" is not "Unit 4", "East Plant" not "West Plant": sister plants are different smelters.
  if (ca.markers !== cb.markers && ca.markers !== '' && cb.markers !== '') best = Math.min(best, MARKER_CLASH_CAP);
  return Math.min(best, 0.99);
}

const T = SMELTER_RESOLUTION_TUNING;

type NameSource = 'reference' | 'confirmed';

interface KnownName {
  profile: OracleNameProfile;
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
  const profile = oracleNameProfile(trimmed);
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
  profile: OracleNameProfile;
}

function claimNamesOf(claim: SmelterClaim): ClaimName[] {
  const out: ClaimName[] = [];
  for (const raw of [claim.name, claim.lookupName]) {
    if (typeof raw !== 'string') continue;
    const text = raw.trim();
    if (isPlaceholderSmelterName(text)) continue;
    const profile = oracleNameProfile(text);
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

export function createOracleSmelterResolver(input: {
  lookup: SmelterLookupRow[];
  graphSmelters: KnownSmelter[];
}): Pick<SmelterResolver, 'resolve' | 'smelterCount'> {
  validateInput(input);
  const entries = buildEntries(input.lookup, input.graphSmelters);

  // key → (entry, name) pairs, for exact and normalised matches in O(1).
  const byKey = new Map<string, Array<{ entry: SmelterEntry; name: KnownName }>>();
  // metal → every (entry, name), for the similarity scan. Sorted by id so scans are deterministic.
  const byMetal = new Map<Metal, Array<{ entry: SmelterEntry; name: KnownName }>>();
  const all: Array<{ entry: SmelterEntry; name: KnownName }> = [];
  for (const entry of [...entries.values()].sort((a, b) => compareIds(a.id, b.id))) {
    for (const name of entry.names) {
      const pair = { entry, name };
      let list = byKey.get(name.profile.key);
      if (!list) byKey.set(name.profile.key, (list = []));
      list.push(pair);
      let metalList = byMetal.get(entry.metal);
      if (!metalList) byMetal.set(entry.metal, (metalList = []));
      metalList.push(pair);
      all.push(pair);
    }
  }

  function scoreByName(
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
    for (const cn of claimNames) {
      for (const { entry, name } of byKey.get(cn.profile.key) ?? []) {
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
    // A similar name scores at most FUZZY_WEIGHT × 0.99; once a same-name match beats that by the
    // margin, the similarity scan cannot change the answer, and it is most of the cost.
    let bestSameName = 0;
    for (const s of best.values()) {
      if (!excluded.has(s.entry.id) && !isRejected(s, claimNames)) bestSameName = Math.max(bestSameName, s.score);
    }
    if (bestSameName < T.FUZZY_WEIGHT * 0.99 + T.RESOLVE_MARGIN) {
      const pool = metal === null ? all : (byMetal.get(metal) ?? []);
      for (const cn of claimNames) {
        for (const { entry, name } of pool) {
          if (name.profile.key === cn.profile.key) continue; // scored above
          const similarity = oracleNameSimilarity(cn.profile, name.profile);
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

  function resolve(claim: SmelterClaim): SmelterResolution {
    const { metal, country } = validateClaim(claim);
    const claimNames = claimNamesOf(claim);
    const flags: Pick<SmelterResolution, 'idMismatch' | 'metalMismatch' | 'unrecognizedId' | 'decision'> = {};
    const excluded = new Set<string>();

    const rawId = typeof claim.smelterId === 'string' ? claim.smelterId.trim() : '';
    if (rawId !== '' && !isPlaceholderSmelterId(rawId)) {
      const id = normalizeSmelterId(rawId);
      const entry = id === null ? undefined : entries.get(id);
      if (id === null) flags.unrecognizedId = { claimedId: rawId, reason: 'malformed' };
      else if (!entry) flags.unrecognizedId = { claimedId: id, reason: 'unknown' };
      else if (metal !== null && entry.metal !== metal) {
        flags.metalMismatch = { claimedId: id, claimedMetal: metal, referenceMetal: entry.metal, referenceName: entry.name };
      } else {
        const byIdCandidate = (score: number, reason: string): SmelterCandidate => candidateOf({ entry, score, reason, confirmed: false });
        const rejectedName = claimNames.find((cn) => entry.rejectedKeys.has(cn.profile.key));
        if (rejectedName) {
          // The user said this name is not this smelter: the id cannot win over that.
          flags.idMismatch = { claimedId: id, claimedName: rejectedName.text, referenceName: entry.name };
          flags.decision = 'rejected';
          excluded.add(entry.id);
        } else if (claimNames.length === 0) {
          return { status: 'resolved_by_id', smelterId: entry.id, confidence: 1, candidates: [byIdCandidate(1, 'RMI id')] };
        } else {
          let fit = 0;
          let confirmedFit = false;
          for (const cn of claimNames) {
            for (const n of entry.names) {
              const s = oracleNameSimilarity(cn.profile, n.profile);
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
              candidates: [byIdCandidate(1, fit === 1 ? 'RMI id; name fits' : `RMI id; name similar (${fit.toFixed(2)})`)],
            };
            if (confirmedFit && fit === 1) result.decision = 'confirmed';
            return result;
          }
          const { ranked } = scoreByName(claimNames, metal, country, new Set([entry.id]));
          const candidates = [
            byIdCandidate(T.ID_MISMATCH_CONFIDENCE, `RMI id; the row's name does not fit (best similarity ${fit.toFixed(2)})`),
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
      }
    }

    if (claimNames.length === 0) return { status: 'unresolved', smelterId: null, confidence: 0, candidates: [], ...flags };

    const { ranked, rejectedApplied } = scoreByName(claimNames, metal, country, excluded);
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

  return { resolve, smelterCount: entries.size };
}
