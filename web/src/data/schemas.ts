/**
 * The API's own zod schemas, re-exported for the web client: every answer is parsed with the
 * schema the server validated it with, so a change of shape fails loudly here, not as a blank
 * drawing. They come from contract/ (the HTTP shapes the server and the browser share) and
 * graph/ (the domain model), which import only zod and graph/: nothing from server/ — no Node
 * built-ins, Fastify or driver — reaches the bundle (test/contract/layering.test.ts checks it).
 */
import type { z } from 'zod';
import { CompanySchema, CountrySchema as CountryNodeSchema } from '../../../graph/model.js';
import type {
  ImpactAnswerSchema as ImpactS,
  OriginsAnswerSchema as OriginsS,
  RiskAnswerSchema as RiskS,
  RiskPathsAnswerSchema as RiskPathsS,
  RiskRankingAnswerSchema as RankingS,
  SinglePointsOfFailureAnswerSchema as SpofS,
} from '../../../contract/analyses.js';
import { pageOf } from '../../../contract/http.js';

export {
  ImpactAnswerSchema,
  OriginsAnswerSchema,
  RiskAnswerSchema,
  RiskPathsAnswerSchema,
  RiskRankingAnswerSchema,
  SinglePointsOfFailureAnswerSchema,
} from '../../../contract/analyses.js';
export { NeighborhoodAnswerSchema, type NeighborhoodAnswer } from '../../../contract/neighborhood.js';
export {
  CompanySchema,
  CountrySchema,
  GraphNodeSchema,
  MetalSchema,
  NODE_LABELS,
  RMAP_STATUSES,
  SmelterSchema,
  type Company,
  type Country,
  type GraphNode,
  type Metal,
  type NodeLabel,
  type RmapStatus,
  type Smelter,
  type Supplies,
} from '../../../graph/model.js';
export { METALS, METAL_IDS } from '../../../graph/metals.js';
export { COLLAPSE_KEYS, type CollapseKey } from '../../../graph/neighborhood-collapse.js';
export { ProblemSchema, type Problem } from '../../../contract/http.js';

export const CompanyPageSchema = pageOf(CompanySchema);
export const CountryPageSchema = pageOf(CountryNodeSchema);

export type OriginsAnswer = z.infer<typeof OriginsS>;
export type RiskAnswer = z.infer<typeof RiskS>;
export type RiskPathsAnswer = z.infer<typeof RiskPathsS>;
export type RiskPath = RiskPathsAnswer['paths'][number];
export type SinglePointsOfFailureAnswer = z.infer<typeof SpofS>;
export type ImpactAnswer = z.infer<typeof ImpactS>;
export type RiskRankingAnswer = z.infer<typeof RankingS>;
export type CompanyPage = z.infer<typeof CompanyPageSchema>;
export type CountryPage = z.infer<typeof CountryPageSchema>;
