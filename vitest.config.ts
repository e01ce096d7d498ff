import { defineConfig } from 'vitest/config';

// Three projects: fast unit tests run in parallel; tests against the real Neo4j share one database,
// so their files run one at a time. The global setup starts the project's own Neo4j when
// NEO4J_URI is unset (test/setup/neo4j-global-setup.ts). The web project builds the front end,
// starts the app over the demo and drives a headless Chromium (test/web/chromium.ts finds it; web-global-setup.ts starts the app);
// its files run one at a time, as each has a browser of its own.
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
      {
        test: {
          name: 'web',
          include: ['test/web/**/*.test.ts'],
          globalSetup: ['test/web/web-global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // A page on a busy 2-core machine can take seconds to settle.
          expect: { poll: { timeout: 15_000 } },
        },
      },
    ],
  },
});
