/**
 * A project-local Neo4j Community server, fetched from Maven Central and run from the project's
 * own directory (no Docker, nothing vendored).
 *
 * Layout (all git-ignored under `.oretrace/`):
 *   .oretrace/neo4j/            the default home (override: option `home` or ORETRACE_NEO4J_HOME)
 *     lib/                      runtime jars gathered by `mvn dependency:copy-dependencies` from
 *                               tools/local-neo4j/pom.xml (override: option `lib` or
 *                               ORETRACE_NEO4J_LIB); `.oretrace-neo4j-version` marks it complete
 *       .cds/neo4j-<version>-java<N>.jsa  class-data-sharing archive, written on the first stop
 *                               of a server started by the CLI; later starts load classes from it
 *                               and need ~40% less CPU (2 busy cores: ~12 s instead of ~22 s);
 *                               ORETRACE_NEO4J_CDS=off disables it
 *     conf/                     neo4j.conf, server-logs.xml, user-logs.xml (rewritten every start)
 *     data/ logs/ plugins/ run/ import/
 *     run/neo4j.pid             pid of the running JVM (also its process group id)
 *     run/oretrace-neo4j.json   connection info of the running server (port, user, ...)
 *     logs/console.log          the JVM's stdout/stderr
 *   .oretrace/neo4j-test/       the test suite's own home (see test/setup/neo4j-global-setup.ts);
 *                               it has no lib/ of its own but uses the main home's lib/, so the
 *                               jars are downloaded once.
 *
 * Environment: ORETRACE_NEO4J_HOME, ORETRACE_NEO4J_LIB, ORETRACE_NEO4J_PORT (default 7687),
 * ORETRACE_NEO4J_HEAP (512m), ORETRACE_NEO4J_PAGECACHE (128m), ORETRACE_NEO4J_JVM_OPTS (extra JVM
 * options, space-separated), ORETRACE_NEO4J_JAVA (java binary; else $JAVA_HOME/bin/java, else
 * java), ORETRACE_MVN (mvn binary), ORETRACE_NEO4J_CDS=off, ORETRACE_NEO4J_DEBUG=1 (log each
 * failed readiness probe).
 *
 * Auth stays on: user neo4j, password `oretrace-local`, set with `neo4j-admin dbms
 * set-initial-password` before the first start (if that tool fails, auth is disabled instead and
 * the password is empty; data/oretrace-auth.json records which).
 *
 * Every export is a plain function: importing this module has no side effects.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import neo4j from 'neo4j-driver';

export const LOCAL_NEO4J_USER = 'neo4j';
/** Fixed password of the project-local server (it listens on 127.0.0.1 only). */
export const LOCAL_NEO4J_PASSWORD = 'oretrace-local';
export const LOCAL_NEO4J_DATABASE = 'neo4j';
export const DEFAULT_NEO4J_PORT = 7687;
/** Used when tools/local-neo4j/pom.xml cannot be read. */
export const FALLBACK_NEO4J_VERSION = '5.26.30';

const DEFAULT_HEAP = '512m';
const DEFAULT_INITIAL_HEAP = '256m';
const DEFAULT_PAGECACHE = '128m';
const VERSION_MARKER = '.oretrace-neo4j-version';
const ENTRY_POINT = 'org.neo4j.server.CommunityEntryPoint';

/** JVM options of the shipped 5.26 neo4j.conf that matter here (the launcher would add them). */
const JVM_OPTIONS = [
  '-XX:+UseG1GC',
  '-XX:-OmitStackTraceInFastThrow',
  '-XX:+UnlockExperimentalVMOptions',
  '-XX:+TrustFinalNonStaticFields',
  '-XX:+DisableExplicitGC',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djdk.nio.maxCachedBufferSize=1024',
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-Dlog4j2.disable.jmx=true',
  '-Dfile.encoding=UTF-8',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
];

export type LogFn = (line: string) => void;

const defaultLog: LogFn = (line) => {
  process.stderr.write(`${line}\n`);
};

export interface LocalNeo4jPathOptions {
  /** Home directory (default `<projectRoot>/.oretrace/neo4j`, or env ORETRACE_NEO4J_HOME). */
  home?: string;
  /** Jar directory (default `<home>/lib`, or env ORETRACE_NEO4J_LIB). */
  lib?: string;
  /** Project root (default: two levels above this file). */
  projectRoot?: string;
}

export interface LocalNeo4jPaths {
  projectRoot: string;
  pom: string;
  home: string;
  lib: string;
  conf: string;
  confFile: string;
  data: string;
  logs: string;
  plugins: string;
  run: string;
  import: string;
  pidFile: string;
  stateFile: string;
  authFile: string;
  consoleLog: string;
}

export interface LocalNeo4jConnection {
  uri: string;
  user: string;
  password: string;
  database: string;
}

export interface StartLocalNeo4jOptions extends LocalNeo4jPathOptions {
  /** Bolt port on 127.0.0.1 (default env ORETRACE_NEO4J_PORT or 7687). */
  port?: number;
  /** Maximum heap, e.g. `512m`, `2g` (default env ORETRACE_NEO4J_HEAP or 512m). */
  heap?: string;
  /** Page cache size (default env ORETRACE_NEO4J_PAGECACHE or 128m). */
  pagecache?: string;
  /** How long to wait for `RETURN 1` to answer (default 120 000 ms). */
  timeoutMs?: number;
  /**
   * When the class-data-sharing archive (`<lib>/.cds/`, shared by all homes using that lib) does
   * not exist yet, have this JVM write it when stopLocalNeo4j stops it. That stop then takes
   * ~10 s longer; every later start loads classes from the archive and needs about a third less
   * CPU. Default false (the CLI's `start` passes true). An existing archive is always used unless
   * ORETRACE_NEO4J_CDS=off.
   */
  createClassDataArchive?: boolean;
  /** Progress lines (default: stderr). */
  log?: LogFn;
}

