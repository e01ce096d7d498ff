import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { endsAllowed, GraphNodeSchema, RelationshipSchema, type GraphNode, type Relationship, type Supplies } from '../../graph/model.js';
import { compileSnapshot, nodeIndex, undisclosedOf } from '../../graph/snapshot.js';
import { generateSyntheticColumns, generateSyntheticNetwork, type SyntheticNetwork } from '../../seeds/synthetic/generate-synthetic.js';
import { loadIsoCountries } from '../../server/seeding/reference-data.js';
import { writeSyntheticGraph, type SyntheticLoadProgress } from '../../server/seeding/synthetic-loader.js';
import { EmbeddedGraphStore } from '../../server/stores/embedded-store.js';

// One 5k-company network shared by the shape tests (generation takes well under a second).
const big: SyntheticNetwork = generateSyntheticNetwork({ companies: 5000, seed: 42 });
const supplies = big.relationships.filter((r): r is Supplies => r.type === 'SUPPLIES');
const labelById = new Map(big.nodes.map((n) => [n.id, n.label]));

/** Sources of each buyer (any metal), for walks against the material flow. */
function sourcesByBuyer(rels: readonly Supplies[], keep: (r: Supplies) => boolean = () => true): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rels) {
    if (!keep(r)) continue;
    const list = out.get(r.to) ?? [];
    list.push(r.from);
    out.set(r.to, list);
  }
  return out;
}

/** Plain BFS distances from `start`, stepping from a buyer to its sources. */
function upstreamDistances(start: string, sources: Map<string, string[]>): Map<string, number> {
  const dist = new Map([[start, 0]]);
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (const u of sources.get(v) ?? []) {
      if (!dist.has(u)) {
        dist.set(u, dist.get(v)! + 1);
        queue.push(u);
      }
    }
  }
  return dist;
}

