import { describe, expect, it } from 'vitest';
import type { GraphNodeInput } from '../../graph/model.js';
import { nodeIndex, undisclosedOf, type Snapshot } from '../../graph/snapshot.js';
import { snapshotOf } from './graph-builders.js';

const c = (id: string): GraphNodeInput => ({ label: 'Company', id, name: id.toUpperCase(), country: 'JP' });

function weightsInto(s: Snapshot, metal: 'tin' | 'gold', id: string): Record<string, number> {
  const layer = s.layers.get(metal)!;
  const v = nodeIndex(s, id)!;
  const out: Record<string, number> = {};
  for (let j = layer.inOffsets[v]!; j < layer.inOffsets[v + 1]!; j++) out[s.ids[layer.inSources[j]!]!] = layer.inWeights[j]!;
  return out;
}

describe('compileSnapshot', () => {
  it('gives integer indices, CSR both ways, and names the version', () => {
    const s = snapshotOf(
      [c('a'), c('b'), c('x'), { label: 'Country', id: 'CD', name: 'DRC', cahra: true, lists: ['EU-CAHRA'] }],
      [
        { type: 'SUPPLIES', from: 'b', to: 'a', metal: 'tin', share: 0.5 },
        { type: 'SUPPLIES', from: 'x', to: 'a', metal: 'tin', share: 0.5 },
        { type: 'SUPPLIES', from: 'x', to: 'b', metal: 'gold' },
        { type: 'LOCATED_IN', from: 'a', to: 'CD' },
      ],
      7,
    );
    expect(s.version).toBe(7);
    expect(s.nodeCount).toBe(4);
    expect(s.metals).toEqual(['gold', 'tin']);
    const tin = s.layers.get('tin')!;
    expect(tin.edgeCount).toBe(2);
    expect(weightsInto(s, 'tin', 'a')).toEqual({ b: 0.5, x: 0.5 });
    const x = nodeIndex(s, 'x')!;
    expect([...tin.outTargets.subarray(tin.outOffsets[x]!, tin.outOffsets[x + 1]!)].map((i) => s.ids[i])).toEqual(['a']);
    expect(s.cahra[nodeIndex(s, 'CD')!]).toBe(1);
    expect([...tin.present].map((p, i) => (p ? s.ids[i] : null)).filter(Boolean)).toEqual(['a', 'b', 'x']);
  });

  it('spreads the rest of the explicit shares over relationships without one', () => {
    const s = snapshotOf(
      [c('a'), c('p'), c('q'), c('r')],
      [
        { type: 'SUPPLIES', from: 'p', to: 'a', metal: 'tin', share: 0.4 },
        { type: 'SUPPLIES', from: 'q', to: 'a', metal: 'tin' },
        { type: 'SUPPLIES', from: 'r', to: 'a', metal: 'tin' },
      ],
    );
    expect(weightsInto(s, 'tin', 'a')).toEqual({ p: 0.4, q: 0.3, r: 0.3 });
    expect(undisclosedOf(s.layers.get('tin')!, nodeIndex(s, 'a')!)).toBe(0);
  });

  it('leaves an uncovered remainder undisclosed, and marks sources without origin as undisclosed', () => {
    const s = snapshotOf(
      [
        c('a'),
        c('p'),
        { label: 'Smelter', id: 'R', name: 'Recycler', metal: 'tin', country: 'DE', recycledOrScrap: true },
        { label: 'Country', id: 'PE', name: 'Peru' },
        { label: 'Smelter', id: 'S', name: 'S', metal: 'tin', country: 'PE' },
      ],
      [
        { type: 'SUPPLIES', from: 'p', to: 'a', metal: 'tin', share: 0.25 },
        { type: 'SUPPLIES', from: 'R', to: 'a', metal: 'tin', share: 0.5 },
        { type: 'SUPPLIES', from: 'PE', to: 'S', metal: 'tin', share: 1 },
        { type: 'SUPPLIES', from: 'S', to: 'p', metal: 'tin', share: 0.5 },
      ],
    );
    const tin = s.layers.get('tin')!;
    expect(undisclosedOf(tin, nodeIndex(s, 'a')!)).toBeCloseTo(0.25, 12);
    expect(undisclosedOf(tin, nodeIndex(s, 'p')!)).toBeCloseTo(0.5, 12);
    expect(undisclosedOf(tin, nodeIndex(s, 'R')!)).toBe(0); // recycled, not undisclosed
    expect(undisclosedOf(tin, nodeIndex(s, 'PE')!)).toBe(0); // an origin
    expect(undisclosedOf(tin, nodeIndex(s, 'S')!)).toBe(0);
  });

  it('scales explicit shares above 1 down, gives the others 0, and flags the buyer', () => {
    const s = snapshotOf(
      [c('a'), c('p'), c('q'), c('r')],
      [
        { type: 'SUPPLIES', from: 'p', to: 'a', metal: 'tin', share: 0.8 },
        { type: 'SUPPLIES', from: 'q', to: 'a', metal: 'tin', share: 0.8 },
        { type: 'SUPPLIES', from: 'r', to: 'a', metal: 'tin' },
      ],
    );
    expect(weightsInto(s, 'tin', 'a')).toEqual({ p: 0.5, q: 0.5, r: 0 });
    expect(s.layers.get('tin')!.overShared[nodeIndex(s, 'a')!]).toBe(1);
  });

  it('treats shares that overshoot 1 only by rounding as exact', () => {
    const s = snapshotOf(
      [c('a'), c('p'), c('q'), c('r')],
      [
        { type: 'SUPPLIES', from: 'p', to: 'a', metal: 'tin', share: 0.1 },
        { type: 'SUPPLIES', from: 'q', to: 'a', metal: 'tin', share: 0.2 },
        { type: 'SUPPLIES', from: 'r', to: 'a', metal: 'tin', share: 0.7 },
      ],
    );
    const tin = s.layers.get('tin')!;
    expect(tin.overShared[nodeIndex(s, 'a')!]).toBe(0);
    expect(undisclosedOf(tin, nodeIndex(s, 'a')!)).toBe(0);
  });

  it('settles an id used under two labels by the ends the model allows', () => {
    const s = snapshotOf(
      [
        { label: 'Country', id: 'PE', name: 'Peru' },
        { label: 'Company', id: 'PE', name: 'PE Corp', country: 'PE' },
        { label: 'Smelter', id: 'S', name: 'S', metal: 'tin', country: 'PE' },
      ],
      [{ type: 'SUPPLIES', from: 'PE', to: 'S', metal: 'tin' }],
    );
    const tin = s.layers.get('tin')!;
    const smelter = nodeIndex(s, 'S')!;
    expect(s.labels[tin.inSources[tin.inOffsets[smelter]!]!]).toBe(2);
    expect(nodeIndex(s, 'PE')).toBe(1); // Company preferred for a bare id
    expect(nodeIndex(s, 'PE', 'Country')).toBe(0);
  });
});
