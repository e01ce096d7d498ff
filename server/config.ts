/**
 * Configuration from the environment, validated once at start-up. An invalid value stops the
 * process with one line naming the variable (see server/server.ts).
 */
import { resolve } from 'node:path';
import { z } from 'zod';

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);

export const ConfigSchema = z
  .object({
    PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
    HOST: z.preprocess(emptyAsUndefined, z.string().min(1).default('127.0.0.1')),
    DATA_DIR: z.preprocess(emptyAsUndefined, z.string().min(1).default('data')),
    NEO4J_URI: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^(bolt|neo4j)(\+s|\+ssc)?:\/\/[^\s]+$/, 'must be a bolt:// or neo4j:// URI, e.g. bolt://127.0.0.1:7687')
        .optional(),
    ),
    NEO4J_USER: z.preprocess(emptyAsUndefined, z.string().min(1).default('neo4j')),
    NEO4J_PASSWORD: z.preprocess(emptyAsUndefined, z.string().optional()),
    NEO4J_DATABASE: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9.-]{0,62}$/, 'must be a Neo4j database name')
        .default('neo4j'),
    ),
    LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
    /** Worker threads for analyses; 0 runs them in the request's thread. Unset: cores − 1, at most 4. */
    ANALYSIS_WORKERS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(64).optional()),
    /** How long one analysis may run in its worker before it is stopped (503 analysis-timeout). */
    ANALYSIS_TIMEOUT_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(100).max(3_600_000).default(30_000)),
    /** The heap each analysis worker may use, in MB; an analysis that needs more fails (422 analysis-memory-limit). */
    ANALYSIS_HEAP_MB: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(64).max(65_536).default(1024)),
    /** MB of analysis answers kept per snapshot version (the same request again is answered from memory); 0 keeps none. */
    ANSWER_CACHE_MB: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65_536).default(64)),
    /** Load the reference data and the demo supply chain into an empty store at start-up. */
    SEED_DEMO: z.preprocess(
      emptyAsUndefined,
      z
        .enum(['true', 'false'])
        .default('true')
        .transform((v) => v === 'true'),
    ),
    /** API keys as "name:role:sha256hex,…" (hashes, never the keys; `oretrace keys create` makes them). */
    API_KEYS: z.preprocess(emptyAsUndefined, z.string().max(1_000_000).optional()),
    /** A JSON file {"keys": [{"name", "role", "sha256"}]}; combined with API_KEYS. */
    API_KEYS_FILE: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
    /** open: reads need no key; keyed: every /api route needs a key (reader or better). */
    READ_ACCESS: z.preprocess(emptyAsUndefined, z.enum(['open', 'keyed']).default('open')),
    /** Origins allowed to call the API from a browser, comma-separated; unset: no CORS headers. */
    CORS_ORIGINS: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .transform((v) =>
          v
            .split(',')
            .map((o) => o.trim())
            .filter((o) => o !== ''),
        )
        .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'must be origins like https://app.example.com, comma-separated')))
        .optional(),
    ),
    /** Requests per minute per API key (or per client address without one); 0 turns the limit off. */
    RATE_LIMIT_PER_MINUTE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(1_000_000).default(1200)),
    /** A request that takes longer is cut off (Fastify's requestTimeout). */
    REQUEST_TIMEOUT_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1000).max(3_600_000).default(120_000)),
  })
  .transform((c) => ({ ...c, DATA_DIR: resolve(c.DATA_DIR) }));

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** Parse the environment; throws ConfigError whose message is one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0] ?? 'configuration');
  const value = env[name];
  throw new ConfigError(`Invalid ${name}${value !== undefined ? ` (${JSON.stringify(value)})` : ''}: ${issue.message}`);
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost|::ffff:127(\.\d{1,3}){3})$/i;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host.replace(/^\[|\]$/g, ''));
}

/**
 * Safe by default: without API keys every request may write, which is only acceptable when
 * nobody but this machine can reach the service. Throws ConfigError, naming what to do.
 */
export function assertSafeExposure(config: Pick<Config, 'HOST'>, keyCount: number): void {
  if (keyCount === 0 && !isLoopback(config.HOST)) {
    throw new ConfigError(
      `Refusing to listen on ${config.HOST} without API keys: anyone who can reach it could change the graph. ` +
        'Configure API_KEYS or API_KEYS_FILE (make keys with `oretrace keys create`), or listen on 127.0.0.1.',
    );
  }
}
