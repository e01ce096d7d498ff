/**
 * Single points of failure: the nodes every supply path of the metal into the focal company passes
 * through, with the share through each and the redundancy level (and one minimum cut). Hovering or
 * moving through the list highlights the node in the graph; "Simulate failure" removes the chosen
 * nodes (POST /scenarios/impact) and lists the impact on every affected company.
 */
import { clearStatus, showError, showLoading } from '../components/status.js';
import { api, isAbort } from '../data/api-client.js';
import type { ImpactAnswer, SinglePointsOfFailureAnswer } from '../data/schemas.js';
import { escapeHtml, formatShare } from '../render/format.js';
import type { AppState } from '../state/app-state.js';
import type { UrlState } from '../state/url-state.js';
import type { GraphPanel } from './graph-panel.js';
import type { View, ViewContext } from './view.js';

interface Candidate {
  id: string;
  name: string;
  label: string;
  share: number | null;
  spof: boolean;
}

export class SpofView implements View {
  readonly name = 'spof' as const;
  readonly usesGraph = true;
  private readonly status: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly simulateButton: HTMLButtonElement;
  private readonly allMetals: HTMLInputElement;
  private readonly impactStatus: HTMLElement;
  private readonly impactBody: HTMLElement;
  private ctx: ViewContext | null = null;
  private candidates: Candidate[] = [];
  private generation = 0;
  private impactKey = '';

  constructor(
    private readonly panel: HTMLElement,
    private readonly graphPanel: GraphPanel,
    private readonly app: AppState,
  ) {
    panel.innerHTML =
      `
      <h2>Single points of failure</h2>
      <div class="status" hidden></div>
      <div class="spof-summary"></div>
      <p class="hint muted">Hover or move through the list to find a node in the graph; Space or a click chooses it for the simulation.</p>
      <ul class="spof-list selectable-list" role="listbox" aria-multiselectable="true"` +
      ` aria-label="Single points of failure and the minimum cut" tabindex="0"></ul>
      <div class="simulate-row">
        <button type="button" class="simulate" disabled>Simulate failure</button>
        <label><input type="checkbox" class="all-metals"> all metals</label>
      </div>
      <section class="impact" aria-live="polite">
        <div class="status" hidden></div>
        <div class="impact-body"></div>
      </section>`;
    this.status = panel.querySelector(':scope > .status')!;
    this.summary = panel.querySelector('.spof-summary')!;
    this.list = panel.querySelector('.spof-list')!;
    this.simulateButton = panel.querySelector('.simulate')!;
    this.allMetals = panel.querySelector('.all-metals')!;
    this.impactStatus = panel.querySelector('.impact .status')!;
    this.impactBody = panel.querySelector('.impact-body')!;
    this.simulateButton.addEventListener('click', () => this.app.update({ simulate: true }));
    this.allMetals.addEventListener('change', () => {
      if (this.ctx?.state.simulate) void this.runImpact(this.ctx.state);
    });
    this.list.addEventListener('keydown', (e) => this.onListKey(e));
    this.list.addEventListener('focus', () => {
      if (!this.list.querySelector('[data-active]')) this.setActive(0);
    });
    this.list.addEventListener('mouseleave', () => this.highlight(null));
    graphPanel.onRedraw(() => {
      if (this.ctx && !this.panel.hidden) this.applyMarks();
    });
  }

  show(ctx: ViewContext): void {
    const focusChanged = this.ctx?.focus !== ctx.focus;
    this.ctx = ctx;
    this.panel.hidden = false;
    if (focusChanged) void this.load(ctx);
    else this.renderChoice();
    if (ctx.state.simulate) void this.runImpact(ctx.state);
    else this.clearImpact();
    this.applyMarks();
  }

  hide(): void {
    this.panel.hidden = true;
    this.graphPanel.setMarks({ emphasis: null, removed: new Set(), affected: new Set() });
    this.ctx = null;
  }

