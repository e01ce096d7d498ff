/**
 * Data-quality notes about a company's upstream for a metal: the buyers whose explicit shares
 * summed above 1 and were scaled down (MetalLayer.overShared). Every company answer carries them
 * (README, "The API in brief"); the origins answer finds the buyers in the same sweep as its
 * mixes (origin-mix.ts: originsOf), the others with overSharedUpstream.
 */
import type { Metal } from '../model.js';
import type { MetalLayer, Snapshot } from '../snapshot.js';

/** How many nodes with over-full shares a warning lists by name. */
const MAX_NAMED_WARNINGS = 10;

/**
 * The over-shared buyers upstream of v (v included) along every relationship of the layer,
 * whatever its share. Walks the upstream in the layer's compact ids: arrays of the layer's size,
 * not the graph's. v must take part in the layer.
 */
export function overSharedUpstream(layer: MetalLayer, v: number): number[] {
  const seen = new Uint8Array(layer.nodes.length);
  const start = layer.compactOf[v]!;
  const stack = [start];
  seen[start] = 1;
  const over: number[] = [];
  while (stack.length > 0) {
    const k = stack.pop()!;
    const u = layer.nodes[k]!;
    if (layer.overShared[u]) over.push(u);
    for (let j = layer.compactOffsets[k]!; j < layer.compactOffsets[k + 1]!; j++) {
      const s = layer.compactSources[j]!;
      if (!seen[s]) {
        seen[s] = 1;
        stack.push(s);
      }
    }
  }
  return over;
}

/** The warnings of an answer for the over-shared buyers found upstream (node indices, any order): none, or one naming up to ten by id. */
export function overSharedWarnings(snapshot: Snapshot, metal: Metal, over: number[]): string[] {
  if (over.length === 0) return [];
  over.sort((a, b) => (snapshot.ids[a]! < snapshot.ids[b]! ? -1 : 1));
  const named = over.slice(0, MAX_NAMED_WARNINGS).map((v) => `"${snapshot.ids[v]}"`);
  const more = over.length > MAX_NAMED_WARNINGS ? ` and ${over.length - MAX_NAMED_WARNINGS} more` : '';
  return [`${metal} shares into ${named.join(', ')}${more} summed above 1 and were scaled down to 1`];
}
