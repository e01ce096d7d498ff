/**
 * The analyses the API offers, as pure functions of (snapshot, parameters) → answer of SPEC §3a.
 * They run in a worker thread or in-process alike (analysis-pool.ts), so parameters and answers
 * are plain, cloneable data. Ids are resolved to snapshot indices here; an unknown id is a
 * NotFoundError, a company that takes no such metal an explicit empty answer.
 *
 * Every answer says `stale: false`: computed on the snapshot it was given. The analytics plugin
 * sets it to true when that snapshot is the last one compiled before the store became unreachable.
 *
 * `answerJson` also encodes the answer with its route's response schema and serialises it, so
 * that this work — milliseconds for a ranking of a thousand nodes — happens in the worker, not on
 * the event loop that cheap requests are waiting for.
 */
import type { Metal, NodeLabel } from '../../graph/model.js';
import { impactOfRemoval } from '../../graph/analyses/impact.js';
import { originMix, smelterMix, takesMetal } from '../../graph/analyses/origin-mix.js';
import { topRiskPaths } from '../../graph/analyses/risk-paths.js';
import { intrinsicRisk, mergePolicy, type DeepPartial, type RiskPolicy } from '../../graph/analyses/risk-policy.js';
import { DEFAULT_RISK_POLICY } from './risk-policies.js';
import { explainRisk, propagateRisk, rankByRisk } from '../../graph/analyses/risk-score.js';
import { singlePointsOfFailure } from '../../graph/analyses/single-points-of-failure.js';
import { labelOf, nodeIndex, summary, type MetalLayer, type NodeSummary, type Snapshot } from '../../graph/snapshot.js';
import { z } from 'zod';
import { NotFoundError } from '../errors.js';
import {
  ImpactAnswerSchema,
  OriginsAnswerSchema,
  RiskAnswerSchema,
  RiskPathsAnswerSchema,
  RiskRankingAnswerSchema,
  SinglePointsOfFailureAnswerSchema,
} from '../schemas/analyses.js';

export type PolicyOverride = DeepPartial<RiskPolicy>;

interface CompanyMetal {
  company: string;
  metal: Metal;
}

export interface AnalysisParamMap {
  origins: CompanyMetal;
  risk: CompanyMetal & { policy?: PolicyOverride; limit: number };
  riskPaths: CompanyMetal & { policy?: PolicyOverride; limit: number; maxDepth: number };
  singlePointsOfFailure: CompanyMetal;
  impact: { remove: string[]; metals?: Metal[] };
  riskRanking: { metal: Metal; label?: NodeLabel; limit: number; policy?: PolicyOverride };
}

export type AnalysisName = keyof AnalysisParamMap;
export type AnalysisParams<N extends AnalysisName> = AnalysisParamMap[N];

/** Typed boolean, so that the analytics plugin may answer `stale: true` in the same shape. */
const NOT_STALE: boolean = false;

/** How many nodes with over-full shares a warning lists by name. */
const MAX_NAMED_WARNINGS = 10;

function companyIndex(snapshot: Snapshot, id: string): number {
  const i = nodeIndex(snapshot, id, 'Company');
  if (i === undefined) throw new NotFoundError(`No company has id "${id}"`);
  return i;
}

function policyFor(override: PolicyOverride | undefined): RiskPolicy {
  // mergePolicy names a changed policy "<base>+override", so it never passes for the default one.
  return mergePolicy(DEFAULT_RISK_POLICY, override);
}

// Intrinsic and propagated risk are per (snapshot, policy): computed once, reused by every request on it.
const riskCache = new WeakMap<Snapshot, Map<string, { intrinsic: Float64Array; propagated: Map<Metal, Float64Array> }>>();

function riskArrays(snapshot: Snapshot, policy: RiskPolicy, metal: Metal): { intrinsic: Float64Array; risk: Float64Array } {
  let byPolicy = riskCache.get(snapshot);
  if (!byPolicy) {
    byPolicy = new Map();
    riskCache.set(snapshot, byPolicy);
  }
  const key = JSON.stringify(policy);
  let entry = byPolicy.get(key);
  if (!entry) {
    if (byPolicy.size >= 8) byPolicy.clear(); // overrides are rare; keep the cache from growing without bound
    entry = { intrinsic: intrinsicRisk(snapshot, policy), propagated: new Map() };
    byPolicy.set(key, entry);
  }
  let risk = entry.propagated.get(metal);
  if (!risk) {
    risk = propagateRisk(snapshot, metal, policy, entry.intrinsic);
    entry.propagated.set(metal, risk);
  }
  return { intrinsic: entry.intrinsic, risk };
}

