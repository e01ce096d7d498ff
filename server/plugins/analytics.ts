/**
 * The analytics engine as seen by routes: `app.analytics.answerJson(name, params)` compiles (or
 * reuses) the snapshot of the store's current version and runs the analysis in the worker pool. While the
 * store is unreachable, analyses are answered from the last compiled snapshot with `stale: true`
 * (their snapshotVersion says which); without any snapshot yet they fail with 503.
 *
 * Routes use `answerJson` and `sendAnswer`: the worker checks the answer against the route's
 * response schema and serialises it, and the main thread only sends the text.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { AnalysisPool, defaultWorkerCount } from '../analytics/analysis-pool.js';
import type { AnalysisName, AnalysisParams } from '../analytics/analysis-catalog.js';
import { AnswerCache, answerKey } from '../analytics/answer-cache.js';
import { LayerBuilder } from '../analytics/layer-builder.js';
import { SnapshotProvider } from '../analytics/snapshot-provider.js';
import type { ScanColumns } from '../../graph/scan-columns.js';

export interface Analytics {
  snapshots: SnapshotProvider;
  /** The answer as the JSON text its route sends, encoded with the route's response schema. */
  answerJson<N extends AnalysisName>(name: N, params: AnalysisParams<N>): Promise<string>;
}

/**
 * Sends an answer from `answerJson`. Fastify passes a string with a JSON content type through as
 * is: the route's response schema stays for the OpenAPI document, and was applied in the worker.
 */
export function sendAnswer(reply: FastifyReply, json: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(json);
}

declare module 'fastify' {
  interface FastifyInstance {
    analytics: Analytics;
  }
}

export interface AnalyticsOptions {
  /** Worker threads for analyses; 0 runs them in the request's thread. */
  workers?: number | undefined;
  /** Each task's deadline and each worker's heap (AnalysisPool's defaults when unset). */
  budget?: { timeoutMs?: number | undefined; heapMb?: number | undefined } | undefined;
  /** MB of answers kept per snapshot version (ANSWER_CACHE_MB; default 64); 0 keeps none. */
  answerCacheMb?: number | undefined;
}

export const DEFAULT_ANSWER_CACHE_MB = 64;

async function analyticsPlugin(app: FastifyInstance, options: AnalyticsOptions): Promise<void> {
  const workers = options.workers ?? defaultWorkerCount();
  const pool = new AnalysisPool(workers, undefined, {
    ...options.budget,
    onWorkerReplaced: (err, analysis) => {
      app.log.warn({ analysis, err: err.message }, 'analysis worker stopped and replaced');
    },
  });
  // With worker threads, the layers of a snapshot are built in one too (off the event loop).
  const layerBuilder = workers > 0 ? new LayerBuilder() : undefined;
  const snapshots = new SnapshotProvider(app.store, {
    ...(layerBuilder ? { compile: (scan: ScanColumns) => layerBuilder.compile(scan) } : {}),
    onCompiled: (snapshot, ms) => {
      app.log.info({ version: snapshot.version, nodes: snapshot.nodeCount, ms: Math.round(ms) }, 'compiled snapshot');
    },
    onStale: (snapshot, err) => {
      app.log.warn({ version: snapshot.version, err: err.message }, 'graph store unavailable: answering analyses from the last snapshot');
    },
  });
  const answers = new AnswerCache(options.answerCacheMb ?? DEFAULT_ANSWER_CACHE_MB);
  app.decorate('analytics', {
    snapshots,
    async answerJson(name, params) {
      const { snapshot, stale } = await snapshots.read();
      return answers.answer(snapshot.version, answerKey(name, stale, params), () => pool.answerJson(name, snapshot, params, stale));
    },
  } satisfies Analytics);
  app.addHook('onClose', async () => {
    await Promise.all([pool.close(), layerBuilder?.close()]);
  });
}

export default fp(analyticsPlugin, { name: 'analytics', dependencies: ['graph-store'] });
