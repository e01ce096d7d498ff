/**
 * GET /api/v1/admin/keys — the configured API keys by name and role (never their hashes), so an
 * operator can check what the service accepts. Needs the admin role.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../access/api-keys.js';
import { problemResponses } from '../../contract/http.js';

const KeysAnswer = z
  .object({
    keys: z.array(z.object({ name: z.string(), role: z.enum(ROLES) })),
    readAccess: z.enum(['open', 'keyed']),
    you: z
      .object({ name: z.string(), role: z.enum(ROLES) })
      .nullable()
      .describe('The key this request came with'),
  })
  .meta({ id: 'ApiKeys' });

export default async function adminRoutes(app: FastifyInstance, options: { reads?: 'open' | 'keyed' }): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/admin/keys',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['operations'],
        summary: 'The configured API keys (names and roles)',
        response: { 200: KeysAnswer, ...problemResponses(401, 403) },
      },
    },
    async (request) => ({ keys: app.apiKeys.list(), readAccess: options.reads ?? 'open', you: request.apiKey ?? null }),
  );
}
