/** The table printed at the end of a run. */
import type { ResultRow } from './types.js';

function fmt(x: number | null | undefined, unit = ''): string {
  if (x === null || x === undefined) return '–';
  if (Number.isNaN(x)) return 'n/a';
  const abs = Math.abs(x);
  const s = abs >= 1000 ? x.toFixed(0) : abs >= 100 ? x.toFixed(1) : abs >= 1 ? x.toFixed(2) : x.toFixed(3);
  return unit ? `${s} ${unit}` : s;
}

function ratio(value: number, base: number | undefined): string {
  if (base === undefined || !Number.isFinite(value) || !(base > 0)) return '–';
  const r = value / base;
  return r >= 0.01 ? `${r.toFixed(2)}×` : `${r.toExponential(1)}×`;
}

function verdict(row: ResultRow): string {
  if (row.target === null || !Number.isFinite(row.value)) return '';
  const ok = row.better === 'lower' ? row.value <= row.target : row.value >= row.target;
  return ok ? 'ok' : 'MISSED';
}

export function renderTable(rows: readonly ResultRow[]): string {
  const header = ['name', 'value', 'min..max', 'unit', 'target', '', 'networkx', 'ratio', 'graphology', 'ratio'];
  const body = rows.map((r) => [
    r.name,
    fmt(r.value),
    r.min !== undefined && r.max !== undefined && (r.reps ?? 1) > 1 ? `${fmt(r.min)}..${fmt(r.max)}` : '',
    r.unit,
    r.target === null ? '–' : `${r.better === 'lower' ? '≤' : '≥'} ${r.target}`,
    verdict(r),
    fmt(r.baseline?.networkx),
    ratio(r.value, r.baseline?.networkx),
    fmt(r.baseline?.graphology),
    ratio(r.value, r.baseline?.graphology),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
