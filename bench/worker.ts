/**
 * One graph of the benchmark, in its own process (so that its memory figures are its own):
 * generate → compile (timed) → drop the generated objects and measure what the snapshot keeps →
 * run every case → graphology BFS baseline → write the metal layer for the networkx baselines.
 *
 *   node --expose-gc --max-old-space-size=N --import tsx bench/worker.ts '<GraphSpec JSON>' <out.json> [--edges DIR] [--no-graphology]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DirectedGraph } from 'graphology';
import type { GraphNode, Relationship } from '../graph/model.js';
import type { ScanColumns } from '../graph/scan-columns.js';
import { type MetalLayer, nodeIndex, type Snapshot } from '../graph/snapshot.js';
import {
  generateSyntheticColumns,
  materializeSynthetic,
  syntheticScanColumns,
  type SyntheticStats,
} from '../seeds/synthetic/generate-synthetic.js';
import { CASES } from './cases/index.js';
import { BENCH_METAL } from './lib/graphs.js';
import { MB, retainedBytes, timeIt } from './lib/measure.js';
import type { BenchContext, CaseResult, GraphSpec, Timing } from './lib/types.js';

export interface WorkerOutput {
  graph: GraphSpec;
  metal: string;
  stats: SyntheticStats;
  rows: CaseResult[];
  checks: Record<string, number>;
  graphology: Record<string, Timing>;
  focalId: string;
  largestUpstreamId: string;
  /** Files for the networkx baselines, when asked for. */
  edges?: { prefix: string; nodeCount: number; edgeCount: number };
}

function log(line: string): void {
  process.stderr.write(`  ${line}\n`);
}

/** Members of the layer's largest strongly connected component (1 when it has no cycle). */
function largestComponent(layer: MetalLayer): number {
  let largest = 1;
  for (let i = 0; i < layer.cyclicBlocks.length; i += 2) largest = Math.max(largest, layer.cyclicBlocks[i + 1]! - layer.cyclicBlocks[i]!);
  return largest;
}

/** Upstream size (BFS over the layer) of each candidate; the largest, ties to the lower index. */
function largestUpstream(s: Snapshot, candidates: readonly number[]): number {
  const layer = s.layers.get(BENCH_METAL)!;
  const seen = new Uint8Array(s.nodeCount);
  const queue = new Uint32Array(s.nodeCount);
  let best = candidates[0]!;
  let bestSize = -1;
  for (const c of candidates) {
    seen.fill(0);
    let tail = 0;
    seen[c] = 1;
    queue[tail++] = c;
    for (let head = 0; head < tail; head++) {
      const v = queue[head]!;
      for (let j = layer.inOffsets[v]!; j < layer.inOffsets[v + 1]!; j++) {
        const u = layer.inSources[j]!;
        if (!seen[u]) {
          seen[u] = 1;
          queue[tail++] = u;
        }
      }
    }
    if (tail > bestSize) {
      bestSize = tail;
      best = c;
    }
  }
  return best;
}

/**
 * The metal layer as a walk graph (buyer → source, effective weight) in flat binary files, plus
 * what the baselines need to know about the nodes, for bench/baselines/networkx_baselines.py.
 */
