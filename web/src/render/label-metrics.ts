/**
 * Sizes of SVG label text, for the label placement: the font is read once from the page's own
 * styles (a probe text of the label's class, inside the element its labels are drawn in) and
 * widths are measured on a canvas with that font, which is far cheaper than laying out SVG text
 * for every candidate truncation. The height and the offset of the text's box from its y are the
 * probe's own, so that a placed box and the drawn text coincide.
 */
export interface LabelMetrics {
  /** Width of a text, bold as the CAHRA labels are drawn or not; a pixel of slack included. */
  width(text: string, bold?: boolean): number;
  height: number;
  /** The top of the text's box relative to its y attribute (negative: above the baseline). */
  top: number;
  /** false when the text could not be laid out (a hidden panel) and the sizes are estimates. */
  measured: boolean;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svgLabelMetrics(parent: SVGElement, className: string, dy: string): LabelMetrics {
  const probe = document.createElementNS(SVG_NS, 'text');
  probe.setAttribute('class', className);
  probe.setAttribute('dy', dy);
  probe.textContent = 'Hgjy';
  parent.appendChild(probe);
  const style = getComputedStyle(probe);
  const size = Number.parseFloat(style.fontSize) || 11;
  const family = style.fontFamily || 'sans-serif';
  const font = (weight: string) => `${style.fontStyle} ${weight} ${size}px ${family}`;
  let box: { y: number; height: number } = { y: 0, height: 0 };
  try {
    box = probe.getBBox();
  } catch {
    // Not rendered (a hidden panel): fall back to the font size below.
  }
  probe.remove();
  const height = box.height > 0 ? box.height : size * 1.25;
  const top = box.height > 0 ? box.y : -size;
  const ctx = document.createElement('canvas').getContext('2d');
  const cache = new Map<string, number>();
  return {
    height,
    top,
    measured: box.height > 0,
    width(text, bold = false) {
      const key = `${bold ? 'b' : 'n'}${text}`;
      let w = cache.get(key);
      if (w === undefined) {
        if (ctx) {
          ctx.font = font(bold ? '600' : style.fontWeight);
          w = ctx.measureText(text).width + 1;
        } else w = text.length * size * 0.62 + 1;
        cache.set(key, w);
      }
      return w;
    },
  };
}

/** The same for text drawn on a canvas with `font`, its baseline at the y it is drawn at. */
export function canvasLabelMetrics(ctx: CanvasRenderingContext2D, font: string): LabelMetrics {
  ctx.save();
  ctx.font = font;
  const m = ctx.measureText('Hgjy');
  ctx.restore();
  const ascent = m.fontBoundingBoxAscent || 11;
  const descent = m.fontBoundingBoxDescent || 3;
  const bold = font.replace(/^(\d)/, '600 $1');
  const cache = new Map<string, number>();
  return {
    height: ascent + descent,
    top: -ascent,
    measured: true,
    width(text, isBold = false) {
      const key = `${isBold ? 'b' : 'n'}${text}`;
      let w = cache.get(key);
      if (w === undefined) {
        ctx.save();
        ctx.font = isBold ? bold : font;
        w = ctx.measureText(text).width + 1;
        ctx.restore();
        cache.set(key, w);
      }
      return w;
    },
  };
}
