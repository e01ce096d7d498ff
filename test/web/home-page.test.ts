/**
 * GET / and /assets/ (server/routes/home-page.ts): the built page and its assets (immutable), a
 * clear page when the build is missing, assets that appear after the start, 404 problems for
 * unknown assets; /docs and /api keep working beside them.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import problemDetails from '../../server/plugins/problem-details.js';
import homePage from '../../server/routes/home-page.js';

const base = inject('webBaseUrl');

describe('home page route over the built front end', () => {
  it('serves web/dist/index.html at / and its assets with long-lived caching', async () => {
    const page = await fetch(new URL('/', base));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(new URL(script!, base));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('answers a 404 problem for an unknown asset, and keeps /docs and the API', async () => {
    const missing = await fetch(new URL('/assets/no-such-file.js', base));
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await fetch(new URL('/docs/json', base))).status).toBe(200);
    expect((await fetch(new URL('/api/v1/companies?limit=1', base))).status).toBe(200);
  });
});

describe('home page route without a build', () => {
  let dist: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), 'oretrace-no-dist-'));
    app = Fastify();
    await app.register(problemDetails);
    await app.register(homePage, { distDir: dist });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await rm(dist, { recursive: true, force: true });
  });

  it('says how to build the front end and links the API', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('npm run build:web');
    expect(res.body).toContain('href="/docs"');
  });

  it('serves assets built after the start, and refuses paths that leave the folder', async () => {
    expect((await app.inject({ method: 'GET', url: '/assets/app-1.js' })).statusCode).toBe(404);
    await mkdir(join(dist, 'assets'));
    await writeFile(join(dist, 'assets', 'app-1.js'), 'export {};');
    const res = await app.inject({ method: 'GET', url: '/assets/app-1.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    const traversal = await app.inject({ method: 'GET', url: '/assets/..%2f..%2fpackage.json' });
    expect(traversal.statusCode).toBe(404);
    expect(traversal.headers['content-type']).toMatch(/^application\/problem\+json/);
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>built</title>');
    expect((await app.inject({ method: 'GET', url: '/' })).body).toContain('<title>built</title>');
  });
});
