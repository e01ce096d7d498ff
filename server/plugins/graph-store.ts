/**
 * Makes the GraphStore available to every route as `app.store`. The store is opened by the
 * caller (server.ts or a test) and handed in, so tests choose the adapter and the app never
 * guesses.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { GraphStore } from '../stores/graph-store.js';

declare module 'fastify' {
  interface FastifyInstance {
    store: GraphStore;
  }
}

async function graphStorePlugin(app: FastifyInstance, options: { store: GraphStore }): Promise<void> {
  app.decorate('store', options.store);
}

export default fp(graphStorePlugin, { name: 'graph-store' });
