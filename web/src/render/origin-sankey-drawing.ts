/**
 * Draws the origin Sankey (d3-sankey) as SVG. Bands are coloured by what they carry: CAHRA ore in
 * hatched vermillion, other ore in blue, recycled in green, undisclosed in grey; with "highlight
 * CAHRA" on, everything else fades. Node labels carry the API's figures where the API gives one.
 */
import { sankey, sankeyJustify, sankeyLinkHorizontal, type SankeyGraph } from 'd3-sankey';
import { select } from 'd3-selection';
import type { FlowKind, OriginSankey, SankeyNodeSpec } from '../data/origin-sankey.js';
import { formatShare, truncate } from './format.js';
import { ACCENT } from './graph-style.js';

export const FLOW_COLOURS: Record<FlowKind, string> = {
  cahra: ACCENT.cahra,
  other: '#0072B2',
  recycled: ACCENT.recycled,
  undisclosed: '#9aa3ae',
};

const FLOW_TITLES: Record<FlowKind, string> = {
  cahra: 'CAHRA ore',
  other: 'non-CAHRA ore',
  recycled: 'recycled',
  undisclosed: 'undisclosed',
};

type N = SankeyNodeSpec & { label: string };
type L = { source: string; target: string; value: number; kind: FlowKind };

export interface SankeyDrawOptions {
  /** Text beside each node: the API's share where it has one. */
  labelOf: (n: SankeyNodeSpec, computed: number) => string;
  highlightCahra: boolean;
}

export function drawOriginSankey(container: HTMLElement, model: OriginSankey, options: SankeyDrawOptions): void {
  container.innerHTML = '';
  const width = Math.max(560, container.clientWidth || 900);
  const columnCount = new Map<string, number>();
  for (const n of model.nodes) columnCount.set(n.kind, (columnCount.get(n.kind) ?? 0) + 1);
  const tallest = Math.max(...columnCount.values(), 1);
  const height = Math.max(360, Math.min(1400, tallest * 26));

  const layout = sankey<N, L>()
    .nodeId((n) => n.id)
    .nodeAlign(sankeyJustify)
    .nodeWidth(12)
    .nodePadding(8)
    .extent([
      [8, 44],
      [width - 8, height - 8],
    ]);
  const graph: SankeyGraph<N, L> = layout({
    nodes: model.nodes.map((n) => ({ ...n, label: n.name })),
    links: model.links.map((l) => ({ ...l })),
  });

  const svg = select(container)
    .append('svg')
    .attr('class', 'origin-sankey')
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('width', width)
    .attr('height', height)
    .attr('role', 'img')
    .attr('aria-label', 'Flow of the metal from origin countries through smelters and supplier tiers to the company');
  svg.classed('highlight-cahra', options.highlightCahra);
  const defs = svg.append('defs');
  const hatch = defs
    .append('pattern')
    .attr('id', 'sankey-cahra-hatch')
    .attr('patternUnits', 'userSpaceOnUse')
    .attr('width', 6)
    .attr('height', 6)
    .attr('patternTransform', 'rotate(45)');
  hatch.append('rect').attr('width', 6).attr('height', 6).attr('fill', FLOW_COLOURS.cahra);
  hatch.append('line').attr('x1', 0).attr('y1', 0).attr('x2', 0).attr('y2', 6).attr('stroke', '#7a2f00').attr('stroke-width', 2);

  // One header per column; tier columns are named after their tier.
  const columns = new Map<number, { title: string; x1: number }>();
  for (const n of graph.nodes) {
    const title =
      n.kind === 'country' || n.kind === 'recycled' || n.kind === 'undisclosed'
        ? 'Origins'
        : n.kind === 'smelter' || n.kind === 'other-smelters'
          ? 'Smelters'
          : n.kind === 'company'
            ? 'Company'
            : n.name.replace(' suppliers', '');
    if (n.x0 !== undefined && !columns.has(n.x0)) columns.set(n.x0, { title, x1: n.x1 ?? n.x0 });
  }
  svg
    .append('g')
    .attr('class', 'sankey-headers')
    .selectAll('text')
    .data([...columns])
    .join('text')
    .attr('x', ([x0, c]) => (x0 < width / 2 ? x0 : c.x1))
    .attr('text-anchor', ([x0]) => (x0 < width / 2 ? 'start' : 'end'))
    .attr('y', 14)
    .text(([, c]) => c.title);

  const linkPath = sankeyLinkHorizontal<N, L>();
  svg
    .append('g')
    .attr('class', 'sankey-links')
    .selectAll('path')
    .data(graph.links)
    .join('path')
    .attr('class', (l) => `sankey-link flow-${l.kind}`)
    .attr('d', (l) => linkPath(l) ?? '')
    .attr('stroke', (l) => (l.kind === 'cahra' ? 'url(#sankey-cahra-hatch)' : FLOW_COLOURS[l.kind]))
    .attr('stroke-width', (l) => Math.max(1, l.width ?? 1))
    .append('title')
    .text((l) => `${(l.source as N).name} → ${(l.target as N).name}: ${formatShare(l.value)} of the intake (${FLOW_TITLES[l.kind]})`);

  const node = svg
    .append('g')
    .attr('class', 'sankey-nodes')
    .selectAll('g')
    .data(graph.nodes)
    .join('g')
    .attr('class', (n) => `sankey-node kind-${n.kind}${n.cahra ? ' cahra' : ''}`)
    .attr('data-sankey-node', (n) => n.id);
  node
    .append('rect')
    .attr('x', (n) => n.x0 ?? 0)
    .attr('y', (n) => n.y0 ?? 0)
    .attr('width', (n) => (n.x1 ?? 0) - (n.x0 ?? 0))
    .attr('height', (n) => Math.max(1, (n.y1 ?? 0) - (n.y0 ?? 0)))
    .attr('fill', (n) => (n.cahra ? 'url(#sankey-cahra-hatch)' : n.kind === 'company' ? '#1d2430' : '#5b6675'));
  // Countries and smelters: names beside the node; tiers and the company: the share above the bar.
  const beside = (n: N) => n.kind !== 'tier' && n.kind !== 'company';
  node
    .append('text')
    .attr('class', 'sankey-label')
    .attr('x', (n) => (!beside(n) ? ((n.x0 ?? 0) + (n.x1 ?? 0)) / 2 : (n.x0 ?? 0) < width / 2 ? (n.x1 ?? 0) + 6 : (n.x0 ?? 0) - 6))
    .attr('y', (n) => (beside(n) ? ((n.y0 ?? 0) + (n.y1 ?? 0)) / 2 : (n.y0 ?? 0) - 8))
    .attr('text-anchor', (n) => (!beside(n) ? ((n.x1 ?? 0) > width - 40 ? 'end' : 'middle') : (n.x0 ?? 0) < width / 2 ? 'start' : 'end'))
    .attr('dy', (n) => (beside(n) ? '0.35em' : '0'))
    .text((n) =>
      beside(n)
        ? `${truncate(n.name, 28)}${n.cahra ? ' (CAHRA)' : ''} ${options.labelOf(n, n.value ?? 0)}`
        : options.labelOf(n, n.value ?? 0),
    );
  node.append('title').text((n) => `${n.name}${n.cahra ? ' — CAHRA' : ''}: ${options.labelOf(n, n.value ?? 0)}`);
}
