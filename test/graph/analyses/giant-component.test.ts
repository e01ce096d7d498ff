/**
 * A network that is one giant strongly connected component (the generator's giantComponent
 * option, no shares declared: the shape of real company networks), where the origin mix and the
 * impact of a removal go through the sparse solver (a piece beyond the dense limit) with its
 * preparation kept in the snapshot's memo. Checked against a dense solve of the whole layer's
 * absorbing chain, and a warm snapshot (memo filled by earlier requests) against a fresh one.
 */
import { describe, expect, it } from 'vitest';
import { impactOfRemoval } from '../../../graph/analyses/impact.js';
import { originMix } from '../../../graph/analyses/origin-mix.js';
import { intakeScale } from '../../../graph/share-rounding.js';
import { compileSnapshotFromColumns, LABEL_CODES, type Snapshot } from '../../../graph/snapshot.js';
import { generateSyntheticColumns, syntheticScanColumns, type SyntheticColumns } from '../../../seeds/synthetic/generate-synthetic.js';
import { denseSolve } from '../graph-builders.js';

const network: SyntheticColumns = generateSyntheticColumns({ companies: 2000, seed: 5, giantComponent: 0.9, shares: 'none' });
const compile = (): Snapshot => compileSnapshotFromColumns(syntheticScanColumns(network));
const snapshot = compile();
const layer = snapshot.layers.get('tin')!;

/** The tin layer's step of compact id c to each source (weights × the step rule), as [source, probability]. */
function steps(c: number): [number, number][] {
  let total = layer.compactUndisclosed[c]!;
  for (let j = layer.compactOffsets[c]!; j < layer.compactOffsets[c + 1]!; j++)
    if (layer.compactWeights[j]! > 0) total += layer.compactWeights[j]!;
  const scale = intakeScale(total, layer.compactOffsets[c + 1]! - layer.compactOffsets[c]! + 1);
  const out: [number, number][] = [];
  for (let j = layer.compactOffsets[c]!; j < layer.compactOffsets[c + 1]!; j++) {
    if (layer.compactWeights[j]! > 0) out.push([layer.compactSources[j]!, layer.compactWeights[j]! * scale]);
  }
  return out;
}

const absorbsOrigin = (c: number): boolean => {
  const g = layer.nodes[c]!;
  return snapshot.labels[g] === LABEL_CODES.Country || (snapshot.labels[g] === LABEL_CODES.Smelter && snapshot.recycled[g] === 1);
};

/** Every tin node's absorption probability per country, by a dense solve of x = Q·x + R over the non-absorbing nodes. */
function denseOriginMixes(): { at: Map<number, number>; countries: string[]; x: number[][] } {
  const free: number[] = [];
  for (let c = 0; c < layer.nodes.length; c++) if (!absorbsOrigin(c)) free.push(c);
  const at = new Map(free.map((c, i) => [c, i]));
  const countries = [
    ...new Set(
      Array.from(layer.nodes)
        .filter((g) => snapshot.labels[g] === LABEL_CODES.Country)
        .map((g) => snapshot.ids[g]!),
    ),
  ];
  const column = new Map(countries.map((id, i) => [id, i]));
  const A = free.map((_, i) => free.map((__, j) => (i === j ? 1 : 0)));
  const B = free.map(() => countries.map(() => 0));
  free.forEach((c, i) => {
    for (const [s, p] of steps(c)) {
      const k = at.get(s);
      if (k !== undefined) A[i]![k]! -= p;
      else if (snapshot.labels[layer.nodes[s]!] === LABEL_CODES.Country) B[i]![column.get(snapshot.ids[layer.nodes[s]!]!)!]! += p;
    }
  });
  return { at, countries, x: denseSolve(A, B) };
}

describe('a giant strongly connected network (no shares declared)', () => {
  it('has a strongly connected piece beyond the dense limit in the tin layer', () => {
    let largest = 0;
    for (let i = 0; i < layer.cyclicBlocks.length; i += 2) largest = Math.max(largest, layer.cyclicBlocks[i + 1]! - layer.cyclicBlocks[i]!);
    expect(largest).toBeGreaterThan(300);
  });

  it('gives every origin mix of the dense solve to 1e-9, warm or fresh', () => {
    const oracle = denseOriginMixes();
    const companies = [...network.focal];
    for (let c = 0; companies.length < 25 && c < layer.nodes.length; c += 37) {
      if (snapshot.labels[layer.nodes[c]!] === LABEL_CODES.Company) companies.push(layer.nodes[c]!);
    }
    const fresh = compile();
    for (const v of companies) {
      const mix = originMix(snapshot, 'tin', v);
      const expected = oracle.x[oracle.at.get(layer.compactOf[v]!)!]!;
      oracle.countries.forEach((id, k) =>
        expect(Math.abs((mix.byCountry[id] ?? 0) - expected[k]!), `${snapshot.ids[v]} ${id}`).toBeLessThanOrEqual(1e-9),
      );
      const total = mix.cahra + mix.nonCahra + mix.recycled + mix.undisclosed;
      expect(Math.abs(total - 1)).toBeLessThanOrEqual(1e-12);
      expect(originMix(fresh, 'tin', v)).toEqual(mix); // the memo's prepared solver changes nothing
    }
  });

  it('gives the lost shares of a removal the dense solve gives, and the same on a warm snapshot as on a fresh one', () => {
    const members = Array.from(layer.nodes).filter((g) => snapshot.labels[g] === LABEL_CODES.Company);
    const removals = [0, 1, 2].map((r) => members.filter((_, i) => i % 97 === r * 13).slice(0, 10));
    const fresh = () => compile();
    for (const removed of removals) {
      const warm = impactOfRemoval(snapshot, removed, { metals: ['tin'] });
      expect(impactOfRemoval(fresh(), removed, { metals: ['tin'] })).toEqual(
        warm.map((e) => ({ ...e, lostShare: expect.closeTo(e.lostShare, 9) as unknown as number })),
      );
      // Dense oracle over the non-removed tin nodes: lost = Σ p·(1 if the source is removed, else lost(source)).
      const gone = new Set(removed.map((g) => layer.compactOf[g]!));
      const free: number[] = [];
      for (let c = 0; c < layer.nodes.length; c++) if (!gone.has(c) && !absorbsOrigin(c)) free.push(c);
      const at = new Map(free.map((c, i) => [c, i]));
      const A = free.map((_, i) => free.map((__, j) => (i === j ? 1 : 0)));
      const B = free.map(() => [0]);
      free.forEach((c, i) => {
        for (const [s, p] of steps(c)) {
          if (gone.has(s)) B[i]![0]! += p;
          else if (at.has(s)) A[i]![at.get(s)!]! -= p;
        }
      });
      const x = denseSolve(A, B);
      const lost = new Map(warm.map((e) => [e.index, e.lostShare]));
      for (const c of free) {
        const g = layer.nodes[c]!;
        if (snapshot.labels[g] !== LABEL_CODES.Company) continue;
        const expected = x[at.get(c)!]![0]!;
        expect(Math.abs((lost.get(g) ?? 0) - (expected > 1e-12 ? expected : 0)), snapshot.ids[g]).toBeLessThanOrEqual(1e-9);
      }
    }
  }, 60_000);
});
