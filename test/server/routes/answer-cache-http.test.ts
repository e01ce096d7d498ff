/**
 * Answers kept per snapshot version, over HTTP: the same request gives the same text, and a write
 * through the API is seen by the very next request (a new version, so nothing kept is served).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CD, company, PE, smelter, supplies as tin } from '../../graph/graph-builders.js';
import { embeddedHarness, type Harness } from '../app-harness.js';

describe('analysis answers kept per snapshot version', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await embeddedHarness({ withFixture: false, analysisWorkers: 1 });
    await h.store.importGraph({
      nodes: [CD, PE, smelter('S-cd', { country: 'CD' }), smelter('S-pe', { country: 'PE' }), company('BUYER'), company('SUP')],
      relationships: [tin('CD', 'S-cd'), tin('PE', 'S-pe'), tin('S-cd', 'SUP'), tin('SUP', 'BUYER', 1)],
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  const origins = async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/companies/BUYER/origins?metal=tin' });
    expect(res.statusCode, res.body).toBe(200);
    return res;
  };

  it('answers a repeated request with the same text, and a write at once with the new state', async () => {
    const first = await origins();
    expect(first.json().originMix.byCountry).toEqual({ CD: 1 });
    expect((await origins()).body).toBe(first.body);

    // Half of BUYER's tin now comes straight from the Peruvian smelter.
    const write = await h.app.inject({
      method: 'POST',
      url: '/api/v1/imports/graph',
      payload: { nodes: [], relationships: [tin('SUP', 'BUYER', 0.5), tin('S-pe', 'BUYER', 0.5)] },
    });
    expect(write.statusCode, write.body).toBeLessThan(300);
    const after = await origins();
    expect(after.json().snapshotVersion).toBeGreaterThan(first.json().snapshotVersion);
    expect(after.json().originMix.byCountry).toEqual({ CD: 0.5, PE: 0.5 });
    expect((await origins()).body).toBe(after.body);
  });

  it('tells apart requests that differ in a parameter', async () => {
    const one = await h.app.inject({ method: 'GET', url: '/api/v1/companies/BUYER/risk-paths?metal=tin&limit=1' });
    const ten = await h.app.inject({ method: 'GET', url: '/api/v1/companies/BUYER/risk-paths?metal=tin&limit=10' });
    expect(one.statusCode, one.body).toBe(200);
    expect(ten.statusCode, ten.body).toBe(200);
    expect(one.json().paths.length).toBeLessThanOrEqual(1);
    expect(ten.json().paths.length).toBeGreaterThanOrEqual(one.json().paths.length);
  });
});
