import { UnsolvableCycleError } from '../../../graph/errors.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { originMix, originSharesAll, smelterMix, takesMetal, type OriginMix, type SmelterMix } from '../../../graph/analyses/origin-mix.js';
import {
  RMAP_STATUSES,
  type GraphNode,
  type GraphNodeInput,
  type Relationship,
  type RmapStatus,
  type Supplies,
} from '../../../graph/model.js';
import { compileSnapshot, nodeIndex, type Snapshot } from '../../../graph/snapshot.js';
import { company, country as countryNode, smelter as smelterNode, snapshotOf, supplies } from '../graph-builders.js';
import { mulberry32 } from '../../../seeds/random.js';

// ---------------------------------------------------------------------------------------------
// Building graphs

const smelter = (id: string, rmapStatus: RmapStatus = 'conformant', recycledOrScrap = false): GraphNodeInput =>
  smelterNode(id, { rmapStatus, recycledOrScrap });
const country = (id: string, cahra = false): GraphNodeInput => countryNode(id, { cahra });

function mixOf(s: Snapshot, id: string): OriginMix {
  return originMix(s, 'tin', nodeIndex(s, id)!);
}
function smeltersOf(s: Snapshot, id: string): SmelterMix {
  return smelterMix(s, 'tin', nodeIndex(s, id)!);
}

function expectMix(actual: OriginMix, expected: OriginMix): void {
  expect(Object.keys(actual.byCountry)).toEqual(Object.keys(expected.byCountry));
  for (const [code, p] of Object.entries(expected.byCountry)) expect(actual.byCountry[code]).toBeCloseTo(p, 12);
  expect(actual.cahra).toBeCloseTo(expected.cahra, 12);
  expect(actual.nonCahra).toBeCloseTo(expected.nonCahra, 12);
  expect(actual.recycled).toBeCloseTo(expected.recycled, 12);
  expect(actual.undisclosed).toBeCloseTo(expected.undisclosed, 12);
}

function expectSmelters(actual: SmelterMix, expected: SmelterMix): void {
  expect(Object.keys(actual.bySmelter)).toEqual(Object.keys(expected.bySmelter));
  for (const [id, p] of Object.entries(expected.bySmelter)) expect(actual.bySmelter[id]).toBeCloseTo(p, 12);
  expect(Object.keys(actual.byRmapStatus)).toEqual(Object.keys(expected.byRmapStatus));
  for (const [k, p] of Object.entries(expected.byRmapStatus)) expect(actual.byRmapStatus[k as RmapStatus]).toBeCloseTo(p, 12);
  expect(actual.notThroughSmelter).toBeCloseTo(expected.notThroughSmelter, 12);
}

function expectSharesAllAgree(s: Snapshot): void {
  const all = originSharesAll(s, 'tin');
  const tin = s.layers.get('tin')!;
  for (let v = 0; v < s.nodeCount; v++) {
    if (!tin.present[v]) {
      expect(all.cahra[v]).toBeNaN();
      continue;
    }
    const one = originMix(s, 'tin', v);
    expect(Math.abs(all.cahra[v]! - one.cahra)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(all.nonCahra[v]! - one.nonCahra)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(all.recycled[v]! - one.recycled)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(all.undisclosed[v]! - one.undisclosed)).toBeLessThanOrEqual(1e-9);
  }
}

// ---------------------------------------------------------------------------------------------
// Exact answers on hand-built graphs

