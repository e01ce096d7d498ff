/**
 * `npm run neo4j -- start|stop|status|env` — the project-local Neo4j (see local-neo4j.ts).
 *
 *   npm run neo4j -- start [--port N] [--heap 1g] [--pagecache 256m] [--home DIR] [--timeout SECONDS]
 *   npm run neo4j -- stop [--home DIR] [--timeout SECONDS]
 *   npm run neo4j -- status [--home DIR] [--json]
 *   eval "$(npm run -s neo4j -- env)"        # exports NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE
 *
 * Exit codes: 0 ok, 1 failure (one-line reason on stderr; --verbose adds details), 2 usage.
 * `runNeo4jCommand(args)` is exported so the main CLI can offer the same as `oretrace neo4j ...`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { localNeo4jEnv, localNeo4jStatus, parsePort, startLocalNeo4j, stopLocalNeo4j, type LogFn } from './local-neo4j.js';

export interface Neo4jCommandIO {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** Program name used in messages (default `neo4j`; the main CLI may pass `oretrace neo4j`). */
  prog?: string;
}

export const NEO4J_USAGE = `usage: PROG <command> [options]

commands:
  start    start the project-local Neo4j (fetches it from Maven Central on first use)
             --port N          bolt port on 127.0.0.1 (default ORETRACE_NEO4J_PORT or 7687)
             --heap SIZE       max heap, e.g. 1g (default ORETRACE_NEO4J_HEAP or 512m)
             --pagecache SIZE  page cache, e.g. 256m (default ORETRACE_NEO4J_PAGECACHE or 128m)
             --timeout SECONDS how long to wait for RETURN 1 (default 120)
  stop     stop it (SIGTERM, then SIGKILL after --timeout SECONDS, default 60)
  status   say whether it runs (--json for machine-readable output)
  env      print NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD/NEO4J_DATABASE for
             eval "$(npm run -s neo4j -- env)"   (--no-export for plain KEY=value lines)

common options:
  --home DIR   Neo4j home (default .oretrace/neo4j or ORETRACE_NEO4J_HOME;
               the test suite's own server lives in .oretrace/neo4j-test on port 7688)
  --verbose    print error details (e.g. the tail of the console log)
`;

class UsageError extends Error {}

interface ParsedArgs {
  command: string;
  flags: Map<string, string | true>;
}

const FLAGS_WITH_VALUE = new Set(['port', 'heap', 'pagecache', 'home', 'timeout']);
const BOOLEAN_FLAGS = new Set(['json', 'no-export', 'verbose', 'help']);
const ALLOWED: Record<string, string[]> = {
  start: ['port', 'heap', 'pagecache', 'home', 'timeout', 'verbose'],
  stop: ['home', 'timeout', 'verbose'],
  status: ['home', 'json', 'port', 'verbose'],
  env: ['home', 'port', 'no-export', 'verbose'],
};

function parseArgs(args: string[]): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '-h') {
      flags.set('help', true);
    } else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      if (FLAGS_WITH_VALUE.has(name)) {
        const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
        if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
        flags.set(name, value);
      } else if (BOOLEAN_FLAGS.has(name) && eq < 0) {
        flags.set(name, true);
      } else {
        throw new UsageError(`unknown option ${arg}`);
      }
    } else {
      positional.push(arg);
    }
  }
  if (flags.has('help')) return { command: 'help', flags };
  if (positional.length === 0) throw new UsageError('missing command');
  if (positional.length > 1) throw new UsageError(`unexpected argument ${positional[1] ?? ''}`);
  const command = positional[0] ?? '';
  if (command === 'help') return { command, flags };
  const allowed = ALLOWED[command];
  if (!allowed) throw new UsageError(`unknown command ${command}`);
  for (const name of flags.keys()) {
    if (!allowed.includes(name)) throw new UsageError(`${command} does not take --${name}`);
  }
  return { command, flags };
}

function stringFlag(flags: Map<string, string | true>, name: string): string | undefined {
  const value = flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

function secondsFlag(flags: Map<string, string | true>, name: string): number | undefined {
  const raw = stringFlag(flags, name);
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--${name} must be a number of seconds`);
  return Math.round(seconds * 1000);
}

function portFlag(flags: Map<string, string | true>): number | undefined {
  const raw = stringFlag(flags, 'port');
  if (raw === undefined) return undefined;
  try {
    return parsePort(raw, '--port');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Runs one `neo4j` sub-command; resolves to the process exit code (0 ok, 1 failure, 2 usage). */
export async function runNeo4jCommand(args: string[], io: Neo4jCommandIO = {}): Promise<number> {
  const out = io.stdout ?? ((text: string) => void process.stdout.write(text));
  const err = io.stderr ?? ((text: string) => void process.stderr.write(text));
  const prog = io.prog ?? 'neo4j';
  const log: LogFn = (line) => err(`${line}\n`);

  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`${prog}: ${error.message}\n${NEO4J_USAGE.replaceAll('PROG', prog)}`);
    return 2;
  }
  const { command, flags } = parsed;
  if (command === 'help') {
    out(NEO4J_USAGE.replaceAll('PROG', prog));
    return 0;
  }

  try {
    const home = stringFlag(flags, 'home');
    switch (command) {
      case 'start': {
        const result = await startLocalNeo4j({
          home,
          port: portFlag(flags),
          heap: stringFlag(flags, 'heap'),
          pagecache: stringFlag(flags, 'pagecache'),
          timeoutMs: secondsFlag(flags, 'timeout'),
          createClassDataArchive: true,
          log,
        });
        // The library already said "ready on … in N s" / "already running" on stderr.
        out(
          `${result.uri} user ${result.user} password ${result.password || '(none)'} database ${result.database}` +
            ` — eval "$(npm run -s neo4j -- env${home ? ` --home ${home}` : ''})" exports them\n`,
        );
        return 0;
      }
      case 'stop': {
        await stopLocalNeo4j({ home, timeoutMs: secondsFlag(flags, 'timeout'), log });
        return 0;
      }
      case 'status': {
        const status = await localNeo4jStatus({ home, port: portFlag(flags) });
        if (flags.has('json')) {
          out(`${JSON.stringify(status)}\n`);
        } else if (!status.running) {
          out(`Neo4j ${status.version} is not running (home ${status.home})\n`);
        } else {
          out(
            `Neo4j ${status.version} is running (pid ${status.pid}) on ${status.uri}` +
              `${status.ready ? '' : ' but does not answer RETURN 1 (yet)'} (home ${status.home})\n`,
          );
        }
        return 0;
      }
      case 'env': {
        out(localNeo4jEnv({ home, port: portFlag(flags), export: !flags.has('no-export') }));
        return 0;
      }
      default:
        err(`${prog}: unknown command ${command}\n`);
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      err(`${prog}: ${error.message}\n${NEO4J_USAGE.replaceAll('PROG', prog)}`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    const [first = 'failed', ...rest] = message.split('\n');
    err(`${prog} ${command}: ${first}\n`);
    if (flags.has('verbose') && rest.length > 0) err(`${rest.join('\n')}\n`);
    return 1;
  }
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return fs.realpathSync(path.resolve(script)) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  process.exitCode = await runNeo4jCommand(process.argv.slice(2));
}