  private async load(ctx: ViewContext): Promise<void> {
    const generation = ++this.generation;
    this.candidates = [];
    this.list.innerHTML = '';
    this.summary.innerHTML = '';
    showLoading(this.status, 'single points of failure');
    let answer: SinglePointsOfFailureAnswer;
    try {
      answer = await ctx.focus.singlePointsOfFailure();
    } catch (err) {
      if (generation === this.generation && !isAbort(err)) showError(this.status, err, () => void this.load(ctx));
      return;
    }
    if (generation !== this.generation) return;
    clearStatus(this.status);
    const metal = answer.metal;
    if (!answer.takesMetal) {
      this.summary.innerHTML = `<p>${escapeHtml(answer.company.name)} takes no ${escapeHtml(metal)}.</p>`;
      this.renderChoice();
      return;
    }
    const cutOnly = answer.minimumCut.filter((id) => !answer.singlePointsOfFailure.some((s) => s.id === id));
    const names = this.namesInGraph();
    this.candidates = [
      ...answer.singlePointsOfFailure.map((s) => ({ id: s.id, name: s.name, label: s.label, share: s.share, spof: true })),
      ...cutOnly.map((id) => ({ id, name: names.get(id)?.name ?? id, label: names.get(id)?.label ?? '', share: null, spof: false })),
    ];
    const redundancyText =
      answer.redundancy === 0
        ? 'it has no known source'
        : answer.redundancy === 1
          ? 'one failure can cut it off'
          : `${answer.redundancy} nodes must fail together to cut it off`;
    this.summary.innerHTML =
      `<p>Redundancy of ${escapeHtml(answer.company.name)}'s ${escapeHtml(metal)} supply:
        <strong class="big-number" data-field="redundancy">${answer.redundancy}</strong> — ${redundancyText}.</p>
      <p><span data-field="spof-count">${answer.singlePointsOfFailure.length}</span>` +
      ` single point${answer.singlePointsOfFailure.length === 1 ? '' : 's'} of failure${
        cutOnly.length ? `; one minimum cut adds ${cutOnly.length} more node${cutOnly.length === 1 ? '' : 's'} below` : ''
      }.</p>`;
    this.list.innerHTML = this.candidates
      .map(
        (c, i) =>
          `<li role="option" id="spof-option-${i}" data-id="${escapeHtml(c.id)}" aria-selected="false">
          <span class="check" aria-hidden="true"></span>
          <span class="spof-name">${escapeHtml(c.name)} <span class="muted">${escapeHtml(c.label.toLowerCase())}</span></span>
          <span class="num spof-share" data-field="share">` +
          `${c.share === null ? '<span class="muted">minimum cut</span>' : formatShare(c.share)}</span>
        </li>`,
      )
      .join('');
    for (const li of this.list.querySelectorAll<HTMLLIElement>('li')) {
      const id = li.dataset.id!;
      li.addEventListener('mouseenter', () => this.highlight(id));
      li.addEventListener('click', () => {
        this.setActive(this.candidates.findIndex((c) => c.id === id));
        this.toggle(id);
      });
    }
    if (!this.candidates.length) this.list.innerHTML = '<li class="muted" role="presentation">None: no single node carries all of it.</li>';
    this.renderChoice();
    this.applyMarks();
  }

  private namesInGraph(): Map<string, { name: string; label: string }> {
    const names = new Map<string, { name: string; label: string }>();
    const loaded = this.graphPanel.current;
    if (loaded?.load.kind === 'graph')
      for (const n of loaded.load.graph.nodes.values()) names.set(n.id, { name: n.node.name, label: n.node.label });
    return names;
  }

  private toggle(id: string): void {
    const fail = this.ctx?.state.fail ?? [];
    const next = fail.includes(id) ? fail.filter((x) => x !== id) : [...fail, id];
    this.app.update({ fail: next, simulate: false });
  }

  private renderChoice(): void {
    const fail = new Set(this.ctx?.state.fail ?? []);
    for (const li of this.list.querySelectorAll<HTMLLIElement>('li[data-id]')) {
      const chosen = fail.has(li.dataset.id!);
      li.setAttribute('aria-selected', String(chosen));
      li.classList.toggle('chosen', chosen);
    }
    this.simulateButton.disabled = fail.size === 0;
    this.simulateButton.textContent = fail.size > 1 ? `Simulate failure of ${fail.size} nodes` : 'Simulate failure';
  }

  private setActive(index: number): void {
    const items = [...this.list.querySelectorAll<HTMLLIElement>('li[data-id]')];
    if (!items.length) return;
    const i = Math.max(0, Math.min(items.length - 1, index));
    for (const li of items) li.removeAttribute('data-active');
    const li = items[i]!;
    li.setAttribute('data-active', '');
    this.list.setAttribute('aria-activedescendant', li.id);
    li.scrollIntoView({ block: 'nearest' });
    this.highlight(li.dataset.id!);
  }

