/**
 * Keeps the latest compiled snapshot and compiles a new one when the store's version moves on.
 * Concurrent requests share one compilation; a request never sees a half-built snapshot — the
 * new one replaces the old in a single assignment once it is complete.
 */
import { compileSnapshot, type Snapshot } from '../../graph/snapshot.js';
import type { GraphStore } from '../stores/graph-store.js';

export interface SnapshotProviderOptions {
  /** Called after each compilation (the worker pool forwards new snapshots with it). */
  onCompiled?: (snapshot: Snapshot, ms: number) => void | Promise<void>;
}

export class SnapshotProvider {
  private latest: Snapshot | undefined;
  private compiling: Promise<Snapshot> | undefined;

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
        const scan = await this.store.scan();
        const snapshot = compileSnapshot(scan);
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
