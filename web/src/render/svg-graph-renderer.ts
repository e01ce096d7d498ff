/**
 * Draws a layered scene as SVG: one element per node and edge, each with a data-id for tests and
 * a title for the tooltip; used while a view holds few enough elements for the DOM to stay fast.
 */
import { select, type Selection } from 'd3-selection';
import type { ZoomTransform } from 'd3-zoom';
import { shapePath } from './graph-style.js';
import { edgePath, type DrawEdge, type DrawNode, type GraphMarks, type GraphScene } from './graph-scene.js';
import type { GraphRenderer } from './graph-renderer.js';
import { svgLabelMetrics } from './label-metrics.js';
import type { Box } from './label-placement.js';
import { labelsBounds, placeSceneLabels, type SceneLabelMetrics } from './scene-labels.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

export class SvgGraphRenderer implements GraphRenderer {
  readonly kind = 'svg' as const;
  readonly surface: SVGSVGElement;
  private readonly layer: Selection<SVGGElement, unknown, null, undefined>;
  private readonly edgeLayer: Selection<SVGGElement, unknown, null, undefined>;
  private readonly nodeLayer: Selection<SVGGElement, unknown, null, undefined>;
  private readonly headerLayer: Selection<SVGGElement, unknown, null, undefined>;
  private scene: GraphScene | null = null;
  private transform: ZoomTransform | null = null;
  private metrics: SceneLabelMetrics | null = null;
  private labelBox: Box | null = null;

  constructor(private readonly host: HTMLElement) {
    this.surface = document.createElementNS(SVG_NS, 'svg');
    this.surface.setAttribute('class', 'graph-surface');
    this.surface.setAttribute('aria-hidden', 'true');
    host.appendChild(this.surface);
    const root = select(this.surface);
    this.layer = root.append('g').attr('class', 'zoom-layer');
    this.headerLayer = this.layer.append('g').attr('class', 'column-headers');
    this.edgeLayer = this.layer.append('g').attr('class', 'edges');
    this.nodeLayer = this.layer.append('g').attr('class', 'nodes');
  }

  setScene(scene: GraphScene): void {
    this.scene = scene;
    this.headerLayer
      .selectAll('text')
      .data(scene.headers)
      .join('text')
      .attr('x', (h) => h.x)
      .attr('y', (h) => h.y)
      .attr('text-anchor', 'middle')
      .text((h) => h.title);

    this.edgeLayer
      .selectAll<SVGPathElement, DrawEdge>('path')
      .data(scene.edges, (e) => e.key)
      .join('path')
      .attr('class', (e) => (e.dashed ? 'edge inferred' : 'edge'))
      .attr('data-from', (e) => e.from.id)
      .attr('data-to', (e) => e.to.id)
      .attr('d', edgePath)
      .attr('stroke-width', (e) => e.width)
      .selectAll('title')
      .data((e) => [e.title])
      .join('title')
      .text((t) => t);

    const nodes = this.nodeLayer
      .selectAll<SVGGElement, DrawNode>('g.node')
      .data(scene.nodes, (n) => n.id)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'node');
        g.append('path').attr('class', 'glyph');
        g.append('text').attr('class', 'node-label').attr('x', 12).attr('dy', '0.32em');
        g.append('title');
        return g;
      })
      .attr('data-id', (n) => n.id)
      .attr('data-kind', (n) => n.kind)
      .attr('transform', (n) => `translate(${n.x},${n.y})`)
      .classed('root', (n) => n.isRoot)
      .classed('cahra', (n) => n.cahra)
      .classed('has-hidden', (n) => n.hiddenSuppliers);
    nodes
      .select('path.glyph')
      .attr('d', (n) => shapePath(n.shape, n.r))
      .attr('fill', (n) => n.fill);
    // Names where they cover no node, header or other name; a truncated or left-out one is in full in the title.
    const metrics = this.labelMetrics();
    const labels = placeSceneLabels(scene, metrics);
    this.labelBox = labelsBounds(labels);
    nodes
      .select('text.node-label')
      .attr('x', (n) => (labels.get(n.id)?.box.x0 ?? n.x) - n.x)
      .attr('y', (n) => {
        const box = labels.get(n.id)?.box;
        return box ? box.y0 - n.y - metrics.label.top : 0;
      })
      .attr('data-side', (n) => labels.get(n.id)?.slot.side ?? 'none')
      .classed('truncated', (n) => !!labels.get(n.id)?.truncated)
      .text((n) => labels.get(n.id)?.text ?? '');
    nodes.select('title').text((n) => n.title);
    this.surface.classList.toggle('labels-on-hover', !scene.alwaysLabel);
  }

  /** The labels' and headers' font sizes, read from the page's styles once they could be laid out. */
  private labelMetrics(): SceneLabelMetrics {
    if (this.metrics) return this.metrics;
    const label = svgLabelMetrics(this.nodeLayer.node()!, 'node-label', '0.32em');
    const header = svgLabelMetrics(this.headerLayer.node()!, '', '0');
    const metrics = { label, header };
    if (label.measured && header.measured) this.metrics = metrics;
    return metrics;
  }

  setMarks(marks: GraphMarks): void {
    if (!this.scene) return;
    const emphasis = marks.emphasis;
    this.nodeLayer
      .selectAll<SVGGElement, DrawNode>('g.node')
      .classed('selected', (n) => n.id === marks.selected)
      .classed('cursor', (n) => n.id === marks.cursor)
      .classed('hovered', (n) => n.id === marks.hover)
      .classed('spof', (n) => marks.spof.has(n.id))
      .classed('removed', (n) => marks.removed.has(n.id))
      .classed('affected', (n) => marks.affected.has(n.id))
      .classed('emphasised', (n) => !!emphasis?.nodes.has(n.id))
      .classed('dimmed', (n) => !!emphasis && !emphasis.nodes.has(n.id));
    this.edgeLayer
      .selectAll<SVGPathElement, DrawEdge>('path')
      .classed('emphasised', (e) => !!emphasis?.edges.has(e.key))
      .classed('dimmed', (e) => !!emphasis && !emphasis.edges.has(e.key));
    // Emphasised elements last, so they are drawn on top.
    this.edgeLayer.selectAll<SVGPathElement, DrawEdge>('path.emphasised').raise();
    this.nodeLayer.selectAll<SVGGElement, DrawNode>('g.emphasised, g.selected, g.cursor').raise();
  }

  setTransform(t: ZoomTransform): void {
    this.transform = t;
    this.layer.attr('transform', t.toString());
  }

  resize(): void {
    const { width, height } = this.host.getBoundingClientRect();
    this.surface.setAttribute('width', String(width));
    this.surface.setAttribute('height', String(height));
  }

  nodeAt(clientX: number, clientY: number): string | null {
    const el = document.elementFromPoint(clientX, clientY);
    const g = el?.closest('g.node');
    return g?.getAttribute('data-id') ?? null;
  }

  labelBounds(): Box | null {
    return this.labelBox;
  }

  get currentTransform(): ZoomTransform | null {
    return this.transform;
  }

  destroy(): void {
    this.surface.remove();
  }
}
