/**
 * Smelter names as declarations write them, reduced to a form two spellings of one smelter share.
 *
 * CMRT smelter lists are typed, pasted and machine-translated by thousands of suppliers, so the
 * same refinery arrives as "Yunnan Tin Company Limited", "YUNNAN TIN CO., LTD", "Yunnan Tin Co.Ltd"
 * or "Yunnan Tin". `normalizeSmelterName` removes what carries no identity (case, accents,
 * punctuation, spacing, legal forms, "&" vs "and"); `smelterNameSimilarity` scores the near
 * matches that remain (typos, a word more or less, words in another order).
 *
 * Both are pure and deterministic; the resolver (smelter-resolution.ts) builds on them.
 */

// ---------------------------------------------------------------------------------------------
// Normalisation

/** Letters NFKD does not decompose into a base letter plus a mark. */
const FOLDED_LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
};

/**
 * Legal forms and corporate words, as normalised token sequences. They are dropped at the ends of
 * a name (repeatedly: "… Group Co., Ltd." loses all three), because a supplier adds or leaves
 * them out at will; a name made only of them is kept whole.
 */
const LEGAL_FORMS: readonly string[] = [
  // English
  'co',
  'company',
  'corp',
  'corporation',
  'inc',
  'incorporated',
  'ltd',
  'limited',
  'llc',
  'llp',
  'lp',
  'plc',
  'group',
  'holding',
  'holdings',
  'public company limited',
  'pcl',
  // French, Spanish, Portuguese, Italian (S.A. de C.V. and S. de R.L. are Mexican)
  'sa',
  'sas',
  'sarl',
  'sa de cv',
  'de cv',
  's de rl',
  'sl',
  'slu',
  'sau',
  'spa',
  'srl',
  'ltda',
  'sac',
  'saa',
  'eirl',
  'cia',
  // German, Dutch, Nordic, Turkish, Balkan
  'ag',
  'gmbh',
  'kg',
  'kgaa',
  'gmbh and co kg',
  'and co kg',
  'co kg',
  'bv',
  'nv',
  'ab',
  'oy',
  'oyj',
  'asa',
  'as',
  'dooel',
  'doo',
  // Russian and CIS
  'jsc',
  'ojsc',
  'pjsc',
  'cjsc',
  'oao',
  'zao',
  'ooo',
  'pao',
  'ao',
  'joint stock company',
  'open joint stock company',
  'public joint stock company',
  'closed joint stock company',
  'joint stock',
  'open joint stock',
  'public joint stock',
  'closed joint stock',
  // Asia-Pacific, Middle East
  'pt',
  'tbk',
  'pty',
  'pty ltd',
  'sdn bhd',
  'bhd',
  'kk',
  'kabushiki kaisha',
  'dmcc',
  'fze',
  'fzco',
  'fzc',
  // English articles and a conjunction left dangling once "& Co." is gone
  'the',
  'and',
];

/** Legal forms that are safe to drop in the middle of a name too ("PT Timah Tbk Kundur"). */
const INNER_LEGAL_FORMS: readonly string[] = [
  'co ltd',
  'ltd',
  'inc',
  'corp',
  'llc',
  'gmbh',
  'tbk',
  'jsc',
  'ojsc',
  'pjsc',
  'pty ltd',
  'sdn bhd',
  'bhd',
];

/** Chinese company forms ("股份有限公司" = company limited by shares), written without spaces. */
const CJK_LEGAL_FORMS = /股份有限公司|有限责任公司|有限公司/gu;
const CJK_GROUP_SUFFIX = /集团$/u;

const toSequences = (forms: readonly string[]): string[][] =>
  [...new Set(forms)].map((f) => f.split(' ')).sort((a, b) => b.length - a.length);
const LEGAL_SEQUENCES = toSequences(LEGAL_FORMS);
const LEGAL_WORDS = new Set(LEGAL_FORMS.flatMap((f) => f.split(' ')));
const INNER_SEQUENCES = toSequences(INNER_LEGAL_FORMS);

function startsWithSequence(tokens: readonly string[], at: number, seq: readonly string[]): boolean {
  if (at + seq.length > tokens.length) return false;
  for (let i = 0; i < seq.length; i++) if (tokens[at + i] !== seq[i]) return false;
  return true;
}

