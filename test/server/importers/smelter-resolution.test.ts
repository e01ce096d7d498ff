import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Metal } from '../../../graph/model.js';
import { ValidationError } from '../../../server/errors.js';
import { smelterNameKey } from '../../../server/importers/smelter-names.js';
import {
  createSmelterResolver,
  isPlaceholderSmelterId,
  isPlaceholderSmelterName,
  normalizeSmelterId,
  SMELTER_RESOLUTION_TUNING as T,
  type KnownSmelter,
  type SmelterClaim,
} from '../../../server/importers/smelter-resolution.js';
import { knownSmelterOf } from '../../../server/importers/smelter-matcher-thread.js';
import { loadReferenceSmelters, loadSmelterLookup, type SmelterLookupRow } from '../../../server/seeding/reference-data.js';
import { typoEdit, typoed } from './name-typos.js';
import { createOracleSmelterResolver } from './smelter-matching-oracle.js';

const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/smelter-lookup/', import.meta.url));

/** Every look-up version: 6.5 ships in seeds/reference, the older ones are fixtures. */
const VERSIONS: Array<{ version: string; rows: SmelterLookupRow[]; expectedRows: number; expectedIds: number }> = [
  { version: '6.01', rows: loadSmelterLookup(FIXTURE_DIR, 'smelter_lookup_cmrt_6.01.csv'), expectedRows: 579, expectedIds: 311 },
  { version: '6.1', rows: loadSmelterLookup(FIXTURE_DIR, 'smelter_lookup_cmrt_6.1.csv'), expectedRows: 598, expectedIds: 337 },
  { version: '6.22', rows: loadSmelterLookup(FIXTURE_DIR, 'smelter_lookup_cmrt_6.22.csv'), expectedRows: 620, expectedIds: 350 },
  { version: '6.31', rows: loadSmelterLookup(FIXTURE_DIR, 'smelter_lookup_cmrt_6.31.csv'), expectedRows: 629, expectedIds: 349 },
  { version: '6.4', rows: loadSmelterLookup(FIXTURE_DIR, 'smelter_lookup_cmrt_6.4.csv'), expectedRows: 652, expectedIds: 368 },
  { version: '6.5', rows: loadSmelterLookup(), expectedRows: 629, expectedIds: 349 },
];

const LOOKUP_65 = loadSmelterLookup();

/** Graph smelters as the import passes them: the reference smelters (aliases = look-up names, no decisions). */
function referenceGraphSmelters(): KnownSmelter[] {
  return loadReferenceSmelters().map(knownSmelterOf);
}

const claim = (c: Partial<SmelterClaim> & { metal: Metal | null }): SmelterClaim => ({
  smelterId: null,
  name: null,
  countryCode: null,
  ...c,
});

