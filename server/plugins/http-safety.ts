/**
 * What every answer carries and every client is held to: security headers with a content
 * security policy the web page and the API docs work under, CORS for the configured origins only,
 * and a rate limit per API key (or per client address without a key).
 *
 * The rate limit counts every request, refused ones too: its hook runs on onRequest (on each
 * route, so after access-control has identified the key), and access is decided on preParsing,
 * after it. A bad or missing key is counted under the client's address, so guessing keys ends in
 * 429s.
 */
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { TooManyRequestsError } from '../errors.js';

export interface HttpSafetyOptions {
  /** Origins allowed by CORS; none: no CORS headers (same-origin only). */
  corsOrigins?: readonly string[] | undefined;
  /** Requests per minute per key or address; 0 or undefined: no limit (tests, embedded use). */
  rateLimitPerMinute?: number | undefined;
}

/** Health checks are polled by orchestrators and must never be rate limited. */
const UNLIMITED = new Set(['/health', '/ready']);

async function httpSafety(app: FastifyInstance, options: HttpSafetyOptions): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // D3 and Swagger UI set style attributes; no script may be inlined, styles may.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // The API answers JSON to other origins when CORS allows them; the page loads nothing cross-origin.
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  if (options.corsOrigins && options.corsOrigins.length > 0) {
    await app.register(fastifyCors, {
      origin: [...options.corsOrigins],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type'],
      exposedHeaders: ['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'],
      maxAge: 600,
    });
  }
  if (options.rateLimitPerMinute && options.rateLimitPerMinute > 0) {
    await app.register(fastifyRateLimit, {
      max: options.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => (request.apiKey ? `key:${request.apiKey.name}` : `ip:${request.ip}`),
      // The matched route, not the spelling of the target (/health?x, /%68ealth are the same route).
      allowList: (request) => UNLIMITED.has(request.routeOptions.url ?? ''),
      errorResponseBuilder: (_request, context) =>
        new TooManyRequestsError(
          `More than ${context.max} requests in ${context.after}; retry later`,
          Math.max(1, Math.ceil(context.ttl / 1000)),
        ),
    });
  }
}

export default fp(httpSafety, { name: 'http-safety', dependencies: ['access-control'] });
