/**
 * Runs analyses off the main thread so that cheap routes stay fast while a heavy analysis runs.
 *
 * Each worker keeps the latest snapshot: it is posted once per version, then tasks name the
 * version they need. A snapshot's typed arrays are in shared memory (see graph/typed-arena.ts), so
 * the post shares them; only its strings (ids, names, countries) are copied to each worker.
 *
 * Every task has a work budget. A worker runs its tasks one after another, in the order posted:
 * the first pending task is the running one, and its deadline (timeoutMs) starts when it starts,
 * never while it waits. Each worker's own heap is capped (heapMb, V8's old generation; the shared
 * snapshot arrays are outside it). A task past its deadline, or one that fills the heap, fails with
 * a problem naming the limit (AnalysisTimeoutError, AnalysisMemoryError); a worker that crashes
 * fails its running task with a 500. Either way the worker is replaced, with the snapshots its
 * queue needs, and the tasks queued behind the failed one are retried rather than failed: they did
 * nothing wrong.
 *
 * With `workers: 0` analyses run in-process (the CLI and small deployments): nothing can stop a
 * synchronous analysis on the calling thread, so there the budget does not apply (`preemptive`).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { UnknownNodeError, UnsolvableCycleError } from '../../graph/errors.js';
import type { NodeLabel } from '../../graph/model.js';
import type { Snapshot } from '../../graph/snapshot.js';
import {
  AnalysisMemoryError,
  AnalysisTimeoutError,
  deserializeDomainError,
  serializeDomainError,
  type SerializedDomainError,
} from '../errors.js';
import { answerJson, runAnalysis, type AnalysisName, type AnalysisParams, type AnalysisResult } from './analysis-catalog.js';

/** How a DomainError, or the engine's UnknownNodeError or UnsolvableCycleError, crosses the thread boundary. */
export interface SerializedError extends SerializedDomainError {
  /** UnknownNodeError's own fields, to rebuild it on the other side. */
  unknownNode?: { id: string; label?: NodeLabel; field?: string };
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof UnknownNodeError) {
    const unknownNode: NonNullable<SerializedError['unknownNode']> = { id: err.id };
    if (err.label !== undefined) unknownNode.label = err.label;
    if (err.field !== undefined) unknownNode.field = err.field;
    return { kind: err.name, message: err.message, fields: [], unknownNode };
  }
  if (err instanceof UnsolvableCycleError) return { kind: err.name, message: err.message, fields: [] };
  return serializeDomainError(err);
}

export class AnalysisFailedError extends Error {}

export function deserializeError(e: SerializedError): Error {
  const u = e.unknownNode;
  if (e.kind === 'UnknownNodeError' && u) return new UnknownNodeError(u.id, u.label, u.field);
  if (e.kind === 'UnsolvableCycleError') return new UnsolvableCycleError(e.message);
  return deserializeDomainError(e) ?? new AnalysisFailedError(e.message);
}

export type WorkerMessage =
  | { type: 'snapshot'; snapshot: Snapshot }
  /** `json`: answer with the route's JSON text (answerJson) rather than the answer object. */
  | { type: 'run'; id: number; name: AnalysisName; version: number; params: unknown; json?: { stale: boolean } };

export type WorkerReply =
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  /** From the bootstrap once the worker's module is loaded: deadlines count from then. */
  | { type: 'ready' };

type RunMessage = Extract<WorkerMessage, { type: 'run' }>;

interface Task {
  message: RunMessage;
  snapshot: Snapshot;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  /** In the order posted, which is the order the worker runs them: the first is running. */
  pending: Map<number, Task>;
  /** The worker's module is loaded (the bootstrap said so). */
  ready: boolean;
  /** Stopped or dead, and replaced: its events no longer concern the pool. */
  retired: boolean;
  deadline?: NodeJS.Timeout | undefined;
  /** The task the deadline is for. */
  timedTask?: number | undefined;
}

/** The work budget of each task. */
export interface AnalysisBudget {
  /** How long one task may run in its worker, in ms. */
  timeoutMs?: number | undefined;
  /** The heap (V8 old generation) each worker may use, in MB. */
  heapMb?: number | undefined;
  /** Told when a worker is replaced, with the error its running task got (for the log). */
  onWorkerReplaced?: ((error: Error, analysis: AnalysisName | undefined) => void) | undefined;
}