describe('resolution accuracy on the look-up itself', () => {
  for (const { version, rows, expectedRows, expectedIds } of VERSIONS) {
    it(`CMRT ${version}: every row resolves to its own id by name, metal and country`, () => {
      expect(rows).toHaveLength(expectedRows);
      expect(new Set(rows.map((r) => r.smelterId)).size).toBe(expectedIds);
      const resolver = createSmelterResolver({ lookup: rows, graphSmelters: [] });

      // Oracle, independent of the resolver: which (metal, normalised name, country) name more than one id?
      const idsByKey = new Map<string, Set<string>>();
      for (const r of rows) {
        for (const name of [r.lookupName, r.standardName]) {
          const k = `${r.metal}|${smelterNameKey(name)}|${r.countryCode}`;
          idsByKey.set(k, (idsByKey.get(k) ?? new Set()).add(r.smelterId));
        }
      }
      const ambiguous: string[] = [];
      let unique = 0;
      let correct = 0;
      let byName = 0;
      for (const r of rows) {
        for (const name of [r.lookupName, r.standardName]) {
          const result = resolver.resolve(claim({ metal: r.metal, name, countryCode: r.countryCode }));
          if ((idsByKey.get(`${r.metal}|${smelterNameKey(name)}|${r.countryCode}`)?.size ?? 0) > 1) {
            ambiguous.push(`${r.smelterId} ${name}`);
            expect(result.candidates.map((c) => c.smelterId)).toContain(r.smelterId);
            continue;
          }
          unique += 1;
          if (result.smelterId === r.smelterId) correct += 1;
          if (result.status === 'resolved_by_name') byName += 1;
          expect(result, `${r.smelterId} "${name}"`).toMatchObject({ status: 'resolved_by_name', smelterId: r.smelterId });
          expect(result.confidence).toBeGreaterThanOrEqual(0.95);
        }
      }
      console.log(
        `[smelter resolution] CMRT ${version}: ${correct}/${unique} look-up and standard names resolved by name to their own id` +
          ` (${((100 * correct) / unique).toFixed(1)}%)` +
          `, ${byName} by name, ${ambiguous.length} ambiguous`,
      );
      // In every version, (metal, normalised name, country) names one id: no ambiguous rows.
      expect(ambiguous).toEqual([]);
      expect(correct).toBe(2 * expectedRows);
    });
  }

  it('without a country, every 6.5 name still resolves to its own id; the only same-key names across countries are told apart by their exact text', () => {
    const resolver = createSmelterResolver({ lookup: LOOKUP_65, graphSmelters: referenceGraphSmelters() });
    let correct = 0;
    for (const r of LOOKUP_65) {
      const result = resolver.resolve(claim({ metal: r.metal, name: r.lookupName }));
      if (result.smelterId === r.smelterId) correct += 1;
    }
    expect(correct).toBe(629);
    // "H.C. Starck Co., Ltd." (CID002544, TH), "H.C. Starck Inc." (CID002548, US) and "H.C. Starck Ltd."
    // (CID002549, JP) share the key "hcstarck".
    const starck = resolver.resolve(claim({ metal: 'tantalum', name: 'H.C. Starck Inc.' }));
    expect(starck).toMatchObject({ status: 'resolved_by_name', smelterId: 'CID002548', confidence: 0.95 });
    expect(starck.candidates.map((c) => [c.smelterId, c.score])).toEqual([
      ['CID002548', 0.95],
      ['CID002544', 0.9025],
      ['CID002549', 0.9025],
    ]);
    // The same key without the exact text: a tie, so unresolved, with all three as candidates.
    const tie = resolver.resolve(claim({ metal: 'tantalum', name: 'HC STARCK GMBH' }));
    expect(tie.status).toBe('unresolved');
    expect(tie.candidates.slice(0, 3).map((c) => c.smelterId)).toEqual(['CID002544', 'CID002548', 'CID002549']);
    // With the country, the key decides.
    expect(resolver.resolve(claim({ metal: 'tantalum', name: 'HC STARCK GMBH', countryCode: 'TH' }))).toMatchObject({
      status: 'resolved_by_name',
      smelterId: 'CID002544',
      confidence: 0.95,
    });
    expect(resolver.resolve(claim({ metal: 'tantalum', name: 'HC STARCK GMBH', countryCode: 'JP' })).smelterId).toBe('CID002549');
  });

  it('a 6.5 resolver resolves most names of older look-ups too (names RMI later dropped or renamed are the misses)', () => {
    const resolver = createSmelterResolver({ lookup: LOOKUP_65, graphSmelters: referenceGraphSmelters() });
    const known = new Set(LOOKUP_65.map((r) => r.smelterId));
    const figures: string[] = [];
    for (const { version, rows } of VERSIONS.slice(0, -1)) {
      const stillListed = rows.filter((r) => known.has(r.smelterId));
      const correct = stillListed.filter(
        (r) => resolver.resolve(claim({ metal: r.metal, name: r.lookupName, countryCode: r.countryCode })).smelterId === r.smelterId,
      ).length;
      const wrong = stillListed.filter((r) => {
        const got = resolver.resolve(claim({ metal: r.metal, name: r.lookupName, countryCode: r.countryCode })).smelterId;
        return got !== null && got !== r.smelterId;
      });
      figures.push(`${version}: ${correct}/${stillListed.length}`);
      // Never a wrong id: a miss comes back unresolved.
      expect(wrong.map((r) => `${r.smelterId} ${r.lookupName}`)).toEqual([]);
    }
    console.log(`[smelter resolution] older look-up rows whose id is still in 6.5, resolved by a 6.5 resolver: ${figures.join(', ')}`);
  });
});

