/**
 * Builds the app over a fresh embedded store in a temporary folder, loaded with the contract
 * fixture graph, for route tests through `app.inject`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import { EmbeddedGraphStore } from '../../server/stores/embedded-store.js';
import type { GraphStore } from '../../server/stores/graph-store.js';
import { fixtureNodes, fixtureRelationships } from './stores/graph-store-contract.js';

export interface Harness {
  app: FastifyInstance;
  store: GraphStore;
  close: () => Promise<void>;
}

export async function embeddedHarness(options: { withFixture?: boolean; analysisWorkers?: number; logger?: boolean } = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oretrace-app-'));
  const store = new EmbeddedGraphStore({ dataDir });
  await store.init();
  if (options.withFixture !== false) await store.importGraph({ nodes: fixtureNodes, relationships: fixtureRelationships });
  const app = await buildApp({ store, analysisWorkers: options.analysisWorkers ?? 0, logger: options.logger ?? false });
  await app.ready();
  return {
    app,
    store,
    close: async () => {
      await app.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
