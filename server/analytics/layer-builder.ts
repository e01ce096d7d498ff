/**
 * Compiles snapshots on two threads: the metal layers (most of a compile: CSR fills and Tarjan's
 * search over millions of relationships) are shared between the calling thread and one
 * persistent worker, balanced by relationship count. Same answer as compileSnapshotFromColumns,
 * bit for bit (the same pure buildLayers runs on each side); about half the layer time on two
 * cores, and the worker's half is off the event loop.
 *
 * The worker reads the scan's SUPPLIES columns in place when they are in shared memory (the
 * stores' scans and the synthetic generator put them there), else gets a copy transferred to it;
 * the layers come back with their arrays transferred. If the worker fails, its layers are built here
 * and a new worker is started for the next compile.
 */
import { Worker } from 'node:worker_threads';
import type { ScanColumns } from '../../graph/scan-columns.js';
import { inSharedMemory } from '../../graph/typed-arena.js';
import { type BuiltLayers, buildLayers, firstMalformed, planCompile, type LayerJob, type MetalLayer, type Snapshot } from '../../graph/snapshot.js';

export type LayerBuilderRequest = { id: number; jobs: LayerJob[] };
export type LayerBuilderReply = { id: number; built: BuiltLayers } | { id: number; error: string };

/** Every ArrayBuffer a value's typed arrays use (for a transfer list). */
export function buffersOf(values: readonly object[]): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  for (const value of values) {
    for (const field of Object.values(value)) if (ArrayBuffer.isView(field) && field.buffer instanceof ArrayBuffer) found.add(field.buffer);
  }
  return [...found];
}

/** Split jobs into two sets of about equal relationship count, the largest job first. */
export function balance(jobs: readonly LayerJob[]): [here: LayerJob[], there: LayerJob[]] {
  const here: LayerJob[] = [];
  const there: LayerJob[] = [];
  let hereEdges = 0;
  let thereEdges = 0;
  for (const job of [...jobs].sort((a, b) => b.edgeCount - a.edgeCount)) {
    // The calling thread also assembles the snapshot: ties go to the worker.
    if (thereEdges <= hereEdges) {
      there.push(job);
      thereEdges += job.edgeCount;
    } else {
      here.push(job);
      hereEdges += job.edgeCount;
    }
  }
  return [here, there];
}

export class LayerBuilder {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve: (built: BuiltLayers) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private closed = false;

  async compile(scan: ScanColumns): Promise<Snapshot> {
    const plan = planCompile(scan);
    const [here, there] = balance(plan.jobs);
    const remote = there.length > 0 && !this.closed ? this.buildElsewhere(there).catch(() => undefined) : Promise.resolve(undefined);
    const local = buildLayers(here);
    plan.indexIds(); // while the worker may still be building
    const far = (await remote) ?? buildLayers(there);
    const built = new Map<LayerJob, MetalLayer>();
    here.forEach((job, i) => built.set(job, local.layers[i]!));
    there.forEach((job, i) => built.set(job, far.layers[i]!));
    // Malformed columns: the error of the one-thread compile (the first malformed relationship).
    return plan.assemble(
      plan.jobs.map((job) => built.get(job)!),
      firstMalformed(local.malformed, far.malformed),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.worker?.terminate();
  }

  private buildElsewhere(jobs: LayerJob[]): Promise<BuiltLayers> {
    const worker = (this.worker ??= this.spawn());
    const id = this.nextId++;
    // The worker reads the SUPPLIES columns of all metals, as here: in place when they are in shared
    // memory (the stores' scans put them there), else from a copy transferred to it.
    const { count, from, to, metal, share } = jobs[0]!.supplies;
    const supplies = [from, to, metal, share].every(inSharedMemory)
      ? { count, from, to, metal, share }
      : { count, from: from.slice(0, count), to: to.slice(0, count), metal: metal.slice(0, count), share: share.slice(0, count) };
    const nodes = { labels: jobs[0]!.labels.slice(), recycled: jobs[0]!.recycled.slice() };
    const copies = jobs.map((job) => ({ ...job, supplies, ...nodes }));
    // Referenced while it works, so that a process waiting for nothing but this compile does not exit.
    worker.ref();
    return new Promise<BuiltLayers>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, jobs: copies } satisfies LayerBuilderRequest, buffersOf([supplies, nodes]));
    });
  }

  private spawn(): Worker {
    // The worker is TypeScript: the analysis pool's bootstrap registers tsx's loader in it first.
    const worker = new Worker(new URL('./analysis-worker-bootstrap.mjs', import.meta.url), {
      workerData: { entry: new URL('./layer-builder-worker.ts', import.meta.url).href },
    });
    worker.on('message', (reply: LayerBuilderReply) => {
      const task = this.pending.get(reply.id);
      if (!task) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if ('built' in reply) task.resolve(reply.built);
      else task.reject(new Error(reply.error));
    });
    const fail = (why: string) => {
      for (const task of this.pending.values()) task.reject(new Error(`the layer builder ${why}`));
      this.pending.clear();
      if (this.worker === worker) this.worker = undefined;
    };
    worker.on('error', (err) => fail(`crashed: ${err.message}`));
    worker.on('exit', (code) => fail(`exited with code ${code}`));
    worker.unref();
    return worker;
  }
}
