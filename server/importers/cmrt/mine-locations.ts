/**
 * "Location (Country) of Mine(s)" (Smelter List column O) is free text in real declarations:
 * "Australia, Austria, Brazil", "CHINA", "Mines located in China and Peru", "R/S, LR",
 * "Ta scrap", "Please see RCOI-List, available at the RMI Homepage", "0". This module takes every
 * country and every recycled/scrap mark it can recognise and returns the rest as `unread` pieces,
 * so that the import can report exactly the text it could not use.
 *
 * Country names come from the ISO 3166 list and the CMRT country list (reference-data.ts), plus
 * short forms derived from them ("Bolivia" from "Bolivia (Plurinational State of)"), plus the
 * common names below. Matching is by words, case- and accent-insensitive, longest name first, so
 * "CONGO, DEMOCRATIC REPUBLIC OF THE" is one country and not two. Two- and three-letter codes are
 * taken only where they cannot be a word or an abbreviation of something else: written in capitals
 * and standing alone between separators ("CN, PE").
 */
import { cmrtCountryNameToAlpha2Map, loadIsoCountries } from '../../seeding/reference-data.js';
import type { MineLocations } from './cmrt-document.js';

// ---------------------------------------------------------------------------------------------
// Names

/**
 * Common names that are neither ISO nor CMRT names. A few regions are here too: those whose name
 * contains another country's name ("New Mexico" is not Mexico, "Inner Mongolia" is in China) and
 * the eastern provinces of the DRC that declarations name instead of the country, because they
 * are what makes an origin a CAHRA.
 */
const COUNTRY_ALIASES: Readonly<Record<string, readonly string[]>> = {
  AE: ['UAE', 'U.A.E.'],
  AU: ['New South Wales'],
  BA: ['Bosnia', 'Bosnia-Herzegovina'],
  BN: ['Brunei'],
  BS: ['The Bahamas'],
  CD: [
    'DRC',
    'D.R.C.',
    'DR Congo',
    'D.R. Congo',
    'RDC',
    'Democratic Republic of Congo',
    'Democratic Republic of the Congo',
    'Congo, The Democratic Republic of the',
    'Congo, Dem. Rep.',
    'Congo (Kinshasa)',
    'Congo-Kinshasa',
    'Congo DRC',
    'Congo (DRC)',
    'Congo DR',
    'Katanga',
    'Kivu',
    'North Kivu',
    'South Kivu',
    'Maniema',
    'Ituri',
  ],
  CG: ['Republic of the Congo', 'Republic of Congo', 'Congo (Brazzaville)', 'Congo-Brazzaville', 'Congo, Rep.'],
  CI: ['Ivory Coast'],
  CN: ['PRC', 'P.R.C.', 'P.R. China', 'PR China', "People's Republic of China", 'Mainland China', 'Inner Mongolia'],
  CV: ['Cape Verde'],
  CZ: ['Czech Republic', 'Czech'],
  GB: ['UK', 'U.K.', 'United Kingdom', 'Great Britain', 'Britain', 'England'],
  KP: ['North Korea', 'DPRK'],
  KR: ['Korea', 'South Korea', 'Republic of Korea', 'Korea Republic', 'Korea, Rep.'],
  LA: ['Laos', 'Lao', 'Lao PDR'],
  MK: ['Macedonia', 'North Macedonia, Republic of', 'Republic of North Macedonia'],
  MM: ['Burma'],
  MO: ['Macau'],
  NL: ['Holland', 'The Netherlands'],
  RU: ['Russia'],
  SK: ['Slovak Republic'],
  KG: ['Kyrgyz Republic'],
  SY: ['Syria'],
  SZ: ['Swaziland'],
  TL: ['East Timor'],
  TW: ['Taiwan ROC', 'Chinese Taipei'],
  US: ['USA', 'U.S.A.', 'United States', 'New Mexico', 'New Jersey'],
  VA: ['Vatican', 'Vatican City'],
  VG: ['British Virgin Islands'],
  VI: ['US Virgin Islands', 'U.S. Virgin Islands'],
  VN: ['Vietnam'],
};

/**
 * Capitalised two- and three-letter tokens that are codes of a country but, standing alone in
 * this column, mean something else: "NA" is "not applicable", "NO" answers the question, and
 * LR / HR / CC are the risk categories ("low risk", "high risk", "covered countries") that
 * RCOI reports of tantalum smelters use instead of countries; "AND"/"ARE" are words.
 */
const AMBIGUOUS_CODES = new Set(['NA', 'NO', 'LR', 'HR', 'CC', 'AND', 'ARE']);