/** Over-shared buyers per layer (usually none), found once per snapshot. */
const overSharedOfLayer = new WeakMap<MetalLayer, number>();

function overSharedCount(layer: MetalLayer): number {
  let count = overSharedOfLayer.get(layer);
  if (count === undefined) {
    count = 0;
    for (let v = 0; v < layer.overShared.length; v++) count += layer.overShared[v]!;
    overSharedOfLayer.set(layer, count);
  }
  return count;
}

/** Data-quality notes about the company's upstream for the metal: buyers whose shares summed above 1. */
function upstreamWarnings(snapshot: Snapshot, metal: Metal, c: number): string[] {
  const layer = snapshot.layers.get(metal);
  if (!layer || overSharedCount(layer) === 0 || layer.compactOf[c]! < 0) return [];
  // Walk the upstream in the layer's compact ids: arrays of the layer's size, not the graph's.
  const seen = new Uint8Array(layer.nodes.length);
  const start = layer.compactOf[c]!;
  const stack = [start];
  seen[start] = 1;
  const over: number[] = [];
  while (stack.length > 0) {
    const k = stack.pop()!;
    const v = layer.nodes[k]!;
    if (layer.overShared[v]) over.push(v);
    for (let j = layer.compactOffsets[k]!; j < layer.compactOffsets[k + 1]!; j++) {
      const u = layer.compactSources[j]!;
      if (!seen[u]) {
        seen[u] = 1;
        stack.push(u);
      }
    }
  }
  if (over.length === 0) return [];
  over.sort((a, b) => (snapshot.ids[a]! < snapshot.ids[b]! ? -1 : 1));
  const named = over.slice(0, MAX_NAMED_WARNINGS).map((v) => `"${snapshot.ids[v]}"`);
  const more = over.length > MAX_NAMED_WARNINGS ? ` and ${over.length - MAX_NAMED_WARNINGS} more` : '';
  return [`${metal} shares into ${named.join(', ')}${more} summed above 1 and were scaled down to 1`];
}

function header(snapshot: Snapshot, policy: RiskPolicy, c: number, metal: Metal) {
  const takes = takesMetal(snapshot, metal, c);
  return {
    snapshotVersion: snapshot.version,
    stale: NOT_STALE,
    policyVersion: policy.version,
    company: summary(snapshot, c),
    metal,
    takesMetal: takes,
    warnings: takes ? upstreamWarnings(snapshot, metal, c) : [],
  };
}

const ref = (s: { id: string; label: NodeLabel; name: string }): NodeSummary => ({ id: s.id, label: s.label, name: s.name });

