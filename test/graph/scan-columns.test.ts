/**
 * The columnar scan: rows → columns (scanToColumns), the id index, and compiling from columns,
 * which must give exactly the snapshot compiling from rows gives, and refuse malformed columns
 * with an error naming what is wrong.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GraphNodeSchema, RelationshipSchema, type GraphNodeInput, type RelationshipInput } from '../../graph/model.js';
import { buildIdIndex, canonicalSuppliesOrder, positionsOf, type ScanColumns, scanToColumns } from '../../graph/scan-columns.js';
import { compileSnapshot, compileSnapshotFromColumns, nodeIndex } from '../../graph/snapshot.js';
import { mulberry32 } from '../../seeds/random.js';
import { allowedSupplies, company, randomEdges, smelter, type RandomEdge } from './graph-builders.js';

const parse = (nodes: GraphNodeInput[], relationships: RelationshipInput[], version = 1) => ({
  version,
  nodes: nodes.map((x) => GraphNodeSchema.parse(x)),
  relationships: relationships.map((x) => RelationshipSchema.parse(x)),
});

const SMALL = parse(
  [
    { label: 'Country', id: 'CD', name: 'DRC', cahra: true, lists: ['EU-CAHRA'], riskScore: 0.9 },
    { label: 'Smelter', id: 'S', name: 'Smelter S', metal: 'tin', country: 'CD', rmapStatus: 'active' },
    { label: 'Smelter', id: 'R', name: 'Recycler', metal: 'gold', country: 'DE', recycledOrScrap: true },
    { label: 'Company', id: 'a', name: 'A', country: 'JP', saqScore: 70, humanRightsRisk: 'high' },
    { label: 'Company', id: 'b', name: 'B', country: 'US' },
  ],
  [
    { type: 'SUPPLIES', from: 'CD', to: 'S', metal: 'tin', share: 1 },
    { type: 'LOCATED_IN', from: 'a', to: 'CD' },
    { type: 'SUPPLIES', from: 'S', to: 'a', metal: 'tin' },
    { type: 'SUPPLIES', from: 'R', to: 'b', metal: 'gold', share: 0.4 },
    { type: 'SUPPLIES', from: 'a', to: 'b', metal: 'tin', share: 0.5 },
  ],
  3,
);

const SLOW = { timeout: 60_000 };

describe('scanToColumns', () => {
  it('turns rows into columns: node attributes by position, SUPPLIES by node positions, metals by first use', () => {
    const c = scanToColumns(SMALL);
    expect(c.version).toBe(3);
    const n = c.nodes;
    expect(n.nodeCount).toBe(5);
    expect(n.ids).toEqual(['CD', 'S', 'R', 'a', 'b']);
    expect(n.names).toEqual(['DRC', 'Smelter S', 'Recycler', 'A', 'B']);
    expect([...n.labels]).toEqual([2, 1, 1, 0, 0]);
    expect(n.countries).toEqual(['CD', 'CD', 'DE', 'JP', 'US']);
    expect([...n.cahra]).toEqual([1, 0, 0, 0, 0]);
    expect(n.countryLists).toEqual([['EU-CAHRA'], [], [], [], []]);
    expect([...n.countryRiskScore]).toEqual([0.9, NaN, NaN, NaN, NaN]);
    expect([...n.rmapStatus]).toEqual([255, 1, 4, 255, 255]); // active, unknown (the default)
    expect([...n.recycled]).toEqual([0, 0, 1, 0, 0]);
    expect([...n.saqScore]).toEqual([NaN, NaN, NaN, 70, NaN]);
    expect([...n.humanRightsRisk]).toEqual([0, 0, 0, 3, 0]);
    const s = c.supplies;
    expect(s.count).toBe(4); // LOCATED_IN left out
    expect(s.metals).toEqual(['tin', 'gold']);
    expect([...s.from.subarray(0, 4)]).toEqual([0, 1, 2, 3]);
    expect([...s.to.subarray(0, 4)]).toEqual([1, 3, 4, 4]);
    expect([...s.metal.subarray(0, 4)]).toEqual([0, 0, 1, 0]);
    expect([...s.share.subarray(0, 4)]).toEqual([1, NaN, 0.4, 0.5]);
  });

  it('settles an id under two labels by the ends SUPPLIES allows, and leaves out relationships it cannot place', () => {
    const c = scanToColumns(
      parse(
        [
          { label: 'Country', id: 'PE', name: 'Peru' },
          { label: 'Company', id: 'PE', name: 'PE Corp', country: 'PE' },
          { label: 'Smelter', id: 'S', name: 'S', metal: 'tin', country: 'PE' },
          { label: 'Company', id: 'x', name: 'X', country: 'JP' },
        ],
        [
          { type: 'SUPPLIES', from: 'PE', to: 'S', metal: 'tin' }, // the Country
          { type: 'SUPPLIES', from: 'PE', to: 'x', metal: 'tin' }, // the Company
          { type: 'SUPPLIES', from: 'ghost', to: 'x', metal: 'tin' }, // unknown end
          { type: 'SUPPLIES', from: 'x', to: 'S', metal: 'tin' }, // Company → Smelter: not allowed
        ],
      ),
    );
    expect(c.supplies.count).toBe(2);
    expect([...c.supplies.from.subarray(0, 2)]).toEqual([0, 1]);
    expect([...c.supplies.to.subarray(0, 2)]).toEqual([2, 3]);
  });
});

describe('the id index', () => {
  it('finds every position of an id, and nothing for ids it does not hold', SLOW, () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 6 }), { maxLength: 200 }),
        fc.array(fc.string({ maxLength: 6 }), { maxLength: 20 }),
        (ids, probes) => {
          const index = buildIdIndex(ids);
          expect(index.slots.length).toBeGreaterThanOrEqual(4 * ids.length); // (position, hash) pairs, at most half full
          for (const id of [...ids, ...probes]) {
            const expected = ids.flatMap((x, i) => (x === id ? [i] : []));
            expect(positionsOf(index, ids, id)).toEqual(expected);
          }
        },
      ),
      { numRuns: 200, seed: 5 },
    );
  });
});

describe('compileSnapshotFromColumns', () => {
  it('gives the snapshot compileSnapshot gives from the rows, on random networks', SLOW, () => {
    const networkArb = fc
      .record({
        labels: fc.array(fc.constantFrom('Country', 'Smelter', 'Company', 'Company'), { minLength: 1, maxLength: 12 }),
        edges: randomEdges(40),
      })
      .map(({ labels, edges }) => {
        const nodes = labels.map((label, i): GraphNodeInput => {
          if (label === 'Country') return { label, id: `K${String.fromCharCode(65 + i)}`, name: `K${i}`, cahra: i % 2 === 0 };
          if (label === 'Smelter') return { label, id: `S${i}`, name: `S${i}`, metal: 'tin', country: 'PE', recycledOrScrap: i % 3 === 0 };
          return { label: 'Company', id: `c${i}`, name: `c${i}`, country: 'JP', saqScore: i * 7 };
        });
        return parse(nodes, allowedSupplies(nodes, edges as RandomEdge[]));
      });
    fc.assert(
      fc.property(networkArb, (scan) => {
        const fromRows = compileSnapshot(scan);
        const columns = scanToColumns(scan);
        delete columns.idIndex; // built again by the compile: must come out the same
        expect(compileSnapshotFromColumns(columns)).toEqual(fromRows);
      }),
      { numRuns: 150, seed: 9 },
    );
  });

  it('finds nodes by id through the index, preferring Company, then Smelter, then Country', () => {
    const s = compileSnapshot(SMALL);
    expect(nodeIndex(s, 'a')).toBe(3);
    expect(nodeIndex(s, 'nobody')).toBeUndefined();
    expect(nodeIndex(s, 'S', 'Company')).toBeUndefined();
  });

  describe('refuses malformed columns, naming the column and position', () => {
    const base = (): ScanColumns => {
      const c = scanToColumns(SMALL);
      delete c.idIndex;
      return c;
    };
    const cases: [string, (c: ScanColumns) => void, RegExp][] = [
      [
        'a column of the wrong length',
        (c) => (c.nodes = { ...c.nodes, names: c.nodes.names.slice(1) }),
        /nodes\.names has 4 entries, nodes\.nodeCount is 5/,
      ],
      ['a label code out of range', (c) => (c.nodes.labels[4] = 3), /nodes\.labels\[4\] = 3/],
      ['an RMAP status code out of range', (c) => (c.nodes.rmapStatus[1] = 9), /nodes\.rmapStatus\[1\] = 9/],
      ['an end that is not a node position', (c) => (c.supplies.to[2] = 5), /supplies\.to\[2\] = 5 is not a node position/],
      ['a negative end', (c) => (c.supplies.from[0] = -1), /supplies\.from\[0\] = -1/],
      ['a metal code outside the table', (c) => (c.supplies.metal[1] = 2), /supplies\.metal\[1\] = 2/],
      [
        'a metal the model does not know',
        (c) => (c.supplies = { ...c.supplies, metals: ['tin', 'unobtainium' as 'gold'] }),
        /supplies\.metals\[1\] is "unobtainium"/,
      ],
      ['a share above 1', (c) => (c.supplies.share[3] = 1.5), /supplies\.share\[3\] = 1\.5/],
      ['an infinite share', (c) => (c.supplies.share[0] = Number.NEGATIVE_INFINITY), /supplies\.share\[0\] = -Infinity/],
      [
        'fewer entries than the count',
        (c) => (c.supplies = { ...c.supplies, count: 99 }),
        /supplies\.from has 5 entries, fewer than supplies\.count = 99/,
      ],
      [
        'SUPPLIES between labels the model does not allow',
        (c) => {
          c.supplies.from[3] = 3;
          c.supplies.to[3] = 1;
        },
        /supplies 3 goes from a Company to a Smelter/,
      ],
    ];
    for (const [what, spoil, message] of cases) {
      it(what, () => {
        const c = base();
        spoil(c);
        expect(() => compileSnapshotFromColumns(c)).toThrow(RangeError);
        expect(() => compileSnapshotFromColumns(c)).toThrow(message);
      });
    }
  });
});

describe('canonicalSuppliesOrder', () => {
  it('orders SUPPLIES by source, then buyer, then metal id, carrying their shares along', () => {
    const metals = ['tin', 'gold'] as const;
    const columns = {
      count: 5,
      from: Int32Array.from([2, 0, 2, 0, 1, 99]),
      to: Int32Array.from([1, 3, 1, 1, 0, 99]),
      metal: Uint8Array.from([0, 0, 1, 0, 1, 0]),
      metals,
      share: Float64Array.from([0.1, 0.2, 0.3, Number.NaN, 0.5, 9]),
    };
    const sorted = canonicalSuppliesOrder(columns, 4);
    const rows = Array.from({ length: sorted.count }, (_, k) => [
      sorted.from[k],
      sorted.to[k],
      sorted.metals[sorted.metal[k]!],
      sorted.share[k],
    ]);
    expect(rows).toEqual([
      [0, 1, 'tin', Number.NaN],
      [0, 3, 'tin', 0.2],
      [1, 0, 'gold', 0.5],
      [2, 1, 'gold', 0.3],
      [2, 1, 'tin', 0.1],
    ]);
  });

  it('gives the same columns whatever order a store read the SUPPLIES in, and compiles to the same snapshot', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            from: fc.nat(30),
            to: fc.nat(30),
            share: fc.option(fc.double({ min: 0.05, max: 1, noNaN: true }), { nil: undefined }),
            gold: fc.boolean(),
          }),
          { maxLength: 60 },
        ),
        fc.integer(),
        (edges: RandomEdge[], seed) => {
          const nodes: GraphNodeInput[] = [
            { label: 'Country', id: 'CD', name: 'DRC', cahra: true },
            { label: 'Country', id: 'PE', name: 'Peru' },
            ...Array.from({ length: 4 }, (_, i) => smelter(`s${i}`)),
            ...Array.from({ length: 8 }, (_, i) => company(`c${i}`)),
          ];
          const relationships = allowedSupplies(nodes, edges);
          // The same relationships in another order (a Fisher–Yates shuffle from the seed).
          const shuffled = [...relationships];
          const random = mulberry32(seed);
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = Math.floor(random() * (i + 1));
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          const a = scanToColumns(parse(nodes, relationships));
          const b = scanToColumns(parse(nodes, shuffled));
          const canonical = (c: ScanColumns) => ({ ...c, supplies: canonicalSuppliesOrder(c.supplies, c.nodes.nodeCount) });
          const [ca, cb] = [canonical(a), canonical(b)];
          const named = (c: ScanColumns) =>
            Array.from(
              { length: c.supplies.count },
              (_, k) => `${c.supplies.from[k]} ${c.supplies.to[k]} ${c.supplies.metals[c.supplies.metal[k]!]} ${c.supplies.share[k]}`,
            );
          expect(named(cb)).toEqual(named(ca));
          expect(compileSnapshotFromColumns(cb)).toEqual(compileSnapshotFromColumns(ca));
        },
      ),
      { numRuns: 200 },
    );
  });
});
