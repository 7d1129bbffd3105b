// Device certificates (issue 9): the device CA and POST /v1/certificate on the real service over
// HTTP, on SQLite and on PostgreSQL. Evidence is made with the agent's own createEvidence; the
// certificates are checked with node:crypto and with the real openssl (verify, x509 -text).
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomUUID, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { runServiceCli } from '../../src/cli/service-program.js';
import { Es256Key } from '../../src/attest/es256-key.js';
import { createEvidence } from '../../src/attest/evidence.js';
import { jwkThumbprint, type PublicJwk } from '../../src/attest/jwk.js';
import { EVIDENCE_PROFILE } from '../../src/attest/profiles.js';
import { parseServeConfig, type ServeFlags } from '../../src/server/config.js';
import { DEVICE_CA_FILE, DeviceCa } from '../../src/server/device-ca.js';
import { openLocalKeyVaults } from '../../src/server/local-key-vaults.js';
import { KEY_ENCRYPTION_KEY_FILE } from '../../src/server/key-encryption-key.js';
import type { CertificateResponse } from '../../src/server/posture-service.js';
import { API_KEY_PREFIX, ENROLLMENT_TOKEN_PREFIX, newSecret } from '../../src/server/secrets.js';
import { startService, type RunningService } from '../../src/server/start-service.js';
import { signEvidence } from '../support/evidence.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { makeReport } from '../support/report.js';

const run = promisify(execFile);
const OPENSSL = '/usr/bin/openssl';
const DAY_MS = 86_400_000;

interface World {
  running: RunningService;
  dataDir: string;
  clock: { now: Date };
}

async function startWorld(database: (dataDir: string) => string, flags: Omit<ServeFlags, 'dataDir'> = {}): Promise<World> {
  const dataDir = await mkdtemp(join(tmpdir(), 'posture-certs-'));
  const clock = { now: new Date() };
  const config = parseServeConfig({ dataDir, port: '0', database: database(dataDir), logLevel: 'silent', ...flags });
  return { running: await startService(config, { clock: () => clock.now }), dataDir, clock };
}

async function stopWorld(world: World | undefined): Promise<void> {
  if (!world) return;
  await world.running.close();
  await rm(world.dataDir, { recursive: true, force: true });
}

interface Device {
  id: string;
  key: Es256Key;
}

function tlsKey(): PublicJwk {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  return { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! };
}

async function post(world: World, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${world.running.address}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function nonceFor(world: World, deviceId: string): Promise<string> {
  const answer = await post(world, '/v1/challenge', { deviceId });
  expect(answer.status).toBe(200);
  return answer.body['nonce'] as string;
}

/** Evidence the way the agent makes it, for a fresh challenge unless a nonce is given. */
async function evidence(world: World, device: Device, options: { jkt?: string; nonce?: string; now?: Date } = {}): Promise<string> {
  return createEvidence({
    key: device.key,
    deviceId: device.id,
    audience: world.running.publicUrl,
    nonce: options.nonce ?? (await nonceFor(world, device.id)),
    posture: makeReport({ device: { id: device.id } }),
    now: options.now ?? world.clock.now,
    ...(options.jkt === undefined ? {} : { confirmationKeyThumbprint: options.jkt }),
  });
}

async function enrolled(world: World): Promise<Device> {
  const device = { id: randomUUID(), key: Es256Key.generate() };
  const token = newSecret(ENROLLMENT_TOKEN_PREFIX);
  await world.running.store.createEnrollmentToken({
    id: token.id, tokenHash: token.hash, usesLeft: 1, expiresAt: new Date(world.clock.now.getTime() + 3_600_000), createdAt: world.clock.now, note: null,
  });
  const answer = await post(world, '/v1/enroll', { evidence: await evidence(world, device), jwk: device.key.publicJwk, token: token.secret });
  expect(answer.status).toBe(201);
  return device;
}

async function certify(world: World, device: Device, key: PublicJwk = tlsKey()): Promise<CertificateResponse> {
  const answer = await post(world, '/v1/certificate', { evidence: await evidence(world, device, { jkt: jwkThumbprint(key) }), tlsKey: key });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as unknown as CertificateResponse;
}

function codeOf(answer: { body: Record<string, unknown> }): string {
  return (answer.body['error'] as { code: string }).code;
}

async function caBundle(world: World): Promise<{ pem: string; contentType: string | null }> {
  const response = await fetch(`${world.running.address}/v1/ca.pem`);
  expect(response.status).toBe(200);
  return { pem: await response.text(), contentType: response.headers.get('content-type') };
}

function pemBlocks(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
}

/** `openssl verify -CAfile <bundle> -purpose <purpose> <certificate>`: its output, or the failure's. */
async function opensslVerify(bundle: string, certificate: string, purpose = 'sslclient'): Promise<{ ok: boolean; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'posture-openssl-'));
  try {
    await writeFile(join(dir, 'ca.pem'), bundle);
    await writeFile(join(dir, 'cert.pem'), certificate);
    const { stdout, stderr } = await run(OPENSSL, ['verify', '-CAfile', join(dir, 'ca.pem'), '-purpose', purpose, join(dir, 'cert.pem')]);
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function opensslText(certificate: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'posture-openssl-'));
  try {
    await writeFile(join(dir, 'cert.pem'), certificate);
    return (await run(OPENSSL, ['x509', '-in', join(dir, 'cert.pem'), '-noout', '-text'])).stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The lines of one extension in `openssl x509 -text`: its header and value. */
function extension(text: string, name: string): string {
  const lines = text.split('\n');
  const at = lines.findIndex((line) => line.trim().startsWith(`${name}:`));
  if (at < 0) return '';
  return `${lines[at]!.trim()} ${lines[at + 1]!.trim()}`;
}

async function serviceCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runServiceCli(args, {
    io: { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), color: false },
    facts: { platform: 'linux', env: {}, uid: process.getuid?.(), home: tmpdir(), userName: 'tester' },
    stopSignal: () => new Promise(() => undefined),
  });
  return { code, stdout, stderr };
}

