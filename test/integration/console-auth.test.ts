// Console sign-in with one-time links, sessions, roles, CSRF, and enrolment-token and API-key
// management, against two real service instances sharing one database (SQLite, then PostgreSQL).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServiceCli } from '../../src/cli/service-program.js';
import { parseServeConfig } from '../../src/server/config.js';
import { API_KEY_PREFIX, newSecret } from '../../src/server/secrets.js';
import { startService, type RunningService } from '../../src/server/start-service.js';
import { CookieJar, errorCode, request } from '../support/console-client.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

interface World {
  a: RunningService;
  b: RunningService;
  database: string;
  dataDir: string;
  clock: { now: Date };
  logs: string[];
  adminKey: string;
}

async function startWorld(database: (dataDir: string) => string): Promise<World> {
  const dataDir = await mkdtemp(join(tmpdir(), 'posture-console-'));
  const logs: string[] = [];
  const logStream = new Writable({ write: (chunk: Buffer, _encoding, done) => (logs.push(chunk.toString()), done()) });
  const clock = { now: new Date('2026-12-01T09:00:00.000Z') };
  const url = database(dataDir);
  const start = () => startService(parseServeConfig({ dataDir, port: '0', database: url, logLevel: 'info' }), { logStream, clock: () => clock.now });
  const a = await start();
  const b = await start();
  const secret = newSecret(API_KEY_PREFIX);
  await a.store.createApiKey({ id: secret.id, keyHash: secret.hash, role: 'admin', name: 'test', createdAt: clock.now, revokedAt: null });
  return { a, b, database: url, dataDir, clock, logs, adminKey: secret.secret };
}

async function cli(world: World, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runServiceCli([...args, '--database', world.database, '--data-dir', world.dataDir], {
    io: { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), color: false },
    facts: { platform: 'linux', env: {}, uid: process.getuid?.(), home: tmpdir(), userName: 'tester' },
    stopSignal: () => new Promise(() => undefined),
    now: () => world.clock.now,
  });
  return { code, stdout, stderr };
}

/** A one-time link for instance A, made with the command line. */
async function link(world: World, ...flags: string[]): Promise<string> {
  const made = await cli(world, 'console-link', '--url', world.a.publicUrl, ...flags);
  expect(made.code).toBe(0);
  expect(made.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/console\/link\/pcl_\S+\n$/);
  return made.stdout.trim();
}

/** Signs in with a fresh link; returns the browser's cookie jar and the session's CSRF token. */
async function signIn(world: World, ...flags: string[]): Promise<{ jar: CookieJar; csrf: string; link: string }> {
  const url = await link(world, ...flags);
  const jar = new CookieJar();
  const used = await request(url, { jar });
  expect(used.status).toBe(303);
  expect(used.headers.get('location')).toBe('/console/');
  const session = await request(`${world.a.publicUrl}/console/session`, { jar });
  expect(session.status).toBe(200);
  return { jar, csrf: (session.json as { csrfToken: string }).csrfToken, link: url };
}

function change(world: World, jar: CookieJar, csrf: string | null, origin: string | null = world.a.publicUrl) {
  const headers: Record<string, string> = {};
  if (csrf !== null) headers['x-csrf-token'] = csrf;
  if (origin !== null) headers['origin'] = origin;
  return { method: 'POST', jar, headers };
}

const DIALECTS = ['sqlite', 'postgres'] as const;

