/**
 * GET / — the web front end (web/, built by Vite into web/dist) and its hashed assets under
 * /assets/. The page is read from disk on each request, so a rebuild shows without a restart;
 * the assets never change under their hashed names and are cached for a year. When web/dist is
 * missing, / answers a plain page that says how to build it and links the API.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../errors.js';

export const WEB_DIST_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist');

export interface HomePageOptions {
  /** Folder of the built front end (default web/dist). */
  distDir?: string;
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>oretrace</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 3rem auto; padding: 0 1rem; color: #1d2430; }
  code { background: #eef1f5; padding: 0 .25rem; border-radius: 3px; }
  a { color: #0b5cad; }
  .note { background: #fff4e5; border-left: 4px solid #e69f00; padding: .5rem .75rem; }
</style>
</head>
<body>
<h1>oretrace</h1>
<p>Supply-chain graph analytics: where the tin, tantalum, tungsten, gold, cobalt and mica in a company's
supply come from, which origins lie in conflict-affected and high-risk areas, and where the single points
of failure are.</p>
<p class="note">The web explorer is not built in this installation. Build it with <code>npm run build:web</code>
(<code>npm start</code> does so by itself) and reload this page.</p>
<p>The API works meanwhile:</p>
<ul>
  <li><a href="/docs">API documentation</a> (OpenAPI 3.1 at <a href="/docs/json">/docs/json</a>)</li>
  <li><a href="/api/v1/companies?limit=20">Companies</a>, <a href="/api/v1/smelters?limit=20">smelters</a>,
      <a href="/api/v1/countries?cahra=true">CAHRA countries</a></li>
  <li><a href="/ready">Readiness</a></li>
</ul>
</body>
</html>
`;

export default async function homePage(app: FastifyInstance, options: HomePageOptions = {}): Promise<void> {
  const distDir = options.distDir ?? WEB_DIST_DIR;
  const indexPath = resolve(distDir, 'index.html');
  const assetsDir = resolve(distDir, 'assets');

  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    let page: string;
    try {
      page = await readFile(indexPath, 'utf8');
    } catch {
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(NOT_BUILT_PAGE);
    }
    // The page names the current asset hashes: always ask for it afresh.
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);
  });

  if (existsSync(assetsDir)) {
    await app.register(async (assets) => {
      // @fastify/static answers a path out of its root 403 (typed bad-request by the error
      // handler); an asset name that cannot exist is simply not found, before static looks.
      assets.addHook('onRequest', async (request) => {
        const name = (request.params as { '*'?: string })['*'] ?? '';
        if (!isAssetName(name)) throw new NotFoundError(`No asset is named "${name}"`);
      });
      await registerStaticAssets(assets, assetsDir);
    });
  } else {
    // Built later (npm run build:web while running)? Serve the files as they appear.
    app.get('/assets/*', { schema: { hide: true } }, async (request, reply) => {
      const name = (request.params as { '*': string })['*'];
      if (!isAssetName(name)) throw new NotFoundError(`No asset is named "${name}"`);
      let body: Buffer;
      try {
        body = await readFile(resolve(assetsDir, name));
      } catch {
        throw new NotFoundError(`No asset is named "${name}"; build the web front end with npm run build:web`);
      }
      return reply.type(contentTypeOf(name)).send(body);
    });
  }
}

/** Asset names are flat and hashed: anything else (a path, "..", a dot file) is simply not there. */
function isAssetName(name: string): boolean {
  return /^[\w.-]+$/.test(name) && !name.startsWith('.');
}

async function registerStaticAssets(app: FastifyInstance, assetsDir: string): Promise<void> {
  await app.register(fastifyStatic, {
    root: assetsDir,
    prefix: '/assets/',
    // The swagger UI plugin decorates reply with sendFile in its own context; this one needs no decoration.
    decorateReply: false,
    index: false,
    wildcard: true,
    immutable: true,
    maxAge: '365d',
    schemaHide: true,
  });
}

function contentTypeOf(name: string): string {
  if (name.endsWith('.js')) return 'text/javascript; charset=utf-8';
  if (name.endsWith('.css')) return 'text/css; charset=utf-8';
  if (name.endsWith('.json') || name.endsWith('.map')) return 'application/json; charset=utf-8';
  return 'application/octet-stream';
}