export const DEFAULT_ANALYSIS_TIMEOUT_MS = 30_000;
/** A worker holding a 1M-node snapshot uses ~200 MB of heap (bench snapshot-rss-analysis-worker). */
export const DEFAULT_ANALYSIS_HEAP_MB = 1024;

/** Versions a worker keeps, so a request that began just before a new snapshot still finds its own. */
export const WORKER_SNAPSHOTS_KEPT = 2;

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

export class AnalysisPool {
  private readonly workers: PoolWorker[] = [];
  private latest: Snapshot | undefined;
  private nextId = 1;
  private closed = false;
  private readonly timeoutMs: number;
  private readonly heapMb: number;

  /**
   * @param size worker threads; 0 runs analyses in-process
   * @param workerEntry the module a worker runs (tests substitute one that misbehaves)
   * @param budget each task's deadline and each worker's heap (defaults: 30 s, 1024 MB)
   */
  constructor(
    private readonly size: number = defaultWorkerCount(),
    private readonly workerEntry: URL = new URL('./analysis-worker.ts', import.meta.url),
    private readonly budget: AnalysisBudget = {},
  ) {
    this.timeoutMs = budget.timeoutMs ?? DEFAULT_ANALYSIS_TIMEOUT_MS;
    this.heapMb = budget.heapMb ?? DEFAULT_ANALYSIS_HEAP_MB;
    for (let i = 0; i < size; i++) this.workers.push(this.spawn());
  }

  get workerCount(): number {
    return this.size;
  }

  /** Whether the budget applies: only a worker thread can be stopped mid-analysis. */
  get preemptive(): boolean {
    return this.size > 0;
  }

  /** Hand a new snapshot to every worker (and to in-process runs). */
  publish(snapshot: Snapshot): void {
    this.latest = snapshot;
    for (const w of this.workers) w.worker.postMessage({ type: 'snapshot', snapshot } satisfies WorkerMessage);
  }

  /** The answer object (for programs and tests). */
  async run<N extends AnalysisName>(name: N, snapshot: Snapshot, params: AnalysisParams<N>): Promise<AnalysisResult<N>> {
    return this.dispatch(name, snapshot, params, undefined, () => runAnalysis(name, snapshot, params)) as Promise<AnalysisResult<N>>;
  }

  /** The answer as the JSON text its route sends (see answerJson): encoded off the main thread. */
  async answerJson<N extends AnalysisName>(name: N, snapshot: Snapshot, params: AnalysisParams<N>, stale: boolean): Promise<string> {
    return this.dispatch(name, snapshot, params, { stale }, () => answerJson(name, snapshot, params, stale)) as Promise<string>;
  }

  private async dispatch(
    name: AnalysisName,
    snapshot: Snapshot,
    params: unknown,
    json: { stale: boolean } | undefined,
    here: () => unknown,
  ): Promise<unknown> {
    if (this.closed) throw new AnalysisFailedError('the analysis pool is closed');
    if (this.size === 0) return here();
    if (!this.latest || snapshot.version > this.latest.version) this.publish(snapshot);
    else if (this.tooOld(snapshot)) {
      // A request that started before several newer snapshots: rare, answer it here rather than resend an old snapshot.
      return here();
    }
    const message: RunMessage = { type: 'run', id: this.nextId++, name, version: snapshot.version, params, ...(json ? { json } : {}) };
    return new Promise<unknown>((resolve, reject) => this.place({ message, snapshot, resolve, reject }));
  }

  private tooOld(snapshot: Snapshot): boolean {
    return this.latest !== undefined && snapshot.version < this.latest.version - (WORKER_SNAPSHOTS_KEPT - 1);
  }

  /** The least busy worker takes the task. */
  private place(task: Task): void {
    const target = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    target.pending.set(task.message.id, task);
    target.worker.postMessage(task.message satisfies WorkerMessage);
    this.armDeadline(target);
  }

