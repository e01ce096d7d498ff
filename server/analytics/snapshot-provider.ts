/**
 * Keeps the latest compiled snapshot and compiles a new one when the store's version moves on.
 * Concurrent requests share one compilation; a request never sees a half-built snapshot — the
 * new one replaces the old in a single assignment once it is complete.
 *
 * When the store cannot be reached (Neo4j down, or a scan that kept racing with writes), `read()`
 * answers with the last compiled snapshot and says it is stale, so analyses go on during an
 * outage; only a service that never compiled one has nothing to answer with (503).
 */
import type { ScanColumns } from '../../graph/scan-columns.js';
import { compileSnapshotFromColumns, type Snapshot } from '../../graph/snapshot.js';
import { StoreUnavailableError } from '../errors.js';
import type { GraphStore } from '../stores/graph-store.js';

/** How long after finding the store unavailable stale answers are given without asking it again. */
export const DEFAULT_UNAVAILABLE_RECHECK_MS = 1000;

export interface SnapshotProviderOptions {
  /** How a scan becomes a snapshot; default compileSnapshotFromColumns (the analytics plugin uses a LayerBuilder). */
  compile?: (scan: ScanColumns) => Snapshot | Promise<Snapshot>;
  /** Called after each compilation (the worker pool forwards new snapshots with it). */
  onCompiled?: (snapshot: Snapshot, ms: number) => void | Promise<void>;
  /** Called when the store is found unavailable and the last snapshot is used instead. */
  onStale?: (snapshot: Snapshot, error: StoreUnavailableError) => void;
  /**
   * After the store was found unavailable, answer from the last snapshot for this long without
   * asking the store (whose driver may take seconds to give up each time); default 1000 ms.
   */
  unavailableRecheckMs?: number;
}

export interface SnapshotRead {
  snapshot: Snapshot;
  /**
   * true when the store could not be reached and `snapshot` is the last one compiled: the store may
   * have moved on since (snapshot.version says which version the answer is from).
   */
  stale: boolean;
}

export class SnapshotProvider {
  private latest: Snapshot | undefined;
  private compiling: Promise<Snapshot> | undefined;
  /** performance.now() until which the store is taken to be unavailable. */
  private unavailableUntil = 0;

  constructor(
    private readonly store: GraphStore,
    private readonly options: SnapshotProviderOptions = {},
  ) {}

  /** The snapshot of the store's current version, compiling it first if needed. */
  async current(): Promise<Snapshot> {
    const version = await this.store.version();
    if (this.latest && this.latest.version === version) return this.latest;
    return this.compile();
  }

  /**
   * The current snapshot, or — when the store is unavailable and a snapshot was compiled before —
   * the last one, marked stale. Other errors, and unavailability with no snapshot yet, are thrown.
   */
  async read(): Promise<SnapshotRead> {
    const last = this.latest;
    if (last && performance.now() < this.unavailableUntil) return { snapshot: last, stale: true };
    try {
      const snapshot = await this.current();
      this.unavailableUntil = 0;
      return { snapshot, stale: false };
    } catch (err) {
      const fallback = this.latest;
      if (!(err instanceof StoreUnavailableError) || !fallback) throw err;
      this.unavailableUntil = performance.now() + (this.options.unavailableRecheckMs ?? DEFAULT_UNAVAILABLE_RECHECK_MS);
      this.options.onStale?.(fallback, err);
      return { snapshot: fallback, stale: true };
    }
  }

  /** The last compiled snapshot, whatever its version, if any. */
  peek(): Snapshot | undefined {
    return this.latest;
  }

  private compile(): Promise<Snapshot> {
    // One compilation at a time; a request arriving meanwhile waits for it. If the store moved on
    // again during the compilation, the next call compiles again.
    this.compiling ??= (async () => {
      try {
        const started = performance.now();
        const scan = await this.store.scanColumns();
        const snapshot = await (this.options.compile ?? compileSnapshotFromColumns)(scan);
        if (!this.latest || snapshot.version >= this.latest.version) this.latest = snapshot;
        await this.options.onCompiled?.(snapshot, performance.now() - started);
        return snapshot;
      } finally {
        this.compiling = undefined;
      }
    })();
    return this.compiling;
  }
}
