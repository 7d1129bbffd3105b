// Live forward-auth decisions: the real service in-process over HTTP, agents on fake hosts (only the
// firewall signal changes), device certificates from the service's own device CA (and an openssl
// CA it does not trust), forwarded the way nginx forwards them. Then two instances on one
// PostgreSQL: a change on one counts on the other within a second.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollDevice, submitPosture, type CheckInDeps } from '../../src/agent/check-in.js';
import { ServiceClient } from '../../src/agent/service-client.js';
import { deriveDeviceId } from '../../src/attest/device-id.js';
import type { PublicJwk } from '../../src/attest/jwk.js';
import { MemoryKeyStore } from '../../src/attest/key-store.js';
import { parseServeConfig } from '../../src/server/config.js';
import { API_KEY_PREFIX, ENROLLMENT_TOKEN_PREFIX, newSecret } from '../../src/server/secrets.js';
import { startService, type RunningService } from '../../src/server/start-service.js';
import { healthyLinux, linuxFixture, type LinuxScript } from '../fixtures/linux/healthy-linux.js';
import { forwarded, makeTestCa, type TestCa } from '../support/device-certs.js';
import { createFakeHost } from '../support/fake-host.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { DAEMON_TEST_POLICY as POLICY } from '../support/agent-daemon.js';

const UFW_CONF = '/etc/ufw/ufw.conf';

let machine = 0;
function laptop(): { script: LinuxScript; deviceId: string } {
  machine += 1;
  return { script: healthyLinux(new Date()), deviceId: deriveDeviceId(machine.toString(16).padStart(32, 'c'), 'linux') };
}

function setFirewall(script: LinuxScript, on: boolean): void {
  script.files[UFW_CONF] = linuxFixture('ufw-conf', on ? 'vm-enabled' : 'vm-disabled-default');
}

function tlsKey(): PublicJwk {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  return { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! };
}

interface Instance {
  running: RunningService;
  clock: { now: Date };
}

async function start(dataDir: string, database: string, clock = { now: new Date() }): Promise<Instance> {
  const logStream = new Writable({ write: (_chunk: Buffer, _encoding, done) => done() });
  const config = parseServeConfig({ dataDir, port: '0', database, policy: join(dataDir, 'policy.yaml'), logLevel: 'info' });
  return { running: await startService(config, { logStream, clock: () => clock.now }), clock };
}

function agentOn(instance: Instance, device: { script: LinuxScript; deviceId: string }): CheckInDeps {
  return {
    host: createFakeHost(device.script),
    keyStore: new MemoryKeyStore(),
    deviceId: () => Promise.resolve(device.deviceId),
    client: new ServiceClient({ baseUrl: instance.running.publicUrl }),
    now: () => instance.clock.now,
  };
}

async function secrets(instance: Instance): Promise<{ enrol: string; gateway: string; admin: string }> {
  const { store } = instance.running;
  const now = instance.clock.now;
  const enrol = newSecret(ENROLLMENT_TOKEN_PREFIX);
  await store.createEnrollmentToken({ id: enrol.id, tokenHash: enrol.hash, usesLeft: 100, expiresAt: new Date(now.getTime() + 3_600_000), createdAt: now, note: null });
  const gateway = newSecret(API_KEY_PREFIX);
  await store.createApiKey({ id: gateway.id, keyHash: gateway.hash, role: 'gateway', name: 'nginx', createdAt: now, revokedAt: null });
  const admin = newSecret(API_KEY_PREFIX);
  await store.createApiKey({ id: admin.id, keyHash: admin.hash, role: 'admin', name: 'it', createdAt: now, revokedAt: null });
  return { enrol: enrol.secret, gateway: gateway.secret, admin: admin.secret };
}

interface Answer {
  status: number;
  reason: string | null;
  device: string | null;
  failing: string | null;
}

