/**
 * The service as a client sees it: `oretrace serve` started in a child process over its own
 * embedded store, on a free loopback port. The load test and the hostile-input benchmark use it;
 * `root` lets a benchmark start another checkout of the project (an older commit, side by side).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../server/seeding/reference-data.js';

export interface Service {
  child: ChildProcess;
  base: string;
  stop: () => Promise<void>;
}

export interface ServiceOptions {
  dataDir: string;
  env?: Record<string, string>;
  /** The checkout to run (default: this one). */
  root?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Starts the service and resolves once `/ready` answers 200 (at most 180 s). */
export async function startService(options: ServiceOptions): Promise<Service> {
  const root = options.root ?? PROJECT_ROOT;
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'bin', 'oretrace.js'), 'serve'], {
    cwd: root,
    env: {
      ...process.env,
      NEO4J_URI: '',
      DATA_DIR: options.dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '0',
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`${base}/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the service was not ready within 180 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    child,
    base,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}
