/**
 * The process entry for `npm start` and `oretrace serve`: reads the configuration, opens the
 * store, seeds an empty one with the reference data and the demo, listens, and closes cleanly on
 * a signal. Everything else lives in the app (server/app.ts).
 */
import { pathToFileURL } from 'node:url';
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { ApiKeyConfigError, ApiKeyRing, parseApiKeysVariable, readApiKeysFile } from './access/api-keys.js';
import { assertSafeExposure, ConfigError, loadConfig, type Config } from './config.js';
import { StoreUnavailableError } from './errors.js';
import { seedIfEmpty } from './seeding/seed-loader.js';
import type { GraphStore } from './stores/graph-store.js';
import { createGraphStore } from './stores/open-store.js';

const STORE_RETRY_MS = 5_000;

/**
 * Open the store and seed it. A Neo4j that is not up yet is waited for in the background — the
 * server already answers, with /ready at 503 — rather than failing the start.
 */
async function prepareStore(store: GraphStore, config: Config, app: FastifyInstance): Promise<void> {
  for (;;) {
    try {
      await store.init();
      if (config.SEED_DEMO) {
        const seeded = await seedIfEmpty(store);
        if (seeded.seeded) app.log.info('empty store: loaded the reference data and the demo supply chain');
      }
      return;
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      app.log.warn(`graph store unavailable (${err.message}); retrying in ${STORE_RETRY_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, STORE_RETRY_MS));
    }
  }
}

/** The configured API keys (file and variable together); a bad entry is a ConfigError. */
export function loadApiKeys(config: Pick<Config, 'API_KEYS' | 'API_KEYS_FILE'>): ApiKeyRing {
  try {
    return new ApiKeyRing([
      ...(config.API_KEYS_FILE ? readApiKeysFile(config.API_KEYS_FILE) : []),
      ...(config.API_KEYS ? parseApiKeysVariable(config.API_KEYS) : []),
    ]);
  } catch (err) {
    if (err instanceof ApiKeyConfigError) throw new ConfigError(err.message);
    throw err;
  }
}

export async function startServer(config: Config): Promise<FastifyInstance> {
  const keys = loadApiKeys(config);
  assertSafeExposure(config, keys.size);
  const store = createGraphStore(config);
  const app = await buildApp({
    store,
    logger: { level: config.LOG_LEVEL, redact: ['req.headers.authorization'] },
    ...(config.ANALYSIS_WORKERS !== undefined ? { analysisWorkers: config.ANALYSIS_WORKERS } : {}),
    analysisBudget: { timeoutMs: config.ANALYSIS_TIMEOUT_MS, heapMb: config.ANALYSIS_HEAP_MB },
    answerCacheMb: config.ANSWER_CACHE_MB,
    access: { keys, reads: config.READ_ACCESS },
    safety: { corsOrigins: config.CORS_ORIGINS, rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE },
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
  });
  app.addHook('onClose', async () => store.close());

  if (store.kind === 'embedded') {
    // A local file that cannot be read must stop the start: serving an empty graph over it would hide the problem.
    await prepareStore(store, config, app);
  } else {
    prepareStore(store, config, app).catch((err: unknown) => {
      app.log.fatal({ err }, 'cannot prepare the graph store');
      process.exitCode = 1;
      void app.close();
    });
  }

  closeWithGrace({ delay: 10_000, logger: app.log }, async ({ err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    await app.close();
  });

  await app.listen({ port: config.PORT, host: config.HOST });
  const access =
    keys.size === 0 ? 'no API keys: every request may write (loopback only)' : `${keys.size} API keys, reads ${config.READ_ACCESS}`;
  app.log.info(`oretrace on http://${config.HOST}:${config.PORT} (${store.kind} store); API docs at /docs; ${access}`);
  return app;
}

export async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`oretrace: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  await startServer(config);
}

// Run when executed directly (npm start), not when imported by the CLI.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`oretrace: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
