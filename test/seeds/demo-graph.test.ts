/**
 * Checks the committed demo (seeds/demo/demo-graph.json) against every requirement of the demo
 * data set, by computation on the file itself.
 */
import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import {
  endsAllowed,
  GraphNodeSchema,
  relationshipKey,
  RelationshipSchema,
  type Company,
  type Country,
  type GraphNode,
  type Metal,
  type Smelter,
} from '../../graph/model.js';
import { DEMO_FILE, DEMO_IDS, generateDemo, serializeDemo } from '../../seeds/demo/generate-demo.js';
import { loadReferenceSmelters, referenceGraph } from '../../server/seeding/reference-data.js';
import { dominates, findCycle, incoming, suppliesOf, upstreamDistances, upstreamOf } from './demo-graph-analysis.js';

const text = readFileSync(DEMO_FILE, 'utf8');
const doc = JSON.parse(text) as { notice: string; generatedBy: string; nodes: unknown[]; relationships: unknown[] };
const nodes = doc.nodes.map((n) => GraphNodeSchema.parse(n));
const relationships = doc.relationships.map((r) => RelationshipSchema.parse(r));
const supplies = suppliesOf(relationships);
const reference = referenceGraph();

/** Demo nodes win over reference nodes with the same id (the real smelters with a demo status). */
const all = new Map<string, GraphNode>();
for (const n of reference.nodes) all.set(n.id, n);
for (const n of nodes) all.set(n.id, n);

const companies = nodes.filter((n): n is Company => n.label === 'Company');
const smelters = nodes.filter((n): n is Smelter => n.label === 'Smelter');
const labelOf = (id: string) => all.get(id)?.label;
const THREE_TG: Metal[] = ['tin', 'tantalum', 'tungsten', 'gold'];

describe('demo graph file', () => {
  it('says it is fictional, and how it was made', () => {
    expect(Object.keys(doc)).toEqual(['notice', 'generatedBy', 'nodes', 'relationships']);
    expect(doc.notice).toMatch(/FICTIONAL/);
    expect(doc.notice).toMatch(/illustrative/);
    expect(doc.notice).toMatch(/non_conformant/);
    expect(doc.generatedBy).toContain('seeds/demo/generate-demo.ts');
  });

  it('is exactly what the generator produces (regenerating changes nothing)', () => {
    expect(serializeDemo(generateDemo())).toBe(text);
  });

  it('has nodes and relationships that parse unchanged with the model schemas', () => {
    doc.nodes.forEach((n, i) => expect(nodes[i]).toEqual(n));
    doc.relationships.forEach((r, i) => expect(relationships[i]).toEqual(r));
    expect(nodes.filter((n) => n.label === 'Country')).toHaveLength(0);
  });

  it('has unique ids, also against the reference data except the real smelters it re-states', () => {
    expect(new Set(nodes.map((n) => n.id)).size).toBe(nodes.length);
    const refIds = new Map(reference.nodes.map((n) => [n.id, n]));
    for (const n of nodes) {
      const ref = refIds.get(n.id);
      if (ref === undefined) continue;
      // Only real smelters are re-stated, identical to the look-up except the illustrative status.
      expect(n.label).toBe('Smelter');
      expect({ ...n, rmapStatus: 'unknown' }).toEqual(ref);
    }
    const keys = relationships.map((r) => relationshipKey(r));
    expect(new Set(keys).size).toBe(keys.length);
    const refKeys = new Set(reference.relationships.map((r) => relationshipKey(r)));
    for (const k of keys) expect(refKeys.has(k)).toBe(false);
  });

  it('names relationship ends that exist in demo + reference data, of allowed kinds', () => {
    for (const r of relationships) {
      const from = labelOf(r.from);
      const to = labelOf(r.to);
      expect(from, `${r.type} ${r.from} → ${r.to}`).toBeDefined();
      expect(to, `${r.type} ${r.from} → ${r.to}`).toBeDefined();
      expect(endsAllowed(r.type, from!, to!), `${r.type} ${from} → ${to}`).toBe(true);
      // Ends outside the file are countries of the reference data.
      if (!nodes.some((n) => n.id === r.from)) expect(from).toBe('Country');
      if (!nodes.some((n) => n.id === r.to)) expect(to).toBe('Country');
    }
  });

  it('has LOCATED_IN for every company and smelter, matching its country', () => {
    const located = new Map<string, string>();
    for (const r of [...relationships, ...reference.relationships]) if (r.type === 'LOCATED_IN') located.set(r.from, r.to);
    for (const n of [...companies, ...smelters]) expect(located.get(n.id), n.id).toBe(n.country);
  });
});

