/**
 * GET /api/v1/nodes/:id/neighborhood — the subgraph within n hops up- or downstream of a node,
 * with tiers, collapsed into groups when it is too large to draw.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { COLLAPSE_KEYS, collapseNeighborhood } from '../../graph/neighborhood-collapse.js';
import { MetalSchema, NodeIdSchema } from '../../graph/model.js';
import { NotFoundError } from '../errors.js';
import { MAX_NEIGHBORHOOD_DEPTH } from '../stores/neighborhood-walk.js';
import { problemResponses } from '../../contract/http.js';
import { NeighborhoodAnswerSchema } from '../../contract/neighborhood.js';

const NeighborhoodQuery = z.object({
  direction: z
    .enum(['upstream', 'downstream', 'both'])
    .default('upstream')
    .describe('upstream: towards sources; downstream: towards buyers'),
  depth: z.coerce.number().int().min(1).max(MAX_NEIGHBORHOOD_DEPTH).default(2),
  metal: MetalSchema.optional().describe('Follow only SUPPLIES of this metal'),
  collapse: z
    .enum(['auto', 'none', ...COLLAPSE_KEYS])
    .default('auto')
    .describe('Group nodes by tier, country or metal; "auto" groups by tier only when there are more than maxNodes nodes'),
  maxNodes: z.coerce.number().int().min(1).max(20_000).default(500),
});

export default async function neighborhoodRoutes(app: FastifyInstance): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/nodes/:id/neighborhood',
    {
      schema: {
        tags: ['graph'],
        summary: 'The supply neighbourhood of a node, with tiers',
        params: z.object({ id: NodeIdSchema }),
        querystring: NeighborhoodQuery,
        response: { 200: NeighborhoodAnswerSchema, ...problemResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const { direction, depth, metal, collapse, maxNodes } = request.query;
      const hood = await app.store.neighborhood(request.params.id, { direction, depth, metal });
      if (!hood) throw new NotFoundError(`No node has id "${request.params.id}"`);
      const nodes = hood.nodes
        .map((n) => ({ node: n.node, tier: n.distance }))
        .sort((a, b) => a.tier - b.tier || (a.node.id < b.node.id ? -1 : 1));
      const by = collapse === 'auto' ? (nodes.length > maxNodes ? 'tier' : null) : collapse === 'none' ? null : collapse;
      const totals = { totalNodes: nodes.length, totalRelationships: hood.relationships.length };
      if (by === null) return { center: hood.center, nodes, relationships: hood.relationships, collapsed: null, ...totals };
      return {
        center: hood.center,
        nodes: [],
        relationships: [],
        collapsed: collapseNeighborhood(hood.center.id, nodes, hood.relationships, by),
        ...totals,
      };
    },
  );
}