describe('by id', () => {
  const resolver = createSmelterResolver({ lookup: LOOKUP_65, graphSmelters: referenceGraphSmelters() });

  it('an id with a fitting name resolves by id with confidence 1', () => {
    const r = resolver.resolve(claim({ metal: 'tin', smelterId: 'CID001070', name: 'China Tin Group Co., Ltd.', countryCode: 'CN' }));
    expect(r).toEqual({
      status: 'resolved_by_id',
      smelterId: 'CID001070',
      confidence: 1,
      candidates: [
        {
          smelterId: 'CID001070',
          name: 'China Tin Group Co., Ltd.',
          metal: 'tin',
          countryCode: 'CN',
          score: 1,
          reason: 'RMI id; name fits',
        },
      ],
    });
    // A look-up alias of that id, another spelling, or no name at all fit too.
    expect(resolver.resolve(claim({ metal: 'tin', smelterId: 'CID001070', name: 'Liuzhhou China Tin' })).status).toBe('resolved_by_id');
    expect(resolver.resolve(claim({ metal: 'tin', smelterId: 'CID001070', name: 'CHINA TIN GROUP CO LTD' })).confidence).toBe(1);
    expect(resolver.resolve(claim({ metal: 'tin', smelterId: 'CID001070', name: 'Smelter not listed' })).status).toBe('resolved_by_id');
    expect(resolver.resolve(claim({ metal: null, smelterId: 'CID001070', name: null })).smelterId).toBe('CID001070');
  });

  it('an id with a wrong name keeps the id and flags the mismatch, with what the name suggests', () => {
    const r = resolver.resolve(claim({ metal: 'tin', smelterId: 'CID001070', name: 'Minsur', countryCode: 'PE' }));
    expect(r.status).toBe('resolved_by_id');
    expect(r.smelterId).toBe('CID001070');
    expect(r.confidence).toBe(T.ID_MISMATCH_CONFIDENCE);
    expect(r.idMismatch).toEqual({ claimedId: 'CID001070', claimedName: 'Minsur', referenceName: 'China Tin Group Co., Ltd.' });
    expect(r.candidates[0]).toMatchObject({ smelterId: 'CID001070', score: T.ID_MISMATCH_CONFIDENCE });
    expect(r.candidates[1]).toMatchObject({ smelterId: 'CID001182', name: 'Minsur', score: 1 });
  });

  it('an id of another metal is ignored with a flag, and the row falls back to its name', () => {
    const r = resolver.resolve(claim({ metal: 'gold', smelterId: 'CID001070', name: 'Chimet S.p.A.', countryCode: 'IT' }));
    expect(r).toMatchObject({ status: 'resolved_by_name', smelterId: 'CID000233', confidence: 1 });
    expect(r.metalMismatch).toEqual({
      claimedId: 'CID001070',
      claimedMetal: 'gold',
      referenceMetal: 'tin',
      referenceName: 'China Tin Group Co., Ltd.',
    });
    const none = resolver.resolve(claim({ metal: 'gold', smelterId: 'CID001070', name: 'China Tin Group Co., Ltd.', countryCode: 'CN' }));
    expect(none.status).toBe('unresolved');
    expect(none.candidates.map((c) => c.smelterId)).not.toContain('CID001070');
    expect(none.metalMismatch?.referenceMetal).toBe('tin');
  });

  it.each([
    ['CID1070', 'CID001070'],
    [' cid001070 ', 'CID001070'],
    ['cid 001070', 'CID001070'],
    ['CID-001070', 'CID001070'],
    ['ＣＩＤ００１０７０', 'CID001070'],
    ['CID0027634', null],
    ['001070', null],
    ['CID', null],
    ['CIDABCDEF', null],
  ])('normalizeSmelterId(%j) = %j', (raw, expected) => {
    expect(normalizeSmelterId(raw)).toBe(expected);
  });

  it('normalises a sloppy id, flags a malformed or unknown one and falls back to the name, ignores placeholders', () => {
    for (const id of ['CID1070', ' cid001070 ']) {
      expect(resolver.resolve(claim({ metal: 'tin', smelterId: id, name: 'China Tin Group Co., Ltd.' }))).toMatchObject({
        status: 'resolved_by_id',
        smelterId: 'CID001070',
        confidence: 1,
      });
    }
    const malformed = resolver.resolve(claim({ metal: 'gold', smelterId: 'CID0027634', name: '8853 S.p.A.', countryCode: 'IT' }));
    expect(malformed).toMatchObject({
      status: 'resolved_by_name',
      smelterId: 'CID002763',
      unrecognizedId: { claimedId: 'CID0027634', reason: 'malformed' },
    });
    const unknown = resolver.resolve(claim({ metal: 'gold', smelterId: 'CID999999', name: 'Nothing Like Any Smelter' }));
    expect(unknown).toMatchObject({
      status: 'unresolved',
      smelterId: null,
      confidence: 0,
      unrecognizedId: { claimedId: 'CID999999', reason: 'unknown' },
    });
    for (const placeholder of ['', 'N/A', '-', 'unknown']) {
      expect(isPlaceholderSmelterId(placeholder)).toBe(true);
      const r = resolver.resolve(claim({ metal: 'gold', smelterId: placeholder, name: '8853 S.p.A.', countryCode: 'IT' }));
      expect(r).toEqual(expect.objectContaining({ status: 'resolved_by_name', smelterId: 'CID002763' }));
      expect(r.unrecognizedId).toBeUndefined();
    }
  });
});

