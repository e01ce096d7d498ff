/** Number formats shared by every view, so a share reads the same everywhere. */
import { format } from 'd3-format';

const pct1 = format('.1%');
const pct2 = format('.2%');

/** A share as a percentage: one decimal, two below 1 %, "<0.01 %" for tiny non-zero values. */
export function formatShare(x: number): string {
  if (x > 0 && x < 0.0001) return '<0.01%';
  return x < 0.01 ? pct2(x) : pct1(x);
}

/** A risk figure in [0, 1] to three decimals. */
export function formatRisk(x: number | undefined): string {
  return x === undefined ? 'n/a' : x.toFixed(3);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