export interface StartLocalNeo4jResult extends LocalNeo4jConnection {
  pid: number;
  port: number;
  alreadyRunning: boolean;
  /** Milliseconds from spawning the JVM (or finding it) to the first answered `RETURN 1`. */
  startMs: number;
  /** Milliseconds spent fetching jars (0 when they were already there). */
  fetchMs: number;
  version: string;
  home: string;
}

export interface StopLocalNeo4jOptions extends LocalNeo4jPathOptions {
  /** Grace period after SIGTERM before SIGKILL (default 60 000 ms). */
  timeoutMs?: number;
  log?: LogFn;
}

export interface StopLocalNeo4jResult {
  wasRunning: boolean;
  pid: number | null;
  /** True when SIGTERM was not enough. */
  killed: boolean;
  stopMs: number;
}

export interface LocalNeo4jStatus {
  running: boolean;
  /** True when `RETURN 1` answered (only checked when running). */
  ready: boolean;
  pid: number | null;
  port: number;
  uri: string;
  home: string;
  version: string;
}

export interface EnsureNeo4jJarsOptions extends LocalNeo4jPathOptions {
  log?: LogFn;
}

export interface EnsureNeo4jJarsResult {
  lib: string;
  version: string;
  fetched: boolean;
  fetchMs: number;
  jarCount: number;
  bytes: number;
}

interface RunState extends LocalNeo4jConnection {
  pid: number;
  port: number;
  version: string;
  startedAt: string;
  /** Where the JVM writes a class-data archive when it exits, and where stop then moves it. */
  cdsDumpTo?: string;
  cdsArchive?: string;
}

interface AuthState {
  enabled: boolean;
  user: string;
  password: string;
}

// ---------------------------------------------------------------------------------------------
// paths, version, environment

/**
 * Two levels up from tools/local-neo4j/: the repository root, where `.oretrace/` lives (the same
 * root as PROJECT_ROOT in server/seeding/reference-data.ts).
 */
function defaultProjectRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export function localNeo4jPaths(options: LocalNeo4jPathOptions = {}): LocalNeo4jPaths {
  const projectRoot = path.resolve(options.projectRoot ?? defaultProjectRoot());
  const homeSetting = options.home ?? nonEmpty(process.env.ORETRACE_NEO4J_HOME);
  const home = homeSetting ? path.resolve(projectRoot, homeSetting) : path.join(projectRoot, '.oretrace', 'neo4j');
  const libSetting = options.lib ?? nonEmpty(process.env.ORETRACE_NEO4J_LIB);
  const lib = libSetting ? path.resolve(projectRoot, libSetting) : path.join(home, 'lib');
  const conf = path.join(home, 'conf');
  const data = path.join(home, 'data');
  const logs = path.join(home, 'logs');
  const run = path.join(home, 'run');
  return {
    projectRoot,
    pom: path.join(projectRoot, 'tools', 'local-neo4j', 'pom.xml'),
    home,
    lib,
    conf,
    confFile: path.join(conf, 'neo4j.conf'),
    data,
    logs,
    plugins: path.join(home, 'plugins'),
    run,
    import: path.join(home, 'import'),
    pidFile: path.join(run, 'neo4j.pid'),
    stateFile: path.join(run, 'oretrace-neo4j.json'),
    authFile: path.join(data, 'oretrace-auth.json'),
    consoleLog: path.join(logs, 'console.log'),
  };
}

