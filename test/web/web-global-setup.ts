/**
 * vitest globalSetup of the `web` project: builds the web front end (when web/dist is stale),
 * starts the oretrace app on a free loopback port over a fresh embedded store seeded with the
 * reference data and the demo, and finds the Chromium to drive (chromium.ts: a system one, else the
 * one an npm devDependency ships, unpacked here once; the tests never download a browser). Tests
 * read the address with `inject('webBaseUrl')`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildApp } from '../../server/app.js';
import { seedIfEmpty } from '../../server/seeding/seed-loader.js';
import { EmbeddedGraphStore } from '../../server/stores/embedded-store.js';
import { buildWebIfStale } from '../../web/build-web.js';
import { resolveChromium } from './chromium.js';

declare module 'vitest' {
  export interface ProvidedContext {
    webBaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Before the build, so that a missing browser fails the run at once; this also unpacks the npm
  // one, so that the test files' launches find it ready.
  const browser = resolveChromium();
  process.stderr.write(`web tests: Chromium ${browser.executablePath} from ${browser.source}\n`);
  await buildWebIfStale((line) => process.stderr.write(`web tests: ${line}\n`));

  const dataDir = await mkdtemp(join(tmpdir(), 'oretrace-web-'));
  const store = new EmbeddedGraphStore({ dataDir });
  await store.init();
  await seedIfEmpty(store);
  const app = await buildApp({ store, analysisWorkers: 1, logger: { level: process.env.WEB_TEST_LOG_LEVEL ?? 'error' } });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  project.provide('webBaseUrl', address);

  return async () => {
    await app.close();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  };
}