/** "s a de c v" → "sa de cv", "a l m t" → "almt": dotted abbreviations become one token. */
function mergeSingleLetters(tokens: readonly string[]): string[] {
  const out: string[] = [];
  let run = '';
  let runLength = 0;
  const flush = (): void => {
    if (runLength > 0) out.push(run);
    run = '';
    runLength = 0;
  };
  for (const t of tokens) {
    if (t.length === 1 && /\p{L}/u.test(t)) {
      run += t;
      runLength += 1;
    } else {
      flush();
      out.push(t);
    }
  }
  flush();
  return out;
}

/** Drops the INNER_LEGAL_FORMS anywhere but at the first word (so a one-word "Co" stays). */
function stripInnerLegalForms(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    const seq = i > 0 ? INNER_SEQUENCES.find((s) => startsWithSequence(tokens, i, s)) : undefined;
    if (seq) i += seq.length;
    else out.push(tokens[i++]!);
  }
  return out;
}

/** Drops LEGAL_SEQUENCES at either end, repeatedly, never the last word. */
function stripOuterLegalForms(tokens: readonly string[]): string[] {
  // The kept words are tokens[from, to): moving the ends, not copying the rest after each form
  // stripped, keeps a name of thousands of legal forms linear.
  let from = 0;
  let to = tokens.length;
  const endsWith = (seq: readonly string[]): boolean => {
    for (let i = 0; i < seq.length; i++) if (tokens[to - seq.length + i] !== seq[i]) return false;
    return true;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const seq of LEGAL_SEQUENCES) {
      if (to - from > seq.length && endsWith(seq)) {
        to -= seq.length;
        changed = true;
        break;
      }
      if (to - from > seq.length && startsWithSequence(tokens, from, seq)) {
        from += seq.length;
        changed = true;
        break;
      }
    }
  }
  return tokens.slice(from, to);
}

/**
 * The normalised form of a smelter name: lower case, accents and diacritics removed (NFKD, so
 * full-width letters become ASCII too), "&" read as "and", apostrophes dropped, every other run
 * of punctuation or whitespace one space, dotted abbreviations joined ("S.A." = "SA"), and legal
 * forms removed at the ends (Co., Ltd., Limited, Inc., Corp., S.A. de C.V., GmbH, PT, Tbk, JSC,
 * Sdn Bhd, Group, …) and, for the unambiguous ones, also inside ("Co., Ltd. of CBPM").
 * Letters of every script are kept ("云南锡业" stays), so non-Latin names still compare.
 * Returns "" for a name with no letters or digits.
 */
