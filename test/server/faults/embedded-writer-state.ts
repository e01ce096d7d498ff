/**
 * The states the embedded-store writer child (embedded-writer.ts) moves through, shared with the
 * test that checks them. The store's version v is the number of writes so far, and the graph after
 * write v is a pure function of v:
 *   - BASE companies "b-0" … in a tin chain (written by write 1, never changed): they make the file
 *     big, so that most of each write's time goes into replacing the file;
 *   - MARKERS companies "m-0" … whose name is "generation v" and saqScore v mod 101, in a tin chain
 *     whose shares are all shareOf(v) and whose source is "write v";
 *   - GROWTH companies "x-w-0" … added by each write w ≤ v (the file grows).
 * A torn file does not load; a file mixing two writes fails the checks of the test.
 */
import type { GraphNodeInput, RelationshipInput } from '../../../graph/model.js';

export const BASE = 12_000;
export const MARKERS = 200;
export const GROWTH = 20;

export const shareOf = (v: number): number => ((v % 9) + 1) / 10;

function chain(prefix: string, n: number, share: number, source: string): RelationshipInput[] {
  const out: RelationshipInput[] = [];
  for (let i = 0; i + 1 < n; i++)
    out.push({ type: 'SUPPLIES', from: `${prefix}-${i}`, to: `${prefix}-${i + 1}`, metal: 'tin', share, source });
  return out;
}

/** What write v sends. */
export function writerDocument(v: number): { nodes: GraphNodeInput[]; relationships: RelationshipInput[] } {
  const nodes: GraphNodeInput[] = [];
  const relationships: RelationshipInput[] = [];
  if (v === 1) {
    for (let i = 0; i < BASE; i++)
      nodes.push({ label: 'Company', id: `b-${i}`, name: `Base supplier ${i}`, country: 'JP', tags: ['base', 'padding'] });
    relationships.push(...chain('b', BASE, 0.5, 'base'));
  }
  for (let i = 0; i < MARKERS; i++)
    nodes.push({ label: 'Company', id: `m-${i}`, name: `generation ${v}`, country: 'DE', saqScore: v % 101 });
  for (let i = 0; i < GROWTH; i++) nodes.push({ label: 'Company', id: `x-${v}-${i}`, name: `grown at ${v}`, country: 'FR' });
  relationships.push(...chain('m', MARKERS, shareOf(v), `write ${v}`));
  return { nodes, relationships };
}