const analyses = {
  origins(snapshot: Snapshot, p: AnalysisParams<'origins'>) {
    const c = companyIndex(snapshot, p.company);
    const head = header(snapshot, DEFAULT_RISK_POLICY, c, p.metal);
    if (!head.takesMetal) return { ...head, originMix: null, smelterMix: null };
    return { ...head, originMix: originMix(snapshot, p.metal, c), smelterMix: smelterMix(snapshot, p.metal, c) };
  },

  risk(snapshot: Snapshot, p: AnalysisParams<'risk'>) {
    const c = companyIndex(snapshot, p.company);
    const policy = policyFor(p.policy);
    const { intrinsic, risk } = riskArrays(snapshot, policy, p.metal);
    const explained = explainRisk(snapshot, p.metal, policy, risk, c, { limit: p.limit, intrinsic });
    return {
      ...header(snapshot, policy, c, p.metal),
      risk: explained.risk,
      intrinsic: explained.intrinsic,
      contributors: explained.contributors.map((x) => ({ ...ref(x), contribution: x.contribution })),
    };
  },

  riskPaths(snapshot: Snapshot, p: AnalysisParams<'riskPaths'>) {
    const c = companyIndex(snapshot, p.company);
    const policy = policyFor(p.policy);
    const { intrinsic } = riskArrays(snapshot, policy, p.metal);
    const paths = topRiskPaths(snapshot, p.metal, policy, c, { limit: p.limit, maxDepth: p.maxDepth, intrinsic });
    return {
      ...header(snapshot, policy, c, p.metal),
      paths: paths.map((path) => ({
        weight: path.weight,
        hops: path.hops.map((h) => ({ ...ref(h), metal: h.metal, share: h.share })),
      })),
    };
  },

  singlePointsOfFailure(snapshot: Snapshot, p: AnalysisParams<'singlePointsOfFailure'>) {
    const c = companyIndex(snapshot, p.company);
    const head = header(snapshot, DEFAULT_RISK_POLICY, c, p.metal);
    if (!head.takesMetal) return { ...head, redundancy: 0, singlePointsOfFailure: [], minimumCut: [] };
    const answer = singlePointsOfFailure(snapshot, p.metal, c);
    return {
      ...head,
      redundancy: answer.redundancy,
      singlePointsOfFailure: answer.singlePointsOfFailure.map((s) => ({ ...ref(s), share: s.share })),
      minimumCut: answer.minimumCut,
    };
  },

  impact(snapshot: Snapshot, p: AnalysisParams<'impact'>) {
    const removed = p.remove.map((id) => {
      const i = nodeIndex(snapshot, id);
      if (i === undefined) throw new NotFoundError(`No node has id "${id}"`, [{ path: 'body.remove', message: `no node has id "${id}"` }]);
      return i;
    });
    const affected = impactOfRemoval(snapshot, removed, p.metals ? { metals: p.metals } : {});
    return {
      snapshotVersion: snapshot.version,
      stale: NOT_STALE,
      removed: removed.map((i) => summary(snapshot, i)),
      affected: affected.map((a) => ({ id: a.id, name: a.name, metal: a.metal, lostShare: a.lostShare, cutOff: a.cutOff })),
    };
  },

  riskRanking(snapshot: Snapshot, p: AnalysisParams<'riskRanking'>) {
    const policy = policyFor(p.policy);
    const { intrinsic, risk } = riskArrays(snapshot, policy, p.metal);
    const ranked = rankByRisk(snapshot, p.metal, risk, p.label ? { label: p.label, limit: p.limit } : { limit: p.limit });
    return {
      snapshotVersion: snapshot.version,
      stale: NOT_STALE,
      policyVersion: policy.version,
      metal: p.metal,
      items: ranked.map((x) => ({ ...ref(x), label: labelOf(snapshot, x.index), risk: x.risk, intrinsic: intrinsic[x.index]! })),
    };
  },
} satisfies { [N in AnalysisName]: (snapshot: Snapshot, params: AnalysisParams<N>) => unknown };

export type AnalysisResult<N extends AnalysisName> = ReturnType<(typeof analyses)[N]>;

export function runAnalysis<N extends AnalysisName>(name: N, snapshot: Snapshot, params: AnalysisParams<N>): AnalysisResult<N> {
  const fn = analyses[name] as (s: Snapshot, p: AnalysisParams<N>) => AnalysisResult<N>;
  return fn(snapshot, params);
}

/**
 * The response schema of each analysis's route (SPEC §3a): the route documents it, answerJson
 * encodes answers with it.
 */
export const answerSchemas = {
  origins: OriginsAnswerSchema,
  risk: RiskAnswerSchema,
  riskPaths: RiskPathsAnswerSchema,
  singlePointsOfFailure: SinglePointsOfFailureAnswerSchema,
  impact: ImpactAnswerSchema,
  riskRanking: RiskRankingAnswerSchema,
} satisfies { [N in AnalysisName]: z.ZodType };

// Compile-time: every analysis answers in its route's schema (the routes send text, so the type
// provider no longer checks this for them).
const answersConform: { [N in AnalysisName]: AnalysisResult<N> extends z.output<(typeof answerSchemas)[N]> ? true : never } = {
  origins: true,
  risk: true,
  riskPaths: true,
  singlePointsOfFailure: true,
  impact: true,
  riskRanking: true,
};
void answersConform;

/**
 * The answer as the JSON text its route sends: encoded with the route's response schema exactly as
 * the app's serializer would (unknown keys dropped; an answer that breaks the contract throws).
 * `stale` marks an answer computed on the last snapshot while the store is unreachable.
 */
export function answerJson(name: AnalysisName, snapshot: Snapshot, params: AnalysisParams<AnalysisName>, stale: boolean): string {
  const answer = runAnalysis(name, snapshot, params) as { stale: boolean };
  if (stale) answer.stale = true;
  return JSON.stringify(z.encode(answerSchemas[name] as z.ZodType, answer));
}