describe('demo companies and tiers', () => {
  it('has at least 300 companies', () => {
    expect(companies.length).toBeGreaterThanOrEqual(300);
  });

  it('has a focal group with business units that supply it', () => {
    const focal = companies.find((c) => c.id === DEMO_IDS.focal);
    expect(focal?.name).toBe('Aurelia Watch & Electronics Group');
    const units = new Set(supplies.filter((s) => s.to === DEMO_IDS.focal).map((s) => s.from));
    expect([...units].sort()).toEqual([...DEMO_IDS.businessUnits].sort());
    for (const id of units) expect(labelOf(id)).toBe('Company');
  });

  it('reaches every company from the focal group, over at least 4 tiers below it', () => {
    const dist = upstreamDistances(supplies, DEMO_IDS.focal);
    const tiers = new Map<number, number>();
    for (const c of companies) {
      const d = dist.get(c.id);
      expect(d, `${c.id} is not upstream of the focal group`).toBeDefined();
      tiers.set(d!, (tiers.get(d!) ?? 0) + 1);
    }
    // Distance 1 = business units, 2 = tier-1 suppliers, ..., 5 = tier-4 suppliers.
    const deepest = Math.max(...tiers.keys());
    expect(deepest).toBeGreaterThanOrEqual(5);
    for (let d = 1; d <= 5; d++) expect(tiers.get(d) ?? 0, `tier at distance ${d}`).toBeGreaterThan(d === 1 ? 2 : 20);
  });

  it('places companies in real ISO countries', () => {
    for (const c of companies) expect(labelOf(c.country), c.id).toBe('Country');
    expect(new Set(companies.map((c) => c.country)).size).toBeGreaterThanOrEqual(15);
  });

  it('gives some companies an SAQ score and a human-rights risk', () => {
    const saq = companies.filter((c) => c.saqScore !== undefined);
    const hr = companies.filter((c) => c.humanRightsRisk !== undefined);
    expect(saq.length).toBeGreaterThan(50);
    expect(saq.length).toBeLessThan(companies.length);
    expect(hr.length).toBeGreaterThan(50);
    expect(new Set(hr.map((c) => c.humanRightsRisk))).toEqual(new Set(['low', 'medium', 'high']));
  });
});

describe('demo smelters and origins', () => {
  const lookup = new Map(loadReferenceSmelters().map((s) => [s.id, s]));
  const real = smelters.filter((s) => lookup.has(s.id));
  const fictional = smelters.filter((s) => !lookup.has(s.id));

  it('uses at least 60 real smelters of the look-up, covering tin, tantalum, tungsten and gold', () => {
    for (const s of smelters.filter((x) => /^CID\d{6}$/.test(x.id))) expect(lookup.has(s.id), s.id).toBe(true);
    expect(real.length).toBeGreaterThanOrEqual(60);
    for (const m of THREE_TG) expect(real.filter((s) => s.metal === m).length, m).toBeGreaterThanOrEqual(8);
    // And every one of them is in the chain: it supplies some company.
    for (const s of smelters)
      expect(
        supplies.some((r) => r.from === s.id),
        s.id,
      ).toBe(true);
  });

  it('gives real smelters only conformant/active/unknown; non_conformant only to fictional DEMO- smelters', () => {
    for (const s of real) expect(['conformant', 'active', 'unknown']).toContain(s.rmapStatus);
    const nonConformant = smelters.filter((s) => s.rmapStatus === 'non_conformant');
    expect(nonConformant.length).toBeGreaterThanOrEqual(2);
    for (const s of nonConformant) {
      expect(s.id).toMatch(/^DEMO-/);
      expect(s.name).toMatch(/fictional/i);
    }
    for (const s of fictional) {
      expect(s.id).toMatch(/^DEMO-/);
      expect(s.name).toMatch(/\(fictional\)$/);
    }
  });

  it('has ore from at least 20 countries, CAHRA ones among them', () => {
    const origins = new Set(supplies.filter((s) => labelOf(s.from) === 'Country').map((s) => s.from));
    expect(origins.size).toBeGreaterThanOrEqual(20);
    for (const c of ['CD', 'RW', 'UG', 'BI', 'AU', 'PE', 'BO', 'CN', 'ID', 'BR']) expect(origins.has(c), c).toBe(true);
    const cahra = [...origins].filter((c) => (all.get(c) as Country).cahra);
    expect(cahra.length).toBeGreaterThanOrEqual(5);
  });

  it('shows ore from a CAHRA country for a real smelter only when the smelter is located there', () => {
    for (const s of supplies) {
      const from = all.get(s.from);
      if (from?.label !== 'Country' || !from.cahra || !lookup.has(s.to)) continue;
      expect((all.get(s.to) as Smelter).country, `${s.from} → ${s.to}`).toBe(s.from);
    }
  });

  it('has recycled/scrap smelters without country origins', () => {
    const recycled = smelters.filter((s) => s.recycledOrScrap === true);
    expect(recycled.length).toBeGreaterThanOrEqual(2);
    for (const s of recycled) {
      expect(
        supplies.some((r) => r.to === s.id),
        s.id,
      ).toBe(false);
      expect(
        supplies.some((r) => r.from === s.id),
        s.id,
      ).toBe(true);
    }
  });
});

