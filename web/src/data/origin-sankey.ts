/**
 * The Sankey of a metal's flow into the focal company: origin countries (and recycled or
 * undisclosed feed) → smelters → the tier where the metal enters the company chain → … → tier 1 →
 * the company. Every band is split by what it carries — CAHRA ore, other ore, recycled,
 * undisclosed — so CAHRA flows can be highlighted all the way to the company.
 *
 * Why the tier chain is honest: tiers are shortest distances, so along any supply step the tier
 * drops by at most one; metal entering at tier k therefore passes through every tier below k.
 * Each unit of intake enters the company chain exactly once (from a smelter, or as undisclosed
 * supply at a company), so the entry flows sum to the intake even when suppliers form cycles.
 */
import { intakeFlow } from './intake-flow.js';
import type { SupplyGraph } from './supply-graph.js';

export const FLOW_KINDS = ['cahra', 'other', 'recycled', 'undisclosed'] as const;
export type FlowKind = (typeof FLOW_KINDS)[number];

export interface SankeyNodeSpec {
  id: string;
  kind: 'country' | 'recycled' | 'undisclosed' | 'smelter' | 'other-smelters' | 'tier' | 'company';
  name: string;
  cahra: boolean;
  /** The node's id in the graph (countries, smelters, the company). */
  graphId: string | null;
}

export interface SankeyLinkSpec {
  source: string;
  target: string;
  value: number;
  kind: FlowKind;
}

export interface OriginSankey {
  nodes: SankeyNodeSpec[];
  links: SankeyLinkSpec[];
  /** Totals reaching the company by kind, for a check against the API's origin mix. */
  totals: Record<FlowKind, number>;
  /** Whether the flow computation settled (a closed loop of suppliers would keep it from doing so). */
  converged: boolean;
}

/** Smelters beyond this many (by flow) are drawn as one "other smelters" node. */
export const MAX_SANKEY_SMELTERS = 24;
const EPSILON = 1e-9;

type Mix = Record<FlowKind, number>;
const emptyMix = (): Mix => ({ cahra: 0, other: 0, recycled: 0, undisclosed: 0 });

