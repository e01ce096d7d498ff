/**
 * The risk policy (README, "The API in brief"; seeds/risk-policy/README.md): the versioned data that turns node properties into an
 * intrinsic risk r(v) in [0, 1], plus the per-tier decay and the high-risk threshold that risk
 * propagation and risk paths use. Policy is data, not code, and an argument of the engine: the
 * default ships as seeds/risk-policy/default-policy.json (its README says what each number means
 * and why), which the server loads (server/analytics/risk-policies.ts) and passes in; a request may
 * override parts of it with `mergePolicy`.
 */
import { z } from 'zod';
import { RMAP_STATUSES } from '../model.js';
import { memoOf } from '../memo.js';
import { HUMAN_RIGHTS_CODES, LABEL_CODES, NOT_A_SMELTER, type Snapshot } from '../snapshot.js';

const Risk = z.number().min(0, 'must be at least 0').max(1, 'must be at most 1');

const SaqBandSchema = z
  .object({
    minScore: z.number().min(0).max(100).describe('The band applies to SAQ scores at or above this'),
    risk: Risk,
  })
  .strict();

const CountryPolicySchema = z
  .object({
    cahraLists: z
      .array(z.string().trim().min(1).max(100))
      .max(50)
      .describe('The lists (Country.lists) that count as CAHRA lists: a country on any of them is a CAHRA'),
    unlistedCahraFlag: z
      .boolean()
      .describe('Whether a country flagged cahra: true that names no list at all (hand-entered data) counts as a CAHRA'),
    cahra: Risk.describe('Risk of a CAHRA country'),
    nonCahra: Risk.describe('Risk of any other country'),
    riskScore: z
      .enum(['override', 'max', 'ignore'])
      .describe("How a country's own riskScore combines with the list-based risk: replace it, take the larger, or ignore it"),
  })
  .strict();

const SmelterPolicySchema = z
  .object({
    rmapStatus: z
      .object({ conformant: Risk, active: Risk, non_conformant: Risk, not_enrolled: Risk, unknown: Risk })
      .strict()
      .describe('Risk of a smelter by RMAP status'),
    recycled: Risk.describe('Risk of a recycled/scrap smelter, whatever its RMAP status'),
  })
  .strict();

const CompanyPolicySchema = z
  .object({
    saqBands: z
      .array(SaqBandSchema)
      .min(1)
      .max(20)
      .describe('SAQ score bands, highest minScore first; the first band whose minScore the score reaches applies'),
    saqAbsent: Risk.describe('The SAQ factor of a company without an SAQ score'),
    humanRights: z.object({ low: Risk, medium: Risk, high: Risk }).strict().describe('The human-rights factor by flag (no flag: 0)'),
    cahraLocation: Risk.describe('The location factor of a company whose country is a CAHRA under this policy (else 0)'),
    combine: z
      .enum(['max', 'noisyOr'])
      .describe('How the three company factors combine: the largest, or 1 − Π(1 − x) (independent causes)'),
  })
  .strict();

export const RiskPolicySchema = z
  .object({
    version: z.string().trim().min(1).max(100).describe('Named in every answer computed with this policy'),
    description: z.string().max(2000).optional(),
    decay: z.number().gt(0, 'must be greater than 0').lte(1, 'must be at most 1').describe('Per-tier decay d in (0, 1]'),
    highRiskThreshold: Risk.describe('Intrinsic risk at or above which a qualifying node is a high-risk source for risk paths'),
    countries: CountryPolicySchema,
    smelters: SmelterPolicySchema,
    companies: CompanyPolicySchema,
  })
  .strict()
  .superRefine((p, ctx) => {
    const bands = p.companies.saqBands;
    for (let i = 1; i < bands.length; i++) {
      if (!(bands[i]!.minScore < bands[i - 1]!.minScore)) {
        ctx.addIssue({
          code: 'custom',
          path: ['companies', 'saqBands', i, 'minScore'],
          message: 'bands must be ordered by minScore, strictly decreasing',
        });
      }
    }
    // A last band starting at 0 means every score 0..100 falls in some band: no silent gap.
    if (bands.length > 0 && bands[bands.length - 1]!.minScore !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['companies', 'saqBands', bands.length - 1, 'minScore'],
        message: 'the last band must start at 0',
      });
    }
  })
  .meta({
    id: 'RiskPolicy',
    description: 'A versioned risk policy: intrinsic risks by node properties, per-tier decay, high-risk threshold.',
  });
export type RiskPolicy = z.infer<typeof RiskPolicySchema>;

/**
 * What a request may send to change parts of a policy: every field optional at every depth;
 * arrays (cahraLists, saqBands) are replaced whole, not merged element by element.
 */
export const RiskPolicyOverrideSchema = z
  .object({
    version: z.string().trim().min(1).max(100),
    description: z.string().max(2000),
    decay: z.number().gt(0).lte(1),
    highRiskThreshold: Risk,
    countries: CountryPolicySchema.partial(),
    smelters: SmelterPolicySchema.extend({ rmapStatus: SmelterPolicySchema.shape.rmapStatus.partial() }).partial(),
    companies: CompanyPolicySchema.extend({ humanRights: CompanyPolicySchema.shape.humanRights.partial() }).partial(),
  })
  .strict()
  .partial()
  .meta({ id: 'RiskPolicyOverride', description: 'Parts of the risk policy to change for one request; arrays are replaced whole.' });

export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/**
 * The base policy with the override's fields put over it (objects merged field by field, arrays
 * and scalars replaced), validated as a whole (throws a ZodError naming the bad fields). When the
 * override changes anything but does not name a version, the result's version is the base's
 * with "+override" appended, so that no answer computed with a modified policy claims the
 * shipped policy's version.
 */
