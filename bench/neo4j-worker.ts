/**
 * "Time compiling a snapshot from Neo4j" for the 100k graph, in its own process: imports the
 * synthetic graph through Neo4jGraphStore (chunked writeSyntheticGraph) unless the database holds
 * it already, then times store.scanColumns() + compileSnapshotFromColumns (what the service does)
 * and, interleaved, store.scan() + compileSnapshot (row objects, as before).
 *
 * Which Neo4j: NEO4J_URI (+ NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE) when set — used only when
 * that database is empty or holds exactly this graph already (it is never cleared unless
 * ORETRACE_BENCH_NEO4J_CLEAR=1); otherwise the project's own server, started here with home
 * .oretrace/neo4j-bench on port 7690 with a 2 GB heap (jars shared with .oretrace/neo4j), and
 * stopped again at the end if this run started it. Its data stays, so later runs skip the import.
 *
 *   node --import tsx bench/neo4j-worker.ts '<GraphSpec JSON>' <out.json> [--quick]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSnapshot, compileSnapshotFromColumns, type Snapshot } from '../graph/snapshot.js';
import { localNeo4jPaths, startLocalNeo4j, stopLocalNeo4j } from '../tools/local-neo4j/local-neo4j.js';
import { PROJECT_ROOT } from '../server/seeding/reference-data.js';
import { writeSyntheticGraph } from '../server/seeding/synthetic-loader.js';
import { Neo4jGraphStore } from '../server/stores/neo4j-store.js';
import { generateSyntheticColumns, syntheticRelationship, syntheticRelationshipCount } from '../seeds/synthetic/generate-synthetic.js';
import { summarize } from './lib/measure.js';
import type { CaseResult, GraphSpec } from './lib/types.js';

const BENCH_HOME = join(PROJECT_ROOT, '.oretrace', 'neo4j-bench');
const BENCH_PORT = 7690;

function log(line: string): void {
  process.stderr.write(`  ${line}\n`);
}

async function main(): Promise<void> {
  const [specJson, outFile, ...flags] = process.argv.slice(2);
  if (!specJson || !outFile) throw new Error('usage: neo4j-worker.ts <GraphSpec JSON> <out.json> [--quick]');
  const graph = JSON.parse(specJson) as GraphSpec;
  const quick = flags.includes('--quick');
  const rows: CaseResult[] = [];

  const external = process.env.NEO4J_URI?.trim();
  let stopAfter = false;
  let connection: { uri: string; user: string; password: string; database?: string };
  if (external) {
    connection = {
      uri: external,
      user: process.env.NEO4J_USER || 'neo4j',
      password: process.env.NEO4J_PASSWORD ?? '',
      database: process.env.NEO4J_DATABASE || undefined,
    };
    log(`Neo4j from NEO4J_URI: ${external}`);
  } else {
    const started = await startLocalNeo4j({
      home: BENCH_HOME,
      lib: localNeo4jPaths().lib,
      port: BENCH_PORT,
      heap: '2g',
      pagecache: '1g',
      log,
    });
    stopAfter = !started.alreadyRunning;
    connection = started;
  }

  const store = new Neo4jGraphStore({
    ...connection,
    batchSize: 10_000,
    fetchSize: 20_000,
    maxTransactionRetryTimeMs: 30_000,
    connectionTimeoutMs: 30_000,
  });
  try {
    await store.init();
    const options = { companies: graph.companies, seed: graph.seed, locatedIn: graph.locatedIn };
    const g = generateSyntheticColumns(options);
    const expected = { nodes: g.nodeCount, relationships: syntheticRelationshipCount(g) };
    const counts = await store.counts();
    // The same graph is there when the counts match and a few relationships read back identical.
    let same = counts.nodes === expected.nodes && counts.relationships === expected.relationships;
    for (let k = 0; same && k < g.edgeCount; k += Math.max(1, Math.floor(g.edgeCount / 5))) {
      const r = syntheticRelationship(g, k);
      if (r.type !== 'SUPPLIES') continue;
      const found = await store.listSupplies({ from: r.from, to: r.to, metal: r.metal }, { limit: 1 });
      same = found.items[0]?.share === r.share && found.items[0]?.source === r.source;
    }
    if (same) {
      log(`Neo4j already holds the ${graph.label} graph (${counts.nodes} nodes, ${counts.relationships} relationships): import skipped`);
    } else {
      if (counts.nodes > 0) {
        if (external && process.env.ORETRACE_BENCH_NEO4J_CLEAR !== '1') {
          throw new Error(
            `the database at NEO4J_URI holds other data (${counts.nodes} nodes); refusing to clear it (set ORETRACE_BENCH_NEO4J_CLEAR=1 to allow, or unset NEO4J_URI to use the project's own server)`,
          );
        }
        log(`clearing ${counts.nodes} nodes of another graph`);
        await store.clear();
      }
      const t0 = performance.now();
      let lastLogged = 0;
      await writeSyntheticGraph(store, { ...options, chunkSize: 20_000 }, (p) => {
        if (p.phase === 'generated') return;
        const now = performance.now();
        if (now - lastLogged > 10_000 || p.done === p.total) {
          lastLogged = now;
          log(`import ${p.phase}: ${p.done}/${p.total} (${((now - t0) / 1000).toFixed(0)} s)`);
        }
      });
      const ms = performance.now() - t0;
      rows.push({
        name: 'neo4j-import',
        value: ms,
        unit: 'ms',
        target: null,
        better: 'lower',
        reps: 1,
        note: `${expected.nodes} nodes + ${expected.relationships} relationships in chunks of 20k (skipped on later runs)`,
      });
    }

    // What the service does (scanColumns + compile from columns), and side by side in the same
    // run the row objects of scan() + compileSnapshot (how it compiled before): reps interleaved.
    const timed = async <S>(read: () => Promise<S>, compile: (scan: S) => Snapshot) => {
      const t0 = performance.now();
      const scan = await read();
      const t1 = performance.now();
      const snapshot = compile(scan);
      const t2 = performance.now();
      if (snapshot.nodeCount !== expected.nodes)
        throw new Error(`the scan returned ${snapshot.nodeCount} nodes, expected ${expected.nodes}`);
      return { scanMs: t1 - t0, compileMs: t2 - t1 };
    };
    const ways = [
      {
        name: 'neo4j-scan-compile',
        run: () => timed(() => store.scanColumns(), compileSnapshotFromColumns),
        scan: [] as number[],
        compile: [] as number[],
        total: [] as number[],
      },
      {
        name: 'neo4j-scan-compile-rows',
        run: () => timed(() => store.scan(), compileSnapshot),
        scan: [] as number[],
        compile: [] as number[],
        total: [] as number[],
      },
    ];
    const reps = quick ? 2 : 3;
    for (let i = 0; i < reps; i++) {
      for (const w of ways) {
        const { scanMs, compileMs } = await w.run();
        w.scan.push(scanMs);
        w.compile.push(compileMs);
        w.total.push(scanMs + compileMs);
        log(`${w.name}: scan ${Math.round(scanMs)} ms + compile ${Math.round(compileMs)} ms`);
      }
    }
    for (const w of ways) {
      const total = summarize(w.total);
      rows.push({
        name: w.name,
        value: total.median,
        unit: 'ms',
        target: null,
        better: 'lower',
        min: total.min,
        max: total.max,
        reps,
        note: `median scan ${Math.round(summarize(w.scan).median)} ms + compile ${Math.round(summarize(w.compile).median)} ms${w === ways[1] ? ' (row objects: how snapshots were read before scanColumns)' : ''}`,
      });
    }
  } finally {
    await store.close();
    if (stopAfter) await stopLocalNeo4j({ home: BENCH_HOME, lib: localNeo4jPaths().lib, log });
  }
  writeFileSync(outFile, JSON.stringify({ rows }));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
