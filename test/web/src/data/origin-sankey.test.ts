/**
 * The origin Sankey's bands against the engine: on random supply graphs (fast-check), what reaches
 * the company by kind — CAHRA ore, other ore, recycled, undisclosed — must equal the engine's origin
 * mix, and what leaves each smelter its smelter mix; on hand-built graphs, the exact bands.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { originMix, smelterMix } from '../../../../graph/analyses/origin-mix.js';
import type { GraphNodeInput, RelationshipInput } from '../../../../graph/model.js';
import { nodeIndex } from '../../../../graph/snapshot.js';
import {
  allowedSupplies,
  company,
  country as countryNode,
  smelter as smelterNode,
  snapshotOf,
  supplies,
  type RandomEdge,
} from '../../../graph/graph-builders.js';
import { originSankey } from '../../../../web/src/data/origin-sankey.js';
import { SupplyGraph } from '../../../../web/src/data/supply-graph.js';
import { upstreamAnswer } from './neighborhood-answers.js';

const smelter = (id: string, recycledOrScrap = false): GraphNodeInput => smelterNode(id, { rmapStatus: 'conformant', recycledOrScrap });
const country = (id: string, cahra: boolean): GraphNodeInput => countryNode(id, { cahra });

function sankeyOf(nodes: GraphNodeInput[], relationships: RelationshipInput[], root: string) {
  return originSankey(SupplyGraph.fromNeighborhood(upstreamAnswer(nodes, relationships, root), 'tin', 1000));
}

describe('originSankey', () => {
  it('draws the exact bands of a small chain with a CAHRA origin, a remainder and a recycled smelter', () => {
    const nodes = [company('A'), company('B'), smelter('S1'), smelter('S2', true), country('CD', true), country('PE', false)];
    const rels = [
      supplies('B', 'A', 0.5),
      supplies('S2', 'A', 0.25),
      supplies('S1', 'B', 1),
      supplies('CD', 'S1', 0.4),
      supplies('PE', 'S1', 0.4),
    ];
    const s = sankeyOf(nodes, rels, 'A');
    const band = (source: string, target: string, kind: string) =>
      s.links.find((l) => l.source === source && l.target === target && l.kind === kind)?.value ?? 0;
    expect(band('country:CD', 'smelter:S1', 'cahra')).toBeCloseTo(0.2, 12);
    expect(band('country:PE', 'smelter:S1', 'other')).toBeCloseTo(0.2, 12);
    expect(band('undisclosed', 'smelter:S1', 'undisclosed')).toBeCloseTo(0.1, 12); // S1's uncovered 20 %
    expect(band('recycled', 'smelter:S2', 'recycled')).toBeCloseTo(0.25, 12);
    expect(band('smelter:S1', 'tier:1', 'cahra')).toBeCloseTo(0.2, 12); // S1 enters at B (tier 1)
    expect(band('smelter:S2', 'company', 'recycled')).toBeCloseTo(0.25, 12); // S2 enters at A itself
    expect(band('undisclosed', 'company', 'undisclosed')).toBeCloseTo(0.25, 12); // A's uncovered 25 %
    expect(band('tier:1', 'company', 'cahra')).toBeCloseTo(0.2, 12);
    expect(s.totals).toEqual({
      cahra: expect.closeTo(0.2, 12),
      other: expect.closeTo(0.2, 12),
      recycled: expect.closeTo(0.25, 12),
      undisclosed: expect.closeTo(0.35, 12),
    });
  });

  it('counts a loop back to the company as a second pass, not lost supply', () => {
    // A buys half from B; B buys half back from A and half from smelter S (all Peruvian ore).
    const nodes = [company('A'), company('B'), smelter('S'), country('PE', false)];
    const rels = [supplies('B', 'A', 0.5), supplies('A', 'B', 0.5), supplies('S', 'B', 0.5), supplies('PE', 'S', 1)];
    const s = sankeyOf(nodes, rels, 'A');
    const snapshot = snapshotOf(nodes, rels);
    const mix = originMix(snapshot, 'tin', nodeIndex(snapshot, 'A')!);
    expect(s.converged).toBe(true);
    expect(s.totals.other).toBeCloseTo(mix.nonCahra, 12);
    expect(s.totals.undisclosed).toBeCloseTo(mix.undisclosed, 12);
  });

  it("agrees with the engine's origin mix and smelter mix on random graphs", () => {
    const labels = fc.constantFrom<'Company' | 'Smelter' | 'Country'>('Company', 'Company', 'Smelter', 'Country');
    const arbitrary = fc.record({
      kinds: fc.array(fc.tuple(labels, fc.boolean()), { minLength: 2, maxLength: 12 }),
      edges: fc.array(
        fc.record({
          from: fc.nat(40),
          to: fc.nat(40),
          share: fc.option(
            fc.integer({ min: 1, max: 100 }).map((x) => x / 100),
            { nil: undefined },
          ),
        }),
        { maxLength: 40 },
      ),
    });
    let compared = 0;
    fc.assert(
      fc.property(arbitrary, ({ kinds, edges }) => {
        const nodes: GraphNodeInput[] = kinds.map(([label, flag], i) =>
          label === 'Company'
            ? company(`c${i}`)
            : label === 'Smelter'
              ? smelter(`s${i}`, flag)
              : country(`X${String.fromCharCode(65 + i)}`, flag),
        );
        const root = nodes.find((n) => n.label === 'Company');
        if (!root) return;
        const rels = allowedSupplies(nodes, edges as RandomEdge[]);
        const snapshot = snapshotOf(nodes, rels);
        const v = nodeIndex(snapshot, root.id)!;
        const s = sankeyOf(nodes, rels, root.id);
        if (!s.converged) return; // a closed loop: the engine calls it undisclosed, the drawing warns
        if (!rels.some((r) => r.type === 'SUPPLIES' && r.to === root.id)) return; // takes no tin
        const mix = originMix(snapshot, 'tin', v);
        expect(s.totals.cahra).toBeCloseTo(mix.cahra, 9);
        expect(s.totals.other).toBeCloseTo(mix.nonCahra, 9);
        expect(s.totals.recycled).toBeCloseTo(mix.recycled, 9);
        expect(s.totals.undisclosed).toBeCloseTo(mix.undisclosed, 9);
        // Flow out of each drawn smelter = the engine's share through it.
        const sm = smelterMix(snapshot, 'tin', v);
        for (const node of s.nodes.filter((n) => n.kind === 'smelter')) {
          const out = s.links.filter((l) => l.source === node.id).reduce((a, l) => a + l.value, 0);
          expect(out).toBeCloseTo(sm.bySmelter[node.graphId!] ?? 0, 9);
        }
        compared++;
      }),
      { numRuns: 400 },
    );
    expect(compared).toBeGreaterThan(50);
  });
});
