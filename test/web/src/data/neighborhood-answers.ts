/**
 * Neighbourhood answers for small hand-built graphs, as GET /nodes/:id/neighborhood would give
 * them (upstream, every hop, tin), parsed with the route's own schema.
 */
import type { GraphNodeInput, RelationshipInput } from '../../../../graph/model.js';
import { NeighborhoodAnswerSchema, type NeighborhoodAnswer } from '../../../../web/src/data/schemas.js';

/** What the neighbourhood route answers for `root`, upstream, unlimited depth, tin only. */
export function upstreamAnswer(nodes: GraphNodeInput[], relationships: RelationshipInput[], root: string): NeighborhoodAnswer {
  const tin = relationships.filter((r) => r.type === 'SUPPLIES' && r.metal === 'tin');
  const tier = new Map([[root, 0]]);
  const queue = [root];
  for (let h = 0; h < queue.length; h++) {
    const id = queue[h]!;
    for (const r of tin)
      if (r.to === id && !tier.has(r.from)) {
        tier.set(r.from, tier.get(id)! + 1);
        queue.push(r.from);
      }
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return NeighborhoodAnswerSchema.parse({
    center: byId.get(root),
    nodes: [...tier].map(([id, t]) => ({ node: byId.get(id), tier: t })),
    relationships: tin.filter((r) => tier.has(r.from) && tier.has(r.to)),
    collapsed: null,
    totalNodes: tier.size,
    totalRelationships: 0,
  });
}
