/**
 * Builds the oretrace Fastify app as a plugin tree. It never listens: server/server.ts does that,
 * and tests call `app.inject`.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import accessControl, { type AccessControlOptions } from './plugins/access-control.js';
import analytics from './plugins/analytics.js';
import graphStore from './plugins/graph-store.js';
import httpSafety, { type HttpSafetyOptions } from './plugins/http-safety.js';
import multipart from './plugins/multipart.js';
import openapi from './plugins/openapi.js';
import problemDetails, { frameworkErrorHandler } from './plugins/problem-details.js';
import admin from './routes/admin.js';
import analyses from './routes/analyses.js';
import cmrtImports from './routes/cmrt-imports.js';
import companies from './routes/companies.js';
import countries from './routes/countries.js';
import exportRoutes from './routes/export.js';
import health from './routes/health.js';
import homePage from './routes/home-page.js';
import imports from './routes/imports.js';
import neighborhood from './routes/neighborhood.js';
import smelterMatches from './routes/smelter-matches.js';
import smelters from './routes/smelters.js';
import supplies from './routes/supplies.js';
import type { GraphStore } from './stores/graph-store.js';

export interface AppOptions {
  store: GraphStore;
  logger?: FastifyServerOptions['logger'];
  /** Worker threads for analyses (default: cores − 1, at most 4); 0 runs them in-process. */
  analysisWorkers?: number;
  /** Each analysis's deadline and each analysis worker's heap (defaults 30 s, 1024 MB); only worker threads can be stopped. */
  analysisBudget?: { timeoutMs?: number; heapMb?: number };
  /** MB of analysis answers kept per snapshot version (default 64; 0 keeps none). */
  answerCacheMb?: number;
  /** API keys and whether reads need one; default: no keys, everything allowed (loopback only). */
  access?: AccessControlOptions;
  /** CORS origins and the rate limit; default: no CORS headers, no rate limit. */
  safety?: HttpSafetyOptions;
  /** Fastify's requestTimeout in ms; default 120 s. */
  requestTimeoutMs?: number;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    // Ids may contain characters that need encoding; keep the default router, but be explicit about limits.
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: 500 },
    requestTimeout: options.requestTimeoutMs ?? 120_000,
    // The router's own refusals (undecodable URL, over-long parameter) answer as problems too.
    frameworkErrors: frameworkErrorHandler,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(problemDetails);
  await app.register(accessControl, options.access ?? {});
  await app.register(httpSafety, options.safety ?? {});
  await app.register(graphStore, { store: options.store });
  await app.register(analytics, { workers: options.analysisWorkers, budget: options.analysisBudget, answerCacheMb: options.answerCacheMb });
  await app.register(multipart);
  await app.register(openapi);

  await app.register(health);
  await app.register(homePage);
  await app.register(
    async (api) => {
      await api.register(companies);
      await api.register(smelters);
      await api.register(countries);
      await api.register(supplies);
      await api.register(neighborhood);
      await api.register(imports);
      await api.register(cmrtImports);
      await api.register(smelterMatches);
      await api.register(exportRoutes);
      await api.register(analyses);
      await api.register(admin, { reads: options.access?.reads });
    },
    { prefix: '/api/v1' },
  );
  return app;
}
