/**
 * Builds the app over a fresh embedded store in a temporary folder, loaded with the contract
 * fixture graph, for route tests through `app.inject`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, expect } from 'vitest';
import type { Relationship } from '../../graph/model.js';
import { buildApp } from '../../server/app.js';
import { sortedNodes, sortedRelationships } from '../../server/exporters/graph-export.js';
import { EmbeddedGraphStore } from '../../server/stores/embedded-store.js';
import type { GraphStore } from '../../server/stores/graph-store.js';
import { fixtureNodes, fixtureRelationships } from './stores/graph-store-contract.js';

export interface Harness {
  app: FastifyInstance;
  store: GraphStore;
  close: () => Promise<void>;
}

export interface HarnessOptions {
  withFixture?: boolean;
  analysisWorkers?: number;
  analysisBudget?: { timeoutMs?: number; heapMb?: number };
  logger?: boolean;
}

export async function embeddedHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oretrace-app-'));
  const store = new EmbeddedGraphStore({ dataDir });
  await store.init();
  if (options.withFixture !== false) await store.importGraph({ nodes: fixtureNodes, relationships: fixtureRelationships });
  const app = await buildApp({
    store,
    analysisWorkers: options.analysisWorkers ?? 0,
    ...(options.analysisBudget ? { analysisBudget: options.analysisBudget } : {}),
    logger: options.logger ?? false,
  });
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

/**
 * A fresh harness for each test of the calling file, so that no test sees another's writes. Its
 * `app` and `store` are read at use, so tests and the file's own hooks use them as they would a
 * Harness.
 */
export function embeddedHarnessPerTest(options: HarnessOptions = {}): Pick<Harness, 'app' | 'store'> {
  let current: Harness | undefined;
  beforeEach(async () => {
    current = await embeddedHarness(options);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const live = (): Harness => {
    if (!current) throw new Error('the per-test harness exists only while a test runs');
    return current;
  };
  return {
    get app() {
      return live().app;
    },
    get store() {
      return live().store;
    },
  };
}

// The import stamps relationships with its own time, so a round trip cannot keep updatedAt.
const withoutUpdatedAt = (rs: Relationship[]) => sortedRelationships(rs).map(({ updatedAt: _u, ...r }) => r);

/**
 * Sends an export of the contract fixture (11 nodes, 13 relationships) into an app over an empty
 * store and expects that store to end up with the same graph as `source`.
 */
export async function expectRoundTrip(
  source: GraphStore,
  importInto: (app: FastifyInstance) => Promise<LightMyRequestResponse>,
): Promise<void> {
  const empty = await embeddedHarness({ withFixture: false });
  try {
    const res = await importInto(empty.app);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ nodesUpserted: 11, relationshipsUpserted: 13 });
    const [a, b] = [await source.scan(), await empty.store.scan()];
    expect(sortedNodes(b.nodes)).toEqual(sortedNodes(a.nodes));
    expect(withoutUpdatedAt(b.relationships)).toEqual(withoutUpdatedAt(a.relationships));
  } finally {
    await empty.close();
  }
}
