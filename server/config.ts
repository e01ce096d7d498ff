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
    NEO4J_DATABASE: z.preprocess(emptyAsUndefined, z.string().regex(/^[A-Za-z][A-Za-z0-9.-]{0,62}$/, 'must be a Neo4j database name').default('neo4j')),
    LOG_LEVEL: z.preprocess(
      emptyAsUndefined,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
    /** Worker threads for analyses; 0 runs them in the request's thread. Unset: cores − 1, at most 4. */
    ANALYSIS_WORKERS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(64).optional()),
    /** Load the reference data and the demo supply chain into an empty store at start-up. */
    SEED_DEMO: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).default('true').transform((v) => v === 'true')),
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