/** Words that carry no origin on their own: a piece made only of these is dropped silently. */
const FILLER_WORDS = new Set(
  (
    'mine mines mined mining located location locations in at from the of and or is are was were be been by for to ' +
    'with within a an sourced source sources sourcing origin origins originate originates originating country ' +
    'countries only etc eg ie various several multiple both all other others material materials ore ores ' +
    'concentrate concentrates feedstock region regions area areas province provinces north south east west ' +
    'northern southern eastern western central mainland unknown unkown none na nil tbd also including include ' +
    'includes included plus see list below above attached'
  ).split(' '),
);

// Recycled/scrap marks: "R/S", "recycled", "scrap", "Recycled/Scrap", "Recycled or Scrap",
// "Recycled scrap", "Ta scrap", "Sn scrap", and the misspelling "Recyled" seen in real files.
const RECYCLED_WORD = '(?:recycled|recyled|recycling|recycle|scraps?)';
const METAL_WORD = '(?:ta|sn|w|au|co|tin|tantalum|tungsten|gold|cobalt|mica|copper|nickel|lithium|graphite)';
const NOT_WORD_BEFORE = '(?<![\\p{L}\\p{N}])';
const NOT_WORD_AFTER = '(?![\\p{L}\\p{N}])';
const RECYCLED_MARK = new RegExp(
  `${NOT_WORD_BEFORE}(?:${METAL_WORD}\\s+)?${RECYCLED_WORD}(?:(?:\\s*(?:/|,|\\+|\\bor\\b|\\band\\b)\\s*|\\s+)${RECYCLED_WORD})*${NOT_WORD_AFTER}` +
    `|${NOT_WORD_BEFORE}r\\s*/\\s*s${NOT_WORD_AFTER}`,
  'giu',
);
/** "N/A" inside a list ("China, N/A"): dropped like a filler, but it contains a separator. */
const NOT_APPLICABLE_MARK = new RegExp(`${NOT_WORD_BEFORE}n\\s*/\\s*a${NOT_WORD_AFTER}`, 'giu');

/** Whole texts that stand for "no answer here" (compared after folding and trimming). */
const PLACEHOLDER_TEXTS: readonly RegExp[] = [
  /^[\s\-–—―_.,;:?!*/\\0]*$/u, // "", "0", "-", "--", "?", "/"
  /^(n\/?a|na|none|nil|null|unknown|unkown|not known|not applicable|not available|not disclosed|confidential|tbd|tbc|no|no data|no information)\.?$/u,
  /^(please\s+)?(see|refer|check)\b/u, // "Please see RCOI-List, …", "see attached", "refer to the RMI list"
  /\brcoi\b/u, // a pointer to the smelter's Reasonable Country of Origin Inquiry, not an origin
  /\bsee attached\b/u,
];

// ---------------------------------------------------------------------------------------------
// Text preparation and words

/** Lower case, no accents, straight apostrophes, "st" spelled out: the form names are compared in. */
function foldWord(word: string): string {
  const folded = word
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[’‘`´]/g, "'");
  return folded === 'st' ? 'saint' : folded;
}

/**
 * One form for every spelling of separators: NFC, tabs/CR/no-break spaces as spaces, "&" as
 * "and", dotted abbreviations without their dots ("U.S.A." → "USA", "D.R. Congo" → "DR Congo").
 */
function prepare(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\t\r\u00a0\u2000-\u200b\u3000]/g, ' ')
    .replace(/[’‘`´]/g, "'")
    .replace(/&/g, ' and ')
    .replace(/(?<!\p{L})(?:\p{L}\.){2,}/gu, (m) => m.replace(/\./g, ''));
}

interface Word {
  /** As written (after prepare). */
  text: string;
  key: string;
  start: number;
  end: number;
}

const WORD = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;

function wordsOf(text: string, from = 0, to = text.length): Word[] {
  const words: Word[] = [];
  const re = new RegExp(WORD.source, 'gu');
  re.lastIndex = from;
  for (let m = re.exec(text); m !== null && m.index < to; m = re.exec(text)) {
    words.push({ text: m[0], key: foldWord(m[0]), start: m.index, end: m.index + m[0].length });
  }
  return words;
}

function nameKey(name: string): string {
  return wordsOf(prepare(name))
    .map((w) => w.key)
    .join(' ');
}

// ---------------------------------------------------------------------------------------------
// The name index

interface CountryIndex {
  /** Word sequence (nameKey) → ISO alpha-2. */
  names: Map<string, string>;
  maxWords: number;
  alpha2: Set<string>;
  alpha3: Map<string, string>;
}

let index: CountryIndex | undefined;

