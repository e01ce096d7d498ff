/**
 * Server-side collapse of a neighbourhood that is too large to draw: nodes are grouped (by tier,
 * country or metal) and the SUPPLIES between groups are summed into links. Pure: no I/O.
 */
import type { GraphNode, Supplies } from './model.js';

export const COLLAPSE_KEYS = ['tier', 'country', 'metal'] as const;
export type CollapseKey = (typeof COLLAPSE_KEYS)[number];

export interface TieredNode {
  node: GraphNode;
  tier: number;
}

export interface NodeGroup {
  /** Stable key, e.g. "tier:2", "country:CD", "metal:gold+tin". */
  key: string;
  name: string;
  size: number;
  byLabel: Partial<Record<GraphNode['label'], number>>;
  /** The lowest tier among members. */
  tier: number;
  /** Up to 20 member ids, in id order, so a client can offer to expand the group. */
  sampleIds: string[];
}

export interface GroupLink {
  from: string;
  to: string;
  metals: string[];
  relationships: number;
}

export interface CollapsedNeighborhood {
  by: CollapseKey;
  groups: NodeGroup[];
  links: GroupLink[];
}

const SAMPLE_SIZE = 20;

function countryOf(node: GraphNode): string {
  return node.label === 'Country' ? node.id : node.country;
}

/**
 * Group every node but the centre (which stays its own group, key "center"). With "metal", a node's
 * group is the set of metals on the relationships that touch it in this neighbourhood, so the
 * groups partition the nodes.
 */
export function collapseNeighborhood(
  centerId: string,
  nodes: readonly TieredNode[],
  relationships: readonly Supplies[],
  by: CollapseKey,
): CollapsedNeighborhood {
  const metalsOf = new Map<string, Set<string>>();
  if (by === 'metal') {
    for (const r of relationships) {
      for (const id of [r.from, r.to]) {
        const set = metalsOf.get(id) ?? new Set<string>();
        set.add(r.metal);
        metalsOf.set(id, set);
      }
    }
  }
  const keyOf = (t: TieredNode): [string, string] => {
    if (t.node.id === centerId) return ['center', t.node.name];
    switch (by) {
      case 'tier':
        return [`tier:${t.tier}`, `Tier ${t.tier}`];
      case 'country': {
        const c = countryOf(t.node);
        return [`country:${c}`, c];
      }
      case 'metal': {
        const metals = [...(metalsOf.get(t.node.id) ?? [])].sort().join('+') || 'none';
        return [`metal:${metals}`, metals];
      }
    }
  };

  const groups = new Map<string, NodeGroup & { members: string[] }>();
  const groupOfNode = new Map<string, string>();
  for (const t of nodes) {
    const [key, name] = keyOf(t);
    groupOfNode.set(t.node.id, key);
    let g = groups.get(key);
    if (!g) {
      g = { key, name, size: 0, byLabel: {}, tier: t.tier, sampleIds: [], members: [] };
      groups.set(key, g);
    }
    g.size += 1;
    g.byLabel[t.node.label] = (g.byLabel[t.node.label] ?? 0) + 1;
    g.tier = Math.min(g.tier, t.tier);
    g.members.push(t.node.id);
  }

  const links = new Map<string, GroupLink & { metalSet: Set<string> }>();
  for (const r of relationships) {
    const from = groupOfNode.get(r.from);
    const to = groupOfNode.get(r.to);
    if (from === undefined || to === undefined) continue;
    const key = `${from}\u0000${to}`;
    let link = links.get(key);
    if (!link) {
      link = { from, to, metals: [], relationships: 0, metalSet: new Set() };
      links.set(key, link);
    }
    link.relationships += 1;
    link.metalSet.add(r.metal);
  }

  return {
    by,
    groups: [...groups.values()]
      .map(({ members, ...g }) => ({ ...g, sampleIds: members.sort().slice(0, SAMPLE_SIZE) }))
      .sort((a, b) => a.tier - b.tier || a.key.localeCompare(b.key)),
    links: [...links.values()]
      .map(({ metalSet, ...l }) => ({ ...l, metals: [...metalSet].sort() }))
      .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to)),
  };
}
