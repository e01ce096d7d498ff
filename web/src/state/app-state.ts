/**
 * The page's state: one object, changed only through `update`, mirrored in the URL. Changes of
 * company, metal or view push a history entry (Back returns to the previous picture); changes of
 * selection replace the current one, so Back does not step through every click.
 */
import { formatUrlState, parseUrlState, type UrlState } from './url-state.js';

export type HistoryMode = 'push' | 'replace' | 'none';
export type StateListener = (state: UrlState, previous: UrlState) => void;

const PUSHING_KEYS: readonly (keyof UrlState)[] = ['company', 'metal', 'view'];

export class AppState {
  private current: UrlState;
  private readonly listeners = new Set<StateListener>();
  /** Problems with the link the page was opened with (shown once). */
  readonly linkProblems: string[];

  constructor(private readonly win: Window = window) {
    const parsed = parseUrlState(win.location.search);
    this.current = parsed.state;
    this.linkProblems = parsed.problems;
    // Normalise the address bar: defaults dropped, unusable parameters removed.
    this.writeUrl('replace');
    win.addEventListener('popstate', () => {
      const previous = this.current;
      this.current = parseUrlState(win.location.search).state;
      this.emit(previous);
    });
  }

  get state(): UrlState {
    return this.current;
  }

  subscribe(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  update(patch: Partial<UrlState>, history?: HistoryMode): void {
    const previous = this.current;
    const next: UrlState = { ...previous, ...patch };
    if (formatUrlState(next) === formatUrlState(previous)) return;
    this.current = next;
    const mode = history ?? (PUSHING_KEYS.some((k) => next[k] !== previous[k]) ? 'push' : 'replace');
    this.writeUrl(mode);
    this.emit(previous);
  }

  private writeUrl(mode: HistoryMode): void {
    if (mode === 'none') return;
    const url = `${this.win.location.pathname}${formatUrlState(this.current)}`;
    if (url === `${this.win.location.pathname}${this.win.location.search}`) return;
    if (mode === 'push') this.win.history.pushState(null, '', url);
    else this.win.history.replaceState(null, '', url);
  }

  private emit(previous: UrlState): void {
    for (const listener of this.listeners) listener(this.current, previous);
  }
}
