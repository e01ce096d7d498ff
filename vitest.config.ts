import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests run in parallel; tests against the real Neo4j share one database,
// so their files run one at a time. The global setup starts the project's own Neo4j when
// NEO4J_URI is unset (test/setup/neo4j-global-setup.ts).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.neo4j.test.ts', 'test/web/**'],
        },
      },
      {
        test: {
          name: 'neo4j',
          include: ['test/**/*.neo4j.test.ts'],
          globalSetup: ['test/setup/neo4j-global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
