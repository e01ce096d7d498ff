/**
 * The metals oretrace knows, from the model's own vocabulary (graph/metals.json, beside this
 * module: not seed data). Adding a metal is a data change: the schemas, the API and the engine
 * pick it up from here.
 */
import metalsData from './metals.json' with { type: 'json' };

export interface MetalInfo {
  id: string;
  name: string;
  symbol: string | null;
  templates: string[];
  conflictMineral: boolean;
}

export const METALS: readonly MetalInfo[] = metalsData.metals;

function nonEmpty<T>(xs: T[]): [T, ...T[]] {
  if (xs.length === 0) throw new Error('graph/metals.json lists no metals');
  return xs as [T, ...T[]];
}

export const METAL_IDS = nonEmpty(METALS.map((m) => m.id));
