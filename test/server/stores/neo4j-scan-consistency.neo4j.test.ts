/**
 * Neo4j's reads are read-committed, so a scan that overlaps a commit could read nodes of one
 * version and relationships of the next. scan() must never hand such a mix out (a snapshot compiled
 * from it gives answers no committed graph gives), under any version number — nor may scanColumns():
 * it reads again, and
 * after a few attempts gives up with StoreUnavailableError. Here a writer commits as fast as it can
 * while scans run: every scan that answers holds exactly the state of the version it names.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Company, GraphNodeInput, RelationshipInput, Supplies } from '../../../graph/model.js';
import { StoreUnavailableError } from '../../../server/errors.js';
import { Neo4jGraphStore } from '../../../server/stores/neo4j-store.js';

const conn = inject('neo4j');
const MARKERS = 400;
const WRITES = 40;

/** Write g: every marker company named "generation g", every share of the chain shareOf(g). */
function generation(g: number): { nodes: GraphNodeInput[]; relationships: RelationshipInput[] } {
  const nodes: GraphNodeInput[] = [];
  const relationships: RelationshipInput[] = [];
  for (let i = 0; i < MARKERS; i++) {
    nodes.push({ label: 'Company', id: `m-${i}`, name: `generation ${g}`, country: 'DE' });
    if (i > 0)
      relationships.push({
        type: 'SUPPLIES',
        from: `m-${i - 1}`,
        to: `m-${i}`,
        metal: 'tin',
        share: ((g % 9) + 1) / 10,
        source: `generation ${g}`,
      });
  }
  return { nodes, relationships };
}

describe.runIf(conn !== null)('Neo4jGraphStore.scan under concurrent writes', () => {
  let writer: Neo4jGraphStore;
  let reader: Neo4jGraphStore;

  beforeAll(async () => {
    writer = new Neo4jGraphStore({ ...conn! });
    reader = new Neo4jGraphStore({ ...conn! });
    await writer.init();
    await writer.clear();
  });
  afterAll(async () => {
    await writer?.clear().catch(() => undefined);
    await writer?.close();
    await reader?.close();
  });

  it('answers only whole versions, or StoreUnavailableError', async () => {
    const base = (await writer.importGraph(generation(0))).version;
    let writing = true;
    const write = async () => {
      try {
        for (let g = 1; g <= WRITES; g++) expect((await writer.importGraph(generation(g))).version).toBe(base + g);
      } finally {
        writing = false;
      }
    };
    let consistent = 0;
    let refused = 0;
    const versions = new Set<number>();
    const scan = async (kind: 'rows' | 'columns') => {
      while (writing) {
        try {
          let version: number;
          if (kind === 'rows') {
            const rows = await reader.scan();
            version = rows.version;
            const g = version - base;
            expect(new Set((rows.nodes as Company[]).map((n) => n.name))).toEqual(new Set([`generation ${g}`]));
            expect(new Set((rows.relationships as Supplies[]).map((r) => `${r.share} ${r.source}`))).toEqual(
              new Set([`${((g % 9) + 1) / 10} generation ${g}`]),
            );
          } else {
            const columns = await reader.scanColumns();
            version = columns.version;
            const g = version - base;
            expect(new Set(columns.nodes.names)).toEqual(new Set([`generation ${g}`]));
            expect(columns.supplies.count).toBe(MARKERS - 1);
            expect(new Set(columns.supplies.share.subarray(0, columns.supplies.count))).toEqual(new Set([((g % 9) + 1) / 10]));
          }
          consistent++;
          versions.add(version);
        } catch (err) {
          if (!(err instanceof StoreUnavailableError)) throw err;
          expect(err.message).toMatch(/kept changing/);
          expect(err.retryAfter).toBe(1);
          refused++;
        }
      }
    };
    await Promise.all([write(), scan('rows'), scan('columns')]);
    console.log(`scan under writes: ${consistent} whole scans over ${versions.size} versions, ${refused} refused as mixed`);
    expect(consistent).toBeGreaterThan(0);
    // Quiet again: a scan answers the last version.
    expect((await reader.scan()).version).toBe(base + WRITES);
  }, 180_000);
});
