/**
 * The risk policies the server hands the engine: the default shipped as data
 * (seeds/risk-policy/default-policy.json, validated at load; its README says what each number
 * means) and a request's override merged over it. The engine (graph/) takes the policy as an
 * argument and reads no seed data itself.
 */
import { type DeepPartial, mergePolicy, type RiskPolicy, RiskPolicySchema } from '../../graph/analyses/risk-policy.js';
import defaultPolicyData from '../../seeds/risk-policy/default-policy.json' with { type: 'json' };

/** The default policy shipped in seeds/risk-policy/default-policy.json, validated at load. */
export const DEFAULT_RISK_POLICY: RiskPolicy = RiskPolicySchema.parse(defaultPolicyData);

/** What a request may change of the policy (`policy=<JSON>`). */
export type PolicyOverride = DeepPartial<RiskPolicy>;

/**
 * The policy a request runs under: the default with the override over it. mergePolicy names a
 * changed policy "<base>+override", so it never passes for the default one; no override gives
 * the default object itself.
 */
export function policyFor(override: PolicyOverride | undefined): RiskPolicy {
  return mergePolicy(DEFAULT_RISK_POLICY, override);
}
