/**
 * vitest globalSetup: gives the test suite a real Neo4j.
 *
 * - NEO4J_URI set: use that server (NEO4J_USER, default neo4j; NEO4J_PASSWORD; NEO4J_DATABASE,
 *   default neo4j); it must answer `RETURN 1`. It is never stopped here.
 * - Otherwise: start the project's own Neo4j for tests (tools/local-neo4j) with home
 *   `.oretrace/neo4j-test` (ORETRACE_TEST_NEO4J_HOME) on bolt port 7688 (ORETRACE_TEST_NEO4J_PORT),
 *   so it never clashes with a developer's `npm run neo4j -- start` on 7687. It has no jars of
 *   its own: it uses the main home's lib dir (`.oretrace/neo4j/lib`, or ORETRACE_NEO4J_LIB), so
 *   Neo4j is downloaded once for both. Its data persists between runs (warm starts are faster):
 *   tests must create and clean up their own data. It is stopped in teardown only if this setup
 *   started it; one that was already running (e.g. left by an interrupted run) is reused and left
 *   running (`npm run neo4j -- stop --home .oretrace/neo4j-test` stops it).
 *
 * Tests read the connection with `inject('neo4j')` (null only when ORETRACE_TEST_NEO4J=skip and
 * Neo4j could not be had). If Neo4j cannot be had the run fails: always when CI=true, and
 * otherwise unless ORETRACE_TEST_NEO4J=skip.
 *
 * vitest stops waiting for teardown after `teardownTimeout` (default 10 s); stopping takes ~1–3 s.
 */
import path from 'node:path';
import neo4j from 'neo4j-driver';
import type { TestProject } from 'vitest/node';
import {
  localNeo4jPaths,
  neo4jVersion,
  parsePort,
  startLocalNeo4j,
  stopLocalNeo4j,
  type LocalNeo4jConnection,
} from '../../tools/local-neo4j/local-neo4j.js';

declare module 'vitest' {
  export interface ProvidedContext {
    neo4j: { uri: string; user: string; password: string; database: string } | null;
  }
}

const DEFAULT_TEST_PORT = 7688;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function env(name: string): string | undefined {
  const value = process.env[name];
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

async function checkExternal(connection: LocalNeo4jConnection, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const driver = neo4j.driver(connection.uri, neo4j.auth.basic(connection.user, connection.password), {
      connectionTimeout: 5000,
      maxConnectionPoolSize: 1,
    });
    try {
      const session = driver.session({ database: connection.database });
      try {
        await session.run('RETURN 1');
        return;
      } finally {
        await session.close();
      }
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      last = `${code ? `${code}: ` : ''}${(error as Error).message.split('\n')[0] ?? ''}`;
      if (code.startsWith('Neo.ClientError.Security.') || Date.now() >= deadline) {
        throw new Error(`Neo4j at NEO4J_URI=${connection.uri} (user ${connection.user}) does not answer RETURN 1: ${last}`);
      }
    } finally {
      await driver.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = env('NEO4J_URI');
  let stopHome: { home: string; lib: string } | null = null;

  try {
    if (external) {
      const connection: LocalNeo4jConnection = {
        uri: external,
        user: env('NEO4J_USER') ?? 'neo4j',
        password: process.env.NEO4J_PASSWORD ?? '',
        database: env('NEO4J_DATABASE') ?? 'neo4j',
      };
      const started = Date.now();
      await checkExternal(connection, 30_000);
      log(
        `Neo4j from NEO4J_URI ready on ${connection.uri} (database ${connection.database}) ` +
          `in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      project.provide('neo4j', connection);
    } else {
      const root = localNeo4jPaths().projectRoot;
      const home = path.resolve(root, env('ORETRACE_TEST_NEO4J_HOME') ?? path.join('.oretrace', 'neo4j-test'));
      const lib = localNeo4jPaths().lib; // the main home's jars (or ORETRACE_NEO4J_LIB): one download
      const rawPort = env('ORETRACE_TEST_NEO4J_PORT');
      const port = rawPort ? parsePort(rawPort, 'ORETRACE_TEST_NEO4J_PORT') : DEFAULT_TEST_PORT;
      let result: Awaited<ReturnType<typeof startLocalNeo4j>>;
      try {
        result = await startLocalNeo4j({ home, lib, port, log });
      } catch (error) {
        const message = (error as Error).message;
        throw new Error(
          message.replace(
            'pick another with --port or ORETRACE_NEO4J_PORT',
            'set ORETRACE_TEST_NEO4J_PORT to a free port, or NEO4J_URI to use a running server',
          ),
        );
      }
      // startLocalNeo4j has logged "Neo4j <version> ready on <uri> in N s" or "already running".
      if (result.alreadyRunning) {
        log(`(the tests' Neo4j in ${home} was already running: reused, and left running after the tests)`);
      } else {
        stopHome = { home, lib };
      }
      project.provide('neo4j', {
        uri: result.uri,
        user: result.user,
        password: result.password,
        database: result.database,
      });
    }
  } catch (error) {
    const reason = (error as Error).message;
    const version = neo4jVersion();
    if (process.env.CI === 'true') {
      throw new Error(`Neo4j ${version} for the tests is not available (CI=true): ${reason}`);
    }
    if (process.env.ORETRACE_TEST_NEO4J !== 'skip') {
      throw new Error(
        `Neo4j ${version} for the tests is not available: ${reason}\n` +
          'Set ORETRACE_TEST_NEO4J=skip to run without it (tests that need Neo4j are then skipped), ' +
          'or NEO4J_URI (+ NEO4J_USER/NEO4J_PASSWORD/NEO4J_DATABASE) to use a running server.',
      );
    }
    const bar = '!'.repeat(100);
    log(
      `\n${bar}\n!!! WARNING: NO NEO4J FOR THE TESTS (ORETRACE_TEST_NEO4J=skip): tests that need Neo4j are SKIPPED.\n` +
        `!!! Reason: ${reason.split('\n')[0] ?? reason}\n${bar}\n`,
    );
    project.provide('neo4j', null);
  }

  return async () => {
    if (!stopHome) return;
    await stopLocalNeo4j({ ...stopHome, timeoutMs: 8_000, log });
  };
}
