/**
 * Small graphs for engine tests: a snapshot from plain node and relationship objects, SUPPLIES in
 * one line, nodes by label with plain defaults, two countries, and the SUPPLIES a random test graph
 * may hold. Written from the model (graph/model.ts; README, "The API in brief") alone, not from the
 * engine, so that oracles built on them stay independent of the code under test.
 */
import fc from 'fast-check';
import { compileSnapshot, type Snapshot } from '../../graph/snapshot.js';
import { GraphNodeSchema, RelationshipSchema, type GraphNodeInput, type RelationshipInput } from '../../graph/model.js';

export function snapshotOf(nodes: GraphNodeInput[], relationships: RelationshipInput[] = [], version = 1): Snapshot {
  return compileSnapshot({
    version,
    nodes: nodes.map((x) => GraphNodeSchema.parse(x)),
    relationships: relationships.map((x) => RelationshipSchema.parse(x)),
  });
}

export const supplies = (from: string, to: string, share?: number, metal: 'tin' | 'gold' = 'tin'): RelationshipInput => ({
  type: 'SUPPLIES',
  from,
  to,
  metal,
  ...(share !== undefined ? { share } : {}),
});

type NodeInputOf<L extends GraphNodeInput['label']> = Extract<GraphNodeInput, { label: L }>;
/** A node's fields besides label and id, each optional: what a test changes from the defaults. */
export type NodeFields<L extends GraphNodeInput['label']> = Partial<Omit<NodeInputOf<L>, 'label' | 'id'>>;

/** A Company named by its id, in JP unless `fields` say otherwise. */
export const company = (id: string, fields: NodeFields<'Company'> = {}): GraphNodeInput =>
  ({ label: 'Company', id, name: id, country: 'JP', ...fields }) as GraphNodeInput;

/** A tin Smelter named by its id, in PE unless `fields` say otherwise. */
export const smelter = (id: string, fields: NodeFields<'Smelter'> = {}): GraphNodeInput =>
  ({ label: 'Smelter', id, name: id, metal: 'tin', country: 'PE', ...fields }) as GraphNodeInput;

/** A Country named by its id (`fields` add cahra, lists…). */
export const country = (id: string, fields: NodeFields<'Country'> = {}): GraphNodeInput =>
  ({ label: 'Country', id, name: id, ...fields }) as GraphNodeInput;

export const CD: GraphNodeInput = { label: 'Country', id: 'CD', name: 'DRC', cahra: true, lists: ['EU-CAHRA'] };
export const PE: GraphNodeInput = { label: 'Country', id: 'PE', name: 'Peru' };

export interface RandomEdge {
  from: number;
  to: number;
  share?: number | undefined;
  gold?: boolean;
}

/** Up to `maxLength` random index pairs for allowedSupplies, each with an optional share in [0.05, 1], some in gold. */
export const randomEdges = (maxLength: number): fc.Arbitrary<RandomEdge[]> =>
  fc.array(
    fc.record({
      from: fc.nat(),
      to: fc.nat(),
      share: fc.option(fc.double({ min: 0.05, max: 1, noNaN: true }), { nil: undefined }),
      gold: fc.boolean(),
    }),
    { maxLength },
  );

/**
 * Turn random index pairs into SUPPLIES the model allows (Country → Smelter, Smelter → Company,
 * Company → Company), one per (from, to, metal), in the order drawn.
 */
export function allowedSupplies(nodes: readonly GraphNodeInput[], edges: readonly RandomEdge[]): RelationshipInput[] {
  const allowed = (f: GraphNodeInput, t: GraphNodeInput): boolean =>
    (f.label === 'Country' && t.label === 'Smelter') ||
    (f.label === 'Smelter' && t.label === 'Company') ||
    (f.label === 'Company' && t.label === 'Company');
  const seen = new Set<string>();
  const relationships: RelationshipInput[] = [];
  for (const e of edges) {
    const f = nodes[e.from % nodes.length]!;
    const t = nodes[e.to % nodes.length]!;
    const metal = e.gold ? 'gold' : 'tin';
    const key = `${f.id}>${t.id}>${metal}`;
    if (!allowed(f, t) || seen.has(key)) continue;
    seen.add(key);
    relationships.push(supplies(f.id, t.id, e.share, metal));
  }
  return relationships;
}

/**
 * Oracle for the engine's linear solves: A·X = B (A n×n, B n×m, plain arrays, not modified) by
 * Gauss–Jordan elimination with partial pivoting, written plainly for tests.
 */
export function denseSolve(A: readonly (readonly number[])[], B: readonly (readonly number[])[]): number[][] {
  const n = A.length;
  const a = A.map((row, i) => [...row, ...B[i]!]);
  for (let col = 0; col < n; col++) {
    let p = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[p]![col]!)) p = r;
    [a[col], a[p]] = [a[p]!, a[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r]![col]! / a[col]![col]!;
      if (f === 0) continue;
      for (let j = col; j < a[r]!.length; j++) a[r]![j]! -= f * a[col]![j]!;
    }
  }
  return a.map((row, i) => row.slice(n).map((x) => x / a[i]![i]!));
}
