// Console sign-in with OpenID Connect against a real provider (oidc-provider) in this process:
// authorization code + PKCE, roles from a claim, refusal of a user with no role.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeConfig } from '../../src/server/config.js';
import { startService, type RunningService } from '../../src/server/start-service.js';
import { CookieJar, errorCode, request, type ConsoleResponse } from '../support/console-client.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startOidcProvider, TEST_OIDC_CLIENT_ID, TEST_OIDC_CLIENT_SECRET, walkProvider, type TestOidcProvider } from '../support/oidc-provider.js';

const ACCOUNTS = {
  alice: { email: 'alice@example.com', name: 'Alice Admin', roles: ['staff', 'posture-admins'] },
  victor: { email: 'victor@example.com', name: 'Victor Viewer', roles: ['posture-viewers'] },
  mallory: { email: 'mallory@example.com', name: 'Mallory', roles: ['staff'] },
};

const DIALECTS = ['sqlite', 'postgres'] as const;

describe.each(DIALECTS)('console sign-in with OpenID Connect on %s', (dialect) => {
  let postgres: TestPostgres | undefined;
  let idp: TestOidcProvider;
  let service: RunningService;
  const logs: string[] = [];

  beforeAll(async () => {
    idp = await startOidcProvider(ACCOUNTS);
    if (dialect === 'postgres') postgres = await startPostgres();
    const dataDir = await mkdtemp(join(tmpdir(), 'posture-oidc-'));
    const secretFile = join(dataDir, 'oidc-secret');
    await writeFile(secretFile, `${TEST_OIDC_CLIENT_SECRET}\n`, { mode: 0o600 });
    const config = parseServeConfig({
      dataDir, port: '0', logLevel: 'info', ...(postgres ? { database: postgres.url } : {}),
      oidcIssuer: idp.issuer, oidcClientId: TEST_OIDC_CLIENT_ID, oidcClientSecretFile: secretFile, oidcName: 'Example SSO',
      oidcAdminValues: 'posture-admins', oidcViewerValues: 'posture-viewers',
    });
    const logStream = new Writable({ write: (chunk: Buffer, _encoding, done) => (logs.push(chunk.toString()), done()) });
    // Discovery waits for the first sign-in: the provider can register the service's callback after it started.
    service = await startService(config, { logStream });
    idp.register(`${service.publicUrl}/console/oidc/callback`);
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    idp?.close();
    await postgres?.stop();
  });

  /** The whole browser round trip: sign-in page, provider, callback; the service's jar at the end. */
  async function signIn(login: string): Promise<{ jar: CookieJar; final: ConsoleResponse }> {
    const jar = new CookieJar();
    const page = await request(`${service.publicUrl}/console/sign-in`);
    expect(page.text).toContain('Sign in with Example SSO');
    const started = await request(`${service.publicUrl}/console/oidc/start`, { jar });
    expect(started.status).toBe(303);
    const authorize = new URL(started.headers.get('location')!);
    expect(authorize.origin).toBe(idp.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${service.publicUrl}/console/oidc/callback`);
    const callback = await walkProvider(authorize.href, new URL(service.publicUrl).origin, login);
    return { jar, final: await request(callback, { jar }) };
  }

  it('signs in an administrator with the role from the claim', async () => {
    const { jar, final } = await signIn('alice');
    expect(final.status).toBe(303);
    expect(final.headers.get('location')).toBe('/console/');
    const session = await request(`${service.publicUrl}/console/session`, { jar });
    expect(session.json).toMatchObject({ subject: 'alice', email: 'alice@example.com', name: 'Alice Admin', role: 'admin' });
    const { csrfToken } = session.json as { csrfToken: string };
    const created = await request(`${service.publicUrl}/v1/enrollment-tokens`, { method: 'POST', jar, body: {}, headers: { 'x-csrf-token': csrfToken, origin: service.publicUrl } });
    expect(created.status).toBe(201);
  });

  it('signs in a viewer, who cannot revoke a device at the API', async () => {
    const { jar } = await signIn('victor');
    const session = await request(`${service.publicUrl}/console/session`, { jar });
    expect(session.json).toMatchObject({ subject: 'victor', role: 'viewer' });
    const { csrfToken } = session.json as { csrfToken: string };
    expect((await request(`${service.publicUrl}/v1/devices`, { jar })).status).toBe(200);
    const revoke = await request(`${service.publicUrl}/v1/devices/any/revoke`, { method: 'POST', jar, body: {}, headers: { 'x-csrf-token': csrfToken, origin: service.publicUrl } });
    expect([revoke.status, errorCode(revoke)]).toEqual([403, 'ERR_FORBIDDEN']);
  });

  it('refuses a user with neither role, with a page and an audit entry', async () => {
    const { jar, final } = await signIn('mallory');
    expect(final.status).toBe(403);
    expect(final.text).toContain('ERR_CONSOLE_SIGN_IN');
    expect(final.text).toContain('no access to the posture console');
    expect(jar.cookies.has('posture_session')).toBe(false);
    const audit = await service.store.listAudit({ limit: 50 });
    expect(audit.find((entry) => entry.action === 'console.sign-in-refused')).toMatchObject({ actor: 'console:mallory@example.com', detail: { method: 'oidc', reason: 'no-role' } });
    expect(audit.find((entry) => entry.action === 'console.sign-in' && entry.actor === 'console:alice@example.com')).toMatchObject({ source: '127.0.0.1', detail: { method: 'oidc', role: 'admin' } });
  });

  it('refuses a callback without the browser\'s pre-auth cookie, and replays', async () => {
    const jar = new CookieJar();
    const started = await request(`${service.publicUrl}/console/oidc/start`, { jar });
    const state = new URL(started.headers.get('location')!).searchParams.get('state')!;
    const stranger = await request(`${service.publicUrl}/console/oidc/callback?code=abc&state=${state}`);
    expect(stranger.status).toBe(403);
    expect(stranger.text).toContain('ERR_CONSOLE_SIGN_IN');
    const wrongState = await request(`${service.publicUrl}/console/oidc/callback?code=abc&state=other`, { jar });
    expect(wrongState.status).toBe(403);
    // The attempt spent the sign-in in progress: the same cookie cannot try again.
    const again = await request(`${service.publicUrl}/console/oidc/callback?code=abc&state=${state}`, { jar });
    expect(again.text).toContain('was started in another browser');
    expect(logs.join('')).not.toContain(TEST_OIDC_CLIENT_SECRET);
  });
});
