/**
 * GET risk-paths on the lattices of the Trust issue (finding 3), imported over HTTP: F ← tier 1 ←
 * … ← tier 7, every company of a tier buying tin from every company of the next (no shares given:
 * equal splits), a non-conformant smelter on top. perTier^7 paths of one weight; the answer is the
 * ten index-smallest (the embedded store numbers nodes in import order), through the first company
 * of tiers 1–6. Analyses run in a real worker.
 */
import { describe, expect, it } from 'vitest';
import { embeddedHarnessPerTest } from '../app-harness.js';
import { company as companyNode, supplies } from '../../graph/graph-builders.js';

const TIERS = 7;
const tierId = (t: number, i: number): string => `L${t}-${i}`;
const company = (id: string) => companyNode(id, { country: 'DE' });

function lattice(PER_TIER: number): { nodes: object[]; relationships: object[] } {
  const nodes: object[] = [
    { label: 'Country', id: 'CD', name: 'DRC', cahra: true, lists: ['EU-CAHRA'] },
    company('F'),
    { label: 'Smelter', id: 'S-top', name: 'Top smelter', metal: 'tin', country: 'CD', rmapStatus: 'non_conformant' },
  ];
  const relationships: object[] = [supplies('CD', 'S-top')];
  for (let t = 1; t <= TIERS; t++) {
    for (let i = 0; i < PER_TIER; i++) {
      nodes.push(company(tierId(t, i)));
      if (t === 1) relationships.push(supplies(tierId(t, i), 'F'));
      if (t === TIERS) relationships.push(supplies('S-top', tierId(t, i)));
      else for (let j = 0; j < PER_TIER; j++) relationships.push(supplies(tierId(t + 1, j), tierId(t, i)));
    }
  }
  return { nodes, relationships };
}

const h = embeddedHarnessPerTest({ withFixture: false, analysisWorkers: 1 });

describe('GET /api/v1/companies/F/risk-paths on equal-split lattices', () => {
  for (const PER_TIER of [10, 20]) {
    it(`${PER_TIER}×7: answers 200 with the ten index-smallest paths to the smelter, each of the equal-split weight`, async () => {
      const imported = await h.app.inject({ method: 'POST', url: '/api/v1/imports/graph', payload: lattice(PER_TIER) });
      expect(imported.statusCode).toBe(200);
      const res = await h.app.inject({ method: 'GET', url: '/api/v1/companies/F/risk-paths?metal=tin&limit=10' });
      expect(res.statusCode).toBe(200);
      const paths: Array<{ weight: number; hops: Array<{ id: string; share: number }> }> = res.json().paths;
      const prefix = ['F', ...Array.from({ length: TIERS - 1 }, (_, t) => tierId(t + 1, 0))];
      expect(paths.map((p) => p.hops.map((x) => x.id))).toEqual(
        Array.from({ length: 10 }, (_, j) => [...prefix, tierId(TIERS, j), 'S-top']),
      );
      // Seven hops of share 1/PER_TIER and the smelter's of share 1, decay 0.8 each, the smelter's risk 0.9 (default policy).
      let weight = 1;
      for (let t = 0; t < TIERS; t++) weight *= (1 / PER_TIER) * 0.8;
      weight = weight * (1 * 0.8) * 0.9;
      for (const p of paths) {
        expect(p.weight).toBe(weight);
        expect(p.hops.map((x) => x.share)).toEqual([1, ...Array<number>(TIERS).fill(1 / PER_TIER), 1]);
      }
    }, 60_000); // the analysis worker's start on a busy 2-core machine, not the search
  }
});