  private onListKey(e: KeyboardEvent): void {
    const items = [...this.list.querySelectorAll<HTMLLIElement>('li[data-id]')];
    const current = items.findIndex((li) => li.hasAttribute('data-active'));
    switch (e.key) {
      case 'ArrowDown':
        this.setActive(current + 1);
        break;
      case 'ArrowUp':
        this.setActive(current - 1);
        break;
      case 'Home':
        this.setActive(0);
        break;
      case 'End':
        this.setActive(items.length - 1);
        break;
      case ' ':
        if (current >= 0) this.toggle(items[current]!.dataset.id!);
        break;
      case 'Enter':
        if (!this.simulateButton.disabled) this.app.update({ simulate: true });
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  /** Emphasise one node in the graph (hover or keyboard), or clear the emphasis. */
  private highlight(id: string | null): void {
    if (!id) {
      this.graphPanel.setMarks({ emphasis: null, hover: null });
      return;
    }
    this.graphPanel.reveal([id]);
    this.graphPanel.setMarks({ emphasis: { nodes: new Set([id]), edges: new Set() }, hover: id });
    this.graphPanel.graph.centreOn(id);
  }

  private applyMarks(): void {
    const state = this.ctx?.state;
    this.graphPanel.setMarks({
      spof: new Set(this.candidates.filter((c) => c.spof).map((c) => c.id)),
      removed: new Set(state?.simulate ? state.fail : []),
      selected: state?.node ?? null,
    });
  }

  private clearImpact(): void {
    this.impactKey = '';
    clearStatus(this.impactStatus);
    this.impactBody.innerHTML = '';
    this.graphPanel.setMarks({ removed: new Set(), affected: new Set() });
  }

  private async runImpact(state: UrlState): Promise<void> {
    const metals = this.allMetals.checked ? undefined : [state.metal];
    const key = JSON.stringify([state.fail, metals]);
    if (key === this.impactKey) return;
    this.impactKey = key;
    showLoading(this.impactStatus, 'the impact');
    this.impactBody.innerHTML = '';
    let answer: ImpactAnswer;
    try {
      answer = await api.impact(state.fail, metals);
    } catch (err) {
      if (this.impactKey !== key) return;
      this.impactKey = '';
      if (!isAbort(err)) showError(this.impactStatus, err, () => void this.runImpact(state));
      return;
    }
    if (this.impactKey !== key) return;
    clearStatus(this.impactStatus);
    const removed = answer.removed.map((r) => escapeHtml(r.name)).join(', ');
    const cutOff = answer.affected.filter((a) => a.cutOff).length;
    const affected = answer.affected.length;
    const loses = `compan${affected === 1 ? 'y loses' : 'ies lose'} supply${metals ? ` of ${escapeHtml(state.metal)}` : ''}`;
    const cutOffCount = `<span data-field="cutoff-count">${cutOff}</span>`;
    const head =
      '<thead><tr><th scope="col">Company</th><th scope="col">Metal</th>' +
      '<th scope="col" class="num">Lost share</th><th scope="col">Cut off</th></tr></thead>';
    this.impactBody.innerHTML = `<h3>Impact of removing ${removed}</h3>
      <p><span data-field="affected-count">${affected}</span> ${loses}; ${cutOffCount} cut off entirely.</p>
      <table class="mix-table impact-table">${head}<tbody>
      ${answer.affected
        .map(
          (a) =>
            `<tr data-id="${escapeHtml(a.id)}" data-metal="${a.metal}">` +
            `<th scope="row">${escapeHtml(a.name)}</th><td>${a.metal}</td>` +
            `<td class="num" data-field="lost">${formatShare(a.lostShare)}</td>` +
            `<td>${a.cutOff ? '<strong>cut off</strong>' : 'no'}</td></tr>`,
        )
        .join('')}
      </tbody></table>`;
    const inMetal = answer.affected.filter((a) => a.metal === state.metal).map((a) => a.id);
    this.graphPanel.setMarks({ removed: new Set(state.fail), affected: new Set(inMetal) });
  }
}
