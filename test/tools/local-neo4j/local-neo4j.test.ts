/**
 * Unit checks of tools/local-neo4j that need no Neo4j (the `RETURN 1` check against the real
 * server is in local-neo4j.neo4j.test.ts, which runs in the `neo4j` vitest project).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runNeo4jCommand } from '../../../tools/local-neo4j/cli.js';
import { LOCAL_NEO4J_PASSWORD, localNeo4jEnv, localNeo4jPaths } from '../../../tools/local-neo4j/local-neo4j.js';

// A home with no running server: the output describes the server `start` would run.
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'oretrace-neo4j-env-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('localNeo4jEnv', () => {
  it('prints eval-able NEO4J_* lines', () => {
    const text = localNeo4jEnv({ home, port: 7999 });
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines).toEqual([
      'NEO4J_URI=bolt://127.0.0.1:7999',
      'NEO4J_USER=neo4j',
      `NEO4J_PASSWORD=${LOCAL_NEO4J_PASSWORD}`,
      'NEO4J_DATABASE=neo4j',
    ]);
    for (const line of lines) expect(line).toMatch(/^[A-Z0-9_]+=[A-Za-z0-9_@%+=:,./-]+$/);
  });

  it('prefixes export when asked, for eval "$(npm run -s neo4j -- env)"', () => {
    const lines = localNeo4jEnv({ home, port: 7999, export: true }).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toMatch(/^export NEO4J_(URI|USER|PASSWORD|DATABASE)=\S+$/);
  });
});

describe('localNeo4jPaths', () => {
  it.skipIf(Boolean(process.env.ORETRACE_NEO4J_HOME))('defaults the home to .oretrace/neo4j in the project', () => {
    const paths = localNeo4jPaths();
    expect(paths.home).toBe(path.join(paths.projectRoot, '.oretrace', 'neo4j'));
    expect(paths.pidFile).toBe(path.join(paths.home, 'run', 'neo4j.pid'));
    expect(fs.existsSync(paths.pom)).toBe(true);
  });
});

describe('runNeo4jCommand', () => {
  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runNeo4jCommand(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t) });
    return { code, out, err };
  }

  it('env prints only exportable lines on stdout', async () => {
    const { code, out, err } = await run(['env', '--home', home, '--port', '7999']);
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toBe(localNeo4jEnv({ home, port: 7999, export: true }));
  });

  it('exits 2 on usage errors', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['bogus'])).code).toBe(2);
    expect((await run(['start', '--port', 'abc'])).code).toBe(2);
  });

  it('status of a home without a server says not running', async () => {
    const { code, out } = await run(['status', '--home', home, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ running: false, pid: null });
  });
});