/** The Neo4j version pinned in tools/local-neo4j/pom.xml. */
export function neo4jVersion(options: { projectRoot?: string } = {}): string {
  const pom = localNeo4jPaths({ projectRoot: options.projectRoot, home: '.' }).pom;
  try {
    const match = /<neo4j\.version>\s*([^<\s]+)\s*<\/neo4j\.version>/.exec(fs.readFileSync(pom, 'utf8'));
    if (match?.[1]) return match[1];
  } catch {
    // fall through
  }
  return FALLBACK_NEO4J_VERSION;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

function envPort(): number | undefined {
  const raw = nonEmpty(process.env.ORETRACE_NEO4J_PORT);
  return raw === undefined ? undefined : parsePort(raw, 'ORETRACE_NEO4J_PORT');
}

export function parsePort(raw: string | number, what = 'port'): number {
  const port = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${what} must be an integer between 1 and 65535, got ${JSON.stringify(raw)}`);
  }
  return port;
}

function boltUri(port: number): string {
  return `bolt://127.0.0.1:${port}`;
}

/** Parses `512m`, `2g`, `1024k`, `268435456` into bytes. */
function parseSize(raw: string, what: string): number {
  const match = /^(\d+)\s*([kmg]?)(?:i?b)?$/i.exec(raw.trim());
  if (!match?.[1]) throw new Error(`${what} must look like 512m or 2g, got ${JSON.stringify(raw)}`);
  const unit = (match[2] ?? '').toLowerCase();
  const factor = unit === 'g' ? 1024 ** 3 : unit === 'm' ? 1024 ** 2 : unit === 'k' ? 1024 : 1;
  return Number(match[1]) * factor;
}

/** Normalises a size to the `<n>m`/`<n>g`/`<n>k` form both the JVM and neo4j.conf accept. */
function normaliseSize(raw: string, what: string): string {
  const bytes = parseSize(raw, what);
  if (bytes < 1024 * 1024) throw new Error(`${what} is too small: ${raw}`);
  if (bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3}g`;
  if (bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}m`;
  return `${Math.ceil(bytes / 1024)}k`;
}

// ---------------------------------------------------------------------------------------------
// tools: java and mvn

function javaBinary(): string {
  const explicit = nonEmpty(process.env.ORETRACE_NEO4J_JAVA);
  if (explicit) return explicit;
  const javaHome = nonEmpty(process.env.JAVA_HOME);
  if (javaHome) {
    const candidate = path.join(javaHome, 'bin', 'java');
    if (fs.existsSync(candidate)) return candidate;
  }
  return 'java';
}

export interface JavaInfo {
  binary: string;
  /** Feature release (17, 21, …); NaN when `java -version` could not be parsed. */
  major: number;
}

/** Checks that Java runs and is a version Neo4j 5.26 supports. */
export function checkJava(log: LogFn = defaultLog): JavaInfo {
  const java = javaBinary();
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(
      `Java is needed to run Neo4j but \`${java} -version\` failed` +
        `${result.error ? ` (${result.error.message})` : ''}; install a JDK 17 or 21 ` +
        `(e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME`,
    );
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  const major = match?.[1] === '1' ? Number(match[2]) : Number(match?.[1]);
  if (Number.isFinite(major) && major < 17) {
    throw new Error(`Neo4j 5.26 needs Java 17 or 21, but ${java} is Java ${major}; set JAVA_HOME`);
  }
  if (Number.isFinite(major) && major !== 17 && major !== 21) {
    log(`warning: Neo4j 5.26 supports Java 17 and 21; ${java} is Java ${major}`);
  }
  return { binary: java, major };
}

function checkMaven(): string {
  const mvn = nonEmpty(process.env.ORETRACE_MVN) ?? 'mvn';
  const result = spawnSync(mvn, ['-v'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(
      `Maven is needed to fetch Neo4j from Maven Central but \`${mvn} -v\` failed` +
        `${result.error ? ` (${result.error.message})` : ''}; install it (e.g. apt-get install maven)`,
    );
  }
  return mvn;
}

// ---------------------------------------------------------------------------------------------
// jars

function libIsComplete(lib: string, version: string): boolean {
  try {
    const marker = fs.readFileSync(path.join(lib, VERSION_MARKER), 'utf8').trim();
    return marker === version && fs.existsSync(path.join(lib, `neo4j-${version}.jar`));
  } catch {
    return false;
  }
}

function dirJarStats(dir: string): { jarCount: number; bytes: number } {
  let jarCount = 0;
  let bytes = 0;
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith('.jar')) continue;
    jarCount += 1;
    bytes += fs.statSync(path.join(dir, name)).size;
  }
  return { jarCount, bytes };
}

function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Makes sure `<lib>` holds the runtime jars of the Neo4j version pinned in the pom, fetching them
 * with Maven when missing or incomplete. Jars are copied into a temporary sibling directory that
 * is renamed into place, and a version marker is written last, so an interrupted fetch is simply
 * redone and a complete one is never repeated.
 */
