import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import defaultPolicyJson from '../../../seeds/risk-policy/default-policy.json' with { type: 'json' };
import {
  intrinsicRisk,
  mergePolicy,
  RiskPolicyOverrideSchema,
  RiskPolicySchema,
  type RiskPolicy,
  sharedIntrinsicRisk,
} from '../../../graph/analyses/risk-policy.js';
import { DEFAULT_RISK_POLICY } from '../../../server/analytics/risk-policies.js';
import type { GraphNodeInput } from '../../../graph/model.js';
import { nodeIndex, type Snapshot } from '../../../graph/snapshot.js';
import { company, smelter, snapshotOf } from '../graph-builders.js';

function riskOf(s: Snapshot, policy: RiskPolicy, id: string, label?: 'Company' | 'Smelter' | 'Country'): number {
  return intrinsicRisk(s, policy)[nodeIndex(s, id, label)!]!;
}

const countries: GraphNodeInput[] = [
  { label: 'Country', id: 'CD', name: 'DRC', cahra: true, lists: ['EU-CAHRA', 'DFA-1502'] },
  { label: 'Country', id: 'RW', name: 'Rwanda', cahra: true, lists: ['DFA-1502'] },
  { label: 'Country', id: 'VE', name: 'Venezuela', cahra: true, lists: ['EU-CAHRA'] },
  { label: 'Country', id: 'XX', name: 'Hand-flagged', cahra: true },
  { label: 'Country', id: 'YY', name: 'Custom-listed', cahra: true, lists: ['MY-LIST'] },
  { label: 'Country', id: 'PE', name: 'Peru' },
  { label: 'Country', id: 'BO', name: 'Bolivia', riskScore: 0.7 },
  { label: 'Country', id: 'CF', name: 'CAR', cahra: true, lists: ['EU-CAHRA'], riskScore: 0.2 },
];

describe('the default risk policy', () => {
  it('loads from the shipped JSON, validated, with a version', () => {
    expect(DEFAULT_RISK_POLICY).toEqual(RiskPolicySchema.parse(defaultPolicyJson));
    expect(DEFAULT_RISK_POLICY.version).toBe('2026-11-default-1');
    expect(DEFAULT_RISK_POLICY.decay).toBeGreaterThan(0);
    expect(DEFAULT_RISK_POLICY.decay).toBeLessThanOrEqual(1);
    expect(DEFAULT_RISK_POLICY.countries.cahraLists).toEqual(['EU-CAHRA', 'DFA-1502']);
  });

  it('registers the schema as RiskPolicy', () => {
    expect(RiskPolicySchema.meta()?.id).toBe('RiskPolicy');
    expect(RiskPolicyOverrideSchema.parse({ decay: 0.5, companies: { humanRights: { high: 1 } } })).toEqual({
      decay: 0.5,
      companies: { humanRights: { high: 1 } },
    });
    expect(() => RiskPolicyOverrideSchema.parse({ decay: 2 })).toThrow();
  });

  it('rejects SAQ bands out of order or leaving low scores uncovered, and decay outside (0, 1]', () => {
    const bad = (patch: object): boolean => !RiskPolicySchema.safeParse({ ...structuredClone(DEFAULT_RISK_POLICY), ...patch }).success;
    const companies = DEFAULT_RISK_POLICY.companies;
    expect(
      bad({
        companies: {
          ...companies,
          saqBands: [
            { minScore: 65, risk: 0.2 },
            { minScore: 85, risk: 0.05 },
            { minScore: 0, risk: 0.6 },
          ],
        },
      }),
    ).toBe(true);
    expect(
      bad({
        companies: {
          ...companies,
          saqBands: [
            { minScore: 85, risk: 0.05 },
            { minScore: 10, risk: 0.6 },
          ],
        },
      }),
    ).toBe(true);
    expect(bad({ decay: 0 })).toBe(true);
    expect(bad({ decay: 1.01 })).toBe(true);
    expect(bad({ decay: 1 })).toBe(false);
    expect(bad({ unknownField: 1 })).toBe(true);
  });
});

