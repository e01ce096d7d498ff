/**
 * Draws the origin Sankey (d3-sankey) as SVG. Bands are coloured by what they carry: CAHRA ore in
 * hatched vermillion, other ore in blue, recycled in green, undisclosed in grey; with "highlight
 * CAHRA" on, everything else fades. Node labels carry the API's figures where the API gives one,
 * and are placed so that none covers a bar or another label (truncated, or left out, where there is
 * no room: each node is focusable and shows its full name and figure on hover and focus).
 */
import { sankey, sankeyJustify, sankeyLinkHorizontal, type SankeyGraph, type SankeyNode } from 'd3-sankey';
import { select } from 'd3-selection';
import type { FlowKind, OriginSankey, SankeyNodeSpec } from '../data/origin-sankey.js';
import { formatShare } from './format.js';
import { ACCENT } from './graph-style.js';
import { svgLabelMetrics } from './label-metrics.js';
import { type Box, type LabelRequest, type PlacedLabel, placeLabels, type Side, type Slot, truncations } from './label-placement.js';

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
  const height = Math.max(360, Math.min(1400, tallest * (NODE_PADDING + 14)));

  const layout = sankey<N, L>()
    .nodeId((n) => n.id)
    .nodeAlign(sankeyJustify)
    .nodeWidth(12)
    .nodePadding(NODE_PADDING)
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
    .attr('role', 'group')
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
  const columnHeaders = svg.append('g').attr('class', 'sankey-headers');
  columnHeaders
    .selectAll('text')
    .data([...columns])
    .join('text')
    .attr('x', ([x0, c]) => (x0 < width / 2 ? x0 : c.x1))
    .attr('text-anchor', ([x0]) => (x0 < width / 2 ? 'start' : 'end'))
    .attr('y', 14)
    .text(([, c]) => c.title);

  const titleOf = (n: SankeyNode<N, L>) => `${n.name}${n.cahra ? ' — CAHRA' : ''}: ${options.labelOf(n, n.value ?? 0)}`;
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
    .selectAll<SVGGElement, SankeyNode<N, L>>('g')
    .data(graph.nodes)
    .join('g')
    .attr('class', (n) => `sankey-node kind-${n.kind}${n.cahra ? ' cahra' : ''}`)
    .attr('data-sankey-node', (n) => n.id)
    // Focusable, so that a name truncated or left out of the drawing can be read in full.
    .attr('tabindex', 0)
    .attr('aria-label', titleOf);
  node
    .append('rect')
    .attr('x', (n) => n.x0 ?? 0)
    .attr('y', (n) => n.y0 ?? 0)
    .attr('width', (n) => (n.x1 ?? 0) - (n.x0 ?? 0))
    .attr('height', (n) => Math.max(1, (n.y1 ?? 0) - (n.y0 ?? 0)))
    .attr('fill', (n) => (n.cahra ? 'url(#sankey-cahra-hatch)' : n.kind === 'company' ? '#1d2430' : '#5b6675'));
  const labels = placeSankeyLabels(svg.node()!, graph.nodes, columnHeaders.node()!, width, height, options);
  node
    .append('text')
    .attr('class', 'sankey-label')
    .attr('dy', LABEL_DY)
    .attr('x', (n) => labels.placed.get(n.id)?.box.x0 ?? 0)
    .attr('y', (n) => {
      const box = labels.placed.get(n.id)?.box;
      return box ? box.y0 - labels.top : 0;
    })
    .attr('data-side', (n) => labels.placed.get(n.id)?.slot.side ?? 'none')
    .classed('truncated', (n) => !!labels.placed.get(n.id)?.truncated)
    .text((n) => labels.placed.get(n.id)?.text ?? '');
  node.append('title').text(titleOf);

  const tooltip = document.createElement('div');
  tooltip.className = 'sankey-tooltip';
  tooltip.hidden = true;
  container.appendChild(tooltip);
  const show = (el: SVGGElement, n: SankeyNode<N, L>) => {
    tooltip.textContent = titleOf(n);
    tooltip.hidden = false;
    const at = (el.querySelector('rect') ?? el).getBoundingClientRect();
    const host = container.getBoundingClientRect();
    tooltip.style.left = `${at.right - host.left + container.scrollLeft + 8}px`;
    tooltip.style.top = `${at.top - host.top + container.scrollTop}px`;
  };
  const hide = () => {
    tooltip.hidden = true;
  };
  node
    .on('pointerenter', function (_e, n) {
      show(this, n);
    })
    .on('focus', function (_e, n) {
      show(this, n);
    })
    .on('pointerleave', hide)
    .on('blur', hide);
}

