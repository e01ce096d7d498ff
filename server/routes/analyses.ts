/**
 * The analysis routes (README, "The API in brief"): origins, risk, risk paths, single points of failure, impact,
 * risk rankings. Each validates its input, asks the analytics engine, and returns the answer its
 * response schema describes (analysis-catalog.ts: answerSchemas). A company that takes no such metal gets 200 with `takesMetal: false` and empty parts.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_RISK_PATH_DEPTH } from '../../graph/analyses/risk-paths.js';
import { mergePolicy, RiskPolicyOverrideSchema } from '../../graph/analyses/risk-policy.js';
import { DEFAULT_RISK_POLICY } from '../analytics/risk-policies.js';
import { MetalSchema, NodeIdSchema, NodeLabelSchema } from '../../graph/model.js';
import { answerSchemas } from '../analytics/analysis-catalog.js';
import { sendAnswer } from '../plugins/analytics.js';
import { problemResponses } from '../../contract/http.js';

export const MAX_SCENARIO_NODES = 1000;
const EMPTY_ANSWER_NOTE = 'A company with no SUPPLIES of the metal gets 200 with takesMetal: false and empty parts, not an error.';

const CompanyParams = z.object({ id: NodeIdSchema.describe('Company id') });
const MetalQuery = z.object({ metal: MetalSchema });

/** Policy overrides travel as one JSON-encoded query parameter on GET routes. */
const PolicyQuery = z
  .string()
  .max(10_000)
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
      return z.NEVER;
    }
  })
  .pipe(RiskPolicyOverrideSchema)
  // The override must also make a valid policy once merged over the default (e.g. SAQ bands that
  // still end at 0); else the analysis would fail on it with a 500.
  .superRefine((override, ctx) => {
    try {
      mergePolicy(DEFAULT_RISK_POLICY, override);
    } catch (err) {
      if (!(err instanceof z.ZodError)) throw err;
      for (const issue of err.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
  })
  .optional()
  .describe('JSON object overriding parts of the risk policy, e.g. {"decay":0.8,"countries":{"cahraLists":["DFA-1502"]}}');

export default async function analysisRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/companies/:id/origins',
    {
      schema: {
        tags: ['analyses'],
        summary: "Origin mix and smelter mix of a company's intake of a metal",
        description: EMPTY_ANSWER_NOTE,
        params: CompanyParams,
        querystring: MetalQuery,
        response: { 200: answerSchemas.origins, ...problemResponses(400, 404, 503) },
      },
    },
    async (request, reply) =>
      sendAnswer(reply, await app.analytics.answerJson('origins', { company: request.params.id, metal: request.query.metal })),
  );

  r.get(
    '/companies/:id/risk',
    {
      schema: {
        tags: ['analyses'],
        summary: 'Propagated risk of a company for a metal, with its top contributors',
        description: EMPTY_ANSWER_NOTE,
        params: CompanyParams,
        querystring: MetalQuery.extend({
          limit: z.coerce.number().int().min(1).max(100).default(10).describe('Contributors listed'),
          policy: PolicyQuery,
        }),
        response: { 200: answerSchemas.risk, ...problemResponses(400, 404, 503) },
      },
    },
    async (request, reply) => {
      const { metal, limit, policy } = request.query;
      return sendAnswer(
        reply,
        await app.analytics.answerJson('risk', { company: request.params.id, metal, limit, ...(policy ? { policy } : {}) }),
      );
    },
  );

  r.get(
    '/companies/:id/risk-paths',
    {
      schema: {
        tags: ['analyses'],
        summary: 'Top-k supply paths from a company to high-risk sources',
        description: EMPTY_ANSWER_NOTE,
        params: CompanyParams,
        querystring: MetalQuery.extend({
          limit: z.coerce.number().int().min(1).max(100).default(10),
          maxDepth: z.coerce.number().int().min(1).max(MAX_RISK_PATH_DEPTH).default(8).describe('Most hops a path may have'),
          policy: PolicyQuery,
        }),
        response: { 200: answerSchemas.riskPaths, ...problemResponses(400, 404, 503) },
      },
    },
    async (request, reply) => {
      const { metal, limit, maxDepth, policy } = request.query;
      return sendAnswer(
        reply,
        await app.analytics.answerJson('riskPaths', { company: request.params.id, metal, limit, maxDepth, ...(policy ? { policy } : {}) }),
      );
    },
  );

  r.get(
    '/companies/:id/single-points-of-failure',
    {
      schema: {
        tags: ['analyses'],
        summary: 'Nodes every supply path of the metal passes through, redundancy and one minimum cut',
        description: EMPTY_ANSWER_NOTE,
        params: CompanyParams,
        querystring: MetalQuery,
        response: { 200: answerSchemas.singlePointsOfFailure, ...problemResponses(400, 404, 503) },
      },
    },
    async (request, reply) =>
      sendAnswer(
        reply,
        await app.analytics.answerJson('singlePointsOfFailure', { company: request.params.id, metal: request.query.metal }),
      ),
  );

  r.post(
    '/scenarios/impact',
    {
      // A POST only because the scenario is a body; it computes, it writes nothing.
      config: { access: 'read' },
      schema: {
        tags: ['analyses'],
        summary: 'What if these nodes fail: lost share and cut-off metals for every company',
        body: z
          .object({
            remove: z.array(NodeIdSchema).min(1).max(MAX_SCENARIO_NODES).describe('Ids of the nodes that fail'),
            metals: z.array(MetalSchema).min(1).optional().describe('Only these metals (default: all)'),
          })
          .strict(),
        response: { 200: answerSchemas.impact, ...problemResponses(400, 404, 503) },
      },
    },
    async (request, reply) => {
      const { remove, metals } = request.body;
      return sendAnswer(reply, await app.analytics.answerJson('impact', { remove: [...new Set(remove)], ...(metals ? { metals } : {}) }));
    },
  );

  r.get(
    '/rankings/risk',
    {
      schema: {
        tags: ['analyses'],
        summary: 'Nodes ranked by propagated risk for a metal',
        querystring: MetalQuery.extend({
          label: NodeLabelSchema.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(50),
          policy: PolicyQuery,
        }),
        response: { 200: answerSchemas.riskRanking, ...problemResponses(400, 503) },
      },
    },
    async (request, reply) => {
      const { metal, label, limit, policy } = request.query;
      return sendAnswer(
        reply,
        await app.analytics.answerJson('riskRanking', { metal, limit, ...(label ? { label } : {}), ...(policy ? { policy } : {}) }),
      );
    },
  );
}
