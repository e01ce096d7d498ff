/**
 * A worker thread that crashes during an analysis (issue 6): that request fails with a 500
 * problem+json that leaks nothing, the service goes on, and the next analyses are answered by the
 * worker that replaced the crashed one.
 *
 * The app is the real one (buildApp, real worker threads); only the worker's entry module is a
 * test one (crash-on-demand-worker.ts: the real worker body plus two companies whose analysis
 * kills the thread). The pool takes its entry as a constructor argument; the analytics plugin
 * always uses the real one, so the constructor's default is substituted here.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { embeddedHarness, type Harness } from '../app-harness.js';

vi.mock('../../../server/analytics/analysis-pool.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../server/analytics/analysis-pool.js')>();
  class CrashOnDemandPool extends real.AnalysisPool {
    constructor(size?: number) {
      super(size, new URL('./crash-on-demand-worker.ts', import.meta.url));
    }
  }
  return { ...real, AnalysisPool: CrashOnDemandPool };
});

let h: Harness;
/** The answers of a healthy pool, to compare with after each crash. */
let reference: Harness;

beforeAll(async () => {
  h = await embeddedHarness({ analysisWorkers: 1 });
  reference = await embeddedHarness({ analysisWorkers: 0 });
  // The companies whose analysis crashes need not exist: ids are resolved inside the worker, which
  // crashes first.
}, 60_000);
afterAll(async () => {
  await h?.close();
  await reference?.close();
});

const get = (app: Harness['app'], url: string) => app.inject({ method: 'GET', url });

async function expectHealthyAnswers(): Promise<void> {
  for (const url of [
    '/api/v1/companies/acme/origins?metal=tin',
    '/api/v1/companies/acme/single-points-of-failure?metal=gold',
    '/api/v1/companies/t1a/risk?metal=tin',
  ]) {
    const res = await get(h.app, url);
    expect(res.statusCode, url).toBe(200);
    expect(res.json(), url).toEqual((await get(reference.app, url)).json());
  }
}

// A worker thread loads TypeScript through tsx when it starts: seconds on a busy machine.
describe('a worker thread that crashes during an analysis', { timeout: 60_000 }, () => {
  it('answers the analysis before any crash exactly as in-process', async () => {
    await expectHealthyAnswers();
  });

  it.each([
    ['an uncaught exception', 'crash-in-analysis'],
    ['process.exit in the worker', 'exit-in-analysis'],
  ])('fails only that request with 500 problem+json on %s, then goes on', async (_how, company) => {
    const res = await get(h.app, `/api/v1/companies/${company}/origins?metal=tin`);
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json();
    expect(problem).toEqual({
      type: 'urn:oretrace:problem:internal',
      title: 'Internal server error',
      status: 500,
      detail: 'The server failed to answer; the failure is logged.',
      instance: `/api/v1/companies/${company}/origins?metal=tin`,
    });
    // Nothing of the worker's failure leaks to the client.
    expect(problem.detail).not.toMatch(/simulated|exit|code 7|worker/i);

    // The process is up, and the replacement worker answers correctly (it got the snapshot).
    expect((await get(h.app, '/health')).statusCode).toBe(200);
    await expectHealthyAnswers();
  });

  it('survives crashes in a row, interleaved with good requests in flight', async () => {
    const urls = [
      '/api/v1/companies/acme/origins?metal=tin',
      '/api/v1/companies/crash-in-analysis/origins?metal=tin',
      '/api/v1/companies/acme/risk-paths?metal=tin',
      '/api/v1/companies/exit-in-analysis/origins?metal=tin',
      '/api/v1/companies/t1b/origins?metal=tin',
    ];
    const answers = await Promise.all(urls.map((url) => get(h.app, url)));
    // A crash fails the tasks its worker held at that moment (with one worker: those queued behind
    // it too); each is a clean 500 or a correct answer, never anything else.
    for (const [i, res] of answers.entries()) {
      if (urls[i]!.includes('-in-analysis')) expect(res.statusCode).toBe(500);
      else if (res.statusCode === 200) expect(res.json()).toEqual((await get(reference.app, urls[i]!)).json());
      else expect(res.json()).toMatchObject({ status: 500, type: 'urn:oretrace:problem:internal' });
    }
    await expectHealthyAnswers();
  });
});
