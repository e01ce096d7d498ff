/**
 * Turns what the page holds (the visible part of the supply graph, the risk of each node) into a
 * scene for the layered drawing: columns company → tier 1 → tier 2 … → smelters → countries,
 * colour by propagated risk, edge width by effective share. A neighbourhood the server collapsed
 * into groups becomes a scene of groups, one column per tier.
 */
import type { GraphNode, NeighborhoodAnswer } from '../data/schemas.js';
import type { VisibleGraph } from '../data/supply-graph.js';
import { formatRisk, formatShare, truncate } from './format.js';
import { layeredLayout, type LayoutNode } from './layered-layout.js';
import type { DrawEdge, DrawNode, GraphScene } from './graph-scene.js';
import { NO_RISK_FILL, riskColour, SHAPE_OF_LABEL, shareWidth } from './graph-style.js';

/** Scenes up to this many nodes show every name; larger ones show names when zoomed in. */
const ALWAYS_LABEL_NODES = 400;

export function describeNode(node: GraphNode): string {
  switch (node.label) {
    case 'Company':
      return `Company · ${node.country}`;
    case 'Smelter':
      return `Smelter · ${node.metal} · RMAP ${node.rmapStatus.replace('_', '-')} · ${node.country}`;
    case 'Country':
      return `Country${node.cahra ? ' · CAHRA' : ''}${node.lists.length ? ` · ${node.lists.join(', ')}` : ''}`;
  }
}

export function supplyScene(rootId: string, visible: VisibleGraph, riskOf: ReadonlyMap<string, number>): GraphScene {
  let maxCompanyTier = 0;
  for (const n of visible.nodes) if (n.node.label === 'Company') maxCompanyTier = Math.max(maxCompanyTier, visible.tierOf.get(n.id)!);
  const hasSmelters = visible.nodes.some((n) => n.node.label === 'Smelter');
  const smelterColumn = maxCompanyTier + 1;
  const countryColumn = smelterColumn + (hasSmelters ? 1 : 0);
  const columnOf = (n: GraphNode, tier: number) => (n.label === 'Company' ? tier : n.label === 'Smelter' ? smelterColumn : countryColumn);

  const layoutNodes: LayoutNode[] = visible.nodes.map((n) => ({
    id: n.id,
    column: columnOf(n.node, visible.tierOf.get(n.id)!),
    sortKey: n.node.name.toLowerCase(),
  }));
  const layout = layeredLayout(layoutNodes, visible.edges);

  const drawNodes: DrawNode[] = [];
  const byId = new Map<string, DrawNode>();
  for (const n of visible.nodes) {
    const p = layout.nodes.get(n.id)!;
    const risk = riskOf.get(n.id);
    const isRoot = n.id === rootId;
    const cahra = n.node.label === 'Country' && n.node.cahra;
    const hidden = visible.withHiddenSuppliers.has(n.id);
    const tier = visible.tierOf.get(n.id)!;
    const d: DrawNode = {
      id: n.id,
      kind: n.node.label,
      x: p.x,
      y: p.y,
      r: isRoot ? 11 : n.node.label === 'Smelter' ? 6 : 7,
      shape: SHAPE_OF_LABEL[n.node.label],
      fill: riskColour(risk),
      label: truncate(n.node.name, 30),
      name: n.node.name,
      labelSuffix: '',
      title:
        `${n.node.name} (${n.id}) — ${describeNode(n.node)}` +
        ` · ${isRoot ? 'focal company' : `${tier} hop${tier === 1 ? '' : 's'} upstream`}` +
        ` · risk ${formatRisk(risk)}${hidden ? ' · suppliers hidden' : ''}`,
      cahra,
      hiddenSuppliers: hidden,
      isRoot,
      column: p.column,
    };
    drawNodes.push(d);
    byId.set(n.id, d);
  }
  const edges: DrawEdge[] = visible.edges.map((e) => {
    const from = byId.get(e.from)!;
    const to = byId.get(e.to)!;
    const share = e.effectiveShare;
    const declared = e.share !== undefined;
    return {
      key: e.key,
      from,
      to,
      width: shareWidth(share),
      dashed: !declared,
      title:
        `${from.label} → ${to.label}: ` +
        `${share === undefined ? 'share unknown' : `${formatShare(share)} of the buyer's ${e.metal}`}` +
        `${declared ? '' : ' (not declared: inferred)'}`,
    };
  });

  const top = -layout.height / 2 - 28;
  const headers = layout.columns
    .map((col, c) => {
      const title =
        c === 0 ? 'Focal company' : c === smelterColumn && hasSmelters ? 'Smelters' : c === countryColumn ? 'Countries' : `Tier ${c}`;
      return { x: layout.columnX[c]!, y: top, title: `${title} (${col.length})` };
    })
    .filter((_, c) => layout.columns[c]!.length > 0);

  return {
    nodes: drawNodes,
    edges,
    columns: layout.columns.filter((c) => c.length > 0),
    headers,
    width: layout.width,
    height: layout.height,
    alwaysLabel: drawNodes.length <= ALWAYS_LABEL_NODES,
  };
}

