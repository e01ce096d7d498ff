/**
 * The page: header (company search, metal, view tabs), the shared layered drawing and one panel
 * per view, all driven by the state in the URL (state/app-state.ts). Views load what they need
 * through one FocusData per focal company and metal, so switching views does not load twice.
 */
import { z } from 'zod';
import { CompanySearch } from './components/company-search.js';
import { clearStatus, showError, showLoading } from './components/status.js';
import { api, isAbort } from './data/api-client.js';
import { FocusData, sameFocus } from './data/focus-data.js';
import { METALS, type Metal } from './data/schemas.js';
import { escapeHtml } from './render/format.js';
import { AppState } from './state/app-state.js';
import { VIEW_TITLES, VIEWS, type UrlState, type ViewName } from './state/url-state.js';
import { ExplorerView } from './views/explorer-view.js';
import { GraphPanel } from './views/graph-panel.js';
import { RiskPathsView } from './views/risk-paths-view.js';
import { SpofView } from './views/spof-view.js';
import type { View } from './views/view.js';
import './styles.css';

// zod compiles validators with `new Function` unless told not to; a content security policy
// without 'unsafe-eval' would block that, so the page never asks for it.
z.config({ jitless: true });

const $ = <T extends HTMLElement>(selector: string) => {
  const el = document.querySelector<T>(selector);
  if (!el) throw new Error(`The page has no ${selector}`);
  return el;
};

const app = new AppState();
const pageStatus = $('#page-status');
const welcome = $('#welcome');
const viewsBox = $('#views');
const graphSection = $('#graph-panel');
const metalSelect = $<HTMLSelectElement>('#metal-select');
const tabs = $('nav.view-tabs');

const graphPanel = new GraphPanel(graphSection, app);
const eagerViews: Partial<Record<ViewName, View>> = {
  explorer: new ExplorerView($('#panel-explorer'), graphPanel, app),
  spof: new SpofView($('#panel-spof'), graphPanel, app),
  paths: new RiskPathsView($('#panel-paths'), graphPanel, app),
};
let originsView: Promise<View> | null = null;
function viewFor(name: ViewName): Promise<View> {
  const eager = eagerViews[name];
  if (eager) return Promise.resolve(eager);
  originsView ??= import('./views/origins-view.js').then((m) => new m.OriginsView($('#panel-origins')));
  originsView.catch(() => (originsView = null));
  return originsView;
}

/** A change of focal company or metal starts afresh: no selection, no chosen failures, no path. */
const FRESH = { node: null, path: null, fail: [], simulate: false } satisfies Partial<UrlState>;

const search = new CompanySearch($('#company-search-box'), (company) => app.update({ company: company.id, ...FRESH }));

for (const m of METALS) metalSelect.add(new Option(m.name, m.id));
metalSelect.addEventListener('change', () => app.update({ metal: metalSelect.value as Metal, ...FRESH }));

// Tabs (WAI-ARIA: arrows move between tabs and activate them).
tabs.innerHTML = VIEWS.map(
  (v) =>
    `<button type="button" role="tab" id="tab-${v}" data-view="${v}"` +
    ` aria-controls="panel-${v}" aria-selected="false" tabindex="-1">` +
    `${VIEW_TITLES[v]}</button>`,
).join('');
const tabButtons = [...tabs.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
for (const b of tabButtons) b.addEventListener('click', () => app.update({ view: b.dataset.view as ViewName }));
tabs.addEventListener('keydown', (e) => {
  const i = tabButtons.indexOf(document.activeElement as HTMLButtonElement);
  if (i < 0) return;
  let next = -1;
  if (e.key === 'ArrowRight') next = (i + 1) % tabButtons.length;
  else if (e.key === 'ArrowLeft') next = (i - 1 + tabButtons.length) % tabButtons.length;
  else if (e.key === 'Home') next = 0;
  else if (e.key === 'End') next = tabButtons.length - 1;
  else return;
  e.preventDefault();
  tabButtons[next]!.focus();
  app.update({ view: tabButtons[next]!.dataset.view as ViewName });
});

document.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement;
  const typing = target.closest('input, select, textarea, [contenteditable="true"]');
  if (e.key === '/' && !typing) {
    e.preventDefault();
    search.focus();
  }
});

let focus: FocusData | null = null;
let companyCheck: Promise<void> | null = null;
let activeView: View | null = null;
let renderGeneration = 0;

