/**
 * The analytics engine as seen by routes: `app.analytics.run(name, params)` compiles (or reuses)
 * the snapshot of the store's current version and runs the analysis in the worker pool. While the
 * store is unreachable, analyses are answered from the last compiled snapshot with `stale: true`
 * (their snapshotVersion says which); without any snapshot yet they fail with 503.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AnalysisPool, defaultWorkerCount } from '../analytics/analysis-pool.js';
import type { AnalysisName, AnalysisParams, AnalysisResult } from '../analytics/analysis-catalog.js';
import { SnapshotProvider } from '../analytics/snapshot-provider.js';

export interface Analytics {
  snapshots: SnapshotProvider;
  run<N extends AnalysisName>(name: N, params: AnalysisParams<N>): Promise<AnalysisResult<N>>;
}

declare module 'fastify' {
  interface FastifyInstance {
    analytics: Analytics;
  }
}

export interface AnalyticsOptions {
  /** Worker threads for analyses; 0 runs them in the request's thread. */
  workers?: number | undefined;
}

async function analyticsPlugin(app: FastifyInstance, options: AnalyticsOptions): Promise<void> {
  const pool = new AnalysisPool(options.workers ?? defaultWorkerCount());
  const snapshots = new SnapshotProvider(app.store, {
    onCompiled: (snapshot, ms) => {
      app.log.info({ version: snapshot.version, nodes: snapshot.nodeCount, ms: Math.round(ms) }, 'compiled snapshot');
    },
    onStale: (snapshot, err) => {
      app.log.warn({ version: snapshot.version, err: err.message }, 'graph store unavailable: answering analyses from the last snapshot');
    },
  });
  app.decorate('analytics', {
    snapshots,
    async run(name, params) {
      const { snapshot, stale } = await snapshots.read();
      const answer = await pool.run(name, snapshot, params);
      // The catalogue answers `stale: false`: it cannot know whether the store moved on.
      return stale ? { ...answer, stale: true } : answer;
    },
  } satisfies Analytics);
  app.addHook('onClose', async () => pool.close());
}

export default fp(analyticsPlugin, { name: 'analytics', dependencies: ['graph-store'] });