export type CollapsedNeighborhood = NonNullable<NeighborhoodAnswer['collapsed']>;

/** A collapsed neighbourhood: each group one hexagon sized by its member count, one column per tier. */
export function groupScene(collapsed: CollapsedNeighborhood): GraphScene {
  const layout = layeredLayout(
    collapsed.groups.map((g) => ({ id: g.key, column: g.tier, sortKey: g.name.toLowerCase() })),
    collapsed.links,
  );
  const byId = new Map<string, DrawNode>();
  const nodes = collapsed.groups.map((g) => {
    const p = layout.nodes.get(g.key)!;
    const counts = Object.entries(g.byLabel)
      .map(([label, n]) => `${n} ${label.toLowerCase()}${n === 1 ? '' : label === 'Company' ? ' (companies)' : 's'}`)
      .join(', ');
    const d: DrawNode = {
      id: g.key,
      kind: 'Group',
      x: p.x,
      y: p.y,
      r: Math.min(22, 5 + 2 * Math.sqrt(g.size)),
      shape: g.key === 'center' ? 'circle' : 'hexagon',
      fill: NO_RISK_FILL,
      label: `${truncate(g.name, 24)} · ${g.size}`,
      name: g.name,
      labelSuffix: ` · ${g.size}`,
      title: `${g.name}: ${g.size} node${g.size === 1 ? '' : 's'} (${counts})`,
      cahra: false,
      hiddenSuppliers: false,
      isRoot: g.key === 'center',
      column: p.column,
    };
    byId.set(g.key, d);
    return d;
  });
  const edges: DrawEdge[] = collapsed.links.flatMap((l) => {
    const from = byId.get(l.from);
    const to = byId.get(l.to);
    if (!from || !to || from === to) return [];
    return [
      {
        key: `${l.from}\u0000${l.to}`,
        from,
        to,
        width: Math.min(8, 0.8 + Math.log10(1 + l.relationships) * 2),
        dashed: false,
        title: `${from.label} → ${to.label}: ${l.relationships} SUPPLIES (${l.metals.join(', ')})`,
      },
    ];
  });
  const top = -layout.height / 2 - 40;
  return {
    nodes,
    edges,
    columns: layout.columns.filter((c) => c.length > 0),
    headers: layout.columns
      .map((col, c) => ({
        x: layout.columnX[c]!,
        y: top,
        title: c === 0 ? 'Focal company' : `Tier ${c} (${col.length} group${col.length === 1 ? '' : 's'})`,
      }))
      .filter((_, c) => layout.columns[c]!.length > 0),
    width: layout.width,
    height: layout.height,
    alwaysLabel: true,
  };
}
