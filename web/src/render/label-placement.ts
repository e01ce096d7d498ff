/**
 * Collision-aware placement of node labels, shared by the layered drawing and the origin Sankey.
 * Each label tries its texts (the full one first, then shorter truncations) in each of its slots
 * around its node, and takes the first box that meets no node and no label placed before it; a
 * label with no room anywhere is left out (its node's title and tooltip still carry the full
 * name). Greedy in the caller's order, so earlier labels win; a uniform grid keeps each test local,
 * so thousands of labels place in a few milliseconds. Pure: text widths come from the caller.
 */

/** An axis-aligned box: x0 < x1, y0 < y1 (y grows downwards, as in SVG). */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export type Side = 'right' | 'left' | 'above' | 'below';

/**
 * Where a label may go: beside its node on one side, moved along that side by `shift` label
 * heights (right, left) or half label widths (above, below). A slot is used only while the label
 * still overlaps its node's extent along that side, so that it stays attached to its node.
 */
export interface Slot {
  side: Side;
  shift?: number;
}

export interface LabelRequest {
  id: string;
  /** The box of the node the label names. */
  anchor: Box;
  /** Texts to try, most preferred first (the full name, then truncations). */
  texts: readonly string[];
  slots: readonly Slot[];
}

export interface PlacementOptions {
  /** Width of a label's text (the caller measures with the drawing's font). */
  measure: (text: string, request: LabelRequest) => number;
  /** Height of a label box. */
  height: number;
  /** Space between a label and its own node. */
  gap: number;
  /** Space kept free between a label and any other node or label (less than gap). */
  margin: number;
  /** Labels must stay inside this box (e.g. the SVG's view box). */
  bounds?: Box;
}

export interface PlacedLabel {
  id: string;
  text: string;
  box: Box;
  slot: Slot;
  /** Whether a shorter text than the first was used. */
  truncated: boolean;
}

export function intersects(a: Box, b: Box, margin = 0): boolean {
  return a.x0 < b.x1 + margin && b.x0 < a.x1 + margin && a.y0 < b.y1 + margin && b.y0 < a.y1 + margin;
}

/** The box a label of size (w, h) takes in a slot of the anchor, or null if it would leave its node. */
export function slotBox(anchor: Box, slot: Slot, w: number, h: number, gap: number): Box | null {
  const shift = slot.shift ?? 0;
  const cx = (anchor.x0 + anchor.x1) / 2;
  const cy = (anchor.y0 + anchor.y1) / 2;
  switch (slot.side) {
    case 'right':
    case 'left': {
      const y0 = cy - h / 2 + shift * h;
      const x0 = slot.side === 'right' ? anchor.x1 + gap : anchor.x0 - gap - w;
      const box = { x0, y0, x1: x0 + w, y1: y0 + h };
      if (!(box.y0 < anchor.y1 && anchor.y0 < box.y1)) return null;
      return box;
    }
    case 'above':
    case 'below': {
      const x0 = cx - w / 2 + (shift * w) / 2;
      const y0 = slot.side === 'below' ? anchor.y1 + gap : anchor.y0 - gap - h;
      const box = { x0, y0, x1: x0 + w, y1: y0 + h };
      if (!(box.x0 < anchor.x1 && anchor.x0 < box.x1)) return null;
      return box;
    }
  }
}

const CELL = 64;

/** Boxes bucketed by a uniform grid: a query looks only at the cells a box covers. */
class BoxGrid {
  private readonly cells = new Map<number, Box[]>();

  private *keys(b: Box, margin: number): Generator<number> {
    const cx0 = Math.floor((b.x0 - margin) / CELL);
    const cx1 = Math.floor((b.x1 + margin) / CELL);
    const cy0 = Math.floor((b.y0 - margin) / CELL);
    const cy1 = Math.floor((b.y1 + margin) / CELL);
    for (let cx = cx0; cx <= cx1; cx++) for (let cy = cy0; cy <= cy1; cy++) yield cx * 1_000_003 + cy;
  }

  add(b: Box): void {
    for (const k of this.keys(b, 0)) {
      const cell = this.cells.get(k);
      if (cell) cell.push(b);
      else this.cells.set(k, [b]);
    }
  }

  hits(b: Box, margin: number): boolean {
    for (const k of this.keys(b, margin)) for (const other of this.cells.get(k) ?? []) if (intersects(b, other, margin)) return true;
    return false;
  }
}

const inside = (b: Box, bounds: Box) => b.x0 >= bounds.x0 && b.x1 <= bounds.x1 && b.y0 >= bounds.y0 && b.y1 <= bounds.y1;

/**
 * Place the labels in order; `obstacles` are the nodes' boxes (every node, the labels' own
 * included) and anything else labels must keep clear of (column headers). Labels left out are
 * absent from the answer.
 */
export function placeLabels(
  requests: readonly LabelRequest[],
  obstacles: readonly Box[],
  options: PlacementOptions,
): Map<string, PlacedLabel> {
  const { height, gap, margin, bounds } = options;
  const grid = new BoxGrid();
  for (const o of obstacles) grid.add(o);
  const placed = new Map<string, PlacedLabel>();
  for (const r of requests) {
    found: for (let t = 0; t < r.texts.length; t++) {
      const text = r.texts[t]!;
      if (!text) continue;
      const width = options.measure(text, r);
      for (const slot of r.slots) {
        const box = slotBox(r.anchor, slot, width, height, gap);
        if (!box || (bounds && !inside(box, bounds)) || grid.hits(box, margin)) continue;
        grid.add(box);
        placed.set(r.id, { id: r.id, text, box, slot, truncated: t > 0 });
        break found;
      }
    }
  }
  return placed;
}

/**
 * A label's texts from the full one down to `minChars` characters of the name and an ellipsis,
 * always ending with `suffix` (a figure or a mark that must not be cut off).
 */
export function truncations(name: string, suffix = '', minChars = 4): string[] {
  const texts = [name + suffix];
  for (let n = name.length - 1; n >= minChars; n--) {
    const cut = name.slice(0, n).trimEnd();
    const text = `${cut}…${suffix}`;
    if (cut.length >= minChars && text !== texts[texts.length - 1]) texts.push(text);
  }
  return texts;
}
