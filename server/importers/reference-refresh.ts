/**
 * Refreshing the reference data in the graph from files a user brings:
 * - the Smelter Look-up of a newer CMRT/EMRT template (`oretrace reference load TEMPLATE.xlsx`):
 *   new smelters are added, known ones get the look-up's standard name, metal and country, and
 *   keep every alias, confirmed name, rejected name and RMAP status they had;
 * - an RMAP status list obtained from RMI (`oretrace reference rmap-status FILE.csv`), which
 *   oretrace cannot ship because RMI forbids redistributing it.
 * Each is one all-or-nothing write.
 */
import type { Country, GraphNodeInput, RelationshipInput, RmapStatus, Smelter } from '../../graph/model.js';
import { ValidationError } from '../errors.js';
import { loadCountries, smeltersFromLookup } from '../seeding/reference-data.js';
import { listAllNodes, type GraphStore, type WriteResult } from '../stores/graph-store.js';
import { graphSmelters } from './cmrt/cmrt-import.js';
import { readSmelterLookupSheet } from './cmrt/smelter-lookup-sheet.js';
import { parseRmapStatusCsv } from './rmap-status-list.js';

export interface LookupRefreshResult extends WriteResult {
  templateVersion: string;
  lookupRows: number;
  smeltersAdded: number;
  smeltersUpdated: number;
}

export async function loadLookupFromTemplate(store: GraphStore, bytes: Uint8Array, fileName: string): Promise<LookupRefreshResult> {
  const { templateVersion, rows } = await readSmelterLookupSheet(bytes, { fileName });
  if (rows.length === 0) {
    throw new ValidationError(`${fileName} has an empty Smelter Look-up`, [
      { path: fileName, message: 'no smelter rows in the Smelter Look-up sheet' },
    ]);
  }
  const fromLookup = smeltersFromLookup(rows, fileName);
  const existing = new Map((await graphSmelters(store)).map((s) => [s.id, s]));
  const countryIds = new Set((await listAllNodes(store, 'Country')).map((c) => c.id));
  const referenceCountries = new Map<string, Country>(loadCountries().map((c) => [c.id, c]));

  const nodes: GraphNodeInput[] = [];
  const relationships: RelationshipInput[] = [];
  let added = 0;
  let updated = 0;
  for (const fresh of fromLookup) {
    const old = existing.get(fresh.id);
    let node: Smelter;
    if (old) {
      const names = new Set([...old.aliases, ...fresh.aliases]);
      if (old.name !== fresh.name) names.add(old.name);
      names.delete(fresh.name);
      node = { ...old, name: fresh.name, metal: fresh.metal, country: fresh.country, aliases: [...names] };
      updated += 1;
    } else {
      node = fresh;
      added += 1;
    }
    nodes.push(node);
    if (!countryIds.has(node.country)) {
      const country = referenceCountries.get(node.country);
      if (country) {
        nodes.push(country);
        countryIds.add(country.id);
      }
    }
    relationships.push({ type: 'LOCATED_IN', from: node.id, to: node.country });
  }
  const write = await store.importGraph({ nodes, relationships });
  return { ...write, templateVersion, lookupRows: rows.length, smeltersAdded: added, smeltersUpdated: updated };
}

export interface RmapRefreshResult extends WriteResult {
  rowsRead: number;
  smeltersUpdated: number;
  unchanged: number;
  /** Ids in the list that the graph has no smelter for. */
  notInGraph: number;
  skippedRows: Array<{ row: number; reason: string }>;
}

export async function loadRmapStatuses(store: GraphStore, csvText: string): Promise<RmapRefreshResult> {
  const { statuses, rows, skipped } = parseRmapStatusCsv(csvText);
  const smelters = await graphSmelters(store);
  const changed: Smelter[] = [];
  let unchanged = 0;
  const seen = new Set<string>();
  for (const s of smelters) {
    const status: RmapStatus | undefined = statuses.get(s.id);
    if (status === undefined) continue;
    seen.add(s.id);
    if (s.rmapStatus === status) unchanged += 1;
    else changed.push({ ...s, rmapStatus: status });
  }
  const write =
    changed.length > 0
      ? await store.upsertNodes(changed, 'replace')
      : { nodesUpserted: 0, relationshipsUpserted: 0, version: await store.version() };
  return {
    ...write,
    rowsRead: rows,
    smeltersUpdated: changed.length,
    unchanged,
    notInGraph: [...statuses.keys()].filter((id) => !seen.has(id)).length,
    skippedRows: skipped,
  };
}