describe('intrinsicRisk', () => {
  it('rates countries by the lists the policy counts, the hand-set flag, and their own riskScore (max by default)', () => {
    const s = snapshotOf(countries);
    const p = DEFAULT_RISK_POLICY;
    expect(riskOf(s, p, 'CD')).toBe(0.9);
    expect(riskOf(s, p, 'RW')).toBe(0.9);
    expect(riskOf(s, p, 'VE')).toBe(0.9);
    expect(riskOf(s, p, 'XX')).toBe(0.9); // flagged, names no list
    expect(riskOf(s, p, 'YY')).toBe(0.05); // names only a list the policy does not count
    expect(riskOf(s, p, 'PE')).toBe(0.05);
    expect(riskOf(s, p, 'BO')).toBe(0.7); // its riskScore raises it
    expect(riskOf(s, p, 'CF')).toBe(0.9); // a listed CAHRA's riskScore cannot lower it under "max"
  });

  it('lets the policy choose which lists count, and how riskScore combines', () => {
    const s = snapshotOf(countries);
    const dfaOnly = mergePolicy(DEFAULT_RISK_POLICY, { countries: { cahraLists: ['DFA-1502', 'MY-LIST'], unlistedCahraFlag: false } });
    expect(riskOf(s, dfaOnly, 'VE')).toBe(0.05);
    expect(riskOf(s, dfaOnly, 'RW')).toBe(0.9);
    expect(riskOf(s, dfaOnly, 'YY')).toBe(0.9);
    expect(riskOf(s, dfaOnly, 'XX')).toBe(0.05);
    const override = mergePolicy(DEFAULT_RISK_POLICY, { countries: { riskScore: 'override' } });
    expect(riskOf(s, override, 'CF')).toBe(0.2);
    expect(riskOf(s, override, 'BO')).toBe(0.7);
    const ignore = mergePolicy(DEFAULT_RISK_POLICY, { countries: { riskScore: 'ignore' } });
    expect(riskOf(s, ignore, 'BO')).toBe(0.05);
    expect(riskOf(s, ignore, 'CF')).toBe(0.9);
  });

  it('rates smelters by RMAP status, and recycled ones as recycled whatever their status', () => {
    const sm = (
      id: string,
      rmapStatus?: 'conformant' | 'active' | 'non_conformant' | 'not_enrolled' | 'unknown',
      recycledOrScrap?: boolean,
    ): GraphNodeInput =>
      smelter(id, { country: 'CD', ...(rmapStatus ? { rmapStatus } : {}), ...(recycledOrScrap ? { recycledOrScrap } : {}) });
    const s = snapshotOf([
      ...countries,
      sm('S1', 'conformant'),
      sm('S2', 'active'),
      sm('S3', 'non_conformant'),
      sm('S4', 'not_enrolled'),
      sm('S5'),
      sm('S6', 'non_conformant', true),
    ]);
    const p = DEFAULT_RISK_POLICY;
    expect(['S1', 'S2', 'S3', 'S4', 'S5', 'S6'].map((id) => riskOf(s, p, id))).toEqual([0.05, 0.25, 0.9, 0.8, 0.6, 0.05]);
  });

  it('rates companies by SAQ band, human-rights flag and CAHRA location, combined by noisy-or or max', () => {
    const co = (id: string, country: string, saqScore?: number, humanRightsRisk?: 'low' | 'medium' | 'high'): GraphNodeInput =>
      company(id, { country, ...(saqScore !== undefined ? { saqScore } : {}), ...(humanRightsRisk ? { humanRightsRisk } : {}) });
    const s = snapshotOf([
      ...countries,
      co('a', 'JP', 90),
      co('b', 'JP', 85),
      co('c', 'JP', 84.9),
      co('d', 'JP', 65),
      co('e', 'JP', 10),
      co('f', 'JP'),
      co('g', 'JP', 90, 'high'),
      co('h', 'CD'),
      co('i', 'YY', 70, 'medium'),
      co('j', 'PE', 0, 'low'),
    ]);
    const p = DEFAULT_RISK_POLICY;
    const r = (id: string): number => riskOf(s, p, id);
    expect([r('a'), r('b'), r('c'), r('d'), r('e'), r('f')]).toEqual([0.05, 0.05, 0.25, 0.25, 0.6, 0.3]);
    expect(r('g')).toBeCloseTo(1 - 0.95 * 0.3, 15);
    expect(r('h')).toBeCloseTo(1 - 0.7 * 0.6, 15);
    expect(r('i')).toBeCloseTo(1 - 0.75 * 0.7, 15); // YY's list is not counted: no location factor
    expect(r('j')).toBeCloseTo(1 - 0.4 * 0.95, 15);
    const max = mergePolicy(p, { companies: { combine: 'max' } });
    expect(riskOf(s, max, 'g')).toBe(0.7);
    expect(riskOf(s, max, 'h')).toBe(0.4);
    expect(riskOf(s, max, 'i')).toBe(0.3);
  });

  it('is shared per snapshot and policy object by sharedIntrinsicRisk', () => {
    const s = snapshotOf(countries);
    const other = mergePolicy(DEFAULT_RISK_POLICY, { countries: { cahra: 0.5 } });
    const a = sharedIntrinsicRisk(s, DEFAULT_RISK_POLICY);
    expect(sharedIntrinsicRisk(s, DEFAULT_RISK_POLICY)).toBe(a);
    expect([...a]).toEqual([...intrinsicRisk(s, DEFAULT_RISK_POLICY)]);
    expect(sharedIntrinsicRisk(s, other)[nodeIndex(s, 'CD')!]).toBe(0.5);
    expect(sharedIntrinsicRisk(snapshotOf(countries), DEFAULT_RISK_POLICY)).not.toBe(a);
  });

  it('stays in [0, 1], and noisy-or never rates a company below max, for any policy and company', () => {
    const risk = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(
        fc.record({
          saq: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined }),
          hr: fc.constantFrom(undefined, 'low', 'medium', 'high'),
          inCahra: fc.boolean(),
        }),
        fc.record({
          absent: risk,
          low: risk,
          medium: risk,
          high: risk,
          loc: risk,
          b1: risk,
          b2: risk,
          cut: fc.double({ min: 1, max: 100, noNaN: true }),
        }),
        (company, q) => {
          const s = snapshotOf([
            ...countries,
            {
              label: 'Company',
              id: 'x',
              name: 'x',
              country: company.inCahra ? 'CD' : 'PE',
              ...(company.saq !== undefined ? { saqScore: company.saq } : {}),
              ...(company.hr ? { humanRightsRisk: company.hr as 'low' } : {}),
            },
          ]);
          const companies = {
            saqBands: [
              { minScore: q.cut, risk: q.b1 },
              { minScore: 0, risk: q.b2 },
            ],
            saqAbsent: q.absent,
            humanRights: { low: q.low, medium: q.medium, high: q.high },
            cahraLocation: q.loc,
          };
          const noisy = riskOf(s, mergePolicy(DEFAULT_RISK_POLICY, { companies: { ...companies, combine: 'noisyOr' } }), 'x');
          const max = riskOf(s, mergePolicy(DEFAULT_RISK_POLICY, { companies: { ...companies, combine: 'max' } }), 'x');
          const saq = company.saq === undefined ? q.absent : company.saq >= q.cut ? q.b1 : q.b2;
          const hr = company.hr === undefined ? 0 : q[company.hr as 'low' | 'medium' | 'high'];
          expect(max).toBe(Math.max(saq, hr, company.inCahra ? q.loc : 0));
          expect(noisy).toBeGreaterThanOrEqual(max - 1e-15);
          expect(noisy).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('mergePolicy', () => {
  it('merges objects field by field, replaces arrays, and marks the version as overridden', () => {
    const p = mergePolicy(DEFAULT_RISK_POLICY, {
      decay: 0.5,
      smelters: { rmapStatus: { active: 0.4 } },
      countries: { cahraLists: ['DFA-1502'] },
    });
    expect(p.decay).toBe(0.5);
    expect(p.smelters.rmapStatus).toEqual({ ...DEFAULT_RISK_POLICY.smelters.rmapStatus, active: 0.4 });
    expect(p.smelters.recycled).toBe(DEFAULT_RISK_POLICY.smelters.recycled);
    expect(p.countries.cahraLists).toEqual(['DFA-1502']);
    expect(p.version).toBe('2026-11-default-1+override');
    expect(DEFAULT_RISK_POLICY.decay).toBe(0.8); // the base is untouched
    expect(DEFAULT_RISK_POLICY.smelters.rmapStatus.active).toBe(0.25);
  });

  it('keeps a version the override names, and the base itself when nothing changes', () => {
    expect(mergePolicy(DEFAULT_RISK_POLICY, { version: 'mine-1', decay: 0.5 }).version).toBe('mine-1');
    expect(mergePolicy(DEFAULT_RISK_POLICY, {})).toBe(DEFAULT_RISK_POLICY);
    expect(mergePolicy(DEFAULT_RISK_POLICY, undefined)).toBe(DEFAULT_RISK_POLICY);
    expect(mergePolicy(DEFAULT_RISK_POLICY, { decay: 0.8 }).version).toBe('2026-11-default-1');
  });

  it('validates the result', () => {
    expect(() => mergePolicy(DEFAULT_RISK_POLICY, { decay: 0 })).toThrow(/decay/);
    expect(() => mergePolicy(DEFAULT_RISK_POLICY, { smelters: { recycled: 1.5 } })).toThrow(/recycled/);
  });
});
