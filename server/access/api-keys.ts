/**
 * API keys with roles (reader < editor < admin). The service never stores a key itself: it keeps
 * the SHA-256 of each key — keys are 32 random bytes, so a fast hash is enough, unlike passwords
 * — and compares digests in constant time, looking at every configured key whatever matches, so
 * neither a key's content nor its position can be timed.
 *
 * Configured from a JSON file (API_KEYS_FILE: {"keys": [{"name", "role", "sha256"}]}) and/or the
 * environment (API_KEYS: "name:role:sha256hex,…"). `oretrace keys create` makes a key and its entry.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const ROLES = ['reader', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a route needs. `public`: anyone (health, docs, the web page). */
export type Access = 'public' | 'read' | 'write' | 'admin';

const RANK: Record<Role, number> = { reader: 0, editor: 1, admin: 2 };
const NEEDED: Record<Exclude<Access, 'public'>, Role> = { read: 'reader', write: 'editor', admin: 'admin' };

export function roleAllows(role: Role, access: Exclude<Access, 'public'>): boolean {
  return RANK[role] >= RANK[NEEDED[access]];
}

export function neededRole(access: Exclude<Access, 'public'>): Role {
  return NEEDED[access];
}

export const ApiKeyEntrySchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 letters, digits, dots, dashes or underscores'),
    role: z.enum(ROLES),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the SHA-256 of the key as 64 lower-case hex digits'),
  })
  .strict();
export type ApiKeyEntry = z.infer<typeof ApiKeyEntrySchema>;

const ApiKeysFileSchema = z.object({ keys: z.array(ApiKeyEntrySchema).max(10_000) }).strict();

export class ApiKeyConfigError extends Error {}

/** Prefix that makes oretrace keys recognisable in logs and secret scanners. */
const KEY_PREFIX = 'ort_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random key and the entry to configure for it. */
export function createApiKey(name: string, role: Role): { key: string; entry: ApiKeyEntry } {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const entry = ApiKeyEntrySchema.parse({ name, role, sha256: hashApiKey(key) });
  return { key, entry };
}

/** Parse "name:role:sha256hex,…" (the API_KEYS variable). */
export function parseApiKeysVariable(value: string): ApiKeyEntry[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((item, i) => {
      const [name, role, sha256, ...rest] = item.split(':');
      const parsed = ApiKeyEntrySchema.safeParse({ name, role, sha256 });
      if (rest.length > 0 || !parsed.success) {
        const why = parsed.success ? 'too many ":"' : `${String(parsed.error.issues[0]!.path[0])} ${parsed.error.issues[0]!.message}`;
        throw new ApiKeyConfigError(`API_KEYS entry ${i + 1} is not "name:role:sha256": ${why}`);
      }
      return parsed.data;
    });
}

export function readApiKeysFile(file: string): ApiKeyEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ApiKeyConfigError(`API_KEYS_FILE ${file} cannot be read as JSON: ${(err as Error).message}`);
  }
  const parsed = ApiKeysFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ApiKeyConfigError(`API_KEYS_FILE ${file}: ${issue.path.join('.') || 'file'} ${issue.message}`);
  }
  return parsed.data.keys;
}

export class ApiKeyRing {
  private readonly digests: Buffer[];

  constructor(private readonly entries: readonly ApiKeyEntry[]) {
    const names = new Set<string>();
    for (const e of entries) {
      if (names.has(e.name)) throw new ApiKeyConfigError(`API key name "${e.name}" is configured twice`);
      names.add(e.name);
    }
    this.digests = entries.map((e) => Buffer.from(e.sha256, 'hex'));
  }

  get size(): number {
    return this.entries.length;
  }

  /** Names and roles, never hashes. */
  list(): Array<{ name: string; role: Role }> {
    return this.entries.map((e) => ({ name: e.name, role: e.role }));
  }

  /** The entry whose key this is, or undefined. Constant time in the key and in where it matches. */
  find(presented: string): ApiKeyEntry | undefined {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found = -1;
    for (let i = 0; i < this.digests.length; i++) {
      // Every digest is compared; the match is remembered without branching out early.
      const equal = timingSafeEqual(digest, this.digests[i]!);
      found = equal && found < 0 ? i : found;
    }
    return found >= 0 ? this.entries[found] : undefined;
  }
}
