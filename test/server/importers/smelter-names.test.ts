import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createSmelterNameIndex,
  looseSmelterName,
  newSmelterMatchWork,
  normalizeSmelterName,
  osaDistanceWithin,
  smelterNameKey,
  smelterNameProfile,
  smelterNameSimilarity,
} from '../../../server/importers/smelter-names.js';
import { oracleNameSimilarity } from './smelter-matching-oracle.js';
import { typoEdit, typoed } from './name-typos.js';

describe('normalizeSmelterName', () => {
  it.each([
    // legal forms at the end, in every spelling suppliers use
    ['Yunnan Tin Company Limited', 'yunnan tin'],
    ['YUNNAN TIN CO., LTD', 'yunnan tin'],
    ['Yunnan Tin Co.Ltd', 'yunnan tin'],
    ['Great Wall Precious Metals Co,. LTD.', 'great wall precious metals'],
    ['Yunnan Tin Group (Holding) Company Limited', 'yunnan tin'],
    ['Metalurgica Met-Mex Penoles S.A. De C.V.', 'metalurgica met mex penoles'],
    ['Heraeus Precious Metals GmbH & Co. KG', 'heraeus precious metals'],
    ['8853 S.p.A.', '8853'],
    ['Eti Bakir A.S', 'eti bakir'],
    ['PRG Dooel', 'prg'],
    ['Al Etihad Gold Refinery DMCC', 'al etihad gold refinery'],
    ['Smith & Co.', 'smith'],
    // at the start, and the unambiguous ones inside
    ['OJSC Novosibirsk Refinery', 'novosibirsk refinery'],
    ['The Perth Mint', 'perth mint'],
    ['PT Timah Tbk Kundur', 'timah kundur'],
    // dotted abbreviations become one word
    ['A.L.M.T. Corp.', 'almt'],
    // accents, ligatures, letters NFKD keeps, full-width forms, apostrophes, "&"
    ['AngloGold Ashanti Córrego do Sítio Mineração', 'anglogold ashanti corrego do sitio mineracao'],
    ['Ogussa Österreichische Gold- und Silber-Scheideanstalt GmbH', 'ogussa osterreichische gold und silber scheideanstalt'],
    ['Großhandel Straße', 'grosshandel strasse'],
    ['Øresund Łódź Æther', 'oresund lodz aether'],
    ['İstanbul Gold Refinery', 'istanbul gold refinery'],
    ['ＡＢＣ Ｒｅｆｉｎｅｒｙ', 'abc refinery'],
    ["O'Brien Metals", 'obrien metals'],
    ['Gejiu Zili Mining & Metallurgy', 'gejiu zili mining and metallurgy'],
    // other scripts are kept; Chinese company forms go
    ['云南锡业股份有限公司', '云南锡业'],
    ['云南锡业股份有限公司锡业分公司', '云南锡业锡业分公司'],
    // nothing but legal forms: kept whole; nothing at all: empty
    ['Co., Ltd.', 'co ltd'],
    ['', ''],
    [' \t ', ''],
    ['--', ''],
  ])('%j → %j', (name, expected) => {
    expect(normalizeSmelterName(name)).toBe(expected);
  });

  it('gives one key to spellings that differ in spacing and hyphens', () => {
    expect(smelterNameKey('Yunnan Chengfeng Non-ferrous Metals Co., Ltd.')).toBe(smelterNameKey('YUNNAN CHENGFENG NONFERROUS METALS'));
    expect(smelterNameKey('Gejiu Zili Mining And Metallurgy Co., Ltd.')).toBe(smelterNameKey('Gejiu Zili Mining & Metallurgy Co Ltd'));
    expect(smelterNameKey('JSC Novosibirsk Refinery')).toBe(smelterNameKey('OJSC Novosibirsk Refinery'));
    expect(smelterNameKey('Mineracao Taboca S.A.')).toBe(smelterNameKey('Mineracao Taboca SA'));
    expect(smelterNameKey('Resind Indústria e Comércio Ltda.')).toBe(smelterNameKey('Resind Industria e Comercio Ltda.'));
  });

  it('keeps the legal form out of the key but not the words that tell smelters apart', () => {
    expect(smelterNameKey('H.C. Starck Co., Ltd.')).toBe(smelterNameKey('H.C. Starck Inc.'));
    expect(smelterNameKey('Emerald Jewel Industry India Limited (Unit 1)')).not.toBe(
      smelterNameKey('Emerald Jewel Industry India Limited (Unit 2)'),
    );
    expect(smelterNameKey('Yunnan Tin Company Limited')).not.toBe(smelterNameKey('Yunnan Copper Industry Co., Ltd.'));
  });

  const word = fc.constantFrom(
    'yunnan',
    'tin',
    'gold',
    'co',
    'ltd',
    'limited',
    'sa',
    'de',
    'cv',
    'gmbh',
    'and',
    'the',
    'pt',
    'tbk',
    'a',
    'b',
    'l',
    'm',
    'jsc',
    'group',
    'refinery',
    '8853',
    'café',
    'Straße',
    '云南',
    '有限公司',
  );
  const separator = fc.constantFrom(' ', '  ', '.', ', ', '-', ' & ', '(', ') ', '\t', '/');
  const name = fc.array(fc.tuple(word, separator), { maxLength: 8 }).map((parts) => parts.map(([w, s]) => w + s).join(''));

  it('is idempotent, and ignores case and surrounding whitespace (fast-check)', () => {
    fc.assert(
      fc.property(name, (n) => {
        const once = normalizeSmelterName(n);
        expect(normalizeSmelterName(once)).toBe(once);
        expect(normalizeSmelterName(`  ${n.toUpperCase()}\t`)).toBe(once);
        expect(once).toMatch(/^(?:[\p{L}\p{N}]+(?: [\p{L}\p{N}]+)*)?$/u);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('looseSmelterName', () => {
  it('folds only case, Unicode form and spacing', () => {
    expect(looseSmelterName('  Yunnan   TIN Co.,\tLtd. ')).toBe('yunnan tin co., ltd.');
    expect(looseSmelterName('ＡＢＣ')).toBe('abc');
  });
});

describe('smelterNameSimilarity', () => {
  it('is 1 exactly for names with the same key', () => {
    expect(smelterNameSimilarity('Yunnan Tin Company Limited', 'YUNNAN TIN CO., LTD')).toBe(1);
    expect(smelterNameSimilarity('Gold Refinery', 'Refinery Gold')).toBe(0.99);
    expect(smelterNameSimilarity('', 'Anything')).toBe(0);
    expect(smelterNameSimilarity('Co., Ltd.', '')).toBe(0);
  });

  it.each([
    // a typo in the one distinctive word: 1 transposition in "heraeus" (7 letters)
    ['Heraues Precious Metals', 'Heraeus Precious Metals', 1 - 1 / 7],
    // words in another order
    ['Metalor Technologies SA', 'Technologies Metalor', 0.99],
    // a short name inside a long one: 0.6 + 0.3 × Jaccard({umicore}, {umicore, sa, business, unit})
    ['Umicore', 'Umicore S.A. Business Unit Precious Metals Refining', 0.6 + 0.3 / 4],
    ['Dowa', 'Dowa Metalmine Co. Ltd', 0.6 + 0.3 / 2],
    // only generic words in common
    ['ABC Refinery', 'Bangalore Refinery', 0],
    // sister plants: different numbers or compass points cap the score
    ['Emerald Jewel Industry India Limited (Unit 1)', 'Emerald Jewel Industry India Limited (Unit 2)', 0.45],
    ['Eco-System Recycling Co., Ltd. East Plant', 'Eco-System Recycling Co., Ltd. West Plant', 0.45],
    // trigram Dice: {" ja","jap","apa","pan","an "} vs {" ja","jal","ala","lan","an "}
    ['Japan Mint', 'JALAN & Company', 0.4],
    // token Jaccard {jiangxi, copper} vs {jiangxi, nanshan}... Dice wins at 4/9
    ['Jiangxi Copper Co., Ltd.', 'Jiangxi New Nanshan Technology Ltd.', 4 / 9],
  ])('%j ~ %j = %d', (a, b, expected) => {
    expect(smelterNameSimilarity(a, b)).toBeCloseTo(expected, 10);
  });

  it('is symmetric, in [0, 1], 1 only for equal keys, and the same from profiles or text (fast-check)', () => {
    const text = fc.string({ unit: fc.constantFrom(...'abcdeinorstuy .,-&12ÉéÖ云南'.split('')), maxLength: 30 });
    fc.assert(
      fc.property(text, text, (a, b) => {
        const s = smelterNameSimilarity(a, b);
        expect(s).toBe(smelterNameSimilarity(b, a));
        expect(s).toBe(smelterNameSimilarity(smelterNameProfile(a), smelterNameProfile(b)));
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
        const sameKey = smelterNameKey(a) === smelterNameKey(b) && smelterNameKey(a) !== '';
        expect(s === 1).toBe(sameKey);
      }),
      { numRuns: 3000 },
    );
  });
});

/** The optimal string alignment distance by the full table: the oracle of the banded one. */
function fullOsaDistance(a: readonly number[], b: readonly number[]): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

describe('osaDistanceWithin (banded optimal string alignment)', () => {
  const codes = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 24 });

  it('is the full-table distance when that is within the bound, else bound + 1 (fast-check)', () => {
    fc.assert(
      fc.property(codes, codes, fc.integer({ min: 0, max: 26 }), (a, b, k) => {
        const full = fullOsaDistance(a, b);
        expect(osaDistanceWithin(a, b, k)).toBe(full <= k ? full : k + 1);
      }),
      { numRuns: 5000 },
    );
  });

  it('fills at most (2k + 1) cells per row of the shorter string', () => {
    const a = Array.from({ length: 200 }, (_, i) => (i * 7) % 5);
    const b = [...a.slice(0, 100), 9, ...a.slice(101)];
    const work = newSmelterMatchWork();
    expect(osaDistanceWithin(a, b, 10, work)).toBe(1);
    expect(work.editCells).toBeGreaterThan(0);
    expect(work.editCells).toBeLessThanOrEqual(200 * 21);
  });
});

describe('bounded similarity and the name index agree with the full scan', () => {
  // A small alphabet, generic words, markers and separators: many near names, ties and typos.
  const piece = fc.constantFrom('a', 'b', 'ab', 'ba', 'aab', 'abab', 'tin', 'tni', 'metals', 'refinery', 'co', 'ltd', '2', 'east', 'x');
  const name = fc
    .array(fc.tuple(piece, fc.constantFrom('', ' ', '-', ' & ')), { minLength: 1, maxLength: 7 })
    .map((parts) => parts.map(([w, s]) => w + s).join(''));
  // A name and the same name with a few typos (substitutions, insertions, deletions, swaps), so
  // that the edit ratio decides often.
  const edit = typoEdit('a', 'b', 'x', ' ');
  const pair = fc.oneof(
    fc.tuple(name, name),
    fc.tuple(name, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([a, edits]) => [a, typoed(a, edits)] as const),
  );

  it('smelterNameSimilarity is the full-table similarity (fast-check)', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        expect(smelterNameSimilarity(a, b)).toBe(oracleNameSimilarity(a, b));
      }),
      { numRuns: 5000 },
    );
  });

  it('the index returns, in order, every indexed name that reaches the floor (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 20 }), name, fc.constantFrom(0.05, 0.2, 0.4, 0.6, 0.84, 0.9), (pairs, query, floor) => {
        const profiles = pairs.flat().map(smelterNameProfile);
        const q = smelterNameProfile(query);
        const candidates = createSmelterNameIndex(profiles).candidatesOf(q, floor);
        const reaching = profiles.flatMap((p, at) => (smelterNameSimilarity(q, p) >= floor ? [at] : []));
        expect(candidates).toEqual([...candidates].sort((x, y) => x - y));
        expect(candidates).toEqual(expect.arrayContaining(reaching));
      }),
      { numRuns: 3000 },
    );
  });
});
