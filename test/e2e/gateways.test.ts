// Gateways end to end, with real processes only: the policy service (posture-service serve,
// SQLite) and the agent (posture-agent enroll / submit) from dist/, real nginx (auth_request) and
// real Caddy (forward_auth) in front of a small upstream application, and the Node offline
// verifier against the service's JWKS. Nothing is mocked; the configurations are the documented
// ones, docs/examples/nginx-posture.conf and caddy-posture.caddyfile (test/support/proxies.ts).
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyResult } from '../../src/gateway/verify-result.js';
import { DEFAULT_POLICY_DOCUMENT } from '../../src/policy/default-policy.js';
import { openLocalKeyVaults } from '../../src/server/local-key-vaults.js';
import { ServiceKeys } from '../../src/server/service-keys.js';
import { ensureGatewayBinaries, freePort, startCaddy, startNginx, type RunningGateway } from '../support/proxies.js';
import { runAgent, startServiceProcess, tempDir, type ServiceProcess } from '../support/service-process.js';
import { startUpstream, UPSTREAM_BODY, type Upstream } from '../support/upstream.js';

const defaultOsRule = DEFAULT_POLICY_DOCUMENT.rules.find((rule) => rule.id === 'os-version');

/**
 * The service's policy for this test. No grace period, so a failing rule blocks at once. Three
 * tiers: one this Linux machine meets if its release is supported (the built-in minimums), one
 * that depends on whether its firewall is on (decided from the Result's verdicts, never assumed),
 * and one no Linux machine meets (the rule approves no Linux distribution).
 */
const POLICY = {
  id: 'gateway-e2e',
  version: 1,
  rules: [
    { id: 'os-version', check: 'os.minimumVersion', severity: 'block', params: defaultOsRule && 'params' in defaultOsRule ? defaultOsRule.params : {} },
    { id: 'firewall', check: 'firewall.enabled', severity: 'block' },
    { id: 'os-unapproved', check: 'os.minimumVersion', severity: 'block', params: { linux: { 'no-such-distribution': '1' } } },
  ],
  tiers: {
    'linux-ok': ['os-version'],
    'needs-firewall': ['firewall'],
    'unapproved-os': ['os-unapproved'],
  },
  gracePeriod: 0,
};
const TIERS = Object.keys(POLICY.tiers);
const AUDIENCE = 'posture-gateway';
const MISCONFIGURED_TIER = 'not-in-the-policy';

interface Verdict {
  id: string;
  status: string;
  blocking: boolean;
}
interface Appraisal {
  deviceId: string;
  result: string;
  earStatus: string;
  tiers: string[];
  verdicts: Verdict[];
}

let work: { path: string; remove(): Promise<void> };
let service: ServiceProcess;
let upstream: Upstream;
let nginx: RunningGateway;
let caddy: RunningGateway;
/** The Result printed by `posture-agent submit`. */
let result: string;
/** `posture-agent submit --json`: a second Result with the service's verdicts. */
let appraisal: Appraisal;
let grantedTier: string;
let deniedTiers: string[];
/** Requests the test expected to be allowed; anything else reaching the upstream is a bypass. */
const allowedMarkers = new Set<string>();
let sequence = 0;

async function agent(stateDir: string, ...args: string[]): Promise<string> {
  const outcome = await runAgent(stateDir, ...args);
  if (outcome.code !== 0) throw new Error(`posture-agent ${args[0]} exited with ${outcome.code}: ${outcome.stderr}`);
  return outcome.stdout;
}

interface Answer {
  status: number;
  body: string;
  reason: string | null;
  /** What the upstream received for this very request (its path carries a unique marker). */
  reached: Upstream['requests'];
  marker: string;
}

/** <method> <gateway>/<tier>/<unique marker>[?query] with these headers (GET unless `init` says otherwise). */
async function through(gateway: RunningGateway, tier: string, headers: Record<string, string> = {}, query = '', init: RequestInit = {}): Promise<Answer> {
  const marker = `${gateway.name}-${tier}-${++sequence}-${randomBytes(4).toString('hex')}`;
  const response = await fetch(`${gateway.url}/${tier}/${marker}${query}`, { ...init, headers });
  const body = await response.text();
  return { status: response.status, body, reason: response.headers.get('x-posture-reason'), reached: upstream.saw(marker), marker };
}

