// Health on real databases whose storage refuses writes: a SQLite file that is full (its connection's
// max_page_count at the file's size, as a full disk would) or read-only (query_only), and a
// PostgreSQL server that turned read-only (default_transaction_read_only, as a standby is) or is
// down. /healthz stays 200 (liveness) and says `degraded` with what is wrong, writes answer 503 ERR_DATABASE_UNAVAILABLE (never
// 500), and both recover once a write succeeds, without a restart.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseServeConfig } from '../../src/server/config.js';
import { startService, type RunningService } from '../../src/server/start-service.js';
import { SqliteStore } from '../../src/server/store/sqlite-store.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { until } from '../support/until.js';

const UNAVAILABLE = { error: { code: 'ERR_DATABASE_UNAVAILABLE', message: 'The database is unavailable; try again later.' } };
/** Enough rows to fill any page: the loops that fill the database stop long before. */
const MAX_FILLING_WRITES = 2_000;
const NO_PAGE_LIMIT = 1_000_000;

const removals: string[] = [];
afterAll(async () => {
  await Promise.all(removals.map((path) => rm(path, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'posture-health-'));
  removals.push(path);
  return path;
}

async function get(base: string, path: string): Promise<{ status: number; body: unknown; cacheControl: string | null }> {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, body: await response.json(), cacheControl: response.headers.get('cache-control') };
}

async function challenge(base: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}/v1/challenge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ deviceId: 'health-probe' }) });
  return { status: response.status, body: await response.json() };
}

/** Challenges (each one stores a nonce) until one is refused; returns the refusal. */
async function challengeUntilRefused(base: string): Promise<{ status: number; body: unknown }> {
  for (let attempt = 0; attempt < MAX_FILLING_WRITES; attempt++) {
    const answer = await challenge(base);
    if (answer.status !== 200) return answer;
  }
  throw new Error(`${MAX_FILLING_WRITES} challenges were all stored`);
}

async function startOn(database: string | undefined): Promise<RunningService> {
  const dataDir = await tempDir();
  return startService(parseServeConfig({ dataDir, port: '0', logLevel: 'silent', challengeRateLimit: '0', ...(database ? { database } : {}) }));
}

/** The running service's own SQLite connection: pragmas such as max_page_count hold per connection. */
function connectionOf(running: RunningService): Database.Database {
  expect(running.store).toBeInstanceOf(SqliteStore);
  const db = (running.store as unknown as { db: unknown }).db;
  expect(db).toBeInstanceOf(Database);
  return db as Database.Database;
}

describe('a SQLite store whose file refuses writes', () => {
  let db: Database.Database;
  let store: SqliteStore;

  beforeAll(async () => {
    db = new Database(join(await tempDir(), 'posture.db'));
    store = new SqliteStore(db);
    await store.migrate();
  });

  afterEach(() => {
    db.pragma(`max_page_count = ${NO_PAGE_LIMIT}`);
    db.pragma('query_only = 0');
  });

  afterAll(async () => {
    await store.close();
  });

  const nonce = (index: number) => store.createNonce(`n${String(index).padStart(40, '0')}${Math.random()}`, 'device', new Date(Date.now() + 60_000));

  it('full: writes fail as ERR_DATABASE_UNAVAILABLE, health says not writable with SQLITE_FULL until a write succeeds', async () => {
    expect(await store.health()).toMatchObject({ reachable: true, writable: true });
    expect(await store.health()).not.toHaveProperty('lastWriteError');
    db.pragma('max_page_count = 1');
    let refusal: unknown;
    for (let index = 0; index < MAX_FILLING_WRITES && refusal === undefined; index++) await nonce(index).catch((error: unknown) => (refusal = error));
    expect(refusal).toMatchObject({ code: 'ERR_DATABASE_UNAVAILABLE' });
    const full = await store.health();
    expect(full).toMatchObject({ reachable: true, writable: false, lastWriteError: 'SQLITE_FULL' });

    // Reads and writes that change nothing prove nothing: still not writable.
    expect(await store.listEnrollmentTokens()).toEqual([]);
    expect(await store.consumeNonce('no-such-nonce', 'device', new Date())).toBe(false);
    expect(await store.health()).toMatchObject({ writable: false, lastWriteError: 'SQLITE_FULL' });

    db.pragma(`max_page_count = ${NO_PAGE_LIMIT}`);
    await nonce(-1);
    const recovered = await store.health();
    expect(recovered).toMatchObject({ reachable: true, writable: true });
    expect(recovered).not.toHaveProperty('lastWriteError');
    expect(recovered.at.getTime()).toBeGreaterThanOrEqual(full.at.getTime());
  });

  it('read-only: SQLITE_READONLY, until a write succeeds', async () => {
    db.pragma('query_only = 1');
    await expect(nonce(0)).rejects.toMatchObject({ code: 'ERR_DATABASE_UNAVAILABLE' });
    expect(await store.health()).toMatchObject({ reachable: true, writable: false, lastWriteError: 'SQLITE_READONLY' });
    db.pragma('query_only = 0');
    await nonce(1);
    expect(await store.health()).toMatchObject({ reachable: true, writable: true });
  });
});

