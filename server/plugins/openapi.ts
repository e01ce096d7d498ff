/**
 * OpenAPI 3.1 generated from the routes' zod schemas, at /docs/json, with interactive docs at /docs.
 * Schemas registered with an id (graph/model.ts, server/schemas) become named components.
 */
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

export const API_VERSION = '1.0.0';

async function openapi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'oretrace API',
        version: API_VERSION,
        description:
          'Supply-chain graph analytics: companies, smelters and countries, the SUPPLIES between them, and analyses of mineral origins and risk. Errors are RFC 9457 problem details (application/problem+json).',
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
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
}

export default fp(openapi, { name: 'openapi' });