export function mergePolicy(base: RiskPolicy, override: DeepPartial<RiskPolicy> | undefined): RiskPolicy {
  if (override === undefined || Object.keys(override).length === 0) return base;
  const merged = mergeDeep(base, override) as Record<string, unknown>;
  if (override.version === undefined && !isDeepEqual(merged, base)) merged.version = `${base.version}+override`;
  return RiskPolicySchema.parse(merged);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function mergeDeep(base: unknown, over: unknown): unknown {
  if (over === undefined) return structuredClone(base);
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(base)) out[k] = mergeDeep(base[k], over[k]);
    for (const k of Object.keys(over)) if (!(k in base)) out[k] = structuredClone(over[k]);
    return out;
  }
  return structuredClone(over);
}

function isDeepEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => isDeepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => isDeepEqual(a[k], b[k]));
  }
  return Object.is(a, b);
}

/** Whether country node i is a CAHRA under this policy: on a counted list, or flagged cahra with no list at all. */
export function isPolicyCahraCountry(snapshot: Snapshot, policy: RiskPolicy, i: number): boolean {
  if (snapshot.labels[i] !== LABEL_CODES.Country) return false;
  const lists = snapshot.countryLists[i]!;
  if (lists.length === 0) return policy.countries.unlistedCahraFlag && snapshot.cahra[i] === 1;
  const counted = policy.countries.cahraLists;
  for (const l of lists) if (counted.includes(l)) return true;
  return false;
}

/** The SAQ factor of a company: the first band whose minScore the score reaches, or saqAbsent. */
export function saqRisk(policy: RiskPolicy, score: number): number {
  if (Number.isNaN(score)) return policy.companies.saqAbsent;
  for (const band of policy.companies.saqBands) if (score >= band.minScore) return band.risk;
  // Unreachable for a validated policy (the last band starts at 0 and scores are ≥ 0).
  return policy.companies.saqAbsent;
}

/**
 * Intrinsic risk r(v) in [0, 1] of every node under the policy:
 * - Country: `cahra` when it is a CAHRA under the policy (`isPolicyCahraCountry`), else `nonCahra`;
 *   its own riskScore then overrides, raises (max) or is ignored, as the policy says.
 * - Smelter: `recycled` for a recycled/scrap smelter (recycled material carries no mining-origin
 *   risk; Dodd-Frank 1502 treats it as out of scope for origin inquiry), else by RMAP status.
 * - Company: three factors (SAQ band, human-rights flag, location in a policy CAHRA) combined by
 *   max or noisy-or. A company whose country has no Country node in the snapshot is not located
 *   in a CAHRA (nothing says it is).
 */
export function intrinsicRisk(snapshot: Snapshot, policy: RiskPolicy): Float64Array {
  const n = snapshot.nodeCount;
  const r = new Float64Array(n);
  const cahraCountry = new Set<string>();
  for (let i = 0; i < n; i++) {
    if (snapshot.labels[i] === LABEL_CODES.Country && isPolicyCahraCountry(snapshot, policy, i)) cahraCountry.add(snapshot.ids[i]!);
  }
  const cp = policy.countries;
  const sp = policy.smelters;
  const co = policy.companies;
  const smelterByCode = RMAP_STATUSES.map((s) => sp.rmapStatus[s]);
  const humanRightsByCode: number[] = [];
  humanRightsByCode[HUMAN_RIGHTS_CODES.none] = 0;
  humanRightsByCode[HUMAN_RIGHTS_CODES.low] = co.humanRights.low;
  humanRightsByCode[HUMAN_RIGHTS_CODES.medium] = co.humanRights.medium;
  humanRightsByCode[HUMAN_RIGHTS_CODES.high] = co.humanRights.high;

  for (let i = 0; i < n; i++) {
    switch (snapshot.labels[i]) {
      case LABEL_CODES.Country: {
        let risk = cahraCountry.has(snapshot.ids[i]!) ? cp.cahra : cp.nonCahra;
        const own = snapshot.countryRiskScore[i]!;
        if (!Number.isNaN(own)) {
          if (cp.riskScore === 'override') risk = own;
          else if (cp.riskScore === 'max') risk = Math.max(risk, own);
        }
        r[i] = risk;
        break;
      }
      case LABEL_CODES.Smelter: {
        const code = snapshot.rmapStatus[i]!;
        if (snapshot.recycled[i]) r[i] = sp.recycled;
        else r[i] = code === NOT_A_SMELTER ? sp.rmapStatus.unknown : smelterByCode[code]!;
        break;
      }
      default: {
        const saq = saqRisk(policy, snapshot.saqScore[i]!);
        const hr = humanRightsByCode[snapshot.humanRightsRisk[i]!] ?? 0;
        const loc = cahraCountry.has(snapshot.countries[i]!) ? co.cahraLocation : 0;
        r[i] = co.combine === 'max' ? Math.max(saq, hr, loc) : noisyOr(noisyOr(saq, hr), loc);
      }
    }
  }
  return r;
}

/**
 * intrinsicRisk, computed once per snapshot and policy and kept in the snapshot's memo (memo.ts):
 * the analyses use it when no intrinsic array is passed, so that repeated requests under one
 * policy reuse it (and what is keyed by it). Shared: do not modify the array it returns.
 */
export function sharedIntrinsicRisk(snapshot: Snapshot, policy: RiskPolicy): Float64Array {
  return memoOf(snapshot)
    .policy(policy)
    .intrinsic(() => intrinsicRisk(snapshot, policy));
}

/** 1 − (1 − a)(1 − b), written a + b − ab so that a factor of 0 leaves the other exactly as it is. */
function noisyOr(a: number, b: number): number {
  return a + b - a * b;
}
