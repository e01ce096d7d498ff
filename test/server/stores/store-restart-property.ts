/**
 * A property every GraphStore adapter must keep (Trust issue, finding 8): whatever sequence of
 * writes it accepted or refused, closing it and opening it again gives the same graph, bit for
 * bit — the same scan() and the same scanColumns() down to the bytes of their typed arrays.
 * The writes draw ids from one small pool shared by all three labels, so collisions across labels
 * are tried all the time; after every sequence ids are unique across labels and every
 * relationship joins the kinds of node the model allows. Run against the embedded store
 * (embedded-store.test.ts) and the real Neo4j (neo4j-store.neo4j.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METAL_IDS } from '../../../graph/metals.js';
import { endsAllowed, type GraphNode, type GraphNodeInput, type NodeLabel, type RelationshipInput } from '../../../graph/model.js';
import { DomainError } from '../../../server/errors.js';
import type { GraphScan, GraphStore } from '../../../server/stores/graph-store.js';

export interface RestartableStore {
  /** Open the store over the same data as every earlier call (embedded: the same folder). */
  open: () => Promise<GraphStore>;
  cleanup: () => Promise<void>;
  numRuns: number;
}

// Country ids must be ISO codes; companies and smelters take the same codes and a few more.
const COUNTRY_IDS = ['CD', 'PE'] as const;
const OTHER_IDS = [...COUNTRY_IDS, 'acme'] as const;
const METALS = METAL_IDS.slice(0, 2);

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const fraction = fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true });
const name = fc.constantFrom('A', 'B', 'Ä & "B"');

const companyArb: fc.Arbitrary<GraphNodeInput> = fc.record(
  {
    label: fc.constant('Company' as const),
    id: fc.constantFrom(...OTHER_IDS),
    name,
    country: fc.constantFrom(...COUNTRY_IDS),
    saqScore: optional(fc.double({ min: 0, max: 100, noNaN: true })),
    humanRightsRisk: optional(fc.constantFrom('low' as const, 'medium' as const, 'high' as const)),
    tags: optional(fc.array(fc.constantFrom('focal', 'tier-1'), { maxLength: 2 })),
  },
  { requiredKeys: ['label', 'id', 'name', 'country'] },
);

const smelterArb: fc.Arbitrary<GraphNodeInput> = fc.record(
  {
    label: fc.constant('Smelter' as const),
    id: fc.constantFrom(...OTHER_IDS),
    name,
    metal: fc.constantFrom(...METALS),
    country: fc.constantFrom(...COUNTRY_IDS),
    rmapStatus: optional(fc.constantFrom('conformant' as const, 'active' as const, 'unknown' as const)),
    recycledOrScrap: optional(fc.boolean()),
  },
  { requiredKeys: ['label', 'id', 'name', 'metal', 'country'] },
);

const countryArb: fc.Arbitrary<GraphNodeInput> = fc.record(
  {
    label: fc.constant('Country' as const),
    id: fc.constantFrom(...COUNTRY_IDS),
    name,
    cahra: optional(fc.boolean()),
    lists: optional(fc.array(fc.constantFrom('EU-CAHRA', 'DFA-1502'), { maxLength: 2 })),
    riskScore: optional(fc.double({ min: 0, max: 1, noNaN: true })),
  },
  { requiredKeys: ['label', 'id', 'name'] },
);

const nodeArb = fc.oneof(companyArb, smelterArb, countryArb);

const suppliesArb: fc.Arbitrary<RelationshipInput> = fc.record(
  {
    type: fc.constant('SUPPLIES' as const),
    from: fc.constantFrom(...OTHER_IDS),
    to: fc.constantFrom(...OTHER_IDS),
    metal: fc.constantFrom(...METALS),
    share: optional(fraction),
    source: optional(fc.constantFrom('manual', 'cmrt a.xlsx')),
  },
  { requiredKeys: ['type', 'from', 'to', 'metal'] },
);

const locatedInArb: fc.Arbitrary<RelationshipInput> = fc.record({
  type: fc.constant('LOCATED_IN' as const),
  from: fc.constantFrom(...OTHER_IDS),
  to: fc.constantFrom(...COUNTRY_IDS),
});

const relationshipArb = fc.oneof({ arbitrary: suppliesArb, weight: 3 }, { arbitrary: locatedInArb, weight: 1 });

type Write =
  | { kind: 'put'; node: GraphNodeInput; mode: 'merge' | 'replace' }
  | { kind: 'import'; nodes: GraphNodeInput[]; relationships: RelationshipInput[] }
  | { kind: 'relate'; relationship: RelationshipInput }
  | { kind: 'unsupply'; from: string; to: string; metal: (typeof METALS)[number] }
  | { kind: 'delete'; label: NodeLabel; id: string };

