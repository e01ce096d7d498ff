/**
 * The visual encodings shared by every drawing: risk colour (ColorBrewer YlOrRd, readable with
 * the common colour-vision deficiencies, and never the only cue: shapes tell node kinds apart and
 * outlines mark CAHRA countries), node shapes and sizes, edge widths by share, and the legend.
 */
import { interpolateYlOrRd } from 'd3-scale-chromatic';
import { applyCss, css } from '../components/inline-css.js';

/** Okabe–Ito colours: distinguishable for deuteranopia, protanopia and tritanopia. */
export const ACCENT = {
  selection: '#0072B2',
  highlight: '#0072B2',
  cahra: '#D55E00',
  spof: '#CC79A7',
  recycled: '#009E73',
  affected: '#D55E00',
  neutral: '#8a94a3',
  undisclosed: '#b8bec8',
} as const;

export const NO_RISK_FILL = '#d9dde3';

/** Risk 0 → pale yellow, 1 → dark red; the lightest end is cut so a node never vanishes on white. */
export function riskColour(risk: number | undefined): string {
  if (risk === undefined || !Number.isFinite(risk)) return NO_RISK_FILL;
  return interpolateYlOrRd(0.1 + 0.9 * Math.min(1, Math.max(0, risk)));
}

export type NodeShape = 'circle' | 'square' | 'diamond' | 'hexagon';

export const SHAPE_OF_LABEL = { Company: 'circle', Smelter: 'square', Country: 'diamond' } as const satisfies Record<string, NodeShape>;

/** Edge width for a share in [0, 1]: thin but visible at 0, 7 px for the whole intake. */
export function shareWidth(share: number | undefined): number {
  return 0.8 + 6.2 * Math.min(1, Math.max(0, share ?? 0));
}

/** An SVG path for a shape of radius r centred on (0, 0); the canvas renderer draws the same figures. */
export function shapePath(shape: NodeShape, r: number): string {
  switch (shape) {
    case 'circle':
      return `M${r},0A${r},${r} 0 1,1 ${-r},0A${r},${r} 0 1,1 ${r},0Z`;
    case 'square':
      return `M${-r},${-r}H${r}V${r}H${-r}Z`;
    case 'diamond':
      return `M0,${-r * 1.3}L${r * 1.3},0L0,${r * 1.3}L${-r * 1.3},0Z`;
    case 'hexagon': {
      const pts = Array.from({ length: 6 }, (_, i) => {
        const a = (Math.PI / 3) * i;
        return `${(r * Math.cos(a)).toFixed(2)},${(r * Math.sin(a)).toFixed(2)}`;
      });
      return `M${pts.join('L')}Z`;
    }
  }
}

/** The legend beside the layered view. */
export function renderGraphLegend(container: HTMLElement): void {
  const stops = Array.from({ length: 11 }, (_, i) => `${riskColour(i / 10)} ${i * 10}%`).join(', ');
  const glyph = (shape: NodeShape, extra = '') =>
    `<svg width="22" height="22" viewBox="-11 -11 22 22" aria-hidden="true">` +
    `<path d="${shapePath(shape, 6)}" fill="${riskColour(0.3)}" stroke="#333" stroke-width="1" ${extra}/></svg>`;
  const spofRing =
    `<svg width="22" height="22" viewBox="-11 -11 22 22" aria-hidden="true">` +
    `<circle r="7" fill="none" stroke="${ACCENT.spof}" stroke-width="3" stroke-dasharray="3 2"/></svg>`;
  const widthLines =
    '<svg width="30" height="14" aria-hidden="true">' +
    '<line x1="0" y1="4" x2="30" y2="4" stroke="#777" stroke-width="1"/>' +
    '<line x1="0" y1="11" x2="30" y2="11" stroke="#777" stroke-width="5"/></svg>';
  const dashedLine =
    '<svg width="30" height="14" aria-hidden="true">' +
    '<line x1="0" y1="7" x2="30" y2="7" stroke="#777" stroke-width="2" stroke-dasharray="4 3"/></svg>';
  container.innerHTML = `
    <h3 class="legend-title">Legend</h3>
    <div class="legend-risk">
      <span id="legend-risk-label">Propagated risk</span>
      <div class="legend-gradient" ${css(`background: linear-gradient(to right, ${stops})`)} role="img"
           aria-labelledby="legend-risk-label" aria-describedby="legend-risk-ticks"></div>
      <div class="legend-ticks" id="legend-risk-ticks"><span>0 low</span><span>0.5</span><span>1 high</span></div>
      <div class="legend-row"><span class="swatch" ${css(`background:${NO_RISK_FILL}`)}></span> no risk figure</div>
    </div>
    <ul class="legend-list">
      <li>${glyph('circle')} company</li>
      <li>${glyph('square')} smelter or refiner</li>
      <li>${glyph('diamond')} country of origin</li>
      <li>${glyph('diamond', `stroke="${ACCENT.cahra}" stroke-width="3"`)} CAHRA country (thick outline, "CAHRA")</li>
      <li>${spofRing} single point of failure</li>
      <li>${widthLines} edge width: share of the buyer's intake</li>
      <li>${dashedLine} share not declared (inferred)</li>
      <li><span class="legend-plus">+</span> suppliers hidden: double-click or press + to expand</li>
    </ul>`;
  applyCss(container);
}