function countryIndex(): CountryIndex {
  if (index) return index;
  const iso = loadIsoCountries();
  const official = new Map<string, string>();
  const addOfficial = (name: string, alpha2: string): void => {
    const key = nameKey(name);
    const before = official.get(key);
    if (before !== undefined && before !== alpha2) throw new Error(`country name "${name}" names both ${before} and ${alpha2}`);
    official.set(key, alpha2);
  };
  for (const c of iso) addOfficial(c.name, c.alpha2);
  for (const [name, alpha2] of cmrtCountryNameToAlpha2Map()) addOfficial(name, alpha2);

  // Short forms: the part before ", " or " (" of an official name, when only one country has it.
  const shortForms = new Map<string, Set<string>>();
  for (const name of [...iso.map((c) => c.name), ...cmrtCountryNameToAlpha2Map().keys()]) {
    const cut = name.search(/,\s|\s\(/);
    if (cut <= 0) continue;
    const key = nameKey(name.slice(0, cut));
    const alpha2 = official.get(nameKey(name))!;
    const codes = shortForms.get(key) ?? new Set<string>();
    codes.add(alpha2);
    shortForms.set(key, codes);
  }
  const names = new Map(official);
  for (const [key, codes] of shortForms) {
    if (codes.size === 1 && !names.has(key)) names.set(key, [...codes][0]!);
  }
  const known = new Set(iso.map((c) => c.alpha2));
  for (const [alpha2, aliases] of Object.entries(COUNTRY_ALIASES)) {
    if (!known.has(alpha2)) throw new Error(`country alias table names ${alpha2}, which is not an ISO country`);
    for (const alias of aliases) {
      const key = nameKey(alias);
      const before = official.get(key);
      if (before !== undefined && before !== alpha2) throw new Error(`alias "${alias}" (${alpha2}) is the official name of ${before}`);
      names.set(key, alpha2);
    }
  }
  let maxWords = 1;
  for (const key of names.keys()) maxWords = Math.max(maxWords, key.split(' ').length);
  index = {
    names,
    maxWords,
    alpha2: known,
    alpha3: new Map(iso.filter((c) => c.alpha3 !== '').map((c) => [c.alpha3, c.alpha2])),
  };
  return index;
}

/** The alpha-2 code of a capitalised stand-alone code ("CN", "PER"), unless it is ambiguous. */
function codeToAlpha2(token: string, idx: CountryIndex): string | undefined {
  if (!/^[A-Z]{2,3}$/.test(token) || AMBIGUOUS_CODES.has(token)) return undefined;
  return token.length === 2 ? (idx.alpha2.has(token) ? token : undefined) : idx.alpha3.get(token);
}

function isPlaceholderText(text: string): boolean {
  const folded = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
  return PLACEHOLDER_TEXTS.some((re) => re.test(folded));
}

// ---------------------------------------------------------------------------------------------
// Parsing

/**
 * The characters of a text taken by recycled and "N/A" marks, with O(1) questions: is position p
 * taken, is any position in [from, to) taken. A cell can hold thousands of marks ("scrap x "
 * repeated to Excel's 32,767 characters) and every word asks both questions, so scanning the
 * marks per word was quadratic; one flag per character and a running count of them are linear.
 */
class ConsumedText {
  private readonly taken: Uint8Array;
  /** takenBefore[i]: taken characters in [0, i). */
  private readonly takenBefore: Uint32Array;

  constructor(length: number) {
    this.taken = new Uint8Array(length);
    this.takenBefore = new Uint32Array(length + 1);
  }

  /** Marks [from, to). The matches of one regex never overlap, so marking costs the text's length at most once per regex. */
  mark(from: number, to: number): void {
    this.taken.fill(1, from, to);
  }

  seal(): void {
    for (let i = 0; i < this.taken.length; i++) this.takenBefore[i + 1] = this.takenBefore[i]! + this.taken[i]!;
  }

  covers(pos: number): boolean {
    return this.taken[pos] === 1;
  }

  /** Whether a mark overlaps [from, to): marks are never empty, so that is a taken character inside. */
  anyIn(from: number, to: number): boolean {
    return to > from && this.takenBefore[to]! > this.takenBefore[from]!;
  }
}

const EMPTY: MineLocations = { countries: [], recycled: false, unread: [], placeholder: false };

/**
 * The countries and recycled/scrap marks in a "Location (Country) of Mine(s)" text. Countries are
 * ISO alpha-2 codes, distinct, in order of appearance; `unread` holds the pieces (split at
 * commas, semicolons, slashes, line breaks, "and", "or") that are neither a country, a recycled
 * mark, a placeholder nor filler words; `placeholder` is true when the whole text says nothing
 * ("0", "N/A", "-", "unknown", "Please see RCOI-List", "see attached").
 */
export function parseMineLocations(text: string | null): MineLocations {
  if (text === null || text.trim() === '') return { ...EMPTY, countries: [], unread: [] };
  const s = prepare(text);
  if (isPlaceholderText(s)) return { countries: [], recycled: false, unread: [], placeholder: true };

  // Recycled marks and "N/A" first: they contain "/" and would otherwise be cut in two.
  const consumed = new ConsumedText(s.length);
  let recycled = false;
  for (const m of s.matchAll(RECYCLED_MARK)) {
    recycled = true;
    consumed.mark(m.index, m.index + m[0].length);
  }
  for (const m of s.matchAll(NOT_APPLICABLE_MARK)) consumed.mark(m.index, m.index + m[0].length);
  consumed.seal();
  const inConsumed = (pos: number): boolean => consumed.covers(pos);
  const consumedBetween = (from: number, to: number): boolean => consumed.anyIn(from, to);

  const words = wordsOf(s).filter((w) => !inConsumed(w.start));
  const n = words.length;
  // hard[i]: a break before word i that no name spans (";", "/", "|", line break, "word.word",
  // a recycled mark). list[i]: any separator of list items before word i (hard ones, commas,
  // brackets).
  const hard: boolean[] = [];
  const list: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const prevEnd = i === 0 ? 0 : words[i - 1]!.end;
    const gap = s.slice(prevEnd, words[i]!.start);
    const h = i === 0 || /[;/|\n]/.test(gap) || gap === '.' || consumedBetween(prevEnd, words[i]!.start);
    hard.push(h);
    list.push(h || /[,()[\]]/.test(gap));
  }

  const idx = countryIndex();
  const countries: string[] = [];
  const addCountry = (alpha2: string): void => {
    if (!countries.includes(alpha2)) countries.push(alpha2);
  };
  const matched: boolean[] = new Array<boolean>(n).fill(false);
  for (let i = 0; i < n; ) {
    let span = 0;
    let found: string | undefined;
    let key = '';
    for (let len = 1; len <= idx.maxWords && i + len <= n; len++) {
      if (len > 1 && hard[i + len - 1]) break;
      key = len === 1 ? words[i]!.key : `${key} ${words[i + len - 1]!.key}`;
      const hit = idx.names.get(key);
      if (hit !== undefined) {
        span = len;
        found = hit;
      }
    }
    if (found !== undefined) {
      addCountry(found);
      for (let k = i; k < i + span; k++) matched[k] = true;
      i += span;
      continue;
    }
    // The end of the text ends an item like a separator does.
    const standsAlone = list[i]! && (i + 1 === n || list[i + 1]!);
    const code = standsAlone ? codeToAlpha2(words[i]!.text, idx) : undefined;
    if (code !== undefined) {
      addCountry(code);
      matched[i] = true;
    }
    i++;
  }

  // What is left, in pieces split at list separators, "and"/"or" and recognised names.
  const unread: string[] = [];
  const seen = new Set<string>();
  let piece: Word[] = [];
  const flush = (): void => {
    if (piece.length === 0) return;
    const pieceText = s.slice(piece[0]!.start, piece[piece.length - 1]!.end).trim();
    const informative = piece.some((w) => !FILLER_WORDS.has(w.key) && !/^\p{N}+$/u.test(w.key));
    if (informative && !seen.has(pieceText) && !isPlaceholderText(pieceText)) {
      seen.add(pieceText);
      unread.push(pieceText);
    }
    piece = [];
  };
  for (let i = 0; i < n; i++) {
    const w = words[i]!;
    if (list[i]) flush();
    if (matched[i] || w.key === 'and' || w.key === 'or') {
      flush();
      continue;
    }
    piece.push(w);
  }
  flush();

  const placeholder = countries.length === 0 && !recycled && unread.length === 0;
  return { countries, recycled, unread, placeholder };
}

/**
 * The alpha-2 code of a text that is exactly one country name (official, short or common, any
 * case) or a capitalised code, else undefined. For "Smelter Country" cells that are not in the
 * CMRT country list ("Vietnam", "NORTH MACEDONIA, REPUBLIC OF").
 */
export function countryNameToAlpha2(text: string): string | undefined {
  const idx = countryIndex();
  const words = wordsOf(prepare(text));
  if (words.length === 0) return undefined;
  const hit = idx.names.get(words.map((w) => w.key).join(' '));
  if (hit !== undefined) return hit;
  return words.length === 1 ? codeToAlpha2(words[0]!.text, idx) : undefined;
}
