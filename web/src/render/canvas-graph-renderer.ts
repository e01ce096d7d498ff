/**
 * Draws a layered scene on one canvas, for views too large for SVG.
 *
 * Two layers: the base (edges, nodes, CAHRA, single-point-of-failure, path and failure marks) is
 * drawn into an off-screen canvas a margin larger than the viewport; the overlay (selection,
 * keyboard cursor, hover) is drawn on top at every frame. Panning and zooming only copy the base
 * (one drawImage per frame, whatever the size of the graph) and redraw it once the gesture pauses,
 * so a 5,000-node view stays interactive although rasterising its ~25,000 curves takes far longer
 * than a frame in a software-rendered browser. Small scenes are redrawn in full at every frame.
 * Edges are stroked in batches of the same style, as straight hairlines when zoomed far out; marks
 * outside the viewport are skipped; nodes are found under the pointer with a quadtree.
 */
import { quadtree, type Quadtree } from 'd3-quadtree';
import { zoomIdentity, type ZoomTransform } from 'd3-zoom';
import { ACCENT } from './graph-style.js';
import { edgeCurve, NO_MARKS, type DrawEdge, type DrawNode, type GraphMarks, type GraphScene } from './graph-scene.js';
import type { GraphRenderer } from './graph-renderer.js';
import { canvasLabelMetrics, type LabelMetrics } from './label-metrics.js';
import type { Box, PlacedLabel } from './label-placement.js';
import { labelsBounds, placeSceneLabels } from './scene-labels.js';
import { recordDraw } from './render-stats.js';

/** Zoom scale from which node names are drawn on a large scene. */
const LABEL_SCALE = 0.9;
/** Zoom scale below which edges are straight hairlines (curves and widths are not visible there). */
const HAIRLINE_SCALE = 0.35;
/** A base that took longer than this to draw is copied while panning instead of redrawn. */
const REDRAW_EVERY_FRAME_MS = 8;
/** The base is redrawn this long after the last pan or zoom step. */
const SETTLE_MS = 160;
const LABEL_FONT = '11px system-ui, sans-serif';
const BOLD_LABEL_FONT = `600 ${LABEL_FONT}`;

interface BaseLayer {
  canvas: HTMLCanvasElement;
  /** The transform it was drawn with, and its margin around the viewport (CSS pixels). */
  t: ZoomTransform;
  margin: number;
}

export class CanvasGraphRenderer implements GraphRenderer {
  readonly kind = 'canvas' as const;
  readonly surface: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private scene: GraphScene | null = null;
  private marks: GraphMarks = NO_MARKS;
  private transform: ZoomTransform = zoomIdentity;
  private tree: Quadtree<DrawNode> | null = null;
  private byId = new Map<string, DrawNode>();
  private maxRadius = 10;
  private frame: number | null = null;
  private settleTimer: number | undefined;
  private width = 0;
  private height = 0;
  private base: BaseLayer | null = null;
  /** The base must be redrawn (scene, base marks or size changed). */
  private baseStale = true;
  private lastBaseMs = 0;
  /** Where the names go (scene-labels.ts), placed when first drawn. */
  private labels: Map<string, PlacedLabel> | null = null;
  private labelFont: LabelMetrics | null = null;

  constructor(private readonly host: HTMLElement) {
    this.surface = document.createElement('canvas');
    this.surface.className = 'graph-surface';
    this.surface.setAttribute('aria-hidden', 'true');
    host.appendChild(this.surface);
    const ctx = this.surface.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('This browser cannot draw on a canvas');
    this.ctx = ctx;
  }

  setScene(scene: GraphScene): void {
    this.scene = scene;
    this.byId = new Map(scene.nodes.map((n) => [n.id, n]));
    this.tree = quadtree<DrawNode>()
      .x((n) => n.x)
      .y((n) => n.y)
      .addAll(scene.nodes);
    this.maxRadius = scene.nodes.reduce((m, n) => Math.max(m, n.r), 4);
    this.labels = null;
    this.invalidateBase();
  }

  setMarks(marks: GraphMarks): void {
    const previous = this.marks;
    this.marks = marks;
    const baseChanged =
      previous.emphasis !== marks.emphasis ||
      previous.spof !== marks.spof ||
      previous.removed !== marks.removed ||
      previous.affected !== marks.affected;
    if (baseChanged) this.invalidateBase();
    else this.schedule();
  }

