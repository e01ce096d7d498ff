/**
 * The engine's own errors: what a request to the front door (engine.ts) can get wrong about the
 * graph. The engine knows nothing of HTTP; the server maps each of these once, in
 * server/plugins/problem-details.ts (an unknown id is a 404 not-found problem), and the analysis
 * pool carries them across the worker boundary (server/analytics/analysis-pool.ts).
 */
import type { NodeLabel } from './model.js';

/** A request named a node the snapshot does not hold (of that label, when one is required). */
export class UnknownNodeError extends Error {
  override readonly name = 'UnknownNodeError';

  /**
   * @param id the id asked for
   * @param label the label the request required (a company for the company analyses), if any
   * @param field the request field that named it when it was one of a list (impact's `remove`)
   */
  constructor(
    readonly id: string,
    readonly label?: NodeLabel,
    readonly field?: string,
  ) {
    super(`No ${label === undefined ? 'node' : label.toLowerCase()} has id "${id}"`);
  }
}
