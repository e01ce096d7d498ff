/**
 * The two ways a layered scene is drawn, behind one interface: SVG (an element per mark, simple to
 * inspect and test) and canvas (one bitmap, for views of more than CANVAS_THRESHOLD elements,
 * where thousands of DOM nodes would make panning stutter).
 */
import type { ZoomTransform } from 'd3-zoom';
import type { GraphMarks, GraphScene } from './graph-scene.js';
import type { Box } from './label-placement.js';

/** Nodes plus edges above which a view is drawn on canvas. */
export const CANVAS_THRESHOLD = 1500;

export interface GraphRenderer {
  readonly kind: 'svg' | 'canvas';
  /** The element that receives pointer events and zoom gestures. */
  readonly surface: Element;
  setScene(scene: GraphScene): void;
  setMarks(marks: GraphMarks): void;
  setTransform(t: ZoomTransform): void;
  resize(): void;
  /** The id of the node under a pointer position, if any. */
  nodeAt(clientX: number, clientY: number): string | null;
  /** The box the scene's placed names cover, in scene coordinates (null without names). */
  labelBounds(): Box | null;
  destroy(): void;
}
