/**
 * The page's copy of the supply graph: effective shares by the share rule of graph/snapshot.ts (effectiveWeights; checked against a direct
 * computation on random buyers), collapsing suppliers, and growing the graph at its edge.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { company, supplies } from '../../../graph/graph-builders.js';
import { SupplyGraph, visiblePart } from '../../../../web/src/data/supply-graph.js';
import { upstreamAnswer } from './neighborhood-answers.js';

describe('SupplyGraph', () => {
  it("makes shares effective as the README's graph model says, for any mix of declared and missing shares", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.option(
            fc.integer({ min: 1, max: 100 }).map((x) => x / 100),
            { nil: undefined },
          ),
          { minLength: 1, maxLength: 8 },
        ),
        (shares) => {
          const nodes = [company('buyer'), ...shares.map((_, i) => company(`s${i}`))];
          const rels = shares.map((s, i) => supplies(`s${i}`, 'buyer', s));
          const g = SupplyGraph.fromNeighborhood(upstreamAnswer(nodes, rels, 'buyer'), 'tin', 10);
          const declared = shares.reduce<number>((a, s) => a + (s ?? 0), 0);
          const missing = shares.filter((s) => s === undefined).length;
          shares.forEach((s, i) => {
            const e = g.edges.get(`s${i}\u0000buyer`)!;
            const expected =
              declared > 1 ? (s === undefined ? 0 : s / declared) : s === undefined ? (declared >= 1 ? 0 : (1 - declared) / missing) : s;
            expect(e.effectiveShare).toBeCloseTo(expected, 12);
          });
          expect(g.overShared.has('buyer')).toBe(declared > 1 + 1e-9);
          const covered = [...g.edges.values()].reduce((a, e) => a + e.effectiveShare!, 0);
          expect(g.undisclosedRemainder('buyer')).toBeCloseTo(Math.max(0, 1 - covered), 12);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hides what only a collapsed node leads to, and recounts tiers', () => {
    // A ← B ← C ← D, and A ← D directly.
    const nodes = ['A', 'B', 'C', 'D'].map((id) => company(id));
    const rels = [supplies('B', 'A'), supplies('C', 'B'), supplies('D', 'C'), supplies('D', 'A')];
    const g = SupplyGraph.fromNeighborhood(upstreamAnswer(nodes, rels, 'A'), 'tin', 10);
    const all = visiblePart(g, new Set());
    expect([...all.tierOf]).toEqual([
      ['A', 0],
      ['B', 1],
      ['D', 1],
      ['C', 2],
    ]);
    const collapsed = visiblePart(g, new Set(['B']));
    expect(collapsed.nodes.map((n) => n.id).sort()).toEqual(['A', 'B', 'D']);
    expect(collapsed.edges.map((e) => e.key).sort()).toEqual(['B\u0000A', 'D\u0000A']);
    expect([...collapsed.withHiddenSuppliers]).toEqual(['B']);
  });

  it('marks nodes at the fetched depth as the edge, and grows when one is expanded', () => {
    const nodes = ['A', 'B', 'C', 'D'].map((id) => company(id));
    const rels = [supplies('B', 'A'), supplies('C', 'B'), supplies('D', 'C')];
    const shallow = upstreamAnswer(nodes, rels, 'A');
    shallow.nodes = shallow.nodes.filter((n) => n.tier <= 1);
    shallow.relationships = shallow.relationships.filter((r) => r.to === 'A');
    const g = SupplyGraph.fromNeighborhood(shallow, 'tin', 1);
    expect([...g.frontier]).toEqual(['B']);
    expect(g.edges.get('B\u0000A')!.effectiveShare).toBe(1);
    expect(g.undisclosedRemainder('B')).toBeUndefined();
    // Expanding B fetches its neighbourhood (2 hops) and adds it, tiers shifted by B's tier.
    const fromB = upstreamAnswer(nodes, rels, 'B');
    g.merge({ ...fromB, nodes: fromB.nodes.filter((n) => n.tier <= 2) }, 2, 1);
    expect([...g.nodes.values()].map((n) => [n.id, n.tier])).toEqual([
      ['A', 0],
      ['B', 1],
      ['C', 2],
      ['D', 3],
    ]);
    expect([...g.frontier]).toEqual(['D']);
    expect(visiblePart(g, new Set()).withHiddenSuppliers.has('D')).toBe(true);
  });
});
