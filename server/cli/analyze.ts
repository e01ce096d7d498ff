/**
 * `oretrace analyze origins|risk|paths|spof|impact`: the API's analyses from the command line,
 * on the configured store, as tables for people or the API's JSON answer with --json.
 */
import type { NodeLabel } from '../../graph/model.js';
import { compileSnapshotFromColumns, nodeIndex } from '../../graph/snapshot.js';
import { runAnalysis, type AnalysisName, type AnalysisParams, type AnalysisResult } from '../analytics/analysis-catalog.js';
import type { GraphStore } from '../stores/graph-store.js';

export const ANALYZE_COMMANDS = {
  origins: 'origins',
  risk: 'risk',
  paths: 'riskPaths',
  spof: 'singlePointsOfFailure',
  impact: 'impact',
} as const satisfies Record<string, AnalysisName>;
export type AnalyzeCommand = keyof typeof ANALYZE_COMMANDS;

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** Left-aligned text columns, right-aligned numbers. */
export function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  const numeric = head.map((_, c) => rows.length > 0 && rows.every((r) => typeof r[c] === 'number' || /^[\d.]+%?$/.test(String(r[c]))));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

type Answer<C extends AnalyzeCommand> = AnalysisResult<(typeof ANALYZE_COMMANDS)[C]>;

/** The name of a node of the snapshot the answer was computed on (answers name countries and smelters by id only). */
export type NameOf = (id: string, label?: NodeLabel) => string | undefined;

/** "Name (id)", or the id alone when the node has no name. */
const named = (id: string, name: string | undefined) => (name && name !== id ? `${name} (${id})` : id);

/** The human-readable rendering of an answer: every id with its node's name next to it. */
export function render(command: AnalyzeCommand, answer: unknown, nameOf: NameOf = () => undefined): string {
  switch (command) {
    case 'origins': {
      const a = answer as Answer<'origins'>;
      const head = `${a.company.name} (${a.company.id}) — ${a.metal}, snapshot ${a.snapshotVersion}`;
      if (!a.originMix || !a.smelterMix) return `${head}\ntakes no ${a.metal}`;
      const countries = Object.entries(a.originMix.byCountry).sort((x, y) => y[1] - x[1]);
      const smelters = Object.entries(a.smelterMix.bySmelter).sort((x, y) => y[1] - x[1]);
      return [
        head,
        `CAHRA ${pct(a.originMix.cahra)}  non-CAHRA ${pct(a.originMix.nonCahra)}  ` +
          `recycled ${pct(a.originMix.recycled)}  undisclosed ${pct(a.originMix.undisclosed)}`,
        '',
        table(
          ['origin', 'name', 'share'],
          countries.map(([c, s]) => [c, nameOf(c, 'Country') ?? '', pct(s)]),
        ),
        '',
        table(
          ['smelter', 'name', 'share'],
          smelters.map(([id, s]) => [id, nameOf(id, 'Smelter') ?? '', pct(s)]),
        ),
        '',
        table(
          ['RMAP status', 'share'],
          [
            ...Object.entries(a.smelterMix.byRmapStatus).map(([k, s]) => [k, pct(s)]),
            ['(no smelter)', pct(a.smelterMix.notThroughSmelter)],
          ],
        ),
        ...a.warnings.map((w) => `warning: ${w}`),
      ].join('\n');
    }
    case 'risk': {
      const a = answer as Answer<'risk'>;
      return [
        `${a.company.name} (${a.company.id}) — ${a.metal}: ` +
          `risk ${a.risk.toFixed(4)} (own ${a.intrinsic.toFixed(4)}), policy ${a.policyVersion}`,
        '',
        table(
          ['contributor', 'name', 'label', 'contribution'],
          a.contributors.map((c) => [c.id, c.name, c.label, c.contribution.toFixed(4)]),
        ),
      ].join('\n');
    }
    case 'paths': {
      const a = answer as Answer<'paths'>;
      return [
        `${a.company.name} (${a.company.id}) — ${a.metal}: top ${a.paths.length} risk paths, policy ${a.policyVersion}`,
        '',
        table(
          ['weight', 'path'],
          a.paths.map((p) => [p.weight.toFixed(6), p.hops.map((h) => named(h.id, h.name)).join(' ← ')]),
        ),
      ].join('\n');
    }
    case 'spof': {
      const a = answer as Answer<'spof'>;
      return [
        `${a.company.name} (${a.company.id}) — ${a.metal}: ` +
          `redundancy ${a.redundancy}; one minimum cut: ${a.minimumCut.map((id) => named(id, nameOf(id))).join(', ') || '(none)'}`,
        '',
        a.singlePointsOfFailure.length === 0
          ? 'no single point of failure'
          : table(
              ['single point of failure', 'name', 'label', 'share'],
              a.singlePointsOfFailure.map((s) => [s.id, s.name, s.label, pct(s.share)]),
            ),
      ].join('\n');
    }
    case 'impact': {
      const a = answer as Answer<'impact'>;
      return [
        `removing ${a.removed.map((r) => named(r.id, r.name)).join(', ')} (snapshot ${a.snapshotVersion}): ` +
          `${a.affected.length} company/metal pairs affected`,
        '',
        table(
          ['company', 'name', 'metal', 'lost', 'cut off'],
          a.affected.map((x) => [x.id, x.name, x.metal, pct(x.lostShare), x.cutOff ? 'yes' : '']),
        ),
      ].join('\n');
    }
  }
}

/** The API's answer (what --json prints) and the names of the nodes it was computed on, for render. */
export async function analyze<C extends AnalyzeCommand>(
  store: GraphStore,
  command: C,
  params: AnalysisParams<(typeof ANALYZE_COMMANDS)[C]>,
): Promise<{ answer: Answer<C>; nameOf: NameOf }> {
  const snapshot = compileSnapshotFromColumns(await store.scanColumns());
  const answer = runAnalysis(ANALYZE_COMMANDS[command], snapshot, params) as Answer<C>;
  const nameOf: NameOf = (id, label) => {
    const i = nodeIndex(snapshot, id, label);
    return i === undefined ? undefined : snapshot.names[i];
  };
  return { answer, nameOf };
}
