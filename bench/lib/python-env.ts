/**
 * The Python environment of the networkx baselines: a venv under .oretrace/bench-venv (git-ignored)
 * with the pinned packages of bench/baselines/requirements.txt, created on first use and reused
 * while the requirements file is unchanged.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../server/seeding/reference-data.js';

export const VENV_DIR = join(PROJECT_ROOT, '.oretrace', 'bench-venv');
export const REQUIREMENTS = join(PROJECT_ROOT, 'bench', 'baselines', 'requirements.txt');
const MARKER = join(VENV_DIR, '.oretrace-requirements');

export function venvPython(): string {
  return join(VENV_DIR, 'bin', 'python');
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

/** Make sure the venv exists with exactly the pinned packages; returns its python. */
export function ensureBenchVenv(log: (line: string) => void): string {
  const wanted = readFileSync(REQUIREMENTS, 'utf8');
  if (existsSync(venvPython()) && existsSync(MARKER) && readFileSync(MARKER, 'utf8') === wanted) return venvPython();
  log(`creating the baseline venv in ${VENV_DIR} (python3 -m venv; pip install -r bench/baselines/requirements.txt)`);
  run('python3', ['-m', 'venv', '--clear', VENV_DIR]);
  run(venvPython(), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS]);
  writeFileSync(MARKER, wanted);
  return venvPython();
}
