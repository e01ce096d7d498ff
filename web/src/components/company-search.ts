/**
 * Company search: a combobox (WAI-ARIA pattern) over GET /api/v1/companies?search=. Type to search,
 * arrows to move, Enter to pick, Escape to close. Results and errors are shown in the list.
 */
import { api, isAbort } from '../data/api-client.js';
import type { Company } from '../data/schemas.js';
import { escapeHtml } from '../render/format.js';
import { ApiProblem } from '../data/api-client.js';

const DEBOUNCE_MS = 180;

export class CompanySearch {
  private readonly input: HTMLInputElement;
  private readonly list: HTMLUListElement;
  private results: Company[] = [];
  private active = -1;
  private timer: number | undefined;
  private controller: AbortController | null = null;
  private current = '';

  constructor(
    root: HTMLElement,
    private readonly onPick: (company: Company) => void,
  ) {
    root.innerHTML = `
      <label for="company-search" class="visually-hidden">Company</label>
      <input id="company-search" type="search" role="combobox" autocomplete="off" spellcheck="false"
        aria-autocomplete="list" aria-expanded="false" aria-controls="company-options"
        placeholder="Search companies (press /)">
      <ul id="company-options" role="listbox" aria-label="Companies" hidden></ul>`;
    this.input = root.querySelector('input')!;
    this.list = root.querySelector('ul')!;
    this.input.addEventListener('input', () => this.schedule());
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.input.addEventListener('focus', () => this.input.select());
    this.input.addEventListener('blur', () => window.setTimeout(() => this.close(), 150));
  }

  /** Show the current company's name in the box (when not typing). */
  setCurrent(name: string): void {
    this.current = name;
    if (document.activeElement !== this.input) this.input.value = name;
  }

  focus(): void {
    this.input.focus();
  }

  private schedule(): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.search(), DEBOUNCE_MS);
  }

  private async search(): Promise<void> {
    const q = this.input.value.trim();
    this.controller?.abort();
    if (!q) {
      this.close();
      return;
    }
    const controller = new AbortController();
    this.controller = controller;
    this.open(`<li class="muted" role="presentation">Searching…</li>`);
    try {
      const page = await api.searchCompanies(q, 12, { signal: controller.signal });
      if (controller.signal.aborted) return;
      this.results = page.items;
      this.active = page.items.length ? 0 : -1;
      if (!page.items.length) {
        this.open(`<li class="muted" role="presentation">No company matches “${escapeHtml(q)}”.</li>`);
        return;
      }
      this.open(
        page.items
          .map(
            (c, i) =>
              `<li role="option" id="company-option-${i}" data-id="${escapeHtml(c.id)}" aria-selected="${i === this.active}">
              <span class="option-name">${escapeHtml(c.name)}</span> ` +
              `<span class="muted">${escapeHtml(c.id)} · ${escapeHtml(c.country)}</span></li>`,
          )
          .join(''),
      );
      this.list.querySelectorAll<HTMLLIElement>('li[role="option"]').forEach((li, i) => {
        li.addEventListener('mousedown', (e) => e.preventDefault()); // keep focus in the box
        li.addEventListener('click', () => this.pick(i));
      });
      this.markActive();
    } catch (err) {
      if (isAbort(err)) return;
      const text = err instanceof ApiProblem ? `${err.problem.title}${err.problem.detail ? `: ${err.problem.detail}` : ''}` : String(err);
      this.open(`<li class="status-error" role="presentation">${escapeHtml(text)}</li>`);
    }
  }

  private open(html: string): void {
    this.list.innerHTML = html;
    this.list.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  }

  private close(): void {
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
    if (document.activeElement !== this.input && this.current) this.input.value = this.current;
  }

  private markActive(): void {
    this.list.querySelectorAll<HTMLLIElement>('li[role="option"]').forEach((li, i) => {
      li.setAttribute('aria-selected', String(i === this.active));
      if (i === this.active) {
        this.input.setAttribute('aria-activedescendant', li.id);
        li.scrollIntoView({ block: 'nearest' });
      }
    });
  }

  private pick(i: number): void {
    const c = this.results[i];
    if (!c) return;
    this.current = c.name;
    this.input.value = c.name;
    this.close();
    this.onPick(c);
  }

  private onKey(e: KeyboardEvent): void {
    const n = this.results.length;
    switch (e.key) {
      case 'ArrowDown':
        if (this.list.hidden) void this.search();
        else if (n) this.active = (this.active + 1) % n;
        this.markActive();
        break;
      case 'ArrowUp':
        if (n) this.active = (this.active - 1 + n) % n;
        this.markActive();
        break;
      case 'Enter':
        if (!this.list.hidden && this.active >= 0) this.pick(this.active);
        else {
          window.clearTimeout(this.timer);
          void this.search();
        }
        break;
      case 'Escape':
        this.close();
        this.input.value = this.current;
        break;
      default:
        return;
    }
    e.preventDefault();
  }
}
