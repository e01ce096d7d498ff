/**
 * API keys and roles, rate limits, CORS and security headers, through the whole app.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ApiKeyRing,
  createApiKey,
  hashApiKey,
  parseApiKeysVariable,
  readApiKeysFile,
  roleAllows,
} from '../../../server/access/api-keys.js';
import { buildApp, type AppOptions } from '../../../server/app.js';
import { assertSafeExposure, ConfigError, isLoopback } from '../../../server/config.js';
import { PROJECT_ROOT } from '../../../server/seeding/reference-data.js';
import { loadApiKeys } from '../../../server/server.js';
import { EmbeddedGraphStore } from '../../../server/stores/embedded-store.js';
import { fixtureNodes, fixtureRelationships } from '../stores/graph-store-contract.js';

const reader = createApiKey('dashboard', 'reader');
const editor = createApiKey('importer', 'editor');
const admin = createApiKey('ops', 'admin');
const ring = new ApiKeyRing([reader.entry, editor.entry, admin.entry]);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function app(options: Partial<AppOptions> = {}): Promise<FastifyInstance> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oretrace-access-'));
  const store = new EmbeddedGraphStore({ dataDir });
  await store.init();
  await store.importGraph({ nodes: fixtureNodes, relationships: fixtureRelationships });
  const built = await buildApp({ store, analysisWorkers: 0, ...options });
  await built.ready();
  cleanups.push(async () => {
    await built.close();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return built;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const company = { name: 'New Co', country: 'JP' };

describe('API keys', () => {
  it('hashes keys, finds them by key, and never by hash', () => {
    expect(reader.key).toMatch(/^ort_[A-Za-z0-9_-]{43}$/);
    expect(reader.entry.sha256).toBe(hashApiKey(reader.key));
    expect(ring.find(editor.key)?.name).toBe('importer');
    expect(ring.find(admin.key)?.role).toBe('admin');
    expect(ring.find(editor.entry.sha256)).toBeUndefined();
    expect(ring.find(`${editor.key}x`)).toBeUndefined();
    expect(ring.find('')).toBeUndefined();
    expect(ring.list()).toEqual([
      { name: 'dashboard', role: 'reader' },
      { name: 'importer', role: 'editor' },
      { name: 'ops', role: 'admin' },
    ]);
    expect(() => new ApiKeyRing([reader.entry, reader.entry])).toThrow(/configured twice/);
  });

  it('orders roles reader < editor < admin', () => {
    expect([
      roleAllows('reader', 'read'),
      roleAllows('reader', 'write'),
      roleAllows('editor', 'write'),
      roleAllows('editor', 'admin'),
      roleAllows('admin', 'admin'),
    ]).toEqual([true, false, true, false, true]);
  });

  it('reads keys from the variable and from a file, naming what is wrong', async () => {
    expect(parseApiKeysVariable(` dashboard:reader:${reader.entry.sha256} ,importer:editor:${editor.entry.sha256}`)).toEqual([
      reader.entry,
      editor.entry,
    ]);
    expect(() => parseApiKeysVariable('x:root:abc')).toThrow(/entry 1 .*role/);
    expect(() => parseApiKeysVariable(`x:reader:${reader.key}`)).toThrow(/sha256/);
    const dir = await mkdtemp(join(tmpdir(), 'oretrace-keys-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'keys.json');
    await writeFile(file, JSON.stringify({ keys: [admin.entry] }));
    expect(readApiKeysFile(file)).toEqual([admin.entry]);
    expect(loadApiKeys({ API_KEYS_FILE: file, API_KEYS: `dashboard:reader:${reader.entry.sha256}` }).list()).toEqual([
      { name: 'ops', role: 'admin' },
      { name: 'dashboard', role: 'reader' },
    ]);
    await writeFile(file, '{"keys": [{"name": "a", "role": "editor"}]}');
    expect(() => loadApiKeys({ API_KEYS_FILE: file, API_KEYS: undefined })).toThrow(ConfigError);
    expect(() => loadApiKeys({ API_KEYS_FILE: join(dir, 'missing.json'), API_KEYS: undefined })).toThrow(/cannot be read/);
  });

  it('refuses to listen beyond loopback without keys', () => {
    expect(['127.0.0.1', '::1', 'localhost', '[::1]', '127.0.0.2'].map(isLoopback)).toEqual([true, true, true, true, true]);
    expect(['0.0.0.0', '::', '192.168.1.5', 'example.com'].map(isLoopback)).toEqual([false, false, false, false]);
    expect(() => assertSafeExposure({ HOST: '0.0.0.0' }, 0)).toThrow(/Refusing to listen on 0\.0\.0\.0 without API keys/);
    expect(() => assertSafeExposure({ HOST: '0.0.0.0' }, 1)).not.toThrow();
    expect(() => assertSafeExposure({ HOST: '127.0.0.1' }, 0)).not.toThrow();
  });
});

describe('starting the service', () => {
  it('refuses, saying why, to listen on all addresses without keys', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'oretrace-exposure-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const run = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'oretrace.js'), 'serve'], {
      encoding: 'utf8',
      env: { ...process.env, HOST: '0.0.0.0', PORT: '0', DATA_DIR: dataDir, NEO4J_URI: '', API_KEYS: '', API_KEYS_FILE: '' },
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Refusing to listen on 0.0.0.0 without API keys');
  }, 60_000);

  it('makes keys from the command line', () => {
    const run = spawnSync(
      process.execPath,
      [join(PROJECT_ROOT, 'bin', 'oretrace.js'), 'keys', 'create', '--name', 'ci-bot', '--role', 'editor', '--json'],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const { key, entry } = JSON.parse(run.stdout);
    expect(entry).toEqual({ name: 'ci-bot', role: 'editor', sha256: hashApiKey(key) });
    const bad = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'oretrace.js'), 'keys', 'create', '--name', 'has space'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--name must be');
  }, 60_000);
});

describe('roles on routes', () => {
  it('lets everything through when no keys are configured', async () => {
    const a = await app();
    expect((await a.inject({ method: 'PUT', url: '/api/v1/companies/newco', payload: company })).statusCode).toBe(201);
    expect((await a.inject({ url: '/api/v1/companies/newco', headers: bearer('whatever') })).statusCode).toBe(200);
  });

  it('keeps reads open and writes for editors', async () => {
    const a = await app({ access: { keys: ring, reads: 'open' } });
    expect((await a.inject({ url: '/api/v1/companies?limit=5' })).statusCode).toBe(200);

    const anonymous = await a.inject({ method: 'PUT', url: '/api/v1/companies/newco', payload: company });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toContain('application/problem+json');
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="oretrace"');
    expect(anonymous.json()).toMatchObject({
      type: 'urn:oretrace:problem:unauthorized',
      errors: [{ path: 'headers.authorization', message: 'is required' }],
    });

    const asReader = await a.inject({ method: 'PUT', url: '/api/v1/companies/newco', payload: company, headers: bearer(reader.key) });
    expect(asReader.statusCode).toBe(403);
    expect(asReader.json().detail).toBe('The key "dashboard" has the reader role; this needs editor');
    expect(
      (await a.inject({ method: 'PUT', url: '/api/v1/companies/newco', payload: company, headers: bearer(editor.key) })).statusCode,
    ).toBe(201);
    expect((await a.inject({ method: 'DELETE', url: '/api/v1/companies/newco', headers: bearer(admin.key) })).statusCode).toBe(204);

    // Imports are writes; impact scenarios are reads sent as POST.
    expect((await a.inject({ method: 'POST', url: '/api/v1/imports/graph', payload: { nodes: [], relationships: [] } })).statusCode).toBe(
      401,
    );
    expect(
      (
        await a.inject({
          method: 'POST',
          url: '/api/v1/imports/cmrt?company=x',
          payload: 'x',
          headers: { 'content-type': 'multipart/form-data; boundary=b' },
        })
      ).statusCode,
    ).toBe(401);
    expect((await a.inject({ method: 'POST', url: '/api/v1/scenarios/impact', payload: { remove: ['S-TIN-1'] } })).statusCode).toBe(200);
  });

  it('rejects a wrong or malformed key even where none is needed', async () => {
    const a = await app({ access: { keys: ring, reads: 'open' } });
    const wrong = await a.inject({ url: '/api/v1/companies', headers: bearer('ort_nope') });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().detail).toBe('Unknown API key');
    expect((await a.inject({ url: '/api/v1/companies', headers: { authorization: reader.key } })).statusCode).toBe(401);
    expect((await a.inject({ url: '/health', headers: bearer('ort_nope') })).statusCode).toBe(401);
  });

  it('keys reads when configured, but never health or docs', async () => {
    const a = await app({ access: { keys: ring, reads: 'keyed' } });
    expect((await a.inject({ url: '/api/v1/companies' })).statusCode).toBe(401);
    expect((await a.inject({ url: '/api/v1/companies', headers: bearer(reader.key) })).statusCode).toBe(200);
    expect((await a.inject({ method: 'POST', url: '/api/v1/scenarios/impact', payload: { remove: ['S-TIN-1'] } })).statusCode).toBe(401);
    expect((await a.inject({ url: '/health' })).statusCode).toBe(200);
    expect((await a.inject({ url: '/docs/json' })).statusCode).toBe(200);
  });

  it('shows the configured keys to admins only, without hashes', async () => {
    const a = await app({ access: { keys: ring, reads: 'open' } });
    expect((await a.inject({ url: '/api/v1/admin/keys', headers: bearer(editor.key) })).statusCode).toBe(403);
    const answer = await a.inject({ url: '/api/v1/admin/keys', headers: bearer(admin.key) });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ keys: ring.list(), readAccess: 'open', you: { name: 'ops', role: 'admin' } });
    expect(answer.body).not.toContain(admin.entry.sha256);
  });
});

describe('rate limits, CORS and headers', () => {
  it('limits requests per key or address with a 429 problem and Retry-After', async () => {
    const a = await app({ access: { keys: ring, reads: 'open' }, safety: { rateLimitPerMinute: 3 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await a.inject({ url: '/api/v1/countries?limit=1' })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await a.inject({ url: '/api/v1/countries?limit=1' });
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().type).toBe('urn:oretrace:problem:too-many-requests');
    // Another key has its own budget; health checks have none.
    expect((await a.inject({ url: '/api/v1/countries?limit=1', headers: bearer(reader.key) })).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await a.inject({ url: '/health' })).statusCode).toBe(200);
  });

  it('answers CORS for configured origins only', async () => {
    const a = await app({ safety: { corsOrigins: ['https://risk.example.com'] } });
    const allowed = await a.inject({ url: '/api/v1/countries?limit=1', headers: { origin: 'https://risk.example.com' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://risk.example.com');
    const other = await a.inject({ url: '/api/v1/countries?limit=1', headers: { origin: 'https://evil.example.net' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const none = await (await app()).inject({ url: '/api/v1/countries?limit=1', headers: { origin: 'https://risk.example.com' } });
    expect(none.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends security headers with a content security policy', async () => {
    const a = await app();
    for (const url of ['/', '/api/v1/countries?limit=1', '/docs/json']) {
      const r = await a.inject({ url });
      expect(r.headers['content-security-policy']).toContain("default-src 'self'");
      expect(r.headers['content-security-policy']).toContain("script-src 'self'");
      expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});