export function originSankey(graph: SupplyGraph): OriginSankey {
  const flow = intakeFlow(graph);
  const through = (id: string) => flow.through.get(id) ?? 0;
  const nodes = new Map<string, SankeyNodeSpec>();
  const links = new Map<string, SankeyLinkSpec>();
  const addNode = (n: SankeyNodeSpec) => {
    if (!nodes.has(n.id)) nodes.set(n.id, n);
  };
  const addLink = (source: string, target: string, kind: FlowKind, value: number) => {
    if (!(value > EPSILON)) return;
    const key = `${source}\u0000${target}\u0000${kind}`;
    const l = links.get(key);
    if (l) l.value += value;
    else links.set(key, { source, target, kind, value });
  };

  const root = graph.nodes.get(graph.rootId)!;
  const tierNode = (tier: number) => (tier === 0 ? 'company' : `tier:${tier}`);

  // Smelters, biggest flow first; the tail is merged.
  const smelters = [...graph.nodes.values()].filter((n) => n.node.label === 'Smelter' && through(n.id) > EPSILON);
  smelters.sort((a, b) => through(b.id) - through(a.id) || (a.id < b.id ? -1 : 1));
  const kept = new Set(smelters.slice(0, MAX_SANKEY_SMELTERS).map((s) => s.id));
  const smelterNode = (id: string) => (kept.has(id) ? `smelter:${id}` : 'other-smelters');

  // What each smelter's output is made of, by kind; and the country → smelter bands.
  const smelterMix = new Map<string, Mix>();
  for (const s of smelters) {
    const mix = emptyMix();
    const target = smelterNode(s.id);
    addNode(
      kept.has(s.id)
        ? { id: target, kind: 'smelter', name: s.node.name, cahra: false, graphId: s.id }
        : { id: target, kind: 'other-smelters', name: `Other smelters (${smelters.length - kept.size})`, cahra: false, graphId: null },
    );
    // A recycled or scrap smelter is an origin of its own (as the engine counts it), whatever ore it also declares.
    const recycled = s.node.label === 'Smelter' && s.node.recycledOrScrap === true;
    if (!recycled) {
      for (const e of graph.suppliersOf(s.id)) {
        const country = graph.nodes.get(e.from)!.node;
        if (country.label !== 'Country') continue;
        const cahra = country.cahra;
        const w = e.effectiveShare ?? 0;
        mix[cahra ? 'cahra' : 'other'] += w;
        addNode({ id: `country:${country.id}`, kind: 'country', name: country.name, cahra, graphId: country.id });
        addLink(`country:${country.id}`, target, cahra ? 'cahra' : 'other', through(s.id) * w);
      }
    }
    const rest = recycled ? 1 : (graph.undisclosedRemainder(s.id) ?? 1);
    if (rest > EPSILON) {
      const kind: FlowKind = recycled ? 'recycled' : 'undisclosed';
      mix[kind] += rest;
      addNode(
        kind === 'recycled'
          ? { id: 'recycled', kind: 'recycled', name: 'Recycled or scrap', cahra: false, graphId: null }
          : undisclosedNode(),
      );
      addLink(kind, target, kind, through(s.id) * rest);
    }
    smelterMix.set(s.id, mix);
  }

  // Entry into the company chain: from smelters, or undisclosed at a company.
  const entry = new Map<number, Mix>();
  const entryAt = (tier: number) => entry.get(tier) ?? entry.set(tier, emptyMix()).get(tier)!;
  let maxTier = 0;
  for (const n of graph.nodes.values()) {
    if (n.node.label !== 'Company' || through(n.id) <= EPSILON) continue;
    maxTier = Math.max(maxTier, n.tier);
    for (const e of graph.suppliersOf(n.id)) {
      const mix = smelterMix.get(e.from);
      if (!mix) continue; // a company supplier: not an entry
      const value = flow.alongEdge.get(e.key) ?? 0;
      const at = entryAt(n.tier);
      for (const kind of FLOW_KINDS) {
        at[kind] += value * mix[kind];
        addLink(smelterNode(e.from), tierNode(n.tier), kind, value * mix[kind]);
      }
    }
    const rest = graph.undisclosedRemainder(n.id) ?? 1;
    if (rest > EPSILON) {
      addNode(undisclosedNode());
      entryAt(n.tier).undisclosed += through(n.id) * rest;
      addLink('undisclosed', tierNode(n.tier), 'undisclosed', through(n.id) * rest);
    }
  }

  // The tier chain: what entered at tier ≥ k passes from tier k to tier k − 1.
  addNode({ id: 'company', kind: 'company', name: root.node.name, cahra: false, graphId: root.id });
  const carried = emptyMix();
  for (let k = maxTier; k >= 1; k--) {
    const at = entry.get(k);
    if (at) for (const kind of FLOW_KINDS) carried[kind] += at[kind];
    if (FLOW_KINDS.every((kind) => carried[kind] <= EPSILON)) continue;
    addNode({ id: tierNode(k), kind: 'tier', name: `Tier ${k} suppliers`, cahra: false, graphId: null });
    for (const kind of FLOW_KINDS) addLink(tierNode(k), tierNode(k - 1), kind, carried[kind]);
  }
  const totals = emptyMix();
  const atRoot = entry.get(0);
  for (const kind of FLOW_KINDS) totals[kind] = carried[kind] + (atRoot?.[kind] ?? 0);

  // Only nodes that carry flow, and every link between two of them.
  const used = new Set<string>();
  for (const l of links.values()) {
    used.add(l.source);
    used.add(l.target);
  }
  return {
    nodes: [...nodes.values()].filter((n) => used.has(n.id)),
    links: [...links.values()],
    totals,
    converged: flow.converged,
  };
}

function undisclosedNode(): SankeyNodeSpec {
  return { id: 'undisclosed', kind: 'undisclosed', name: 'Undisclosed', cahra: false, graphId: null };
}
