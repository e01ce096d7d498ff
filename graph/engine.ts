/**
 * The front door of the engine: one function per analysis, each taking a snapshot and a request
 * (ids, metal, policy, limits: an options object, defaults resolved in ENGINE_DEFAULTS) and
 * returning the domain answer the API sends (README, "The API in brief"; ARCHITECTURE.md, "The
 * path of a request"). Here, and only here, ids become node indices (an unknown id throws
 * UnknownNodeError), `takesMetal` is decided, and an answer gets its header and its warnings.
 * The algorithms are in analyses/ (one module per analysis), what is computed once per snapshot
 * in memo.ts.
 *
 * Requests and answers are plain, cloneable data: the server runs these in worker threads.
 * The policy is an argument: the engine reads no seed data (the server loads the default).
 */
import { impactOfRemoval } from './analyses/impact.js';
import { type OriginMix, originsOf, type SmelterMix, takesMetal } from './analyses/origin-mix.js';
import { topRiskPaths } from './analyses/risk-paths.js';
import type { RiskPolicy } from './analyses/risk-policy.js';
import { sharedIntrinsicRisk } from './analyses/risk-policy.js';
import { explainRisk, rankByRisk } from './analyses/risk-score.js';
import { singlePointsOfFailure } from './analyses/single-points-of-failure.js';
import { overSharedUpstream, overSharedWarnings } from './analyses/upstream-warnings.js';
import { UnknownNodeError } from './errors.js';
import { memoOf } from './memo.js';
import type { Metal, NodeLabel } from './model.js';
import { Scratch } from './numerics/scratch.js';
import { labelOf, nodeIndex, type NodeSummary, type Snapshot, summary } from './snapshot.js';

/**
 * The front door's working arrays for the origin walks, lent to each walk explicitly: analyses run
 * synchronously, one at a time per thread, and a lent array is zeroed first, so a walk that throws
 * leaves nothing behind. Results are never kept here (that is the memo's job); only the space a
 * walk needs, so that a request does not pay for megabytes of fresh memory.
 */
const walkScratch = new Scratch();

/** The defaults of the requests' optional fields (the routes' defaults are the same). */
export const ENGINE_DEFAULTS = {
  /** Contributors a risk answer lists. */
  contributors: 10,
  /** Paths a risk-paths answer lists. */
  paths: 10,
  /** Most hops of a risk path. */
  maxDepth: 8,
  /** Rows of a risk ranking. */
  ranking: 50,
} as const;

/** A question about one company's supply of one metal. */
export interface CompanyRequest {
  company: string;
  metal: Metal;
  /** The risk policy the answer is computed (and versioned) under. */
  policy: RiskPolicy;
}

export interface RiskRequest extends CompanyRequest {
  /** Contributors listed (ENGINE_DEFAULTS.contributors). */
  limit?: number;
}

export interface RiskPathsRequest extends CompanyRequest {
  /** Paths listed (ENGINE_DEFAULTS.paths). */
  limit?: number;
  /** Most hops a path may have (ENGINE_DEFAULTS.maxDepth). */
  maxDepth?: number;
}

export interface ImpactRequest {
  /** Ids of the nodes taken out. */
  remove: readonly string[];
  /** Metals looked at (default: every metal of the snapshot). */
  metals?: readonly Metal[];
}

export interface RiskRankingRequest {
  metal: Metal;
  policy: RiskPolicy;
  /** Only nodes of this label. */
  label?: NodeLabel;
  /** Rows listed (ENGINE_DEFAULTS.ranking). */
  limit?: number;
}

/** What every company answer starts with. */
export interface CompanyHeader {
  snapshotVersion: number;
  policyVersion: string;
  company: NodeSummary;
  metal: Metal;
  /** Whether the company has a SUPPLIES of the metal; when not, the answer's parts are empty. */
  takesMetal: boolean;
  /** Data-quality notes about the company's upstream (over-full shares scaled down). */
  warnings: string[];
}

export interface OriginsAnswer extends CompanyHeader {
  originMix: OriginMix | null;
  smelterMix: SmelterMix | null;
}

export interface RiskAnswer extends CompanyHeader {
  risk: number;
  intrinsic: number;
  contributors: (NodeSummary & { contribution: number })[];
}

export interface RiskPathsAnswer extends CompanyHeader {
  paths: { weight: number; hops: (NodeSummary & { metal: Metal; share: number })[] }[];
}

export interface SinglePointsOfFailureAnswer extends CompanyHeader {
  redundancy: number;
  singlePointsOfFailure: (NodeSummary & { share: number })[];
  minimumCut: string[];
}

export interface ImpactAnswer {
  snapshotVersion: number;
  removed: NodeSummary[];
  affected: { id: string; name: string; metal: Metal; lostShare: number; cutOff: boolean }[];
}

export interface RiskRankingAnswer {
  snapshotVersion: number;
  policyVersion: string;
  metal: Metal;
  items: (NodeSummary & { risk: number; intrinsic: number })[];
}

/** The origin mix and smelter mix of a company, and their warnings, from one walk of its upstream. */
export function origins(snapshot: Snapshot, request: CompanyRequest): OriginsAnswer {
  const c = companyIndex(snapshot, request.company);
  const takes = takesMetal(snapshot, request.metal, c);
  if (!takes) return { ...header(snapshot, request, c, false, []), originMix: null, smelterMix: null };
  const found = originsOf(snapshot, request.metal, c, { overShared: hasOverShared(snapshot, request.metal), scratch: walkScratch });
  const warnings = overSharedWarnings(snapshot, request.metal, found.overSharedUpstream);
  return { ...header(snapshot, request, c, true, warnings), originMix: found.originMix, smelterMix: found.smelterMix };
}

