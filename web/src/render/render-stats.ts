/**
 * Draw timings of the layered view, kept on `window.__oretraceRenderStats` for the benchmark
 * (bench/web/render-bench.ts) and the tests: how long each draw took on the main thread, and
 * performance marks for the first complete drawing of a view.
 */
export interface RenderStats {
  renderer: 'svg' | 'canvas' | null;
  nodes: number;
  edges: number;
  draws: number;
  /** Milliseconds of the most recent draws (at most 1,000). */
  drawMs: number[];
  /** performance.now() of the first complete drawing of the current scene. */
  firstDrawAt: number | null;
  /** Where a node is drawn, in client (viewport) pixels: lets tests click a node on a canvas. */
  locate: (id: string) => [number, number] | null;
}

declare global {
  interface Window {
    __oretraceRenderStats?: RenderStats;
  }
}

export function renderStats(): RenderStats {
  window.__oretraceRenderStats ??= { renderer: null, nodes: 0, edges: 0, draws: 0, drawMs: [], firstDrawAt: null, locate: () => null };
  return window.__oretraceRenderStats;
}

export function recordDraw(ms: number): void {
  const s = renderStats();
  s.draws++;
  s.drawMs.push(ms);
  if (s.drawMs.length > 1000) s.drawMs.splice(0, s.drawMs.length - 1000);
}

export function recordScene(renderer: 'svg' | 'canvas', nodes: number, edges: number): void {
  const s = renderStats();
  Object.assign(s, { renderer, nodes, edges, firstDrawAt: null });
}

/** Called once the scene is on screen (after the browser painted it). */
export function recordSceneShown(): void {
  const s = renderStats();
  if (s.firstDrawAt !== null) return;
  s.firstDrawAt = performance.now();
  performance.mark('oretrace:graph-shown');
}