export function normalizeSmelterName(name: string): string {
  let s = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  s = s.replace(/[ßæœøłđðþıħ]/g, (c) => FOLDED_LETTERS[c] ?? c);
  s = s.replace(/&/g, ' and ').replace(/['’‘`´]/g, '');
  s = s.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  if (s === '') return '';
  let tokens = mergeSingleLetters(s.split(' '));
  tokens = tokens.map((t) => {
    const stripped = t.replace(CJK_LEGAL_FORMS, '').replace(CJK_GROUP_SUFFIX, '');
    return stripped === '' ? t : stripped;
  });
  // A "name" made of legal forms only ("Co., Ltd.") has nothing else to compare: keep it whole.
  if (tokens.every((t) => LEGAL_WORDS.has(t))) return tokens.join(' ');
  // Dropping "Ltd" from "A Ltd B" makes "a b" → "ab": repeat until nothing changes, so that
  // normalising twice gives what normalising once gave.
  for (;;) {
    const next = mergeSingleLetters(stripInnerLegalForms(tokens));
    if (next.length === tokens.length) break;
    tokens = next;
  }
  return stripOuterLegalForms(tokens).join(' ');
}

/**
 * The key two names must share to count as the same name: the normalised form without spaces, so
 * "Non-Ferrous", "Nonferrous" and "Non Ferrous" agree.
 */
export function smelterNameKey(name: string): string {
  return normalizeSmelterName(name).replace(/ /g, '');
}

/** Case, Unicode form and spacing folded, nothing else: "the same text" for a person. */
export function looseSmelterName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

// ---------------------------------------------------------------------------------------------
// Similarity

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
  /** The key's code points, for the edit distance (CJK and accented scripts split cleanly). */
  codes: Int32Array;
  tokens: ReadonlySet<string>;
  trigrams: ReadonlyMap<string, number>;
  trigramCount: number;
  /** The words that tell sister plants apart (numbers, compass points), sorted and joined; "" when none. */
  markers: string;
}

/** A name prepared once for many comparisons. */
export interface SmelterNameProfile {
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
  const codes = Int32Array.from(chars, (c) => c.codePointAt(0)!);
  const markers = tokens
    .filter((t) => /^\p{N}+$/u.test(t) || PLANT_MARKERS.has(t))
    .sort()
    .join(' ');
  return { key, codes, tokens: new Set(tokens), trigrams, trigramCount, markers };
}

export function smelterNameProfile(name: string): SmelterNameProfile {
  const normalized = normalizeSmelterName(name);
  const tokens = normalized === '' ? [] : normalized.split(' ');
  const distinctive = tokens.filter((t) => !GENERIC_WORDS.has(t));
  return { name, normalized, key: tokens.join(''), compared: namePart(distinctive.length > 0 ? distinctive : tokens) };
}

/**
 * What matching cost, counted rather than timed, so that tests can bound it: the cost of a query
 * must follow the few names it can match, not the size of the store times the names' lengths.
 */
export interface SmelterMatchWork {
  /** Name pairs scored by smelterNameSimilarity. */
  namesCompared: number;
  /** Cells of edit-distance tables filled. */
  editCells: number;
  /** Index postings read to find the names worth scoring. */
  postingsRead: number;
}

export function newSmelterMatchWork(): SmelterMatchWork {
  return { namesCompared: 0, editCells: 0, postingsRead: 0 };
}

/** |A ∩ B| / |A ∪ B| over words. */
function tokenJaccard(a: NamePart, b: NamePart): number {
  if (a.tokens.size === 0 || b.tokens.size === 0) return 0;
  let common = 0;
  for (const t of a.tokens) if (b.tokens.has(t)) common += 1;
  return common / (a.tokens.size + b.tokens.size - common);
}

/** The character trigrams two keys share, counted as multisets (keys padded with a space). */
function commonTrigrams(a: NamePart, b: NamePart): number {
  const [small, large] = a.trigrams.size <= b.trigrams.size ? [a, b] : [b, a];
  let common = 0;
  for (const [g, n] of small.trigrams) {
    const m = large.trigrams.get(g);
    if (m !== undefined) common += Math.min(n, m);
  }
  return common;
}

/** The least edit ratio that counts as a typo of the same name. */
const TYPO_FLOOR = 0.84;
/** The most two names can score whose numbers or compass points differ. */
const MARKER_CLASH_CAP = 0.45;

/** The rows of the banded table, grown as needed and reused, so that a distance allocates nothing. */
let bandRows: [Int32Array, Int32Array, Int32Array] = [new Int32Array(0), new Int32Array(0), new Int32Array(0)];

function rowsFor(length: number): [Int32Array, Int32Array, Int32Array] {
  if (bandRows[0].length < length) bandRows = [new Int32Array(length), new Int32Array(length), new Int32Array(length)];
  return bandRows;
}

/**
 * The optimal string alignment distance (insertions, deletions, substitutions, transpositions of
 * neighbours; no substring edited twice) between two code-point arrays when it is at most
 * `maxDistance`, else `maxDistance + 1`.
 *
 * Ukkonen's band: reaching cell (i, j) costs at least |j − i| and finishing from it at least
 * |δ − (j − i)|, δ the difference of the lengths, so an alignment within k = `maxDistance` never
 * leaves the diagonals where the two add up to at most k, at most k + 1 of them; only those are
 * filled: O(k · n) instead of n · m. It stops as soon as no cell of a row can still finish
 * within k (no cell of a later row is lower than the least of the two rows before it).
 */
export function osaDistanceWithin(a: ArrayLike<number>, b: ArrayLike<number>, maxDistance: number, work?: SmelterMatchWork): number {
  // Rows follow the shorter string (the distance is symmetric): fewer rows, same band.
  if (a.length > b.length) [a, b] = [b, a];
  const n = a.length;
  const m = b.length;
  const k = Math.max(0, Math.floor(maxDistance));
  const over = k + 1;
  const delta = m - n;
  if (delta > k) return over;
  if (n === 0) return m;
  // The diagonals t = j − i with |t| + |δ − t| ≤ k.
  const slack = Math.floor((k - delta) / 2);
  const tLo = -slack;
  const tHi = delta + slack;
  let [prev2, prev, cur] = rowsFor(m + 1);
  // Outside the band every cell reads as `over`: the band's neighbours are set to it row by row.
  for (let j = 0; j <= Math.min(m, tHi); j++) prev[j] = j;
  if (tHi + 1 <= m) prev[tHi + 1] = over;
  let cells = 0;
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(1, i + tLo);
    const hi = Math.min(m, i + tHi);
    cur[0] = i;
    if (lo > 1) cur[lo - 1] = over;
    // The least (cost so far + least cost to finish) over the row.
    let rowMin = i + Math.abs(delta + i);
    const ai = a[i - 1]!;
    const before = i > 1 ? a[i - 2]! : -1;
    for (let j = lo; j <= hi; j++) {
      const bj = b[j - 1]!;
      let d = prev[j - 1]! + (ai === bj ? 0 : 1);
      const up = prev[j]! + 1;
      if (up < d) d = up;
      const left = cur[j - 1]! + 1;
      if (left < d) d = left;
      if (i > 1 && j > 1 && ai === b[j - 2] && before === bj) {
        const swap = prev2[j - 2]! + 1;
        if (swap < d) d = swap;
      }
      cur[j] = d;
      const toFinish = d + Math.abs(delta - (j - i));
      if (toFinish < rowMin) rowMin = toFinish;
    }
    if (hi < m) cur[hi + 1] = over;
    cells += hi - lo + 1;
    if (rowMin > k) {
      if (work) work.editCells += cells;
      return over;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  if (work) work.editCells += cells;
  const distance = prev[m]!;
  return distance <= k ? distance : over;
}

/** The most edits a pair of these lengths may differ by and still have an edit ratio ≥ floor. */
function maxEditsFor(longer: number, floor: number): number {
  return Math.floor((1 - floor) * longer + 1e-9);
}

/**
 * 1 − (optimal string alignment distance / longer length): typos and swapped letters
 * ("Heraues" for "Heraeus" is 1 edit); 0 when that is below `floor`.
 *
 * The distance is computed only up to what `floor` allows, and not at all when a bound rules it
 * out: the lengths (distance ≥ their difference), or the shared trigrams — an edit destroys at
 * most 4 of a key's padded trigrams (a transposition; 3 for a substitution or deletion, 2 for an
 * insertion) and a key of n code points has n of them, so `common` ≥ longer − 4 · distance.
 */
function editRatio(a: NamePart, b: NamePart, common: number, floor: number, work?: SmelterMatchWork): number {
  const n = a.codes.length;
  const m = b.codes.length;
  const longer = Math.max(n, m);
  if (longer === 0) return 0;
  const maxDistance = maxEditsFor(longer, floor);
  if (Math.abs(n - m) > maxDistance) return 0;
  if (longer - common > 4 * maxDistance) return 0;
  const distance = osaDistanceWithin(a.codes, b.codes, maxDistance, work);
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
export function smelterNameSimilarity(a: SmelterNameProfile | string, b: SmelterNameProfile | string, work?: SmelterMatchWork): number {
  const pa = typeof a === 'string' ? smelterNameProfile(a) : a;
  const pb = typeof b === 'string' ? smelterNameProfile(b) : b;
  if (work) work.namesCompared += 1;
  if (pa.key === '' || pb.key === '') return 0;
  if (pa.key === pb.key) return 1;
  const ca = pa.compared;
  const cb = pb.compared;
  if (ca.key === cb.key) return 0.99; // same distinctive words, different generic ones
  const jaccard = tokenJaccard(ca, cb);
  const common = commonTrigrams(ca, cb);
  // Sørensen–Dice coefficient over the trigrams.
  const dice = ca.trigramCount === 0 || cb.trigramCount === 0 ? 0 : (2 * common) / (ca.trigramCount + cb.trigramCount);
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
  // An edit ratio below TYPO_FLOOR says little (short names are a few edits from anything), and
  // one below `best` changes nothing: the distance is bounded by what would still count.
  const edit = editRatio(ca, cb, common, Math.max(best, TYPO_FLOOR), work);
  best = Math.max(best, edit >= TYPO_FLOOR ? edit : 0);
  // "Unit 2" is not "Unit 4", "East Plant" not "West Plant": sister plants are different smelters.
  if (ca.markers !== cb.markers && ca.markers !== '' && cb.markers !== '') best = Math.min(best, MARKER_CLASH_CAP);
  return Math.min(best, 0.99);
}

// ---------------------------------------------------------------------------------------------
// Index

/** Names indexed once (per store version) so that a query scores the few that can match it. */
export interface SmelterNameIndex {
  readonly size: number;
  /**
   * The positions (ascending) of the indexed profiles whose similarity with `query` may reach
   * `floor`: every one that does (and maybe a few more), so scoring only these gives what scoring
   * all would.
   */
  candidatesOf(query: SmelterNameProfile, floor: number, work?: SmelterMatchWork): number[];
}

interface Postings {
  at: number[];
  counts: number[];
}

/**
 * A profile can reach `floor` with the query only through one of the scores of
 * smelterNameSimilarity, and each needs something the index sees:
 * - the same key (1): the key postings;
 * - Jaccard or containment: a shared compared word, the word postings;
 * - Dice ≥ floor: 2 · common ≥ floor · (trigrams of both), common counted from the trigram postings
 *   (and the same compared key, 0.99, is Dice 1);
 * - an edit ratio ≥ max(floor, TYPO_FLOOR) within k edits: lengths within k, and common ≥
 *   longer − 4k (see editRatio).
 * The marker cap only lowers a score.
 */
export function createSmelterNameIndex(profiles: readonly SmelterNameProfile[]): SmelterNameIndex {
  const trigramPostings = new Map<string, Postings>();
  const wordPostings = new Map<string, number[]>();
  const keyPostings = new Map<string, number[]>();
  const push = <V>(map: Map<string, V[]>, key: string, value: V): void => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  profiles.forEach((p, at) => {
    if (p.key === '') return; // scores 0 with everything
    push(keyPostings, p.key, at);
    for (const t of p.compared.tokens) push(wordPostings, t, at);
    for (const [g, count] of p.compared.trigrams) {
      let postings = trigramPostings.get(g);
      if (!postings) trigramPostings.set(g, (postings = { at: [], counts: [] }));
      postings.at.push(at);
      postings.counts.push(count);
    }
  });
  // Reused between queries (a query is synchronous): common trigrams, and "shares a word or the key".
  const common = new Int32Array(profiles.length);
  const related = new Uint8Array(profiles.length);

  function candidatesOf(query: SmelterNameProfile, floor: number, work?: SmelterMatchWork): number[] {
    if (query.key === '') return [];
    const touched: number[] = [];
    const touch = (at: number): void => {
      if (common[at] === 0 && related[at] === 0) touched.push(at);
    };
    let read = 0;
    for (const [g, count] of query.compared.trigrams) {
      const postings = trigramPostings.get(g);
      if (!postings) continue;
      read += postings.at.length;
      for (let i = 0; i < postings.at.length; i++) {
        const at = postings.at[i]!;
        touch(at);
        common[at] = common[at]! + Math.min(count, postings.counts[i]!);
      }
    }
    for (const list of [keyPostings.get(query.key), ...[...query.compared.tokens].map((t) => wordPostings.get(t))]) {
      if (!list) continue;
      read += list.length;
      for (const at of list) {
        touch(at);
        related[at] = 1;
      }
    }
    if (work) work.postingsRead += read;
    const q = query.compared.trigramCount;
    const editFloor = Math.max(floor, TYPO_FLOOR);
    const out: number[] = [];
    for (const at of touched) {
      const c = common[at]!;
      const t = profiles[at]!.compared.trigramCount;
      const longer = Math.max(q, t);
      const k = maxEditsFor(longer, editFloor);
      const may = related[at] === 1 || 2 * c >= floor * (q + t) - 1e-9 || (Math.abs(q - t) <= k && longer - c <= 4 * k);
      if (may) out.push(at);
      common[at] = 0;
      related[at] = 0;
    }
    return out.sort((x, y) => x - y);
  }

  return { size: profiles.length, candidatesOf };
}
