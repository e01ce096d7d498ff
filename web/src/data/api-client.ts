/**
 * The web client's only door to the server: the public JSON API under /api/v1. Every answer is
 * parsed with the API's own zod schema; every failure becomes an ApiProblem carrying an RFC 9457
 * problem (from the server when it sent one, made up here when the network or the shape failed),
 * so the page can always show a title and a detail instead of going blank.
 */
import type { z } from 'zod';
import {
  CompanyPageSchema,
  CompanySchema,
  CountryPageSchema,
  ImpactAnswerSchema,
  NeighborhoodAnswerSchema,
  OriginsAnswerSchema,
  ProblemSchema,
  RiskAnswerSchema,
  RiskPathsAnswerSchema,
  RiskRankingAnswerSchema,
  SinglePointsOfFailureAnswerSchema,
  type Company,
  type CompanyPage,
  type CountryPage,
  type ImpactAnswer,
  type Metal,
  type NeighborhoodAnswer,
  type NodeLabel,
  type OriginsAnswer,
  type Problem,
  type RiskAnswer,
  type RiskPathsAnswer,
  type RiskRankingAnswer,
  type SinglePointsOfFailureAnswer,
} from './schemas.js';

export const API_BASE = '/api/v1';

export class ApiProblem extends Error {
  constructor(
    readonly problem: Problem,
    readonly url: string,
  ) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'ApiProblem';
  }

  get status(): number {
    return this.problem.status;
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

function problemFromText(status: number, statusText: string, text: string, url: string): Problem {
  try {
    const parsed = ProblemSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON: a proxy's page or an empty body; described below.
  }
  return {
    type: 'about:blank',
    title: statusText || `HTTP ${status}`,
    status,
    detail: text.trim() ? text.trim().slice(0, 500) : `The server answered ${status} to ${url} with no problem details.`,
  };
}

export interface RequestOptions {
  signal?: AbortSignal | undefined;
}

async function request<S extends z.ZodType>(
  schema: S,
  url: string,
  init: RequestInit = {},
  options: RequestOptions = {},
): Promise<z.infer<S>> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      headers: { accept: 'application/json', ...(init.headers ?? {}) },
      signal: options.signal ?? null,
    });
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new ApiProblem(
      { type: 'about:blank', title: 'The server cannot be reached', status: 0, detail: `${(err as Error).message} (${url})` },
      url,
    );
  }
  const text = await response.text();
  if (!response.ok) throw new ApiProblem(problemFromText(response.status, response.statusText, text, url), url);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiProblem({ type: 'about:blank', title: 'The answer is not JSON', status: response.status, detail: url }, url);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiProblem(
      {
        type: 'urn:oretrace:web:unexpected-answer',
        title: 'The answer does not have the documented shape',
        status: response.status,
        detail: `${url} answered with data this page cannot read; the server and the page may be of different versions.`,
        errors: parsed.error.issues.slice(0, 20).map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
      },
      url,
    );
  }
  return parsed.data;
}

function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const id = encodeURIComponent;

export type NeighborhoodGrouping = 'auto' | 'none' | 'tier' | 'country' | 'metal';

export interface NeighborhoodRequest {
  direction?: 'upstream' | 'downstream' | 'both';
  depth: number;
  metal?: Metal | undefined;
  collapse: NeighborhoodGrouping;
  maxNodes?: number | undefined;
}

/** The calls the page makes; one function per route, named after what it answers. */
export const api = {
  searchCompanies(search: string, limit = 12, options?: RequestOptions): Promise<CompanyPage> {
    return request(CompanyPageSchema, `${API_BASE}/companies${query({ search, limit })}`, {}, options);
  },
  company(companyId: string, options?: RequestOptions): Promise<Company> {
    return request(CompanySchema, `${API_BASE}/companies/${id(companyId)}`, {}, options);
  },
  /** Countries marked as CAHRA (one page: there are a few dozen). */
  cahraCountries(options?: RequestOptions): Promise<CountryPage> {
    return request(CountryPageSchema, `${API_BASE}/countries${query({ cahra: 'true', limit: 500 })}`, {}, options);
  },
  neighborhood(nodeId: string, r: NeighborhoodRequest, options?: RequestOptions): Promise<NeighborhoodAnswer> {
    const q = query({ direction: r.direction ?? 'upstream', depth: r.depth, metal: r.metal, collapse: r.collapse, maxNodes: r.maxNodes });
    return request(NeighborhoodAnswerSchema, `${API_BASE}/nodes/${id(nodeId)}/neighborhood${q}`, {}, options);
  },
  origins(companyId: string, metal: Metal, options?: RequestOptions): Promise<OriginsAnswer> {
    return request(OriginsAnswerSchema, `${API_BASE}/companies/${id(companyId)}/origins${query({ metal })}`, {}, options);
  },
  risk(companyId: string, metal: Metal, limit = 10, options?: RequestOptions): Promise<RiskAnswer> {
    return request(RiskAnswerSchema, `${API_BASE}/companies/${id(companyId)}/risk${query({ metal, limit })}`, {}, options);
  },
  riskPaths(companyId: string, metal: Metal, limit: number, options?: RequestOptions): Promise<RiskPathsAnswer> {
    return request(RiskPathsAnswerSchema, `${API_BASE}/companies/${id(companyId)}/risk-paths${query({ metal, limit })}`, {}, options);
  },
  singlePointsOfFailure(companyId: string, metal: Metal, options?: RequestOptions): Promise<SinglePointsOfFailureAnswer> {
    const url = `${API_BASE}/companies/${id(companyId)}/single-points-of-failure${query({ metal })}`;
    return request(SinglePointsOfFailureAnswerSchema, url, {}, options);
  },
  impact(remove: readonly string[], metals: readonly Metal[] | undefined, options?: RequestOptions): Promise<ImpactAnswer> {
    const body = JSON.stringify(metals ? { remove, metals } : { remove });
    return request(
      ImpactAnswerSchema,
      `${API_BASE}/scenarios/impact`,
      { method: 'POST', body, headers: { 'content-type': 'application/json' } },
      options,
    );
  },
  riskRanking(metal: Metal, label: NodeLabel | undefined, limit: number, options?: RequestOptions): Promise<RiskRankingAnswer> {
    return request(RiskRankingAnswerSchema, `${API_BASE}/rankings/risk${query({ metal, label, limit })}`, {}, options);
  },
};
