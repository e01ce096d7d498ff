/**
 * GET / — a plain page saying what is here until the D3 explorer (web/) is built into it.
 */
import type { FastifyInstance } from 'fastify';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>oretrace</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 3rem auto; padding: 0 1rem; color: #1d2430; }
  code { background: #eef1f5; padding: 0 .25rem; border-radius: 3px; }
  a { color: #0b5cad; }
</style>
</head>
<body>
<h1>oretrace</h1>
<p>Supply-chain graph analytics: where the tin, tantalum, tungsten, gold, cobalt and mica in a company's
supply come from, which origins lie in conflict-affected and high-risk areas, and where the single points
of failure are.</p>
<p>The explorer is not built yet. Meanwhile:</p>
<ul>
  <li><a href="/docs">API documentation</a> (OpenAPI 3.1 at <a href="/docs/json">/docs/json</a>)</li>
  <li><a href="/api/v1/companies?limit=20">Companies</a>, <a href="/api/v1/smelters?limit=20">smelters</a>,
      <a href="/api/v1/countries?cahra=true">CAHRA countries</a></li>
  <li><a href="/ready">Readiness</a></li>
</ul>
</body>
</html>
`;

export default async function homePage(app: FastifyInstance): Promise<void> {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
}
