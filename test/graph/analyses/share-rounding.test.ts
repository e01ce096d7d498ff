/**
 * Answers that failed their schema on rounding (finding 2 of the Trust issue), each on the
 * smallest graph that showed it: every share in [0, 1], every mix summing to 1 within 1e-12, and
 * the figures where exact arithmetic puts them. Also the helpers that keep them there.
 */
import { describe, expect, it } from 'vitest';
import { impactOfRemoval } from '../../../graph/analyses/impact.js';
import { originMix, smelterMix } from '../../../graph/analyses/origin-mix.js';
import { singlePointsOfFailure } from '../../../graph/analyses/single-points-of-failure.js';
import type { GraphNodeInput, RelationshipInput } from '../../../graph/model.js';
import { clampShare, normaliseMix } from '../../../graph/share-rounding.js';
import { nodeIndex, type Snapshot } from '../../../graph/snapshot.js';
import { company as co, PE, smelter as sm, snapshotOf, supplies } from '../graph-builders.js';

const at = (s: Snapshot, id: string) => nodeIndex(s, id)!;

/**
 * A stage network with equal splits: A buys 1/6 from each of T0..T5, each of those half from S0
 * and half from S1 (no shares given), both smelters from PE. Six sixths of two halves summed to
 * 1.0000000000000002 for PE.
 */
function stageNetwork(): Snapshot {
  const nodes: GraphNodeInput[] = [PE, sm('S0'), sm('S1'), co('A')];
  const rels: RelationshipInput[] = [supplies('PE', 'S0'), supplies('PE', 'S1')];
  for (let j = 0; j < 6; j++) {
    nodes.push(co(`T${j}`));
    rels.push(supplies(`T${j}`, 'A', 1 / 6), supplies('S0', `T${j}`), supplies('S1', `T${j}`));
  }
  return snapshotOf(nodes, rels);
}

/**
 * A cycle: C0 buys 0.1 from S0 and 0.9 from C1, which buys only from C0. The walk visits C0
 * 1/(1 − 0.9) = 10.000000000000002 times in floating point, so S0 got 1.0000000000000002.
 */
const cycle = (): Snapshot =>
  snapshotOf(
    [PE, sm('S0'), co('C0'), co('C1')],
    [supplies('PE', 'S0'), supplies('S0', 'C0', 0.1), supplies('C1', 'C0', 0.9), supplies('C0', 'C1')],
  );

describe('shares and mixes stay in bounds on rounding', () => {
  it('origin mix of an equal-split stage network: nonCahra is 1, not 1.0000000000000002', () => {
    const s = stageNetwork();
    const mix = originMix(s, 'tin', at(s, 'A'));
    expect(mix).toEqual({ byCountry: { PE: 1 }, cahra: 0, nonCahra: 1, recycled: 0, undisclosed: 0 });
    const smelters = smelterMix(s, 'tin', at(s, 'A'));
    expect(smelters.bySmelter.S0! + smelters.bySmelter.S1! + smelters.notThroughSmelter).toBeCloseTo(1, 15);
    expect(smelters.bySmelter.S0).toBeCloseTo(0.5, 15);
    expect(smelters.byRmapStatus.unknown).toBeLessThanOrEqual(1);
  });

  it('origin and smelter mix through a cycle: every share at most 1', () => {
    const s = cycle();
    for (const id of ['C0', 'C1']) {
      expect(originMix(s, 'tin', at(s, id))).toEqual({ byCountry: { PE: 1 }, cahra: 0, nonCahra: 1, recycled: 0, undisclosed: 0 });
      expect(smelterMix(s, 'tin', at(s, id))).toEqual({ bySmelter: { S0: 1 }, byRmapStatus: { unknown: 1 }, notThroughSmelter: 0 });
    }
  });

  it('single points of failure through a cycle carry a share of at most 1', () => {
    const s = cycle();
    const answer = singlePointsOfFailure(s, 'tin', at(s, 'C1'));
    expect(answer.singlePointsOfFailure.map((x) => [x.id, x.share])).toEqual([
      ['C0', 1],
      ['PE', 1],
      ['S0', 1],
    ]);
  });

  it('impact of shares summing a hair above 1 (left unscaled by the snapshot) follows the origin walk: at most 1', () => {
    // 0.5 + 0.5000000005: above 1 by less than SHARE_TOLERANCE, so the snapshot keeps the shares
    // and the walk divides each step by their total (the step rule of the origin mix).
    const s = snapshotOf(
      [PE, sm('S0'), sm('S1'), co('A')],
      [supplies('PE', 'S0'), supplies('PE', 'S1'), supplies('S0', 'A', 0.5), supplies('S1', 'A', 0.5000000005)],
    );
    const lost = (ids: string[]) =>
      impactOfRemoval(
        s,
        ids.map((id) => at(s, id)),
      ).map((e) => [e.id, e.lostShare, e.cutOff]);
    expect(lost(['S0', 'S1'])).toEqual([['A', 1, true]]);
    const throughS0 = smelterMix(s, 'tin', at(s, 'A')).bySmelter.S0!;
    expect(lost(['S0'])[0]![1]).toBeCloseTo(throughS0, 15);
    expect(throughS0).toBeCloseTo(0.5 / 1.0000000005, 15);
  });
});

describe('clampShare and normaliseMix', () => {
  it('clampShare moves only values outside [0, 1], to the nearest bound', () => {
    expect(clampShare(1.0000000000000002)).toBe(1);
    expect(clampShare(-1e-17)).toBe(0);
    expect(clampShare(0.3)).toBe(0.3);
    expect(clampShare(0)).toBe(0);
    expect(clampShare(1)).toBe(1);
  });

  it('normaliseMix divides parts by their total, so that they sum to 1 and each is at most 1', () => {
    expect(normaliseMix([1.0000000000000002, 0])).toEqual([1, 0]);
    const parts = normaliseMix([0.30000000000000004, 0.7000000000000001, 1e-17]);
    expect(parts.every((x) => x >= 0 && x <= 1)).toBe(true);
    expect(Math.abs(parts.reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(1e-15);
    expect(parts[0]).toBeCloseTo(0.3, 15);
    // A negative part is rounding of a zero.
    expect(normaliseMix([1, -1e-17])).toEqual([1, 0]);
    // An already exact mix is unchanged.
    expect(normaliseMix([0.25, 0.75])).toEqual([0.25, 0.75]);
  });
});
