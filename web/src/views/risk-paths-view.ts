/**
 * Risk paths: the top-k paths from the focal company to high-risk sources, heaviest first.
 * Selecting one (click, or arrows and Enter) highlights its nodes and edges in the layered view.
 */
import { clearStatus, showError, showLoading } from '../components/status.js';
import { isAbort } from '../data/api-client.js';
import type { RiskPath, RiskPathsAnswer } from '../data/schemas.js';
import { edgeKey } from '../data/supply-graph.js';
import { escapeHtml, formatShare } from '../render/format.js';
import type { AppState } from '../state/app-state.js';
import { PATH_LIMITS } from '../state/url-state.js';
import type { GraphPanel } from './graph-panel.js';
import type { View, ViewContext } from './view.js';

/** Path weights are small products; scientific notation below 0.001 keeps them comparable. */
export function formatWeight(w: number): string {
  return w >= 0.001 ? w.toFixed(4) : w.toExponential(2);
}

export class RiskPathsView implements View {
  readonly name = 'paths' as const;
  readonly usesGraph = true;
  private readonly status: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly limit: HTMLSelectElement;
  private ctx: ViewContext | null = null;
  private answer: RiskPathsAnswer | null = null;
  private loadedKey = '';

  constructor(
    private readonly panel: HTMLElement,
    private readonly graphPanel: GraphPanel,
    private readonly app: AppState,
  ) {
    panel.innerHTML = `
      <h2>Risk paths</h2>
      <label>Show the top <select class="paths-limit" aria-label="How many paths"></select> paths</label>
      <div class="status" hidden></div>
      <div class="paths-summary"></div>
      <ol class="paths-list selectable-list" role="listbox" aria-label="Risk paths, heaviest first" tabindex="0"></ol>`;
    this.status = panel.querySelector('.status')!;
    this.summary = panel.querySelector('.paths-summary')!;
    this.list = panel.querySelector('.paths-list')!;
    this.limit = panel.querySelector('.paths-limit')!;
    for (const k of PATH_LIMITS) this.limit.add(new Option(String(k), String(k)));
    this.limit.addEventListener('change', () => this.app.update({ k: Number(this.limit.value), path: null }));
    this.list.addEventListener('keydown', (e) => this.onKey(e));
    this.list.addEventListener('focus', () => {
      if (this.ctx && this.ctx.state.path === null && this.answer?.paths.length) this.app.update({ path: 0 });
    });
    graphPanel.onRedraw(() => {
      if (this.ctx && !this.panel.hidden) this.highlightSelected();
    });
  }

  show(ctx: ViewContext): void {
    this.ctx = ctx;
    this.panel.hidden = false;
    if (!PATH_LIMITS.includes(ctx.state.k as (typeof PATH_LIMITS)[number]))
      this.limit.add(new Option(String(ctx.state.k), String(ctx.state.k)));
    this.limit.value = String(ctx.state.k);
    this.graphPanel.setMarks({ removed: new Set(), affected: new Set(), spof: new Set(), selected: ctx.state.node });
    const key = `${ctx.focus.key.company}|${ctx.focus.key.metal}|${ctx.state.k}`;
    if (key !== this.loadedKey || !this.answer) void this.load(ctx, key);
    else this.renderSelection();
  }

  hide(): void {
    this.panel.hidden = true;
    this.graphPanel.setMarks({ emphasis: null });
    this.ctx = null;
  }

  private async load(ctx: ViewContext, key: string): Promise<void> {
    this.loadedKey = key;
    this.answer = null;
    this.list.innerHTML = '';
    this.summary.innerHTML = '';
    showLoading(this.status, 'risk paths');
    let answer: RiskPathsAnswer;
    try {
      answer = await ctx.focus.riskPaths(ctx.state.k);
    } catch (err) {
      if (this.loadedKey === key && !isAbort(err)) {
        this.loadedKey = '';
        showError(this.status, err, () => void this.load(ctx, key));
      }
      return;
    }
    if (this.loadedKey !== key) return;
    clearStatus(this.status);
    this.answer = answer;
    const company = escapeHtml(answer.company.name);
    const metal = escapeHtml(answer.metal);
    if (!answer.takesMetal) this.summary.innerHTML = `<p>${company} takes no ${metal}.</p>`;
    else if (!answer.paths.length) this.summary.innerHTML = `<p>No path from ${company} reaches a high-risk source of ${metal}.</p>`;
    else
      this.summary.innerHTML =
        `<p><span data-field="path-count">${answer.paths.length}</span> heaviest path${answer.paths.length === 1 ? '' : 's'}` +
        ` from ${company} to high-risk sources of ${metal}.` +
        ' Weight: product of shares × decay per hop × risk of the source.</p>';
    this.list.innerHTML = answer.paths.map((p, i) => this.pathHtml(p, i)).join('');
    for (const li of this.list.querySelectorAll<HTMLLIElement>('li')) {
      li.addEventListener('click', () => this.app.update({ path: Number(li.dataset.index) }));
    }
    this.renderSelection();
  }

  private pathHtml(p: RiskPath, i: number): string {
    const source = p.hops[p.hops.length - 1]!;
    const hops = p.hops
      .map(
        (h, j) => `<span class="hop">${escapeHtml(h.name)}${j > 0 ? ` <span class="muted">(${formatShare(h.share)})</span>` : ''}</span>`,
      )
      .join('<span class="hop-arrow" aria-label="buys from"> ← </span>');
    return `<li role="option" id="path-option-${i}" data-index="${i}" aria-selected="false">
      <div class="path-head"><span class="path-rank">${i + 1}</span>
        <span class="path-source">${escapeHtml(source.name)} <span class="muted">${source.label.toLowerCase()}</span></span>
        <span class="num path-weight" data-field="weight">${formatWeight(p.weight)}</span></div>
      <div class="path-hops">${hops}</div>
    </li>`;
  }

  private renderSelection(): void {
    const selected = this.ctx?.state.path ?? null;
    for (const li of this.list.querySelectorAll<HTMLLIElement>('li')) {
      const on = Number(li.dataset.index) === selected;
      li.setAttribute('aria-selected', String(on));
      li.classList.toggle('chosen', on);
      if (on) {
        this.list.setAttribute('aria-activedescendant', li.id);
        li.scrollIntoView({ block: 'nearest' });
      }
    }
    this.highlightSelected();
  }

  private highlightSelected(): void {
    const index = this.ctx?.state.path ?? null;
    const path = index === null ? undefined : this.answer?.paths[index];
    if (!path) {
      this.graphPanel.setMarks({ emphasis: null });
      return;
    }
    const ids = path.hops.map((h) => h.id);
    this.graphPanel.reveal(ids);
    // Hops run from the company towards the source; material flows the other way.
    const edges = new Set<string>();
    for (let j = 1; j < ids.length; j++) edges.add(edgeKey(ids[j]!, ids[j - 1]!));
    this.graphPanel.setMarks({ emphasis: { nodes: new Set(ids), edges } });
    this.graphPanel.graph.centreOn(ids[ids.length - 1]!);
  }

  private onKey(e: KeyboardEvent): void {
    const count = this.answer?.paths.length ?? 0;
    if (!count || !this.ctx) return;
    const current = this.ctx.state.path;
    let next: number | null = current;
    switch (e.key) {
      case 'ArrowDown':
        next = current === null ? 0 : Math.min(count - 1, current + 1);
        break;
      case 'ArrowUp':
        next = current === null ? 0 : Math.max(0, current - 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = count - 1;
        break;
      case 'Escape':
        next = null;
        break;
      default:
        return;
    }
    e.preventDefault();
    this.app.update({ path: next });
  }
}