export async function ensureNeo4jJars(opts: EnsureNeo4jJarsOptions = {}): Promise<EnsureNeo4jJarsResult> {
  const log = opts.log ?? defaultLog;
  const paths = localNeo4jPaths(opts);
  const version = neo4jVersion(paths);
  if (libIsComplete(paths.lib, version)) {
    return { lib: paths.lib, version, fetched: false, fetchMs: 0, ...dirJarStats(paths.lib) };
  }
  const mvn = checkMaven();
  checkJava(log);
  if (!fs.existsSync(paths.pom)) throw new Error(`missing ${paths.pom}`);

  const started = Date.now();
  log(`fetching Neo4j ${version} from Maven Central (first time: a few minutes)…`);
  fs.mkdirSync(path.dirname(paths.lib), { recursive: true });
  const partial = `${paths.lib}.partial-${process.pid}`;
  fs.rmSync(partial, { recursive: true, force: true });
  const args = ['-q', '-B', '-f', paths.pom, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${partial}`];
  const heartbeat = setInterval(() => {
    log(`  still fetching Neo4j jars… (${formatSeconds(Date.now() - started)})`);
  }, 30_000);
  heartbeat.unref();
  try {
    const { code, output } = await runCollecting(mvn, args, paths.projectRoot);
    if (code !== 0) {
      const tail = output.trim().split('\n').slice(-15).join('\n');
      throw new Error(`mvn dependency:copy-dependencies failed (exit ${code}):\n${tail}`);
    }
    if (!fs.existsSync(path.join(partial, `neo4j-${version}.jar`))) {
      throw new Error(`mvn finished but neo4j-${version}.jar is not in ${partial}`);
    }
    fs.writeFileSync(path.join(partial, VERSION_MARKER), `${version}\n`);
    if (libIsComplete(paths.lib, version)) {
      // Someone else finished first.
      fs.rmSync(partial, { recursive: true, force: true });
    } else {
      fs.rmSync(paths.lib, { recursive: true, force: true });
      fs.renameSync(partial, paths.lib);
    }
  } catch (error) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
  const fetchMs = Date.now() - started;
  const stats = dirJarStats(paths.lib);
  log(`fetched Neo4j ${version}: ${stats.jarCount} jars, ${formatMb(stats.bytes)} in ${formatSeconds(fetchMs)} → ${paths.lib}`);
  return { lib: paths.lib, version, fetched: true, fetchMs, ...stats };
}

function runCollecting(cmd: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

// ---------------------------------------------------------------------------------------------
// configuration

function neo4jConf(
  paths: LocalNeo4jPaths,
  port: number,
  heap: string,
  initialHeap: string,
  pagecache: string,
  authEnabled: boolean,
): string {
  return [
    '# Written by tools/local-neo4j/local-neo4j.ts on every start: edits here are overwritten.',
    '# Neo4j 5.26 keys only (unknown keys abort start-up).',
    'server.default_listen_address=127.0.0.1',
    'server.default_advertised_address=127.0.0.1',
    'server.bolt.enabled=true',
    `server.bolt.listen_address=127.0.0.1:${port}`,
    `server.bolt.advertised_address=127.0.0.1:${port}`,
    'server.http.enabled=false',
    'server.https.enabled=false',
    '',
    `dbms.security.auth_enabled=${authEnabled}`,
    'dbms.usage_report.enabled=false',
    'client.allow_telemetry=false',
    '',
    `server.memory.heap.initial_size=${initialHeap}`,
    `server.memory.heap.max_size=${heap}`,
    `server.memory.pagecache.size=${pagecache}`,
    '',
    '# Netty waits a 5 s quiet period per bolt connector on shutdown (10 s per stop); skip it.',
    'internal.dbms.bolt.netty_server_shutdown_quiet_period=0',
    'internal.dbms.bolt.netty_server_shutdown_timeout=2',
    '',
    'db.tx_log.preallocate=false',
    'db.tx_log.rotation.retention_policy=keep_none',
    '',
    `server.directories.data=${paths.data}`,
    `server.directories.logs=${paths.logs}`,
    `server.directories.plugins=${paths.plugins}`,
    `server.directories.run=${paths.run}`,
    `server.directories.import=${paths.import}`,
    `server.directories.lib=${paths.lib}`,
    '',
  ].join('\n');
}

/** A log file that rolls over at 20 MB, keeping three old ones (log4j, as Neo4j's own config has it). */
function rollingLogAppender(name: string, file: string, pattern: string): string {
  return `    <RollingRandomAccessFile name="${name}" fileName="\${config:server.directories.logs}/${file}"
                             filePattern="$\${config:server.directories.logs}/${file}.%02i">
      <PatternLayout pattern="${pattern}"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy fileIndex="min" max="3"/>
    </RollingRandomAccessFile>`;
}

const LOG_LINE = '%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p';

const SERVER_LOGS_XML = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by tools/local-neo4j/local-neo4j.ts. Server logs: debug.log, query.log, security.log. -->
<Configuration status="ERROR" monitorInterval="30" packages="org.neo4j.logging.log4j">
  <Appenders>
${rollingLogAppender('DebugLog', 'debug.log', `${LOG_LINE} [%c{1.}] %m%n`)}
${rollingLogAppender('QueryLog', 'query.log', `${LOG_LINE} %m%n`)}
${rollingLogAppender('SecurityLog', 'security.log', `${LOG_LINE} %m%n`)}
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="DebugLog"/></Root>
    <Logger name="QueryLogger" level="INFO" additivity="false"><AppenderRef ref="QueryLog"/></Logger>
    <Logger name="SecurityLogger" level="INFO" additivity="false"><AppenderRef ref="SecurityLog"/></Logger>
  </Loggers>
</Configuration>
`;

const USER_LOGS_XML = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by tools/local-neo4j/local-neo4j.ts. User log: neo4j.log, and stdout in console mode
     (stdout goes to logs/console.log). -->
<Configuration status="ERROR" monitorInterval="30" packages="org.neo4j.logging.log4j">
  <Appenders>
${rollingLogAppender('Neo4jLog', 'neo4j.log', `${LOG_LINE} %m%n`)}
    <Console name="ConsoleAppender" target="SYSTEM_OUT">
      <PatternLayout pattern="${LOG_LINE} %m%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="INFO">
      <AppenderRef ref="Neo4jLog"/>
      <AppenderRef ref="ConsoleAppender"/>
    </Root>
  </Loggers>
</Configuration>
`;

function writeIfChanged(file: string, content: string): void {
  try {
    if (fs.readFileSync(file, 'utf8') === content) return;
  } catch {
    // missing: write it
  }
  fs.writeFileSync(file, content);
}

function readAuth(paths: LocalNeo4jPaths): AuthState | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(paths.authFile, 'utf8')) as Partial<AuthState>;
    if (typeof parsed.enabled === 'boolean' && typeof parsed.user === 'string' && typeof parsed.password === 'string') {
      return { enabled: parsed.enabled, user: parsed.user, password: parsed.password };
    }
  } catch {
    // none yet
  }
  return null;
}

function defaultAuth(): AuthState {
  return { enabled: true, user: LOCAL_NEO4J_USER, password: LOCAL_NEO4J_PASSWORD };
}

/**
 * Before the very first start (no system database yet) sets the initial password with
 * `neo4j-admin dbms set-initial-password`; if that tool fails, falls back to auth disabled.
 * The outcome is recorded in data/oretrace-auth.json so later starts and `env` agree.
 */
function ensureAuth(paths: LocalNeo4jPaths, java: string, log: LogFn): AuthState {
  const recorded = readAuth(paths);
  if (recorded) return recorded;
  const systemDb = path.join(paths.data, 'databases', 'system');
  let auth: AuthState = defaultAuth();
  if (!fs.existsSync(systemDb)) {
    const result = spawnSync(
      java,
      ['-cp', path.join(paths.lib, '*'), 'org.neo4j.cli.AdminTool', 'dbms', 'set-initial-password', LOCAL_NEO4J_PASSWORD],
      {
        cwd: paths.home,
        encoding: 'utf8',
        env: { ...process.env, NEO4J_HOME: paths.home, NEO4J_CONF: paths.conf },
        timeout: 120_000,
      },
    );
    if (result.status !== 0) {
      const why = `${result.error?.message ?? ''}${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-5).join('\n');
      log(`warning: neo4j-admin set-initial-password failed; running with auth disabled:\n${why}`);
      auth = { enabled: false, user: LOCAL_NEO4J_USER, password: '' };
    }
  }
  fs.writeFileSync(paths.authFile, `${JSON.stringify(auth, null, 2)}\n`);
  return auth;
}

