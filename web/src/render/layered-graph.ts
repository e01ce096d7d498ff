/**
 * The layered supply-graph component shared by the explorer, the single-points-of-failure and the
 * risk-paths views: picks the SVG or canvas renderer by size, pans and zooms (d3-zoom), finds the
 * node under the pointer, shows a tooltip, and moves a keyboard cursor through the columns.
 *
 * Keys (when the drawing has focus): arrows move the cursor (left towards the focal company, right
 * towards the sources), Enter or Space selects, + / − expand or collapse suppliers, Home goes to
 * the focal company, F fits the drawing, Escape clears the selection.
 */
import { select } from 'd3-selection';
import { zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from 'd3-zoom';
import { CanvasGraphRenderer } from './canvas-graph-renderer.js';
import { CANVAS_THRESHOLD, type GraphRenderer } from './graph-renderer.js';
import { NO_MARKS, type DrawNode, type GraphMarks, type GraphScene } from './graph-scene.js';
import { recordScene, recordSceneShown, renderStats } from './render-stats.js';
import { SvgGraphRenderer } from './svg-graph-renderer.js';

export type RendererChoice = 'auto' | 'svg' | 'canvas';

export interface LayeredGraphHandlers {
  onSelect(id: string | null): void;
  /** expand: true to show suppliers, false to hide them, null to toggle. */
  onToggleSuppliers(id: string, expand: boolean | null): void;
}

export class LayeredGraph {
  readonly element: HTMLDivElement;
  private readonly tooltip: HTMLDivElement;
  private readonly announcer: HTMLDivElement;
  private renderer: GraphRenderer | null = null;
  private scene: GraphScene | null = null;
  private byId = new Map<string, DrawNode>();
  private marks: GraphMarks = NO_MARKS;
  private transform: ZoomTransform = zoomIdentity;
  private readonly zoomBehavior: ZoomBehavior<Element, unknown>;
  private readonly resizeObserver: ResizeObserver;

  constructor(
    host: HTMLElement,
    private readonly handlers: LayeredGraphHandlers,
  ) {
    this.element = document.createElement('div');
    this.element.className = 'graph-host';
    this.element.tabIndex = 0;
    this.element.setAttribute('role', 'group');
    this.element.setAttribute('aria-roledescription', 'supply graph');
    this.element.setAttribute(
      'aria-label',
      'Layered supply graph. Arrow keys move between nodes, Enter selects, plus and minus expand or collapse suppliers, F fits.',
    );
    host.appendChild(this.element);
    this.tooltip = document.createElement('div');
    this.tooltip.className = 'graph-tooltip';
    this.tooltip.hidden = true;
    host.appendChild(this.tooltip);
    this.announcer = document.createElement('div');
    this.announcer.className = 'visually-hidden';
    this.announcer.setAttribute('aria-live', 'polite');
    host.appendChild(this.announcer);

    this.zoomBehavior = zoom<Element, unknown>()
      .scaleExtent([0.01, 8])
      .on('zoom', (event: { transform: ZoomTransform }) => {
        this.transform = event.transform;
        this.renderer?.setTransform(event.transform);
      });
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    this.element.addEventListener('blur', () => {
      if (!this.marks.hover) this.tooltip.hidden = true;
    });
    this.resizeObserver = new ResizeObserver(() => this.renderer?.resize());
    this.resizeObserver.observe(this.element);
    renderStats().locate = (id) => this.locate(id);
  }

  /** Where a node is drawn now, in client pixels (null if it is not drawn). */
  locate(id: string): [number, number] | null {
    const n = this.byId.get(id);
    if (!n) return null;
    const [x, y] = this.transform.apply([n.x, n.y]);
    const rect = this.element.getBoundingClientRect();
    return [rect.left + x, rect.top + y];
  }

  get rendererKind(): 'svg' | 'canvas' | null {
    return this.renderer?.kind ?? null;
  }

  get currentMarks(): GraphMarks {
    return this.marks;
  }

  /** Show a scene; the view is fitted unless keepView and the renderer stays the same. */
  show(scene: GraphScene, choice: RendererChoice, keepView = false): void {
    const elements = scene.nodes.length + scene.edges.length;
    const kind = choice === 'auto' ? (elements > CANVAS_THRESHOLD ? 'canvas' : 'svg') : choice;
    const sameRenderer = this.renderer?.kind === kind;
    if (!sameRenderer) {
      this.renderer?.destroy();
      this.renderer = kind === 'canvas' ? new CanvasGraphRenderer(this.element) : new SvgGraphRenderer(this.element);
      this.attachPointer(this.renderer);
    }
    this.element.dataset.renderer = kind;
    this.scene = scene;
    this.byId = new Map(scene.nodes.map((n) => [n.id, n]));
    if (this.marks.cursor && !this.byId.has(this.marks.cursor)) this.marks = { ...this.marks, cursor: null };
    recordScene(kind, scene.nodes.length, scene.edges.length);
    const renderer = this.renderer!;
    renderer.resize();
    renderer.setScene(scene);
    renderer.setMarks(this.marks);
    if (keepView && sameRenderer) renderer.setTransform(this.transform);
    else this.fit();
    // Two frames: the first runs the canvas draw, the second comes after the browser painted it.
    requestAnimationFrame(() => requestAnimationFrame(() => recordSceneShown()));
  }

  clear(): void {
    this.renderer?.destroy();
    this.renderer = null;
    this.scene = null;
    this.byId.clear();
    delete this.element.dataset.renderer;
  }

  setMarks(patch: Partial<GraphMarks>): void {
    this.marks = { ...this.marks, ...patch };
    this.renderer?.setMarks(this.marks);
  }

  fit(): void {
    if (!this.scene || !this.renderer) return;
    const { width, height } = this.element.getBoundingClientRect();
    if (width === 0 || height === 0) return;
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (const n of this.scene.nodes) {
      x0 = Math.min(x0, n.x - n.r);
      x1 = Math.max(x1, n.x + n.r);
      y0 = Math.min(y0, n.y - n.r);
      y1 = Math.max(y1, n.y + n.r);
    }
    for (const h of this.scene.headers) y0 = Math.min(y0, h.y - 14);
    if (!Number.isFinite(x0)) return;
    // Room for the names where they were placed, and on the left for the first column's header.
    const names = this.renderer.labelBounds();
    x1 = names ? Math.max(x1, names.x1) + 12 : x1 + 170;
    x0 = Math.min(x0 - 50, (names?.x0 ?? x0) - 12);
    if (names) {
      y0 = Math.min(y0, names.y0);
      y1 = Math.max(y1, names.y1);
    }
    const pad = 24;
    const k = Math.min(1.6, (width - 2 * pad) / Math.max(1, x1 - x0), (height - 2 * pad) / Math.max(1, y1 - y0));
    const t = zoomIdentity.translate(width / 2 - (k * (x0 + x1)) / 2, height / 2 - (k * (y0 + y1)) / 2).scale(k);
    select(this.renderer.surface).call(this.zoomBehavior.transform, t);
  }

  /** Pan so that a node is in view (zoom kept unless it is too far out to read). */
  centreOn(id: string): void {
    const n = this.byId.get(id);
    if (!n || !this.renderer) return;
    const { width, height } = this.element.getBoundingClientRect();
    const [sx, sy] = this.transform.apply([n.x, n.y]);
    if (sx > 40 && sx < width - 40 && sy > 40 && sy < height - 40) return;
    const k = this.transform.k;
    const t = zoomIdentity.translate(width / 2 - k * n.x, height / 2 - k * n.y).scale(k);
    select(this.renderer.surface).call(this.zoomBehavior.transform, t);
  }

  /** Pan the view by (dx, dy) screen pixels, as a drag would (the benchmark uses this too). */
  panBy(dx: number, dy: number): void {
    if (!this.renderer) return;
    select(this.renderer.surface).call(this.zoomBehavior.translateBy, dx / this.transform.k, dy / this.transform.k);
  }

  private attachPointer(renderer: GraphRenderer): void {
    const surface = select(renderer.surface);
    surface.call(this.zoomBehavior).on('dblclick.zoom', null);
    const el = renderer.surface as HTMLElement;
    el.addEventListener('click', (e) => {
      const id = renderer.nodeAt(e.clientX, e.clientY);
      this.handlers.onSelect(id);
      if (id) this.setMarks({ cursor: id });
    });
    el.addEventListener('dblclick', (e) => {
      const id = renderer.nodeAt(e.clientX, e.clientY);
      if (id) this.handlers.onToggleSuppliers(id, null);
    });
    let pending: PointerEvent | null = null;
    el.addEventListener('pointermove', (e) => {
      if (e.buttons) return; // dragging: no hover work while panning
      if (!pending) requestAnimationFrame(() => this.hoverAt(pending));
      pending = e;
    });
    el.addEventListener('pointerleave', () => {
      pending = null;
      this.hoverAt(null);
    });
  }

  private hoverAt(e: PointerEvent | null): void {
    const id = e && this.renderer ? this.renderer.nodeAt(e.clientX, e.clientY) : null;
    if (id !== this.marks.hover) this.setMarks({ hover: id });
    const node = id ? this.byId.get(id) : undefined;
    if (!node || !e) {
      this.tooltip.hidden = true;
      return;
    }
    this.showTooltip(node, e.clientX, e.clientY);
  }

  /** The node's full name and figures beside a point (the pointer, or the node under the keyboard cursor). */
  private showTooltip(node: DrawNode, clientX: number, clientY: number): void {
    this.tooltip.textContent = node.title;
    this.tooltip.hidden = false;
    const host = this.element.getBoundingClientRect();
    this.tooltip.style.left = `${clientX - host.left + 14}px`;
    this.tooltip.style.top = `${clientY - host.top + 14}px`;
  }

  private onKey(e: KeyboardEvent): void {
    if (!this.scene || e.altKey || e.ctrlKey || e.metaKey) return;
    const cursor = this.marks.cursor ?? this.marks.selected ?? this.scene.columns[0]?.[0] ?? null;
    let next: string | null = null;
    switch (e.key) {
      case 'ArrowUp':
      case 'ArrowDown':
        next = this.stepInColumn(cursor, e.key === 'ArrowUp' ? -1 : 1);
        break;
      case 'ArrowLeft':
      case 'ArrowRight':
        next = this.stepAcross(cursor, e.key === 'ArrowLeft' ? -1 : 1);
        break;
      case 'Home':
        next = this.scene.columns[0]?.[0] ?? null;
        break;
      case 'Enter':
      case ' ':
        if (cursor) this.handlers.onSelect(cursor);
        break;
      case '+':
      case '=':
        if (cursor) this.handlers.onToggleSuppliers(cursor, true);
        break;
      case '-':
      case '_':
        if (cursor) this.handlers.onToggleSuppliers(cursor, false);
        break;
      case 'f':
      case 'F':
        this.fit();
        break;
      case 'Escape':
        this.handlers.onSelect(null);
        break;
      default:
        return;
    }
    e.preventDefault();
    if (next) {
      this.setMarks({ cursor: next });
      this.centreOn(next);
      const n = this.byId.get(next);
      const at = this.locate(next);
      if (n) this.announcer.textContent = n.title;
      // A name truncated or left out of the drawing is read in full here, as on hover.
      if (n && at) this.showTooltip(n, at[0], at[1]);
    } else if (!this.marks.cursor && cursor) {
      this.setMarks({ cursor });
    }
  }

  private columnIndexOf(id: string): [number, number] | null {
    const cols = this.scene?.columns ?? [];
    for (let c = 0; c < cols.length; c++) {
      const i = cols[c]!.indexOf(id);
      if (i >= 0) return [c, i];
    }
    return null;
  }

  private stepInColumn(id: string | null, step: number): string | null {
    if (!id) return this.scene?.columns[0]?.[0] ?? null;
    const at = this.columnIndexOf(id);
    if (!at) return null;
    const col = this.scene!.columns[at[0]]!;
    return col[Math.min(col.length - 1, Math.max(0, at[1] + step))] ?? null;
  }

  /** The node of the next non-empty column nearest to the cursor's height. */
  private stepAcross(id: string | null, step: number): string | null {
    if (!id) return this.scene?.columns[0]?.[0] ?? null;
    const at = this.columnIndexOf(id);
    const from = this.byId.get(id);
    if (!at || !from) return null;
    const cols = this.scene!.columns;
    for (let c = at[0] + step; c >= 0 && c < cols.length; c += step) {
      const col = cols[c]!;
      if (!col.length) continue;
      let best = col[0]!;
      let bestD = Infinity;
      for (const other of col) {
        const d = Math.abs(this.byId.get(other)!.y - from.y);
        if (d < bestD) {
          bestD = d;
          best = other;
        }
      }
      return best;
    }
    return null;
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    this.clear();
    this.element.remove();
  }
}
