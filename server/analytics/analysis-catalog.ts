/**
 * The analyses the API offers, each paired with its route's response schema, and the glue the
 * analysis threads call (analysis-pool.ts, analysis-worker.ts): a route's parameters become an
 * engine request (the policy resolved here: the default from seeds/, an override merged over it),
 * the engine's front door (graph/engine.ts) answers, and the answer is encoded with the route's
 * schema. No graph traversal and no cache here: ids, takesMetal, warnings and what is kept per
 * snapshot are the engine's. They run in a worker thread or in-process alike, so parameters and
 * answers are plain, cloneable data. An unknown id is the engine's UnknownNodeError (a 404 once
 * it reaches server/plugins/problem-details.ts).
 *
 * Every answer says `stale: false`: computed on the snapshot it was given. The analytics plugin
 * sets it to true when that snapshot is the last one compiled before the store became unreachable.
 *
 * `answerJson` also encodes the answer with its route's response schema and serialises it, so
 * that this work — milliseconds for a ranking of a thousand nodes — happens in the worker, not on
 * the event loop that cheap requests are waiting for.
 */
import * as engine from '../../graph/engine.js';
import type { Metal, NodeLabel } from '../../graph/model.js';
import type { Snapshot } from '../../graph/snapshot.js';
import { z } from 'zod';
import {
  ImpactAnswerSchema,
  OriginsAnswerSchema,
  RiskAnswerSchema,
  RiskPathsAnswerSchema,
  RiskRankingAnswerSchema,
  SinglePointsOfFailureAnswerSchema,
} from '../../contract/analyses.js';
import { DEFAULT_RISK_POLICY, type PolicyOverride, policyFor } from './risk-policies.js';

export type { PolicyOverride } from './risk-policies.js';

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

/** The engine's answer as the route sends it: computed on the snapshot given, so not stale. */
function fresh<T extends object>(answer: T): T & { stale: boolean } {
  return { ...answer, stale: NOT_STALE };
}

const analyses = {
  origins: (snapshot: Snapshot, p: AnalysisParams<'origins'>) =>
    fresh(engine.origins(snapshot, { company: p.company, metal: p.metal, policy: DEFAULT_RISK_POLICY })),
  risk: (snapshot: Snapshot, p: AnalysisParams<'risk'>) =>
    fresh(engine.risk(snapshot, { company: p.company, metal: p.metal, policy: policyFor(p.policy), limit: p.limit })),
  riskPaths: (snapshot: Snapshot, p: AnalysisParams<'riskPaths'>) =>
    fresh(
      engine.riskPaths(snapshot, { company: p.company, metal: p.metal, policy: policyFor(p.policy), limit: p.limit, maxDepth: p.maxDepth }),
    ),
  singlePointsOfFailure: (snapshot: Snapshot, p: AnalysisParams<'singlePointsOfFailure'>) =>
    fresh(engine.singlePointsOfFailureOf(snapshot, { company: p.company, metal: p.metal, policy: DEFAULT_RISK_POLICY })),
  impact: (snapshot: Snapshot, p: AnalysisParams<'impact'>) =>
    fresh(engine.impact(snapshot, p.metals ? { remove: p.remove, metals: p.metals } : { remove: p.remove })),
  riskRanking: (snapshot: Snapshot, p: AnalysisParams<'riskRanking'>) => {
    const request = { metal: p.metal, policy: policyFor(p.policy), limit: p.limit };
    return fresh(engine.riskRanking(snapshot, p.label ? { ...request, label: p.label } : request));
  },
} satisfies { [N in AnalysisName]: (snapshot: Snapshot, params: AnalysisParams<N>) => unknown };

export type AnalysisResult<N extends AnalysisName> = ReturnType<(typeof analyses)[N]>;

export function runAnalysis<N extends AnalysisName>(name: N, snapshot: Snapshot, params: AnalysisParams<N>): AnalysisResult<N> {
  const fn = analyses[name] as unknown as (s: Snapshot, p: AnalysisParams<N>) => AnalysisResult<N>;
  return fn(snapshot, params);
}

/**
 * The response schema of each analysis's route (README, "The API in brief"): the route documents it, answerJson
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
