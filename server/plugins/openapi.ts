/**
 * OpenAPI 3.1 generated from the routes' zod schemas, at /docs/json, with interactive docs at /docs.
 * Schemas registered with an id (graph/model.ts, contract/) become named components.
 */
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { $ZodType } from 'zod/v4/core';

export const API_VERSION = '1.0.0';

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];

/**
 * jsonSchemaTransform converts `body` only when it is one zod schema. A route that takes several
 * media types (JSON or multipart/form-data) declares `body: { content: { type: { schema } } }`,
 * as Fastify's own validation understands it; each media type's schema is converted here.
 */
export function contentAwareJsonSchemaTransform(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const body = (input.schema as { body?: unknown } | undefined)?.body;
  if (body === null || typeof body !== 'object' || body instanceof $ZodType || !('content' in body)) return jsonSchemaTransform(input);
  const content: Record<string, { schema: unknown }> = {};
  for (const [mediaType, entry] of Object.entries((body as { content: Record<string, { schema: unknown }> }).content)) {
    const converted = jsonSchemaTransform({ ...input, schema: { body: entry.schema } } as TransformInput);
    content[mediaType] = { schema: (converted.schema as { body?: unknown }).body };
  }
  const rest = jsonSchemaTransform({ ...input, schema: { ...input.schema, body: undefined } } as TransformInput);
  return { ...rest, schema: { ...rest.schema, body: { content } } };
}

async function openapi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'oretrace API',
        version: API_VERSION,
        description:
          'Supply-chain graph analytics: companies, smelters and countries, the SUPPLIES between them, ' +
          'and analyses of mineral origins and risk. Errors are RFC 9457 problem details (application/problem+json).',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      tags: [
        { name: 'companies' },
        { name: 'smelters' },
        { name: 'countries' },
        { name: 'supplies' },
        { name: 'graph' },
        { name: 'imports' },
        { name: 'operations' },
      ],
    },
    transform: contentAwareJsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
}

export default fp(openapi, { name: 'openapi' });