function writeEdges(
  s: Snapshot,
  dir: string,
  label: string,
  focal: number,
  largest: number,
): { prefix: string; nodeCount: number; edgeCount: number } {
  const layer = s.layers.get(BENCH_METAL)!;
  const m = layer.edgeCount;
  const from = new Int32Array(m);
  const to = new Int32Array(m);
  for (let v = 0; v < s.nodeCount; v++) {
    for (let j = layer.inOffsets[v]!; j < layer.inOffsets[v + 1]!; j++) {
      from[j] = v;
      to[j] = layer.inSources[j]!;
    }
  }
  const prefix = join(dir, `${label}-${BENCH_METAL}`);
  writeFileSync(`${prefix}.from.i32`, new Uint8Array(from.buffer));
  writeFileSync(`${prefix}.to.i32`, new Uint8Array(to.buffer));
  writeFileSync(`${prefix}.weight.f64`, new Uint8Array(layer.inWeights.buffer, layer.inWeights.byteOffset, layer.inWeights.byteLength));
  // Absorbing states of the origin walk, as originSharesAll sees them.
  const cahra: number[] = [];
  const nonCahra: number[] = [];
  const recycled: number[] = [];
  for (let v = 0; v < s.nodeCount; v++) {
    if (!layer.present[v]) continue;
    if (s.labels[v] === 2) (s.cahra[v] ? cahra : nonCahra).push(v);
    else if (s.recycled[v] && layer.inOffsets[v] === layer.inOffsets[v + 1]) recycled.push(v);
  }
  writeFileSync(
    `${prefix}.meta.json`,
    JSON.stringify({
      nodeCount: s.nodeCount,
      edgeCount: m,
      focal,
      largestUpstream: largest,
      largestComponent: largestComponent(layer),
      cahra,
      nonCahra,
      recycled,
    }),
  );
  return { prefix, nodeCount: s.nodeCount, edgeCount: m };
}

/** BFS upstream from the focal company over graphology's own iteration (core only). */
function graphologyBfs(s: Snapshot, focal: number): { timing: Timing; reached: number } {
  const layer = s.layers.get(BENCH_METAL)!;
  const g = new DirectedGraph({ allowSelfLoops: true });
  for (let v = 0; v < s.nodeCount; v++) if (layer.present[v]) g.addNode(String(v));
  for (let v = 0; v < s.nodeCount; v++) {
    for (let j = layer.inOffsets[v]!; j < layer.inOffsets[v + 1]!; j++)
      g.addDirectedEdge(String(v), String(layer.inSources[j]!), { weight: layer.inWeights[j]! });
  }
  let reached = 0;
  const start = String(focal);
  const timing = timeIt(() => {
    const seen = new Set<string>([start]);
    const queue: string[] = [start];
    for (let head = 0; head < queue.length; head++) {
      g.forEachOutNeighbor(queue[head]!, (u) => {
        if (!seen.has(u)) {
          seen.add(u);
          queue.push(u);
        }
      });
    }
    reached = queue.length;
  });
  return { timing, reached };
}