// ---------------------------------------------------------------------------------------------
// processes

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
  } catch {
    // no /proc (not Linux) or the process just went: rely on kill(0)
  }
  return true;
}

/** True when `pid` is a live Neo4j JVM started for this home (guards against pid reuse). */
function isOurNeo4j(pid: number, home: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.includes(ENTRY_POINT) && cmdline.includes(`--home-dir=${home}`);
  } catch {
    return process.platform !== 'linux';
  }
}

function readPid(paths: LocalNeo4jPaths): number | null {
  try {
    const pid = Number(fs.readFileSync(paths.pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function readState(paths: LocalNeo4jPaths): RunState | null {
  try {
    return JSON.parse(fs.readFileSync(paths.stateFile, 'utf8')) as RunState;
  } catch {
    return null;
  }
}

function removeRunFiles(paths: LocalNeo4jPaths): void {
  fs.rmSync(paths.pidFile, { force: true });
  fs.rmSync(paths.stateFile, { force: true });
}

/** The pid of this home's running server, or null (stale run files are removed). */
function runningPid(paths: LocalNeo4jPaths): number | null {
  const pid = readPid(paths);
  if (pid === null) return null;
  if (isOurNeo4j(pid, paths.home)) return pid;
  removeRunFiles(paths);
  return null;
}

function portAnswers(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function tailOf(file: string, fromByte: number, lines = 25): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const start = Math.max(fromByte, size - 64 * 1024);
      const buffer = Buffer.alloc(Math.max(0, size - start));
      fs.readSync(fd, buffer, 0, buffer.length, start);
      return buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '(no console log)';
  }
}

type Probe = { ok: true } | { ok: false; fatal: boolean; message: string };

async function probe(connection: LocalNeo4jConnection): Promise<Probe> {
  const driver = neo4j.driver(connection.uri, neo4j.auth.basic(connection.user, connection.password), {
    connectionTimeout: 3000,
    connectionAcquisitionTimeout: 5000,
    maxConnectionPoolSize: 1,
  });
  try {
    const session = driver.session({ database: connection.database });
    try {
      // session.run is not retried by the driver, unlike executeQuery: the caller polls.
      await session.run('RETURN 1 AS one');
      return { ok: true };
    } finally {
      await session.close();
    }
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    const raw = (error as Error).message;
    // The driver's connection errors carry a long generic hint; keep only the cause.
    const cause = /Caused by: (.*)$/s.exec(raw)?.[1] ?? raw;
    const message = `${code ? `${code}: ` : ''}${cause.split('\n')[0] ?? cause}`;
    const fatal = code.startsWith('Neo.ClientError.Security.');
    return { ok: false, fatal, message };
  } finally {
    await driver.close();
  }
}

interface WaitOptions {
  log?: LogFn;
  connection: LocalNeo4jConnection;
  timeoutMs: number;
  /** Returns a reason when the server can no longer come up (e.g. the JVM exited). */
  gone: () => string | null;
}

async function waitUntilReady({ connection, timeoutMs, gone, log }: WaitOptions): Promise<void> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  const debug = log && nonEmpty(process.env.ORETRACE_NEO4J_DEBUG) ? log : undefined;
  let last = 'no answer yet';
  for (;;) {
    const reason = gone();
    if (reason) throw new Error(reason);
    const probeStarted = Date.now();
    const result = await probe(connection);
    if (result.ok) return;
    last = result.message;
    debug?.(`  [${formatSeconds(probeStarted - started)} +${Date.now() - probeStarted} ms] not ready: ${last.slice(0, 100)}`);
    if (result.fatal) throw new Error(`Neo4j on ${connection.uri} refused the login of ${connection.user}: ${last}`);
    if (Date.now() >= deadline) {
      throw new Error(`Neo4j on ${connection.uri} did not answer RETURN 1 within ${formatSeconds(timeoutMs)} (last: ${last})`);
    }
    await sleep(250);
  }
}

async function terminateGroup(pid: number, timeoutMs: number): Promise<{ killed: boolean }> {
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  const waitGone = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!isAlive(pid)) return true;
      await sleep(200);
    }
    return !isAlive(pid);
  };
  signal('SIGTERM');
  let killed = false;
  if (!(await waitGone(timeoutMs))) {
    killed = true;
    signal('SIGKILL');
    await waitGone(10_000);
  }
  // Anything else left in the group (there should be nothing): kill it too.
  try {
    process.kill(-pid, 0);
    process.kill(-pid, 'SIGKILL');
  } catch {
    // group is empty
  }
  return { killed };
}

// ---------------------------------------------------------------------------------------------
// class-data sharing (AppCDS): a dynamic archive of the loaded classes cuts start-up CPU by ~1/3