function expectAllowed(answer: Answer): void {
  allowedMarkers.add(answer.marker);
  expect(answer.status).toBe(200);
  expect(answer.body).toBe(UPSTREAM_BODY);
  expect(answer.reached).toHaveLength(1);
  expect(answer.reached[0]!.headers['x-posture-device']).toBe(appraisal.deviceId);
}

/** TCP connections the service has accepted so far (its own count, on /metrics). */
async function acceptedConnections(): Promise<number> {
  const text = await (await fetch(`${service.address}/metrics`)).text();
  const match = /^posture_http_connections_total (\d+)$/m.exec(text);
  if (!match) throw new Error('the service reports no posture_http_connections_total');
  return Number(match[1]);
}

/**
 * 200 allowed requests through a gateway, 8 at a time, and the connections the service accepted
 * meanwhile: a gateway that reuses its connections opens at most one per request in flight (plus
 * the one this count is read on).
 */
async function connectionsFor200Requests(gateway: RunningGateway): Promise<number> {
  const before = await acceptedConnections();
  for (let batch = 0; batch < 25; batch += 1) {
    const answers = await Promise.all(Array.from({ length: 8 }, () => through(gateway, grantedTier, { 'X-Posture-Token': result })));
    for (const answer of answers) expectAllowed(answer);
  }
  return (await acceptedConnections()) - before;
}

function expectDenied(answer: Answer, status: 401 | 403, reason: string): void {
  expect({ status: answer.status, reason: answer.reason }).toEqual({ status, reason });
  expect(answer.reached).toEqual([]);
}

/** One character of the payload changed, keeping it canonical base64url of valid JSON: only the signature can tell. */
function flipPayloadCharacter(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  for (let index = Math.floor(payload.length / 2); index < payload.length - 1; index++) {
    for (const replacement of alphabet) {
      if (replacement === payload[index]) continue;
      const candidate = `${payload.slice(0, index)}${replacement}${payload.slice(index + 1)}`;
      const bytes = Buffer.from(candidate, 'base64url');
      if (bytes.toString('base64url') !== candidate) continue;
      try {
        JSON.parse(utf8.decode(bytes));
      } catch {
        continue;
      }
      return `${header}.${candidate}.${signature}`;
    }
  }
  throw new Error('No single-character change keeps this payload valid JSON.');
}

/** The payload re-encoded with every tier granted, the original signature kept: what a forger would try. */
function grantAllTiers(token: string): string {
  const [header, , signature] = token.split('.') as [string, string, string];
  const payload = { ...decodeJwt(token), posture_tiers: TIERS };
  return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
}

/**
 * Signs claims with the service's own active key, read from its data directory (the database and
 * the key-encryption key beside it): a Result the service itself could have issued. Used for an
 * expired Result without waiting (the shortest --result-ttl is 1m) and without faking any clock.
 */
async function signWithServiceKey(claims: Record<string, unknown>): Promise<string> {
  const vaults = await openLocalKeyVaults(service.dataDir);
  try {
    const { signing } = await ServiceKeys.open(vaults.results, { publishRetiredMs: 0 });
    expect(signing.kid).toBe(decodeProtectedHeader(result).kid);
    return await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'eat+jwt', kid: signing.kid }).sign(signing.signingKey);
  } finally {
    await vaults.close();
  }
}

function resultClaims(lifetime: { iat: number; exp: number }): Record<string, unknown> {
  return { ...decodeJwt(result), ...lifetime, jti: randomBytes(16).toString('base64url') };
}

/** The Node helper's options, as a gateway would configure it. */
function options(tier: string) {
  return { jwksUrl: `${service.address}/.well-known/jwks.json`, issuer: service.address, audience: AUDIENCE, tier };
}

