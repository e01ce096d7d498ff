/**
 * What a layered drawing shows, independent of how it is drawn (SVG or canvas): placed nodes with
 * their encodings, edges, column headers, and the marks laid over them (selection, keyboard
 * cursor, emphasis of a risk path or single point of failure, simulated failures).
 */
import type { NodeShape } from './graph-style.js';

export type DrawKind = 'Company' | 'Smelter' | 'Country' | 'Group';

export interface DrawNode {
  id: string;
  kind: DrawKind;
  x: number;
  y: number;
  r: number;
  shape: NodeShape;
  fill: string;
  /** Short text drawn beside the node. */
  label: string;
  /** The full name that the drawn label shows, truncated where there is no room for all of it. */
  name: string;
  /** What the drawn label always ends with after the name (a group's size), never truncated. */
  labelSuffix: string;
  /** Longer text for the tooltip and screen readers. */
  title: string;
  cahra: boolean;
  hiddenSuppliers: boolean;
  isRoot: boolean;
  column: number;
}

export interface DrawEdge {
  key: string;
  from: DrawNode;
  to: DrawNode;
  width: number;
  dashed: boolean;
  title: string;
}

export interface GraphScene {
  nodes: DrawNode[];
  edges: DrawEdge[];
  /** Column ids top to bottom (keyboard moves along these). */
  columns: string[][];
  headers: { x: number; y: number; title: string }[];
  width: number;
  height: number;
  /** Whether node names are drawn at every zoom (small scenes) or only when zoomed in. */
  alwaysLabel: boolean;
}

export interface GraphMarks {
  selected: string | null;
  cursor: string | null;
  hover: string | null;
  /** When set, everything else is dimmed (a risk path, a hovered single point of failure). */
  emphasis: { nodes: ReadonlySet<string>; edges: ReadonlySet<string> } | null;
  spof: ReadonlySet<string>;
  removed: ReadonlySet<string>;
  affected: ReadonlySet<string>;
}

export const NO_MARKS: GraphMarks = {
  selected: null,
  cursor: null,
  hover: null,
  emphasis: null,
  spof: new Set(),
  removed: new Set(),
  affected: new Set(),
};

/** Horizontal cubic curve from the source (right) to the buyer (left). */
export function edgeCurve(e: DrawEdge): [number, number, number, number, number, number, number, number] {
  const x1 = e.from.x;
  const y1 = e.from.y;
  const x2 = e.to.x;
  const y2 = e.to.y;
  const mx = (x1 + x2) / 2;
  return [x1, y1, mx, y1, mx, y2, x2, y2];
}

export function edgePath(e: DrawEdge): string {
  const [x1, y1, c1x, c1y, c2x, c2y, x2, y2] = edgeCurve(e);
  return `M${x1},${y1}C${c1x},${c1y} ${c2x},${c2y} ${x2},${y2}`;
}