async function showWelcome(): Promise<void> {
  viewsBox.hidden = true;
  welcome.hidden = false;
  welcome.innerHTML = `<h2>Where do the minerals in your supply chain come from?</h2>
    <p>Search for a company above (press <kbd>/</kbd>), pick a metal, and explore its supply graph tier by tier,
    the origins of the metal, the paths to high-risk sources and the single points of failure.</p>
    <div class="status" hidden></div><ul class="company-suggestions"></ul>`;
  const status = welcome.querySelector<HTMLElement>('.status')!;
  showLoading(status, 'companies');
  try {
    const page = await api.searchCompanies('aurelia', 8);
    const list = page.items.length ? page.items : (await api.searchCompanies('a', 8)).items;
    clearStatus(status);
    welcome.querySelector('.company-suggestions')!.innerHTML = list
      .map(
        (c) =>
          `<li><a href="?company=${encodeURIComponent(c.id)}&metal=${app.state.metal}"` +
          ` data-company="${escapeHtml(c.id)}">${escapeHtml(c.name)}</a>` +
          ` <span class="muted">${escapeHtml(c.country)}</span></li>`,
      )
      .join('');
    for (const a of welcome.querySelectorAll<HTMLAnchorElement>('a[data-company]')) {
      a.addEventListener('click', (e) => {
        e.preventDefault();
        app.update({ company: a.dataset.company!, ...FRESH });
      });
    }
  } catch (err) {
    if (!isAbort(err)) showError(status, err, () => void showWelcome());
  }
}

function checkCompany(f: FocusData): Promise<void> {
  return api.company(f.key.company).then(
    (company) => {
      if (focus !== f) return;
      search.setCurrent(company.name);
      document.title = `${company.name} · ${f.key.metal} · ${VIEW_TITLES[app.state.view]} — oretrace`;
    },
    (err: unknown) => {
      if (focus !== f || isAbort(err)) return;
      viewsBox.hidden = true;
      showError(pageStatus, err, () => {
        focus = null;
        void render(app.state, null);
      });
      throw err;
    },
  );
}

async function render(state: UrlState, previous: UrlState | null): Promise<void> {
  const generation = ++renderGeneration;
  metalSelect.value = state.metal;
  for (const b of tabButtons) {
    const on = b.dataset.view === state.view;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
  }
  if (app.linkProblems.length) {
    showError(pageStatus, new Error(`Parts of this link could not be used: ${app.linkProblems.join('; ')}`));
    app.linkProblems.length = 0;
  } else if (!pageStatus.classList.contains('status-error') || previous) {
    clearStatus(pageStatus);
  }
  if (!state.company) {
    activeView?.hide();
    activeView = null;
    focus = null;
    search.setCurrent('');
    await showWelcome();
    return;
  }
  welcome.hidden = true;

  const key = { company: state.company, metal: state.metal, depth: state.depth, grouping: state.grouping };
  if (!focus || !sameFocus(focus.key, key)) {
    const companyChanged = focus?.key.company !== key.company;
    focus = new FocusData(key);
    if (companyChanged || !companyCheck) companyCheck = checkCompany(focus);
    else companyCheck = companyCheck.then(() => undefined);
    // Start the loads every view needs while the company is checked (failures are reported by the views).
    focus.graph().catch(() => undefined);
    focus.riskByNode().catch(() => undefined);
  }
  const f = focus;
  try {
    await companyCheck;
  } catch {
    return; // the page status shows why
  }
  if (generation !== renderGeneration) return;
  viewsBox.hidden = false;
  document.title = document.title.replace(/· [^·]+ · [^—]+ —/, `· ${state.metal} · ${VIEW_TITLES[state.view]} —`);

  let view: View;
  try {
    view = await viewFor(state.view);
  } catch (err) {
    showError(pageStatus, err);
    return;
  }
  if (generation !== renderGeneration) return;
  if (activeView && activeView !== view) activeView.hide();
  activeView = view;
  viewsBox.dataset.view = state.view;
  graphSection.hidden = !view.usesGraph;
  if (view.usesGraph) {
    graphPanel.syncControls(state);
    const renderedBefore = graphPanel.current?.focus === f;
    void graphPanel.load(f);
    if (renderedBefore && previous && previous.renderer !== state.renderer) graphPanel.redraw(false);
  }
  view.show({ state, previous, focus: f });
}

app.subscribe((state, previous) => void render(state, previous));
void render(app.state, null);