async function authz(instance: Instance, tier: string, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${instance.running.address}/v1/authz?tier=${tier}`, { headers });
  await response.arrayBuffer();
  return {
    status: response.status,
    reason: response.headers.get('x-posture-reason'),
    device: response.headers.get('x-posture-device'),
    failing: response.headers.get('x-posture-failing'),
  };
}

async function revoke(instance: Instance, adminKey: string, deviceId: string): Promise<void> {
  const response = await fetch(`${instance.running.address}/v1/devices/${deviceId}/revoke`, {
    method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: '{}',
  });
  expect(response.status).toBe(200);
}

describe('live decisions at /v1/authz (SQLite)', () => {
  let dataDir: string;
  let instance: Instance;
  let keys: { enrol: string; gateway: string; admin: string };
  let otherCa: TestCa;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'posture-live-'));
    await writeFile(join(dataDir, 'policy.yaml'), POLICY);
    instance = await start(dataDir, `sqlite:${join(dataDir, 'posture.db')}`);
    keys = await secrets(instance);
    otherCa = await makeTestCa('Someone else\'s CA');
  }, 60_000);

  afterAll(async () => {
    await instance.running.close();
    await otherCa.remove();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function enrolled(): Promise<{ device: ReturnType<typeof laptop>; deps: CheckInDeps; certificate: string }> {
    const device = laptop();
    const deps = agentOn(instance, device);
    await enrollDevice(deps, keys.enrol);
    const issued = await instance.running.deviceCa.issue({ deviceId: device.deviceId, tlsKey: tlsKey(), now: instance.clock.now });
    return { device, deps, certificate: issued.pem };
  }
  const viaGateway = (pem: string, gatewayKey = keys.gateway) => ({ 'x-posture-client-cert': forwarded.nginx(pem), 'x-posture-gateway-key': gatewayKey });

  it('allows a compliant device\'s certificate forwarded by an authenticated gateway, and ignores it from anyone else', async () => {
    const { device, certificate } = await enrolled();
    expect(await authz(instance, 'strict', viaGateway(certificate))).toEqual({ status: 200, reason: null, device: device.deviceId, failing: null });
    const { ['x-posture-gateway-key']: _key, ...withoutKey } = viaGateway(certificate);
    expect(await authz(instance, 'strict', withoutKey)).toMatchObject({ status: 401, reason: 'ERR_RESULT_MISSING', device: null });
    expect(await authz(instance, 'strict', viaGateway(certificate, keys.admin))).toMatchObject({ status: 401, reason: 'ERR_RESULT_MISSING' });
    expect(await authz(instance, 'strict', viaGateway(certificate, 'pak_made_up_key'))).toMatchObject({ status: 401, reason: 'ERR_RESULT_MISSING' });
  });

  it('refuses a certificate from another CA, an expired one, and one whose device was revoked (at once)', async () => {
    const { device, certificate } = await enrolled();
    const foreign = await otherCa.issue({ deviceId: device.deviceId });
    expect(await authz(instance, 'basic', viaGateway(foreign))).toMatchObject({ status: 401, reason: 'ERR_CERTIFICATE_INVALID' });
    const eightDaysAgo = new Date(instance.clock.now.getTime() - 8 * 86_400_000);
    const expired = await instance.running.deviceCa.issue({ deviceId: device.deviceId, tlsKey: tlsKey(), now: eightDaysAgo });
    expect(await authz(instance, 'basic', viaGateway(expired.pem))).toMatchObject({ status: 401, reason: 'ERR_CERTIFICATE_INVALID' });
    expect((await authz(instance, 'basic', viaGateway(certificate))).status).toBe(200);
    await revoke(instance, keys.admin, device.deviceId);
    expect(await authz(instance, 'basic', viaGateway(certificate))).toMatchObject({ status: 403, reason: 'ERR_DEVICE_REVOKED', device: device.deviceId });
  });

  it('denies the same certificate once the device\'s next appraisal fails, naming the check, and allows it again once fixed', async () => {
    const { device, deps, certificate } = await enrolled();
    expect((await authz(instance, 'strict', viaGateway(certificate))).status).toBe(200);
    setFirewall(device.script, false);
    const { response } = await submitPosture(deps);
    expect(response.verdicts.find((verdict) => verdict.id === 'fw')).toMatchObject({ status: expect.not.stringMatching(/^pass$/), blocking: true });
    expect(await authz(instance, 'strict', viaGateway(certificate))).toEqual({ status: 403, reason: 'ERR_RESULT_TIER', device: device.deviceId, failing: 'fw' });
    expect((await authz(instance, 'basic', viaGateway(certificate))).status).toBe(200);
    setFirewall(device.script, true);
    await submitPosture(deps);
    expect((await authz(instance, 'strict', viaGateway(certificate))).status).toBe(200);
  });

  it('refuses a device whose posture is older than --max-posture-age (11m) until it checks in again', async () => {
    const { deps, certificate } = await enrolled();
    const started = instance.clock.now;
    try {
      instance.clock.now = new Date(started.getTime() + 10 * 60_000);
      expect((await authz(instance, 'basic', viaGateway(certificate))).status).toBe(200);
      instance.clock.now = new Date(started.getTime() + 12 * 60_000);
      expect(await authz(instance, 'basic', viaGateway(certificate))).toMatchObject({ status: 403, reason: 'ERR_POSTURE_STALE' });
      await submitPosture(deps);
      expect((await authz(instance, 'basic', viaGateway(certificate))).status).toBe(200);
    } finally {
      instance.clock.now = new Date();
    }
  });

  it('refuses a still-valid Result once a newer appraisal of its device no longer grants the tier', async () => {
    const { device, deps } = await enrolled();
    const { response: good } = await submitPosture(deps);
    const byResult = { 'x-posture-token': good.result };
    expect((await authz(instance, 'strict', byResult)).status).toBe(200);
    setFirewall(device.script, false);
    await submitPosture(deps);
    expect(await authz(instance, 'strict', byResult)).toEqual({ status: 403, reason: 'ERR_RESULT_TIER', device: device.deviceId, failing: 'fw' });
    expect((await authz(instance, 'basic', byResult)).status).toBe(200);
  });
});

describe('live decisions across two instances on one PostgreSQL', () => {
  let postgres: TestPostgres;
  let dataDir: string;
  let first: Instance;
  let second: Instance;
  let keys: { enrol: string; gateway: string; admin: string };

  beforeAll(async () => {
    postgres = await startPostgres();
    dataDir = await mkdtemp(join(tmpdir(), 'posture-live-pg-'));
    await writeFile(join(dataDir, 'policy.yaml'), POLICY);
    // One data directory: both instances sign with the same keys and trust the same device CA, as a deployment shares them.
    first = await start(dataDir, postgres.url);
    second = await start(dataDir, postgres.url);
    keys = await secrets(first);
  }, 90_000);

  afterAll(async () => {
    await first?.running.close();
    await second?.running.close();
    await postgres?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Milliseconds until `probe` holds, asking the other instance as fast as it answers. */
  async function msUntil(probe: () => Promise<boolean>, limitMs = 5_000): Promise<number> {
    const started = performance.now();
    while (!(await probe())) {
      if (performance.now() - started > limitMs) throw new Error(`no change within ${limitMs} ms`);
    }
    return performance.now() - started;
  }

  it('an appraisal or a revocation on one instance changes the other\'s decisions within a second', async () => {
    const device = laptop();
    const deps = agentOn(first, device);
    await enrollDevice(deps, keys.enrol);
    const issued = await first.running.deviceCa.issue({ deviceId: device.deviceId, tlsKey: tlsKey(), now: first.clock.now });
    const headers = { 'x-posture-client-cert': forwarded.nginx(issued.pem), 'x-posture-gateway-key': keys.gateway };
    await msUntil(async () => (await authz(second, 'strict', headers)).status === 200);

    setFirewall(device.script, false);
    await submitPosture(deps);
    const failed = await msUntil(async () => (await authz(second, 'strict', headers)).status === 403);
    expect(await authz(second, 'strict', headers)).toMatchObject({ reason: 'ERR_RESULT_TIER', failing: 'fw' });

    setFirewall(device.script, true);
    await submitPosture(deps);
    const fixed = await msUntil(async () => (await authz(second, 'strict', headers)).status === 200);

    await revoke(first, keys.admin, device.deviceId);
    const revoked = await msUntil(async () => (await authz(second, 'basic', headers)).reason === 'ERR_DEVICE_REVOKED');

    console.log(`second instance followed: failing appraisal ${failed.toFixed(0)} ms, fixed ${fixed.toFixed(0)} ms, revocation ${revoked.toFixed(0)} ms`);
    expect(failed).toBeLessThan(1_000);
    expect(fixed).toBeLessThan(1_000);
    expect(revoked).toBeLessThan(1_000);
  });

  it('follows changes again after its listening connection was cut, reading what it missed', async () => {
    const device = laptop();
    const deps = agentOn(first, device);
    await enrollDevice(deps, keys.enrol);
    const issued = await first.running.deviceCa.issue({ deviceId: device.deviceId, tlsKey: tlsKey(), now: first.clock.now });
    const headers = { 'x-posture-client-cert': forwarded.nginx(issued.pem), 'x-posture-gateway-key': keys.gateway };
    await msUntil(async () => (await authz(second, 'strict', headers)).status === 200);

    // Every listener connection is terminated by the server; the change below is made while they reconnect.
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    try {
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'posture-service listener'`);
    } finally {
      await admin.end();
    }
    setFirewall(device.script, false);
    await submitPosture(deps);
    await msUntil(async () => (await authz(second, 'strict', headers)).status === 403, 10_000);
    await revoke(first, keys.admin, device.deviceId);
    expect(await msUntil(async () => (await authz(second, 'basic', headers)).reason === 'ERR_DEVICE_REVOKED')).toBeLessThan(1_000);
  });
});