interface ClassDataArchive {
  jvmOptions: string[];
  archive: string;
  dumpTo: string | null;
}

function classDataArchiveOptions(paths: LocalNeo4jPaths, version: string, java: JavaInfo, create: boolean): ClassDataArchive {
  const dir = path.join(paths.lib, '.cds');
  const archive = path.join(dir, `neo4j-${version}-java${Number.isFinite(java.major) ? java.major : 'x'}.jsa`);
  if (nonEmpty(process.env.ORETRACE_NEO4J_CDS) === 'off') return { jvmOptions: [], archive, dumpTo: null };
  if (fs.existsSync(archive)) {
    // -Xshare:auto (the default): a stale or mismatched archive is ignored, not fatal.
    return { jvmOptions: [`-XX:SharedArchiveFile=${archive}`], archive, dumpTo: null };
  }
  if (!create) return { jvmOptions: [], archive, dumpTo: null };
  fs.mkdirSync(dir, { recursive: true });
  const dumpTo = `${archive}.partial-${process.pid}-${Date.now()}`;
  // -Xlog:cds=off: the dump would log thousands of "Skipping …" warnings into console.log.
  return { jvmOptions: [`-XX:ArchiveClassesAtExit=${dumpTo}`, '-Xlog:cds=off'], archive, dumpTo };
}

