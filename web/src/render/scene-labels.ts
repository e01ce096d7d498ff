/**
 * Where the layered drawing writes each node's name: beside the node (right, else left, else above
 * or below it), truncated with an ellipsis to the room there is, or left out, so that no name covers
 * a node, a column header or another name (label-placement.ts). Names are placed in reading
 * order: the focal company first, then column by column, top to bottom. Both renderers use it.
 */
import type { GraphScene, DrawNode } from './graph-scene.js';
import type { LabelMetrics } from './label-metrics.js';
import { type Box, type LabelRequest, type PlacedLabel, placeLabels, type Slot, truncations } from './label-placement.js';

/** What a node's label always ends with: its own suffix, the CAHRA mark and the hidden-suppliers "+". */
export function labelSuffix(n: DrawNode): string {
  return `${n.labelSuffix}${n.cahra ? ' · CAHRA' : ''}${n.hiddenSuppliers ? ' +' : ''}`;
}

/** The box a node's glyph covers, its outline included. */
export function nodeBox(n: DrawNode): Box {
  const half = (n.shape === 'diamond' ? 1.3 * n.r : n.r) + 2.5;
  return { x0: n.x - half, y0: n.y - half, x1: n.x + half, y1: n.y + half };
}

export interface SceneLabelMetrics {
  /** Node labels (bold for CAHRA countries). */
  label: LabelMetrics;
  /** Column headers, drawn centred on their x with their baseline at their y. */
  header: LabelMetrics;
}

const SLOTS: Slot[] = [{ side: 'right' }, { side: 'left' }, { side: 'below' }, { side: 'above' }];
/** Names are not cut below this many characters: shorter stubs say nothing. */
const MIN_CHARS = 4;

export function placeSceneLabels(scene: GraphScene, metrics: SceneLabelMetrics): Map<string, PlacedLabel> {
  const obstacles: Box[] = scene.nodes.map(nodeBox);
  for (const h of scene.headers) {
    const w = metrics.header.width(h.title);
    const y0 = h.y + metrics.header.top;
    obstacles.push({ x0: h.x - w / 2, y0, x1: h.x + w / 2, y1: y0 + metrics.header.height });
  }
  const ordered = [...scene.nodes].sort((a, b) => Number(b.isRoot) - Number(a.isRoot) || a.column - b.column || a.x - b.x || a.y - b.y);
  const bold = new Map(scene.nodes.map((n) => [n.id, n.cahra]));
  const requests: LabelRequest[] = ordered.map((n) => ({
    id: n.id,
    anchor: nodeBox(n),
    texts: truncations(n.name, labelSuffix(n), MIN_CHARS),
    slots: SLOTS,
  }));
  return placeLabels(requests, obstacles, {
    measure: (text, r) => metrics.label.width(text, bold.get(r.id) ?? false),
    height: metrics.label.height,
    gap: 3,
    margin: 1,
  });
}

/** The box all placed labels cover, or null when there are none. */
export function labelsBounds(labels: ReadonlyMap<string, PlacedLabel>): Box | null {
  let b: Box | null = null;
  for (const { box } of labels.values()) {
    b = b ? { x0: Math.min(b.x0, box.x0), y0: Math.min(b.y0, box.y0), x1: Math.max(b.x1, box.x1), y1: Math.max(b.y1, box.y1) } : { ...box };
  }
  return b;
}