describe('/healthz of the service on a SQLite file that fills up', () => {
  let running: RunningService;

  beforeAll(async () => {
    running = await startOn(undefined);
  });

  afterAll(async () => {
    await running.close();
  });

  it('ok; degraded read-only with SQLITE_FULL while writes fail (each a 503, not a 500); 200 again once a write succeeds', async () => {
    expect(await get(running.address, '/healthz')).toEqual({ status: 200, body: { status: 'ok', database: 'ok' }, cacheControl: 'no-store' });

    const db = connectionOf(running);
    db.pragma('max_page_count = 1');
    try {
      expect(await challengeUntilRefused(running.address)).toEqual({ status: 503, body: UNAVAILABLE });
      expect(await get(running.address, '/healthz')).toEqual({
        status: 200, body: { status: 'degraded', database: 'read-only', lastWriteError: 'SQLITE_FULL' }, cacheControl: 'no-store',
      });
    } finally {
      db.pragma(`max_page_count = ${NO_PAGE_LIMIT}`);
    }
    expect((await challenge(running.address)).status).toBe(200);
    expect(await get(running.address, '/healthz')).toMatchObject({ status: 200, body: { status: 'ok', database: 'ok' } });
  });
});

describe('/healthz of the service on PostgreSQL', () => {
  let postgres: TestPostgres;
  let running: RunningService;

  /** As the administrator: server-wide settings, applied to every session by a reload. */
  async function setReadOnly(on: boolean): Promise<void> {
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    try {
      await admin.query('SET default_transaction_read_only = off');
      await admin.query(on ? 'ALTER SYSTEM SET default_transaction_read_only = on' : 'ALTER SYSTEM RESET default_transaction_read_only');
      await admin.query('SELECT pg_reload_conf()');
    } finally {
      await admin.end();
    }
  }

  beforeAll(async () => {
    postgres = await startPostgres();
    running = await startOn(postgres.url);
  }, 120_000);

  afterAll(async () => {
    await running?.close();
    await postgres?.stop();
  });

  it('degraded read-only with SQLSTATE 25006 while the server refuses writes (each a 503, not a 500); 200 once it takes them again', async () => {
    expect(await get(running.address, '/healthz')).toMatchObject({ status: 200, body: { status: 'ok', database: 'ok' } });
    await setReadOnly(true);
    try {
      // A reload reaches the server's sessions within moments, not at once.
      const refused = await until('a refused write', async () => {
        const answer = await challenge(running.address);
        return answer.status === 200 ? null : answer;
      });
      expect(refused).toEqual({ status: 503, body: UNAVAILABLE });
      expect(await get(running.address, '/healthz')).toEqual({
        status: 200, body: { status: 'degraded', database: 'read-only', lastWriteError: '25006' }, cacheControl: 'no-store',
      });
    } finally {
      await setReadOnly(false);
    }
    await until('a stored challenge', async () => (await challenge(running.address)).status === 200);
    expect(await get(running.address, '/healthz')).toMatchObject({ status: 200, body: { status: 'ok', database: 'ok' } });
  }, 60_000);

  it('degraded unavailable while the server is down; ok once it is back', async () => {
    await postgres.halt();
    try {
      expect(await get(running.address, '/healthz')).toEqual({
        status: 200, body: { status: 'degraded', database: 'unavailable' }, cacheControl: 'no-store',
      });
      expect(await challenge(running.address)).toEqual({ status: 503, body: UNAVAILABLE });
    } finally {
      await postgres.restart();
    }
    await until('a healthy database', async () => ((await get(running.address, '/healthz')).body as { database: string }).database === 'ok');
  }, 60_000);
});