function finishClassDataArchive(dumpTo: string, archive: string | undefined, exitedCleanly: boolean, log: LogFn): void {
  try {
    if (exitedCleanly && archive && fs.existsSync(dumpTo) && fs.statSync(dumpTo).size > 0 && !fs.existsSync(archive)) {
      fs.renameSync(dumpTo, archive);
      log(`saved class-data archive ${archive} (${formatMb(fs.statSync(archive).size)}): later starts are faster`);
    }
  } finally {
    fs.rmSync(dumpTo, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// public operations

/**
 * Starts the project-local Neo4j (fetching its jars first if needed) and waits until `RETURN 1`
 * answers on database `neo4j`. When this home's server already runs and answers, returns its
 * connection info with `alreadyRunning: true` instead.
 *
 * The steps, in order: attach to this home's running server if there is one; else settle the
 * memory sizes, check Java, fetch the jars, check the port is free, prepare the home (directories,
 * config, initial password), spawn the JVM and record it, wait for `RETURN 1`.
 */
export async function startLocalNeo4j(opts: StartLocalNeo4jOptions = {}): Promise<StartLocalNeo4jResult> {
  const log = opts.log ?? defaultLog;
  const paths = localNeo4jPaths(opts);
  const version = neo4jVersion(paths);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const port = opts.port !== undefined ? parsePort(opts.port) : (envPort() ?? DEFAULT_NEO4J_PORT);

  const existing = runningPid(paths);
  if (existing !== null) return attachToRunning({ paths, pid: existing, requestedPort: port, version, timeoutMs, log });

  const memory = memorySettings(opts);
  const java = checkJava(log);
  const jars = await ensureNeo4jJars({ ...opts, log });
  await checkPortFree(port, paths);
  const connection = prepareHome(paths, port, memory, java.binary, log);
  const createClassDataArchive = opts.createClassDataArchive ?? false;
  const jvm = await spawnNeo4j({ paths, version, connection, memory, java, createClassDataArchive, log });
  writeRunFiles(paths, jvm, connection, port, version);
  await waitForStart(paths, jvm, connection, timeoutMs, log);

  const startMs = Date.now() - jvm.started;
  log(`Neo4j ${version} ready on ${connection.uri} in ${formatSeconds(startMs)} (pid ${jvm.pid})`);
  return { ...connection, pid: jvm.pid, port, alreadyRunning: false, startMs, fetchMs: jars.fetchMs, version, home: paths.home };
}

interface AttachOptions {
  paths: LocalNeo4jPaths;
  pid: number;
  requestedPort: number;
  version: string;
  timeoutMs: number;
  log: LogFn;
}

/** This home's server already runs: wait until it answers and return its connection (from its run state). */
async function attachToRunning({ paths, pid, requestedPort, version, timeoutMs, log }: AttachOptions): Promise<StartLocalNeo4jResult> {
  const state = readState(paths);
  const auth = readAuth(paths) ?? defaultAuth();
  const port = state?.port ?? requestedPort;
  const connection: LocalNeo4jConnection = {
    uri: boltUri(port),
    user: state?.user ?? auth.user,
    password: state?.password ?? auth.password,
    database: LOCAL_NEO4J_DATABASE,
  };
  const started = Date.now();
  await waitUntilReady({
    connection,
    timeoutMs,
    gone: () => (isAlive(pid) ? null : `the running Neo4j (pid ${pid}) exited`),
  });
  if (port !== requestedPort) {
    log(`note: Neo4j for ${paths.home} already runs on port ${port} (not ${requestedPort}); stop it to change the port`);
  }
  log(`Neo4j already running (pid ${pid}) on ${connection.uri}`);
  return {
    ...connection,
    pid,
    port,
    alreadyRunning: true,
    startMs: Date.now() - started,
    fetchMs: 0,
    version: state?.version ?? version,
    home: paths.home,
  };
}

interface MemorySettings {
  heap: string;
  initialHeap: string;
  pagecache: string;
}

/** Heap and page cache from the options, else the environment, else the defaults; the initial heap never above the maximum. */
function memorySettings(opts: StartLocalNeo4jOptions): MemorySettings {
  const heap = normaliseSize(opts.heap ?? nonEmpty(process.env.ORETRACE_NEO4J_HEAP) ?? DEFAULT_HEAP, 'heap');
  const pagecache = normaliseSize(opts.pagecache ?? nonEmpty(process.env.ORETRACE_NEO4J_PAGECACHE) ?? DEFAULT_PAGECACHE, 'pagecache');
  const initialHeap = parseSize(heap, 'heap') < parseSize(DEFAULT_INITIAL_HEAP, 'heap') ? heap : DEFAULT_INITIAL_HEAP;
  return { heap, initialHeap, pagecache };
}

async function checkPortFree(port: number, paths: LocalNeo4jPaths): Promise<void> {
  if (await portAnswers(port)) {
    throw new Error(
      `port ${port} on 127.0.0.1 is already in use by another process (not the Neo4j of ${paths.home}); ` +
        'pick another with --port or ORETRACE_NEO4J_PORT',
    );
  }
}

/** The home's directories and config files, and its initial password; returns how to connect. */
function prepareHome(paths: LocalNeo4jPaths, port: number, memory: MemorySettings, java: string, log: LogFn): LocalNeo4jConnection {
  const { heap, initialHeap, pagecache } = memory;
  for (const dir of [paths.conf, paths.data, paths.logs, paths.plugins, paths.run, paths.import]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  writeIfChanged(path.join(paths.conf, 'server-logs.xml'), SERVER_LOGS_XML);
  writeIfChanged(path.join(paths.conf, 'user-logs.xml'), USER_LOGS_XML);
  // Written before set-initial-password, which reads it (data directory).
  writeIfChanged(paths.confFile, neo4jConf(paths, port, heap, initialHeap, pagecache, true));
  const auth = ensureAuth(paths, java, log);
  writeIfChanged(paths.confFile, neo4jConf(paths, port, heap, initialHeap, pagecache, auth.enabled));
  return { uri: boltUri(port), user: auth.user, password: auth.password, database: LOCAL_NEO4J_DATABASE };
}

interface SpawnOptions {
  paths: LocalNeo4jPaths;
  version: string;
  connection: LocalNeo4jConnection;
  memory: MemorySettings;
  java: JavaInfo;
  createClassDataArchive: boolean;
  log: LogFn;
}

interface SpawnedNeo4j {
  pid: number;
  /** Date.now() just before the spawn. */
  started: number;
  /** Size of console.log before this start: its tail from here is this start's output. */
  logStart: number;
  cds: ClassDataArchive;
  /** How the JVM exited ("exit code 1", "signal SIGKILL"), or null while it runs. */
  exited: () => string | null;
}

/** The JVM's command line: class-data sharing first, then memory, the fixed and the extra options, the entry point. */
function jvmArguments(paths: LocalNeo4jPaths, memory: MemorySettings, cds: ClassDataArchive): string[] {
  return [
    ...cds.jvmOptions,
    `-Xms${memory.initialHeap}`,
    `-Xmx${memory.heap}`,
    ...JVM_OPTIONS,
    ...(nonEmpty(process.env.ORETRACE_NEO4J_JVM_OPTS)?.split(/\s+/) ?? []),
    '-cp',
    path.join(paths.lib, '*'),
    ENTRY_POINT,
    `--home-dir=${paths.home}`,
    `--config-dir=${paths.conf}`,
    '--console-mode',
  ];
}

/** Spawns the JVM detached (its own process group), its output appended to console.log. */
async function spawnNeo4j({ paths, version, connection, memory, java, createClassDataArchive, log }: SpawnOptions): Promise<SpawnedNeo4j> {
  const logStart = fs.existsSync(paths.consoleLog) ? fs.statSync(paths.consoleLog).size : 0;
  const out = fs.openSync(paths.consoleLog, 'a');
  fs.writeSync(out, `\n=== oretrace: starting Neo4j ${version} on ${connection.uri} at ${new Date().toISOString()} ===\n`);
  const cds = classDataArchiveOptions(paths, version, java, createClassDataArchive);
  const args = jvmArguments(paths, memory, cds);
  const started = Date.now();
  log(`starting Neo4j ${version} on ${connection.uri} (heap ${memory.heap}, page cache ${memory.pagecache}, home ${paths.home})…`);
  const child = spawn(java.binary, args, {
    cwd: paths.home,
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, NEO4J_HOME: paths.home, NEO4J_CONF: paths.conf },
  });
  fs.closeSync(out);
  let exited: string | null = null;
  child.once('exit', (code, sig) => {
    exited = sig ? `signal ${sig}` : `exit code ${code}`;
  });
  let spawnError: Error | null = null;
  child.once('error', (error) => {
    spawnError = error;
  });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) {
    await sleep(50);
    throw new Error(`could not start ${java.binary}: ${(spawnError as Error | null)?.message ?? 'unknown error'}`);
  }
  return { pid, started, logStart, cds, exited: () => exited };
}

/** run/neo4j.pid and run/oretrace-neo4j.json, which stop, status and a later start read. */
function writeRunFiles(paths: LocalNeo4jPaths, jvm: SpawnedNeo4j, connection: LocalNeo4jConnection, port: number, version: string): void {
  fs.writeFileSync(paths.pidFile, `${jvm.pid}\n`);
  const state: RunState = {
    ...connection,
    pid: jvm.pid,
    port,
    version,
    startedAt: new Date().toISOString(),
    ...(jvm.cds.dumpTo ? { cdsDumpTo: jvm.cds.dumpTo, cdsArchive: jvm.cds.archive } : {}),
  };
  fs.writeFileSync(paths.stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

/** Waits for `RETURN 1`; when the start fails, stops the JVM, removes its run files and throws a reason naming the log. */
async function waitForStart(
  paths: LocalNeo4jPaths,
  jvm: SpawnedNeo4j,
  connection: LocalNeo4jConnection,
  timeoutMs: number,
  log: LogFn,
): Promise<void> {
  const { pid, logStart, cds } = jvm;
  try {
    await waitUntilReady({
      log,
      connection,
      timeoutMs,
      gone: () => {
        const exited = jvm.exited();
        return exited || !isAlive(pid)
          ? `Neo4j exited during start-up (${exited ?? 'gone'}); see ${paths.consoleLog}\n` +
              `${paths.consoleLog} ends with:\n${tailOf(paths.consoleLog, logStart)}`
          : null;
      },
    });
  } catch (error) {
    if (isAlive(pid)) await terminateGroup(pid, 15_000);
    removeRunFiles(paths);
    if (cds.dumpTo) fs.rmSync(cds.dumpTo, { force: true });
    // First line: a self-contained reason naming the log; then the log's tail for CI output.
    const [first = 'Neo4j did not start', ...rest] = (error as Error).message.split('\n');
    const detail = rest.length > 0 ? rest.join('\n') : `${paths.consoleLog} ends with:\n${tailOf(paths.consoleLog, logStart)}`;
    throw new Error(`${first}${first.includes(paths.consoleLog) ? '' : `; see ${paths.consoleLog}`}\n${detail}`);
  }
}

/** Stops this home's server: SIGTERM to its process group, SIGKILL after the grace period. */
export async function stopLocalNeo4j(opts: StopLocalNeo4jOptions = {}): Promise<StopLocalNeo4jResult> {
  const log = opts.log ?? defaultLog;
  const paths = localNeo4jPaths(opts);
  const pid = runningPid(paths);
  if (pid === null) {
    log(`Neo4j is not running (home ${paths.home})`);
    return { wasRunning: false, pid: null, killed: false, stopMs: 0 };
  }
  const state = readState(paths);
  const started = Date.now();
  const dumping = Boolean(state?.cdsDumpTo && state.cdsArchive && !fs.existsSync(state.cdsArchive));
  const dumpNote = dumping ? ' (this first stop also writes a class-data archive for faster starts: ~10 s more)' : '';
  log(`stopping Neo4j (pid ${pid})…${dumpNote}`);
  const { killed } = await terminateGroup(pid, opts.timeoutMs ?? 60_000);
  removeRunFiles(paths);
  if (state?.cdsDumpTo) finishClassDataArchive(state.cdsDumpTo, state.cdsArchive, !killed, log);
  const stopMs = Date.now() - started;
  log(`Neo4j stopped${killed ? ' (killed after the grace period)' : ''} in ${formatSeconds(stopMs)}`);
  return { wasRunning: true, pid, killed, stopMs };
}

/** Whether this home's server runs, and (if so) whether it answers `RETURN 1`. */
export async function localNeo4jStatus(opts: LocalNeo4jPathOptions & { port?: number } = {}): Promise<LocalNeo4jStatus> {
  const paths = localNeo4jPaths(opts);
  const version = neo4jVersion(paths);
  const pid = runningPid(paths);
  const state = pid !== null ? readState(paths) : null;
  const port = state?.port ?? (opts.port !== undefined ? parsePort(opts.port) : (envPort() ?? DEFAULT_NEO4J_PORT));
  const uri = boltUri(port);
  let ready = false;
  if (pid !== null) {
    const auth = readAuth(paths) ?? defaultAuth();
    const result = await probe({
      uri,
      user: state?.user ?? auth.user,
      password: state?.password ?? auth.password,
      database: LOCAL_NEO4J_DATABASE,
    });
    ready = result.ok;
  }
  return { running: pid !== null, ready, pid, port, uri, home: paths.home, version: state?.version ?? version };
}

/** The connection info of this home's server (running or, if not, the one `start` would use). */
export function localNeo4jConnection(opts: LocalNeo4jPathOptions & { port?: number } = {}): LocalNeo4jConnection & { port: number } {
  const paths = localNeo4jPaths(opts);
  const state = runningPid(paths) !== null ? readState(paths) : null;
  const auth = readAuth(paths) ?? defaultAuth();
  const port = state?.port ?? (opts.port !== undefined ? parsePort(opts.port) : (envPort() ?? DEFAULT_NEO4J_PORT));
  return {
    uri: boltUri(port),
    user: state?.user ?? auth.user,
    password: state?.password ?? auth.password,
    database: LOCAL_NEO4J_DATABASE,
    port,
  };
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]*$/.test(value) && value !== '' ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * `NEO4J_URI=…`, `NEO4J_USER=…`, `NEO4J_PASSWORD=…`, `NEO4J_DATABASE=neo4j`, one per line
 * (trailing newline), values shell-quoted where needed. With `export: true` each line starts with
 * `export ` so that `eval` passes them on to child processes.
 */
export function localNeo4jEnv(opts: LocalNeo4jPathOptions & { port?: number; export?: boolean } = {}): string {
  const connection = localNeo4jConnection(opts);
  const prefix = opts.export ? 'export ' : '';
  return [
    ['NEO4J_URI', connection.uri],
    ['NEO4J_USER', connection.user],
    ['NEO4J_PASSWORD', connection.password],
    ['NEO4J_DATABASE', connection.database],
  ]
    .map(([key, value]) => `${prefix}${key}=${shellQuote(value ?? '')}`)
    .join('\n')
    .concat('\n');
}
