/**
 * SUPPLIES relationships as a resource, addressed by their key (from, to, metal).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MetalSchema, NodeIdSchema, SuppliesSchema } from '../../graph/model.js';
import { NotFoundError } from '../errors.js';
import { PageQuerySchema, pageOf, problemResponses } from '../../contract/http.js';

const SuppliesKeyQuery = z.object({
  from: NodeIdSchema.describe('Id of the source'),
  to: NodeIdSchema.describe('Id of the buyer'),
  metal: MetalSchema,
});

// No default for `source` here: an update that does not mention it must keep the stored provenance.
const SuppliesBody = SuppliesSchema.omit({ type: true, updatedAt: true, source: true }).extend({
  type: z.literal('SUPPLIES').optional(),
  source: z.string().trim().min(1).max(1000).optional().describe('Provenance; "manual" when a new relationship has none'),
});

export default async function suppliesRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/supplies',
    {
      schema: {
        tags: ['supplies'],
        summary: 'List SUPPLIES relationships, filtered by ends and metal',
        querystring: PageQuerySchema.extend({
          from: NodeIdSchema.optional(),
          to: NodeIdSchema.optional(),
          metal: MetalSchema.optional(),
        }),
        response: { 200: pageOf(SuppliesSchema), ...problemResponses(400, 503) },
      },
    },
    async (request) => {
      const { limit, cursor, from, to, metal } = request.query;
      return app.store.listSupplies({ from, to, metal }, { limit, cursor });
    },
  );

  r.put(
    '/supplies',
    {
      schema: {
        tags: ['supplies'],
        summary: 'Create or update a SUPPLIES relationship',
        description:
          'Upserted by (from, to, metal). Properties left out keep their stored values. Ends must exist: a Country supplies a Smelter, a Smelter or Company supplies a Company.',
        body: SuppliesBody,
        response: { 200: SuppliesSchema, ...problemResponses(400, 422, 503) },
      },
    },
    async (request) => {
      const rel = { ...request.body, type: 'SUPPLIES' as const };
      await app.store.upsertRelationships([rel]);
      const page = await app.store.listSupplies({ from: rel.from, to: rel.to, metal: rel.metal }, { limit: 1 });
      const stored = page.items[0];
      if (!stored) throw new NotFoundError('The relationship vanished right after it was written');
      return stored;
    },
  );

  r.delete(
    '/supplies',
    {
      schema: {
        tags: ['supplies'],
        summary: 'Delete a SUPPLIES relationship by its key',
        querystring: SuppliesKeyQuery,
        response: { 204: z.undefined().describe('Deleted'), ...problemResponses(400, 404, 503) },
      },
    },
    async (request, reply) => {
      const deleted = await app.store.deleteSupplies(request.query);
      if (!deleted) {
        const { from, to, metal } = request.query;
        throw new NotFoundError(`No ${metal} SUPPLIES from "${from}" to "${to}"`);
      }
      return reply.code(204).send();
    },
  );
}