const writeArb: fc.Arbitrary<Write> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant('put' as const), node: nodeArb, mode: fc.constantFrom('merge' as const, 'replace' as const) }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('import' as const),
      nodes: fc.array(nodeArb, { maxLength: 4 }),
      relationships: fc.array(relationshipArb, { maxLength: 4 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('relate' as const), relationship: relationshipArb }), weight: 5 },
  {
    arbitrary: fc.record({
      kind: fc.constant('unsupply' as const),
      from: fc.constantFrom(...OTHER_IDS),
      to: fc.constantFrom(...OTHER_IDS),
      metal: fc.constantFrom(...METALS),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('delete' as const),
      label: fc.constantFrom('Company' as const, 'Smelter' as const, 'Country' as const),
      id: fc.constantFrom(...OTHER_IDS),
    }),
    weight: 1,
  },
);

/**
 * Nodes put one by one before the writes, so that relationships find ends (fast-check keeps
 * arrays short) and the later writes collide with them.
 */
const sequenceArb = fc.record({
  seed: fc.array(fc.record({ kind: fc.constant('put' as const), node: nodeArb, mode: fc.constant('merge' as const) }), {
    minLength: 3,
    maxLength: 8,
  }),
  writes: fc.array(writeArb, { minLength: 1, maxLength: 25, size: 'medium' }),
});

/** Apply one write; a refusal (a domain error: conflict, unprocessable…) is part of the sequence. */
async function apply(store: GraphStore, write: Write): Promise<void> {
  try {
    switch (write.kind) {
      case 'put':
        await store.upsertNodes([write.node], write.mode);
        break;
      case 'import':
        await store.importGraph({ nodes: write.nodes, relationships: write.relationships });
        break;
      case 'relate':
        await store.upsertRelationships([write.relationship]);
        break;
      case 'unsupply':
        await store.deleteSupplies({ from: write.from, to: write.to, metal: write.metal });
        break;
      case 'delete':
        await store.deleteNode(write.label, write.id);
        break;
    }
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
  }
}

/** Every number as the bytes of its float64 and every typed array as its bytes: "equal" means bit for bit. */
function bits(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return `bytes:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  if (typeof value === 'number') return `f64:${Buffer.from(new Float64Array([value]).buffer).toString('hex')}`;
  if (Array.isArray(value)) return value.map(bits);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bits(v)]));
  }
  return value;
}

async function observe(store: GraphStore): Promise<{ scan: GraphScan; bits: unknown }> {
  const scan = await store.scan();
  return { scan, bits: bits({ scan, columns: await store.scanColumns() }) };
}

/** Ids unique across labels, and every relationship between kinds of node the model allows. */
function expectModelKept(scan: GraphScan): void {
  const byId = new Map<string, GraphNode[]>();
  for (const n of scan.nodes) byId.set(n.id, [...(byId.get(n.id) ?? []), n]);
  const shared = [...byId].filter(([, nodes]) => nodes.length > 1).map(([id, nodes]) => `${id}: ${nodes.map((n) => n.label).join(', ')}`);
  expect(shared, 'ids held by more than one label').toEqual([]);
  const forbidden = scan.relationships
    .filter((r) => !endsAllowed(r.type, byId.get(r.from)![0]!.label, byId.get(r.to)![0]!.label))
    .map((r) => `${r.type} ${r.from} -> ${r.to}`);
  expect(forbidden, 'relationships the model forbids').toEqual([]);
}

export function describeRestartProperty(name: string, make: () => Promise<RestartableStore>): void {
  describe(`GraphStore restart property: ${name}`, () => {
    it('random writes (ids colliding across labels) → close → open: the same scan and columns, bit for bit', async () => {
      const restartable = await make();
      try {
        await fc.assert(
          fc.asyncProperty(sequenceArb, async ({ seed, writes }) => {
            const store = await restartable.open();
            let before: Awaited<ReturnType<typeof observe>>;
            try {
              await store.clear();
              for (const write of [...seed, ...writes]) await apply(store, write);
              before = await observe(store);
            } finally {
              await store.close();
            }
            expectModelKept(before.scan);
            const reopened = await restartable.open();
            try {
              const after = await observe(reopened);
              expect(after.scan).toEqual(before.scan);
              expect(after.bits).toEqual(before.bits);
            } finally {
              await reopened.close();
            }
          }),
          { numRuns: restartable.numRuns },
        );
      } finally {
        await restartable.cleanup();
      }
    }, 600_000);
  });
}
