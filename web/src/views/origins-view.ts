/**
 * Origins: where the focal company's metal comes from — the API's origin mix and smelter mix as
 * figures, a Sankey from origin countries through smelters and supplier tiers to the company (CAHRA
 * flows highlighted), and a world map of the origin mix. Loaded on demand: its drawing code (the
 * Sankey, the map and its shapes) is a separate chunk.
 */
import { applyCss } from '../components/inline-css.js';
import { clearStatus, showError, showLoading } from '../components/status.js';
import { originCountriesHtml, originTotalsHtml, RMAP_TITLES, smelterStatusHtml } from '../components/mix-tables.js';
import { api, isAbort } from '../data/api-client.js';
import { originSankey, type SankeyNodeSpec } from '../data/origin-sankey.js';
import type { OriginsAnswer } from '../data/schemas.js';
import type { SupplyGraph } from '../data/supply-graph.js';
import { escapeHtml, formatShare } from '../render/format.js';
import { drawOriginSankey } from '../render/origin-sankey-drawing.js';
import { drawOriginMap } from '../render/world-map.js';
import type { View, ViewContext } from './view.js';

let cahraCountries: Promise<Set<string>> | null = null;
function loadCahraCountries(): Promise<Set<string>> {
  cahraCountries ??= api.cahraCountries().then((page) => new Set(page.items.map((c) => c.id)));
  cahraCountries.catch(() => (cahraCountries = null));
  return cahraCountries;
}

export class OriginsView implements View {
  readonly name = 'origins' as const;
  readonly usesGraph = false;
  private readonly status: HTMLElement;
  private readonly figures: HTMLElement;
  private readonly sankeyBox: HTMLElement;
  private readonly mapBox: HTMLElement;
  private readonly mapNote: HTMLElement;
  private readonly highlight: HTMLInputElement;
  private ctx: ViewContext | null = null;
  private shown: string | null = null;

  constructor(private readonly panel: HTMLElement) {
    panel.innerHTML = `
      <div class="status" hidden></div>
      <div class="origins-grid">
        <section class="origins-figures" aria-label="Origin figures"></section>
        <section class="origins-sankey-section">
          <div class="section-head"><h2>Flow from origins to the company</h2>
            <label><input type="checkbox" class="highlight-cahra-toggle" checked> highlight CAHRA flows</label></div>
          <div class="origins-sankey"></div>
          <p class="muted sankey-note">Bands are drawn from the declared shares; the figures are the API's origin and smelter mix.</p>
        </section>
        <section class="origins-map-section">
          <h2>Origin countries</h2>
          <div class="origins-map"></div>
          <p class="map-note muted"></p>
        </section>
      </div>`;
    this.status = panel.querySelector('.status')!;
    this.figures = panel.querySelector('.origins-figures')!;
    this.sankeyBox = panel.querySelector('.origins-sankey')!;
    this.mapBox = panel.querySelector('.origins-map')!;
    this.mapNote = panel.querySelector('.map-note')!;
    this.highlight = panel.querySelector('.highlight-cahra-toggle')!;
    this.highlight.addEventListener('change', () => {
      this.sankeyBox.querySelector('svg')?.classList.toggle('highlight-cahra', this.highlight.checked);
    });
  }

  show(ctx: ViewContext): void {
    this.ctx = ctx;
    this.panel.hidden = false;
    const key = `${ctx.focus.key.company}|${ctx.focus.key.metal}|${ctx.focus.key.depth}`;
    if (this.shown !== key) void this.load(ctx, key);
  }

  hide(): void {
    this.panel.hidden = true;
    this.ctx = null;
  }

  private async load(ctx: ViewContext, key: string): Promise<void> {
    this.shown = key;
    this.figures.innerHTML = '';
    this.sankeyBox.innerHTML = '';
    this.mapBox.innerHTML = '';
    this.mapNote.textContent = '';
    showLoading(this.status, 'origins');
    try {
      const [origins, graph, cahra] = await Promise.all([ctx.focus.origins(), ctx.focus.fullGraph(), loadCahraCountries()]);
      if (this.shown !== key) return;
      clearStatus(this.status);
      this.render(origins, graph, cahra);
    } catch (err) {
      if (this.shown !== key || isAbort(err)) return;
      this.shown = null;
      showError(this.status, err, () => void this.load(ctx, key));
    }
  }

