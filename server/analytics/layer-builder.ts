/**
 * Compiles snapshots with the metal layers (most of a compile: CSR fills and Tarjan's search over
 * millions of relationships) built in one persistent worker thread, while the calling thread
 * builds the id index and then waits. Same answer as compileSnapshotFromColumns, bit for bit (the
 * same pure buildLayers runs there).
 *
 * Why all of them there: the calling thread is the service's event loop, and a compile there held
 * it for the whole compile (0.8 s at a million nodes). The build is also faster in the worker than
 * on the main thread, whose heap holds the snapshots' millions of id and name strings that every
 * collection marks; splitting the layers between the two threads gained 5% over one thread, as the
 * two builds compete for memory bandwidth on two cores. Measured at 1M (same process, alternating):
 * one thread 949 ms; split 777 ms with the event loop held throughout; all in the worker 731 ms
 * with the event loop held 115 ms at the longest (planning and the id index).
 *
 * The worker reads the scan's columns in place when they are in shared memory (the stores' scans
 * and the synthetic generator put them there), else gets copies transferred to it; the layers are
 * in shared memory (graph/typed-arena.ts) and come back without a copy. If the worker fails, the
 * layers are built here and a new worker is started for the next compile.
 */
import { Worker } from 'node:worker_threads';
import type { ScanColumns } from '../../graph/scan-columns.js';
import { inSharedMemory } from '../../graph/typed-arena.js';
import { type BuiltLayers, buildLayers, planCompile, type LayerJob, type Snapshot } from '../../graph/snapshot.js';

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

export class LayerBuilder {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve: (built: BuiltLayers) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private closed = false;

  async compile(scan: ScanColumns): Promise<Snapshot> {
    const plan = planCompile(scan);
    const remote =
      plan.jobs.length > 0 && !this.closed ? this.buildElsewhere(plan.jobs).catch(() => undefined) : Promise.resolve(undefined);
    plan.indexIds(); // while the worker builds
    const built = (await remote) ?? buildLayers(plan.jobs);
    // Malformed columns: the error of the one-thread compile (the first malformed relationship).
    return plan.assemble(built.layers, built.malformed);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.worker?.terminate();
  }

  private buildElsewhere(jobs: LayerJob[]): Promise<BuiltLayers> {
    const worker = (this.worker ??= this.spawn());
    const id = this.nextId++;
    // The worker reads the columns in place when they are in shared memory (the stores' scans put
    // them there), else from copies transferred to it (never the caller's own arrays).
    const { count, from, to, metal, share } = jobs[0]!.supplies;
    const supplies = [from, to, metal, share].every(inSharedMemory)
      ? { count, from, to, metal, share }
      : { count, from: from.slice(0, count), to: to.slice(0, count), metal: metal.slice(0, count), share: share.slice(0, count) };
    const { labels, recycled } = jobs[0]!;
    const nodes = [labels, recycled].every(inSharedMemory) ? { labels, recycled } : { labels: labels.slice(), recycled: recycled.slice() };
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