describe('originMix and smelterMix on small graphs', () => {
  it('follows a chain Country → Smelter → C2 → C1', () => {
    const s = snapshotOf(
      [country('CD', true), smelter('S'), company('c2'), company('c1')],
      [supplies('CD', 'S'), supplies('S', 'c2'), supplies('c2', 'c1')],
    );
    const all: OriginMix = { byCountry: { CD: 1 }, cahra: 1, nonCahra: 0, recycled: 0, undisclosed: 0 };
    expectMix(mixOf(s, 'c1'), all);
    expectMix(mixOf(s, 'c2'), all);
    expectMix(mixOf(s, 'S'), all);
    expectMix(mixOf(s, 'CD'), all); // a country is its own origin
    expectSmelters(smeltersOf(s, 'c1'), { bySmelter: { S: 1 }, byRmapStatus: { conformant: 1 }, notThroughSmelter: 0 });
    expectSmelters(smeltersOf(s, 'S'), { bySmelter: { S: 1 }, byRmapStatus: { conformant: 1 }, notThroughSmelter: 0 });
    expectSharesAllAgree(s);
  });

  it('splits a diamond by its shares 0.3 / 0.7', () => {
    // top takes 0.3 from a and 0.7 from b; a buys all from S; b buys 0.4 from S and 0.6 from T.
    const s = snapshotOf(
      [country('CD', true), country('PE'), smelter('S', 'conformant'), smelter('T', 'active'), company('a'), company('b'), company('top')],
      [
        supplies('CD', 'S'),
        supplies('PE', 'T'),
        supplies('S', 'a'),
        supplies('S', 'b', 0.4),
        supplies('T', 'b', 0.6),
        supplies('a', 'top', 0.3),
        supplies('b', 'top', 0.7),
      ],
    );
    // S: 0.3 + 0.7 × 0.4 = 0.58; T: 0.7 × 0.6 = 0.42.
    expectMix(mixOf(s, 'top'), { byCountry: { CD: 0.58, PE: 0.42 }, cahra: 0.58, nonCahra: 0.42, recycled: 0, undisclosed: 0 });
    expectSmelters(smeltersOf(s, 'top'), {
      bySmelter: { S: 0.58, T: 0.42 },
      byRmapStatus: { conformant: 0.58, active: 0.42 },
      notThroughSmelter: 0,
    });
    expectSharesAllAgree(s);
  });

  it('solves a 2-cycle of companies each leaking half to a smelter', () => {
    // a = ½ S1 + ½ b, b = ½ S2 + ½ a  ⇒  a = ⅔ CD + ⅓ PE, b = ⅓ CD + ⅔ PE.
    // top buys ¼ from a and leaves ¾ uncovered.
    const s = snapshotOf(
      [country('CD', true), country('PE'), smelter('S1'), smelter('S2', 'non_conformant'), company('a'), company('b'), company('top')],
      [
        supplies('CD', 'S1'),
        supplies('PE', 'S2'),
        supplies('S1', 'a', 0.5),
        supplies('b', 'a', 0.5),
        supplies('S2', 'b', 0.5),
        supplies('a', 'b', 0.5),
        supplies('a', 'top', 0.25),
      ],
    );
    expectMix(mixOf(s, 'a'), { byCountry: { CD: 2 / 3, PE: 1 / 3 }, cahra: 2 / 3, nonCahra: 1 / 3, recycled: 0, undisclosed: 0 });
    expectMix(mixOf(s, 'b'), { byCountry: { CD: 1 / 3, PE: 2 / 3 }, cahra: 1 / 3, nonCahra: 2 / 3, recycled: 0, undisclosed: 0 });
    expectMix(mixOf(s, 'top'), { byCountry: { CD: 1 / 6, PE: 1 / 12 }, cahra: 1 / 6, nonCahra: 1 / 12, recycled: 0, undisclosed: 0.75 });
    expectSmelters(smeltersOf(s, 'a'), {
      bySmelter: { S1: 2 / 3, S2: 1 / 3 },
      byRmapStatus: { conformant: 2 / 3, non_conformant: 1 / 3 },
      notThroughSmelter: 0,
    });
    expectSmelters(smeltersOf(s, 'top'), {
      bySmelter: { S1: 1 / 6, S2: 1 / 12 },
      byRmapStatus: { conformant: 1 / 6, non_conformant: 1 / 12 },
      notThroughSmelter: 0.75,
    });
    expectSharesAllAgree(s);
  });

  it('solves a company that supplies itself in part', () => {
    // a = ½ a + ½ S  ⇒  a = S.
    const s = snapshotOf(
      [country('PE'), smelter('S'), company('a')],
      [supplies('PE', 'S'), supplies('a', 'a', 0.5), supplies('S', 'a', 0.5)],
    );
    expectMix(mixOf(s, 'a'), { byCountry: { PE: 1 }, cahra: 0, nonCahra: 1, recycled: 0, undisclosed: 0 });
    expectSmelters(smeltersOf(s, 'a'), { bySmelter: { S: 1 }, byRmapStatus: { conformant: 1 }, notThroughSmelter: 0 });
    expectSharesAllAgree(s);
  });

  it('counts a closed loop with no way out as undisclosed', () => {
    const s = snapshotOf(
      [country('PE'), smelter('S'), company('a'), company('b'), company('self'), company('top')],
      [
        supplies('PE', 'S'),
        supplies('b', 'a'),
        supplies('a', 'b'),
        supplies('self', 'self'),
        supplies('a', 'top', 0.5),
        supplies('S', 'top', 0.25),
        supplies('self', 'top', 0.25),
      ],
    );
    const none: OriginMix = { byCountry: {}, cahra: 0, nonCahra: 0, recycled: 0, undisclosed: 1 };
    expectMix(mixOf(s, 'a'), none);
    expectMix(mixOf(s, 'b'), none);
    expectMix(mixOf(s, 'self'), none);
    expectMix(mixOf(s, 'top'), { byCountry: { PE: 0.25 }, cahra: 0, nonCahra: 0.25, recycled: 0, undisclosed: 0.75 });
    expectSmelters(smeltersOf(s, 'a'), { bySmelter: {}, byRmapStatus: {}, notThroughSmelter: 1 });
    expectSmelters(smeltersOf(s, 'top'), { bySmelter: { S: 0.25 }, byRmapStatus: { conformant: 0.25 }, notThroughSmelter: 0.75 });
    expectSharesAllAgree(s);
  });

  it('leaves the uncovered remainder of explicit shares undisclosed', () => {
    const s = snapshotOf([country('BO'), smelter('S'), company('a')], [supplies('BO', 'S'), supplies('S', 'a', 0.6)]);
    expectMix(mixOf(s, 'a'), { byCountry: { BO: 0.6 }, cahra: 0, nonCahra: 0.6, recycled: 0, undisclosed: 0.4 });
    expectSmelters(smeltersOf(s, 'a'), { bySmelter: { S: 0.6 }, byRmapStatus: { conformant: 0.6 }, notThroughSmelter: 0.4 });
    expectSharesAllAgree(s);
  });

  it('ends at a recycled smelter, whatever it buys', () => {
    const s = snapshotOf(
      [country('CD', true), smelter('S'), smelter('R', 'active', true), company('a')],
      [
        supplies('CD', 'S'),
        supplies('CD', 'R'), // a recycler that also takes ore is still reported as recycled
        supplies('R', 'a', 0.5),
        supplies('S', 'a', 0.5),
      ],
    );
    expectMix(mixOf(s, 'R'), { byCountry: {}, cahra: 0, nonCahra: 0, recycled: 1, undisclosed: 0 });
    expectMix(mixOf(s, 'a'), { byCountry: { CD: 0.5 }, cahra: 0.5, nonCahra: 0, recycled: 0.5, undisclosed: 0 });
    expectSmelters(smeltersOf(s, 'a'), {
      bySmelter: { R: 0.5, S: 0.5 },
      byRmapStatus: { conformant: 0.5, active: 0.5 },
      notThroughSmelter: 0,
    });
    expectSharesAllAgree(s);
  });

  it('gives a company with no sources an undisclosed origin', () => {
    const s = snapshotOf(
      [company('lone'), company('buyer'), smelter('S'), country('PE')],
      [supplies('lone', 'buyer', 0.3), supplies('S', 'buyer', 0.7), supplies('PE', 'S')],
    );
    expectMix(mixOf(s, 'lone'), { byCountry: {}, cahra: 0, nonCahra: 0, recycled: 0, undisclosed: 1 });
    expectSmelters(smeltersOf(s, 'lone'), { bySmelter: {}, byRmapStatus: {}, notThroughSmelter: 1 });
    expectMix(mixOf(s, 'buyer'), { byCountry: { PE: 0.7 }, cahra: 0, nonCahra: 0.7, recycled: 0, undisclosed: 0.3 });
    expectSharesAllAgree(s);
  });

  it('splits CAHRA from non-CAHRA origins and lists countries in code order', () => {
    const s = snapshotOf(
      [country('RW', true), country('CD', true), country('PE'), country('BO'), smelter('S1'), smelter('S2'), company('a')],
      [
        supplies('RW', 'S1', 0.5),
        supplies('CD', 'S1', 0.5),
        supplies('PE', 'S2', 0.25),
        supplies('BO', 'S2'),
        supplies('S1', 'a', 0.2),
        supplies('S2', 'a', 0.8),
      ],
    );
    expectMix(mixOf(s, 'a'), {
      byCountry: { BO: 0.6, CD: 0.1, PE: 0.2, RW: 0.1 },
      cahra: 0.2,
      nonCahra: 0.8,
      recycled: 0,
      undisclosed: 0,
    });
    expectSharesAllAgree(s);
  });

  it('still sums to 1 when explicit shares overshoot 1 by less than the snapshot tolerance', () => {
    // 0.6 + 0.4000000005: not scaled by the snapshot (rounding), but the walk must not create mass,
    // also around a cycle where each pass would add a little.
    const s = snapshotOf(
      [country('PE'), country('CD', true), smelter('S1'), smelter('S2'), company('a'), company('b')],
      [
        supplies('PE', 'S1'),
        supplies('CD', 'S2'),
        supplies('S1', 'a', 0.6),
        supplies('b', 'a', 0.4000000005),
        supplies('S2', 'b', 0.0000000005),
        supplies('a', 'b', 1),
      ],
    );
    const mix = mixOf(s, 'a');
    expect(mix.cahra + mix.nonCahra + mix.recycled + mix.undisclosed).toBeCloseTo(1, 12);
    expect(mix.undisclosed).toBe(0);
    const smelters = smeltersOf(s, 'b');
    expect(Object.values(smelters.bySmelter).reduce((t, p) => t + p, 0) + smelters.notThroughSmelter).toBeCloseTo(1, 12);
    const all = originSharesAll(s, 'tin');
    const a = nodeIndex(s, 'a')!;
    expect(all.cahra[a]! + all.nonCahra[a]!).toBeCloseTo(1, 12);
    expectSharesAllAgree(s);
  });

  it('refuses nodes and metals outside the layer', () => {
    const s = snapshotOf([company('a'), company('b'), company('g')], [supplies('b', 'a'), supplies('g', 'a', 1, 'gold')]);
    const g = nodeIndex(s, 'g')!;
    expect(takesMetal(s, 'tin', nodeIndex(s, 'a')!)).toBe(true);
    expect(takesMetal(s, 'tin', g)).toBe(false);
    expect(takesMetal(s, 'cobalt', nodeIndex(s, 'a')!)).toBe(false);
    expect(takesMetal(s, 'tin', -1)).toBe(false);
    expect(takesMetal(s, 'tin', 1.5)).toBe(false);
    expect(takesMetal(s, 'tin', s.nodeCount)).toBe(false);
    expect(() => originMix(s, 'tin', g)).toThrow(RangeError);
    expect(() => originMix(s, 'tin', g)).toThrow(/"g" takes no part in tin/);
    expect(() => smelterMix(s, 'cobalt', 0)).toThrow(RangeError);
    expect(() => originMix(s, 'tin', 99)).toThrow(RangeError);
    expect(() => originSharesAll(s, 'cobalt')).toThrow(RangeError);
    const all = originSharesAll(s, 'tin');
    expect(all.undisclosed[g]).toBeNaN();
    expect(all.undisclosed[nodeIndex(s, 'a')!]).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// The oracle: the absorbing Markov chain built from the raw relationships (README's graph model's share rules
// worked out here, independently of the snapshot), solved densely.

const TOLERANCE = 1e-9; // README's graph model: shares summing above 1 by less than this are rounding

interface RawGraph {
  nodes: GraphNode[];
  supplies: Supplies[];
}

/** Effective intake of each buyer per README's graph model: sources with weights. */
function intakeOf(graph: RawGraph): Map<string, { from: string; w: number }[]> {
  const byBuyer = new Map<string, Supplies[]>();
  for (const r of graph.supplies) {
    const list = byBuyer.get(r.to) ?? [];
    list.push(r);
    byBuyer.set(r.to, list);
  }
  const out = new Map<string, { from: string; w: number }[]>();
  for (const [buyer, rels] of byBuyer) {
    const explicit = rels.filter((r) => r.share !== undefined).reduce((t, r) => t + r.share!, 0);
    const without = rels.filter((r) => r.share === undefined).length;
    let weights: number[];
    if (explicit > 1 + TOLERANCE) weights = rels.map((r) => (r.share === undefined ? 0 : r.share / explicit));
    else if (without > 0) weights = rels.map((r) => r.share ?? (explicit >= 1 ? 0 : (1 - explicit) / without));
    else weights = rels.map((r) => r.share!);
    out.set(
      buyer,
      rels.map((r, i) => ({ from: r.from, w: weights[i]! })),
    );
  }
  return out;
}

/**
 * Absorption probabilities for every node of the graph: `target(node)` names the absorbing class
 * of an absorbing node, or null for a transient one. Transient nodes that cannot reach any
 * absorbing node get nothing: what is missing from 1 is undisclosed (remainders and closed loops).
 */
function absorptionOracle(graph: RawGraph, target: (n: GraphNode) => string | null): Map<string, Map<string, number>> {
  const present = new Set(graph.supplies.flatMap((r) => [r.from, r.to]));
  const nodes = graph.nodes.filter((n) => present.has(n.id));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const intake = intakeOf(graph);
  const transient = nodes.filter((n) => target(n) === null).map((n) => n.id);
  const tIndex = new Map(transient.map((id, i) => [id, i]));
  const classes = [...new Set(nodes.map(target).filter((t): t is string => t !== null))].sort();
  const cIndex = new Map(classes.map((c, i) => [c, i]));
  const t = transient.length;
  const q: number[][] = transient.map(() => new Array<number>(t).fill(0));
  const r: number[][] = transient.map(() => new Array<number>(classes.length).fill(0));
  transient.forEach((id, i) => {
    for (const { from, w } of intake.get(id) ?? []) {
      const cls = target(byId.get(from)!);
      if (cls === null) q[i]![tIndex.get(from)!]! += w;
      else r[i]![cIndex.get(cls)!]! += w;
    }
  });
  // Live states reach an absorbing class through positive steps.
  const live = r.map((row) => row.some((x) => x > 0));
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < t; i++) {
      if (!live[i] && q[i]!.some((x, j) => x > 0 && live[j])) live[i] = changed = true;
    }
  }
  const liveIds = transient.map((_, i) => i).filter((i) => live[i]);
  const l = liveIds.length;
  // (I − Q_LL) X = R_L by Gauss–Jordan with partial pivoting.
  const a = liveIds.map((i, row) => [...liveIds.map((j, col) => (row === col ? 1 : 0) - q[i]![j]!), ...r[i]!]);
  const width = l + classes.length;
  for (let col = 0; col < l; col++) {
    let p = col;
    for (let row = col + 1; row < l; row++) if (Math.abs(a[row]![col]!) > Math.abs(a[p]![col]!)) p = row;
    [a[col], a[p]] = [a[p]!, a[col]!];
    const pivot = a[col]![col]!;
    for (let x = 0; x < width; x++) a[col]![x]! /= pivot;
    for (let row = 0; row < l; row++) {
      if (row === col) continue;
      const f = a[row]![col]!;
      if (f !== 0) for (let x = 0; x < width; x++) a[row]![x]! -= f * a[col]![x]!;
    }
  }
  const result = new Map<string, Map<string, number>>();
  for (const n of nodes) {
    const cls = target(n);
    const m = new Map<string, number>();
    if (cls !== null) m.set(cls, 1);
    else {
      const i = tIndex.get(n.id)!;
      const row = liveIds.indexOf(i);
      if (row >= 0) classes.forEach((c, k) => m.set(c, a[row]![l + k]!));
    }
    result.set(n.id, m);
  }
  return result;
}

const originTarget = (n: GraphNode): string | null =>
  n.label === 'Country' ? `country:${n.id}` : n.label === 'Smelter' && n.recycledOrScrap ? 'recycled' : null;
const smelterTarget = (n: GraphNode): string | null =>
  n.label === 'Smelter' ? `smelter:${n.id}` : n.label === 'Country' ? 'no smelter' : null;

function expectOriginMatchesOracle(s: Snapshot, graph: RawGraph, oracle: Map<string, Map<string, number>>): void {
  const cahraCodes = new Set(graph.nodes.filter((n) => n.label === 'Country' && n.cahra).map((n) => n.id));
  for (const [id, expected] of oracle) {
    const v = nodeIndex(s, id)!;
    const mix = originMix(s, 'tin', v);
    const sum = mix.cahra + mix.nonCahra + mix.recycled + mix.undisclosed;
    expect(Math.abs(sum - 1)).toBeLessThanOrEqual(1e-9);
    for (const p of [mix.cahra, mix.nonCahra, mix.recycled, mix.undisclosed]) expect(p).toBeGreaterThanOrEqual(-1e-12);
    let cahra = 0;
    let nonCahra = 0;
    for (const [cls, p] of expected) {
      if (!cls.startsWith('country:')) continue;
      const code = cls.slice('country:'.length);
      expect(Math.abs((mix.byCountry[code] ?? 0) - p)).toBeLessThanOrEqual(1e-9);
      if (cahraCodes.has(code)) cahra += p;
      else nonCahra += p;
    }
    for (const [code, p] of Object.entries(mix.byCountry)) {
      expect(p).toBeGreaterThan(0);
      expect(expected.has(`country:${code}`)).toBe(true);
    }
    expect(Object.keys(mix.byCountry)).toEqual(Object.keys(mix.byCountry).sort());
    const recycled = expected.get('recycled') ?? 0;
    expect(Math.abs(mix.cahra - cahra)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(mix.nonCahra - nonCahra)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(mix.recycled - recycled)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(mix.undisclosed - (1 - cahra - nonCahra - recycled))).toBeLessThanOrEqual(1e-9);
  }
}

function expectSmelterMatchesOracle(s: Snapshot, graph: RawGraph, oracle: Map<string, Map<string, number>>): void {
  const statusOf = new Map(graph.nodes.filter((n) => n.label === 'Smelter').map((n) => [n.id, n.rmapStatus]));
  for (const [id, expected] of oracle) {
    const mix = smelterMix(s, 'tin', nodeIndex(s, id)!);
    let through = 0;
    const byStatus = new Map<RmapStatus, number>();
    for (const [cls, p] of expected) {
      if (!cls.startsWith('smelter:')) continue;
      const sid = cls.slice('smelter:'.length);
      expect(Math.abs((mix.bySmelter[sid] ?? 0) - p)).toBeLessThanOrEqual(1e-9);
      through += p;
      const status = statusOf.get(sid)!;
      byStatus.set(status, (byStatus.get(status) ?? 0) + p);
    }
    for (const [sid, p] of Object.entries(mix.bySmelter)) {
      expect(p).toBeGreaterThan(0);
      expect(expected.has(`smelter:${sid}`)).toBe(true);
    }
    for (const status of RMAP_STATUSES) {
      expect(Math.abs((mix.byRmapStatus[status] ?? 0) - (byStatus.get(status) ?? 0))).toBeLessThanOrEqual(1e-9);
    }
    expect(Math.abs(mix.notThroughSmelter - (1 - through))).toBeLessThanOrEqual(1e-9);
    const total = Object.values(mix.bySmelter).reduce((t, p) => t + p, 0) + mix.notThroughSmelter;
    expect(Math.abs(total - 1)).toBeLessThanOrEqual(1e-9);
  }
}

// ---------------------------------------------------------------------------------------------
// Random graphs

/** Generous time limits for the heavier tests: they take 1–2 s alone, more when the machine is busy. */
const SLOW = { timeout: 30_000 };

const COUNTRY_CODES = ['AA', 'BB', 'CD', 'DD'];

const shareArb = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(0.1, 0.2, 0.25, 0.3, 0.5, 0.7, 1),
  fc.double({ min: 0.01, max: 1, noNaN: true }),
);

const graphArb = fc
  .record({
    countries: fc.array(fc.boolean(), { minLength: 0, maxLength: 3 }),
    smelters: fc.array(
      fc.record({ recycled: fc.integer({ min: 0, max: 3 }).map((x) => x === 0), status: fc.constantFrom(...RMAP_STATUSES) }),
      {
        maxLength: 3,
      },
    ),
    companies: fc.integer({ min: 1, max: 7 }),
    edges: fc.array(fc.tuple(fc.nat(), fc.nat(), shareArb), { maxLength: 30 }),
  })
  .map(({ countries, smelters, companies, edges }): RawGraph => {
    const nodes: GraphNode[] = [
      ...countries.map((cahra, i): GraphNode => ({ label: 'Country', id: COUNTRY_CODES[i]!, name: `country ${i}`, cahra, lists: [] })),
      ...smelters.map(
        ({ recycled, status }, i): GraphNode => ({
          label: 'Smelter',
          id: `S${i}`,
          name: `smelter ${i}`,
          aliases: [],
          metal: 'tin',
          country: 'PE',
          rmapStatus: status,
          recycledOrScrap: recycled,
        }),
      ),
      ...Array.from({ length: companies }, (_, i): GraphNode => ({ label: 'Company', id: `c${i}`, name: `company ${i}`, country: 'JP' })),
    ];
    const allowed = (from: GraphNode, to: GraphNode): boolean =>
      (from.label === 'Country' && to.label === 'Smelter') ||
      (from.label === 'Smelter' && to.label === 'Company') ||
      (from.label === 'Company' && to.label === 'Company');
    const seen = new Set<string>();
    const rels: Supplies[] = [];
    for (const [f, t, share] of edges) {
      const from = nodes[f % nodes.length]!;
      const to = nodes[t % nodes.length]!;
      if (!allowed(from, to) || seen.has(`${from.id}>${to.id}`)) continue;
      seen.add(`${from.id}>${to.id}`);
      rels.push(
        share === undefined
          ? { type: 'SUPPLIES', from: from.id, to: to.id, metal: 'tin', source: 'test' }
          : { type: 'SUPPLIES', from: from.id, to: to.id, metal: 'tin', share, source: 'test' },
      );
    }
    return { nodes, supplies: rels };
  })
  .filter((g) => g.supplies.length > 0 && g.nodes.length >= 2 && g.nodes.length <= 12);

const compile = (g: RawGraph): Snapshot => compileSnapshot({ version: 1, nodes: g.nodes, relationships: g.supplies as Relationship[] });

/** Whether some company reaches itself through supplies (a cycle), found independently of the engine. */
function hasCycle(g: RawGraph): boolean {
  const next = new Map<string, string[]>();
  for (const r of g.supplies) next.set(r.from, [...(next.get(r.from) ?? []), r.to]);
  const reaches = (from: string, to: string): boolean => {
    const seen = new Set<string>();
    const todo = [...(next.get(from) ?? [])];
    while (todo.length > 0) {
      const x = todo.pop()!;
      if (x === to) return true;
      if (seen.has(x)) continue;
      seen.add(x);
      todo.push(...(next.get(x) ?? []));
    }
    return false;
  };
  return g.nodes.some((n) => reaches(n.id, n.id));
}

describe('originMix and smelterMix on random graphs with cycles', () => {
  it('equal the dense solve of the absorbing chain, sum to 1, and agree with originSharesAll', SLOW, () => {
    let withCycles = 0;
    fc.assert(
      fc.property(graphArb, (g) => {
        if (hasCycle(g)) withCycles++;
        const s = compile(g);
        expectOriginMatchesOracle(s, g, absorptionOracle(g, originTarget));
        expectSmelterMatchesOracle(s, g, absorptionOracle(g, smelterTarget));
        expectSharesAllAgree(s);
      }),
      { numRuns: 300 },
    );
    expect(withCycles).toBeGreaterThan(30); // the generator really exercises cycles
  });
});

// ---------------------------------------------------------------------------------------------
// Components beyond the dense-solve limit (the Gauss–Seidel path)

function rel(from: string, to: string, share?: number): Supplies {
  return share === undefined
    ? { type: 'SUPPLIES', from, to, metal: 'tin', source: 'test' }
    : { type: 'SUPPLIES', from, to, metal: 'tin', share, source: 'test' };
}

/**
 * Countries, smelters, a few rings of companies (each ring one strongly connected component, with
 * random chords), and a layer of buyers above them. Each ring member leaks to smelters or leaves a
 * remainder undisclosed.
 */
function largeGraph(seed: number, rings: number[], buyers: number, chordsPerMember: number): RawGraph {
  const random = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const nodes: GraphNode[] = [];
  const supplies: Supplies[] = [];
  const countries = Array.from({ length: 40 }, (_, i) => String.fromCharCode(65 + Math.floor(i / 26), 65 + (i % 26)));
  countries.forEach((id, i) => nodes.push({ label: 'Country', id, name: id, cahra: i % 5 === 0, lists: [] }));
  const smelters = Array.from({ length: 200 }, (_, i) => `S${i}`);
  smelters.forEach((id, i) => {
    nodes.push({
      label: 'Smelter',
      id,
      name: id,
      aliases: [],
      metal: 'tin',
      country: 'PE',
      rmapStatus: RMAP_STATUSES[i % RMAP_STATUSES.length]!,
      recycledOrScrap: i % 25 === 0,
    });
    if (i % 25 !== 0) {
      const a = pick(countries);
      const b = pick(countries);
      supplies.push(rel(a, id, 0.5));
      if (b !== a) supplies.push(rel(b, id));
    }
  });
  const ringMembers: string[][] = [];
  rings.forEach((size, r) => {
    const members = Array.from({ length: size }, (_, i) => `r${r}m${i}`);
    ringMembers.push(members);
    for (const id of members) nodes.push({ label: 'Company', id, name: id, country: 'JP' });
    members.forEach((id, i) => {
      const seen = new Set<string>();
      const add = (from: string, share?: number): void => {
        if (seen.has(from)) return;
        seen.add(from);
        supplies.push(rel(from, id, share));
      };
      add(members[(i + 1) % size]!, 0.3 + 0.3 * random()); // the ring: every member reaches every other
      for (let c = 0; c < chordsPerMember; c++) add(pick(members), random() < 0.5 ? undefined : 0.05 * random());
      if (random() < 0.7) add(pick(smelters), random() < 0.5 ? undefined : 0.1);
      if (r > 0 && random() < 0.05) add(pick(ringMembers[r - 1]!)); // rings feed rings
    });
  });
  for (let i = 0; i < buyers; i++) {
    const id = `b${i}`;
    nodes.push({ label: 'Company', id, name: id, country: 'JP' });
    const seen = new Set<string>();
    const k = 1 + Math.floor(random() * 5);
    for (let j = 0; j < k; j++) {
      const from = random() < 0.5 && i > 0 ? `b${Math.floor(random() * i)}` : random() < 0.8 ? pick(pick(ringMembers)) : pick(smelters);
      if (seen.has(from)) continue;
      seen.add(from);
      supplies.push(rel(from, id, random() < 0.3 ? 0.2 : undefined));
    }
  }
  return { nodes, supplies };
}

describe('components beyond the dense-solve limit', () => {
  it('match the dense solve of the absorbing chain on a ring of 420 companies', SLOW, () => {
    const g = largeGraph(7, [420], 30, 2);
    const s = compile(g);
    const wanted = new Set(['r0m0', 'r0m1', 'r0m200', 'r0m419', 'b0', 'b7', 'b29']);
    const oracle = absorptionOracle(g, originTarget);
    const picked = new Map([...oracle].filter(([id]) => wanted.has(id)));
    expect(picked.size).toBe(wanted.size);
    expectOriginMatchesOracle(s, g, picked);
    const smelterOracle = absorptionOracle(g, smelterTarget);
    expectSmelterMatchesOracle(s, g, new Map([...smelterOracle].filter(([id]) => wanted.has(id))));
    const all = originSharesAll(s, 'tin');
    for (const id of wanted) {
      const v = nodeIndex(s, id)!;
      const mix = originMix(s, 'tin', v);
      expect(Math.abs(all.cahra[v]! - mix.cahra)).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(all.undisclosed[v]! - mix.undisclosed)).toBeLessThanOrEqual(1e-9);
    }
  });

  it(
    'solves barely leaking cycles exactly on both sides of the dense limit, and refuses one that leaks only at rounding level',
    SLOW,
    () => {
      const ring = (size: number, leak: number): RawGraph => {
        const nodes: GraphNode[] = [
          { label: 'Country', id: 'CD', name: 'CD', cahra: true, lists: [] },
          { label: 'Smelter', id: 'S', name: 'S', aliases: [], metal: 'tin', country: 'CD', rmapStatus: 'active' },
        ];
        const supplies: Supplies[] = [rel('CD', 'S')];
        for (let i = 0; i < size; i++) {
          nodes.push({ label: 'Company', id: `m${i}`, name: `m${i}`, country: 'JP' });
          supplies.push(rel(`m${(i + 1) % size}`, `m${i}`, 1 - leak));
          if (i % 10 === 0)
            supplies.push(rel('S', `m${i}`, leak)); // only every tenth member leaks
          else supplies.push(rel(`m${(i + 7) % size}`, `m${i}`, leak));
        }
        return { nodes, supplies };
      };
      const dense = compile(ring(250, 1e-5));
      const mix = originMix(dense, 'tin', nodeIndex(dense, 'm3')!);
      expect(mix.byCountry.CD).toBeCloseTo(1, 9);
      expect(mix.undisclosed).toBeLessThan(1e-9);
      expect(originSharesAll(dense, 'tin').cahra[nodeIndex(dense, 'm3')!]).toBeCloseTo(1, 9);

      // Beyond the dense limit, a ring leaking 1e-9 at every tenth member (Gauss–Seidel used to give
      // up on it after 20,000 sweeps): the sparse solver settles it, exactly.
      const large = compile(ring(400, 1e-9));
      const largeMix = originMix(large, 'tin', nodeIndex(large, 'm3')!);
      expect(Math.abs(largeMix.byCountry.CD! - 1)).toBeLessThanOrEqual(1e-12);
      expect(largeMix.undisclosed).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(originSharesAll(large, 'tin').cahra[nodeIndex(large, 'm3')!]! - 1)).toBeLessThanOrEqual(1e-12);
      // Leaking at rounding level (shares of 1 − 1e-17, which is 1): refused by name, never a guess.
      const closed = compile(ring(400, 1e-17));
      expect(() => originMix(closed, 'tin', nodeIndex(closed, 'm3')!)).toThrow(UnsolvableCycleError);
    },
  );

  it('originSharesAll agrees with originMix on a 20k-node graph with large cycles', SLOW, () => {
    const g = largeGraph(2024, [3000, 1500, 800, 40, 40], 14_400, 5);
    expect(g.nodes.length).toBeGreaterThanOrEqual(20_000);
    expect(g.supplies.length).toBeGreaterThanOrEqual(50_000);
    const s = compile(g);
    const all = originSharesAll(s, 'tin');
    const tin = s.layers.get('tin')!;
    const random = mulberry32(99);
    const sample = ['r0m0', 'r1m7', 'r2m799', 'r3m3', 'b14399', 'b0'].map((id) => nodeIndex(s, id)!);
    for (let i = 0; i < 20; i++) sample.push(Math.floor(random() * s.nodeCount));
    let withCountries = 0;
    for (const v of sample) {
      if (!tin.present[v]) continue;
      const mix = originMix(s, 'tin', v);
      expect(Math.abs(mix.cahra + mix.nonCahra + mix.recycled + mix.undisclosed - 1)).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(all.cahra[v]! - mix.cahra)).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(all.nonCahra[v]! - mix.nonCahra)).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(all.recycled[v]! - mix.recycled)).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(all.undisclosed[v]! - mix.undisclosed)).toBeLessThanOrEqual(1e-9);
      const smelters = smelterMix(s, 'tin', v);
      const through = Object.values(smelters.bySmelter).reduce((t, p) => t + p, 0);
      expect(Math.abs(through + smelters.notThroughSmelter - 1)).toBeLessThanOrEqual(1e-9);
      if (mix.cahra + mix.nonCahra > 0.1) withCountries++;
    }
    expect(withCountries).toBeGreaterThan(8);
  });
});
