/**
 * The API's own zod schemas, re-exported for the web client: every answer is parsed with the
 * schema the server validated it with, so a change of shape fails loudly here, not as a blank
 * drawing. The schema modules import only zod, graph/ and pure helpers (server/schemas/http.ts
 * takes the page limit from server/stores/write-rules.ts, which imports server/errors.ts); no
 * Node built-ins, Fastify or driver reach the bundle. The neighbourhood answer was moved out of its
 * route into server/schemas/neighborhood.ts for this.
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
} from '../../../server/schemas/analyses.js';
import { pageOf } from '../../../server/schemas/http.js';

export {
  ImpactAnswerSchema,
  OriginsAnswerSchema,
  RiskAnswerSchema,
  RiskPathsAnswerSchema,
  RiskRankingAnswerSchema,
  SinglePointsOfFailureAnswerSchema,
} from '../../../server/schemas/analyses.js';
export { NeighborhoodAnswerSchema, type NeighborhoodAnswer } from '../../../server/schemas/neighborhood.js';
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
export { ProblemSchema, type Problem } from '../../../server/schemas/http.js';

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