  private render(origins: OriginsAnswer, graph: SupplyGraph, cahra: Set<string>): void {
    const company = origins.company.name;
    const metal = origins.metal;
    if (!origins.takesMetal || !origins.originMix || !origins.smelterMix) {
      const name = escapeHtml(company);
      this.figures.innerHTML = `<h2>${name}</h2><p>${name} takes no ${escapeHtml(metal)}: there is no origin to show.</p>`;
      return;
    }
    const names = new Map<string, { name: string; cahra: boolean }>();
    for (const n of graph.nodes.values()) if (n.node.label === 'Country') names.set(n.id, { name: n.node.name, cahra: n.node.cahra });
    const topSmelters = Object.entries(origins.smelterMix.bySmelter)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 10);
    this.figures.innerHTML = `
      <h2>Origins of ${escapeHtml(company)}'s ${escapeHtml(metal)}</h2>
      <p class="muted">Snapshot ${origins.snapshotVersion}, risk policy ${escapeHtml(origins.policyVersion)}</p>
      ${origins.warnings.map((w) => `<p class="warning">${escapeHtml(w)}</p>`).join('')}
      <h3>Origin mix</h3>${originTotalsHtml(origins.originMix, company)}
      <h3>By country</h3>${originCountriesHtml(origins.originMix, names)}
      <h3>Smelters by RMAP status</h3>${smelterStatusHtml(origins.smelterMix, company)}
      <h3>Top smelters</h3>
      <table class="mix-table top-smelters"><tbody>${topSmelters
        .map(([id, share]) => {
          const s = graph.nodes.get(id)?.node;
          const status = s?.label === 'Smelter' ? RMAP_TITLES[s.rmapStatus] : '';
          return (
            `<tr data-smelter="${escapeHtml(id)}"><th scope="row">${escapeHtml(s?.name ?? id)}` +
            ` <span class="muted">${escapeHtml(status)}</span></th>` +
            `<td class="num">${formatShare(share)}</td></tr>`
          );
        })
        .join('')}</tbody></table>`;
    applyCss(this.figures);

    const model = originSankey(graph);
    const mix = origins.originMix;
    const smelterMix = origins.smelterMix;
    const labelOf = (n: SankeyNodeSpec, computed: number): string => {
      if (n.kind === 'country' && n.graphId) return formatShare(mix.byCountry[n.graphId] ?? computed);
      if (n.kind === 'smelter' && n.graphId) return formatShare(smelterMix.bySmelter[n.graphId] ?? computed);
      if (n.kind === 'recycled') return formatShare(mix.recycled);
      if (n.kind === 'company') return formatShare(1);
      return formatShare(computed);
    };
    drawOriginSankey(this.sankeyBox, model, { labelOf, highlightCahra: this.highlight.checked });
    const apiTotal = { cahra: mix.cahra, other: mix.nonCahra, recycled: mix.recycled, undisclosed: mix.undisclosed };
    const gap = Math.max(...(Object.keys(apiTotal) as (keyof typeof apiTotal)[]).map((k) => Math.abs(apiTotal[k] - model.totals[k])));
    if (gap > 1e-6 || !model.converged) {
      this.sankeyBox.insertAdjacentHTML(
        'beforeend',
        `<p class="warning">The bands cover the suppliers loaded (depth ${this.ctx?.focus.key.depth ?? ''});` +
          ` they differ from the API's figures by up to ${formatShare(gap)}.</p>`,
      );
    }

    const countries = Object.entries(mix.byCountry).map(([code, share]) => ({
      code,
      share,
      name: names.get(code)?.name ?? code,
      cahra: names.get(code)?.cahra ?? cahra.has(code),
    }));
    drawOriginMap(this.mapBox, countries, cahra).then(
      (missing) => {
        this.mapNote.textContent = missing.length
          ? `Too small for this map: ${missing.map((m) => `${m.name} ${formatShare(m.share)}`).join(', ')}.`
          : '';
      },
      (err: unknown) => showError(this.mapBox, err),
    );
  }
}