describe('by name', () => {
  const resolver = createSmelterResolver({ lookup: LOOKUP_65, graphSmelters: referenceGraphSmelters() });

  it('scores exact, normalised, other-country and similar names on the documented scale', () => {
    expect(resolver.resolve(claim({ metal: 'tin', name: 'Minsur', countryCode: 'PE' }))).toMatchObject({
      status: 'resolved_by_name',
      confidence: 1,
    });
    expect(resolver.resolve(claim({ metal: 'tin', name: 'MINSUR S.A.', countryCode: 'PE' }))).toMatchObject({
      status: 'resolved_by_name',
      confidence: 0.95,
    });
    expect(resolver.resolve(claim({ metal: 'tin', name: 'Minsur', countryCode: 'BR' }))).toMatchObject({
      status: 'resolved_by_name',
      smelterId: 'CID001182',
      confidence: 0.8,
    });
    const typo = resolver.resolve(claim({ metal: 'gold', name: 'Heraues Germany GmbH Co. KG', countryCode: 'DE' }));
    expect(typo).toMatchObject({ status: 'resolved_by_name', smelterId: 'CID000711' });
    expect(typo.confidence).toBeCloseTo(0.9 * (1 - 1 / 14), 4); // "heraeusgermany" vs "herauesgermany": 1 transposition in 14
    expect(typo.candidates[0]?.reason).toBe('similar name "Heraeus Germany GmbH Co. KG" (0.93); same country');
  });

  it('leaves a name that is only a hint unresolved, with the candidates best first', () => {
    const r = resolver.resolve(claim({ metal: 'gold', name: 'Umicore', countryCode: 'BE' }));
    expect(r.status).toBe('unresolved');
    expect(r.smelterId).toBeNull();
    expect(r.confidence).toBe(0);
    expect(r.candidates[0]?.smelterId).toBe('CID001980');
    expect(r.candidates.length).toBeLessThanOrEqual(T.MAX_CANDIDATES);
    for (let i = 1; i < r.candidates.length; i++) {
      const [a, b] = [r.candidates[i - 1]!, r.candidates[i]!];
      expect(a.score > b.score || (a.score === b.score && a.smelterId < b.smelterId)).toBe(true);
    }
  });

  it('uses the Smelter Look-up column when the name column is a placeholder', () => {
    expect(isPlaceholderSmelterName('Smelter not yet identified')).toBe(true);
    const r = resolver.resolve(claim({ metal: 'tin', name: 'Unknown', lookupName: 'Minsur', countryCode: 'PE' }));
    expect(r).toMatchObject({ status: 'resolved_by_name', smelterId: 'CID001182' });
    expect(resolver.resolve(claim({ metal: 'tin', name: 'Smelter not listed', lookupName: 'Smelter not listed' }))).toEqual({
      status: 'unresolved',
      smelterId: null,
      confidence: 0,
      candidates: [],
    });
  });

  it("resolves to a graph-only smelter (an earlier import's local id) by its name", () => {
    const local: KnownSmelter = { id: 'local:tin:ID:pt-foo-tin', name: 'PT Foo Tin Smelter', aliases: [], metal: 'tin', country: 'ID' };
    const r = createSmelterResolver({ lookup: LOOKUP_65, graphSmelters: [...referenceGraphSmelters(), local] }).resolve(
      claim({ metal: 'tin', name: 'FOO TIN SMELTER', countryCode: 'ID' }),
    );
    expect(r).toMatchObject({ status: 'resolved_by_name', smelterId: 'local:tin:ID:pt-foo-tin', confidence: 0.95 });
    expect(r.decision).toBeUndefined();
  });

  it('lets the graph win over the look-up for metal and country', () => {
    const moved = referenceGraphSmelters().map((s) => (s.id === 'CID001182' ? { ...s, country: 'BR' } : s));
    const r = createSmelterResolver({ lookup: LOOKUP_65, graphSmelters: moved }).resolve(
      claim({ metal: 'tin', name: 'Minsur', countryCode: 'BR' }),
    );
    expect(r).toMatchObject({ smelterId: 'CID001182', confidence: 1 });
    expect(r.candidates[0]).toMatchObject({ countryCode: 'BR' });
  });

  it('gives the same answers whatever the order of its inputs (fast-check)', () => {
    const graph = referenceGraphSmelters();
    const base = createSmelterResolver({ lookup: LOOKUP_65, graphSmelters: graph });
    const claims: SmelterClaim[] = [
      claim({ metal: 'tantalum', name: 'HC STARCK GMBH' }),
      claim({ metal: 'gold', name: 'Umicore' }),
      claim({ metal: 'tin', name: 'Yunnan Tin' }),
      claim({ metal: 'gold', name: 'Johnson Matthey' }),
      claim({ metal: null, name: 'H.C. Starck Smelting GmbH & Co. KG' }),
    ];
    const expected = claims.map((c) => base.resolve(c));
    fc.assert(
      fc.property(
        fc.shuffledSubarray(LOOKUP_65, { minLength: LOOKUP_65.length }),
        fc.shuffledSubarray(graph, { minLength: graph.length }),
        (lookup, smelters) => {
          const r = createSmelterResolver({ lookup, graphSmelters: smelters });
          expect(claims.map((c) => r.resolve(c))).toEqual(expected);
        },
      ),
      { numRuns: 15 },
    );
  }, 60_000);
});