async function main(): Promise<void> {
  const [specJson, outFile, ...flags] = process.argv.slice(2);
  if (!specJson || !outFile) throw new Error('usage: worker.ts <GraphSpec JSON> <out.json> [--edges DIR] [--no-graphology]');
  const graph = JSON.parse(specJson) as GraphSpec;
  const quick = flags.includes('--quick');
  const edgesAt = flags.indexOf('--edges');
  const edgesDir = edgesAt >= 0 ? flags[edgesAt + 1] : undefined;
  const only = flags
    .find((f) => f.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const cases = CASES.filter((c) => !only || c.phase === 'scan' || only.includes(c.id));
  const rows: CaseResult[] = [];
  const checks: Record<string, number> = {};

  const before = retainedBytes();
  let t0 = performance.now();
  let columns: ReturnType<typeof generateSyntheticColumns> | undefined = generateSyntheticColumns({
    companies: graph.companies,
    seed: graph.seed,
    locatedIn: graph.locatedIn,
    giantComponent: graph.giantComponent,
    shares: graph.shares,
  });
  const generateMs = performance.now() - t0;
  t0 = performance.now();
  let scanColumns: ScanColumns | undefined = syntheticScanColumns(columns, 1);
  const scanColumnsMs = performance.now() - t0;
  const stats = columns.stats;
  const focalIds = columns.focal.map((i) => columns!.ids[i]!);
  log(
    `[${graph.label}] generated ${stats.nodes} nodes, ${stats.supplies} SUPPLIES, ${stats.locatedIn} LOCATED_IN in ${(generateMs / 1000).toFixed(1)} s (+ ${(scanColumnsMs / 1000).toFixed(1)} s as a columnar scan)`,
  );
  rows.push({
    name: 'generate',
    value: generateMs + scanColumnsMs,
    unit: 'ms',
    target: 20_000,
    better: 'lower',
    reps: 1,
    note: `generator ${Math.round(generateMs)} ms + columnar scan ${Math.round(scanColumnsMs)} ms; ${stats.supplies} SUPPLIES`,
  });

  // Row objects only when a case asks for them (the rows case): ~1 GB of heap at 1M nodes.
  let network: { nodes: GraphNode[]; relationships: Relationship[] } | undefined;
  const ctx: BenchContext = {
    graph,
    quick,
    metal: BENCH_METAL,
    scan: {
      columns: scanColumns,
      rows: () => {
        if (network === undefined) {
          const started = performance.now();
          network = materializeSynthetic(columns!);
          log(
            `[${graph.label}] made ${network.nodes.length + network.relationships.length} row objects in ${((performance.now() - started) / 1000).toFixed(1)} s`,
          );
        }
        return { version: 1, nodes: network.nodes, relationships: network.relationships };
      },
    },
    focal: -1,
    largestUpstream: -1,
    checks,
    time: (fn, options) => timeIt(fn, options),
  };
  for (const c of cases.filter((x) => x.phase === 'scan')) {
    log(`[${graph.label}] ${c.id}`);
    rows.push(...(await c.run(ctx)));
  }
  const snapshot = ctx.snapshot;
  if (!snapshot) throw new Error('no case compiled a snapshot');

  // What the snapshot keeps once the scan, the row objects and the generator's columns are gone
  // (ids and names included: it holds them; so are the node columns it took over).
  delete ctx.scan;
  network = undefined;
  columns = undefined;
  scanColumns = undefined;
  const after = retainedBytes();
  rows.push({
    name: 'snapshot-memory',
    value: (after - before) / MB,
    unit: 'MB',
    target: 600,
    better: 'lower',
    reps: 1,
    note: 'heapUsed + arrayBuffers retained after GC, scan and generator dropped',
  });

  ctx.focal = nodeIndex(snapshot, focalIds[0]!, 'Company')!;
  ctx.largestUpstream = largestUpstream(
    snapshot,
    focalIds.map((id) => nodeIndex(snapshot, id, 'Company')!),
  );
  for (const c of cases.filter((x) => x.phase === 'snapshot')) {
    log(`[${graph.label}] ${c.id}`);
    try {
      rows.push(...(await c.run(ctx)));
    } catch (err) {
      log(`[${graph.label}] ${c.id} FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      rows.push({
        name: c.id,
        value: Number.NaN,
        unit: 'ms',
        target: null,
        better: 'lower',
        note: `failed: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }

  const graphology: Record<string, Timing> = {};
  if (!flags.includes('--no-graphology')) {
    log(`[${graph.label}] graphology BFS baseline`);
    const { timing, reached } = graphologyBfs(snapshot, ctx.focal);
    graphology['bfs-upstream'] = timing;
    checks['graphology-bfs-reached'] = reached;
  }

  let edges: WorkerOutput['edges'];
  if (edgesDir) edges = writeEdges(snapshot, edgesDir, graph.label, ctx.focal, ctx.largestUpstream);
  rows.push({
    name: 'worker-peak-rss',
    value: process.resourceUsage().maxRSS / 1024,
    unit: 'MB',
    target: null,
    better: 'lower',
    reps: 1,
    note: 'whole worker process: generator, objects, snapshots, graphology',
  });

  const output: WorkerOutput = {
    graph,
    metal: BENCH_METAL,
    stats,
    rows,
    checks,
    graphology,
    focalId: snapshot.ids[ctx.focal]!,
    largestUpstreamId: snapshot.ids[ctx.largestUpstream]!,
    ...(edges ? { edges } : {}),
  };
  writeFileSync(outFile, JSON.stringify(output));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
