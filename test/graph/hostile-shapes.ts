/**
 * Hostile graph shapes for budget tests, fuzzers and benchmarks: graphs that are valid by the
 * model (graph/model.ts; README, "The API in brief") but that push an analysis towards its worst case — many paths (lattice, complete
 * layered DAG), one large cycle (giant SCC), deep recursion (deep chain), one node of huge degree
 * (wide buyer). Every shape is tin only, fed by ore from two countries (one a CAHRA) through
 * smelters, and names its focal `buyer`, the company at the bottom of the flow, and a node to
 * `remove` for impact analyses.
 *
 * Plain objects (GraphNodeInput / RelationshipInput): import them into a store, POST them to
 * /api/v1/imports/graph, or compile them with snapshotOf (graph-builders.ts).
 */
import type { GraphNodeInput, RelationshipInput } from '../../graph/model.js';
import { CD, company as companyNode, PE, supplies as tin } from './graph-builders.js';

export interface HostileShape {
  /** What the shape is, for test names and benchmark rows. */
  name: string;
  nodes: GraphNodeInput[];
  relationships: RelationshipInput[];
  /** The company at the bottom of the flow: the worst case for upstream analyses. */
  buyer: string;
  /** A node whose removal touches much of the graph. */
  remove: string;
}

const COUNTRIES: GraphNodeInput[] = [CD, PE];

const company = (id: string): GraphNodeInput => companyNode(id, { name: `Company ${id}`, country: 'DE' });

/** `count` smelters, each fed by both countries (shares .4/.6); their ids. */
function smelters(count: number, nodes: GraphNodeInput[], relationships: RelationshipInput[]): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `S${i}`;
    nodes.push({
      label: 'Smelter',
      id,
      name: `Smelter ${i}`,
      metal: 'tin',
      country: 'PE',
      rmapStatus: i % 2 === 0 ? 'conformant' : 'not_enrolled',
    });
    relationships.push(tin('CD', id, 0.4), tin('PE', id, 0.6));
    ids.push(id);
  }
  return ids;
}

/** Tiers of `perTier` companies; tier 0 buys from `perTier` smelters one to one. Returns the tiers' ids. */
function tiersOf(perTier: number, tiers: number, nodes: GraphNodeInput[], relationships: RelationshipInput[]): string[][] {
  const feed = smelters(perTier, nodes, relationships);
  const ids: string[][] = [];
  for (let t = 0; t < tiers; t++) {
    const tier: string[] = [];
    for (let i = 0; i < perTier; i++) {
      const id = `T${t}-${i}`;
      nodes.push(company(id));
      tier.push(id);
    }
    ids.push(tier);
  }
  ids[0]!.forEach((id, i) => relationships.push(tin(feed[i]!, id)));
  return ids;
}

/** The focal buyer takes an equal share from every company of the last tier. */
function buyerOf(last: string[], nodes: GraphNodeInput[], relationships: RelationshipInput[]): string {
  nodes.push(company('buyer'));
  for (const id of last) relationships.push(tin(id, 'buyer', 1 / last.length));
  return 'buyer';
}

/**
 * A lattice: `tiers` tiers of `perTier` companies, company i of a tier supplying companies i − 1,
 * i and i + 1 of the next, so the number of paths grows like 3^tiers.
 */
export function lattice(perTier: number, tiers: number): HostileShape {
  const nodes = [...COUNTRIES];
  const relationships: RelationshipInput[] = [];
  const ids = tiersOf(perTier, tiers, nodes, relationships);
  for (let t = 0; t + 1 < tiers; t++) {
    for (let i = 0; i < perTier; i++) {
      const next = [i - 1, i, i + 1].filter((j) => j >= 0 && j < perTier);
      for (const j of next) relationships.push(tin(ids[t]![i]!, ids[t + 1]![j]!, 1 / 3));
    }
  }
  const buyer = buyerOf(ids[tiers - 1]!, nodes, relationships);
  return { name: `lattice ${perTier}×${tiers}`, nodes, relationships, buyer, remove: ids[0]![Math.floor(perTier / 2)]! };
}

/** Every company of a tier supplies every company of the next: perTier^tiers paths to the buyer. */
export function completeLayeredDag(perTier = 8, tiers = 6): HostileShape {
  const nodes = [...COUNTRIES];
  const relationships: RelationshipInput[] = [];
  const ids = tiersOf(perTier, tiers, nodes, relationships);
  for (let t = 0; t + 1 < tiers; t++) {
    for (const from of ids[t]!) for (const to of ids[t + 1]!) relationships.push(tin(from, to, 1 / perTier));
  }
  const buyer = buyerOf(ids[tiers - 1]!, nodes, relationships);
  return { name: `complete layered DAG ${perTier}×${tiers}`, nodes, relationships, buyer, remove: ids[0]![0]! };
}

/**
 * One strongly connected component of `size` companies: a ring plus a chord from each company,
 * fed by smelters at every tenth company; the buyer takes from one company of the ring.
 */
export function giantScc(size = 3000): HostileShape {
  const nodes = [...COUNTRIES];
  const relationships: RelationshipInput[] = [];
  const feed = smelters(Math.max(1, Math.ceil(size / 10)), nodes, relationships);
  const id = (i: number) => `C${i}`;
  for (let i = 0; i < size; i++) nodes.push(company(id(i)));
  for (let i = 0; i < size; i++) {
    relationships.push(tin(id(i), id((i + 1) % size), 0.5));
    const chord = (i * 7 + 3) % size;
    if (chord !== i && chord !== (i + 1) % size) relationships.push(tin(id(i), id(chord), 0.25));
  }
  feed.forEach((s, k) => relationships.push(tin(s, id((k * 10) % size), 0.25)));
  nodes.push(company('buyer'));
  relationships.push(tin(id(size - 1), 'buyer', 1));
  return { name: `giant SCC of ${size}`, nodes, relationships, buyer: 'buyer', remove: id(0) };
}

/** One smelter, then a chain of `depth` companies each supplying the next: deep recursion. */
export function deepChain(depth = 10_000): HostileShape {
  const nodes = [...COUNTRIES];
  const relationships: RelationshipInput[] = [];
  const [smelter] = smelters(1, nodes, relationships);
  const id = (i: number) => `L${i}`;
  for (let i = 0; i < depth; i++) nodes.push(company(id(i)));
  relationships.push(tin(smelter!, id(0)));
  for (let i = 0; i + 1 < depth; i++) relationships.push(tin(id(i), id(i + 1), 1));
  return { name: `chain ${depth} deep`, nodes, relationships, buyer: id(depth - 1), remove: id(0) };
}

/** A buyer with `sources` direct suppliers, each fed by one of ten smelters. */
export function wideBuyer(sources = 100_000): HostileShape {
  const nodes = [...COUNTRIES];
  const relationships: RelationshipInput[] = [];
  const feed = smelters(10, nodes, relationships);
  nodes.push(company('buyer'));
  for (let i = 0; i < sources; i++) {
    const id = `W${i}`;
    nodes.push(company(id));
    relationships.push(tin(feed[i % feed.length]!, id), tin(id, 'buyer', 1 / sources));
  }
  return { name: `buyer with ${sources} sources`, nodes, relationships, buyer: 'buyer', remove: feed[0]! };
}
