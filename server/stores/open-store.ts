/**
 * Chooses the GraphStore from configuration: Neo4j when NEO4J_URI is set, else the embedded
 * file store in DATA_DIR.
 */
import type { Config } from '../config.js';
import { EmbeddedGraphStore } from './embedded-store.js';
import type { GraphStore } from './graph-store.js';
import { Neo4jGraphStore } from './neo4j-store.js';

export function createGraphStore(config: Config): GraphStore {
  if (config.NEO4J_URI) {
    return new Neo4jGraphStore({
      uri: config.NEO4J_URI,
      user: config.NEO4J_USER,
      password: config.NEO4J_PASSWORD ?? '',
      database: config.NEO4J_DATABASE,
    });
  }
  return new EmbeddedGraphStore({ dataDir: config.DATA_DIR });
}
