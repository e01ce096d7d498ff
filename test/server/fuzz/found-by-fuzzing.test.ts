/**
 * The failures routes-fuzz.test.ts found, each pinned to its minimal request so that it stays
 * fixed whatever seed the fuzzer runs with.
 */
import Fastify, { type InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import problemDetails, { frameworkErrorHandler } from '../../../server/plugins/problem-details.js';
import { embeddedHarness, type Harness } from '../app-harness.js';
import { multipartPayload } from './openapi-arbitraries.js';

let h: Harness;
beforeAll(async () => {
  h = await embeddedHarness({ analysisWorkers: 0 });
});
afterAll(async () => h?.close());

async function expectRejected(request: InjectOptions, status: number, detail: RegExp) {
  const version = await h.store.version();
  const res = await h.app.inject(request);
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json().detail).toMatch(detail);
  expect(await h.store.version()).toBe(version);
  return res.json();
}

describe('found by fuzzing', () => {
  it('a risk-policy override that is valid alone but not once merged is a 400 naming the field, not a 500', async () => {
    const policy = encodeURIComponent('{"companies":{"saqBands":[{"minScore":100,"risk":0}]}}');
    for (const route of ['risk', 'risk-paths']) {
      const problem = await expectRejected(
        { method: 'GET', url: `/api/v1/companies/acme/${route}?metal=tin&policy=${policy}` },
        400,
        /last band must start at 0/,
      );
      expect(problem.errors).toEqual([{ path: 'query.policy.companies.saqBands[0].minScore', message: 'the last band must start at 0' }]);
    }
    await expectRejected({ method: 'GET', url: `/api/v1/rankings/risk?metal=tin&policy=${policy}` }, 400, /last band must start at 0/);
  });

  it.each(['/api/v1/imports/graph', '/api/v1/imports/cmrt?company=acme'])(
    'multipart without a boundary is a 400, not a 500 (%s)',
    async (url) => {
      await expectRejected(
        { method: 'POST', url, headers: { 'content-type': 'multipart/form-data' }, payload: 'x' },
        400,
        /cannot be read: .*Boundary not found/,
      );
    },
  );

  it('a multipart body cut short is a 400, not a 500', async () => {
    const payload = '--x\r\nContent-Disposition: form-data; name="nodes"; filename="a.csv"\r\n\r\nlabel,id';
    await expectRejected(
      { method: 'POST', url: '/api/v1/imports/graph', headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload },
      400,
      /cannot be read: (Unexpected end of form|Premature close)/,
    );
  });

  it.each([
    ['/api/v1/imports/graph', 'nodes'],
    ['/api/v1/imports/cmrt?company=acme', 'file'],
  ])(
    'a part header with a bare CR before a large part is a 400 within seconds, not a request that never ends (%s)',
    async (url, name) => {
      // busboy stops without finishing or failing on it, holding the request stream paused.
      const payload = multipartPayload([{ name, fileName: '\r', type: 'text/csv', content: Buffer.alloc(100_000, 65) }], 'b');
      // Without the stall guard this request is never answered and the test times out.
      await expectRejected(
        { method: 'POST', url, headers: { 'content-type': 'multipart/form-data; boundary=b' }, payload },
        400,
        /parser stopped part-way/,
      );
    },
    30_000,
  );

  it("the app answers the router's own refusals as problems", async () => {
    await expectRejected({ method: 'GET', url: '/api/v1/companies/%E0%A4%A' }, 400, /./);
    const long = await expectRejected({ method: 'GET', url: `/api/v1/companies/${'x'.repeat(501)}` }, 414, /./);
    expect(long).toMatchObject({ type: 'urn:oretrace:problem:uri-too-long', status: 414 });
  });

  it("frameworkErrorHandler answers the router's own refusals (undecodable URL, over-long parameter) as problems", async () => {
    // server/app.ts must pass it as Fastify's frameworkErrors option for the app to use it.
    const app = Fastify({ frameworkErrors: frameworkErrorHandler, routerOptions: { maxParamLength: 10 } });
    await app.register(problemDetails);
    app.get('/things/:id', async () => ({ ok: true }));
    await app.ready();
    try {
      const bad = await app.inject({ method: 'GET', url: '/things/%E0%A4%A' });
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(bad.json()).toMatchObject({ type: 'urn:oretrace:problem:bad-request', status: 400, instance: '/things/%E0%A4%A' });
      const long = await app.inject({ method: 'GET', url: `/things/${'x'.repeat(11)}` });
      expect(long.statusCode).toBe(414);
      expect(long.json()).toMatchObject({ type: 'urn:oretrace:problem:uri-too-long', status: 414 });
    } finally {
      await app.close();
    }
  });
});
