/**
 * The catalogue's own parts around the engine: the data-quality warnings of an answer (buyers in
 * the company's upstream whose declared shares summed above 1), exact on a small graph and against
 * a plain upstream walk over the relationships on random graphs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GraphNodeInput } from '../../../graph/model.js';
import { runAnalysis } from '../../../server/analytics/analysis-catalog.js';
import { allowedSupplies, CD, company as companyNode, PE, smelter, snapshotOf, supplies } from '../../graph/graph-builders.js';

const company = (id: string): GraphNodeInput => companyNode(id, { country: 'PE' });

describe('warnings about over-full shares', () => {
  // S1 takes 0.7 + 0.6 of its tin (over-full); t2 takes 0.8 + 0.5 (over-full) but sells only to "other".
  const snapshot = snapshotOf(
    [CD, PE, smelter('S1'), smelter('S2'), company('acme'), company('t1'), company('t2'), company('other'), company('golden')],
    [
      supplies('CD', 'S1', 0.7),
      supplies('PE', 'S1', 0.6),
      supplies('PE', 'S2'),
      supplies('S1', 't1'),
      supplies('t1', 'acme'),
      supplies('S1', 't2', 0.8),
      supplies('S2', 't2', 0.5),
      supplies('t2', 'other'),
      supplies('S2', 'golden', undefined, 'gold'),
    ],
  );

  it('name the over-full buyers upstream of the company, and only those', () => {
    expect(runAnalysis('origins', snapshot, { company: 'acme', metal: 'tin' }).warnings).toEqual([
      'tin shares into "S1" summed above 1 and were scaled down to 1',
    ]);
    expect(runAnalysis('risk', snapshot, { company: 'other', metal: 'tin', limit: 5 }).warnings).toEqual([
      'tin shares into "S1", "t2" summed above 1 and were scaled down to 1',
    ]);
  });

  it('are empty for a company with a clean upstream, and for one that takes no such metal', () => {
    expect(runAnalysis('singlePointsOfFailure', snapshot, { company: 'golden', metal: 'gold' }).warnings).toEqual([]);
    expect(runAnalysis('origins', snapshot, { company: 'golden', metal: 'tin' }).warnings).toEqual([]);
  });

  it('name the first 10 by id and count the rest', () => {
    const buyers = Array.from({ length: 12 }, (_, i) => company(`b${String(i).padStart(2, '0')}`));
    const s2 = snapshotOf(
      [CD, PE, smelter('S1'), smelter('S2'), ...buyers, company('top')],
      [
        supplies('CD', 'S1'),
        supplies('PE', 'S2'),
        ...buyers.flatMap((b) => [supplies('S1', b.id, 0.9), supplies('S2', b.id, 0.9), supplies(b.id, 'top')]),
      ],
    );
    const named = buyers
      .slice(0, 10)
      .map((b) => `"${b.id}"`)
      .join(', ');
    expect(runAnalysis('origins', s2, { company: 'top', metal: 'tin' }).warnings).toEqual([
      `tin shares into ${named} and 2 more summed above 1 and were scaled down to 1`,
    ]);
  });

  it('equal a plain upstream walk over the relationships on random graphs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }), // at most 10 over-full nodes: all named
        fc.array(
          fc.record({
            from: fc.nat(40),
            to: fc.nat(40),
            share: fc.option(fc.double({ min: 0.05, max: 0.9, noNaN: true }), { nil: undefined }),
          }),
          { maxLength: 80 },
        ),
        (smelters, companies, edges) => {
          const nodes = [
            CD,
            PE,
            ...Array.from({ length: smelters }, (_, i) => smelter(`s${i}`)),
            ...Array.from({ length: companies }, (_, i) => company(`c${i}`)),
          ];
          const relationships = allowedSupplies(nodes, edges);
          const s = snapshotOf(nodes, relationships);
          const declared = new Map<string, number>();
          for (const r of relationships)
            if (r.type === 'SUPPLIES' && r.share !== undefined) declared.set(r.to, (declared.get(r.to) ?? 0) + r.share);
          for (const c of nodes.filter((n) => n.label === 'Company')) {
            // Oracle: every node with a path of tin SUPPLIES to c (c included), over-full ones by id.
            const upstream = new Set([c.id]);
            for (let grew = true; grew; ) {
              grew = false;
              for (const r of relationships) if (upstream.has(r.to) && !upstream.has(r.from)) grew = upstream.add(r.from) !== undefined;
            }
            const over = [...upstream].filter((id) => (declared.get(id) ?? 0) > 1 + 1e-9).sort();
            const takes = relationships.some((r) => r.to === c.id || r.from === c.id);
            const expected =
              takes && over.length > 0
                ? [`tin shares into ${over.map((id) => `"${id}"`).join(', ')} summed above 1 and were scaled down to 1`]
                : [];
            expect(runAnalysis('origins', s, { company: c.id, metal: 'tin' }).warnings).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
