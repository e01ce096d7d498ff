/**
 * The layered view's panel, shared by the explorer, single-points-of-failure and risk-paths views:
 * toolbar (depth, grouping, fit), the drawing, its legend and its loading/error state. It owns
 * which nodes have their suppliers collapsed and grows the graph when a node at its edge is
 * expanded. Views lay their marks over it (selection, a path, single points of failure).
 */
import { isAbort } from '../data/api-client.js';
import type { FocusData, GraphLoad } from '../data/focus-data.js';
import { visiblePart } from '../data/supply-graph.js';
import { clearStatus, showError, showLoading, showMessage } from '../components/status.js';
import type { GraphMarks } from '../render/graph-scene.js';
import { renderGraphLegend } from '../render/graph-style.js';
import { LayeredGraph } from '../render/layered-graph.js';
import { groupScene, supplyScene } from '../render/supply-scene.js';
import type { AppState } from '../state/app-state.js';
import { GROUPINGS, MAX_DEPTH, type UrlState } from '../state/url-state.js';
import { escapeHtml } from '../render/format.js';

export interface LoadedGraph {
  focus: FocusData;
  load: GraphLoad;
  risk: Map<string, number>;
}

const GROUPING_TITLES: Record<(typeof GROUPINGS)[number], string> = {
  auto: 'auto (group when large)',
  none: 'none (draw every node)',
  tier: 'by tier',
  country: 'by country',
  metal: 'by metal',
};

export class GraphPanel {
  readonly graph: LayeredGraph;
  private readonly status: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly depthSelect: HTMLSelectElement;
  private readonly groupingSelect: HTMLSelectElement;
  private loaded: LoadedGraph | null = null;
  private loading: FocusData | null = null;
  private pending: Promise<LoadedGraph | null> | null = null;
  private collapsed = new Set<string>();
  private readonly redrawListeners = new Set<(loaded: LoadedGraph) => void>();

  constructor(
    readonly root: HTMLElement,
    private readonly app: AppState,
  ) {
    root.innerHTML = `
      <div class="graph-toolbar">
        <label>Depth <select class="graph-depth" aria-label="Hops upstream to load"></select></label>
        <label>Grouping <select class="graph-grouping" aria-label="Server-side grouping of large neighbourhoods"></select></label>
        <button type="button" class="graph-fit" title="Fit the drawing (F)">Fit</button>
        <span class="graph-summary" aria-live="polite"></span>
      </div>
      <div class="graph-area">
        <div class="graph-status status" hidden></div>
      </div>
      <details class="graph-legend" open><summary>Legend</summary><div class="legend-body"></div></details>`;
    this.status = root.querySelector('.graph-status')!;
    this.summary = root.querySelector('.graph-summary')!;
    this.depthSelect = root.querySelector('.graph-depth')!;
    this.groupingSelect = root.querySelector('.graph-grouping')!;
    for (let d = 1; d <= MAX_DEPTH; d++) this.depthSelect.add(new Option(String(d), String(d)));
    for (const g of GROUPINGS) this.groupingSelect.add(new Option(GROUPING_TITLES[g], g));
    this.depthSelect.addEventListener('change', () => app.update({ depth: Number(this.depthSelect.value) }, 'replace'));
    this.groupingSelect.addEventListener('change', () =>
      app.update({ grouping: this.groupingSelect.value as UrlState['grouping'] }, 'replace'),
    );
    root.querySelector('.graph-fit')!.addEventListener('click', () => this.graph.fit());
    renderGraphLegend(root.querySelector('.legend-body')!);
    this.graph = new LayeredGraph(root.querySelector('.graph-area')!, {
      onSelect: (id) => app.update({ node: id }),
      onToggleSuppliers: (id, expand) => void this.toggleSuppliers(id, expand),
    });
  }

  get current(): LoadedGraph | null {
    return this.loaded;
  }

  /** Called after every redraw, so views can lay their marks again. */
  onRedraw(listener: (loaded: LoadedGraph) => void): void {
    this.redrawListeners.add(listener);
  }

  syncControls(state: UrlState): void {
    this.depthSelect.value = String(state.depth);
    this.groupingSelect.value = state.grouping;
  }

  /** Load (or reuse) the graph of a focus and draw it; resolves to null when it failed or was superseded. */
  load(focus: FocusData): Promise<LoadedGraph | null> {
    if (this.loaded?.focus === focus) return Promise.resolve(this.loaded);
    if (this.loading === focus && this.pending) return this.pending;
    this.pending = this.fetchAndDraw(focus);
    return this.pending;
  }

