/**
 * Deep links: the page's state lives in the URL's query string, so that a copied link reopens the
 * same picture (company, metal, view, selection, chosen failures, risk path). Parsing validates
 * every parameter; an unusable one falls back to its default and is reported, never ignored.
 */
import { z } from 'zod';
import { MetalSchema, NodeIdSchema, type Metal } from '../../../graph/model.js';

export const VIEWS = ['explorer', 'origins', 'spof', 'paths'] as const;
export type ViewName = (typeof VIEWS)[number];
export const VIEW_TITLES: Record<ViewName, string> = {
  explorer: 'Explorer',
  origins: 'Origins',
  spof: 'Single points of failure',
  paths: 'Risk paths',
};

export const GROUPINGS = ['auto', 'none', 'tier', 'country', 'metal'] as const;
export const RENDERERS = ['auto', 'svg', 'canvas'] as const;
export type Renderer = (typeof RENDERERS)[number];

export const MAX_DEPTH = 10;
export const PATH_LIMITS = [5, 10, 20, 50] as const;

export interface UrlState {
  company: string | null;
  metal: Metal;
  view: ViewName;
  /** The selected node (details in the explorer). */
  node: string | null;
  /** Index of the selected risk path in the top-k list. */
  path: number | null;
  /** How many risk paths to list. */
  k: number;
  /** Nodes chosen for a simulated failure. */
  fail: string[];
  /** Whether the failure of `fail` has been simulated (the impact is shown). */
  simulate: boolean;
  /** Hops of the neighbourhood fetched for the layered view. */
  depth: number;
  grouping: (typeof GROUPINGS)[number];
  renderer: Renderer;
}

export const DEFAULT_STATE: UrlState = {
  company: null,
  metal: 'tin',
  view: 'explorer',
  node: null,
  path: null,
  k: 10,
  fail: [],
  simulate: false,
  depth: MAX_DEPTH,
  grouping: 'auto',
  renderer: 'auto',
};

const PARAMS: { [K in keyof UrlState]: { name: string; schema: z.ZodType<UrlState[K]> } } = {
  company: { name: 'company', schema: NodeIdSchema },
  metal: { name: 'metal', schema: MetalSchema },
  view: { name: 'view', schema: z.enum(VIEWS) },
  node: { name: 'node', schema: NodeIdSchema },
  path: { name: 'path', schema: z.coerce.number().int().min(0).max(99) },
  k: { name: 'k', schema: z.coerce.number().int().min(1).max(100) },
  fail: { name: 'fail', schema: z.array(NodeIdSchema).max(100) },
  simulate: { name: 'simulate', schema: z.enum(['1', 'true']).transform(() => true) },
  depth: { name: 'depth', schema: z.coerce.number().int().min(1).max(MAX_DEPTH) },
  grouping: { name: 'group', schema: z.enum(GROUPINGS) },
  renderer: { name: 'renderer', schema: z.enum(RENDERERS) },
};

export interface ParsedUrlState {
  state: UrlState;
  /** One line per parameter that could not be used, e.g. `metal "zinc": Invalid option …`. */
  problems: string[];
}

export function parseUrlState(search: string): ParsedUrlState {
  const q = new URLSearchParams(search);
  const state: UrlState = { ...DEFAULT_STATE, fail: [] };
  const problems: string[] = [];
  for (const key of Object.keys(PARAMS) as (keyof UrlState)[]) {
    const { name, schema } = PARAMS[key];
    // `fail` repeats, one id each (ids may hold any printable character, commas included).
    const raw = key === 'fail' ? q.getAll(name).filter(Boolean) : q.get(name);
    if (raw === null || raw === '' || (Array.isArray(raw) && raw.length === 0)) continue;
    const parsed = schema.safeParse(raw);
    if (parsed.success) (state as unknown as Record<string, unknown>)[key] = parsed.data;
    else problems.push(`${name} ${JSON.stringify(raw)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  if (state.simulate && state.fail.length === 0) state.simulate = false;
  return { state, problems };
}

/** The query string for a state; parameters at their default are left out, so links stay short. */
export function formatUrlState(state: UrlState): string {
  const q = new URLSearchParams();
  if (state.company) q.set('company', state.company);
  if (state.metal !== DEFAULT_STATE.metal || state.company) q.set('metal', state.metal);
  if (state.view !== DEFAULT_STATE.view) q.set('view', state.view);
  if (state.node) q.set('node', state.node);
  if (state.path !== null) q.set('path', String(state.path));
  if (state.k !== DEFAULT_STATE.k) q.set('k', String(state.k));
  for (const id of state.fail) q.append('fail', id);
  if (state.simulate && state.fail.length) q.set('simulate', '1');
  if (state.depth !== DEFAULT_STATE.depth) q.set('depth', String(state.depth));
  if (state.grouping !== DEFAULT_STATE.grouping) q.set('group', state.grouping);
  if (state.renderer !== DEFAULT_STATE.renderer) q.set('renderer', state.renderer);
  const s = q.toString();
  return s ? `?${s}` : '';
}
