/**
 * The engine's own errors: what a request to the front door (engine.ts) can get wrong about the
 * graph. The engine knows nothing of HTTP; the server maps each of these once, in
 * server/plugins/problem-details.ts (an unknown id is a 404 not-found problem), and the analysis
 * pool carries them across the worker boundary (server/analytics/analysis-pool.ts).
 */
import type { NodeLabel } from './model.js';

/**
 * The linear system of a supply cycle could not be solved to the engine's accuracy: a cycle so
 * large and so nearly closed (shares like 1 − 1e-17) that neither elimination nor the iterative
 * solvers settle it within their bounds, or a decay of 1 on a closed loop. A property of the graph
 * the request asked about, not a server fault: the server answers 422 naming it.
 */
export class UnsolvableCycleError extends Error {
  override readonly name = 'UnsolvableCycleError';
}

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
