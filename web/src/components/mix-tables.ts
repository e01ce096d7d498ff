/**
 * Origin mix and smelter mix as HTML: a stacked bar (patterned, so parts differ by more than
 * colour) and a table with the API's figures. Used by the explorer's details and the origins view;
 * callers apply the colours with applyCss (inline-css.ts) after inserting the markup.
 */
import type { OriginsAnswer, RmapStatus } from '../data/schemas.js';
import { escapeHtml, formatShare } from '../render/format.js';
import { ACCENT } from '../render/graph-style.js';
import { css } from './inline-css.js';

type OriginMix = NonNullable<OriginsAnswer['originMix']>;
type SmelterMix = NonNullable<OriginsAnswer['smelterMix']>;

export const RMAP_TITLES: Record<RmapStatus, string> = {
  conformant: 'Conformant',
  active: 'Active',
  non_conformant: 'Non-conformant',
  not_enrolled: 'Not enrolled',
  unknown: 'Unknown',
};

/** Colour and pattern of each RMAP status (Okabe–Ito, plus hatching on the worrying ones). */
export const RMAP_STYLE: Record<RmapStatus, string> = {
  conformant: '#009E73',
  active: '#56B4E9',
  non_conformant: `repeating-linear-gradient(45deg, ${ACCENT.cahra} 0 4px, #8c3a00 4px 7px)`,
  not_enrolled: 'repeating-linear-gradient(-45deg, #E69F00 0 4px, #a87300 4px 7px)',
  unknown: 'repeating-linear-gradient(90deg, #b8bec8 0 3px, #8a94a3 3px 5px)',
};

export const ORIGIN_STYLE = {
  cahra: `repeating-linear-gradient(45deg, ${ACCENT.cahra} 0 4px, #8c3a00 4px 7px)`,
  nonCahra: '#0072B2',
  recycled: ACCENT.recycled,
  undisclosed: 'repeating-linear-gradient(90deg, #b8bec8 0 3px, #8a94a3 3px 5px)',
};

interface MixPart {
  key: string;
  title: string;
  value: number;
  style: string;
}

function stackedBar(parts: MixPart[], label: string): string {
  const segs = parts
    .filter((p) => p.value > 0)
    .map(
      (p) =>
        `<span class="bar-seg" ${css(`width:${(p.value * 100).toFixed(3)}%;background:${p.style}`)}` +
        ` title="${escapeHtml(p.title)}: ${formatShare(p.value)}"></span>`,
    )
    .join('');
  return `<div class="stacked-bar" role="img" aria-label="${escapeHtml(label)}">${segs}</div>`;
}

function swatch(style: string): string {
  return `<span class="swatch" ${css(`background:${style}`)} aria-hidden="true"></span>`;
}

/**
 * A mix as a stacked bar (labelled "`what`: each part and its share") over a table with a row per
 * part, keyed by `keyAttribute` (data-origin, data-rmap).
 */
function mixBarAndTable(parts: MixPart[], what: string, tableClass: string, keyAttribute: string): string {
  const label = `${what}: ${parts.map((p) => `${p.title} ${formatShare(p.value)}`).join(', ')}`;
  const rows = parts
    .map(
      (p) =>
        `<tr ${keyAttribute}="${p.key}"><th scope="row">${swatch(p.style)}${p.title}</th>` +
        `<td class="num">${formatShare(p.value)}</td></tr>`,
    )
    .join('');
  return `${stackedBar(parts, label)}
    <table class="mix-table ${tableClass}"><tbody>
      ${rows}
    </tbody></table>`;
}

export function originTotalsHtml(mix: OriginMix, subject: string): string {
  const parts = [
    { key: 'cahra', title: 'CAHRA origins', value: mix.cahra, style: ORIGIN_STYLE.cahra },
    { key: 'nonCahra', title: 'Non-CAHRA origins', value: mix.nonCahra, style: ORIGIN_STYLE.nonCahra },
    { key: 'recycled', title: 'Recycled or scrap', value: mix.recycled, style: ORIGIN_STYLE.recycled },
    { key: 'undisclosed', title: 'Undisclosed', value: mix.undisclosed, style: ORIGIN_STYLE.undisclosed },
  ];
  return mixBarAndTable(parts, `Origin mix of ${subject}`, 'origin-totals', 'data-origin');
}

export function originCountriesHtml(
  mix: OriginMix,
  names: ReadonlyMap<string, { name: string; cahra: boolean }>,
  limit = Infinity,
): string {
  const rows = Object.entries(mix.byCountry).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (!rows.length) return '<p class="muted">No origin country is known.</p>';
  const shown = rows.slice(0, limit);
  const more = rows.length - shown.length;
  const head = '<thead><tr><th scope="col">Country</th><th scope="col" class="num">Share</th></tr></thead>';
  return `<table class="mix-table origin-countries">${head}<tbody>
    ${shown
      .map(([code, share]) => {
        const c = names.get(code);
        const cahra = c?.cahra ? ' <span class="badge badge-cahra">CAHRA</span>' : '';
        const name = `${escapeHtml(c?.name ?? code)} <span class="muted">${escapeHtml(code)}</span>${cahra}`;
        return `<tr data-country="${escapeHtml(code)}"><th scope="row">${name}</th><td class="num">${formatShare(share)}</td></tr>`;
      })
      .join('')}
    ${more > 0 ? `<tr><td colspan="2" class="muted">and ${more} more</td></tr>` : ''}
  </tbody></table>`;
}

export function smelterStatusHtml(mix: SmelterMix, subject: string): string {
  const statuses = (Object.keys(RMAP_TITLES) as RmapStatus[]).filter((s) => (mix.byRmapStatus[s] ?? 0) > 0);
  const parts: MixPart[] = statuses.map((s) => ({
    key: s,
    title: RMAP_TITLES[s],
    value: mix.byRmapStatus[s] ?? 0,
    style: RMAP_STYLE[s],
  }));
  parts.push({ key: 'notThroughSmelter', title: 'No known smelter', value: mix.notThroughSmelter, style: ORIGIN_STYLE.undisclosed });
  return mixBarAndTable(parts, `Smelter mix of ${subject} by RMAP status`, 'smelter-status', 'data-rmap');
}
