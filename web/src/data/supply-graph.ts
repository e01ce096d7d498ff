/**
 * The part of the supply graph the page holds for one focal company and metal: the upstream
 * neighbourhood the API returned, grown when the user expands a node at its edge. Shares are
 * made effective here by the rule of README's graph model (missing shares split the rest; over-full sums are
 * scaled), which is what edge widths and the Sankey's flows are drawn with.
 *
 * Material flows from `from` (the source) to `to` (the buyer), as everywhere in oretrace.
 */
import type { GraphNode, Metal, NeighborhoodAnswer, Supplies } from './schemas.js';

export interface SupplyNode {
  id: string;
  node: GraphNode;
  /** Hops from the focal company, as the API counted them (grown nodes: via the expanded node). */
  tier: number;
}

export interface SupplyEdge {
  key: string;
  from: string;
  to: string;
  metal: Metal;
  /** The declared share, if any. */
  share: number | undefined;
  /** The share after README's graph model's rules; undefined while the buyer's suppliers are not all known. */
  effectiveShare: number | undefined;
}

export function edgeKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}

export class SupplyGraph {
  readonly nodes = new Map<string, SupplyNode>();
  readonly edges = new Map<string, SupplyEdge>();
  /** Suppliers of each buyer (edges into it). */
  readonly incoming = new Map<string, SupplyEdge[]>();
  /** Buyers of each source (edges out of it). */
  readonly outgoing = new Map<string, SupplyEdge[]>();
  /** Nodes at the fetched depth: their suppliers are not known yet (expanding fetches them). */
  readonly frontier = new Set<string>();
  /** Buyers whose declared shares summed above 1 and were scaled (a data-quality note). */
  readonly overShared = new Set<string>();

  private constructor(
    readonly rootId: string,
    readonly metal: Metal,
  ) {}

  static fromNeighborhood(answer: NeighborhoodAnswer, metal: Metal, depth: number): SupplyGraph {
    if (answer.collapsed) throw new Error('A collapsed neighbourhood has groups, not nodes: draw it as groups');
    const g = new SupplyGraph(answer.center.id, metal);
    g.merge(answer, depth, 0);
    return g;
  }

  /**
   * Add an upstream neighbourhood fetched around `answer.center` with `depth` hops; its tiers are
   * shifted by `baseTier` (the centre's own tier in this graph).
   */
  merge(answer: NeighborhoodAnswer, depth: number, baseTier: number): void {
    const centre = answer.center.id;
    this.frontier.delete(centre);
    const entries = answer.nodes.length ? answer.nodes : [{ node: answer.center, tier: 0 }];
    for (const { node, tier } of entries) {
      const t = baseTier + tier;
      const known = this.nodes.get(node.id);
      if (known) {
        if (t < known.tier) known.tier = t;
        // Known before and fetched with its suppliers now: no longer at the edge.
        if (tier < depth) this.frontier.delete(node.id);
        continue;
      }
      this.nodes.set(node.id, { id: node.id, node, tier: t });
      if (tier >= depth && node.label !== 'Country') this.frontier.add(node.id);
    }
    for (const r of answer.relationships) this.addEdge(r);
    this.computeEffectiveShares();
  }

  private addEdge(r: Supplies): void {
    if (r.metal !== this.metal || !this.nodes.has(r.from) || !this.nodes.has(r.to)) return;
    const key = edgeKey(r.from, r.to);
    if (this.edges.has(key)) return;
    const edge: SupplyEdge = { key, from: r.from, to: r.to, metal: r.metal, share: r.share, effectiveShare: undefined };
    this.edges.set(key, edge);
    push(this.incoming, r.to, edge);
    push(this.outgoing, r.from, edge);
  }

  /** README's graph model: missing shares get (1 − S)/k; explicit shares summing above 1 are scaled to 1. */
  private computeEffectiveShares(): void {
    this.overShared.clear();
    for (const [buyer, edges] of this.incoming) {
      if (this.frontier.has(buyer)) {
        for (const e of edges) e.effectiveShare = undefined;
        continue;
      }
      let declared = 0;
      let missing = 0;
      for (const e of edges) {
        if (e.share === undefined) missing++;
        else declared += e.share;
      }
      const over = declared > 1 + 1e-9;
      if (over) this.overShared.add(buyer);
      for (const e of edges) {
        if (e.share === undefined) e.effectiveShare = over || declared >= 1 ? 0 : (1 - declared) / missing;
        else e.effectiveShare = over ? e.share / declared : e.share;
      }
    }
  }

  suppliersOf(id: string): readonly SupplyEdge[] {
    return this.incoming.get(id) ?? [];
  }

  buyersOf(id: string): readonly SupplyEdge[] {
    return this.outgoing.get(id) ?? [];
  }

  /** The part of a buyer's intake its known suppliers do not cover (undisclosed), or undefined at the frontier. */
  undisclosedRemainder(id: string): number | undefined {
    if (this.frontier.has(id)) return undefined;
    const node = this.nodes.get(id);
    if (!node || node.node.label === 'Country') return 0;
    const edges = this.suppliersOf(id);
    if (edges.length === 0) return node.node.label === 'Smelter' && node.node.recycledOrScrap ? 0 : 1;
    const covered = edges.reduce((s, e) => s + (e.effectiveShare ?? 0), 0);
    return Math.max(0, 1 - covered);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export interface VisibleGraph {
  nodes: SupplyNode[];
  edges: SupplyEdge[];
  /** Hops from the focal company within the visible part. */
  tierOf: Map<string, number>;
  /** Visible nodes that have suppliers hidden: collapsed by the user, or not fetched yet. */
  withHiddenSuppliers: Set<string>;
}

/**
 * What is drawn: the nodes reachable upstream from the focal company without passing through a
 * node whose suppliers the user collapsed. Tiers are recounted over what is visible.
 */
export function visiblePart(graph: SupplyGraph, collapsed: ReadonlySet<string>): VisibleGraph {
  const tierOf = new Map<string, number>([[graph.rootId, 0]]);
  const queue = [graph.rootId];
  const nodes: SupplyNode[] = [];
  const withHiddenSuppliers = new Set<string>();
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head]!;
    const node = graph.nodes.get(id);
    if (!node) continue;
    nodes.push(node);
    if (graph.frontier.has(id)) withHiddenSuppliers.add(id);
    if (collapsed.has(id)) {
      if (graph.suppliersOf(id).length) withHiddenSuppliers.add(id);
      continue;
    }
    const t = tierOf.get(id)!;
    for (const e of graph.suppliersOf(id)) {
      if (!tierOf.has(e.from)) {
        tierOf.set(e.from, t + 1);
        queue.push(e.from);
      }
    }
  }
  const edges: SupplyEdge[] = [];
  for (const e of graph.edges.values()) if (tierOf.has(e.from) && tierOf.has(e.to) && !collapsed.has(e.to)) edges.push(e);
  return { nodes, edges, tierOf, withHiddenSuppliers };
}
