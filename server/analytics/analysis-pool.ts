/**
 * Runs analyses off the main thread so that cheap routes stay fast while a heavy analysis runs.
 *
 * Each worker keeps the latest snapshot: it is posted once per version, then tasks name the
 * version they need. A snapshot's typed arrays are in shared memory (see graph/typed-arena.ts), so
 * the post shares them; only its strings (ids, names, countries) are copied to each worker. A
 * worker that crashes fails only its own tasks (500) and is replaced, with the latest snapshot
 * posted to its successor.
 *
 * With `workers: 0` analyses run in-process (the CLI and small deployments).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Snapshot } from '../../graph/snapshot.js';
import { DomainError, NotFoundError, UnprocessableError, ValidationError } from '../errors.js';
import { answerJson, runAnalysis, type AnalysisName, type AnalysisParams, type AnalysisResult } from './analysis-catalog.js';

/** How a DomainError crosses the thread boundary. */
export interface SerializedError {
  kind: string;
  message: string;
  fields?: { path: string; message: string }[];
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof DomainError) return { kind: err.name, message: err.message, fields: err.fields };
  return { kind: 'Error', message: err instanceof Error ? err.message : String(err) };
}

export class AnalysisFailedError extends Error {}

export function deserializeError(e: SerializedError): Error {
  switch (e.kind) {
    case 'ValidationError':
      return new ValidationError(e.message, e.fields);
    case 'NotFoundError':
      return new NotFoundError(e.message, e.fields);
    case 'UnprocessableError':
      return new UnprocessableError(e.message, e.fields);
    default:
      return new AnalysisFailedError(e.message);
  }
}

export type WorkerMessage =
  | { type: 'snapshot'; snapshot: Snapshot }
  /** `json`: answer with the route's JSON text (answerJson) rather than the answer object. */
  | { type: 'run'; id: number; name: AnalysisName; version: number; params: unknown; json?: { stale: boolean } };

export type WorkerReply = { type: 'result'; id: number; result: unknown } | { type: 'error'; id: number; error: SerializedError };

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
}

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

  /**
   * @param size worker threads; 0 runs analyses in-process
   * @param workerEntry the module a worker runs (tests substitute one that misbehaves)
   */
  constructor(
    private readonly size: number = defaultWorkerCount(),
    private readonly workerEntry: URL = new URL('./analysis-worker.ts', import.meta.url),
  ) {
    for (let i = 0; i < size; i++) this.workers.push(this.spawn());
  }

  get workerCount(): number {
    return this.size;
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

  private async dispatch(name: AnalysisName, snapshot: Snapshot, params: unknown, json: { stale: boolean } | undefined, here: () => unknown): Promise<unknown> {
    if (this.closed) throw new AnalysisFailedError('the analysis pool is closed');
    if (this.size === 0) return here();
    if (!this.latest || snapshot.version > this.latest.version) this.publish(snapshot);
    else if (snapshot.version < this.latest.version - (WORKER_SNAPSHOTS_KEPT - 1)) {
      // A request that started before several newer snapshots: rare, answer it here rather than resend an old snapshot.
      return here();
    }
    // The least busy worker takes the task.
    const target = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      target.worker.postMessage({ type: 'run', id, name, version: snapshot.version, params, ...(json ? { json } : {}) } satisfies WorkerMessage);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private spawn(): PoolWorker {
    // The worker is TypeScript: a small bootstrap registers tsx's loader in the thread first.
    const worker = new Worker(new URL('./analysis-worker-bootstrap.mjs', import.meta.url), {
      workerData: { entry: this.workerEntry.href },
    });
    const pw: PoolWorker = { worker, pending: new Map() };
    worker.on('message', (reply: WorkerReply) => {
      const task = pw.pending.get(reply.id);
      if (!task) return;
      pw.pending.delete(reply.id);
      if (reply.type === 'result') task.resolve(reply.result);
      else task.reject(deserializeError(reply.error));
    });
    const fail = (why: string) => {
      for (const task of pw.pending.values()) task.reject(new AnalysisFailedError(`the analysis worker ${why}`));
      pw.pending.clear();
      if (this.closed) return;
      const index = this.workers.indexOf(pw);
      if (index >= 0) {
        const replacement = this.spawn();
        this.workers[index] = replacement;
        if (this.latest) replacement.worker.postMessage({ type: 'snapshot', snapshot: this.latest } satisfies WorkerMessage);
      }
    };
    worker.on('error', (err) => fail(`crashed: ${err.message}`));
    worker.on('exit', (code) => {
      if (!this.closed) fail(`exited with code ${code}`);
    });
    worker.unref();
    return pw;
  }
}
