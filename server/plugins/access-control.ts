/**
 * Who may do what. Every route under /api needs a role by what it does: reads need `reader` (or
 * nothing, when reads are open), writes and imports `editor`, administrative routes `admin`.
 * A route says what it does with `config: { access }`; without it, GET/HEAD are reads and other
 * methods writes. Everything outside /api (health, docs, the web page) is public.
 *
 * With no keys configured everything is allowed: the server then refuses to listen anywhere but
 * loopback (server/config.ts assertSafeExposure).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiKeyRing, neededRole, roleAllows, type Access, type Role } from '../access/api-keys.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** The API key the request authenticated with, if any (its name and role, never the key). */
    apiKey?: { name: string; role: Role };
  }
}

export interface AccessControlOptions {
  keys?: ApiKeyRing | undefined;
  /** open: reads need no key. keyed: reads need a reader key. */
  reads?: 'open' | 'keyed' | undefined;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

function accessOf(request: FastifyRequest): Access {
  const configured = request.routeOptions.config?.access;
  if (configured) return configured;
  if (!request.url.startsWith('/api/')) return 'public';
  return READ_METHODS.has(request.method) ? 'read' : 'write';
}

async function accessControl(app: FastifyInstance, options: AccessControlOptions): Promise<void> {
  const keys = options.keys ?? new ApiKeyRing([]);
  const reads = options.reads ?? 'open';
  app.decorate('apiKeys', keys);

  app.addHook('onRequest', async (request) => {
    const access = accessOf(request);
    const header = request.headers.authorization;
    if (keys.size > 0 && header !== undefined) {
      // A key that is sent is checked even where none is needed: a wrong key is a client bug to surface.
      const match = BEARER.exec(header);
      if (!match) throw new UnauthorizedError('The Authorization header must be "Bearer <API key>"', [{ path: 'headers.authorization', message: 'must be "Bearer <API key>"' }]);
      const entry = keys.find(match[1]!);
      if (!entry) throw new UnauthorizedError('Unknown API key', [{ path: 'headers.authorization', message: 'no configured key matches' }]);
      request.apiKey = { name: entry.name, role: entry.role };
    }
    if (access === 'public' || keys.size === 0) return;
    if (access === 'read' && reads === 'open') return;
    if (!request.apiKey) {
      throw new UnauthorizedError(`${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]} needs an API key with the ${neededRole(access)} role: send "Authorization: Bearer <key>"`, [
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
