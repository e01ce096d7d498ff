/**
 * vitest globalSetup of the `web` project: builds the web front end (when web/dist is stale),
 * starts the oretrace app on a free loopback port over a fresh embedded store seeded with the
 * reference data and the demo, and checks that Debian's Chromium is there (the tests never
 * download a browser). Tests read the address with `inject('webBaseUrl')`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildApp } from '../../server/app.js';
import { seedIfEmpty } from '../../server/seeding/seed-loader.js';
import { EmbeddedGraphStore } from '../../server/stores/embedded-store.js';
import { buildWebIfStale } from '../../web/build-web.js';
import { CHROMIUM_PATH } from './browser.js';

declare module 'vitest' {
  export interface ProvidedContext {
    webBaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`The web tests drive Debian's Chromium at ${CHROMIUM_PATH}, which is missing: apt-get update && apt-get install -y chromium (.ci/run does this)`);
  }
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