  setTransform(t: ZoomTransform): void {
    this.transform = t;
    if (this.lastBaseMs <= REDRAW_EVERY_FRAME_MS) {
      this.invalidateBase();
      return;
    }
    // Large scene: copy the base now, redraw it when the gesture pauses.
    window.clearTimeout(this.settleTimer);
    this.settleTimer = window.setTimeout(() => this.invalidateBase(), SETTLE_MS);
    this.schedule();
  }

  resize(): void {
    const { width, height } = this.host.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.width = width;
    this.height = height;
    this.surface.width = Math.max(1, Math.round(width * dpr));
    this.surface.height = Math.max(1, Math.round(height * dpr));
    this.surface.style.width = `${width}px`;
    this.surface.style.height = `${height}px`;
    this.invalidateBase();
  }

  nodeAt(clientX: number, clientY: number): string | null {
    if (!this.tree) return null;
    const rect = this.surface.getBoundingClientRect();
    const [x, y] = this.transform.invert([clientX - rect.left, clientY - rect.top]);
    const found = this.tree.find(x, y, this.maxRadius + 4 / this.transform.k);
    return found?.id ?? null;
  }

  private invalidateBase(): void {
    this.baseStale = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.frame !== null) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.present();
    });
  }

  /** One frame: refresh the base if needed, copy it to the screen, draw the overlay. */
  private present(): void {
    const started = performance.now();
    if (this.baseStale || !this.base) {
      this.drawBase();
      this.baseStale = false;
    }
    const { ctx, transform: t, base } = this;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, this.surface.width, this.surface.height);
    if (base) {
      // Where the base's pixels land under the current transform (a pan is a shift, a zoom a scale).
      const s = t.k / base.t.k;
      const x = t.x - s * (base.margin + base.t.x);
      const y = t.y - s * (base.margin + base.t.y);
      ctx.imageSmoothingEnabled = s !== 1;
      ctx.drawImage(base.canvas, x * dpr, y * dpr, base.canvas.width * s, base.canvas.height * s);
    }
    this.drawOverlay();
    recordDraw(performance.now() - started);
  }

  private drawBase(): void {
    const started = performance.now();
    const dpr = window.devicePixelRatio || 1;
    // Small scenes need no margin: they are redrawn at every frame anyway.
    const margin = this.lastBaseMs > REDRAW_EVERY_FRAME_MS ? Math.round(Math.max(this.width, this.height) / 2) : 0;
    const w = Math.max(1, Math.round((this.width + 2 * margin) * dpr));
    const h = Math.max(1, Math.round((this.height + 2 * margin) * dpr));
    let canvas = this.base?.canvas;
    if (!canvas) canvas = document.createElement('canvas');
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const ctx = canvas.getContext('2d', { alpha: false })!;
    const t = this.transform;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, w, h);
    if (this.scene) {
      ctx.setTransform(dpr * t.k, 0, 0, dpr * t.k, dpr * (t.x + margin), dpr * (t.y + margin));
      this.drawScene(ctx, t, margin);
    }
    this.base = { canvas, t, margin };
    this.lastBaseMs = performance.now() - started;
  }

  private drawScene(ctx: CanvasRenderingContext2D, t: ZoomTransform, margin: number): void {
    const scene = this.scene!;
    const marks = this.marks;
    // The area drawn, in scene coordinates, with room for curves and labels.
    const [vx0, vy0] = t.invert([-margin, -margin]);
    const [vx1, vy1] = t.invert([this.width + margin, this.height + margin]);
    const pad = 40 / t.k;
    const inView = (x: number, y: number) => x >= vx0 - pad && x <= vx1 + pad && y >= vy0 - pad && y <= vy1 + pad;
    const edgeInView = (e: DrawEdge) =>
      !(
        Math.max(e.from.x, e.to.x) < vx0 - pad ||
        Math.min(e.from.x, e.to.x) > vx1 + pad ||
        Math.max(e.from.y, e.to.y) < vy0 - pad ||
        Math.min(e.from.y, e.to.y) > vy1 + pad
      );

    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#4a5566';
    ctx.textAlign = 'center';
    for (const h of scene.headers) ctx.fillText(h.title, h.x, h.y);

    const emphasis = marks.emphasis;
    const hairline = t.k < HAIRLINE_SCALE;
    // Edges: batched by (width bucket, dashed); emphasised ones last.
    const batches = new Map<string, DrawEdge[]>();
    const emphasised: DrawEdge[] = [];
    for (const e of scene.edges) {
      if (!edgeInView(e)) continue;
      if (emphasis?.edges.has(e.key)) {
        emphasised.push(e);
        continue;
      }
      const key = hairline ? 'hair' : `${Math.round(e.width * 2) / 2}|${e.dashed ? 1 : 0}`;
      (batches.get(key) ?? batches.set(key, []).get(key)!).push(e);
    }
    ctx.globalAlpha = emphasis ? 0.12 : hairline ? 0.35 : 0.55;
    ctx.strokeStyle = '#7b8595';
    for (const [key, edges] of batches) {
      if (hairline) {
        ctx.lineWidth = 1 / t.k;
        ctx.setLineDash([]);
      } else {
        const [w, dashed] = key.split('|');
        ctx.lineWidth = Number(w);
        ctx.setLineDash(dashed === '1' ? [4, 3] : []);
      }
      ctx.beginPath();
      for (const e of edges) this.edge(ctx, e, hairline);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
    if (emphasised.length) {
      ctx.strokeStyle = ACCENT.highlight;
      for (const e of emphasised) {
        ctx.lineWidth = Math.max(2.5, e.width);
        ctx.beginPath();
        this.edge(ctx, e, false);
        ctx.stroke();
      }
    }

    // Nodes: plain ones batched by fill colour, marked ones one by one on top.
    const late: DrawNode[] = [];
    const byFill = new Map<string, DrawNode[]>();
    for (const n of scene.nodes) {
      if (!inView(n.x, n.y)) continue;
      const special =
        marks.spof.has(n.id) || marks.removed.has(n.id) || marks.affected.has(n.id) || n.cahra || n.isRoot || !!emphasis?.nodes.has(n.id);
      if (special) late.push(n);
      else (byFill.get(n.fill) ?? byFill.set(n.fill, []).get(n.fill)!).push(n);
    }
    ctx.lineWidth = 1 / Math.max(1, t.k);
    ctx.strokeStyle = '#2b3340';
    ctx.globalAlpha = emphasis ? 0.2 : 1;
    for (const [fill, nodes] of byFill) {
      ctx.beginPath();
      for (const n of nodes) this.glyph(ctx, n);
      ctx.fillStyle = fill;
      ctx.fill();
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    for (const n of late) this.markedNode(ctx, n, !!emphasis && !emphasis.nodes.has(n.id));

    // Names: always on a small scene, when zoomed in on a large one; the marked ones always.
    const labelAll = scene.alwaysLabel || t.k >= LABEL_SCALE;
    ctx.textAlign = 'left';
    ctx.fillStyle = '#1d2430';
    const labels = this.placedLabels(ctx);
    const top = this.labelFont!.top;
    for (const n of labelAll ? scene.nodes : late) {
      if (!inView(n.x, n.y)) continue;
      if (emphasis && !emphasis.nodes.has(n.id)) continue;
      const label = labels.get(n.id);
      if (!label) continue;
      ctx.font = n.cahra ? BOLD_LABEL_FONT : LABEL_FONT;
      ctx.fillText(label.text, label.box.x0, label.box.y0 - top);
    }
  }

  labelBounds(): Box | null {
    return this.scene ? labelsBounds(this.placedLabels(this.ctx)) : null;
  }

  private placedLabels(ctx: CanvasRenderingContext2D): Map<string, PlacedLabel> {
    if (!this.labels) {
      this.labelFont ??= canvasLabelMetrics(ctx, LABEL_FONT);
      this.labels = placeSceneLabels(this.scene!, { label: this.labelFont, header: this.labelFont });
    }
    return this.labels;
  }

  /** Selection, keyboard cursor and hover rings, with their names, on top of the base. */
  private drawOverlay(): void {
    const { ctx, transform: t, marks } = this;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr * t.k, 0, 0, dpr * t.k, dpr * t.x, dpr * t.y);
    const rings: [string | null, string, number, number[]][] = [
      [marks.hover, ACCENT.selection, 2, []],
      [marks.selected, ACCENT.selection, 4, []],
      [marks.cursor, '#000', 2, [2, 2]],
    ];
    for (const [id, colour, width, dash] of rings) {
      const n = id ? this.byId.get(id) : undefined;
      if (!n) continue;
      ctx.strokeStyle = colour;
      ctx.lineWidth = width / Math.max(0.5, t.k);
      ctx.setLineDash(dash.map((d) => d / Math.max(0.5, t.k)));
      ctx.beginPath();
      this.glyph(ctx, n, id === marks.cursor ? 8 : 4);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = `${12 / Math.max(0.5, Math.min(t.k, 1.5))}px system-ui, sans-serif`;
      ctx.textAlign = 'left';
      ctx.lineWidth = 3 / Math.max(0.5, t.k);
      ctx.strokeStyle = '#ffffff';
      const text = n.cahra ? `${n.label} · CAHRA` : n.label;
      ctx.strokeText(text, n.x + n.r + 6, n.y + 4);
      ctx.fillStyle = '#1d2430';
      ctx.fillText(text, n.x + n.r + 6, n.y + 4);
    }
  }

  /** Draw now (tests and the benchmark time one frame this way). */
  drawNow(): void {
    if (this.frame !== null) {
      cancelAnimationFrame(this.frame);
      this.frame = null;
    }
    this.present();
  }

  private edge(ctx: CanvasRenderingContext2D, e: DrawEdge, straight: boolean): void {
    if (straight) {
      ctx.moveTo(e.from.x, e.from.y);
      ctx.lineTo(e.to.x, e.to.y);
      return;
    }
    const [x1, y1, c1x, c1y, c2x, c2y, x2, y2] = edgeCurve(e);
    ctx.moveTo(x1, y1);
    ctx.bezierCurveTo(c1x, c1y, c2x, c2y, x2, y2);
  }

  /** Adds the node's figure to the current path (callers begin and fill or stroke it). */
  private glyph(ctx: CanvasRenderingContext2D, n: DrawNode, grow = 0): void {
    const r = n.r + grow;
    switch (n.shape) {
      case 'circle':
        ctx.moveTo(n.x + r, n.y);
        ctx.arc(n.x, n.y, r, 0, Math.PI * 2);
        break;
      case 'square':
        ctx.rect(n.x - r, n.y - r, 2 * r, 2 * r);
        break;
      case 'diamond': {
        const d = r * 1.3;
        ctx.moveTo(n.x, n.y - d);
        ctx.lineTo(n.x + d, n.y);
        ctx.lineTo(n.x, n.y + d);
        ctx.lineTo(n.x - d, n.y);
        ctx.closePath();
        break;
      }
      case 'hexagon':
        for (let i = 0; i < 6; i++) {
          const a = (Math.PI / 3) * i;
          if (i === 0) ctx.moveTo(n.x + r * Math.cos(a), n.y + r * Math.sin(a));
          else ctx.lineTo(n.x + r * Math.cos(a), n.y + r * Math.sin(a));
        }
        ctx.closePath();
        break;
    }
  }

  private markedNode(ctx: CanvasRenderingContext2D, n: DrawNode, dim: boolean): void {
    const { marks } = this;
    ctx.globalAlpha = dim ? 0.25 : 1;
    if (marks.spof.has(n.id)) {
      ctx.setLineDash([3, 2]);
      ctx.strokeStyle = ACCENT.spof;
      ctx.lineWidth = 3;
      ctx.beginPath();
      this.glyph(ctx, n, 5);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    if (marks.emphasis?.nodes.has(n.id)) {
      ctx.strokeStyle = ACCENT.highlight;
      ctx.lineWidth = 3;
      ctx.beginPath();
      this.glyph(ctx, n, 3);
      ctx.stroke();
    }
    ctx.beginPath();
    this.glyph(ctx, n);
    ctx.fillStyle = marks.removed.has(n.id) ? '#ffffff' : n.fill;
    ctx.fill();
    ctx.strokeStyle = n.cahra || marks.affected.has(n.id) ? ACCENT.cahra : '#2b3340';
    ctx.lineWidth = n.cahra || marks.affected.has(n.id) ? 3 : n.isRoot ? 2 : 1;
    ctx.stroke();
    if (marks.removed.has(n.id)) {
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(n.x - n.r, n.y - n.r);
      ctx.lineTo(n.x + n.r, n.y + n.r);
      ctx.moveTo(n.x + n.r, n.y - n.r);
      ctx.lineTo(n.x - n.r, n.y + n.r);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }

  destroy(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    window.clearTimeout(this.settleTimer);
    this.surface.remove();
  }
}
