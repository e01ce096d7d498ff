/**
 * Positions for the layered view: one column per layer (focal company, tier 1, tier 2 …,
 * smelters, countries), nodes ordered within a column by the barycentre of their neighbours
 * (a few sweeps both ways, which removes most crossings), and very tall columns wrapped into
 * sub-columns so that a 5,000-node view keeps a shape that fits a screen. Pure: no DOM.
 */

export interface LayoutNode {
  id: string;
  column: number;
  /** Initial order within the column (e.g. the name). */
  sortKey: string;
}

export interface LayoutEdge {
  from: string;
  to: string;
}

export interface PlacedNode {
  id: string;
  column: number;
  x: number;
  y: number;
}

export interface LayeredLayout {
  nodes: Map<string, PlacedNode>;
  /** Columns in order, each the ids top to bottom. */
  columns: string[][];
  /** x of each column's first sub-column (for headers). */
  columnX: number[];
  width: number;
  height: number;
}

export const COLUMN_GAP = 240;
export const ROW_GAP = 26;
export const SUB_COLUMN_GAP = 16;
export const DENSE_ROW_GAP = 14;

const SWEEPS = 4;

export function layeredLayout(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): LayeredLayout {
  const columnCount = nodes.reduce((m, n) => Math.max(m, n.column + 1), 0);
  const columns: string[][] = Array.from({ length: columnCount }, () => []);
  const sorted = [...nodes].sort((a, b) => a.column - b.column || (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  for (const n of sorted) columns[n.column]!.push(n.id);

  const neighbours = new Map<string, string[]>();
  for (const e of edges) {
    if (e.from === e.to) continue;
    (neighbours.get(e.from) ?? neighbours.set(e.from, []).get(e.from)!).push(e.to);
    (neighbours.get(e.to) ?? neighbours.set(e.to, []).get(e.to)!).push(e.from);
  }
  const columnOf = new Map(nodes.map((n) => [n.id, n.column]));
  const position = new Map<string, number>();
  const setPositions = (col: string[]) => col.forEach((id, i) => position.set(id, col.length > 1 ? i / (col.length - 1) : 0.5));
  columns.forEach(setPositions);

  // Barycentre sweeps: left to right using neighbours in earlier columns, then right to left.
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    const forward = sweep % 2 === 0;
    const order = forward ? columns.map((_, i) => i) : columns.map((_, i) => columnCount - 1 - i);
    for (const c of order) {
      const col = columns[c]!;
      const key = new Map<string, number>();
      for (const id of col) {
        let sum = 0;
        let count = 0;
        for (const m of neighbours.get(id) ?? []) {
          const mc = columnOf.get(m)!;
          if (forward ? mc < c : mc > c) {
            sum += position.get(m)!;
            count++;
          }
        }
        key.set(id, count ? sum / count : position.get(id)!);
      }
      col.sort((a, b) => key.get(a)! - key.get(b)!);
      setPositions(col);
    }
  }

  // Wrap: a column taller than maxRows is laid out in sub-columns, read top to bottom, left to right.
  const total = nodes.length;
  const maxRows = Math.max(40, Math.ceil(Math.sqrt(total) * 2));
  const dense = columns.some((c) => c.length > maxRows);
  const rowGap = dense ? DENSE_ROW_GAP : ROW_GAP;
  const placed = new Map<string, PlacedNode>();
  const columnX: number[] = [];
  let x = 0;
  let height = 0;
  columns.forEach((col, c) => {
    columnX.push(x);
    const subColumns = Math.max(1, Math.ceil(col.length / maxRows));
    const rows = Math.ceil(col.length / subColumns);
    col.forEach((id, i) => {
      const sub = Math.floor(i / rows);
      const row = i % rows;
      placed.set(id, { id, column: c, x: x + sub * SUB_COLUMN_GAP, y: (row - (rows - 1) / 2) * rowGap });
    });
    height = Math.max(height, rows * rowGap);
    x += (subColumns - 1) * SUB_COLUMN_GAP + COLUMN_GAP;
  });
  return { nodes: placed, columns, columnX, width: Math.max(0, x - COLUMN_GAP), height };
}
