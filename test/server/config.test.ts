import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';

describe('configuration from the environment', () => {
  it('has defaults that serve the embedded store on loopback :3000', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', NEO4J_DATABASE: 'neo4j', LOG_LEVEL: 'info', SEED_DEMO: true });
    expect(c.NEO4J_URI).toBeUndefined();
    expect(c.DATA_DIR).toBe(resolve('data'));
    expect(c).toMatchObject({ ANALYSIS_TIMEOUT_MS: 30_000, ANALYSIS_HEAP_MB: 1024 });
  });

  it('reads the Neo4j settings', () => {
    const c = loadConfig({ NEO4J_URI: 'neo4j://db.internal:7687', NEO4J_USER: 'u', NEO4J_PASSWORD: 'p', NEO4J_DATABASE: 'supply' });
    expect(c).toMatchObject({ NEO4J_URI: 'neo4j://db.internal:7687', NEO4J_USER: 'u', NEO4J_PASSWORD: 'p', NEO4J_DATABASE: 'supply' });
  });

  it.each([
    [{ PORT: 'eighty' }, /^Invalid PORT \("eighty"\): /],
    [{ PORT: '70000' }, /^Invalid PORT \("70000"\): /],
    [{ NEO4J_URI: 'http://localhost:7474' }, /^Invalid NEO4J_URI \("http:\/\/localhost:7474"\): must be a bolt:\/\/ or neo4j:\/\/ URI/],
    [{ LOG_LEVEL: 'loud' }, /^Invalid LOG_LEVEL \("loud"\): /],
    [{ NEO4J_DATABASE: 'no spaces allowed' }, /^Invalid NEO4J_DATABASE/],
    [{ SEED_DEMO: 'maybe' }, /^Invalid SEED_DEMO/],
    [{ ANALYSIS_WORKERS: '-1' }, /^Invalid ANALYSIS_WORKERS/],
    [{ ANALYSIS_TIMEOUT_MS: '10' }, /^Invalid ANALYSIS_TIMEOUT_MS \("10"\): /],
    [{ ANALYSIS_HEAP_MB: 'lots' }, /^Invalid ANALYSIS_HEAP_MB/],
  ])('rejects %o with one line naming the variable', (env, message) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
