/**
 * The GraphML export opens in networkx (nx.read_graphml), the reader most analysts reach for.
 * networkx comes from the benchmark venv (.oretrace/bench-venv, created on first use from
 * bench/baselines/requirements.txt with pip: 30–60 s). In CI (CI=true) this test never skips;
 * elsewhere it builds the venv too, and skips only when there is no python3 at all.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphNodeSchema, RelationshipSchema } from '../../../graph/model.js';
import { graphToGraphMl } from '../../../server/exporters/graph-export.js';
import { PROJECT_ROOT } from '../../../server/seeding/reference-data.js';
import type { GraphScan } from '../../../server/stores/graph-store.js';
import { fixtureNodes, fixtureRelationships } from '../stores/graph-store-contract.js';

const inCi = process.env.CI === 'true';
const hasPython = spawnSync('python3', ['--version']).status === 0;

/**
 * The venv's python, from bench/lib/python-env.ts ensureBenchVenv. It runs pip synchronously on a
 * fresh clone, so it runs in a child process: the test worker stays responsive meanwhile.
 */
async function benchPython(): Promise<string> {
  const module = pathToFileURL(join(PROJECT_ROOT, 'bench', 'lib', 'python-env.ts')).href;
  const code =
    `const { ensureBenchVenv } = await import(${JSON.stringify(module)});` +
    ` const python = ensureBenchVenv((line) => process.stderr.write(line + '\\n'));` +
    ` process.stdout.write('\\nPYTHON=' + python + '\\n');`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const status = await new Promise<number | null>((resolve, reject) => child.on('error', reject).on('close', resolve));
  const python = /^PYTHON=(.+)$/m.exec(out)?.[1];
  if (status !== 0 || python === undefined) throw new Error(`could not prepare the bench venv (exit ${status}): ${out}`);
  return python;
}

const READ_GRAPHML = `
import json, sys
import networkx as nx
g = nx.read_graphml(sys.argv[1])
edges = [{"u": u, "v": v, "key": k, "data": d} for u, v, k, d in g.edges(keys=True, data=True)]
print(json.dumps({
  "directed": g.is_directed(),
  "multigraph": g.is_multigraph(),
  "nodes": g.number_of_nodes(),
  "edges": g.number_of_edges(),
  "graph": g.graph,
  "nodeData": {n: d for n, d in g.nodes(data=True)},
  "edgeList": edges,
}, ensure_ascii=False))
`;

const HOSTILE_NAME = 'Fundición <"Andes"> & \'Sons\'\nLine two\tTabbed 北京 😀';
const HOSTILE_ID = 'a&b<c>"d\'';

function scan(): GraphScan {
  return {
    version: 42,
    nodes: [
      ...fixtureNodes,
      { label: 'Company', id: HOSTILE_ID, name: HOSTILE_NAME, country: 'JP', tags: ['x|y', 'z'], saqScore: 12.5 },
      {
        label: 'Smelter',
        id: 'S-RECYCLED',
        name: 'Recycler\r\nCRLF',
        metal: 'gold',
        country: 'JP',
        recycledOrScrap: true,
        lastAudit: '2026-03-01',
      },
    ].map((n) => GraphNodeSchema.parse(n)),
    relationships: [
      ...fixtureRelationships,
      { type: 'SUPPLIES', from: HOSTILE_ID, to: 'acme', metal: 'gold', share: 0.125, source: 'file <a&b>.xlsx' },
      { type: 'SUPPLIES', from: 'S-RECYCLED', to: HOSTILE_ID, metal: 'gold' },
    ].map((r) => ({ ...RelationshipSchema.parse(r), updatedAt: '2026-11-25T10:00:00.000Z' })),
  };
}

describe.skipIf(!inCi && !hasPython)('GraphML export read by networkx', () => {
  let dir: string;
  let python: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oretrace-graphml-'));
    python = await benchPython();
  }, 600_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads every node, edge and attribute back with its type', async () => {
    const file = join(dir, 'graph.graphml');
    await writeFile(file, graphToGraphMl(scan(), { exportedAt: new Date('2026-11-25T12:00:00.000Z') }), 'utf8');
    const run = spawnSync(python, ['-c', READ_GRAPHML, file], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const g = JSON.parse(run.stdout);

    // Two metals between t1a and acme: parallel edges make networkx return a multigraph.
    expect({ directed: g.directed, multigraph: g.multigraph, nodes: g.nodes, edges: g.edges }).toEqual({
      directed: true,
      multigraph: true,
      nodes: 13,
      edges: 15,
    });
    expect(g.graph).toEqual({ version: 42, exportedAt: '2026-11-25T12:00:00.000Z', node_default: {}, edge_default: {} });

    expect(g.nodeData['S-TIN-1']).toEqual({
      label: 'Smelter',
      name: 'Andes Tin Smelter',
      country: 'PE',
      metal: 'tin',
      rmapStatus: 'conformant',
      aliases: 'ATS Fundición',
    });
    expect(g.nodeData.CD).toEqual({
      label: 'Country',
      name: 'Congo, Democratic Republic of the',
      cahra: true,
      lists: 'EU-CAHRA|DFA-1502',
    });
    expect(g.nodeData.acme).toEqual({ label: 'Company', name: 'Acme Watches', country: 'JP', saqScore: 81, tags: 'focal' });
    // Hostile text comes back exactly: markup characters, line breaks, tabs, CJK, emoji.
    expect(g.nodeData[HOSTILE_ID]).toEqual({ label: 'Company', name: HOSTILE_NAME, country: 'JP', tags: 'x\\|y|z', saqScore: 12.5 });
    expect(g.nodeData['S-RECYCLED']).toMatchObject({ name: 'Recycler\r\nCRLF', recycledOrScrap: true, lastAudit: '2026-03-01' });

    // In a multigraph networkx keeps the GraphML edge id as the edge key.
    type Edge = { u: string; v: string; key: string; data: Record<string, unknown> };
    const edges: Edge[] = g.edgeList;
    const between = (u: string, v: string): Record<string, unknown>[] =>
      edges.filter((e) => e.u === u && e.v === v).map((e) => ({ key: e.key, ...e.data }));
    expect(between('CD', 'S-TIN-1')).toEqual([
      { key: 'e0', type: 'SUPPLIES', metal: 'tin', share: 0.3, source: 'manual', updatedAt: '2026-11-25T10:00:00.000Z' },
    ]);
    expect(between(HOSTILE_ID, 'acme')).toEqual([
      {
        key: expect.stringMatching(/^e\d+$/),
        type: 'SUPPLIES',
        metal: 'gold',
        share: 0.125,
        source: 'file <a&b>.xlsx',
        updatedAt: '2026-11-25T10:00:00.000Z',
      },
    ]);
    expect(
      between('t1a', 'acme')
        .map((d) => [d.metal, d.share ?? null])
        .sort(),
    ).toEqual([
      ['gold', null],
      ['tin', 0.6],
    ]);
    expect(between('acme', 'JP')).toEqual([{ key: 'e14', type: 'LOCATED_IN', updatedAt: '2026-11-25T10:00:00.000Z' }]);
    // Python and networkx start in about a second, more on a loaded machine.
  }, 60_000);
});
