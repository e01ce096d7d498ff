import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportCommand, renderExport } from '../../../server/cli/export.js';
import { ValidationError } from '../../../server/errors.js';
import { EmbeddedGraphStore } from '../../../server/stores/embedded-store.js';
import { fixtureNodes, fixtureRelationships } from '../stores/graph-store-contract.js';

let dir: string;
let source: EmbeddedGraphStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oretrace-cli-export-'));
  source = new EmbeddedGraphStore({ dataDir: join(dir, 'data') });
  await source.init();
  await source.importGraph({ nodes: fixtureNodes, relationships: fixtureRelationships });
});
afterEach(async () => {
  await source.close();
  await rm(dir, { recursive: true, force: true });
});

describe('oretrace export', () => {
  it('writes nodes.csv and relationships.csv from one scan into a folder', async () => {
    const out = join(dir, 'out', 'csv');
    const summary = await exportCommand(source, { format: 'csv', out });
    expect(summary).toEqual({
      format: 'csv',
      files: [join(out, 'nodes.csv'), join(out, 'relationships.csv')],
      version: 1,
      nodes: 11,
      relationships: 13,
    });
    expect(renderExport(summary)).toBe(
      `exported 11 nodes and 13 relationships (store version 1) as csv to ${join(out, 'nodes.csv')}, ${join(out, 'relationships.csv')}`,
    );
    const nodes = await readFile(join(out, 'nodes.csv'), 'utf8');
    expect(nodes.split('\r\n')).toHaveLength(11 + 2);
  });

  it('writes JSON or GraphML to a file, into a folder under its usual name, or to standard output', async () => {
    const file = join(dir, 'graph.json');
    await exportCommand(source, { format: 'json', out: file });
    expect(JSON.parse(await readFile(file, 'utf8')).nodes).toHaveLength(11);
    const inFolder = await exportCommand(source, { format: 'graphml', out: dir });
    expect(inFolder.files).toEqual([join(dir, 'oretrace-graph.graphml')]);
    expect(await readFile(join(dir, 'oretrace-graph.graphml'), 'utf8')).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<graphml /);
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write: (c, _e, done) => {
        chunks.push(Buffer.from(c));
        done();
      },
    });
    const toStdout = await exportCommand(source, { format: 'json', out: '-' }, sink);
    expect(toStdout.files).toEqual([]);
    expect(JSON.parse(Buffer.concat(chunks).toString('utf8')).relationships).toHaveLength(13);
    await expect(exportCommand(source, { format: 'csv', out: '-' })).rejects.toBeInstanceOf(ValidationError);
  });
});
