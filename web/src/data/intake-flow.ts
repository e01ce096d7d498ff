/**
 * How the focal company's intake of a metal flows through the graph the page holds: f(v), the
 * expected number of times a unit of the intake passes through v, solves
 * f(v) = [v = root] + Σ over buyers b of f(b) · w(v, b) (w the effective share; the root counts the
 * unit's start and any return to it through a loop). Cycles are fine: each pass round a loop loses
 * what leaves it, so Gauss–Seidel sweeps converge; a loop that loses nothing is reported as such.
 *
 * This only shapes the Sankey's bands. The numbers the page prints are the API's (origins).
 */
import type { SupplyGraph } from './supply-graph.js';

export interface IntakeFlow {
  /** Expected passes of a unit of the root's intake through each node (at most 1 unless a loop recirculates). */
  through: Map<string, number>;
  /** Flow along each edge, by edge key: f(buyer) · w. */
  alongEdge: Map<string, number>;
  /** Whether the sweeps settled within tolerance. */
  converged: boolean;
}

const TOLERANCE = 1e-12;
const MAX_SWEEPS = 5000;

export function intakeFlow(graph: SupplyGraph): IntakeFlow {
  // Order by tier so that one sweep settles any acyclic part; loops take a few more.
  const order = [...graph.nodes.values()].sort((a, b) => a.tier - b.tier).map((n) => n.id);
  const through = new Map<string, number>(order.map((id) => [id, id === graph.rootId ? 1 : 0]));
  let converged = false;
  for (let sweep = 0; sweep < MAX_SWEEPS && !converged; sweep++) {
    let change = 0;
    for (const id of order) {
      let f = id === graph.rootId ? 1 : 0;
      for (const e of graph.buyersOf(id)) f += (through.get(e.to) ?? 0) * (e.effectiveShare ?? 0);
      change = Math.max(change, Math.abs(f - through.get(id)!));
      through.set(id, f);
    }
    converged = change <= TOLERANCE;
  }
  const alongEdge = new Map<string, number>();
  for (const e of graph.edges.values()) alongEdge.set(e.key, (through.get(e.to) ?? 0) * (e.effectiveShare ?? 0));
  return { through, alongEdge, converged };
}
