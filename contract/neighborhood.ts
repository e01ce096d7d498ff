/**
 * The answer of GET /api/v1/nodes/:id/neighborhood, declared apart from its route so that the web
 * client can parse answers with it without bundling the route (Fastify, the store).
 */
import { z } from 'zod';
import { GraphNodeSchema, SuppliesSchema } from '../graph/model.js';
import { COLLAPSE_KEYS } from '../graph/neighborhood-collapse.js';

export const NeighborhoodAnswerSchema = z
  .object({
    center: GraphNodeSchema,
    nodes: z.array(z.object({ node: GraphNodeSchema, tier: z.number().int().describe('Hops from the centre') })),
    relationships: z.array(SuppliesSchema),
    collapsed: z
      .object({
        by: z.enum(COLLAPSE_KEYS),
        groups: z.array(
          z.object({
            key: z.string(),
            name: z.string(),
            size: z.number().int(),
            byLabel: z.record(z.string(), z.number().int()),
            tier: z.number().int(),
            sampleIds: z.array(z.string()),
          }),
        ),
        links: z.array(z.object({ from: z.string(), to: z.string(), metals: z.array(z.string()), relationships: z.number().int() })),
      })
      .nullable()
      .describe('Present when the neighbourhood was collapsed; nodes and relationships are then left empty'),
    totalNodes: z.number().int(),
    totalRelationships: z.number().int(),
  })
  .meta({ id: 'Neighborhood' });
export type NeighborhoodAnswer = z.infer<typeof NeighborhoodAnswerSchema>;
