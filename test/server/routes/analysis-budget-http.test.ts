/**
 * The analysis work budget over HTTP (finding 4 of the Trust issue): on a giant supply cycle, an
 * origins request that runs past ANALYSIS_TIMEOUT_MS answers 503 analysis-timeout with
 * Retry-After, /health answers meanwhile, and the next request is answered by a fresh worker.
 * The same request under the default budget answers 200: the budget, not the graph, refused it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { giantScc } from '../../graph/hostile-shapes.js';
import { embeddedHarness, type Harness } from '../app-harness.js';

const shape = giantScc(20_000);
const ORIGINS = `/api/v1/companies/${shape.buyer}/origins?metal=tin`;
/** A read that needs no analysis worker. */
const SMALL = '/api/v1/smelters/S0';

describe('analysis deadline over HTTP', () => {
  let tight: Harness;
  let roomy: Harness;

  beforeAll(async () => {
    // 20 ms: the origins of the cycle's buyer take hundreds of ms on this machine (bench hostile).
    tight = await embeddedHarness({ withFixture: false, analysisWorkers: 1, analysisBudget: { timeoutMs: 20 } });
    roomy = await embeddedHarness({ withFixture: false, analysisWorkers: 1 });
    for (const h of [tight, roomy]) await h.store.importGraph({ nodes: shape.nodes, relationships: shape.relationships });
  }, 120_000);
  afterAll(async () => {
    await tight?.close();
    await roomy?.close();
  });

  it('answers 503 analysis-timeout with Retry-After, keeps /health up, and answers again after', async () => {
    const started = performance.now();
    const [slow, health] = await Promise.all([
      tight.app.inject({ method: 'GET', url: ORIGINS }),
      tight.app.inject({ method: 'GET', url: '/health' }),
    ]);
    const ms = performance.now() - started;
    expect(slow.statusCode, slow.body).toBe(503);
    expect(slow.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(slow.headers['retry-after']).toBe('1');
    expect(slow.json()).toMatchObject({
      type: 'urn:oretrace:problem:analysis-timeout',
      status: 503,
      detail: 'The analysis took longer than 20 ms (ANALYSIS_TIMEOUT_MS) and was stopped.',
    });
    expect(health.statusCode).toBe(200);
    console.log(`origins of a 20,000-company cycle under a 20 ms budget: 503 after ${ms.toFixed(0)} ms (compile included)`);
    // The service goes on: a read and the same analysis again (stopped again, not stuck).
    expect((await tight.app.inject({ method: 'GET', url: SMALL })).statusCode).toBe(200);
    expect((await tight.app.inject({ method: 'GET', url: ORIGINS })).statusCode).toBe(503);
  }, 120_000);

  it('answers the same request 200 under the default budget', async () => {
    const res = await roomy.app.inject({ method: 'GET', url: ORIGINS });
    expect(res.statusCode, res.body).toBe(200);
    const warm = performance.now();
    expect((await roomy.app.inject({ method: 'GET', url: ORIGINS })).statusCode).toBe(200);
    console.log(`warm origins: ${(performance.now() - warm).toFixed(0)} ms`);
    const mix = res.json().originMix;
    expect(mix.cahra + mix.nonCahra + mix.recycled + mix.undisclosed).toBeCloseTo(1, 12);
  }, 120_000);
});
