/**
 * Two small findings of the Trust issue (11), over real HTTP as a client sends them:
 *   - a CMRT upload with more form fields than the limit is the 413 the limit means, not a 400
 *     "Premature close";
 *   - a path out of the assets folder (`/assets/%2e%2e/…`) is a 404 not-found problem, and never
 *     serves the file, whether the front end is built or not.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import problemDetails from '../../../server/plugins/problem-details.js';
import homePage from '../../../server/routes/home-page.js';
import { embeddedHarness, type Harness } from '../app-harness.js';
import { portOf, rawRequest } from '../plugins/raw-http.js';

/** A multipart body of plain fields as curl -F name=value sends them. */
function fieldsBody(count: number, size: number, boundary = 'limits-boundary'): { payload: Buffer; headers: Record<string, string> } {
  const parts = Array.from(
    { length: count },
    (_, i) => `--${boundary}\r\nContent-Disposition: form-data; name="field${i}"\r\n\r\n${'x'.repeat(size)}\r\n`,
  );
  return {
    payload: Buffer.from(`${parts.join('')}--${boundary}--\r\n`),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

describe('multipart limits over HTTP', () => {
  let h: Harness;
  let port: number;
  beforeAll(async () => {
    h = await embeddedHarness();
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = portOf(h.app);
  }, 60_000);
  afterAll(async () => h?.close());

  it.each([
    ['alone', 'x'.length],
    ['of 10 kB each', 10_000],
  ])('answers 25 form fields (%s) on /imports/cmrt with a 413 naming the limit', async (_what, size) => {
    const version = await h.store.version();
    const answer = await rawRequest(port, {
      method: 'POST',
      target: '/api/v1/imports/cmrt?company=C-ACME&dryRun=true',
      ...fieldsBody(25, size),
    });
    expect(answer.statusCode, answer.body).toBe(413);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({
      type: 'urn:oretrace:problem:payload-too-large',
      detail: 'The request has more than 20 form fields',
    });
    expect(await h.store.version()).toBe(version);
  });
});

describe('assets outside the assets folder', () => {
  const TRAVERSALS = [
    '/assets/%2e%2e/%2e%2e/package.json',
    '/assets/%2e%2e/index.html',
    '/assets/..%2f..%2fpackage.json',
    '/assets/%2E%2E%5C%2E%2E%5Cpackage.json',
    '/assets/.secret',
    '/assets/sub/../../index.html',
  ];
  let dir: string;
  const apps: FastifyInstance[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oretrace-assets-'));
    await writeFile(join(dir, 'package.json'), '{"name":"outside"}');
    await writeFile(join(dir, '.secret'), 'outside');
    await mkdir(join(dir, 'built', 'assets'), { recursive: true });
    await writeFile(join(dir, 'built', 'index.html'), '<!doctype html><title>page</title>');
    await writeFile(join(dir, 'built', 'assets', 'app-1234.js'), 'console.log(1)');
    await writeFile(join(dir, 'built', 'assets', '.secret'), 'hidden');
    await mkdir(join(dir, 'unbuilt'), { recursive: true });
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function served(distDir: string): Promise<number> {
    const app = Fastify();
    await app.register(problemDetails);
    await app.register(homePage, { distDir });
    await app.listen({ port: 0, host: '127.0.0.1' });
    apps.push(app);
    return portOf(app);
  }

  it.each([
    ['built', 'built/assets exists'],
    ['unbuilt', 'no built front end yet'],
  ])('answers a 404 not-found problem for a path out of assets (%s: %s)', async (which) => {
    const port = await served(join(dir, which));
    for (const target of TRAVERSALS) {
      const answer = await rawRequest(port, { method: 'GET', target });
      expect([target, answer.statusCode, answer.headers['content-type']]).toEqual([
        target,
        404,
        expect.stringContaining('application/problem+json'),
      ]);
      expect(JSON.parse(answer.body).type).toBe('urn:oretrace:problem:not-found');
      expect(answer.body).not.toContain('outside');
      expect(answer.body).not.toContain('hidden');
    }
  });

  it('still serves a real asset, cached for a year', async () => {
    const port = await served(join(dir, 'built'));
    const answer = await rawRequest(port, { method: 'GET', target: '/assets/app-1234.js' });
    expect([answer.statusCode, answer.body]).toEqual([200, 'console.log(1)']);
    expect(answer.headers['cache-control']).toContain('immutable');
  });
});