describe.each(DIALECTS)('console sign-in on %s', (dialect) => {
  let postgres: TestPostgres | undefined;
  let world: World;

  beforeAll(async () => {
    if (dialect === 'postgres') postgres = await startPostgres();
    world = await startWorld((dataDir) => (postgres ? postgres.url : `sqlite:${join(dataDir, 'posture.db')}`));
  }, 60_000);

  afterAll(async () => {
    await world?.a.close();
    await world?.b.close();
    await postgres?.stop();
  });

  it('signs in once with a one-time link, also when two instances race for it, and shares the session between instances', async () => {
    const url = await link(world, '--name', 'First Admin');
    const token = url.slice(url.lastIndexOf('/') + 1);
    const jars = [new CookieJar(), new CookieJar()];
    const raced = await Promise.all([
      request(url, { jar: jars[0]! }),
      request(`${world.b.publicUrl}/console/link/${token}`, { jar: jars[1]! }),
    ]);
    expect(raced.map((response) => response.status).sort()).toEqual([303, 403]);
    const winner = raced[0].status === 303 ? jars[0]! : jars[1]!;
    const loser = raced[0].status === 303 ? raced[1] : raced[0];
    expect(loser.headers.get('content-type')).toMatch(/^text\/html/);
    expect(loser.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(loser.text).toContain('ERR_CONSOLE_LINK');
    expect(loser.text).toContain('has been used');
    expect(loser.text).not.toMatch(/at .*\.js:\d+/);

    const cookie = raced.find((response) => response.status === 303)!.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^posture_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800$/);

    for (const instance of [world.a, world.b]) {
      const session = await request(`${instance.publicUrl}/console/session`, { jar: winner });
      expect(session.status).toBe(200);
      expect(session.json).toMatchObject({ name: 'First Admin', email: null, role: 'admin', expiresAt: '2026-12-01T17:00:00.000Z' });
      expect((session.json as { subject: string }).subject).toMatch(/^link:/);
    }

    const again = await request(url, { jar: new CookieJar() });
    expect(again.status).toBe(403);
    expect(again.text).toContain('ERR_CONSOLE_LINK');
  });

  it('honours a link exactly once when 24 browsers open it at once on two instances', async () => {
    const url = await link(world);
    const token = url.slice(url.lastIndexOf('/') + 1);
    const answers = await Promise.all(Array.from({ length: 24 }, (_, index) =>
      request(`${(index % 2 === 0 ? world.a : world.b).publicUrl}/console/link/${token}`)));
    expect(answers.filter((answer) => answer.status === 303)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 403 && answer.text.includes('has been used'))).toHaveLength(23);
  });

  it('refuses an expired or unknown link with a page that says so', async () => {
    const url = await link(world, '--expires', '1m');
    world.clock.now = new Date(world.clock.now.getTime() + 2 * 60_000);
    const expired = await request(url);
    expect(expired.status).toBe(403);
    expect(expired.text).toContain('has expired');
    const unknown = await request(`${world.a.publicUrl}/console/link/pcl_nothing_${'x'.repeat(43)}`);
    expect(unknown.status).toBe(403);
    expect(unknown.text).toContain('is not valid');
    expect(unknown.headers.getSetCookie()).toEqual([]);
  });

  it('answers 401 without a session, and for a forged session cookie', async () => {
    const none = await request(`${world.a.publicUrl}/console/session`);
    expect(none.status).toBe(401);
    expect(errorCode(none)).toBe('ERR_UNAUTHORIZED');
    const forged = new CookieJar();
    forged.cookies.set('posture_session', 'A'.repeat(43));
    expect((await request(`${world.a.publicUrl}/console/session`, { jar: forged })).status).toBe(401);
    const devices = await request(`${world.a.publicUrl}/v1/devices`, { jar: forged });
    expect(devices.status).toBe(401);
    expect(errorCode(devices)).toBe('ERR_UNAUTHORIZED');
  });

  it('lets an admin session change things only with the CSRF token from its own origin', async () => {
    const { jar, csrf } = await signIn(world);
    const tokens = `${world.a.publicUrl}/v1/enrollment-tokens`;
    const refused = [
      await request(tokens, { ...change(world, jar, null), body: {} }),
      await request(tokens, { ...change(world, jar, 'wrong'), body: {} }),
      await request(tokens, { ...change(world, jar, csrf, 'https://evil.example'), body: {} }),
      await request(tokens, { ...change(world, jar, csrf, null), body: {} }),
    ];
    expect(refused.map((response) => [response.status, errorCode(response)])).toEqual(Array(4).fill([403, 'ERR_CSRF']));
    expect((await request(tokens, { jar })).json).toEqual({ enrollmentTokens: [] });

    const created = await request(tokens, { ...change(world, jar, csrf), body: { uses: 3, expires: '2h', note: 'lab' } });
    expect(created.status).toBe(201);
    const { token, enrollmentToken } = created.json as { token: string; enrollmentToken: { id: string } };
    expect(token).toMatch(/^pae_/);
    expect(enrollmentToken).toMatchObject({ usesLeft: 3, note: 'lab', state: 'active', revokedAt: null });
    // The other instance checks the same session and token the same way.
    const listed = await request(`${world.b.publicUrl}/v1/enrollment-tokens`, { jar });
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(token);
    expect(listed.json).toEqual({ enrollmentTokens: [enrollmentToken] });

    const revoke = `${tokens}/${enrollmentToken.id}/revoke`;
    const revoked = await request(revoke, change(world, jar, csrf));
    expect(revoked.status).toBe(200);
    expect(revoked.json).toMatchObject({ enrollmentToken: { id: enrollmentToken.id, state: 'revoked', usesLeft: 0 } });
    expect((await request(revoke, change(world, jar, csrf))).status).toBe(200);
    const unknown = await request(`${tokens}/nothing/revoke`, change(world, jar, csrf));
    expect([unknown.status, errorCode(unknown)]).toEqual([404, 'ERR_CREDENTIAL_UNKNOWN']);
    const enrol = await request(`${world.a.publicUrl}/v1/enroll`, { method: 'POST', body: { token } });
    expect(enrol.status).toBeGreaterThanOrEqual(400);
  });

  it('keeps a viewer to reading, at the API', async () => {
    const { jar, csrf } = await signIn(world, '--role', 'viewer');
    expect((await request(`${world.a.publicUrl}/console/session`, { jar })).json).toMatchObject({ role: 'viewer' });
    expect((await request(`${world.a.publicUrl}/v1/devices`, { jar })).status).toBe(200);
    expect((await request(`${world.a.publicUrl}/v1/audit`, { jar })).status).toBe(200);
    for (const path of ['/v1/devices/some-device/revoke', '/v1/enrollment-tokens', '/v1/api-keys']) {
      const refused = await request(`${world.a.publicUrl}${path}`, { ...change(world, jar, csrf), body: path === '/v1/api-keys' ? { role: 'admin' } : {} });
      expect([path, refused.status, errorCode(refused)]).toEqual([path, 403, 'ERR_FORBIDDEN']);
    }
  });

  it('creates, lists and revokes API keys; a revoked key stops working at once', async () => {
    const bearer = { authorization: `Bearer ${world.adminKey}` };
    const created = await request(`${world.a.publicUrl}/v1/api-keys`, { method: 'POST', headers: bearer, body: { role: 'admin', name: 'ci' } });
    expect(created.status).toBe(201);
    const { key, apiKey } = created.json as { key: string; apiKey: { id: string } };
    expect(key).toMatch(/^pak_/);
    expect(apiKey).toMatchObject({ role: 'admin', name: 'ci', revokedAt: null });
    const listed = await request(`${world.a.publicUrl}/v1/api-keys`, { headers: bearer });
    expect(listed.text).not.toContain(key);
    expect((listed.json as { apiKeys: { id: string }[] }).apiKeys.map((entry) => entry.id)).toContain(apiKey.id);
    expect((await request(`${world.a.publicUrl}/v1/devices`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);

    const revoked = await request(`${world.a.publicUrl}/v1/api-keys/${apiKey.id}/revoke`, { method: 'POST', headers: bearer });
    expect(revoked.json).toMatchObject({ apiKey: { id: apiKey.id, revokedAt: world.clock.now.toISOString() } });
    expect((await request(`${world.a.publicUrl}/v1/api-keys/${apiKey.id}/revoke`, { method: 'POST', headers: bearer })).status).toBe(200);
    const after = await request(`${world.a.publicUrl}/v1/devices`, { headers: { authorization: `Bearer ${key}` } });
    expect([after.status, errorCode(after)]).toEqual([401, 'ERR_UNAUTHORIZED']);
    const bad = await request(`${world.a.publicUrl}/v1/api-keys`, { method: 'POST', headers: bearer, body: { role: 'root' } });
    expect([bad.status, errorCode(bad)]).toEqual([400, 'ERR_BAD_REQUEST']);
  });

  it('ends a session when idle for an hour, after 8 hours in all, and on sign-out on every instance', async () => {
    const idle = await signIn(world);
    world.clock.now = new Date(world.clock.now.getTime() + 61 * 60_000);
    expect((await request(`${world.a.publicUrl}/console/session`, { jar: idle.jar })).status).toBe(401);

    const busy = await signIn(world);
    for (let hour = 1; hour <= 8; hour += 1) {
      world.clock.now = new Date(world.clock.now.getTime() + 59 * 60_000);
      expect((await request(`${world.b.publicUrl}/v1/devices`, { jar: busy.jar })).status).toBe(200);
    }
    world.clock.now = new Date(world.clock.now.getTime() + 59 * 60_000);
    const expired = await request(`${world.b.publicUrl}/v1/devices`, { jar: busy.jar });
    expect([expired.status, errorCode(expired)]).toEqual([401, 'ERR_UNAUTHORIZED']);

    const leaving = await signIn(world);
    expect((await request(`${world.a.publicUrl}/console/sign-out`, change(world, leaving.jar, null))).status).toBe(403);
    const copy = new CookieJar();
    for (const [name, value] of leaving.jar.cookies) copy.cookies.set(name, value);
    const out = await request(`${world.a.publicUrl}/console/sign-out`, change(world, leaving.jar, leaving.csrf));
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()[0]).toMatch(/^posture_session=; .*Max-Age=0/);
    expect((await request(`${world.b.publicUrl}/console/session`, { jar: copy })).status).toBe(401);
  });

  it('writes every sign-in, refusal, sign-out and credential change to the audit log, and no secret to the logs', async () => {
    const token = await cli(world, 'token', 'create', '--uses', '2', '--note', 'from the cli');
    const key = await cli(world, 'apikey', 'create', '--role', 'gateway', '--name', 'edge');
    expect([token.code, key.code]).toEqual([0, 0]);
    expect(token.stdout).toMatch(/^pae_\S+\n$/);
    expect(key.stdout).toMatch(/^pak_\S+\n$/);
    const audit = await request(`${world.a.publicUrl}/v1/audit?limit=1000`, { headers: { authorization: `Bearer ${world.adminKey}` } });
    const entries = (audit.json as { entries: { action: string; actor: string; source: string | null; detail: Record<string, string> | null }[] }).entries;
    const actions = new Set(entries.map((entry) => entry.action));
    for (const action of ['console.link-create', 'console.sign-in', 'console.sign-in-refused', 'console.sign-out', 'enrollment-token.create', 'enrollment-token.revoke', 'api-key.create', 'api-key.revoke']) {
      expect(actions, action).toContain(action);
    }
    expect(entries.find((entry) => entry.action === 'console.link-create')).toMatchObject({ actor: 'cli:tester', source: null });
    expect(entries.find((entry) => entry.action === 'enrollment-token.create' && entry.actor === 'cli:tester')).toMatchObject({ source: null, detail: { uses: '2', note: 'from the cli' } });
    expect(entries.find((entry) => entry.action === 'api-key.create' && entry.actor === 'cli:tester')).toMatchObject({ source: null, detail: { role: 'gateway', name: 'edge' } });
    expect(entries.find((entry) => entry.action === 'enrollment-token.create' && entry.actor.startsWith('console:link:'))).toMatchObject({ source: '127.0.0.1', detail: { uses: '3', note: 'lab' } });
    expect(entries.find((entry) => entry.action === 'api-key.revoke')).toMatchObject({ actor: expect.stringMatching(/^apikey:/), source: '127.0.0.1' });
    expect(entries.filter((entry) => entry.action === 'enrollment-token.revoke')).toHaveLength(1);
    expect(entries.find((entry) => entry.action === 'console.sign-in-refused')).toMatchObject({ detail: { method: 'link' } });

    const logs = world.logs.join('');
    expect(logs).not.toMatch(/pcl_\w+_[A-Za-z0-9_-]{20}/);
    expect(logs).not.toContain('posture_session=');
  });
});
