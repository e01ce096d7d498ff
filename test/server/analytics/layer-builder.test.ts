/**
 * The compile with its layers built in the layer builder's worker gives exactly the snapshot of
 * the one-thread compile (the same pure layer builds), on the fixture graph and on synthetic
 * networks, refuses malformed columns with the same error, and survives a worker that dies.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { GraphNodeSchema, RelationshipSchema } from '../../../graph/model.js';
import { scanToColumns } from '../../../graph/scan-columns.js';
import { compileSnapshotFromColumns, planCompile, type Snapshot } from '../../../graph/snapshot.js';
import { LayerBuilder } from '../../../server/analytics/layer-builder.js';
import { generateSyntheticColumns, materializeSynthetic, syntheticScanColumns } from '../../../seeds/synthetic/generate-synthetic.js';
import { inSharedMemory } from '../../../graph/typed-arena.js';
import { fixtureNodes, fixtureRelationships } from '../stores/graph-store-contract.js';

const builder = new LayerBuilder();

/** Every typed array a snapshot holds, with where it is (posted to a worker, each is shared or copied). */
function typedArraysOf(snapshot: Snapshot): [string, ArrayBufferView][] {
  const found: [string, ArrayBufferView][] = [];
  const collect = (prefix: string, value: object) => {
    for (const [key, field] of Object.entries(value)) if (ArrayBuffer.isView(field)) found.push([`${prefix}${key}`, field]);
  };
  collect('', snapshot);
  collect('idIndex.', snapshot.idIndex);
  for (const [metal, layer] of snapshot.layers) collect(`${metal}.`, layer);
  return found;
}
afterAll(() => builder.close());

describe('LayerBuilder', () => {
  it('compiles the fixture graph to the snapshot of the one-thread compile', async () => {
    const scan = scanToColumns({
      version: 4,
      nodes: fixtureNodes.map((n) => GraphNodeSchema.parse(n)),
      relationships: fixtureRelationships.map((r) => RelationshipSchema.parse(r)),
    });
    expect(await builder.compile(scan)).toEqual(compileSnapshotFromColumns(scan));
  });

  it.each([1, 2, 3])(
    'compiles a synthetic network (seed %i, every metal) to the snapshot of the one-thread compile',
    async (seed) => {
      const scan = syntheticScanColumns(generateSyntheticColumns({ companies: 3000, seed, locatedIn: true }), seed);
      const plan = planCompile(scan);
      expect(plan.jobs.length).toBeGreaterThan(2);
      expect(await builder.compile(scan)).toEqual(compileSnapshotFromColumns(scan));
    },
    60_000,
  );

  it('compiles SUPPLIES columns in shared memory (read in place by the worker) and in ordinary memory (copied to it) alike', async () => {
    const scan = syntheticScanColumns(generateSyntheticColumns({ companies: 2000, seed: 8, locatedIn: false }), 1);
    const { supplies } = scan;
    expect([supplies.from, supplies.to, supplies.metal, supplies.share].every(inSharedMemory)).toBe(true);
    const ordinary = {
      ...scan,
      supplies: {
        ...supplies,
        from: Int32Array.from(supplies.from),
        to: Int32Array.from(supplies.to),
        metal: Uint8Array.from(supplies.metal),
        share: Float64Array.from(supplies.share),
      },
    };
    expect(inSharedMemory(ordinary.supplies.from)).toBe(false);
    const expected = compileSnapshotFromColumns(scan);
    expect(await builder.compile(scan)).toEqual(expected);
    expect(await builder.compile(ordinary)).toEqual(expected);
    // The caller's columns are still whole (a copy was transferred, not them).
    expect(ordinary.supplies.from.length).toBe(supplies.count);
  }, 60_000);

  it('keeps every typed array of a snapshot compiled from a store scan in shared memory, compiled here and in the layer builder', async () => {
    // What the stores' scans go through (ScanColumnsBuilder); a network with every metal and some cycles.
    const network = materializeSynthetic(generateSyntheticColumns({ companies: 1500, seed: 5, locatedIn: true }));
    const scan = scanToColumns({ version: 1, ...network });
    for (const snapshot of [compileSnapshotFromColumns(scan), await builder.compile(scan)]) {
      const arrays = typedArraysOf(snapshot);
      expect(arrays.length).toBeGreaterThan(40);
      expect(arrays.filter(([, a]) => !inSharedMemory(a)).map(([path]) => path)).toEqual([]);
      expect([...snapshot.layers.values()].some((l) => l.cyclicBlocks.length > 0)).toBe(true);
    }
  }, 60_000);

  it('gives the same snapshot when its worker is terminated mid-compile, and starts a new one for the next compile', async () => {
    const scan = syntheticScanColumns(generateSyntheticColumns({ companies: 2000, seed: 7, locatedIn: false }), 1);
    const expected = compileSnapshotFromColumns(scan);
    const own = new LayerBuilder();
    try {
      expect(await own.compile(scan)).toEqual(expected);
      // Kill the worker mid-flight: start a compile, then terminate the worker it uses.
      const pending = own.compile(scan);
      await (own as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
      expect(await pending).toEqual(expected);
      expect(await own.compile(scan)).toEqual(expected);
    } finally {
      await own.close();
    }
  }, 60_000);
});

describe('LayerBuilder on malformed columns', () => {
  it('refuses them with the error of the one-thread compile, and compiles the next scan as usual', async () => {
    const good = syntheticScanColumns(generateSyntheticColumns({ companies: 2000, seed: 4, locatedIn: false }), 1);
    const bad = { ...good, supplies: { ...good.supplies, to: good.supplies.to.slice() } };
    bad.supplies.to[7] = good.nodes.nodeCount + 3;
    expect(() => compileSnapshotFromColumns(bad)).toThrow(`supplies.to[7] = ${good.nodes.nodeCount + 3} is not a node position`);
    await expect(builder.compile(bad)).rejects.toThrow(`supplies.to[7] = ${good.nodes.nodeCount + 3} is not a node position`);
    expect(await builder.compile(good)).toEqual(compileSnapshotFromColumns(good));
  }, 60_000);

  it('names the first malformed relationship when several are, whichever metal and check finds each', async () => {
    const good = syntheticScanColumns(generateSyntheticColumns({ companies: 2000, seed: 5, locatedIn: false }), 1);
    const { metal } = good.supplies;
    const n = good.nodes.nodeCount;
    // Two positions of different metals (built as different layers), p before q.
    const p = 11;
    const q = metal.findIndex((m, k) => k > p + 50 && m !== metal[p]);
    expect(q).toBeGreaterThan(p);
    const spoilt = (shareAt: number, endAt: number) => {
      const supplies = { ...good.supplies, to: good.supplies.to.slice(), share: good.supplies.share.slice() };
      supplies.share[shareAt] = 2;
      supplies.to[endAt] = -4;
      return { ...good, supplies };
    };
    // A share found while filling, before an end found while counting; and the other way round.
    for (const [columns, message] of [
      [spoilt(p, q), `supplies.share[${p}] = 2: a share lies in [0, 1]`],
      [spoilt(q, p), `supplies.to[${p}] = -4 is not a node position in [0, ${n})`],
    ] as const) {
      expect(() => compileSnapshotFromColumns(columns)).toThrow(message);
      await expect(builder.compile(columns)).rejects.toThrow(message);
    }
    // Within one metal too: the share of an earlier relationship beats the end of a later one.
    const r = metal.findIndex((m, k) => k > p + 50 && m === metal[p]);
    expect(() => compileSnapshotFromColumns(spoilt(p, r))).toThrow(`supplies.share[${p}] = 2`);
  }, 60_000);
});
