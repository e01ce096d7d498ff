/**
 * Large supply cycles that leak at one member, over HTTP (the Trust issue: shapes that broke an
 * analysis). A ring of 5,000 companies, each buying from the next and every third also from the
 * one opposite, with ore entering at one member only: Gauss–Seidel gave up after 20,000 sweeps and
 * the origins answered 500. Every walk ends at that member's smelter, so every mix is exactly the
 * smelter's country. A ring whose only exit is a share of 1e-17 (which is 0 next to 1 in floating
 * point) cannot be solved to the engine's accuracy: a 422 problem naming it, not a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphNodeInput, RelationshipInput } from '../../../graph/model.js';
import { CD, supplies as tin } from '../../graph/graph-builders.js';
import { embeddedHarness, type Harness } from '../app-harness.js';

const SIZE = 5000;

function ring(exitShare?: number): { nodes: GraphNodeInput[]; relationships: RelationshipInput[] } {
  const nodes: GraphNodeInput[] = [
    CD,
    { label: 'Smelter', id: 'S-ring', name: 'Ring smelter', metal: 'tin', country: 'CD', rmapStatus: 'non_conformant' },
  ];
  const relationships: RelationshipInput[] = [tin('CD', 'S-ring')];
  for (let i = 0; i < SIZE; i++) {
    nodes.push({ label: 'Company', id: `R${i}`, name: `Ring ${i}`, country: 'DE' });
    if (exitShare === undefined) {
      relationships.push(tin(`R${(i + 1) % SIZE}`, `R${i}`));
      if (i % 3 === 0) relationships.push(tin(`R${(i + SIZE / 2) % SIZE}`, `R${i}`));
    } else {
      relationships.push(tin(`R${(i + 1) % SIZE}`, `R${i}`, i === 0 ? 1 - exitShare : 1));
    }
  }
  relationships.push(tin('S-ring', 'R0', exitShare));
  return { nodes, relationships };
}

describe('large supply cycles over HTTP', () => {
  let h: Harness;
  let closed: Harness;
  beforeAll(async () => {
    h = await embeddedHarness({ withFixture: false, analysisWorkers: 1 });
    closed = await embeddedHarness({ withFixture: false, analysisWorkers: 1 });
    await h.store.importGraph(ring());
    await closed.store.importGraph(ring(1e-17));
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await closed?.close();
  });

  it.each(['R0', 'R1', 'R2500', 'R4999'])('answers the origins of %s: all of it from the DRC through the one smelter', async (id) => {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/companies/${id}/origins?metal=tin` });
    expect(res.statusCode, res.body).toBe(200);
    const { originMix, smelterMix } = res.json();
    expect(Math.abs(originMix.byCountry.CD - 1)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(originMix.cahra - 1)).toBeLessThanOrEqual(1e-12);
    expect(originMix.undisclosed).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(smelterMix.bySmelter['S-ring'] - 1)).toBeLessThanOrEqual(1e-12);
  });

  it('answers single points of failure, risk and impact on the ring', async () => {
    const spof = await h.app.inject({ method: 'GET', url: '/api/v1/companies/R7/single-points-of-failure?metal=tin' });
    expect(spof.statusCode, spof.body).toBe(200);
    // Every walk from R7 ends through R0 and the smelter.
    expect(spof.json().singlePointsOfFailure.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining(['R0', 'S-ring']));
    for (const s of spof.json().singlePointsOfFailure) expect(Math.abs(s.share - 1)).toBeLessThanOrEqual(1e-12);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/companies/R7/risk?metal=tin' })).statusCode).toBe(200);
    const impact = await h.app.inject({ method: 'POST', url: '/api/v1/scenarios/impact', payload: { remove: ['S-ring'] } });
    expect(impact.statusCode, impact.body).toBe(200);
    const lost = impact.json().affected.filter((a: { id: string }) => a.id.startsWith('R'));
    expect(lost).toHaveLength(SIZE);
    for (const a of lost) expect(Math.abs(a.lostShare - 1)).toBeLessThanOrEqual(1e-12);
  }, 60_000);

  it('answers 422 unsolvable-cycle where the only exit is a share of 1e-17', async () => {
    const res = await closed.app.inject({ method: 'GET', url: '/api/v1/companies/R3/origins?metal=tin' });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ type: 'urn:oretrace:problem:unsolvable-cycle', status: 422 });
    expect(res.json().detail).toMatch(/cycle of 5000 suppliers/);
  }, 60_000);
});