  private async fetchAndDraw(focus: FocusData): Promise<LoadedGraph | null> {
    this.loading = focus;
    this.loaded = null;
    this.collapsed = new Set();
    this.graph.clear();
    this.summary.textContent = '';
    showLoading(this.status, 'the supply graph');
    try {
      const [load, risk] = await Promise.all([focus.graph(), focus.riskByNode()]);
      if (this.loading !== focus) return null;
      this.loaded = { focus, load, risk };
      clearStatus(this.status);
      this.redraw(false);
      return this.loaded;
    } catch (err) {
      if (this.loading !== focus || isAbort(err)) return null;
      this.loading = null;
      showError(this.status, err, () => void this.load(focus));
      return null;
    }
  }

  /** Rebuild the scene from the graph and the collapsed set; keepView keeps pan and zoom. */
  redraw(keepView: boolean): void {
    const loaded = this.loaded;
    if (!loaded) return;
    const { load, risk } = loaded;
    const renderer = this.app.state.renderer;
    if (load.kind === 'groups') {
      const c = load.answer.collapsed!;
      this.graph.show(groupScene(c), renderer, keepView);
      this.summary.innerHTML =
        `${load.answer.totalNodes.toLocaleString('en')} nodes, ${load.answer.totalRelationships.toLocaleString('en')}` +
        ` SUPPLIES, grouped by ${escapeHtml(c.by)} into ${c.groups.length} groups by the server.` +
        ` Choose grouping “none” to draw every node.`;
    } else {
      const visible = visiblePart(load.graph, this.collapsed);
      if (visible.nodes.length <= 1 && visible.edges.length === 0) {
        showMessage(
          this.status,
          `<p><strong>${escapeHtml(load.answer.center.name)}</strong>` +
            ` has no known suppliers of ${escapeHtml(loaded.focus.key.metal)}.</p>` +
            '<p>Pick another metal, or another company.</p>',
        );
      } else {
        clearStatus(this.status);
      }
      const scene = supplyScene(load.graph.rootId, visible, risk);
      this.graph.show(scene, renderer, keepView);
      const hidden = load.graph.nodes.size - visible.nodes.length;
      const unranked = loaded.focus.riskRankingTruncated
        ? " · risk colours for the 1,000 riskiest nodes of each kind (the risk ranking's limit); grey nodes rank below them"
        : '';
      this.summary.textContent =
        `${visible.nodes.length.toLocaleString('en')} nodes, ${visible.edges.length.toLocaleString('en')}` +
        ` SUPPLIES of ${loaded.focus.key.metal}${hidden > 0 ? ` (${hidden} hidden)` : ''}` +
        ` · drawn with ${this.graph.rendererKind === 'canvas' ? 'canvas' : 'SVG'}${unranked}`;
    }
    for (const l of this.redrawListeners) l(loaded);
  }

  setMarks(patch: Partial<GraphMarks>): void {
    this.graph.setMarks(patch);
  }

  /** Make sure these nodes are drawn: un-collapse whatever hides them. */
  reveal(ids: readonly string[]): void {
    const loaded = this.loaded;
    if (loaded?.load.kind !== 'graph') return;
    const graph = loaded.load.graph;
    const visible = visiblePart(graph, this.collapsed);
    if (ids.every((id) => visible.tierOf.has(id) || !graph.nodes.has(id))) return;
    this.collapsed.clear();
    this.redraw(true);
  }

  async toggleSuppliers(id: string, expand: boolean | null): Promise<void> {
    const loaded = this.loaded;
    if (loaded?.load.kind !== 'graph') return;
    const graph = loaded.load.graph;
    const isHidden = this.collapsed.has(id) || graph.frontier.has(id);
    const wantExpand = expand ?? isHidden;
    if (wantExpand) {
      this.collapsed.delete(id);
      if (graph.frontier.has(id)) {
        showLoading(this.status, `the suppliers of ${graph.nodes.get(id)?.node.name ?? id}`);
        try {
          await loaded.focus.expand(graph, id);
          clearStatus(this.status);
        } catch (err) {
          showError(this.status, err, () => void this.toggleSuppliers(id, true));
          return;
        }
      }
    } else {
      if (id === graph.rootId || graph.suppliersOf(id).length === 0) return;
      this.collapsed.add(id);
    }
    this.redraw(true);
  }

  isCollapsed(id: string): boolean {
    return this.collapsed.has(id);
  }
}