const LABEL_DY = '0.35em';
/** Space between bars in a column: a label's height and a little, so that each bar has room for its label beside it. */
const NODE_PADDING = 16;

/**
 * Where each node's label goes: countries and smelters beside their bar (on the side facing the
 * middle, moved up or down a little), tiers and the company above it,
 * truncated to the room there is or left out, so that none covers a bar, a header or another label.
 * The tiers and the company first, then by flow, largest first: big nodes keep their names.
 */
function placeSankeyLabels(
  svg: SVGSVGElement,
  nodes: readonly SankeyNode<N, L>[],
  headers: SVGGElement,
  width: number,
  height: number,
  options: SankeyDrawOptions,
): { placed: Map<string, PlacedLabel>; top: number } {
  const metrics = svgLabelMetrics(svg, 'sankey-label', LABEL_DY);
  const obstacles: Box[] = nodes.map(barBox);
  for (const h of headers.querySelectorAll('text')) {
    const b = h.getBBox();
    obstacles.push(b.height > 0 ? { x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height } : { x0: 0, y0: 0, x1: width, y1: 20 });
  }
  // Only on the side facing the middle: on the other side a smelter's name would sit among the countries'.
  const along = [0, -0.5, 0.5, -1, 1];
  const beside = (side: Side): Slot[] => along.map((shift) => ({ side, shift }));
  const ABOVE: Slot[] = [{ side: 'above' }, { side: 'above', shift: -1 }, { side: 'above', shift: 1 }];
  const requests: (LabelRequest & { order: number })[] = nodes.map((n) => {
    const figure = options.labelOf(n, n.value ?? 0);
    const isBeside = besideBar(n);
    return {
      id: n.id,
      anchor: barBox(n),
      // Short of room, a CAHRA country loses its "(CAHRA)" (its bar is hatched), then any node its name (in the title).
      texts: isBeside
        ? [
            ...truncations(n.name, `${n.cahra ? ' (CAHRA)' : ''} ${figure}`, 4),
            ...(n.cahra ? truncations(n.name, ` ${figure}`, 4) : []),
            figure,
          ]
        : [figure],
      slots: isBeside ? beside((n.x0 ?? 0) < width / 2 ? 'right' : 'left') : ABOVE,
      order: isBeside ? -(n.value ?? 0) : -Infinity,
    };
  });
  requests.sort((a, b) => a.order - b.order);
  const bold = new Map(nodes.map((n) => [n.id, n.cahra]));
  const placed = placeLabels(requests, obstacles, {
    measure: (text, r) => metrics.width(text, bold.get(r.id) ?? false),
    height: metrics.height,
    gap: 4,
    margin: 1,
    bounds: { x0: 0, y0: 0, x1: width, y1: height },
  });
  return { placed, top: metrics.top };
}

/** Countries and smelters: names beside the bar; tiers and the company: the share above it. */
const besideBar = (n: N) => n.kind !== 'tier' && n.kind !== 'company';

function barBox(n: SankeyNode<N, L>): Box {
  const y0 = n.y0 ?? 0;
  return { x0: n.x0 ?? 0, y0, x1: n.x1 ?? 0, y1: Math.max(y0 + 1, n.y1 ?? 0) };
}