const DIALECTS = ['sqlite', 'postgres'] as const;

describe.each(DIALECTS)('device certificates on %s', (dialect) => {
  let postgres: TestPostgres | undefined;
  let world: World;

  beforeAll(async () => {
    if (dialect === 'postgres') postgres = await startPostgres();
    world = await startWorld((dataDir) => (postgres ? postgres.url : `sqlite:${join(dataDir, 'posture.db')}`));
  }, 60_000);

  afterAll(async () => {
    await stopWorld(world);
    await postgres?.stop();
  });

  it('creates the device CA on first run: encrypted in the database, a P-256 CA certificate published at GET /v1/ca.pem', async () => {
    const stored = await world.running.store.getKeySet('device-ca');
    expect(stored?.envelope).toMatch(/^\{"format":"posture-key-set\/v1"/);
    expect(stored?.envelope).not.toContain('PRIVATE KEY');
    expect((await stat(join(world.dataDir, KEY_ENCRYPTION_KEY_FILE))).mode & 0o777).toBe(0o600);
    const { pem, contentType } = await caBundle(world);
    expect(contentType).toBe('application/x-pem-file');
    expect(pemBlocks(pem)).toHaveLength(1);
    const ca = new X509Certificate(pem);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toMatch(/^CN=Posture Agent device CA [0-9a-f]{8}\nO=posture-agent$/);
    expect(ca.checkIssued(ca) && ca.verify(ca.publicKey)).toBe(true);
    expect(ca.publicKey.asymmetricKeyDetails).toMatchObject({ namedCurve: 'prime256v1' });
    expect(new Date(ca.validTo).getTime() - world.clock.now.getTime()).toBeGreaterThan(9.9 * 365 * DAY_MS);
    const text = await opensslText(pem);
    expect(extension(text, 'X509v3 Basic Constraints')).toBe('X509v3 Basic Constraints: critical CA:TRUE, pathlen:0');
    expect(extension(text, 'X509v3 Key Usage')).toBe('X509v3 Key Usage: critical Certificate Sign, CRL Sign');
    expect(extension(text, 'X509v3 Subject Key Identifier')).toMatch(/^X509v3 Subject Key Identifier: ([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    // The running service and the database agree, and nothing of the key is published.
    expect(world.running.deviceCa.bundlePem()).toBe(pem);
    expect(pem).not.toContain('PRIVATE KEY');
    const vaults = await openLocalKeyVaults(world.dataDir, world.running.store.dialect === 'postgres' ? postgres!.url : undefined);
    try {
      expect((await vaults.deviceCa.read())?.text).toContain('PRIVATE KEY');
    } finally {
      await vaults.close();
    }
  });

  it('issues a client certificate for the TLS key the Evidence vouches for: chain, SAN, EKU, key usage, 7-day lifetime', async () => {
    const device = await enrolled(world);
    const key = tlsKey();
    const issued = await certify(world, device, key);

    expect(issued).toMatchObject({ deviceId: device.id, serial: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown, appraisal: { deviceId: device.id } });
    expect(issued.appraisal.result.split('.')).toHaveLength(3);
    // The certificate request was appraised and stored like an attestation.
    const resultJti = (JSON.parse(Buffer.from(issued.appraisal.result.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;
    expect(await world.running.store.latestAppraisal(device.id)).toMatchObject({ resultJti });

    const bundle = (await caBundle(world)).pem;
    expect(issued.caCertificates.join('')).toBe(bundle);
    const ca = new X509Certificate(bundle);
    const certificate = new X509Certificate(issued.certificate);
    expect(certificate.serialNumber.toLowerCase()).toBe(issued.serial);
    expect(certificate.subject).toBe(`CN=${device.id}`);
    expect(certificate.subjectAltName).toBe(`URI:urn:posture-agent:device:${device.id}`);
    expect(certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(certificate.ca).toBe(false);
    expect(certificate.issuer).toBe(ca.subject);
    expect(certificate.checkIssued(ca) && certificate.verify(ca.publicKey)).toBe(true);
    expect(certificate.publicKey.export({ format: 'jwk' })).toMatchObject({ kty: 'EC', crv: 'P-256', x: key.x, y: key.y });

    const now = world.clock.now.getTime();
    expect(new Date(certificate.validTo).toISOString()).toBe(issued.expiresAt);
    expect(new Date(certificate.validFrom).toISOString()).toBe(issued.notBefore);
    expect(Math.abs(new Date(issued.expiresAt).getTime() - (now + 7 * DAY_MS))).toBeLessThan(1000);
    expect(Math.abs(new Date(issued.notBefore).getTime() - (now - 5 * 60_000))).toBeLessThan(1000);

    const text = await opensslText(issued.certificate);
    expect(extension(text, 'X509v3 Basic Constraints')).toBe('X509v3 Basic Constraints: critical CA:FALSE');
    expect(extension(text, 'X509v3 Key Usage')).toBe('X509v3 Key Usage: critical Digital Signature');
    expect(extension(text, 'X509v3 Extended Key Usage')).toBe('X509v3 Extended Key Usage: TLS Web Client Authentication');
    expect(extension(text, 'X509v3 Subject Alternative Name')).toBe(`X509v3 Subject Alternative Name: URI:urn:posture-agent:device:${device.id}`);
    expect(extension(text, 'X509v3 Subject Key Identifier')).toMatch(/Identifier: ([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    expect(extension(text, 'X509v3 Authority Key Identifier')).toContain(extension(await opensslText(bundle), 'X509v3 Subject Key Identifier').split(': ')[1]!);
    expect(text).toContain('ASN1 OID: prime256v1');

    // The real openssl: the chain verifies for a TLS client against GET /v1/ca.pem, never for a server.
    const verified = await opensslVerify(bundle, issued.certificate);
    expect(verified).toEqual({ ok: true, output: expect.stringContaining(': OK') as unknown });
    expect((await opensslVerify(bundle, issued.certificate, 'sslserver')).ok).toBe(false);

    // Recorded per device, shown by GET /v1/devices/{id} (newest first).
    const second = await certify(world, device);
    const admin = newSecret(API_KEY_PREFIX);
    await world.running.store.createApiKey({ id: admin.id, keyHash: admin.hash, role: 'admin', name: 'test', createdAt: world.clock.now, revokedAt: null });
    const shown = await fetch(`${world.running.address}/v1/devices/${device.id}`, { headers: { authorization: `Bearer ${admin.secret}` } });
    const detail = ((await shown.json()) as { device: { certificates: { serial: string; tlsKeyThumbprint: string; expiresAt: string }[] } }).device;
    expect(detail.certificates.map((entry) => entry.serial).sort()).toEqual([issued.serial, second.serial].sort());
    expect(detail.certificates.find((entry) => entry.serial === issued.serial)).toMatchObject({ tlsKeyThumbprint: jwkThumbprint(key), expiresAt: issued.expiresAt });
  });

  it('refuses each bad request with its own code, and issues nothing', async () => {
    const device = await enrolled(world);
    const key = tlsKey();
    const jkt = jwkThumbprint(key);
    const ask = async (body: unknown) => {
      const answer = await post(world, '/v1/certificate', body);
      return { status: answer.status, code: codeOf(answer) };
    };

    // Stale: Evidence signed ten minutes ago.
    const stale = await evidence(world, device, { jkt, now: new Date(world.clock.now.getTime() - 10 * 60_000) });
    expect(await ask({ evidence: stale, tlsKey: key })).toEqual({ status: 401, code: 'ERR_ATTESTATION_EXPIRED' });

    // Replayed: the same Evidence again (its nonce is spent), and its jti under a fresh nonce.
    const used = await evidence(world, device, { jkt });
    const first = await post(world, '/v1/certificate', { evidence: used, tlsKey: key });
    expect(first.status).toBe(201);
    expect(await ask({ evidence: used, tlsKey: key })).toEqual({ status: 401, code: 'ERR_ATTESTATION_NONCE' });
    const claims = JSON.parse(Buffer.from(used.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    const iat = Math.floor(world.clock.now.getTime() / 1000);
    const sameJti = await signEvidence(device.key, { ...claims, eat_nonce: await nonceFor(world, device.id), eat_profile: EVIDENCE_PROFILE, iat, exp: iat + 120 });
    expect(await ask({ evidence: sameJti, tlsKey: key })).toEqual({ status: 401, code: 'ERR_ATTESTATION_REPLAY' });

    // The TLS key must be the one cnf.jkt names; cnf must be there; tlsKey must be a P-256 public key.
    expect(await ask({ evidence: await evidence(world, device, { jkt: jwkThumbprint(tlsKey()) }), tlsKey: key })).toEqual({ status: 400, code: 'ERR_CERTIFICATE_KEY_MISMATCH' });
    expect(await ask({ evidence: await evidence(world, device), tlsKey: key })).toEqual({ status: 400, code: 'ERR_CERTIFICATE_KEY_MISMATCH' });
    const privateJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    expect(await ask({ evidence: await evidence(world, device, { jkt }), tlsKey: privateJwk })).toEqual({ status: 400, code: 'ERR_CERTIFICATE_KEY_MISMATCH' });
    const offCurve = { ...key, y: key.x };
    expect(await ask({ evidence: await evidence(world, device, { jkt: jwkThumbprint(offCurve) }), tlsKey: offCurve })).toEqual({ status: 400, code: 'ERR_CERTIFICATE_KEY_MISMATCH' });
    expect(await ask({ evidence: await evidence(world, device, { jkt }) })).toEqual({ status: 400, code: 'ERR_BAD_REQUEST' });

    // Unknown and revoked devices.
    const stranger = { id: randomUUID(), key: Es256Key.generate() };
    expect(await ask({ evidence: await evidence(world, stranger, { jkt }), tlsKey: key })).toEqual({ status: 404, code: 'ERR_DEVICE_UNKNOWN' });
    const revoked = await enrolled(world);
    await world.running.store.revokeDevice(revoked.id, world.clock.now, 'stolen');
    expect(await ask({ evidence: await evidence(world, revoked, { jkt }), tlsKey: key })).toEqual({ status: 403, code: 'ERR_DEVICE_REVOKED' });

    expect(await world.running.store.listCertificates(revoked.id, 10)).toEqual([]);
    expect(await world.running.store.listCertificates(stranger.id, 10)).toEqual([]);
    // Only the one request that was allowed got a certificate.
    expect(await world.running.store.listCertificates(device.id, 10)).toHaveLength(1);
  });

  it('ca rotate: the running service signs with the new CA, keeps the old one in /v1/ca.pem, and old certificates still verify', async () => {
    const device = await enrolled(world);
    const old = await certify(world, device);
    const oldBundle = (await caBundle(world)).pem;

    const database = ['--data-dir', world.dataDir, '--database', postgres ? postgres.url : `sqlite:${join(world.dataDir, 'posture.db')}`];
    const rotated = await serviceCli('ca', 'rotate', ...database);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/^New device CA "CN=Posture Agent device CA [0-9a-f]{8}, O=posture-agent"; retired "CN=Posture Agent device CA [0-9a-f]{8}, O=posture-agent"/);

    // No restart: the next request sees the rotation.
    const bundle = (await caBundle(world)).pem;
    const [active, retired] = pemBlocks(bundle);
    expect(pemBlocks(bundle)).toHaveLength(2);
    expect(retired).toBe(oldBundle);
    expect(new X509Certificate(active!).subject).not.toBe(new X509Certificate(oldBundle).subject);
    expect((await serviceCli('ca', 'show', ...database)).stdout).toBe(bundle);

    const fresh = await certify(world, device);
    expect(new X509Certificate(fresh.certificate).issuer).toBe(new X509Certificate(active!).subject);
    expect(fresh.caCertificates).toEqual([active, retired]);
    expect((await opensslVerify(bundle, fresh.certificate)).ok).toBe(true);
    expect((await opensslVerify(bundle, old.certificate)).ok).toBe(true);
    // The old certificate verifies because of the retired CA alone.
    expect((await opensslVerify(active!, old.certificate)).ok).toBe(false);
    expect(world.running.deviceCa.trustedCertificates().map((certificate) => certificate.toString())).toEqual([active, retired]);
  });
});

describe('the device CA over time, and the configured lifetime', () => {
  let world: World | undefined;
  afterAll(async () => {
    await stopWorld(world);
  });

  it('--certificate-lifetime sets the lifetime (1h to 90d)', async () => {
    world = await startWorld((dataDir) => `sqlite:${join(dataDir, 'posture.db')}`, { certificateLifetime: '36h' });
    const device = await enrolled(world);
    const issued = await certify(world, device);
    const certificate = new X509Certificate(issued.certificate);
    expect(new Date(certificate.validTo).getTime() - world.clock.now.getTime()).toBeGreaterThan(36 * 3_600_000 - 1000);
    expect(new Date(certificate.validTo).getTime() - world.clock.now.getTime()).toBeLessThanOrEqual(36 * 3_600_000);

    for (const value of ['59m', '91d', 'soon']) {
      expect(() => parseServeConfig({ dataDir: world!.dataDir, certificateLifetime: value })).toThrow(/--certificate-lifetime \/ POSTURE_SERVICE_CERTIFICATE_LIFETIME: expected a duration from 1h to 90d/);
    }
    expect(parseServeConfig({ dataDir: world.dataDir }).certificateLifetimeSeconds).toBe(7 * 86_400);
    expect(parseServeConfig({ dataDir: world.dataDir, certificateLifetime: '90d' }).certificateLifetimeSeconds).toBe(90 * 86_400);
  });

  it('drops a retired CA from the bundle once every certificate it can have signed has expired (90 days)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'posture-ca-'));
    try {
      const start = new Date('2026-11-22T10:00:00.000Z');
      const vaults = await openLocalKeyVaults(dataDir);
      onTestFinished(() => vaults.close());
      await DeviceCa.open(vaults.deviceCa, { now: start, certificateLifetimeSeconds: 7 * 86_400 });
      await DeviceCa.rotate(vaults.deviceCa, start);
      const ca = await DeviceCa.open(vaults.deviceCa, { certificateLifetimeSeconds: 7 * 86_400 });
      expect(ca.trustedCertificates(new Date(start.getTime() + 90 * DAY_MS))).toHaveLength(2);
      expect(pemBlocks(ca.bundlePem(new Date(start.getTime() + 91 * DAY_MS)))).toHaveLength(1);
      // The next rotation forgets it.
      const later = await DeviceCa.rotate(vaults.deviceCa, new Date(start.getTime() + 91 * DAY_MS));
      expect(later.retired).toHaveLength(1);
      expect(JSON.parse((await vaults.deviceCa.read())!.text)).toMatchObject({ authorities: [{ retiredAt: null }, { retiredAt: expect.any(String) as unknown }] });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a damaged CA file with one clear line', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'posture-ca-'));
    try {
      await writeFile(join(dataDir, DEVICE_CA_FILE), '{ not json', { mode: 0o600 });
      const vaults = await openLocalKeyVaults(dataDir);
      onTestFinished(() => vaults.close());
      await expect(DeviceCa.open(vaults.deviceCa, { certificateLifetimeSeconds: 7 * 86_400, importFile: join(dataDir, DEVICE_CA_FILE) })).rejects.toMatchObject({ code: 'ERR_KEY_CORRUPT', message: expect.stringContaining('device CA') as unknown });
      const shown = await serviceCli('ca', 'show', '--data-dir', dataDir);
      expect(shown.code).toBe(2);
      expect(shown.stderr).toContain('ERR_KEY_CORRUPT');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
