/**
 * Builds the web front end into web/dist, or only when it is stale.
 *
 *   tsx web/build-web.ts             build now
 *   tsx web/build-web.ts --if-stale  build only when a file the last build was made from changed
 *
 * `npm start` runs the second (prestart), so a fresh clone and an edited web/ both serve a
 * current page, while an unchanged tree starts without waiting for a build.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILD_INPUTS_FILE, distDir, fileHash, projectDir } from './build-inputs.js';

export interface StaleReason {
  stale: boolean;
  why: string;
}

/** Whether web/dist is missing or was built from files that have changed since. */
export function webBuildStaleness(): StaleReason {
  const recordPath = resolve(distDir, BUILD_INPUTS_FILE);
  if (!existsSync(resolve(distDir, 'index.html')) || !existsSync(recordPath)) return { stale: true, why: 'web/dist is missing' };
  let files: Record<string, string>;
  try {
    files = (JSON.parse(readFileSync(recordPath, 'utf8')) as { files: Record<string, string> }).files;
  } catch {
    return { stale: true, why: `web/dist/${BUILD_INPUTS_FILE} cannot be read` };
  }
  for (const [file, hash] of Object.entries(files)) {
    const path = resolve(projectDir, file);
    if (!existsSync(path)) return { stale: true, why: `${file} is gone` };
    if (fileHash(path) !== hash) return { stale: true, why: `${file} changed` };
  }
  return { stale: false, why: 'web/dist is up to date' };
}

export async function buildWeb(): Promise<void> {
  // Vite is loaded only to build: checking freshness must stay cheap for every `npm start`.
  const { build } = await import('vite');
  await build({ configFile: resolve(projectDir, 'web/vite.config.ts'), logLevel: 'warn' });
}

/** Build when stale; answers whether it built. */
export async function buildWebIfStale(log: (line: string) => void = () => {}): Promise<boolean> {
  const { stale, why } = webBuildStaleness();
  if (!stale) return false;
  log(`building the web front end (${why})`);
  await buildWeb();
  return true;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ifStale = process.argv.includes('--if-stale');
  const started = performance.now();
  const log = (line: string) => process.stderr.write(`oretrace: ${line}\n`);
  const run = ifStale ? buildWebIfStale(log) : buildWeb().then(() => true);
  run.then(
    (built) => {
      if (built) log(`web front end built into web/dist in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    },
    (err: unknown) => {
      log(`web build failed: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
