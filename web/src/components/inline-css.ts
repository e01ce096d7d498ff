/**
 * Computed colours and widths in generated markup travel as `data-css` and are applied through
 * the CSSOM: a strict content security policy (no 'unsafe-inline' styles) blocks style attributes
 * in markup but not styles set from script.
 */
import { escapeHtml } from '../render/format.js';

/** The attribute to put in markup, e.g. `<span ${css('width:40%')}>`. */
export function css(text: string): string {
  return `data-css="${escapeHtml(text)}"`;
}

/** Apply every data-css below root (call after setting innerHTML). */
export function applyCss(root: ParentNode): void {
  for (const el of root.querySelectorAll<HTMLElement | SVGElement>('[data-css]')) {
    el.style.cssText = el.getAttribute('data-css') ?? '';
    el.removeAttribute('data-css');
  }
}
