/**
 * The embedded store killed with SIGKILL during a write (issue 6): on restart the file holds the
 * old or the new state, never a broken one.
 *
 * A child process (embedded-writer.ts, node + tsx) writes big imports back to back into a DATA_DIR
 * and reports each write before and after it. The test kills it with SIGKILL at random moments
 * (seeded: the seed is printed, ORETRACE_KILL_SEED replays a run), opens the store itself after
 * each kill, and checks that it loads and that its content is exactly the state of the last
 * committed write or of the one in flight (embedded-writer-state.ts), then lets a new child go on
 * from there.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Company, Supplies } from '../../../graph/model.js';
import { EmbeddedGraphStore } from '../../../server/stores/embedded-store.js';
import { BASE, GROWTH, MARKERS, shareOf } from './embedded-writer-state.js';
import { mulberry32 } from '../../../seeds/random.js';

const KILLS = 12;
const WRITER = fileURLToPath(new URL('./embedded-writer.ts', import.meta.url));

interface Round {
  /** Version the child found when it opened the store. */
  opened: number;
  lastCommitted: number | undefined;
  /** Announced but not confirmed when the child died. */
  inFlight: number | undefined;
  /** How far into the write the kill was aimed, as a fraction of the previous write's duration. */
  aim: number;
}

/**
 * Start a writer and let it complete two writes (the first of a fresh child is slow: JIT, loading,
 * and in round 1 the base graph), timing them; then, as the next write is announced, kill it after
 * `aim` times the duration of the previous one. Whatever the machine's load, the kills spread over
 * the whole of a write (most of which is replacing the file) and a little beyond.
 */
function runAndKill(dataDir: string, aim: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    let err = '';
    let opened = Number.NaN;
    let lastCommitted: number | undefined;
    let writing: number | undefined;
    let commits = 0;
    let writeStarted = 0;
    let lastDuration = 0;
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const [what, n] = line.split(' ');
        if (what === 'open') opened = Number(n);
        if (what === 'writing') {
          writing = Number(n);
          writeStarted = performance.now();
          if (commits >= 2 && timer === undefined) timer = setTimeout(() => child.kill('SIGKILL'), aim * lastDuration);
        }
        if (what === 'committed') {
          lastCommitted = Number(n);
          lastDuration = performance.now() - writeStarted;
          commits++;
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`the writer ended by itself (code ${code}, signal ${signal}) before the kill:\n${err}`));
        return;
      }
      // Lines written before the kill are all delivered before 'close'.
      resolve({ opened, lastCommitted, inFlight: writing !== undefined && writing !== lastCommitted ? writing : undefined, aim });
    });
  });
}

/** Load the store as a restarted service would, and check it holds exactly the state of its version. */
async function loadAndCheck(dataDir: string): Promise<number> {
  const store = new EmbeddedGraphStore({ dataDir });
  await store.init(); // throws on a torn or foreign file
  try {
    const { version, nodes, relationships } = await store.scan();
    if (version === 0) {
      expect(nodes).toEqual([]);
      return 0;
    }
    const companies = nodes as Company[];
    const byPrefix = (p: string) => companies.filter((c) => c.id.startsWith(p));
    expect(companies).toHaveLength(BASE + MARKERS + version * GROWTH);
    expect(byPrefix('b-')).toHaveLength(BASE);
    const markers = byPrefix('m-');
    expect(markers).toHaveLength(MARKERS);
    expect(new Set(markers.map((c) => `${c.name} / ${c.saqScore}`))).toEqual(new Set([`generation ${version} / ${version % 101}`]));
    const grown = new Set(byPrefix('x-').map((c) => c.id));
    for (let v = 1; v <= version; v++) for (let i = 0; i < GROWTH; i++) expect(grown.has(`x-${v}-${i}`)).toBe(true);
    const supplies = relationships as Supplies[];
    expect(supplies).toHaveLength(BASE - 1 + MARKERS - 1);
    const markerSupplies = supplies.filter((r) => r.from.startsWith('m-'));
    expect(markerSupplies).toHaveLength(MARKERS - 1);
    expect(new Set(markerSupplies.map((r) => `${r.share} ${r.source}`))).toEqual(new Set([`${shareOf(version)} write ${version}`]));
    return version;
  } finally {
    await store.close();
  }
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'oretrace-kill-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('the embedded store killed with SIGKILL during writes', () => {
  it(`holds the old or the new state after each of ${KILLS} kills at random moments, never a broken one`, async () => {
    const seed = Number(process.env.ORETRACE_KILL_SEED ?? Date.now() % 1_000_000);
    const next = mulberry32(seed);
    let version = 0;
    let landedInWrite = 0;
    let newStateKept = 0;
    let tempFilesLeft = 0;
    for (let round = 1; round <= KILLS; round++) {
      const r = await runAndKill(dataDir, next() * 1.2);
      const where = `seed ${seed}, round ${round}: ${JSON.stringify(r)}`;
      // The child went on from the state the previous round left.
      expect(r.opened, where).toBe(version);
      if ((await readdir(dataDir)).some((f) => f.endsWith('.tmp'))) tempFilesLeft++;

      const stored = await loadAndCheck(dataDir);
      const committed = r.lastCommitted ?? r.opened;
      const allowed = r.inFlight !== undefined ? [committed, r.inFlight] : [committed];
      expect(allowed, where).toContain(stored);
      if (r.inFlight !== undefined) {
        landedInWrite++;
        if (stored === r.inFlight) newStateKept++;
      }
      // The restart removed what the killed write left behind.
      expect(
        (await readdir(dataDir)).filter((f) => f.endsWith('.tmp')),
        where,
      ).toEqual([]);
      version = stored;
    }
    console.log(
      `embedded SIGKILL (seed ${seed}): ${KILLS} kills, ${landedInWrite} during a write (${newStateKept} of those had already ` +
        `replaced the file, ${landedInWrite - newStateKept} kept the old one),` +
        ` ${tempFilesLeft} left a temporary file; final version ${version}`,
    );
    // The writer spends nearly all its time inside writes: most kills must have hit one, or the
    // test would not test what it says.
    expect(landedInWrite).toBeGreaterThanOrEqual(Math.ceil(KILLS / 2));
    expect(version).toBeGreaterThan(0);
  }, 240_000);
});
