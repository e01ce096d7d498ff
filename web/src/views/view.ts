/**
 * What every view (explorer, origins, single points of failure, risk paths) offers the page: it is
 * shown with the current state and the data of the focus, and hidden when another view is chosen.
 */
import type { FocusData } from '../data/focus-data.js';
import type { UrlState, ViewName } from '../state/url-state.js';

export interface ViewContext {
  state: UrlState;
  previous: UrlState | null;
  focus: FocusData;
}

export interface View {
  readonly name: ViewName;
  /** Whether the shared layered drawing is shown beside this view's panel. */
  readonly usesGraph: boolean;
  show(ctx: ViewContext): void;
  hide(): void;
}