describe('user decisions stored in the graph', () => {
  const withDecision = (id: string, change: Partial<KnownSmelter>): KnownSmelter[] =>
    referenceGraphSmelters().map((s) => (s.id === id ? { ...s, ...change, aliases: [...s.aliases, ...(change.aliases ?? [])] } : s));

  it('a confirmed name (an alias the look-up does not have) resolves by name, confidence 1, in any country', () => {
    const before = createSmelterResolver({ lookup: LOOKUP_65, graphSmelters: referenceGraphSmelters() }).resolve(
      claim({ metal: 'tin', name: 'Liuzhou Tin Works', countryCode: 'HK' }),
    );
    expect(before.status).toBe('unresolved');
    const resolver = createSmelterResolver({
      lookup: LOOKUP_65,
      graphSmelters: withDecision('CID001070', { aliases: ['Liuzhou Tin Works'] }),
    });
    const after = resolver.resolve(claim({ metal: 'tin', name: 'LIUZHOU TIN WORKS LTD.', countryCode: 'HK' }));
    expect(after).toMatchObject({ status: 'resolved_by_name', smelterId: 'CID001070', confidence: 1, decision: 'confirmed' });
    expect(after.candidates[0]?.reason).toBe('confirmed by a user: "Liuzhou Tin Works" is this smelter');
    // A confirmed name also fits the id.
    expect(resolver.resolve(claim({ metal: 'tin', smelterId: 'CID001070', name: 'Liuzhou Tin Works' }))).toMatchObject({
      status: 'resolved_by_id',
      decision: 'confirmed',
    });
    // Not for another metal.
    expect(resolver.resolve(claim({ metal: 'gold', name: 'Liuzhou Tin Works' })).smelterId).toBeNull();
  });

  it('an alias the look-up has is reference data, not a decision', () => {
    const r = createSmelterResolver({ lookup: LOOKUP_65, graphSmelters: referenceGraphSmelters() }).resolve(
      claim({ metal: 'tin', name: 'Liuzhhou China Tin', countryCode: 'CN' }),
    );
    expect(r).toMatchObject({ status: 'resolved_by_name', smelterId: 'CID001070', confidence: 1 });
    expect(r.decision).toBeUndefined();
  });

  it('a rejected name never proposes that smelter again, by name or by id', () => {
    const resolver = createSmelterResolver({
      lookup: LOOKUP_65,
      graphSmelters: withDecision('CID001182', { rejectedNames: ['MINSUR S.A.'] }),
    });
    const r = resolver.resolve(claim({ metal: 'tin', name: 'Minsur', countryCode: 'PE' }));
    expect(r).toMatchObject({ status: 'unresolved', smelterId: null, decision: 'rejected' });
    expect(r.candidates.map((c) => c.smelterId)).not.toContain('CID001182');
    const byId = resolver.resolve(claim({ metal: 'tin', smelterId: 'CID001182', name: 'minsur', countryCode: 'PE' }));
    expect(byId).toMatchObject({
      status: 'unresolved',
      decision: 'rejected',
      idMismatch: { claimedId: 'CID001182', claimedName: 'minsur', referenceName: 'Minsur' },
    });
    // Other names of that smelter still resolve to it.
    expect(resolver.resolve(claim({ metal: 'tin', name: 'Funsur Smelter', countryCode: 'PE' })).smelterId).toBe('CID001182');
  });

  it('for any look-up name, rejecting it for its smelter removes that smelter from every answer for it (fast-check)', () => {
    const graph = referenceGraphSmelters();
    fc.assert(
      fc.property(fc.constantFrom(...LOOKUP_65), fc.boolean(), fc.boolean(), (row, giveId, giveCountry) => {
        const smelters = graph.map((s) => (s.id === row.smelterId ? { ...s, rejectedNames: [row.lookupName] } : s));
        const r = createSmelterResolver({ lookup: LOOKUP_65, graphSmelters: smelters }).resolve(
          claim({
            metal: row.metal,
            smelterId: giveId ? row.smelterId : null,
            name: row.lookupName,
            countryCode: giveCountry ? row.countryCode : null,
          }),
        );
        expect(r.smelterId).not.toBe(row.smelterId);
        expect(r.candidates.map((c) => c.smelterId)).not.toContain(row.smelterId);
        expect(r.decision).toBe('rejected');
      }),
      // Each run builds a resolver (~40 ms).
      { numRuns: 60 },
    );
  }, 60_000);
});

