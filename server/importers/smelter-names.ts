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
  'co', 'company', 'corp', 'corporation', 'inc', 'incorporated', 'ltd', 'limited', 'llc', 'llp', 'lp', 'plc',
  'group', 'holding', 'holdings', 'public company limited', 'pcl',
  // French, Spanish, Portuguese, Italian (S.A. de C.V. and S. de R.L. are Mexican)
  'sa', 'sas', 'sarl', 'sa de cv', 'de cv', 's de rl', 'sl', 'slu', 'sau', 'spa', 'srl', 'ltda', 'sac', 'saa', 'eirl', 'cia',
  // German, Dutch, Nordic, Turkish, Balkan
  'ag', 'gmbh', 'kg', 'kgaa', 'gmbh and co kg', 'and co kg', 'co kg', 'bv', 'nv', 'ab', 'oy', 'oyj', 'asa', 'as', 'dooel', 'doo',
  // Russian and CIS
  'jsc', 'ojsc', 'pjsc', 'cjsc', 'oao', 'zao', 'ooo', 'pao', 'ao', 'joint stock company', 'open joint stock company',
  'public joint stock company', 'closed joint stock company', 'joint stock', 'open joint stock', 'public joint stock',
  'closed joint stock',
  // Asia-Pacific, Middle East
  'pt', 'tbk', 'pty', 'pty ltd', 'sdn bhd', 'bhd', 'kk', 'kabushiki kaisha', 'dmcc', 'fze', 'fzco', 'fzc',
  // English articles and a conjunction left dangling once "& Co." is gone
  'the', 'and',
];

/** Legal forms that are safe to drop in the middle of a name too ("PT Timah Tbk Kundur"). */
const INNER_LEGAL_FORMS: readonly string[] = ['co ltd', 'ltd', 'inc', 'corp', 'llc', 'gmbh', 'tbk', 'jsc', 'ojsc', 'pjsc', 'pty ltd', 'sdn bhd', 'bhd'];

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
  let s = name.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
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
  'metal', 'metals', 'metallurgy', 'metallurgical', 'metalurgica', 'metalurgia', 'metallurgie', 'mining', 'mine', 'mines',
  'mineral', 'minerals', 'mineracao', 'mineracion', 'refinery', 'refineries', 'refining', 'refiner', 'refiners', 'refined',
  'smelter', 'smelters', 'smelting', 'smelt', 'precious', 'nonferrous', 'non', 'ferrous', 'material', 'materials',
  'industry', 'industries', 'industrial', 'industria', 'industrias', 'technology', 'technologies', 'tech', 'hi', 'high',
  'new', 'resource', 'resources', 'chemical', 'chemicals', 'alloy', 'alloys', 'product', 'products', 'electrolysis',
  'electrolytic', 'international', 'trading', 'trade', 'recycling', 'plant', 'factory', 'works', 'branch', 'mint',
  'enterprise', 'enterprises', 'development', 'science', 'environmental', 'solder', 'powder', 'advanced', 'bullion',
  'manufacturing', 'processing', 'comercio', 'commerce', 'scheideanstalt',
  // connectives left after normalisation
  'of', 'and', 'the', 'de', 'do', 'da', 'del', 'e', 'y', 'und', 'et',
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
  const markers = tokens.filter((t) => /^\p{N}+$/u.test(t) || PLANT_MARKERS.has(t)).sort().join(' ');
  return { key, chars, tokens: new Set(tokens), trigrams, trigramCount, markers };
}

export function smelterNameProfile(name: string): SmelterNameProfile {
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
export function smelterNameSimilarity(a: SmelterNameProfile | string, b: SmelterNameProfile | string): number {
  const pa = typeof a === 'string' ? smelterNameProfile(a) : a;
  const pb = typeof b === 'string' ? smelterNameProfile(b) : b;
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
