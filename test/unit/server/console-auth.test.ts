// The console's pure pieces: cookies, role mapping from claims, and its serve settings.
import { describe, expect, it } from 'vitest';
import { consoleServeConfig } from '../../../src/server/console/console-config.js';
import { cookieName, readCookie, setCookie } from '../../../src/server/console/cookies.js';
import { csrfTokenFor, sameSecret } from '../../../src/server/console/console-sessions.js';
import { roleFromClaim } from '../../../src/server/console/oidc-sign-in.js';
import { parseServeConfig } from '../../../src/server/config.js';
import { ApiKeyCache } from '../../../src/server/http/api-key-cache.js';

const VALUES = { adminValues: ['posture-admins'], viewerValues: ['posture-viewers', 'auditors'] };
const DEFAULTS = { consoleSessionLifetime: 8 * 3_600_000, consoleSessionIdle: 3_600_000, oidcRoleClaim: 'roles' };

describe('console cookies', () => {
  it('reads one cookie among others, and nothing from a look-alike name', () => {
    expect(readCookie('a=1; posture_session=abc; b=2', 'posture_session')).toBe('abc');
    expect(readCookie('xposture_session=abc', 'posture_session')).toBeNull();
    expect(readCookie('posture_session=', 'posture_session')).toBeNull();
    expect(readCookie(undefined, 'posture_session')).toBeNull();
  });

  it('is HttpOnly and Strict, Secure with the __Host- prefix over https', () => {
    expect(cookieName('posture_session', true)).toBe('__Host-posture_session');
    expect(setCookie('__Host-posture_session', 'v', { secure: true, sameSite: 'Strict', maxAgeSeconds: 60 }))
      .toBe('__Host-posture_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure');
    expect(setCookie('posture_session', 'v', { secure: false, sameSite: 'Strict', maxAgeSeconds: 60 })).not.toContain('Secure');
  });

  it('derives a CSRF token bound to the session and compares it in full', () => {
    const token = csrfTokenFor('session-a');
    expect(token).not.toBe(csrfTokenFor('session-b'));
    expect(token).not.toContain('session-a');
    expect(sameSecret(token, csrfTokenFor('session-a'))).toBe(true);
    expect(sameSecret(token.slice(0, -1), token)).toBe(false);
  });
});

describe('roles from the identity provider\'s claim', () => {
  it('gives admin before viewer, from a list or a string, and nothing for other values', () => {
    expect(roleFromClaim(['staff', 'posture-viewers', 'posture-admins'], VALUES)).toBe('admin');
    expect(roleFromClaim(['auditors'], VALUES)).toBe('viewer');
    expect(roleFromClaim('staff posture-viewers', VALUES)).toBe('viewer');
    expect(roleFromClaim(['staff'], VALUES)).toBeNull();
    expect(roleFromClaim(undefined, VALUES)).toBeNull();
    expect(roleFromClaim([{ name: 'posture-admins' }], VALUES)).toBeNull();
  });
});

describe('console serve settings', () => {
  it('default to 8h sessions, 1h idle, and no identity provider', () => {
    expect(parseServeConfig({ dataDir: '/tmp/x' }).console).toEqual({ sessionLifetimeMs: 8 * 3_600_000, sessionIdleMs: 3_600_000, oidc: null });
  });

  it('need the issuer, client id, secret and at least one role value together', () => {
    expect(() => consoleServeConfig({ ...DEFAULTS, oidcClientId: 'c' }, {})).toThrow(/--oidc-issuer/);
    expect(() => consoleServeConfig({ ...DEFAULTS, oidcIssuer: 'https://idp.example' }, {})).toThrow(/--oidc-client-id/);
    expect(() => consoleServeConfig({ ...DEFAULTS, oidcIssuer: 'https://idp.example', oidcClientId: 'c' }, {})).toThrow(/--oidc-client-secret-file/);
    expect(() => consoleServeConfig({ ...DEFAULTS, oidcIssuer: 'https://idp.example', oidcClientId: 'c', oidcClientSecretFile: '/s' }, {})).toThrow(/--oidc-admin-values/);
    expect(() => consoleServeConfig({ ...DEFAULTS, oidcIssuer: 'http://idp.example', oidcClientId: 'c', oidcClientSecretFile: '/s', oidcAdminValues: 'a' }, {})).toThrow(/https/);
    const config = consoleServeConfig({ ...DEFAULTS, oidcIssuer: 'https://idp.example/realm', oidcClientId: 'c', oidcAdminValues: 'a, b', oidcViewerValues: 'v' }, { POSTURE_SERVICE_OIDC_CLIENT_SECRET: 's3cret' });
    expect(config.oidc).toEqual({ issuer: 'https://idp.example/realm', clientId: 'c', clientSecret: 's3cret', roleClaim: 'roles', adminValues: ['a', 'b'], viewerValues: ['v'], displayName: 'idp.example' });
  });

  it('refuse an idle time longer than the lifetime, naming the flag', () => {
    expect(() => parseServeConfig({ dataDir: '/tmp/x', consoleSessionLifetime: '1h', consoleSessionIdle: '2h' })).toThrow(/--console-session-idle/);
    expect(() => parseServeConfig({ dataDir: '/tmp/x', consoleSessionLifetime: '30s' })).toThrow(/--console-session-lifetime/);
  });
});

describe('revoking an API key here', () => {
  it('makes the forward-auth key cache look every key up again', async () => {
    let revoked = false;
    const cache = new ApiKeyCache(() => Promise.resolve(revoked ? null : { id: 'k1', role: 'gateway' }));
    expect(await cache.identify('pak_k1_secret')).toEqual({ id: 'k1', role: 'gateway' });
    revoked = true;
    expect(cache.peek('pak_k1_secret')).toEqual({ id: 'k1', role: 'gateway' });
    cache.clear();
    expect(cache.peek('pak_k1_secret')).toBeUndefined();
    expect(await cache.identify('pak_k1_secret')).toBeNull();
  });
});