describe('perturbed look-up names (fast-check)', () => {
  const resolver = createSmelterResolver({ lookup: LOOKUP_65, graphSmelters: referenceGraphSmelters() });
  const SEPARATORS = [' ', '  ', '. ', ', ', ' - ', '\t', '.', '-', ' / '];
  const SUFFIXES = [
    ' Co., Ltd.',
    ' Ltd',
    ', Inc.',
    ' GmbH',
    ' LLC',
    ' Limited',
    ' Corp.',
    ' Company Limited',
    ' Group Co., Ltd.',
    ' Corporation',
  ];
  const TRAILING_FORM = /[\s,.]+(?:Ltd\.?|Limited|Inc\.?|LLC|GmbH|Corp\.?|Corporation|Company)\s*$/i;

  /** What suppliers do to a name: case, punctuation and spacing, a legal form more or less, accents dropped. */
  const perturbation = fc.record({
    caseMode: fc.constantFrom('upper', 'lower', 'mixed', 'keep'),
    mixedCase: fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }),
    separators: fc.array(fc.constantFrom(...SEPARATORS), { minLength: 1, maxLength: 16 }),
    suffix: fc.option(fc.constantFrom(...SUFFIXES), { nil: undefined }),
    dropTrailingForm: fc.boolean(),
    stripAccents: fc.boolean(),
    padding: fc.constantFrom('', ' ', '\t ', '  '),
  });

  type Perturbation = typeof perturbation extends fc.Arbitrary<infer P> ? P : never;

  function perturb(name: string, p: Perturbation): string {
    let s = name;
    if (p.dropTrailingForm && TRAILING_FORM.test(s) && s.replace(TRAILING_FORM, '').trim() !== '') s = s.replace(TRAILING_FORM, '');
    if (p.stripAccents) s = s.normalize('NFD').replace(/\p{M}+/gu, '');
    let k = 0;
    s = s.replace(/[\s.,\-_/()]+/g, () => p.separators[k++ % p.separators.length]!);
    if (p.suffix) s += p.suffix;
    let j = 0;
    s = s.replace(/[A-Za-z]/g, (c) => {
      if (p.caseMode === 'upper') return c.toUpperCase();
      if (p.caseMode === 'lower') return c.toLowerCase();
      if (p.caseMode === 'mixed') return p.mixedCase[j++ % p.mixedCase.length] ? c.toUpperCase() : c.toLowerCase();
      return c;
    });
    return p.padding + s + p.padding;
  }

  it('still resolve to the same id', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LOOKUP_65), fc.constantFrom('lookupName', 'standardName' as const), perturbation, (row, field, p) => {
        const name = perturb(row[field as 'lookupName' | 'standardName'], p);
        const r = resolver.resolve(claim({ metal: row.metal, name, countryCode: row.countryCode }));
        expect(r, JSON.stringify(name)).toMatchObject({ status: 'resolved_by_name', smelterId: row.smelterId });
        expect(r.confidence).toBeGreaterThanOrEqual(0.95);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('input validation', () => {
  const resolver = createSmelterResolver({ lookup: LOOKUP_65, graphSmelters: [] });

  it('rejects a claim with an unknown metal or a country that is not alpha-2, naming the field', () => {
    expect(() => resolver.resolve(claim({ metal: 'iron' as Metal, name: 'X' }))).toThrow(ValidationError);
    try {
      resolver.resolve(claim({ metal: 'tin', name: 'X', countryCode: 'Peru' }));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).fields).toEqual([{ path: 'countryCode', message: '"Peru" is not an ISO 3166-1 alpha-2 code' }]);
    }
    // Lower case and blanks are forgiven.
    expect(resolver.resolve(claim({ metal: 'tin', name: 'Minsur', countryCode: ' pe ' })).confidence).toBe(1);
    expect(resolver.resolve(claim({ metal: 'tin', name: 'Minsur', countryCode: '' })).confidence).toBe(0.95);
  });

  it('rejects look-up rows and graph smelters it cannot use', () => {
    const bad = { ...LOOKUP_65[0]!, smelterId: 'CID12345678' };
    expect(() => createSmelterResolver({ lookup: [bad], graphSmelters: [] })).toThrow(/lookup\[0\]\.smelterId/);
    expect(() =>
      createSmelterResolver({ lookup: [], graphSmelters: [{ id: 'x', name: 'X', aliases: [], metal: 'tin', country: 'Peru' }] }),
    ).toThrow(ValidationError);
  });
});

