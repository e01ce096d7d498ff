/**
 * The explorer: the layered graph and, beside it, the details of the selected node — origin mix,
 * smelter mix by RMAP status, risk and its contributors, and whether it is a single point of
 * failure for the focal company. Without a selection it shows the focal company.
 */
import { applyCss } from '../components/inline-css.js';
import { clearStatus, showError, showLoading } from '../components/status.js';
import { originCountriesHtml, originTotalsHtml, smelterStatusHtml, RMAP_TITLES } from '../components/mix-tables.js';
import type { FocusData } from '../data/focus-data.js';
import { isAbort } from '../data/api-client.js';
import type { GraphNode, SinglePointsOfFailureAnswer } from '../data/schemas.js';
import { escapeHtml, formatRisk, formatShare } from '../render/format.js';
import { describeNode } from '../render/supply-scene.js';
import type { AppState } from '../state/app-state.js';
import type { GraphPanel, LoadedGraph } from './graph-panel.js';
import type { View, ViewContext } from './view.js';

export class ExplorerView implements View {
  readonly name = 'explorer' as const;
  readonly usesGraph = true;
  private readonly body: HTMLElement;
  private readonly status: HTMLElement;
  private generation = 0;
  private ctx: ViewContext | null = null;

  constructor(
    private readonly panel: HTMLElement,
    private readonly graphPanel: GraphPanel,
    private readonly app: AppState,
  ) {
    panel.innerHTML = `<div class="status" hidden></div><div class="details" aria-live="polite"></div>`;
    this.status = panel.querySelector('.status')!;
    this.body = panel.querySelector('.details')!;
    graphPanel.onRedraw(() => {
      if (this.ctx && !this.panel.hidden) void this.renderDetails(this.ctx);
    });
  }

  show(ctx: ViewContext): void {
    this.ctx = ctx;
    this.panel.hidden = false;
    this.graphPanel.setMarks({ emphasis: null, removed: new Set(), affected: new Set(), selected: ctx.state.node });
    void this.loadSpofMarks(ctx.focus);
    if (ctx.state.node) this.graphPanel.reveal([ctx.state.node]);
    void this.renderDetails(ctx);
  }

  hide(): void {
    this.panel.hidden = true;
    this.ctx = null;
  }

  private async loadSpofMarks(focus: FocusData): Promise<void> {
    try {
      const spof = await focus.singlePointsOfFailure();
      if (this.ctx?.focus === focus) this.graphPanel.setMarks({ spof: new Set(spof.singlePointsOfFailure.map((s) => s.id)) });
    } catch {
      // The details panel reports it; the drawing simply has no badges.
    }
  }

  private async renderDetails(ctx: ViewContext): Promise<void> {
    const generation = ++this.generation;
    const loaded = this.graphPanel.current;
    if (!loaded || loaded.focus !== ctx.focus) return;
    const id = ctx.state.node ?? ctx.focus.key.company;
    if (loaded.load.kind === 'groups') {
      this.renderGroup(loaded, id);
      return;
    }
    const graph = loaded.load.graph;
    const entry = graph.nodes.get(id);
    if (!entry) {
      clearStatus(this.status);
      this.body.innerHTML =
        `<p class="muted">Node <code>${escapeHtml(id)}</code> is not in this ${escapeHtml(ctx.focus.key.metal)}` +
        ` supply graph of ${escapeHtml(graph.nodes.get(graph.rootId)?.node.name ?? '')}.</p>`;
      return;
    }
    const node = entry.node;
    showLoading(this.status, `details of ${node.name}`);
    try {
      const [spof, origins, risk, focalOrigins] = await Promise.all([
        ctx.focus.singlePointsOfFailure(),
        node.label === 'Company' ? ctx.focus.originsOf(id) : Promise.resolve(null),
        node.label === 'Company' ? ctx.focus.riskOf(id) : Promise.resolve(null),
        node.label !== 'Company' ? ctx.focus.origins() : Promise.resolve(null),
      ]);
      if (generation !== this.generation) return;
      clearStatus(this.status);
      this.body.innerHTML = this.detailsHtml(loaded, node, entry.tier, spof, origins, risk, focalOrigins);
      applyCss(this.body);
      this.wireButtons(loaded, node);
    } catch (err) {
      if (generation !== this.generation || isAbort(err)) return;
      this.body.innerHTML = `<h2 class="details-title">${escapeHtml(node.name)}</h2>`;
      showError(this.status, err, () => void this.renderDetails(ctx));
    }
  }

