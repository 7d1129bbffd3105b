// The API key cache in front of the real SQLite store: a busy gateway's key, and a wrong key sent
// over and over, cost one database read per refresh, not one per request.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiKeyCache, type ApiKeyIdentity } from '../../../src/server/http/api-key-cache.js';
import { API_KEY_PREFIX, hashSecret, newSecret } from '../../../src/server/secrets.js';
import { openStore } from '../../../src/server/store/open-store.js';
import type { ApiKeyRole, Store } from '../../../src/server/store/store.js';
import { tempDir } from '../../support/service-process.js';
import { until } from '../../support/until.js';

let work: Awaited<ReturnType<typeof tempDir>>;
let store: Store;
let reads: number;
let failing: boolean;
let now: number;
let cache: ApiKeyCache;

async function lookup(hash: string): Promise<ApiKeyIdentity | null> {
  reads += 1;
  if (failing) throw new Error('database unavailable');
  const record = await store.findApiKey(hash);
  return record ? { id: record.id, role: record.role } : null;
}

async function createKey(role: ApiKeyRole): Promise<string> {
  const secret = newSecret(API_KEY_PREFIX);
  await store.createApiKey({ id: secret.id, keyHash: secret.hash, role, name: 'test', createdAt: new Date(now), revokedAt: null });
  return secret.secret;
}

beforeEach(async () => {
  work = await tempDir('posture-apikeys-');
  store = await openStore(`sqlite:${join(work.path, 'posture.db')}`);
  await store.migrate();
  reads = 0;
  failing = false;
  now = Date.parse('2030-01-01T00:00:00Z');
  cache = new ApiKeyCache(lookup, { ttlMs: 30_000, retryMs: 5_000, clock: () => now });
});

afterEach(async () => {
  await store.close();
  await work.remove();
});

describe('ApiKeyCache', () => {
  it('looks a key up once, however many requests present it at the same time or later', async () => {
    const key = await createKey('gateway');
    expect(cache.peek(key)).toBeUndefined();
    const answers = await Promise.all(Array.from({ length: 20 }, () => cache.identify(key)));
    expect(new Set(answers.map((answer) => answer?.role))).toEqual(new Set(['gateway']));
    for (let i = 0; i < 1_000; i += 1) expect(cache.peek(key)?.role).toBe('gateway');
    expect(reads).toBe(1);
  });

  it('remembers an unknown key too, then asks again after the time to live', async () => {
    const wrong = `${API_KEY_PREFIX}nothing_here`;
    expect(await cache.identify(wrong)).toBeNull();
    for (let i = 0; i < 1_000; i += 1) expect(cache.peek(wrong)).toBeNull();
    expect(reads).toBe(1);
    now += 30_001;
    expect(cache.peek(wrong)).toBeUndefined();
  });

  it('keeps honouring a known key past its time while it is looked up again, and drops it once revoked', async () => {
    const key = await createKey('gateway');
    await cache.identify(key);
    // Revoked behind the service's back, in the database file itself.
    const db = new Database(join(work.path, 'posture.db'));
    db.prepare('UPDATE api_keys SET revoked_at = ? WHERE key_hash = ?').run(new Date(now).toISOString(), hashSecret(key));
    db.close();
    expect(cache.peek(key)?.role).toBe('gateway');
    now += 30_001;
    expect(cache.peek(key)?.role).toBe('gateway');
    await until('the background lookup', () => cache.peek(key) === undefined || cache.peek(key) === null);
    expect(cache.peek(key)).toBeNull();
    expect(reads).toBe(2);
  });

  it('keeps a known key working while the database is down, and retries only every few seconds', async () => {
    const key = await createKey('gateway');
    await cache.identify(key);
    failing = true;
    now += 30_001;
    expect(cache.peek(key)?.role).toBe('gateway');
    await new Promise((resolve) => setTimeout(resolve, 10));
    for (let i = 0; i < 100; i += 1) expect(cache.peek(key)?.role).toBe('gateway');
    expect(reads).toBe(2);
    now += 5_001;
    expect(cache.peek(key)?.role).toBe('gateway');
    expect(reads).toBe(3);
  });

  it('rejects when a key it does not know cannot be looked up, and remembers nothing', async () => {
    failing = true;
    await expect(cache.identify('pak_x_y')).rejects.toThrow('database unavailable');
    expect(cache.peek('pak_x_y')).toBeUndefined();
  });
});