describe('work on the 6.5 look-up (counted, not timed: speed is for the benchmarks)', () => {
  it("resolves every row by its exact name without a similarity scan, by id comparing only the id's names, and a typo scanning a few names of its metal", () => {
    const graph = referenceGraphSmelters();
    const resolver = createSmelterResolver({ lookup: LOOKUP_65, graphSmelters: graph });
    const exact = LOOKUP_65.map((r) => claim({ metal: r.metal, name: r.lookupName, countryCode: r.countryCode }));
    const byId = LOOKUP_65.map((r) => claim({ metal: r.metal, smelterId: r.smelterId, name: r.lookupName, countryCode: r.countryCode }));
    // One swapped letter pair in the middle: the similarity scan over the names of the metal.
    const typos = LOOKUP_65.map((r) => {
      const n = r.lookupName;
      const i = Math.floor(n.length / 2);
      return claim({ metal: r.metal, name: n.slice(0, i - 1) + n[i] + n[i - 1] + n.slice(i + 1), countryCode: r.countryCode });
    });
    const workOf = (claims: SmelterClaim[]) => {
      const before = { ...resolver.work };
      const ids = claims.map((c) => resolver.resolve(c).smelterId);
      const after = resolver.work;
      return { ids, compared: after.namesCompared - before.namesCompared, postings: after.postingsRead - before.postingsRead };
    };
    const rowsOfId = new Map<string, number>();
    const idsOfMetal = new Map<Metal, Set<string>>();
    for (const r of LOOKUP_65) {
      rowsOfId.set(r.smelterId, (rowsOfId.get(r.smelterId) ?? 0) + 1);
      idsOfMetal.set(r.metal, (idsOfMetal.get(r.metal) ?? new Set()).add(r.smelterId));
    }

    // A same-name match wins beyond what a similar name could score: no scan at all.
    const byExactName = workOf(exact);
    expect(byExactName.ids).toEqual(LOOKUP_65.map((r) => r.smelterId));
    expect(byExactName).toMatchObject({ compared: 0, postings: 0 });

    // By id: the row's name against the names of that id only (a look-up and a standard name per row).
    const byIdWork = workOf(byId);
    expect(byIdWork.ids).toEqual(LOOKUP_65.map((r) => r.smelterId));
    expect(byIdWork.postings).toBe(0);
    expect(byIdWork.compared).toBeLessThanOrEqual(LOOKUP_65.reduce((n, r) => n + 2 * rowsOfId.get(r.smelterId)!, 0));

    // A typo: the index lets through a few of the names a full scan would score (at least one per smelter of the metal).
    const typoWork = workOf(typos);
    const fullScanAtLeast = LOOKUP_65.reduce((n, r) => n + idsOfMetal.get(r.metal)!.size, 0);
    expect(typoWork.compared).toBeLessThan(fullScanAtLeast / 10);
    const typoResolved = typoWork.ids.filter((id, i) => id === LOOKUP_65[i]!.smelterId).length;
    const typoWrong = typoWork.ids.filter((id, i) => id !== null && id !== LOOKUP_65[i]!.smelterId).length;
    expect(typoWrong).toBe(0);
    expect(typoResolved).toBeGreaterThan(LOOKUP_65.length * 0.65);
  }, 60_000);
});

