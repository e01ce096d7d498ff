/**
 * Who may do what. Every route under /api needs a role by what it does: reads need `reader` (or
 * nothing, when reads are open), writes and imports `editor`, administrative routes `admin`.
 * A route says what it does with `config: { access }`; without it, GET/HEAD are reads and other
 * methods writes. Everything outside /api (health, docs, the web page) is public.
 *
 * The level is stamped on each route as it is registered (onRoute, from the route's own url and
 * method) and read back from the route a request matched, never from request.url: the router
 * decodes `/%61pi/…` and drops the `http://host` of an absolute-form target, so a decision on the
 * raw URL and the router's match would disagree. A request that matches no route is public: it
 * can only be answered 404.
 *
 * The key is identified on onRequest, before the rate limit (a route onRequest hook, so later)
 * counts the request under that key or its address; the decision is taken on preParsing, after
 * the count and before any body is read. So a flood of bad keys is counted and ends in 429s.
 *
 * With no keys configured everything is allowed: the server then refuses to listen anywhere but
 * loopback (server/config.ts assertSafeExposure).
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { ApiKeyRing, neededRole, roleAllows, type Access, type Role } from '../access/api-keys.js';
import { DomainError, ForbiddenError, UnauthorizedError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** The API key the request authenticated with, if any (its name and role, never the key). */
    apiKey?: { name: string; role: Role };
    /** Why the Authorization header sent was refused; thrown once the rate limit has counted the request. */
    apiKeyRefusal?: DomainError;
  }
}

export interface AccessControlOptions {
  keys?: ApiKeyRing | undefined;
  /** open: reads need no key. keyed: reads need a reader key. */
  reads?: 'open' | 'keyed' | undefined;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

/** The access a route needs from its own url (prefix included) and method(s). */
export function accessOfRoute(url: string, method: string | readonly string[]): Access {
  if (url !== '/api' && !url.startsWith('/api/')) return 'public';
  const methods = typeof method === 'string' ? [method] : method;
  return methods.every((m) => READ_METHODS.has(m.toUpperCase())) ? 'read' : 'write';
}

function stampAccess(route: RouteOptions): void {
  if (route.config?.access) return;
  route.config = { ...route.config, access: accessOfRoute(route.url, route.method) };
}

/** The access of the route the request matched; a request that matched none is public (it can only get a 404). */
function accessOf(request: FastifyRequest): Access {
  const { config, url, method } = request.routeOptions;
  if (config?.access) return config.access;
  return url === undefined ? 'public' : accessOfRoute(url, method);
}

/** The key the Authorization header names, or the refusal of it. */
function identify(keys: ApiKeyRing, header: string): { name: string; role: Role } | DomainError {
  const match = BEARER.exec(header);
  if (!match)
    return new UnauthorizedError('The Authorization header must be "Bearer <API key>"', [
      { path: 'headers.authorization', message: 'must be "Bearer <API key>"' },
    ]);
  const entry = keys.find(match[1]!);
  if (!entry) return new UnauthorizedError('Unknown API key', [{ path: 'headers.authorization', message: 'no configured key matches' }]);
  return { name: entry.name, role: entry.role };
}

async function accessControl(app: FastifyInstance, options: AccessControlOptions): Promise<void> {
  const keys = options.keys ?? new ApiKeyRing([]);
  const reads = options.reads ?? 'open';
  app.decorate('apiKeys', keys);
  app.addHook('onRoute', stampAccess);

  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (keys.size === 0 || header === undefined) return;
    const found = identify(keys, header);
    if (found instanceof DomainError) request.apiKeyRefusal = found;
    else request.apiKey = found;
  });

  app.addHook('preParsing', async (request) => {
    // A key that is sent is checked even where none is needed: a wrong key is a client bug to surface.
    if (request.apiKeyRefusal) throw request.apiKeyRefusal;
    const access = accessOf(request);
    if (access === 'public' || keys.size === 0) return;
    if (access === 'read' && reads === 'open') return;
    const route = `${request.method} ${request.routeOptions.url}`;
    if (!request.apiKey) {
      throw new UnauthorizedError(`${route} needs an API key with the ${neededRole(access)} role: send "Authorization: Bearer <key>"`, [
        { path: 'headers.authorization', message: 'is required' },
      ]);
    }
    if (!roleAllows(request.apiKey.role, access)) {
      throw new ForbiddenError(`The key "${request.apiKey.name}" has the ${request.apiKey.role} role; this needs ${neededRole(access)}`, [
        { path: 'headers.authorization', message: `needs the ${neededRole(access)} role` },
      ]);
    }
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    apiKeys: ApiKeyRing;
  }
}

export default fp(accessControl, { name: 'access-control' });
