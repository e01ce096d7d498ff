import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { impactOfRemoval, type ImpactEntry } from '../../../graph/analyses/impact.js';
import type { GraphNodeInput, RelationshipInput } from '../../../graph/model.js';
import { nodeIndex, type Snapshot } from '../../../graph/snapshot.js';
import { CD, PE, allowedSupplies, company, randomEdges, smelter, snapshotOf, supplies } from '../graph-builders.js';

const co = (id: string): GraphNodeInput => company(id, { name: id.toUpperCase() });
const sm = (id: string, recycledOrScrap = false): GraphNodeInput => smelter(id, recycledOrScrap ? { recycledOrScrap } : {});

function remove(s: Snapshot, ids: string[], metals?: Array<'tin' | 'gold'>): Array<Omit<ImpactEntry, 'index' | 'name'>> {
  return impactOfRemoval(
    s,
    ids.map((id) => nodeIndex(s, id)!),
    metals ? { metals } : {},
  ).map(({ id, metal, lostShare, cutOff }) => ({ id, metal, lostShare, cutOff }));
}

describe('impactOfRemoval', () => {
  const chain = snapshotOf([CD, sm('S'), co('b'), co('a')], [supplies('CD', 'S'), supplies('S', 'b'), supplies('b', 'a')]);

  it('cuts a chain off below the removed node, and lists companies only', () => {
    expect(remove(chain, ['S'])).toEqual([
      { id: 'a', metal: 'tin', lostShare: 1, cutOff: true },
      { id: 'b', metal: 'tin', lostShare: 1, cutOff: true },
    ]);
    expect(remove(chain, ['CD']).map((x) => x.id)).toEqual(['a', 'b']); // S is hurt too, but is not a company
    expect(remove(chain, ['b'])).toEqual([{ id: 'a', metal: 'tin', lostShare: 1, cutOff: true }]); // b itself is not listed
    expect(remove(chain, ['a'])).toEqual([]);
    expect(remove(chain, [])).toEqual([]);
  });

  it('loses one branch of a diamond without cutting the buyer off', () => {
    const s = snapshotOf(
      [CD, PE, sm('S1'), sm('S2'), co('b'), co('c'), co('a')],
      [
        supplies('CD', 'S1'),
        supplies('PE', 'S2'),
        supplies('S1', 'b'),
        supplies('S2', 'c'),
        supplies('S1', 'c', 0.25),
        supplies('b', 'a', 0.4),
        supplies('c', 'a', 0.6),
      ],
    );
    const got = remove(s, ['S1']);
    expect(got.map((x) => [x.id, x.cutOff])).toEqual([
      ['b', true],
      ['a', false],
      ['c', false],
    ]);
    expect(got[0]!.lostShare).toBe(1);
    expect(got[1]!.lostShare).toBeCloseTo(0.4 + 0.6 * 0.25, 15);
    expect(got[2]!.lostShare).toBe(0.25);
    // Removing both smelters cuts everything off.
    expect(remove(s, ['S1', 'S2']).every((x) => x.cutOff && Math.abs(x.lostShare - 1) < 1e-15)).toBe(true);
  });

  it('solves a supply cycle exactly', () => {
    // a takes half from b, half from S; b takes half from a, half from T. Remove T:
    // lost(b) = 1/2 + 1/2 lost(a), lost(a) = 1/2 lost(b)  ⇒  lost(b) = 2/3, lost(a) = 1/3.
    const s = snapshotOf(
      [CD, sm('S'), sm('T'), co('a'), co('b')],
      [
        supplies('CD', 'S'),
        supplies('CD', 'T'),
        supplies('S', 'a', 0.5),
        supplies('b', 'a', 0.5),
        supplies('a', 'b', 0.5),
        supplies('T', 'b', 0.5),
      ],
    );
    const got = remove(s, ['T']);
    expect(got.map((x) => [x.id, x.cutOff])).toEqual([
      ['b', false],
      ['a', false],
    ]);
    expect(got[0]!.lostShare).toBeCloseTo(2 / 3, 13);
    expect(got[1]!.lostShare).toBeCloseTo(1 / 3, 13);
  });

  it('solves a long supply ring (swept, not eliminated) and a nearly closed loop (eliminated) exactly', () => {
    // Ring of N companies: c_i takes 0.99 from c_{i+1 mod N} and 0.01 from its own smelter S_i. Remove S_0:
    // lost(c_0) = 0.01 + 0.99 lost(c_1), lost(c_j) = 0.99 lost(c_{j+1}) for j ≥ 1  ⇒  lost(c_0) = 0.01 / (1 − 0.99^N), lost(c_j) = 0.99^(N−j) lost(c_0).
    const N = 300;
    const nodes: GraphNodeInput[] = [CD];
    const rels: RelationshipInput[] = [];
    for (let i = 0; i < N; i++) {
      nodes.push(sm(`S${i}`), co(`r${String(i).padStart(3, '0')}`));
      rels.push(
        supplies('CD', `S${i}`),
        supplies(`S${i}`, `r${String(i).padStart(3, '0')}`, 0.01),
        supplies(`r${String((i + 1) % N).padStart(3, '0')}`, `r${String(i).padStart(3, '0')}`, 0.99),
      );
    }
    const ring = snapshotOf(nodes, rels);
    const got = new Map(remove(ring, ['S0']).map((x) => [x.id, x]));
    const l0 = 0.01 / (1 - 0.99 ** N);
    expect(got.size).toBe(N);
    for (let j = 0; j < N; j++) {
      const e = got.get(`r${String(j).padStart(3, '0')}`)!;
      expect(e.lostShare).toBeCloseTo(j === 0 ? l0 : 0.99 ** (N - j) * l0, 12);
      expect(e.cutOff).toBe(false);
    }
    // A company keeping 0.99999 of its intake in a loop through itself: sweeps would crawl; elimination is exact.
    const loop = snapshotOf(
      [CD, sm('S'), co('a'), co('b')],
      [supplies('CD', 'S'), supplies('S', 'a', 0.00001), supplies('a', 'a', 0.99999), supplies('a', 'b')],
    );
    expect(remove(loop, ['S'])).toEqual([
      { id: 'a', metal: 'tin', lostShare: expect.closeTo(1, 9), cutOff: true },
      { id: 'b', metal: 'tin', lostShare: expect.closeTo(1, 9), cutOff: true },
    ]);
  });

  it('counts a closed loop as not lost and keeps the undisclosed remainder out of the loss', () => {
    // a: 0.4 from S, the rest undisclosed. p ⇄ q loop with all of q's intake from p and half of p's from q, half from S.
    const s = snapshotOf(
      [CD, sm('S'), co('a'), co('p'), co('q')],
      [supplies('CD', 'S'), supplies('S', 'a', 0.4), supplies('S', 'p', 0.5), supplies('q', 'p', 0.5), supplies('p', 'q', 1)],
    );
    // p loses 1/2 + 1/2 · lost(q), q loses lost(p): both 1, reached by iteration in the loop.
    expect(remove(s, ['S'])).toEqual([
      { id: 'p', metal: 'tin', lostShare: expect.closeTo(1, 13), cutOff: true },
      { id: 'q', metal: 'tin', lostShare: expect.closeTo(1, 13), cutOff: true },
      { id: 'a', metal: 'tin', lostShare: 0.4, cutOff: true }, // nothing known is left
    ]);
    // A loop with no way out has no source before the removal: never cut off, nothing to lose.
    const closed = snapshotOf([co('x'), co('y'), co('z')], [supplies('x', 'y'), supplies('y', 'x'), supplies('x', 'z')]);
    expect(remove(closed, ['z'])).toEqual([]);
  });

  it('does not count a source that itself reaches no source as a way out', () => {
    // x ⇄ y is a loop without sources; x also supplies a, whose other source S is removed.
    const s = snapshotOf(
      [CD, sm('S'), co('x'), co('y'), co('a')],
      [supplies('CD', 'S'), supplies('S', 'a', 0.5), supplies('x', 'a', 0.5), supplies('x', 'y'), supplies('y', 'x')],
    );
    expect(remove(s, ['S'])).toEqual([{ id: 'a', metal: 'tin', lostShare: 0.5, cutOff: true }]);
  });

  it('keeps companies that still reach a recycled smelter or a source without origin, and skips companies without sources', () => {
    const s = snapshotOf(
      [CD, sm('S'), sm('R', true), co('u'), co('a'), co('b'), co('lonely')],
      [supplies('CD', 'S'), supplies('S', 'a', 0.5), supplies('R', 'a', 0.5), supplies('S', 'b', 0.5), supplies('u', 'b', 0.5)],
    );
    expect(remove(s, ['S'])).toEqual([
      { id: 'a', metal: 'tin', lostShare: 0.5, cutOff: false },
      { id: 'b', metal: 'tin', lostShare: 0.5, cutOff: false },
    ]);
    expect(remove(s, ['lonely'])).toEqual([]);
  });

  it('reports per metal, for the metals asked, ordered by loss, then id, then metal', () => {
    const s = snapshotOf(
      [CD, sm('S'), co('b'), co('a'), co('z')],
      [
        supplies('CD', 'S'),
        supplies('S', 'b'),
        supplies('S', 'b', undefined, 'gold'),
        supplies('b', 'a', 0.5, 'gold'),
        supplies('b', 'z', 0.5, 'gold'),
        supplies('b', 'a', 0.5),
      ],
    );
    expect(remove(s, ['S'])).toEqual([
      { id: 'b', metal: 'gold', lostShare: 1, cutOff: true },
      { id: 'b', metal: 'tin', lostShare: 1, cutOff: true },
      { id: 'a', metal: 'gold', lostShare: 0.5, cutOff: true },
      { id: 'a', metal: 'tin', lostShare: 0.5, cutOff: true },
      { id: 'z', metal: 'gold', lostShare: 0.5, cutOff: true },
    ]);
    expect(remove(s, ['S'], ['gold']).map((x) => x.metal)).toEqual(['gold', 'gold', 'gold']);
    const first = impactOfRemoval(s, [nodeIndex(s, 'S')!])[0]!;
    expect(first).toEqual({ index: nodeIndex(s, 'b'), id: 'b', name: 'B', metal: 'gold', lostShare: 1, cutOff: true });
  });

  it('refuses indices that are not nodes', () => {
    expect(() => impactOfRemoval(chain, [4])).toThrow(RangeError);
    expect(() => impactOfRemoval(chain, [-1])).toThrow(RangeError);
    expect(() => impactOfRemoval(chain, [0.5])).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Property test against a dense linear solve and BFS written here.

const COUNTRY_IDS = ['CD', 'RW', 'PE'];

const randomGraph = fc
  .record({
    countries: fc.integer({ min: 1, max: 3 }),
    smelters: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
    companies: fc.integer({ min: 1, max: 9 }),
    edges: randomEdges(50),
  })
  .map(({ countries, smelters, companies, edges }) => {
    const nodes: GraphNodeInput[] = [
      ...COUNTRY_IDS.slice(0, countries).map((id): GraphNodeInput => ({ label: 'Country', id, name: id })),
      ...smelters.map((recycled, i) => sm(`S${i}`, recycled)),
      ...Array.from({ length: companies }, (_, i) => co(`c${i}`)),
    ];
    const relationships = allowedSupplies(nodes, edges);
    return { nodes, relationships };
  });

/** Solve A x = b by Gaussian elimination with partial pivoting (A dense, nonsingular). */
function solveDense(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(M[r]![col]!) > Math.abs(M[piv]![col]!)) piv = r;
    [M[col], M[piv]] = [M[piv]!, M[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = M[r]![col]! / M[col]![col]!;
      if (f !== 0) for (let k = col; k <= n; k++) M[r]![k]! -= f * M[col]![k]!;
    }
  }
  return M.map((row, i) => row[n]! / row[i]!);
}

interface OracleEntry {
  index: number;
  metal: string;
  lostShare: number;
  cutOff: boolean;
}

function oracle(s: Snapshot, removed: Set<number>): OracleEntry[] {
  const out: OracleEntry[] = [];
  for (const metal of s.metals) {
    const layer = s.layers.get(metal)!;
    const n = s.nodeCount;
    const sources = (v: number): Array<[number, number]> => {
      const xs: Array<[number, number]> = [];
      for (let j = layer.inOffsets[v]!; j < layer.inOffsets[v + 1]!; j++) xs.push([layer.inSources[j]!, layer.inWeights[j]!]);
      return xs;
    };
    // Transient states that can be absorbed as "lost" at all (positive-probability steps to a removed node); the others lose 0.
    const canLose = new Set<number>();
    for (let changed = true; changed; ) {
      changed = false;
      for (let v = 0; v < n; v++) {
        if (removed.has(v) || canLose.has(v)) continue;
        if (sources(v).some(([u, w]) => w > 0 && (removed.has(u) || canLose.has(u)))) {
          canLose.add(v);
          changed = true;
        }
      }
    }
    const states = [...canLose];
    const pos = new Map(states.map((v, i) => [v, i]));
    const A = states.map((v, i) => {
      const row = states.map(() => 0);
      row[i] = 1;
      for (const [u, w] of sources(v)) if (pos.has(u)) row[pos.get(u)!]! -= w;
      return row;
    });
    const b = states.map((v) => sources(v).reduce((acc, [u, w]) => acc + (removed.has(u) ? w : 0), 0));
    const x = states.length ? solveDense(A, b) : [];
    // Reaches a source (a node without sources in the layer), by BFS upstream, optionally avoiding removed nodes.
    const isSource = (v: number): boolean => layer.present[v] === 1 && layer.inOffsets[v] === layer.inOffsets[v + 1];
    const reaches = (start: number, avoid: boolean): boolean => {
      const seen = new Set([start]);
      const queue = [start];
      while (queue.length) {
        const v = queue.shift()!;
        if (isSource(v)) return true;
        for (const [u] of sources(v))
          if (!seen.has(u) && !(avoid && removed.has(u))) {
            seen.add(u);
            queue.push(u);
          }
      }
      return false;
    };
    for (let v = 0; v < n; v++) {
      if (s.labels[v] !== 0 || removed.has(v)) continue;
      const lostShare = pos.has(v) ? x[pos.get(v)!]! : 0;
      const cutOff = reaches(v, false) && !reaches(v, true);
      if (lostShare > 1e-12 || cutOff) out.push({ index: v, metal, lostShare, cutOff });
    }
  }
  return out;
}

describe('impactOfRemoval on random graphs with cycles', () => {
  it('equals the absorption probability of "lost" by dense solve, and cut-off by BFS without the removed nodes', () => {
    fc.assert(
      fc.property(randomGraph, fc.array(fc.nat(), { maxLength: 4 }), (g, picks) => {
        const s = snapshotOf(g.nodes, g.relationships);
        const removed = picks.map((p) => p % s.nodeCount);
        const got = impactOfRemoval(s, removed);
        const want = oracle(s, new Set(removed));
        const key = (x: { index: number; metal: string }): string => `${x.index}/${x.metal}`;
        expect(got.map(key).sort()).toEqual(want.map(key).sort());
        const wanted = new Map(want.map((x) => [key(x), x]));
        for (const e of got) {
          const w = wanted.get(key(e))!;
          expect(Math.abs(e.lostShare - w.lostShare)).toBeLessThan(1e-9);
          expect(e.cutOff).toBe(w.cutOff);
          expect(e.id).toBe(s.ids[e.index]);
        }
        for (let i = 1; i < got.length; i++) {
          const [p, q] = [got[i - 1]!, got[i]!];
          expect(p.lostShare > q.lostShare || (p.lostShare === q.lostShare && (p.id < q.id || (p.id === q.id && p.metal < q.metal)))).toBe(
            true,
          );
        }
      }),
      { numRuns: 400 },
    );
  });
});
