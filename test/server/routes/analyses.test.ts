/**
 * The analysis routes over the contract fixture graph (see graph-store-contract.ts):
 *   CD ─tin .3→ S-TIN-1 ─tin→ t2 ─tin→ t1a ─tin .6→ acme
 *   PE ─tin .7→ S-TIN-1                    t1b ─tin .4→ acme
 *   CN ─tin→ S-TIN-2 ─tin→ t1b
 *   CN ─gold→ S-AU-1 ─gold→ t1a ─gold→ acme
 * Analyses run in a real worker thread here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedHarness, type Harness } from '../app-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await embeddedHarness({ analysisWorkers: 1 });
});
afterAll(async () => h.close());

const get = async (url: string) => h.app.inject({ method: 'GET', url });

describe('origins', () => {
  it('gives the exact origin and smelter mix of a company', async () => {
    const res = await get('/api/v1/companies/acme/origins?metal=tin');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      snapshotVersion: await h.store.version(),
      company: { id: 'acme', label: 'Company', name: 'Acme Watches' },
      metal: 'tin',
      takesMetal: true,
      warnings: [],
    });
    expect(body.originMix.byCountry.CD).toBeCloseTo(0.18, 12);
    expect(body.originMix.byCountry.PE).toBeCloseTo(0.42, 12);
    expect(body.originMix.byCountry.CN).toBeCloseTo(0.4, 12);
    expect(body.originMix.cahra).toBeCloseTo(0.18, 12);
    expect(body.originMix.nonCahra).toBeCloseTo(0.82, 12);
    expect(body.originMix.undisclosed).toBeCloseTo(0, 12);
    expect(body.smelterMix.bySmelter['S-TIN-1']).toBeCloseTo(0.6, 12);
    expect(body.smelterMix.bySmelter['S-TIN-2']).toBeCloseTo(0.4, 12);
    expect(body.smelterMix.byRmapStatus.conformant).toBeCloseTo(0.6, 12);
    expect(body.smelterMix.byRmapStatus.active).toBeCloseTo(0.4, 12);
  });

  it('answers explicitly, not with an error, when the company takes no such metal', async () => {
    const res = await get('/api/v1/companies/t1b/origins?metal=gold');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ takesMetal: false, originMix: null, smelterMix: null });
  });

  it('404 for an unknown company, 400 for an unknown metal or none', async () => {
    expect((await get('/api/v1/companies/ghost/origins?metal=tin')).statusCode).toBe(404);
    // A smelter is not a company.
    expect((await get('/api/v1/companies/S-TIN-1/origins?metal=tin')).statusCode).toBe(404);
    const bad = await get('/api/v1/companies/acme/origins?metal=kryptonite');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('query.metal');
    expect((await get('/api/v1/companies/acme/origins')).statusCode).toBe(400);
  });

  it('sees a write on the next request (a new snapshot version)', async () => {
    const before = (await get('/api/v1/companies/acme/origins?metal=tin')).json();
    await h.app.inject({ method: 'PUT', url: '/api/v1/supplies', payload: { from: 'CD', to: 'S-TIN-2', metal: 'tin', share: 0.5 } });
    const after = (await get('/api/v1/companies/acme/origins?metal=tin')).json();
    expect(after.snapshotVersion).toBeGreaterThan(before.snapshotVersion);
    // S-TIN-2: CD 0.5 and CN takes the rest, 0.5; acme gets 0.4 of that.
    expect(after.originMix.byCountry.CD).toBeCloseTo(0.18 + 0.2, 12);
    expect(after.originMix.byCountry.CN).toBeCloseTo(0.2, 12);
    await h.app.inject({ method: 'DELETE', url: '/api/v1/supplies?from=CD&to=S-TIN-2&metal=tin' });
  });
});

describe('single points of failure', () => {
  it('finds none for tin (two disjoint chains) and redundancy 2', async () => {
    const body = (await get('/api/v1/companies/acme/single-points-of-failure?metal=tin')).json();
    expect(body.redundancy).toBe(2);
    expect(body.singlePointsOfFailure).toEqual([]);
    expect(body.minimumCut).toHaveLength(2);
  });

  it('finds every node of the single gold chain, each carrying all of the intake', async () => {
    const body = (await get('/api/v1/companies/acme/single-points-of-failure?metal=gold')).json();
    expect(body.redundancy).toBe(1);
    expect(body.singlePointsOfFailure.map((s: { id: string; share: number }) => [s.id, s.share])).toEqual([
      ['CN', 1],
      ['S-AU-1', 1],
      ['t1a', 1],
    ]);
    expect(body.minimumCut).toHaveLength(1);
  });
});

describe('impact', () => {
  it('reports what every company loses when a smelter fails', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/scenarios/impact', payload: { remove: ['S-TIN-1'] } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.removed).toEqual([{ id: 'S-TIN-1', label: 'Smelter', name: 'Andes Tin Smelter' }]);
    const rows = body.affected.map((a: { id: string; metal: string; lostShare: number; cutOff: boolean }) => [
      a.id,
      a.metal,
      Number(a.lostShare.toFixed(12)),
      a.cutOff,
    ]);
    expect(rows).toEqual([
      ['t1a', 'tin', 1, true],
      ['t2', 'tin', 1, true],
      ['acme', 'tin', 0.6, false],
    ]);
  });

  it('refuses unknown ids and empty or oversized scenarios', async () => {
    const unknown = await h.app.inject({ method: 'POST', url: '/api/v1/scenarios/impact', payload: { remove: ['nope'] } });
    expect(unknown.statusCode).toBe(404);
    const empty = await h.app.inject({ method: 'POST', url: '/api/v1/scenarios/impact', payload: { remove: [] } });
    expect(empty.statusCode).toBe(400);
    const huge = await h.app.inject({
      method: 'POST',
      url: '/api/v1/scenarios/impact',
      payload: { remove: Array.from({ length: 1001 }, (_, i) => `n${i}`) },
    });
    expect(huge.statusCode).toBe(400);
  });
});

describe('risk', () => {
  it('explains the risk with contributors, largest first, naming the policy', async () => {
    const body = (await get('/api/v1/companies/acme/risk?metal=tin')).json();
    expect(body.policyVersion).toBe('2026-11-default-1');
    expect(body.risk).toBeGreaterThanOrEqual(body.intrinsic);
    expect(body.contributors.map((c: { id: string }) => c.id).sort()).toEqual(['t1a', 't1b']);
    const contributions = body.contributors.map((c: { contribution: number }) => c.contribution);
    expect(contributions).toEqual([...contributions].sort((a, b) => b - a));
  });

  it('takes a policy override and names it', async () => {
    const policy = encodeURIComponent(JSON.stringify({ decay: 0.5 }));
    const body = (await get(`/api/v1/companies/acme/risk?metal=tin&policy=${policy}`)).json();
    expect(body.policyVersion).toBe('2026-11-default-1+override');
    const bad = await get(`/api/v1/companies/acme/risk?metal=tin&policy=${encodeURIComponent('{"decay": 7}')}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toMatch(/^query\.policy/);
    expect((await get('/api/v1/companies/acme/risk?metal=tin&policy=notjson')).statusCode).toBe(400);
  });

  it('finds the path to the CAHRA origin with its exact weight', async () => {
    const body = (await get('/api/v1/companies/acme/risk-paths?metal=tin&limit=5&maxDepth=6')).json();
    const toCd = body.paths.find((p: { hops: { id: string }[] }) => p.hops.at(-1)!.id === 'CD');
    expect(toCd.hops.map((x: { id: string }) => x.id)).toEqual(['acme', 't1a', 't2', 'S-TIN-1', 'CD']);
    // shares 0.6 · 1 · 1 · 0.3, decay 0.8 per hop over 4 hops, CAHRA country risk 0.9
    expect(toCd.weight).toBeCloseTo(0.6 * 0.3 * 0.8 ** 4 * 0.9, 12);
    const weights = body.paths.map((p: { weight: number }) => p.weight);
    expect(weights).toEqual([...weights].sort((a, b) => b - a));
    expect((await get('/api/v1/companies/acme/risk-paths?metal=tin&maxDepth=1000')).statusCode).toBe(400);
    expect((await get('/api/v1/companies/acme/risk-paths?metal=tin&limit=0')).statusCode).toBe(400);
  });

  it('ranks nodes by propagated risk', async () => {
    const body = (await get('/api/v1/rankings/risk?metal=tin&label=Company&limit=3')).json();
    expect(body.items).toHaveLength(3);
    expect(body.items.every((x: { label: string }) => x.label === 'Company')).toBe(true);
    const risks = body.items.map((x: { risk: number }) => x.risk);
    expect(risks).toEqual([...risks].sort((a, b) => b - a));
  });
});
