/**
 * Random graphs for export/import round trips: valid by the model, with hostile text everywhere
 * text may go (CSV and XML metacharacters, the list separator and its escape, line breaks,
 * non-Latin scripts, astral characters), as a store scan would return them.
 */
import fc from 'fast-check';
import {
  GraphNodeSchema,
  HUMAN_RIGHTS_RISKS,
  RelationshipSchema,
  RMAP_STATUSES,
  type GraphNode,
  type NodeLabel,
  type Relationship,
} from '../../../graph/model.js';
import { METAL_IDS } from '../../../graph/metals.js';
import type { GraphScan } from '../../../server/stores/graph-store.js';

const HOSTILE = Array.from('aZ09-_ .,;|\\"\'&<>=+@\té中ДΩ😀');
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Ids: no control characters, already trimmed (as the store keeps them). */
const idArb = fc
  .string({ unit: fc.constantFrom(...HOSTILE.filter((c) => c !== '\t')), minLength: 1, maxLength: 8 })
  .filter((s) => s.trim() === s && s.length > 0 && !/^[A-Z]{2}$/.test(s));

/** Free text: anything, line breaks included, except what UTF-8 cannot carry; trimmed and non-empty. */
const textArb = fc
  .oneof(
    fc.string({ unit: fc.constantFrom(...HOSTILE, '\n', '\r\n', '\u0001', ' '), minLength: 1, maxLength: 12 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
  )
  .map((s) => s.trim())
  .filter((s) => s.length > 0 && !LONE_SURROGATE.test(s));

const listArb = fc.array(textArb, { minLength: 1, maxLength: 4 });
const dateArb = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true });
/** No -0: it prints as "0" in JSON and CSV alike, and is not a value anybody stores on purpose. */
const num = (min: number, max: number) => fc.double({ min, max, noNaN: true }).map((x) => (x === 0 ? 0 : x));
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const countryCodeArb = fc.stringMatching(/^[A-Z]{2}$/);

export const randomScanArb: fc.Arbitrary<GraphScan> = fc
  .record({
    countryCodes: fc.uniqueArray(countryCodeArb, { minLength: 1, maxLength: 4 }),
    ids: fc.uniqueArray(idArb, { minLength: 0, maxLength: 10 }),
    seedLabels: fc.array(fc.constantFrom<NodeLabel>('Company', 'Smelter'), { minLength: 10, maxLength: 10 }),
    nodeProps: fc.array(
      fc.record({
        name: textArb,
        aliases: optional(listArb),
        tags: optional(listArb),
        lists: optional(listArb),
        metal: fc.constantFrom(...METAL_IDS),
        rmapStatus: optional(fc.constantFrom(...RMAP_STATUSES)),
        recycledOrScrap: optional(fc.boolean()),
        lastAudit: optional(dateArb.map((d) => d.toISOString().slice(0, 10))),
        saqScore: optional(num(0, 100)),
        humanRightsRisk: optional(fc.constantFrom(...HUMAN_RIGHTS_RISKS)),
        cahra: optional(fc.boolean()),
        cahraRegions: optional(fc.array(fc.stringMatching(/^[A-Z]{2}-[A-Z0-9]{1,3}$/), { minLength: 1, maxLength: 3 })),
        riskScore: optional(num(0, 1)),
        countryIndex: fc.nat(),
      }),
      { minLength: 14, maxLength: 14 },
    ),
    edges: fc.array(
      fc.record({
        from: fc.nat(),
        to: fc.nat(),
        metal: fc.constantFrom(...METAL_IDS),
        share: optional(num(Number.MIN_VALUE, 1)),
        source: optional(textArb),
        locatedIn: fc.boolean(),
        updatedAt: dateArb.map((d) => d.toISOString()),
      }),
      { maxLength: 25 },
    ),
    version: fc.nat({ max: 1_000_000 }),
  })
  .map(({ countryCodes, ids, seedLabels, nodeProps, edges, version }) => {
    const raw: Record<string, unknown>[] = [];
    const props = (i: number) => nodeProps[i % nodeProps.length]!;
    countryCodes.forEach((code, i) => {
      const p = props(i);
      raw.push({
        label: 'Country',
        id: code,
        name: p.name,
        cahra: p.cahra,
        lists: p.lists,
        cahraRegions: p.cahraRegions,
        riskScore: p.riskScore,
      });
    });
    ids.forEach((id, i) => {
      const p = props(i + countryCodes.length);
      const country = countryCodes[p.countryIndex % countryCodes.length]!;
      if (seedLabels[i] === 'Company')
        raw.push({ label: 'Company', id, name: p.name, country, saqScore: p.saqScore, humanRightsRisk: p.humanRightsRisk, tags: p.tags });
      else
        raw.push({
          label: 'Smelter',
          id,
          name: p.name,
          country,
          metal: p.metal,
          aliases: p.aliases,
          rmapStatus: p.rmapStatus,
          recycledOrScrap: p.recycledOrScrap,
          lastAudit: p.lastAudit,
        });
    });
    // As the store returns them: parsed, defaults filled, undefined properties absent.
    const nodes: GraphNode[] = raw.map((n) => GraphNodeSchema.parse(JSON.parse(JSON.stringify(n))));
    const byLabel = (l: NodeLabel) => nodes.filter((n) => n.label === l);
    const relationships: Relationship[] = [];
    const keys = new Set<string>();
    for (const e of edges) {
      let from: GraphNode | undefined;
      let to: GraphNode | undefined;
      if (e.locatedIn) {
        const located = [...byLabel('Company'), ...byLabel('Smelter')];
        from = located[e.from % Math.max(1, located.length)];
        to = byLabel('Country')[e.to % byLabel('Country').length];
      } else {
        // Every allowed SUPPLIES pair, picked by `from`.
        const pairs: [NodeLabel, NodeLabel][] = [
          ['Country', 'Smelter'],
          ['Smelter', 'Company'],
          ['Company', 'Company'],
        ];
        const [fl, tl] = pairs[e.from % 3]!;
        const froms = byLabel(fl);
        const tos = byLabel(tl);
        from = froms[Math.floor(e.from / 3) % Math.max(1, froms.length)];
        to = tos[e.to % Math.max(1, tos.length)];
      }
      if (!from || !to) continue;
      const key = e.locatedIn ? `L ${from.id} ${to.id}` : `S ${from.id} ${to.id} ${e.metal}`;
      if (keys.has(key)) continue;
      keys.add(key);
      const r = e.locatedIn
        ? { type: 'LOCATED_IN', from: from.id, to: to.id, updatedAt: e.updatedAt }
        : { type: 'SUPPLIES', from: from.id, to: to.id, metal: e.metal, share: e.share, source: e.source, updatedAt: e.updatedAt };
      relationships.push(RelationshipSchema.parse(JSON.parse(JSON.stringify(r))));
    }
    return { version, nodes, relationships };
  });
