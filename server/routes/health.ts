/**
 * Liveness and readiness. /health says the process answers; /ready says the graph store answers
 * too (503 otherwise), so a load balancer stops sending traffic while Neo4j is away.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { StoreUnavailableError } from '../errors.js';
import { problemResponses } from '../../contract/http.js';

export default async function healthRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        summary: 'The process is up',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  r.get(
    '/ready',
    {
      schema: {
        tags: ['operations'],
        summary: 'The graph store answers',
        response: {
          200: z.object({
            status: z.literal('ready'),
            store: z.enum(['neo4j', 'embedded']),
            version: z.number().int().describe('Store version: bumped by every write'),
          }),
          ...problemResponses(503),
        },
      },
    },
    async () => {
      try {
        await app.store.ping();
        return { status: 'ready' as const, store: app.store.kind, version: await app.store.version() };
      } catch (err) {
        if (err instanceof StoreUnavailableError) throw err;
        throw new StoreUnavailableError(`The ${app.store.kind} store does not answer: ${(err as Error).message}`);
      }
    },
  );
}