  private detailsHtml(
    loaded: LoadedGraph,
    node: GraphNode,
    tier: number,
    spof: SinglePointsOfFailureAnswer,
    origins: Awaited<ReturnType<FocusData['originsOf']>> | null,
    risk: Awaited<ReturnType<FocusData['riskOf']>> | null,
    focalOrigins: Awaited<ReturnType<FocusData['origins']>> | null,
  ): string {
    if (loaded.load.kind !== 'graph') return '';
    const graph = loaded.load.graph;
    const metal = loaded.focus.key.metal;
    const focalName = graph.nodes.get(graph.rootId)?.node.name ?? graph.rootId;
    const isRoot = node.id === graph.rootId;
    const countryNames = new Map<string, { name: string; cahra: boolean }>();
    for (const n of graph.nodes.values())
      if (n.node.label === 'Country') countryNames.set(n.id, { name: n.node.name, cahra: n.node.cahra });

    const parts: string[] = [];
    parts.push(
      `<h2 class="details-title" data-node-id="${escapeHtml(node.id)}">${escapeHtml(node.name)}</h2>
      <p class="details-sub"><code>${escapeHtml(node.id)}</code> · ${escapeHtml(describeNode(node))}` +
        ` · ${isRoot ? 'focal company' : `tier ${tier}`}</p>`,
    );

    // Single point of failure badge.
    const s = spof.singlePointsOfFailure.find((x) => x.id === node.id);
    if (isRoot) {
      parts.push(
        `<p class="spof-line" data-field="redundancy">Redundancy of its ${escapeHtml(metal)} supply: <strong>${spof.redundancy}</strong>` +
          `${spof.redundancy === 1 ? ' (a single failure can cut it off)' : ''}.</p>`,
      );
    } else if (s) {
      parts.push(
        `<p class="badge badge-spof" data-field="spof">Single point of failure: <strong>${formatShare(s.share)}</strong>` +
          ` of ${escapeHtml(focalName)}'s ${escapeHtml(metal)} passes through it</p>`,
      );
    } else {
      parts.push(
        `<p class="badge badge-ok" data-field="spof">Not a single point of failure for ${escapeHtml(focalName)}'s ${escapeHtml(metal)}</p>`,
      );
    }

    // Risk.
    const ranked = loaded.risk.get(node.id);
    if (risk) {
      const contributors = risk.contributors.length
        ? `<table class="mix-table contributors"><caption>Top contributors</caption>` +
          `<thead><tr><th scope="col">Source</th><th scope="col" class="num">Adds</th></tr></thead>` +
          `<tbody>
            ${risk.contributors
              .map(
                (c) =>
                  `<tr data-contributor="${escapeHtml(c.id)}">` +
                  `<th scope="row"><button type="button" class="link" data-goto="${escapeHtml(c.id)}">${escapeHtml(c.name)}</button>` +
                  ` <span class="muted">${c.label.toLowerCase()}</span></th>` +
                  `<td class="num">${formatRisk(c.contribution)}</td></tr>`,
              )
              .join('')}
          </tbody></table>`
        : '<p class="muted">No source adds risk.</p>';
      parts.push(
        `<section class="details-section"><h3>Risk (${escapeHtml(metal)})</h3>
        <p><span class="big-number" data-field="risk">${formatRisk(risk.risk)}</span> propagated` +
          ` · <span data-field="intrinsic">${formatRisk(risk.intrinsic)}</span> its own</p>
        ${contributors}</section>`,
      );
    } else {
      parts.push(
        `<section class="details-section"><h3>Risk (${escapeHtml(metal)})</h3>` +
          `<p><span class="big-number" data-field="risk">${formatRisk(ranked)}</span> propagated</p></section>`,
      );
    }

    if (origins) {
      if (!origins.takesMetal || !origins.originMix || !origins.smelterMix) {
        parts.push(`<p class="muted">${escapeHtml(node.name)} takes no ${escapeHtml(metal)}.</p>`);
      } else {
        parts.push(
          `<section class="details-section"><h3>Origin mix</h3>` +
            `${originTotalsHtml(origins.originMix, node.name)}` +
            `${originCountriesHtml(origins.originMix, countryNames, 8)}</section>`,
        );
        parts.push(
          `<section class="details-section"><h3>Smelters by RMAP status</h3>${smelterStatusHtml(origins.smelterMix, node.name)}</section>`,
        );
      }
      for (const w of origins.warnings) parts.push(`<p class="warning">${escapeHtml(w)}</p>`);
    }

    if (node.label === 'Smelter') {
      const through = focalOrigins?.smelterMix?.bySmelter[node.id];
      parts.push(`<section class="details-section"><h3>Smelter</h3><dl class="facts">
        <dt>RMAP status</dt><dd data-field="rmap">${RMAP_TITLES[node.rmapStatus]}</dd>
        <dt>Metal</dt><dd>${escapeHtml(node.metal)}</dd>
        <dt>Located in</dt><dd>${escapeHtml(countryNames.get(node.country)?.name ?? node.country)}</dd>
        ${node.recycledOrScrap ? '<dt>Feed</dt><dd>recycled or scrap</dd>' : ''}
        ${node.lastAudit ? `<dt>Last audit</dt><dd>${escapeHtml(node.lastAudit)}</dd>` : ''}
        ${
          through !== undefined
            ? `<dt>Share of ${escapeHtml(focalName)}'s ${escapeHtml(metal)}</dt><dd data-field="through">${formatShare(through)}</dd>`
            : ''
        }
      </dl></section>`);
      const sources = graph.suppliersOf(node.id);
      if (sources.length) {
        parts.push(
          `<table class="mix-table"><caption>Ore from</caption><tbody>${sources
            .map(
              (e) =>
                `<tr><th scope="row">${escapeHtml(graph.nodes.get(e.from)?.node.name ?? e.from)}` +
                `${countryNames.get(e.from)?.cahra ? ' <span class="badge badge-cahra">CAHRA</span>' : ''}</th>` +
                `<td class="num">${e.effectiveShare === undefined ? '?' : formatShare(e.effectiveShare)}</td></tr>`,
            )
            .join('')}</tbody></table>`,
        );
      }
    }
    if (node.label === 'Country') {
      const share = focalOrigins?.originMix?.byCountry[node.id];
      parts.push(`<section class="details-section"><h3>Country</h3><dl class="facts">
        <dt>CAHRA</dt><dd data-field="cahra">${node.cahra ? 'yes' : 'no'}</dd>
        <dt>Lists</dt><dd>${node.lists.length ? escapeHtml(node.lists.join(', ')) : 'none'}</dd>
        ${
          share !== undefined
            ? `<dt>Share of ${escapeHtml(focalName)}'s ${escapeHtml(metal)}</dt><dd data-field="through">${formatShare(share)}</dd>`
            : ''
        }
      </dl></section>`);
    }
    if (node.label === 'Company') {
      parts.push(`<dl class="facts"><dt>Country</dt><dd>${escapeHtml(countryNames.get(node.country)?.name ?? node.country)}</dd>
        ${node.saqScore !== undefined ? `<dt>SAQ score</dt><dd>${node.saqScore}</dd>` : ''}
        ${node.humanRightsRisk ? `<dt>Human-rights risk</dt><dd>${escapeHtml(node.humanRightsRisk)}</dd>` : ''}</dl>`);
    }

    // Actions.
    const actions: string[] = [];
    const hasSuppliers = graph.suppliersOf(node.id).length > 0;
    if (graph.frontier.has(node.id)) actions.push('<button type="button" data-action="expand">Load suppliers (+)</button>');
    else if (hasSuppliers && this.graphPanel.isCollapsed(node.id))
      actions.push('<button type="button" data-action="expand">Expand suppliers (+)</button>');
    else if (hasSuppliers && !isRoot) actions.push('<button type="button" data-action="collapse">Collapse suppliers (−)</button>');
    if (node.label === 'Company' && !isRoot) actions.push('<button type="button" data-action="focus">Make focal company</button>');
    if (actions.length) parts.push(`<div class="actions">${actions.join('')}</div>`);
    return parts.join('\n');
  }

  private wireButtons(loaded: LoadedGraph, node: GraphNode): void {
    this.body.querySelector('[data-action="expand"]')?.addEventListener('click', () => void this.graphPanel.toggleSuppliers(node.id, true));
    this.body
      .querySelector('[data-action="collapse"]')
      ?.addEventListener('click', () => void this.graphPanel.toggleSuppliers(node.id, false));
    this.body
      .querySelector('[data-action="focus"]')
      ?.addEventListener('click', () => this.app.update({ company: node.id, node: null, path: null, fail: [], simulate: false }));
    for (const b of this.body.querySelectorAll<HTMLButtonElement>('[data-goto]')) {
      b.addEventListener('click', () => {
        const target = b.dataset.goto!;
        if (loaded.load.kind === 'graph' && loaded.load.graph.nodes.has(target)) this.app.update({ node: target });
      });
    }
  }

  private renderGroup(loaded: LoadedGraph, id: string): void {
    const c = loaded.load.answer.collapsed;
    clearStatus(this.status);
    const group = c?.groups.find((g) => g.key === id) ?? c?.groups.find((g) => g.key === 'center');
    if (!c || !group) {
      this.body.innerHTML = '';
      return;
    }
    const counts = Object.entries(group.byLabel)
      .map(([l, n]) => `<li>${n.toLocaleString('en')} ${escapeHtml(l)}</li>`)
      .join('');
    this.body.innerHTML =
      `<h2 class="details-title">${escapeHtml(group.name)}</h2>
      <p class="details-sub">${group.size.toLocaleString('en')} node${group.size === 1 ? '' : 's'}` +
      `, grouped by ${escapeHtml(c.by)} by the server; lowest tier ${group.tier}</p>
      <ul>${counts}</ul>
      <h3>Members (first ${group.sampleIds.length})</h3>
      <ul class="sample-ids">${group.sampleIds
        .map((s) => `<li><button type="button" class="link" data-company="${escapeHtml(s)}">${escapeHtml(s)}</button></li>`)
        .join('')}</ul>
      <p class="muted">Open a member as the focal company, or choose grouping “none” to draw every node (on canvas).</p>`;
    for (const b of this.body.querySelectorAll<HTMLButtonElement>('[data-company]')) {
      b.addEventListener('click', () =>
        this.app.update({ company: b.dataset.company!, node: null, path: null, fail: [], simulate: false }),
      );
    }
  }
}