describe('demo shares', () => {
  it('puts a share on most SUPPLIES and leaves some without', () => {
    const withShare = supplies.filter((s) => s.share !== undefined).length;
    expect(withShare / supplies.length).toBeGreaterThanOrEqual(0.75);
    expect(withShare).toBeLessThan(supplies.length);
  });

  it('keeps the shares into one buyer for one metal at most 1, with some undisclosed remainders', () => {
    const groups = new Map<string, number[]>();
    for (const s of supplies) {
      const k = `${s.to}\u0000${s.metal}`;
      groups.set(k, [...(groups.get(k) ?? []), ...(s.share === undefined ? [] : [s.share])]);
    }
    let remainders = 0;
    for (const [k, shares] of groups) {
      const sum = shares.reduce((a, b) => a + b, 0);
      expect(sum, k).toBeLessThanOrEqual(1 + 1e-9);
      const count = supplies.filter((s) => `${s.to}\u0000${s.metal}` === k).length;
      if (shares.length === count && sum < 1 - 1e-9) remainders += 1;
    }
    expect(remainders).toBeGreaterThanOrEqual(5);
  });

  it('has single-sourced parts', () => {
    const into = incoming(supplies.filter((s) => labelOf(s.from) === 'Company'));
    const single = [...into.values()].flatMap((list) =>
      [...new Set(list.map((s) => s.metal))].filter((m) => list.filter((s) => s.metal === m).length === 1),
    );
    expect(single.length).toBeGreaterThanOrEqual(10);
  });
});

describe('demo structures for the analyses', () => {
  it('has a supplier cycle (A supplies B supplies C supplies A) for one metal', () => {
    const cycle = findCycle(supplies, DEMO_IDS.cycleMetal);
    expect(cycle).not.toBeNull();
    expect(cycle!.length).toBeGreaterThanOrEqual(3);
    cycle!.forEach((id, i) => {
      const next = cycle![(i + 1) % cycle!.length]!;
      expect(labelOf(id)).toBe('Company');
      expect(supplies.some((s) => s.from === id && s.to === next && s.metal === DEMO_IDS.cycleMetal)).toBe(true);
    });
  });

  it('has a metal whose ore all comes from one country (cobalt from CD, through fictional refiners)', () => {
    const m = DEMO_IDS.singleCountryMetal;
    const origins = new Set(supplies.filter((s) => s.metal === m && labelOf(s.from) === 'Country').map((s) => s.from));
    expect([...origins]).toEqual([DEMO_IDS.singleCountry]);
    const refiners = smelters.filter((s) => s.metal === m);
    expect(refiners.map((s) => s.id).sort()).toEqual([...DEMO_IDS.cobaltRefiners].sort());
    for (const r of refiners) expect(r.recycledOrScrap).toBeUndefined();
    const upstream = upstreamOf(supplies, DEMO_IDS.focal, m);
    expect([...upstream].filter((id) => labelOf(id) === 'Country')).toEqual([DEMO_IDS.singleCountry]);
    // No company in the cobalt chain is a dead end (which would make some cobalt origin undisclosed).
    const into = incoming(supplies, m);
    for (const id of upstream) if (labelOf(id) !== 'Country') expect((into.get(id) ?? []).length, id).toBeGreaterThan(0);
  });

  it('has a smelter that is the only source of a metal for one business unit', () => {
    const found: string[] = [];
    for (const bu of DEMO_IDS.businessUnits) {
      for (const m of [...THREE_TG, 'cobalt' as Metal]) {
        const upstream = upstreamOf(supplies, bu, m);
        const upSmelters = [...upstream].filter((id) => labelOf(id) === 'Smelter');
        for (const s of upSmelters) if (dominates(supplies, all, bu, m, s)) found.push(`${bu}/${m}/${s}`);
      }
    }
    expect(found).toContain(`${DEMO_IDS.soleSourceBusinessUnit}/${DEMO_IDS.soleSourceMetal}/${DEMO_IDS.soleSourceSmelter}`);
    const upstream = upstreamOf(supplies, DEMO_IDS.soleSourceBusinessUnit, DEMO_IDS.soleSourceMetal);
    expect([...upstream].filter((id) => labelOf(id) === 'Smelter')).toEqual([DEMO_IDS.soleSourceSmelter]);
    expect(labelOf(DEMO_IDS.soleSourceSmelter)).toBe('Smelter');
  });
});
