/**
 * POST /api/v1/imports/graph — a whole graph document (SPEC §3a) in one all-or-nothing write.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { GraphDocumentSchema, GraphNodeSchema, RelationshipSchema, type GraphDocumentInput } from '../../graph/model.js';
import { DomainError } from '../errors.js';
import { problemResponses, WriteResultSchema } from '../schemas/http.js';

/** Rows per import; beyond this, split the document (or use the CLI). */
export const MAX_IMPORT_ROWS = 500_000;
/** Bytes of JSON per import. */
export const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;

const ImportBody = GraphDocumentSchema.extend({
  nodes: z.array(GraphNodeSchema).max(MAX_IMPORT_ROWS).default([]),
  relationships: z.array(RelationshipSchema).max(MAX_IMPORT_ROWS).default([]),
});

export default async function importRoutes(app: FastifyInstance): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/imports/graph',
    {
      preValidation: async (request) => {
        (request as unknown as { sentBody?: unknown }).sentBody = request.body;
      },
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ['imports'],
        summary: 'Import nodes and relationships, all or nothing',
        description:
          'Nodes that exist are updated (properties merged); relationships are upserted by (type, from, to, metal) and name their ends by id. One invalid row or a relationship whose end does not exist rejects the whole document and writes nothing.',
        body: ImportBody,
        response: { 200: WriteResultSchema, ...problemResponses(400, 413, 415, 422, 503) },
      },
    },
    async (request) => {
      // The store gets the document as sent, not as parsed: parsing fills defaults (rmapStatus
      // "unknown"…) that would overwrite stored values when a node is merged. The schema above has
      // already checked it; the store checks it again, then resolves relationship ends.
      const sent = (request as unknown as { sentBody?: GraphDocumentInput }).sentBody ?? request.body;
      try {
        return await app.store.importGraph({ nodes: sent.nodes ?? [], relationships: sent.relationships ?? [] });
      } catch (err) {
        if (err instanceof DomainError) for (const f of err.fields) f.path = `body.${f.path}`;
        throw err;
      }
    },
  );
}