/** Nodes left over by Kahn's algorithm: those on or downstream of a cycle (empty ⇔ acyclic). */
function nodesNotTopologicallySortable(rels: readonly Supplies[]): number {
  const indegree = new Map<string, number>();
  const out = new Map<string, string[]>();
  for (const r of rels) {
    indegree.set(r.to, (indegree.get(r.to) ?? 0) + 1);
    if (!indegree.has(r.from)) indegree.set(r.from, 0);
    const list = out.get(r.from) ?? [];
    list.push(r.to);
    out.set(r.from, list);
  }
  const queue = [...indegree].filter(([, d]) => d === 0).map(([id]) => id);
  let removed = 0;
  for (let head = 0; head < queue.length; head++) {
    removed++;
    for (const w of out.get(queue[head]!) ?? []) {
      const d = indegree.get(w)! - 1;
      indegree.set(w, d);
      if (d === 0) queue.push(w);
    }
  }
  return indegree.size - removed;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe('generateSyntheticNetwork', () => {
  it('is deterministic per seed', () => {
    const a = generateSyntheticNetwork({ companies: 400, seed: 7 });
    const b = generateSyntheticNetwork({ companies: 400, seed: 7 });
    const c = generateSyntheticNetwork({ companies: 400, seed: 8 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(c.relationships)).not.toBe(JSON.stringify(a.relationships));
    // Same sizes of everything fixed by the options, different wiring.
    expect(c.nodes.length).toBe(a.nodes.length);
  });

  it('makes objects that the schemas accept unchanged (defaults spelled out)', () => {
    expect(big.nodes.map((n) => GraphNodeSchema.parse(n))).toEqual(big.nodes);
    expect(big.relationships.map((r) => RelationshipSchema.parse(r))).toEqual(big.relationships);
  });

  it('has unique node ids and relationship keys, and every relationship between existing nodes with allowed ends', () => {
    expect(labelById.size).toBe(big.nodes.length);
    const keys = new Set(big.relationships.map((r) => (r.type === 'SUPPLIES' ? `S:${r.from}:${r.to}:${r.metal}` : `L:${r.from}:${r.to}`)));
    expect(keys.size).toBe(big.relationships.length);
    const bad = big.relationships.filter((r) => {
      const from = labelById.get(r.from);
      const to = labelById.get(r.to);
      return from === undefined || to === undefined || !endsAllowed(r.type, from, to);
    });
    expect(bad).toEqual([]);
    expect(new Set(supplies.map((r) => `${labelById.get(r.from)}->${labelById.get(r.to)}`))).toEqual(
      new Set(['Country->Smelter', 'Smelter->Company', 'Company->Company']),
    );
  });

  it('has tiers at least 5 deep below the focal company (BFS over company-to-company SUPPLIES)', () => {
    expect(big.focal[0]).toBe('syn-focal-1');
    const companies = sourcesByBuyer(supplies, (r) => labelById.get(r.from) === 'Company');
    const dist = upstreamDistances(big.focal[0]!, companies);
    const deepest = Math.max(...dist.values());
    expect(deepest).toBeGreaterThanOrEqual(5);
    // Most companies are upstream of the first focal company, at every tier.
    const perTier = new Map<number, number>();
    for (const d of dist.values()) perTier.set(d, (perTier.get(d) ?? 0) + 1);
    for (let t = 1; t <= 5; t++) expect(perTier.get(t) ?? 0).toBeGreaterThan(0);
    expect(dist.size).toBeGreaterThan(0.5 * big.stats.companies);
    // Smelters and countries lie beyond the companies.
    const all = upstreamDistances(big.focal[0]!, sourcesByBuyer(supplies));
    expect([...all.keys()].some((id) => labelById.get(id) === 'Country')).toBe(true);
  });

  it('has power-law buyer counts: a few suppliers serve very many buyers', () => {
    const buyers = new Map<string, Set<string>>();
    for (const r of supplies) {
      if (labelById.get(r.from) !== 'Company') continue;
      const set = buyers.get(r.from) ?? new Set();
      set.add(r.to);
      buyers.set(r.from, set);
    }
    const counts = [...buyers.values()].map((s) => s.size);
    const max = Math.max(...counts);
    expect(median(counts)).toBeLessThanOrEqual(2);
    expect(max).toBeGreaterThanOrEqual(50 * median(counts));
    // Shared sub-tier suppliers: many companies have more than one buyer.
    expect(counts.filter((c) => c > 1).length).toBeGreaterThan(0.1 * counts.length);
  });

  it('has a few cycles among companies, and none when asked for none', () => {
    const perMetal = (net: SyntheticNetwork) =>
      net.relationships
        .filter((r): r is Supplies => r.type === 'SUPPLIES')
        .reduce((m, r) => {
          const list = m.get(r.metal) ?? [];
          list.push(r);
          return m.set(r.metal, list);
        }, new Map<string, Supplies[]>());
    const cyclic = [...perMetal(big).values()].map(nodesNotTopologicallySortable);
    expect(cyclic.some((n) => n > 0)).toBe(true);
    expect(big.stats.cycles).toBeGreaterThanOrEqual(3);
    const acyclic = generateSyntheticNetwork({ companies: 5000, seed: 42, cycles: 0 });
    expect([...perMetal(acyclic).values()].map(nodesNotTopologicallySortable).every((n) => n === 0)).toBe(true);
  });

  it('keeps the shares into each buyer for each metal at most 1, with full, remainder, missing and absent shares all present', () => {
    const groups = new Map<string, { sum: number; given: number; missing: number }>();
    for (const r of supplies) {
      const key = `${r.to}\u0000${r.metal}`;
      const g = groups.get(key) ?? { sum: 0, given: 0, missing: 0 };
      if (r.share === undefined) g.missing++;
      else {
        g.sum += r.share;
        g.given++;
      }
      groups.set(key, g);
    }
    const all = [...groups.values()];
    expect(all.filter((g) => g.sum > 1 + 1e-9)).toEqual([]);
    expect(all.some((g) => g.missing === 0 && Math.abs(g.sum - 1) < 1e-9)).toBe(true); // fully disclosed
    expect(all.some((g) => g.missing === 0 && g.sum < 0.96)).toBe(true); // an undisclosed remainder
    expect(all.some((g) => g.missing > 0 && g.given > 0)).toBe(true); // some without a share
    expect(all.some((g) => g.given === 0)).toBe(true); // none given
    expect(supplies.filter((r) => r.share !== undefined).length).toBeGreaterThan(0.5 * supplies.length);
    // The focal companies disclose their direct suppliers in full.
    for (const f of big.focal) {
      for (const [key, g] of groups) if (key.startsWith(`${f}\u0000`)) expect(g.missing === 0 && Math.abs(g.sum - 1) < 1e-9).toBe(true);
    }
  });

  it('has a few hundred smelters per metal, some recycled (without ore), RMAP statuses mixed', () => {
    const smelters = big.nodes.filter((n): n is Extract<GraphNode, { label: 'Smelter' }> => n.label === 'Smelter');
    const perMetal = new Map<string, number>();
    for (const s of smelters) perMetal.set(s.metal, (perMetal.get(s.metal) ?? 0) + 1);
    expect(Object.fromEntries(perMetal)).toEqual({ tin: 200, tantalum: 200, tungsten: 200, gold: 200 });
    const recycled = new Set(smelters.filter((s) => s.recycledOrScrap).map((s) => s.id));
    expect(recycled.size).toBeGreaterThan(20);
    expect(supplies.filter((r) => recycled.has(r.to))).toEqual([]);
    expect(new Set(smelters.map((s) => s.rmapStatus)).size).toBe(5);
    // Smelters supply companies of their own metal only.
    const metalOf = new Map(smelters.map((s) => [s.id, s.metal]));
    expect(supplies.filter((r) => metalOf.has(r.from) && metalOf.get(r.from) !== r.metal)).toEqual([]);
    expect(supplies.filter((r) => metalOf.has(r.to) && metalOf.get(r.to) !== r.metal)).toEqual([]);
  });

  it('uses ~50 real countries with their reference CAHRA lists', () => {
    const countries = big.nodes.filter((n): n is Extract<GraphNode, { label: 'Country' }> => n.label === 'Country');
    expect(countries.length).toBe(50);
    const iso = new Set(loadIsoCountries().map((c) => c.alpha2));
    expect(countries.filter((c) => !iso.has(c.id))).toEqual([]);
    const byId = new Map(countries.map((c) => [c.id, c]));
    expect(byId.get('CD')).toMatchObject({ cahra: true, lists: ['EU-CAHRA', 'DFA-1502'] });
    expect(byId.get('RW')).toMatchObject({ cahra: true, lists: ['DFA-1502'] });
    expect(byId.get('MM')).toMatchObject({ cahra: true, lists: ['EU-CAHRA'] });
    expect(byId.get('AU')).toMatchObject({ cahra: false, lists: [] });
    // Ore comes from CAHRA and non-CAHRA countries alike.
    const oreFrom = new Set(supplies.filter((r) => byId.has(r.from)).map((r) => byId.get(r.from)!.cahra));
    expect(oreFrom).toEqual(new Set([true, false]));
  });

  it('has LOCATED_IN for every company and smelter, or none when switched off', () => {
    const located = big.relationships.filter((r) => r.type === 'LOCATED_IN');
    expect(located.length).toBe(big.nodes.filter((n) => n.label !== 'Country').length);
    const country = new Map(big.nodes.filter((n) => n.label !== 'Country').map((n) => [n.id, (n as { country: string }).country]));
    expect(located.filter((r) => country.get(r.from) !== r.to)).toEqual([]);
    const off = generateSyntheticNetwork({ companies: 300, seed: 42, locatedIn: false });
    expect(off.relationships.filter((r) => r.type === 'LOCATED_IN')).toEqual([]);
    expect(off.stats.locatedIn).toBe(0);
  });

  it('compiles to a snapshot with every metal layer, no over-shared buyer, and a fully disclosed focal company', () => {
    const s = compileSnapshot({ version: 1, nodes: big.nodes, relationships: big.relationships });
    expect(s.nodeCount).toBe(big.nodes.length);
    expect(s.metals).toEqual(['gold', 'tantalum', 'tin', 'tungsten']);
    const focal = nodeIndex(s, big.focal[0]!)!;
    let edges = 0;
    for (const layer of s.layers.values()) {
      edges += layer.edgeCount;
      expect(layer.overShared.every((x) => x === 0)).toBe(true);
      expect(undisclosedOf(layer, focal)).toBe(0);
      expect(layer.inOffsets[focal + 1]! - layer.inOffsets[focal]!).toBeGreaterThan(0);
    }
    expect(edges).toBe(supplies.length);
    expect(big.stats.supplies).toBe(supplies.length);
  });

  it('aims at the requested SUPPLIES per company', () => {
    const g = generateSyntheticColumns({ companies: 20_000, seed: 3, suppliesPerCompany: 5 });
    expect(g.edgeCount / 20_000).toBeGreaterThan(4.2);
    expect(g.edgeCount / 20_000).toBeLessThan(5.8);
    const sparse = generateSyntheticColumns({ companies: 20_000, seed: 3, suppliesPerCompany: 3 });
    expect(sparse.edgeCount).toBeLessThan(g.edgeCount);
  });

  it('handles tiny networks', () => {
    const one = generateSyntheticNetwork({ companies: 1, seed: 1 });
    expect(one.focal).toEqual(['syn-focal-1']);
    const three = generateSyntheticNetwork({ companies: 3, seed: 1, metals: ['cobalt'] });
    expect(three.stats.tierSizes).toEqual([1, 1, 1]);
    expect(three.relationships.every((r) => r.type === 'LOCATED_IN' || r.metal === 'cobalt')).toBe(true);
  });

  it('rejects bad options', () => {
    expect(() => generateSyntheticColumns({ companies: 0, seed: 1 })).toThrow(RangeError);
    expect(() => generateSyntheticColumns({ companies: 10.5, seed: 1 })).toThrow(RangeError);
    expect(() => generateSyntheticColumns({ companies: 10, seed: 0.5 })).toThrow(RangeError);
    expect(() => generateSyntheticColumns({ companies: 10, seed: 1, metals: [] })).toThrow(RangeError);
    expect(() => generateSyntheticColumns({ companies: 10, seed: 1, metals: ['tin', 'tin'] })).toThrow(RangeError);
    expect(() => generateSyntheticColumns({ companies: 10, seed: 1, metals: ['unobtainium' as 'tin'] })).toThrow(RangeError);
  });
});

describe('writeSyntheticGraph', () => {
  it('writes the network into a store in chunks, nodes first, reporting progress', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oretrace-synthetic-'));
    const store = new EmbeddedGraphStore({ dataDir: dir });
    try {
      await store.init();
      const progress: SyntheticLoadProgress[] = [];
      const result = await writeSyntheticGraph(store, { companies: 200, seed: 5, chunkSize: 250 }, (p) => progress.push(p));
      const expected = generateSyntheticNetwork({ companies: 200, seed: 5 });
      expect(result.nodesUpserted).toBe(expected.nodes.length);
      expect(result.relationshipsUpserted).toBe(expected.relationships.length);
      expect(result.focal).toEqual(expected.focal);
      expect(await store.counts()).toEqual({ nodes: expected.nodes.length, relationships: expected.relationships.length });
      expect(result.version).toBe(await store.version());
      expect(progress[0]!.phase).toBe('generated');
      const nodePhases = progress.filter((p) => p.phase === 'nodes');
      expect(nodePhases.length).toBe(Math.ceil(expected.nodes.length / 250));
      expect(nodePhases.at(-1)).toEqual({ phase: 'nodes', done: expected.nodes.length, total: expected.nodes.length });
      expect(progress.at(-1)).toEqual({
        phase: 'relationships',
        done: expected.relationships.length,
        total: expected.relationships.length,
      });
      // What the store gives back compiles to the same graph.
      const scan = await store.scan();
      const fromStore = compileSnapshot(scan);
      const direct = compileSnapshot({ version: 0, nodes: expected.nodes, relationships: expected.relationships as Relationship[] });
      expect(fromStore.nodeCount).toBe(direct.nodeCount);
      for (const [metal, layer] of direct.layers) expect(fromStore.layers.get(metal)!.edgeCount).toBe(layer.edgeCount);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a chunk size below 1 before writing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oretrace-synthetic-'));
    const store = new EmbeddedGraphStore({ dataDir: dir });
    try {
      await store.init();
      await expect(writeSyntheticGraph(store, { companies: 10, seed: 1, chunkSize: 0 })).rejects.toThrow(RangeError);
      expect(await store.counts()).toEqual({ nodes: 0, relationships: 0 });
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