/** A company's propagated risk and its top contributors. */
export function risk(snapshot: Snapshot, request: RiskRequest): RiskAnswer {
  const c = companyIndex(snapshot, request.company);
  const { metal, policy } = request;
  const explained = explainRisk(snapshot, { node: c, metal, policy, limit: request.limit ?? ENGINE_DEFAULTS.contributors });
  return {
    ...companyHeader(snapshot, request, c),
    risk: explained.risk,
    intrinsic: explained.intrinsic,
    contributors: explained.contributors.map((x) => ({ ...ref(x), contribution: x.contribution })),
  };
}

/** The heaviest paths from a company up to high-risk sources. */
export function riskPaths(snapshot: Snapshot, request: RiskPathsRequest): RiskPathsAnswer {
  const c = companyIndex(snapshot, request.company);
  const { metal, policy } = request;
  const paths = topRiskPaths(snapshot, metal, policy, c, {
    limit: request.limit ?? ENGINE_DEFAULTS.paths,
    maxDepth: request.maxDepth ?? ENGINE_DEFAULTS.maxDepth,
  });
  return {
    ...companyHeader(snapshot, request, c),
    paths: paths.map((path) => ({
      weight: path.weight,
      hops: path.hops.map((h) => ({ ...ref(h), metal: h.metal, share: h.share })),
    })),
  };
}

/** The nodes every unit of a company's supply passes through, their shares, the redundancy and a minimum cut. */
export function singlePointsOfFailureOf(snapshot: Snapshot, request: CompanyRequest): SinglePointsOfFailureAnswer {
  const c = companyIndex(snapshot, request.company);
  const head = companyHeader(snapshot, request, c);
  if (!head.takesMetal) return { ...head, redundancy: 0, singlePointsOfFailure: [], minimumCut: [] };
  const answer = singlePointsOfFailure(snapshot, request.metal, c);
  return {
    ...head,
    redundancy: answer.redundancy,
    singlePointsOfFailure: answer.singlePointsOfFailure.map((s) => ({ ...ref(s), share: s.share })),
    minimumCut: answer.minimumCut,
  };
}

/** The companies that lose supply when the given nodes are taken out. */
export function impact(snapshot: Snapshot, request: ImpactRequest): ImpactAnswer {
  const removed = request.remove.map((id) => {
    const i = nodeIndex(snapshot, id);
    if (i === undefined) throw new UnknownNodeError(id, undefined, 'remove');
    return i;
  });
  const affected = impactOfRemoval(snapshot, removed, request.metals ? { metals: request.metals } : {});
  return {
    snapshotVersion: snapshot.version,
    removed: removed.map((i) => summary(snapshot, i)),
    affected: affected.map((a) => ({ id: a.id, name: a.name, metal: a.metal, lostShare: a.lostShare, cutOff: a.cutOff })),
  };
}

/** The nodes of a metal by propagated risk, highest first. */
export function riskRanking(snapshot: Snapshot, request: RiskRankingRequest): RiskRankingAnswer {
  const { metal, policy } = request;
  const limit = request.limit ?? ENGINE_DEFAULTS.ranking;
  const ranked = rankByRisk(snapshot, request.label ? { metal, policy, label: request.label, limit } : { metal, policy, limit });
  const intrinsic = sharedIntrinsicRisk(snapshot, policy);
  return {
    snapshotVersion: snapshot.version,
    policyVersion: policy.version,
    metal,
    items: ranked.map((x) => ({ ...ref(x), label: labelOf(snapshot, x.index), risk: x.risk, intrinsic: intrinsic[x.index]! })),
  };
}

function companyIndex(snapshot: Snapshot, id: string): number {
  const i = nodeIndex(snapshot, id, 'Company');
  if (i === undefined) throw new UnknownNodeError(id, 'Company');
  return i;
}

/** Whether the metal's layer has any over-shared buyer (usually not: then no answer needs a warning walk). */
function hasOverShared(snapshot: Snapshot, metal: Metal): boolean {
  const memo = memoOf(snapshot).layer(metal);
  return memo !== undefined && memo.overSharedCount() > 0;
}

/** The header of a company answer whose analysis does not walk the upstream itself: the warnings take a walk of their own, when the layer has anything to warn about. */
function companyHeader(snapshot: Snapshot, request: CompanyRequest, c: number): CompanyHeader {
  const takes = takesMetal(snapshot, request.metal, c);
  const warnings =
    takes && hasOverShared(snapshot, request.metal)
      ? overSharedWarnings(snapshot, request.metal, overSharedUpstream(snapshot.layers.get(request.metal)!, c))
      : [];
  return header(snapshot, request, c, takes, warnings);
}

function header(snapshot: Snapshot, request: CompanyRequest, c: number, takes: boolean, warnings: string[]): CompanyHeader {
  return {
    snapshotVersion: snapshot.version,
    policyVersion: request.policy.version,
    company: summary(snapshot, c),
    metal: request.metal,
    takesMetal: takes,
    warnings,
  };
}

const ref = (s: { id: string; label: NodeLabel; name: string }): NodeSummary => ({ id: s.id, label: s.label, name: s.name });