describe('bounded matching: the answers of the full scan, with work that follows the few names that can match', () => {
  const graph = referenceGraphSmelters();
  const METALS_OF_LOOKUP = [...new Set(LOOKUP_65.map((r) => r.metal))];
  const edit = typoEdit('a', 'e', 'x', ' ', '-', '1');
  const lookupName = fc.constantFrom(...LOOKUP_65).chain((r) => fc.constantFrom(r.lookupName, r.standardName));
  /** A look-up name with typos, two names glued, a word of one, or letters at random. */
  const claimedName = fc.oneof(
    fc.tuple(lookupName, fc.array(edit, { maxLength: 5 })).map(([n, edits]) => typoed(n, edits)),
    fc.tuple(lookupName, lookupName).map(([a, b]) => `${a.split(' ')[0]} ${b.split(' ').slice(1).join(' ')}`),
    fc.string({ unit: fc.constantFrom(...'aeinorstu tinmetal'.split('')), maxLength: 40 }),
  );
  // Near duplicates in the graph (a typo of a look-up name, a user's confirmed or rejected name) make ties and margins.
  const graphSmelters = fc
    .array(
      fc.record({
        row: fc.constantFrom(...LOOKUP_65),
        name: claimedName,
        alias: fc.option(claimedName, { nil: undefined }),
        rejected: fc.option(claimedName, { nil: undefined }),
      }),
      { maxLength: 8 },
    )
    .map((extra) => [
      ...graph.map((s) => {
        const change = extra.find((e) => e.row.smelterId === s.id);
        return change
          ? {
              ...s,
              aliases: change.alias ? [...s.aliases, change.alias] : s.aliases,
              rejectedNames: change.rejected ? [change.rejected] : [],
            }
          : s;
      }),
      ...extra.map((e, i) => ({
        id: `local-${i}`,
        name: e.name,
        aliases: [],
        metal: e.row.metal,
        country: e.row.countryCode,
        rejectedNames: [],
      })),
    ]);
  const claims = fc.array(
    fc.record({
      metal: fc.option(fc.constantFrom(...METALS_OF_LOOKUP), { nil: null, freq: 8 }),
      name: fc.option(claimedName, { nil: null, freq: 10 }),
      lookupName: fc.option(claimedName, { nil: null, freq: 2 }),
      smelterId: fc.option(fc.oneof(fc.constantFrom(...LOOKUP_65.map((r) => r.smelterId)), fc.constant('CID12')), { nil: null, freq: 3 }),
      countryCode: fc.option(fc.constantFrom(...new Set(LOOKUP_65.map((r) => r.countryCode))), { nil: null, freq: 2 }),
    }),
    { minLength: 1, maxLength: 6 },
  );

  it('resolves random names exactly as the full scan with full edit tables did: status, candidates, scores, order, reasons (fast-check)', () => {
    fc.assert(
      fc.property(graphSmelters, claims, (smelters, cs) => {
        const bounded = createSmelterResolver({ lookup: LOOKUP_65, graphSmelters: smelters });
        const full = createOracleSmelterResolver({ lookup: LOOKUP_65, graphSmelters: smelters });
        for (const c of cs) expect(bounded.resolve(c), JSON.stringify(c)).toEqual(full.resolve(c));
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  /** The hostile case of the Trust issue at the name cap: 2,000 tin smelters of 200 characters, nearly the same. */
  const nearlySame = Array.from(
    { length: 2000 },
    (_, i): KnownSmelter => ({
      id: `CAP-${i}`,
      name: `q${'a'.repeat(195)}${i.toString(16).padStart(4, '0')}`,
      aliases: [],
      metal: 'tin',
      country: 'CN',
    }),
  );
  const hostileQuery = claim({ metal: 'tin', name: `q${'a'.repeat(185)}zz${'a'.repeat(12)}` });

  it("fills at most (2k + 1) · n edit cells per name compared, k = what TYPO_FLOOR allows at n = 200, and gives the full scan's answer", () => {
    const resolver = createSmelterResolver({ lookup: LOOKUP_65, graphSmelters: nearlySame });
    const before = { ...resolver.work };
    const answer = resolver.resolve(hostileQuery);
    const compared = resolver.work.namesCompared - before.namesCompared;
    const cells = resolver.work.editCells - before.editCells;
    const n = 200;
    const k = Math.floor((1 - 0.84) * n + 1e-9); // 32
    expect(compared).toBeGreaterThanOrEqual(2000); // every one of them is similar: all are scored
    expect(compared).toBeLessThanOrEqual(2000 + LOOKUP_65.length);
    expect(cells).toBeLessThanOrEqual(compared * (2 * k + 1) * n); // the full tables: compared · n · n
    expect(answer).toEqual(createOracleSmelterResolver({ lookup: LOOKUP_65, graphSmelters: nearlySame }).resolve(hostileQuery));
    expect(answer.candidates).toHaveLength(5);
  }, 60_000);

  it('scores only the names that can match: a real name among the 2,000 long ones compares a few dozen names, not thousands', () => {
    const resolver = createSmelterResolver({ lookup: LOOKUP_65, graphSmelters: [...graph, ...nearlySame] });
    const tinNames = LOOKUP_65.filter((r) => r.metal === 'tin').length * 2 + nearlySame.length;
    for (const name of ['Minsur', 'Yunnan Tn Company', 'PT Timah Kundur', 'Malaysia Smelting Corporaton']) {
      const before = { ...resolver.work };
      const answer = resolver.resolve(claim({ metal: 'tin', name }));
      const compared = resolver.work.namesCompared - before.namesCompared;
      expect(compared, name).toBeLessThan(tinNames / 10);
      expect(resolver.work.editCells - before.editCells, name).toBeLessThanOrEqual(compared * 2 * 200);
      expect(answer, name).toEqual(
        createOracleSmelterResolver({ lookup: LOOKUP_65, graphSmelters: [...graph, ...nearlySame] }).resolve(claim({ metal: 'tin', name })),
      );
    }
  }, 60_000);
});
