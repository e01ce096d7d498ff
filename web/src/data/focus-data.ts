/**
 * Everything the page loads for one focal company and metal, loaded once and shared by the views:
 * the upstream neighbourhood (grown by expanding nodes at its edge), the risk of every node, the
 * single points of failure, origins, risk paths, and per-node details. A failed load is not kept,
 * so "Try again" asks the server again.
 */
import { api, type NeighborhoodGrouping } from './api-client.js';
import type {
  Metal,
  NeighborhoodAnswer,
  NodeLabel,
  OriginsAnswer,
  RiskAnswer,
  RiskPathsAnswer,
  SinglePointsOfFailureAnswer,
} from './schemas.js';
import { SupplyGraph } from './supply-graph.js';

/** With grouping "auto", the server groups neighbourhoods of more nodes than this. */
export const AUTO_GROUP_ABOVE_NODES = 2500;
/** Hops fetched when a node at the edge of the graph is expanded. */
export const EXPAND_DEPTH = 2;
/** The rankings route lists at most this many nodes per call; one call per label. */
const RANKING_LIMIT = 1000;

export type GraphLoad = { kind: 'graph'; graph: SupplyGraph; answer: NeighborhoodAnswer } | { kind: 'groups'; answer: NeighborhoodAnswer };

export interface FocusKey {
  company: string;
  metal: Metal;
  depth: number;
  grouping: NeighborhoodGrouping;
}

export function sameFocus(a: FocusKey, b: FocusKey): boolean {
  return a.company === b.company && a.metal === b.metal && a.depth === b.depth && a.grouping === b.grouping;
}

export class FocusData {
  private readonly cache = new Map<string, Promise<unknown>>();
  /** Set when the rankings listed fewer nodes than the graph holds (their limit is 1,000 per call). */
  riskRankingTruncated = false;

  constructor(readonly key: FocusKey) {}

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    if (hit) return hit as Promise<T>;
    const p = load();
    this.cache.set(key, p);
    p.catch(() => this.cache.delete(key));
    return p;
  }

  graph(): Promise<GraphLoad> {
    const { company, metal, depth, grouping } = this.key;
    return this.cached('graph', async () => {
      const answer = await api.neighborhood(company, {
        direction: 'upstream',
        depth,
        metal,
        collapse: grouping,
        maxNodes: grouping === 'auto' ? AUTO_GROUP_ABOVE_NODES : undefined,
      });
      if (answer.collapsed) return { kind: 'groups', answer } as const;
      return { kind: 'graph', graph: SupplyGraph.fromNeighborhood(answer, metal, depth), answer } as const;
    });
  }

  /** The neighbourhood with every node (for the Sankey), even when the drawing shows groups. */
  fullGraph(): Promise<SupplyGraph> {
    return this.cached('full-graph', async () => {
      const load = await this.graph();
      if (load.kind === 'graph') return load.graph;
      const { company, metal, depth } = this.key;
      const answer = await api.neighborhood(company, { direction: 'upstream', depth, metal, collapse: 'none' });
      return SupplyGraph.fromNeighborhood(answer, metal, depth);
    });
  }

  /** Fetch the suppliers of a node at the graph's edge and add them. */
  async expand(graph: SupplyGraph, id: string): Promise<void> {
    const node = graph.nodes.get(id);
    if (!node || !graph.frontier.has(id)) return;
    const answer = await api.neighborhood(id, { direction: 'upstream', depth: EXPAND_DEPTH, metal: this.key.metal, collapse: 'none' });
    graph.merge(answer, EXPAND_DEPTH, node.tier);
  }

  /**
   * Propagated risk of every node the rankings list for this metal: one call when the whole
   * ranking fits one answer, else one call per label (so up to 1,000 of each label are coloured).
   */
  riskByNode(): Promise<Map<string, number>> {
    return this.cached('risk-by-node', async () => {
      const risk = new Map<string, number>();
      const all = await api.riskRanking(this.key.metal, undefined, RANKING_LIMIT);
      if (all.items.length < RANKING_LIMIT) {
        for (const item of all.items) risk.set(item.id, item.risk);
        return risk;
      }
      const labels: NodeLabel[] = ['Company', 'Smelter', 'Country'];
      const answers = await Promise.all(labels.map((label) => api.riskRanking(this.key.metal, label, RANKING_LIMIT)));
      for (const a of answers) for (const item of a.items) risk.set(item.id, item.risk);
      this.riskRankingTruncated = answers.some((a) => a.items.length >= RANKING_LIMIT);
      return risk;
    });
  }

  singlePointsOfFailure(): Promise<SinglePointsOfFailureAnswer> {
    return this.cached('spof', () => api.singlePointsOfFailure(this.key.company, this.key.metal));
  }

  origins(): Promise<OriginsAnswer> {
    return this.originsOf(this.key.company);
  }

  originsOf(companyId: string): Promise<OriginsAnswer> {
    return this.cached(`origins:${companyId}`, () => api.origins(companyId, this.key.metal));
  }

  riskOf(companyId: string): Promise<RiskAnswer> {
    return this.cached(`risk:${companyId}`, () => api.risk(companyId, this.key.metal, 10));
  }

  riskPaths(k: number): Promise<RiskPathsAnswer> {
    return this.cached(`paths:${k}`, () => api.riskPaths(this.key.company, this.key.metal, k));
  }
}