  /** Start the deadline of the worker's running task, if it has not started yet. */
  private armDeadline(pw: PoolWorker): void {
    if (!pw.ready || pw.retired) return;
    const running = pw.pending.values().next().value as Task | undefined;
    if (running?.message.id === pw.timedTask) return;
    clearTimeout(pw.deadline);
    pw.deadline = undefined;
    pw.timedTask = running?.message.id;
    if (!running) return;
    pw.deadline = setTimeout(() => {
      const error = new AnalysisTimeoutError(
        `The analysis took longer than ${this.timeoutMs} ms (ANALYSIS_TIMEOUT_MS) and was stopped.`,
        Math.max(1, Math.ceil(this.timeoutMs / 1000)),
      );
      this.replace(pw, error);
      void pw.worker.terminate();
    }, this.timeoutMs);
    pw.deadline.unref();
  }

  /**
   * Retire a worker that overran, filled its heap or died: its running task fails with `error`,
   * a new worker takes its place, and the tasks queued behind are placed again.
   */
  private replace(pw: PoolWorker, error: Error): void {
    if (pw.retired) return;
    pw.retired = true;
    clearTimeout(pw.deadline);
    const [running, ...queued] = pw.pending.values();
    pw.pending.clear();
    running?.reject(error);
    if (this.closed) {
      for (const task of queued) task.reject(new AnalysisFailedError('the analysis pool is closed'));
      return;
    }
    this.budget.onWorkerReplaced?.(error, running?.message.name);
    const index = this.workers.indexOf(pw);
    if (index < 0) return;
    const replacement = this.spawn();
    this.workers[index] = replacement;
    for (const snapshot of this.snapshotsFor(queued))
      replacement.worker.postMessage({ type: 'snapshot', snapshot } satisfies WorkerMessage);
    for (const task of queued) {
      if (this.tooOld(task.snapshot)) this.runHere(task);
      else this.place(task);
    }
  }

  /** The snapshots a new worker needs for the queued tasks and the next ones, oldest first. */
  private snapshotsFor(queued: Task[]): Snapshot[] {
    const byVersion = new Map<number, Snapshot>();
    for (const task of queued) if (!this.tooOld(task.snapshot)) byVersion.set(task.snapshot.version, task.snapshot);
    if (this.latest) byVersion.set(this.latest.version, this.latest);
    return [...byVersion.values()].sort((a, b) => a.version - b.version);
  }

  /** A retried task whose snapshot is gone from the workers: as dispatch does, answer it here. */
  private runHere(task: Task): void {
    const { name, params, json } = task.message;
    try {
      task.resolve(json ? answerJson(name, task.snapshot, params as never, json.stale) : runAnalysis(name, task.snapshot, params as never));
    } catch (err) {
      task.reject(err instanceof Error ? err : new AnalysisFailedError(String(err)));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pw of this.workers) {
      clearTimeout(pw.deadline);
      for (const task of pw.pending.values()) task.reject(new AnalysisFailedError('the analysis pool is closed'));
      pw.pending.clear();
    }
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private spawn(): PoolWorker {
    // The worker is TypeScript: a small bootstrap registers tsx's loader in the thread first.
    const worker = new Worker(new URL('./analysis-worker-bootstrap.mjs', import.meta.url), {
      workerData: { entry: this.workerEntry.href, announceReady: true },
      // The worker's own heap; the snapshot's shared arrays are not in it.
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
    });
    const pw: PoolWorker = { worker, pending: new Map(), ready: false, retired: false };
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') {
        pw.ready = true;
        this.armDeadline(pw);
        return;
      }
      const task = pw.pending.get(reply.id);
      if (!task) return;
      pw.pending.delete(reply.id);
      if (reply.type === 'result') task.resolve(reply.result);
      else task.reject(deserializeError(reply.error));
      this.armDeadline(pw);
    });
    worker.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        this.replace(
          pw,
          new AnalysisMemoryError(
            `The analysis needed more than the ${this.heapMb} MB of heap its worker may use (ANALYSIS_HEAP_MB) and was stopped.`,
          ),
        );
      } else {
        this.replace(pw, new AnalysisFailedError(`the analysis worker crashed: ${err.message}`));
      }
    });
    worker.on('exit', (code) => {
      if (!this.closed) this.replace(pw, new AnalysisFailedError(`the analysis worker exited with code ${code}`));
    });
    worker.unref();
    return pw;
  }
}
