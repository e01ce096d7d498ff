/**
 * Runs in the `neo4j` vitest project (files named *.neo4j.test.ts), whose global setup
 * (test/setup/neo4j-global-setup.ts) provides the connection. Only opens a driver: the shared
 * server belongs to the global setup and is never stopped here.
 */
import neo4j, { type Driver } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// null when ORETRACE_TEST_NEO4J=skip and Neo4j was unavailable; undefined without the setup.
const connection = inject('neo4j');

describe.skipIf(!connection)('Neo4j provided by the global setup', () => {
  let driver: Driver | undefined;
  beforeAll(() => {
    if (!connection) throw new Error('unreachable: the suite is skipped without a connection');
    driver = neo4j.driver(connection.uri, neo4j.auth.basic(connection.user, connection.password));
  });
  afterAll(async () => {
    await driver?.close();
  });

  it('answers RETURN 1 on the provided database', async () => {
    if (!driver || !connection) throw new Error('no driver');
    const { records } = await driver.executeQuery('RETURN 1 AS one', {}, { database: connection.database });
    expect(records).toHaveLength(1);
    expect(neo4j.integer.toNumber(records[0]?.get('one'))).toBe(1);
  });
});
