/**
 * Small graph computations the demo-graph test uses to check the committed demo by computation
 * (kept apart from the engine on purpose: the test must not depend on the code it helps check).
 */
import type { GraphNode, Metal, Relationship, Supplies } from '../../graph/model.js';

export function suppliesOf(relationships: readonly Relationship[]): Supplies[] {
  return relationships.filter((r): r is Supplies => r.type === 'SUPPLIES');
}

/** Incoming SUPPLIES by buyer id (optionally of one metal). */
export function incoming(supplies: readonly Supplies[], metal?: Metal): Map<string, Supplies[]> {
  const m = new Map<string, Supplies[]>();
  for (const s of supplies) {
    if (metal !== undefined && s.metal !== metal) continue;
    const list = m.get(s.to) ?? [];
    list.push(s);
    m.set(s.to, list);
  }
  return m;
}

/** Supply distance of every node upstream of `root` (BFS from the buyer to its sources, any metal). */
export function upstreamDistances(supplies: readonly Supplies[], root: string): Map<string, number> {
  const into = incoming(supplies);
  const dist = new Map<string, number>([[root, 0]]);
  const queue = [root];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    for (const e of into.get(v) ?? []) {
      if (!dist.has(e.from)) {
        dist.set(e.from, dist.get(v)! + 1);
        queue.push(e.from);
      }
    }
  }
  return dist;
}

/** Nodes upstream of `root` for one metal, optionally not walking through `blocked`. */
export function upstreamOf(supplies: readonly Supplies[], root: string, metal: Metal, blocked?: string): Set<string> {
  const into = incoming(supplies, metal);
  const seen = new Set<string>([root]);
  const stack = [root];
  while (stack.length > 0) {
    const v = stack.pop()!;
    for (const e of into.get(v) ?? []) {
      if (e.from === blocked || seen.has(e.from)) continue;
      seen.add(e.from);
      stack.push(e.from);
    }
  }
  seen.delete(root);
  return seen;
}

/**
 * One directed cycle among the SUPPLIES of a metal (DFS with colours), as the node ids along the
 * flow (the last supplies the first), or null.
 */
export function findCycle(supplies: readonly Supplies[], metal: Metal): string[] | null {
  const out = new Map<string, string[]>();
  for (const s of supplies) if (s.metal === metal) out.set(s.from, [...(out.get(s.from) ?? []), s.to]);
  const colour = new Map<string, 1 | 2>();
  const parent = new Map<string, string>();
  for (const start of [...out.keys()].sort()) {
    if (colour.has(start)) continue;
    // Iterative DFS: stack of (node, next child index).
    const stack: [string, number][] = [[start, 0]];
    colour.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [v, i] = top;
      const next = out.get(v) ?? [];
      if (i >= next.length) {
        colour.set(v, 2);
        stack.pop();
        continue;
      }
      top[1] = i + 1;
      const w = next[i]!;
      const c = colour.get(w);
      if (c === 1) {
        const cycle = [w];
        for (let x = v; x !== w; x = parent.get(x)!) cycle.push(x);
        cycle.push(w);
        return cycle.slice(1).reverse(); // w, ..., v along the flow; v → w closes it
      }
      if (c === undefined) {
        colour.set(w, 1);
        parent.set(w, v);
        stack.push([w, 0]);
      }
    }
  }
  return null;
}

/**
 * Sources of a metal as README's graph model/§2 define them, seen from the nodes upstream: countries,
 * recycled/scrap smelters, and nodes with no incoming SUPPLIES of the metal.
 */
export function isSource(
  id: string,
  _metal: Metal,
  nodesById: ReadonlyMap<string, GraphNode>,
  into: ReadonlyMap<string, Supplies[]>,
): boolean {
  const n = nodesById.get(id);
  if (n?.label === 'Country') return true;
  if (n?.label === 'Smelter' && n.recycledOrScrap) return true;
  return (into.get(id) ?? []).length === 0;
}

/**
 * True when every supply path of `metal` into `buyer` passes through `via`: walking upstream from
 * the buyer without entering `via` reaches no source.
 */
export function dominates(
  supplies: readonly Supplies[],
  nodesById: ReadonlyMap<string, GraphNode>,
  buyer: string,
  metal: Metal,
  via: string,
): boolean {
  const into = incoming(supplies, metal);
  if (isSource(buyer, metal, nodesById, into)) return false;
  for (const id of upstreamOf(supplies, buyer, metal, via)) if (isSource(id, metal, nodesById, into)) return false;
  return upstreamOf(supplies, buyer, metal).has(via);
}
