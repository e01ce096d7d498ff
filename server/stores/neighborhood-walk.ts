/**
 * The neighbourhood walk both stores answer `neighborhood()` with: the request's check, the
 * breadth-first walk hop by hop, and the answer in its order. A store only says how one hop is
 * read (the embedded store from its graph in memory, the Neo4j store with one Cypher query per
 * chunk of the frontier); see ARCHITECTURE.md, "Where to add" (a store).
 */
import type { GraphNode, NodeLabel, Relationship, Supplies } from '../../graph/model.js';
import { ValidationError } from '../errors.js';
import type { Neighborhood, NeighborhoodNode, NeighborhoodRequest } from './graph-store.js';

/** The deepest neighbourhood a store walks (and the route accepts). */
export const MAX_NEIGHBORHOOD_DEPTH = 10;

/** The order of labels in answers: Company, Smelter, Country. */
export const LABEL_ORDER: Readonly<Record<NodeLabel, number>> = { Company: 0, Smelter: 1, Country: 2 };

const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/** SUPPLIES before LOCATED_IN, then (from, to, metal): the order of listSupplies. */
export function compareRelationships(a: Relationship, b: Relationship): number {
  if (a.type !== b.type) return a.type === 'SUPPLIES' ? -1 : 1;
  return cmp(a.from, b.from) || cmp(a.to, b.to) || (a.type === 'SUPPLIES' && b.type === 'SUPPLIES' ? cmp(a.metal, b.metal) : 0);
}

/** By label (LABEL_ORDER), then id. */
export function compareNodes(a: GraphNode, b: GraphNode): number {
  return LABEL_ORDER[a.label] - LABEL_ORDER[b.label] || cmp(a.id, b.id);
}

/** Throws ValidationError unless the direction is one of the three and the depth 1..MAX_NEIGHBORHOOD_DEPTH. */
export function checkNeighborhoodRequest(request: NeighborhoodRequest): void {
  const { direction, depth } = request;
  if (direction !== 'upstream' && direction !== 'downstream' && direction !== 'both') {
    throw new ValidationError('Invalid direction', [{ path: 'query.direction', message: 'must be upstream, downstream or both' }]);
  }
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_NEIGHBORHOOD_DEPTH) {
    throw new ValidationError(`Invalid depth: must be an integer from 1 to ${MAX_NEIGHBORHOOD_DEPTH}`, [
      { path: 'query.depth', message: `must be an integer from 1 to ${MAX_NEIGHBORHOOD_DEPTH}` },
    ]);
  }
}

/**
 * One SUPPLIES a hop followed, from a frontier node to `neighbour`. `edge` names the relationship
 * uniquely in the store; `relationship` and `node` are read only the first time the edge, or the
 * neighbour, is met.
 */
export interface HopStep<K> {
  edge: string;
  relationship: () => Supplies;
  neighbour: K;
  node: () => GraphNode;
}

/** Reads the SUPPLIES one hop from `frontier` follows (direction and metal already applied). */
export type ReadHop<K> = (frontier: K[]) => Promise<Iterable<HopStep<K>>> | Iterable<HopStep<K>>;

/**
 * The breadth-first walk from `center` (known by `centerKey` in the store) up to request.depth
 * hops: every node with its distance (the hop it was first reached at), every SUPPLIES followed;
 * nodes by distance, then label and id, relationships in the order of listSupplies.
 */
export async function walkNeighborhood<K>(
  request: NeighborhoodRequest,
  centerKey: K,
  center: GraphNode,
  readHop: ReadHop<K>,
): Promise<Neighborhood> {
  const reached = new Map<K, NeighborhoodNode>([[centerKey, { node: center, distance: 0 }]]);
  const followed = new Map<string, Supplies>();
  let frontier = [centerKey];
  for (let hop = 1; hop <= request.depth && frontier.length > 0; hop++) {
    const next: K[] = [];
    for (const step of await readHop(frontier)) {
      if (!followed.has(step.edge)) followed.set(step.edge, step.relationship());
      if (!reached.has(step.neighbour)) {
        reached.set(step.neighbour, { node: step.node(), distance: hop });
        next.push(step.neighbour);
      }
    }
    frontier = next;
  }
  return neighborhoodAnswer(center, reached.values(), followed.values());
}

/** The answer in its order: nodes by distance, then label and id; relationships as listSupplies. */
function neighborhoodAnswer(center: GraphNode, reached: Iterable<NeighborhoodNode>, followed: Iterable<Supplies>): Neighborhood {
  const nodes = [...reached].sort((a, b) => a.distance - b.distance || compareNodes(a.node, b.node));
  const relationships = [...followed].sort(compareRelationships);
  return { center, nodes, relationships };
}