describe.runIf(process.platform === 'linux')('gateways in front of the real policy service', () => {
  beforeAll(async () => {
    await ensureGatewayBinaries();
    work = await tempDir('posture-gateways-');
    const policyFile = join(work.path, 'policy.json');
    await writeFile(policyFile, JSON.stringify(POLICY, null, 2));

    // The issuer (and the agent's --server) must be the address the service is reached at.
    const port = await freePort();
    const address = `http://127.0.0.1:${port}`;
    service = await startServiceProcess({ port, dataDir: join(work.path, 'service'), extraArgs: ['--url', address, '--policy', policyFile] });
    expect(service.address).toBe(address);

    const stateDir = join(work.path, 'agent');
    const token = (await service.cli('token', 'create')).trim();
    await agent(stateDir, 'enroll', '--server', service.address, '--token', token);
    result = (await agent(stateDir, 'submit')).trim();
    appraisal = JSON.parse(await agent(stateDir, 'submit', '--json')) as Appraisal;
    // What this machine is granted comes from the service's appraisal, never from assumptions.
    grantedTier = appraisal.tiers.includes('linux-ok') ? 'linux-ok' : appraisal.tiers[0]!;
    deniedTiers = TIERS.filter((tier) => !appraisal.tiers.includes(tier));

    upstream = await startUpstream();
    // One more route, for a tier the policy does not have: a gateway misconfiguration.
    const gatewayOptions = { servicePort: service.port, upstreamPort: upstream.port, tiers: [...TIERS, MISCONFIGURED_TIER] };
    const [startedNginx, startedCaddy] = await Promise.allSettled([startNginx(gatewayOptions), startCaddy(gatewayOptions)]);
    // Keep whichever started, so afterAll stops it even when the other failed.
    if (startedNginx.status === 'fulfilled') nginx = startedNginx.value;
    if (startedCaddy.status === 'fulfilled') caddy = startedCaddy.value;
    for (const started of [startedNginx, startedCaddy]) if (started.status === 'rejected') throw started.reason;
  });

  afterAll(async () => {
    await Promise.all([nginx?.stop(), caddy?.stop(), upstream?.stop()]);
    await service?.stop();
    await work?.remove();
  });

  describe('the Result the real agent obtained', () => {
    it('grants exactly the tiers whose rules do not block, per the verdicts', () => {
      const blocking = new Map(appraisal.verdicts.map((verdict) => [verdict.id, verdict.blocking]));
      const expected = Object.entries(POLICY.tiers)
        .filter(([, rules]) => rules.every((rule) => blocking.get(rule) === false))
        .map(([tier]) => tier);
      expect(appraisal.tiers).toEqual(expected);
      expect(decodeJwt(appraisal.result).posture_tiers).toEqual(expected);
      expect(decodeJwt(result)).toMatchObject({ iss: service.address, aud: AUDIENCE, sub: appraisal.deviceId, posture_tiers: expected });
      // No Linux distribution is approved by os-unapproved.
      expect(blocking.get('os-unapproved')).toBe(true);
      expect(expected, 'this machine meets no tier at all (is its OS release supported?)').not.toEqual([]);
      expect(deniedTiers).toContain('unapproved-os');
    });
  });

  describe('nginx auth_request', () => {
    it('lets a compliant device through with X-Posture-Token, and forwards its device id to the upstream', async () => {
      const answer = await through(nginx, grantedTier, { 'X-Posture-Token': result, 'X-Posture-Device': 'forged-by-client' });
      expectAllowed(answer);
      const seen = answer.reached[0]!.headers;
      expect(seen['x-posture-status']).toBe(decodeJwt(result).ear_status);
      expect(seen['x-posture-token']).toBeUndefined();
      expect(answer.reason).toBeNull();
    });

    it('lets it through with Authorization: Bearer too', async () => {
      expectAllowed(await through(nginx, grantedTier, { Authorization: `Bearer ${result}` }));
    });

    it('answers 401 without a token, and the upstream is not reached', async () => {
      expectDenied(await through(nginx, grantedTier), 401, 'ERR_RESULT_MISSING');
    });

    it('guards every method: a POST is checked with a bodiless GET, and its body reaches the upstream intact', async () => {
      const post = { method: 'POST', body: '{"order":42}' };
      const answer = await through(nginx, grantedTier, { 'X-Posture-Token': result, 'Content-Type': 'application/json' }, '', post);
      expectAllowed(answer);
      expect(answer.reached[0]).toMatchObject({ method: 'POST', body: '{"order":42}' });
      expectDenied(await through(nginx, grantedTier, { 'Content-Type': 'application/json' }, '', post), 401, 'ERR_RESULT_MISSING');
      expectDenied(await through(nginx, deniedTiers[0]!, { 'X-Posture-Token': result }, '', { method: 'DELETE' }), 403, 'ERR_RESULT_TIER');
    });

    it('answers 403 for every tier the device does not meet, 200 for every tier it meets', async () => {
      for (const tier of TIERS) {
        const answer = await through(nginx, tier, { 'X-Posture-Token': result });
        if (deniedTiers.includes(tier)) expectDenied(answer, 403, 'ERR_RESULT_TIER');
        else expectAllowed(answer);
      }
    });

    it('takes the tier from its own configuration, never from the client\'s query', async () => {
      const denied = deniedTiers[0]!;
      expectDenied(await through(nginx, denied, { 'X-Posture-Token': result }, `?tier=${grantedTier}`), 403, 'ERR_RESULT_TIER');
    });

    it('answers 401 for a tampered Result: one payload character flipped, or every tier granted', async () => {
      expectDenied(await through(nginx, grantedTier, { 'X-Posture-Token': flipPayloadCharacter(result) }), 401, 'ERR_RESULT_SIGNATURE');
      expectDenied(await through(nginx, deniedTiers[0]!, { 'X-Posture-Token': grantAllTiers(result) }), 401, 'ERR_RESULT_SIGNATURE');
    });

    it('keeps its connections to the service: 200 allowed requests, 8 at a time, open at most 9', async () => {
      expect(await connectionsFor200Requests(nginx)).toBeLessThanOrEqual(9);
    });

    it('answers 401 for an expired Result signed by the service\'s own key (and 200 for the same one unexpired)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = await signWithServiceKey(resultClaims({ iat: now - 1200, exp: now - 600 }));
      expectDenied(await through(nginx, grantedTier, { 'X-Posture-Token': expired }), 401, 'ERR_RESULT_EXPIRED');
      // Control: the same signing, still valid, is accepted; so the 401 above is the expiry alone.
      const fresh = await signWithServiceKey(resultClaims({ iat: now, exp: now + 300 }));
      expectAllowed(await through(nginx, grantedTier, { 'X-Posture-Token': fresh }));
    });
  });

  describe('Caddy forward_auth', () => {
    it('lets a compliant device through and copies X-Posture-Device to the upstream', async () => {
      const answer = await through(caddy, grantedTier, { 'X-Posture-Token': result, 'X-Posture-Device': 'forged-by-client' });
      expectAllowed(answer);
      expect(answer.reached[0]!.headers['x-posture-status']).toBe(decodeJwt(result).ear_status);
      expect(answer.reached[0]!.headers['x-posture-token']).toBeUndefined();
      expectAllowed(await through(caddy, grantedTier, { Authorization: `Bearer ${result}` }));
    });

    it('answers 401 without a token, with the service\'s own error body', async () => {
      const answer = await through(caddy, grantedTier);
      expectDenied(answer, 401, 'ERR_RESULT_MISSING');
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'ERR_RESULT_MISSING' } });
    });

    it('answers 403 for a tier the device does not meet, whatever tier the client puts in the query', async () => {
      for (const tier of deniedTiers) expectDenied(await through(caddy, tier, { 'X-Posture-Token': result }), 403, 'ERR_RESULT_TIER');
      expectDenied(await through(caddy, deniedTiers[0]!, { 'X-Posture-Token': result }, `?tier=${grantedTier}`), 403, 'ERR_RESULT_TIER');
    });

    it('guards every method: a POST is checked with a GET, and its body reaches the upstream intact', async () => {
      const post = { method: 'POST', body: '{"order":43}' };
      const answer = await through(caddy, grantedTier, { 'X-Posture-Token': result, 'Content-Type': 'application/json' }, '', post);
      expectAllowed(answer);
      expect(answer.reached[0]).toMatchObject({ method: 'POST', body: '{"order":43}' });
      expectDenied(await through(caddy, grantedTier, { 'Content-Type': 'application/json' }, '', post), 401, 'ERR_RESULT_MISSING');
    });

    it('answers 401 for a tampered Result', async () => {
      expectDenied(await through(caddy, grantedTier, { 'X-Posture-Token': flipPayloadCharacter(result) }), 401, 'ERR_RESULT_SIGNATURE');
    });

    it('keeps its connections to the service: 200 allowed requests, 8 at a time, open at most 9', async () => {
      expect(await connectionsFor200Requests(caddy)).toBeLessThanOrEqual(9);
    });
  });

  describe('a route configured with a tier the policy does not have', () => {
    it('denies: the service answers 400 ERR_TIER_UNKNOWN, which nginx turns into 500 and Caddy passes on', async () => {
      const fromNginx = await through(nginx, MISCONFIGURED_TIER, { 'X-Posture-Token': result });
      const fromCaddy = await through(caddy, MISCONFIGURED_TIER, { 'X-Posture-Token': result });
      expect([fromNginx.status, fromCaddy.status]).toEqual([500, 400]);
      expect(fromCaddy.reason).toBe('ERR_TIER_UNKNOWN');
      expect([...fromNginx.reached, ...fromCaddy.reached]).toEqual([]);
    });
  });

  describe('request shapes of Traefik ForwardAuth and Envoy ext_authz (no Traefik or Envoy binary here: the service side only)', () => {
    const authz = (pathAndQuery: string, headers: Record<string, string> = {}, method = 'GET') =>
      fetch(`${service.address}${pathAndQuery}`, { method, headers: { 'X-Posture-Token': result, ...headers } });

    it('Traefik: the configured address carries the tier; X-Forwarded-Uri and -Method do not change the decision', async () => {
      const forwarded = { 'X-Forwarded-Uri': `/app?tier=${deniedTiers[0]!}`, 'X-Forwarded-Method': 'POST', 'X-Forwarded-Host': 'app.example.com' };
      const allowed = await authz(`/v1/authz?tier=${grantedTier}`, forwarded);
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('x-posture-device')).toBe(appraisal.deviceId);
      // The facts are in headers; the 200 has no body, so every gateway can keep its connection.
      expect(allowed.headers.get('x-posture-tiers')).toBe(appraisal.tiers.join(','));
      expect({ length: allowed.headers.get('content-length'), body: await allowed.text() }).toEqual({ length: '0', body: '' });
      expect((await authz(`/v1/authz?tier=${deniedTiers[0]!}`, forwarded)).status).toBe(403);
    });

    it('Envoy path_prefix "/v1/authz/T" + the original path: the tier comes from the path, and the client cannot override it', async () => {
      const granted = await authz(`/v1/authz/${grantedTier}/app/page?x=1`);
      expect({ status: granted.status, device: granted.headers.get('x-posture-device') }).toEqual({ status: 200, device: appraisal.deviceId });
      expect((await authz(`/v1/authz/${grantedTier}/`)).status).toBe(200);
      expect((await authz(`/v1/authz/${deniedTiers[0]!}/app/page`)).status).toBe(403);
      const smuggled = await authz(`/v1/authz/${deniedTiers[0]!}/app?tier=${grantedTier}`);
      expect({ status: smuggled.status, reason: smuggled.headers.get('x-posture-reason') }).toEqual({ status: 403, reason: 'ERR_RESULT_TIER' });
      // The query style cannot work with Envoy: the client's path is glued onto the tier's value.
      const glued = await authz(`/v1/authz?tier=${grantedTier}/app/page?x=1`);
      expect({ status: glued.status, reason: glued.headers.get('x-posture-reason') }).toEqual({ status: 400, reason: 'ERR_TIER_UNKNOWN' });
    });

    it('Envoy keeps the client\'s method on the check request: every method is answered, and a body is never read', async () => {
      const path = `/v1/authz/${grantedTier}/app`;
      for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) expect((await authz(path, {}, method)).status, method).toBe(200);
      const withBody = await fetch(`${service.address}${path}`, { method: 'POST', headers: { 'X-Posture-Token': result, 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
      expect(withBody.status).toBe(200);
      const denied = await fetch(`${service.address}${path}`, { method: 'DELETE' });
      expect({ status: denied.status, wwwAuthenticate: denied.headers.get('www-authenticate') }).toEqual({ status: 401, wwwAuthenticate: 'Bearer realm="posture"' });
    });
  });

  describe('offline verification with the Node helper and the service JWKS', () => {
    it('accepts the Result for a tier it grants', async () => {
      const verified = await verifyResult(result, options(grantedTier));
      expect(verified).toMatchObject({ deviceId: appraisal.deviceId, tiers: appraisal.tiers });
    });

    it('refuses another tier (ERR_RESULT_TIER), a tampered Result (ERR_RESULT_SIGNATURE) and an expired one (ERR_RESULT_EXPIRED)', async () => {
      await expect(verifyResult(result, options(deniedTiers[0]!))).rejects.toMatchObject({ code: 'ERR_RESULT_TIER' });
      await expect(verifyResult(flipPayloadCharacter(result), options(grantedTier))).rejects.toMatchObject({ code: 'ERR_RESULT_SIGNATURE' });
      await expect(verifyResult(grantAllTiers(result), options(deniedTiers[0]!))).rejects.toMatchObject({ code: 'ERR_RESULT_SIGNATURE' });
      const now = Math.floor(Date.now() / 1000);
      const expired = await signWithServiceKey(resultClaims({ iat: now - 1200, exp: now - 600 }));
      await expect(verifyResult(expired, options(grantedTier))).rejects.toMatchObject({ code: 'ERR_RESULT_EXPIRED' });
    });
  });

  describe('revocation and outage (last: they revoke the device and stop the service)', () => {
    it('denies the still-unexpired Result at both gateways with 403 once an admin revokes the device; offline verification cannot know', async () => {
      expect(decodeJwt(result).exp! * 1000).toBeGreaterThan(Date.now() + 60_000);
      const apiKey = (await service.cli('apikey', 'create', '--role', 'admin')).trim();
      const revoke = await fetch(`${service.address}/v1/devices/${encodeURIComponent(appraisal.deviceId)}/revoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'gateway end-to-end test' }),
      });
      expect(revoke.status).toBe(200);
      expect(((await revoke.json()) as { device: { revokedAt: string | null } }).device.revokedAt).not.toBeNull();

      expectDenied(await through(nginx, grantedTier, { 'X-Posture-Token': result }), 403, 'ERR_DEVICE_REVOKED');
      expectDenied(await through(nginx, grantedTier, { Authorization: `Bearer ${result}` }), 403, 'ERR_DEVICE_REVOKED');
      expectDenied(await through(caddy, grantedTier, { 'X-Posture-Token': result }), 403, 'ERR_DEVICE_REVOKED');

      // The documented gap: a verifier without the service accepts the Result until it expires.
      await expect(verifyResult(result, options(grantedTier))).resolves.toMatchObject({ deviceId: appraisal.deviceId });
    });

    it('fails closed when the policy service is down: nginx 500, Caddy 502, the upstream is not reached', async () => {
      await service.stop();
      const fromNginx = await through(nginx, grantedTier, { 'X-Posture-Token': result });
      const fromCaddy = await through(caddy, grantedTier, { 'X-Posture-Token': result });
      expect([fromNginx.status, fromCaddy.status]).toEqual([500, 502]);
      expect([...fromNginx.reached, ...fromCaddy.reached]).toEqual([]);
    });

    it('the upstream saw only the requests the gateways allowed', () => {
      expect(upstream.requests.length).toBeGreaterThan(0);
      const unexpected = upstream.requests.filter((request) => ![...allowedMarkers].some((marker) => request.url.includes(marker)));
      expect(unexpected).toEqual([]);
      expect(upstream.requests).toHaveLength(allowedMarkers.size);
    });
  });
});
