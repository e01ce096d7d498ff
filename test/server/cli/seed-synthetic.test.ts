/** `oretrace seed synthetic` as a user runs it: a child process over an embedded store in a temporary directory. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Supplies } from '../../../graph/model.js';
import { PROJECT_ROOT } from '../../../server/seeding/reference-data.js';
import { EmbeddedGraphStore } from '../../../server/stores/embedded-store.js';

const run = promisify(execFile);
let dir: string;

async function oretrace(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(PROJECT_ROOT, 'bin', 'oretrace.js'), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NEO4J_URI: '', DATA_DIR: dir, LOG_LEVEL: 'silent' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oretrace-seed-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('oretrace seed synthetic', () => {
  it('loads a network with a giant component and no shares', async () => {
    const result = await oretrace('seed', 'synthetic', '--companies', '400', '--giant-component', '0.9', '--shares', 'none');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^synthetic network: \d+ nodes, \d+ relationships/);
    const store = new EmbeddedGraphStore({ dataDir: dir });
    await store.init();
    try {
      const scan = await store.scan();
      const supplies = scan.relationships.filter((r): r is Supplies => r.type === 'SUPPLIES');
      expect(supplies.length).toBeGreaterThan(400);
      expect(supplies.filter((r) => r.share !== undefined)).toEqual([]);
      // A buyer's supplier that it also supplies: the back links of the giant component.
      const keys = new Set(supplies.map((r) => `${r.from}>${r.to}>${r.metal}`));
      expect(supplies.some((r) => r.from.startsWith('syn-co-') && keys.has(`${r.to}>${r.from}>${r.metal}`))).toBe(true);
    } finally {
      await store.close();
    }
  }, 60_000);

  it.each([
    [['--giant-component', '1.5'], /"1.5" is not a share from 0 to 1/],
    [['--giant-component', 'lots'], /"lots" is not a share from 0 to 1/],
    [['--shares', 'some'], /Allowed choices are mixed, none/],
  ])(
    'refuses %j with a message naming it, writing nothing',
    async (args, message) => {
      const result = await oretrace('seed', 'synthetic', '--companies', '50', ...args);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(message);
    },
    60_000,
  );
});
