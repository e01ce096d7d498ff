/**
 * Answers of the analysis routes (README's "The API in brief"), declared once: they validate the routes' output,
 * document it in OpenAPI, and type the CLI's --json and the web client.
 */
import { z } from 'zod';
import { MetalSchema, NodeLabelSchema, RmapStatusSchema } from '../graph/model.js';

const Fraction = z.number().min(0).max(1);

export const OriginMixSchema = z
  .object({
    byCountry: z.record(z.string(), Fraction).describe('Share of the intake by origin country (ISO alpha-2)'),
    cahra: Fraction.describe("Share from countries marked as CAHRA (the Country's cahra flag)"),
    nonCahra: Fraction,
    recycled: Fraction,
    undisclosed: Fraction,
  })
  .meta({ id: 'OriginMix', description: 'Where the intake of a metal comes from; the four totals sum to 1 within 1e-9' });

export const SmelterMixSchema = z
  .object({
    bySmelter: z.record(z.string(), Fraction).describe('Share of the intake that passes through each smelter first'),
    byRmapStatus: z.partialRecord(RmapStatusSchema, Fraction).describe('The same totals by RMAP status'),
    notThroughSmelter: Fraction.describe('The rest: undisclosed remainders and suppliers with no known smelter'),
  })
  .meta({ id: 'SmelterMix', description: 'Through which smelters the intake of a metal comes; bySmelter plus notThroughSmelter sum to 1' });

export const NodeRefSchema = z.object({ id: z.string(), label: NodeLabelSchema, name: z.string() }).meta({ id: 'NodeRef' });

const SnapshotVersion = z.number().int().describe('The store version the answer was computed on');
const Stale = z
  .boolean()
  .describe(
    'true when the graph store could not be reached and the answer comes from the last snapshot compiled before ' +
      '(snapshotVersion): later writes may be missing. false otherwise.',
  );

const AnalysisHeader = {
  snapshotVersion: SnapshotVersion,
  stale: Stale,
  policyVersion: z.string().describe('The risk policy the answer used'),
  company: NodeRefSchema,
  metal: MetalSchema,
  takesMetal: z.boolean().describe('false when the company has no SUPPLIES of this metal: the answer is then empty, not an error'),
  warnings: z.array(z.string()).describe('Data-quality notes, e.g. shares that summed above 1 and were scaled'),
};

export const OriginsAnswerSchema = z
  .object({ ...AnalysisHeader, originMix: OriginMixSchema.nullable(), smelterMix: SmelterMixSchema.nullable() })
  .meta({ id: 'OriginsAnswer' });

export const RiskAnswerSchema = z
  .object({
    ...AnalysisHeader,
    risk: Fraction.describe('Propagated risk R'),
    intrinsic: Fraction.describe("The company's own risk r from the policy"),
    contributors: z
      .array(NodeRefSchema.extend({ contribution: Fraction }))
      .describe('Direct sources by the factor they add, largest first'),
  })
  .meta({ id: 'RiskAnswer' });

export const RiskPathHopSchema = NodeRefSchema.extend({
  metal: MetalSchema,
  share: Fraction.describe('Weight of the step into this hop (1 for the company)'),
});

export const RiskPathsAnswerSchema = z
  .object({
    ...AnalysisHeader,
    paths: z
      .array(z.object({ weight: Fraction, hops: z.array(RiskPathHopSchema) }))
      .describe('Highest weight first; first hop the company, last the risk source'),
  })
  .meta({ id: 'RiskPathsAnswer' });

export const SinglePointsOfFailureAnswerSchema = z
  .object({
    ...AnalysisHeader,
    redundancy: z
      .number()
      .int()
      .min(0)
      .describe('Least number of node failures that cut the company off from every source; 0 when it has no source'),
    singlePointsOfFailure: z.array(NodeRefSchema.extend({ share: Fraction })),
    minimumCut: z.array(z.string()).describe('One minimum set of node ids whose failure cuts the company off'),
  })
  .meta({ id: 'SinglePointsOfFailureAnswer' });

export const ImpactAnswerSchema = z
  .object({
    snapshotVersion: SnapshotVersion,
    stale: Stale,
    removed: z.array(NodeRefSchema),
    affected: z
      .array(z.object({ id: z.string(), name: z.string(), metal: MetalSchema, lostShare: Fraction, cutOff: z.boolean() }))
      .describe('Companies that lose supply, by lostShare, highest first'),
  })
  .meta({ id: 'ImpactAnswer' });

export const RiskRankingAnswerSchema = z
  .object({
    snapshotVersion: SnapshotVersion,
    stale: Stale,
    policyVersion: z.string(),
    metal: MetalSchema,
    items: z.array(NodeRefSchema.extend({ risk: Fraction, intrinsic: Fraction })),
  })
  .meta({ id: 'RiskRankingAnswer' });
