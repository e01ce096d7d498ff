/**
 * Which headless Chromium the browser tests and the render benchmark drive, in this order:
 *   1. `CHROMIUM_PATH`, when set (an explicit choice: it must name an executable);
 *   2. a system browser on PATH: `chromium`, `chromium-browser`, `google-chrome`;
 *   3. the Chromium that the devDependency `@sparticuz/chromium` ships inside its npm tarball
 *      (a brotli-compressed headless shell plus the NSS libraries it links against), unpacked
 *      once into `.oretrace/chromium/<version>/`.
 * Nothing is downloaded at run time: a fresh clone needs only `npm ci` (the machine has no
 * network but the package registries, and a browser build fetched from anywhere else fails).
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';

export interface ResolvedChromium {
  executablePath: string;
  /** Where it came from, for the log line of the tests and the benchmark. */
  source: string;
  /** Extra environment of the browser process (the shipped libraries for the npm one). */
  env: Record<string, string>;
}

/** Names of a system browser on PATH, in order of preference. */
export const SYSTEM_CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome'] as const;

/**
 * Playwright adds `--headless` itself. The rest keep a headless run off the network: without the
 * background-networking flags Chromium keeps dialling Google's hosts, which this closed network
 * refuses. Containers run as root without user namespaces, so the sandbox cannot start, and
 * /dev/shm is small there.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
] as const;

const NPM_PACKAGE = '@sparticuz/chromium';
const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const UNPACK_ROOT = join(PROJECT_ROOT, '.oretrace', 'chromium');

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The first of `names` found executable on `searchPath` (a PATH value), like `command -v`. */
export function findOnPath(names: readonly string[], searchPath: string): string | undefined {
  const dirs = searchPath.split(delimiter).filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

interface NpmChromium {
  version: string;
  binDir: string;
}

function npmChromiumPackage(): NpmChromium {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(NPM_PACKAGE);
  } catch {
    throw new Error(
      `No Chromium found: CHROMIUM_PATH is unset, none of ${SYSTEM_CHROMIUM_NAMES.join(', ')} is on PATH, ` +
        `and the devDependency ${NPM_PACKAGE} is not installed (npm ci installs it)`,
    );
  }
  // The package's exports map hides package.json; its entry is build/index.js beside bin/.
  const root = resolve(dirname(entry), '..');
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return { version, binDir: join(root, 'bin') };
}

/**
 * Unpacks the npm Chromium into `dir`: the binary (chromium.br) and the NSS libraries of the
 * Amazon Linux build it was linked against (al2023.tar.br), so that the browser needs nothing from
 * the system but glibc. Fonts come from the system's fontconfig; SwiftShader (WebGL) is left out,
 * as the front end draws SVG and 2D canvas and the browser runs with --disable-gpu.
 * It unpacks into a private folder and renames it into place, so a run that stops half-way, or
 * two runs at once, never leave a half-written browser behind.
 */
function unpackNpmChromium({ version, binDir }: NpmChromium, dir: string): void {
  mkdirSync(dirname(dir), { recursive: true });
  const staging = `${dir}.unpacking-${process.pid}-${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  try {
    writeFileSync(join(staging, 'chromium'), brotliDecompressSync(readFileSync(join(binDir, 'chromium.br'))), { mode: 0o755 });
    // The archive holds lib/*.so*; the system's tar reads it from standard input.
    execFileSync('tar', ['-x', '-C', staging], { input: brotliDecompressSync(readFileSync(join(binDir, 'al2023.tar.br'))) });
    writeFileSync(join(staging, 'VERSION'), `${NPM_PACKAGE}@${version}\n`);
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another run renamed its copy first: use that one.
      if (!existsSync(join(dir, 'chromium'))) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function npmChromium(processEnv: NodeJS.ProcessEnv): ResolvedChromium {
  const pkg = npmChromiumPackage();
  const dir = join(UNPACK_ROOT, pkg.version);
  if (!isExecutableFile(join(dir, 'chromium'))) unpackNpmChromium(pkg, dir);
  const libDir = join(dir, 'lib');
  const inherited = processEnv.LD_LIBRARY_PATH;
  return {
    executablePath: join(dir, 'chromium'),
    source: `${NPM_PACKAGE}@${pkg.version} (unpacked in ${dir})`,
    env: { LD_LIBRARY_PATH: inherited ? `${libDir}${delimiter}${inherited}` : libDir },
  };
}

/** The Chromium to drive, in the order of the module comment; `env` is the process's by default. */
export function resolveChromium(env: NodeJS.ProcessEnv = process.env): ResolvedChromium {
  const explicit = env.CHROMIUM_PATH;
  if (explicit) {
    if (!isExecutableFile(explicit)) throw new Error(`CHROMIUM_PATH=${explicit} names no executable file`);
    return { executablePath: explicit, source: 'CHROMIUM_PATH', env: {} };
  }
  const system = findOnPath(SYSTEM_CHROMIUM_NAMES, env.PATH ?? '');
  if (system) return { executablePath: system, source: 'PATH', env: {} };
  return npmChromium(env);
}

/** A headless Chromium through playwright-core, with the flags above. */
export async function launchChromium(): Promise<Browser> {
  const { executablePath, env } = resolveChromium();
  return chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS],
    env: { ...process.env, ...env } as Record<string, string>,
  });
}
