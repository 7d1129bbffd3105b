// The policy service in-process over real HTTP, on SQLite and on PostgreSQL, driven by the agent's
// own check-in code against fake hosts (so posture is whatever the test needs).
import { loadKeyEncryptionKey } from '../../src/server/key-encryption-key.js';
import { KeySetVault } from '../../src/server/key-set-vault.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollDevice, submitPosture, type CheckInDeps } from '../../src/agent/check-in.js';
import { ServiceClient, ServiceError } from '../../src/agent/service-client.js';
import { deriveDeviceId } from '../../src/attest/device-id.js';
import { rotateDeviceKey } from '../../src/attest/device-keys.js';
import { createEvidence } from '../../src/attest/evidence.js';
import { MemoryKeyStore } from '../../src/attest/key-store.js';
import { parseServeConfig } from '../../src/server/config.js';
import { API_KEY_PREFIX, ENROLLMENT_TOKEN_PREFIX, newSecret } from '../../src/server/secrets.js';
import { startService, type RunningService } from '../../src/server/start-service.js';
import { verifyResult } from '../../src/gateway/verify-result.js';
import { collectPosture } from '../../src/collectors/index.js';
import { healthyLinux, setSysfs, UBUNTU_BLOCKS, type LinuxScript } from '../fixtures/linux/healthy-linux.js';
import { createFakeHost } from '../support/fake-host.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

const POLICY = `
id: test-policy
version: 7
rules:
  - { id: disk, check: diskEncryption.system, severity: block }
  - { id: fw, check: firewall.enabled, severity: block }
tiers:
  basic: [disk]
  strict: [disk, fw]
gracePeriod: 1h
`;

let machine = 0;
/** A distinct fake laptop: its own machine id, hence its own device id. */
function laptop(script: LinuxScript = healthyLinux(new Date())) {
  machine += 1;
  const raw = machine.toString(16).padStart(32, 'a');
  return { script, raw, deviceId: deriveDeviceId(raw, 'linux') };
}

function unencrypted(): LinuxScript {
  const script = healthyLinux(new Date());
  setSysfs(script, { ...UBUNTU_BLOCKS, 'dm-0': { dev: '252:0', dm: { name: 'plain', uuid: 'LVM-plainvolumegroup' }, slaves: ['nvme0n1p3'] } });
  return script;
}

interface World {
  running: RunningService;
  dataDir: string;
  database: string;
  logs: string[];
  clock: { now: Date };
  start(): Promise<RunningService>;
}

async function startWorld(database: (dataDir: string) => string): Promise<World> {
  const dataDir = await mkdtemp(join(tmpdir(), 'posture-svc-'));
  await writeFile(join(dataDir, 'policy.yaml'), POLICY);
  const logs: string[] = [];
  const logStream = new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(chunk.toString()), done()) });
  const clock = { now: new Date() };
  let port = '0';
  const world = {
    dataDir,
    database: database(dataDir),
    logs,
    clock,
    running: undefined as unknown as RunningService,
    async start() {
      // A restart keeps the port: the public URL (the Evidence audience) must stay the same.
      const config = parseServeConfig({ dataDir, port, database: world.database, policy: join(dataDir, 'policy.yaml'), logLevel: 'info' });
      world.running = await startService(config, { logStream, clock: () => clock.now });
      port = new URL(world.running.address).port;
      return world.running;
    },
  };
  await world.start();
  return world;
}

function agent(world: World, device: ReturnType<typeof laptop>, keyStore = new MemoryKeyStore()): CheckInDeps & { keyStore: MemoryKeyStore } {
  return {
    host: createFakeHost(device.script),
    keyStore,
    deviceId: () => Promise.resolve(device.deviceId),
    client: new ServiceClient({ baseUrl: world.running.publicUrl }),
    now: () => world.clock.now,
  };
}

async function token(world: World, uses = 1, ttlMs = 3_600_000): Promise<string> {
  const secret = newSecret(ENROLLMENT_TOKEN_PREFIX);
  await world.running.store.createEnrollmentToken({ id: secret.id, tokenHash: secret.hash, usesLeft: uses, expiresAt: new Date(world.clock.now.getTime() + ttlMs), createdAt: world.clock.now, note: null });
  return secret.secret;
}

async function adminKey(world: World): Promise<string> {
  const secret = newSecret(API_KEY_PREFIX);
  await world.running.store.createApiKey({ id: secret.id, keyHash: secret.hash, role: 'admin', name: 'test', createdAt: world.clock.now, revokedAt: null });
  return secret.secret;
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; status: number }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ServiceError) return { code: error.code, status: error.status };
    throw error;
  }
  throw new Error('expected the service to refuse');
}

async function authz(world: World, result: string, tier: string): Promise<{ status: number; reason: string | null; device: string | null }> {
  const response = await fetch(`${world.running.address}/v1/authz?tier=${tier}`, { headers: { 'x-posture-token': result } });
  return { status: response.status, reason: response.headers.get('x-posture-reason'), device: response.headers.get('x-posture-device') };
}

/** Evidence the way the agent makes it, but kept, so a test can present it twice. */
async function evidenceFor(world: World, deps: ReturnType<typeof agent>, deviceId: string): Promise<string> {
  const keys = (await deps.keyStore.load())!;
  const posture = await collectPosture(deps.host, { deviceId, now: world.clock.now });
  const { nonce } = await deps.client.challenge(deviceId);
  return createEvidence({ key: keys.active, deviceId, audience: deps.client.baseUrl, nonce, posture, now: world.clock.now });
}

const DIALECTS = ['sqlite', 'postgres'] as const;

describe.each(DIALECTS)('the policy service on %s', (dialect) => {
  let postgres: TestPostgres | undefined;
  let world: World;

  beforeAll(async () => {
    if (dialect === 'postgres') postgres = await startPostgres();
    world = await startWorld((dataDir) => (postgres ? postgres.url : `sqlite:${join(dataDir, 'posture.db')}`));
  }, 60_000);

  afterAll(async () => {
    await world.running.close();
    await postgres?.stop();
    await rm(world.dataDir, { recursive: true, force: true });
  });

  it('enrols with a token once per use, and refuses a used-up, expired or unknown token', async () => {
    const single = await token(world);
    const first = laptop();
    const { enrolled } = await enrollDevice(agent(world, first), single);
    expect(enrolled).toMatchObject({ deviceId: first.deviceId, rotated: false });
    expect(enrolled.appraisal.result.split('.')).toHaveLength(3);
    expect(await refusal(enrollDevice(agent(world, laptop()), single))).toEqual({ code: 'ERR_ENROLLMENT_TOKEN', status: 403 });
    expect(await refusal(enrollDevice(agent(world, laptop()), await token(world, 1, -1000)))).toEqual({ code: 'ERR_ENROLLMENT_TOKEN', status: 403 });
    expect(await refusal(enrollDevice(agent(world, laptop()), 'pae_made_up'))).toEqual({ code: 'ERR_ENROLLMENT_TOKEN', status: 403 });
    expect(await refusal(submitPosture(agent(world, laptop())))).toEqual({ code: 'ERR_DEVICE_UNKNOWN', status: 404 });
  });

  it('appraises with its own policy and issues a Result any gateway verifies offline', async () => {
    const device = laptop();
    const deps = agent(world, device);
    await enrollDevice(deps, await token(world));
    const { response } = await submitPosture(deps);
    expect(response).toMatchObject({ deviceId: device.deviceId, status: 'compliant', earStatus: 'affirming', policy: 'test-policy@7', tiers: ['basic', 'strict'] });
    const issuer = world.running.publicUrl;
    expect(issuer).toBe(world.running.address);
    const verified = await verifyResult(response.result, { jwksUrl: `${world.running.address}/.well-known/jwks.json`, issuer, audience: 'posture-gateway', tier: 'strict' });
    expect(verified).toMatchObject({ deviceId: device.deviceId, status: 'affirming', tiers: ['basic', 'strict'] });
    const payload = JSON.parse(Buffer.from(response.result.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(payload).toMatchObject({ iss: issuer, aud: 'posture-gateway', sub: device.deviceId, eat_profile: 'tag:posture-agent,2026:result/v1', ear_appraisal_policy_ids: ['test-policy@7'] });
    expect((payload['exp'] as number) - (payload['iat'] as number)).toBe(600);
    expect(payload['cnf']).toEqual({ jkt: (await deps.keyStore.load())!.active.kid });
    expect(await authz(world, response.result, 'strict')).toEqual({ status: 200, reason: null, device: device.deviceId });
  });

  it('never trusts the agent\'s own verdict, and holds a failing rule in grace from its first failure', async () => {
    const device = laptop(unencrypted());
    const deps = agent(world, device);
    const started = new Date(world.clock.now);
    try {
      const { enrolled } = await enrollDevice(deps, await token(world));
      expect(enrolled.appraisal).toMatchObject({ status: 'warning', earStatus: 'warning', tiers: ['basic', 'strict'] });
      expect(enrolled.appraisal.verdicts.find((verdict) => verdict.id === 'disk')).toMatchObject({ status: 'fail', blocking: false });

      world.clock.now = new Date(started.getTime() + 30 * 60_000);
      const stillInGrace = await submitPosture(deps);
      expect(stillInGrace.response.earStatus).toBe('warning');
      expect(stillInGrace.response.verdicts.find((verdict) => verdict.id === 'disk')!.graceDeadline).toBe(new Date(started.getTime() + 3_600_000).toISOString());

      world.clock.now = new Date(started.getTime() + 61 * 60_000);
      const { response } = await submitPosture(deps);
      expect(response).toMatchObject({ status: 'noncompliant', earStatus: 'contraindicated', tiers: [] });
      expect(await authz(world, response.result, 'basic')).toMatchObject({ status: 403, reason: 'ERR_RESULT_TIER' });

      // A report that carries its own "compliant" verdict is appraised from its raw signals all the same.
      const keys = (await deps.keyStore.load())!;
      const posture = { ...(await collectPosture(deps.host, { deviceId: device.deviceId, now: world.clock.now })), evaluation: { status: 'compliant', tiers: ['basic', 'strict'] } };
      const { nonce } = await deps.client.challenge(device.deviceId);
      const evidence = await createEvidence({ key: keys.active, deviceId: device.deviceId, audience: deps.client.baseUrl, nonce, posture, now: world.clock.now });
      expect(await deps.client.attest(evidence)).toMatchObject({ status: 'noncompliant', earStatus: 'contraindicated' });
    } finally {
      world.clock.now = new Date();
    }
  });

  it('refuses the same Evidence twice and a nonce used twice, also across a restart', async () => {
    const device = laptop();
    const deps = agent(world, device);
    await enrollDevice(deps, await token(world));
    const evidence = await evidenceFor(world, deps, device.deviceId);
    await deps.client.attest(evidence);
    expect(await refusal(deps.client.attest(evidence))).toEqual({ code: 'ERR_ATTESTATION_NONCE', status: 401 });

    const keys = (await deps.keyStore.load())!;
    const posture = await collectPosture(deps.host, { deviceId: device.deviceId, now: world.clock.now });
    const { nonce } = await deps.client.challenge(device.deviceId);
    const once = await createEvidence({ key: keys.active, deviceId: device.deviceId, audience: deps.client.baseUrl, nonce, posture, now: world.clock.now });
    const twice = await createEvidence({ key: keys.active, deviceId: device.deviceId, audience: deps.client.baseUrl, nonce, posture, now: world.clock.now });
    const kept = await evidenceFor(world, deps, device.deviceId);
    await deps.client.attest(once);

    await world.running.close();
    await world.start();
    const restarted = agent(world, device, deps.keyStore);
    expect(await refusal(restarted.client.attest(twice))).toEqual({ code: 'ERR_ATTESTATION_NONCE', status: 401 });
    expect(await refusal(restarted.client.attest(evidence))).toEqual({ code: 'ERR_ATTESTATION_NONCE', status: 401 });
    await restarted.client.attest(kept);
    expect(await refusal(restarted.client.attest(kept))).toEqual({ code: 'ERR_ATTESTATION_NONCE', status: 401 });
  });

  it('refuses a replayed jti even with a fresh nonce', async () => {
    const device = laptop();
    const deps = agent(world, device);
    await enrollDevice(deps, await token(world));
    const first = await evidenceFor(world, deps, device.deviceId);
    await deps.client.attest(first);
    const firstClaims = JSON.parse(Buffer.from(first.split('.')[1]!, 'base64url').toString()) as { jti: string; posture: unknown };
    const keys = (await deps.keyStore.load())!;
    const { nonce } = await deps.client.challenge(device.deviceId);
    const { SignJWT } = await import('jose');
    const iat = Math.floor(world.clock.now.getTime() / 1000);
    const replay = await new SignJWT({ eat_nonce: nonce, eat_profile: 'tag:posture-agent,2026:evidence/v1', swname: 'posture-agent', swversion: '0.1.0', posture: firstClaims.posture })
      .setProtectedHeader({ alg: 'ES256', typ: 'eat+jwt', kid: keys.active.kid })
      .setIssuer(device.deviceId).setAudience(deps.client.baseUrl).setIssuedAt(iat).setExpirationTime(iat + 120).setJti(firstClaims.jti)
      .sign(keys.active.signingKey);
    expect(await refusal(deps.client.attest(replay))).toEqual({ code: 'ERR_ATTESTATION_REPLAY', status: 401 });
  });

  it('revokes: forward-auth denies the unexpired Result; attest and re-enrolment are refused', async () => {
    const device = laptop();
    const deps = agent(world, device);
    await enrollDevice(deps, await token(world));
    const { response } = await submitPosture(deps);
    expect((await authz(world, response.result, 'basic')).status).toBe(200);
    const admin = await adminKey(world);
    const revoke = await fetch(`${world.running.address}/v1/devices/${device.deviceId}/revoke`, {
      method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'lost laptop' }),
    });
    expect(revoke.status).toBe(200);
    expect(((await revoke.json()) as { device: { revokedReason: string } }).device.revokedReason).toBe('lost laptop');
    expect(await authz(world, response.result, 'basic')).toEqual({ status: 403, reason: 'ERR_DEVICE_REVOKED', device: device.deviceId });
    expect(await refusal(submitPosture(deps))).toEqual({ code: 'ERR_DEVICE_REVOKED', status: 403 });
    expect(await refusal(enrollDevice(deps, await token(world)))).toEqual({ code: 'ERR_DEVICE_REVOKED', status: 403 });
    const listed = (await (await fetch(`${world.running.address}/v1/devices/${device.deviceId}`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { device: { revokedAt: string | null } };
    expect(listed.device.revokedAt).not.toBeNull();
  });

  it('moves a device to a new key only with its current key\'s endorsement', async () => {
    const device = laptop();
    const deps = agent(world, device);
    await enrollDevice(deps, await token(world));
    const before = (await deps.keyStore.load())!.active.kid;
    const oldEvidence = await evidenceFor(world, deps, device.deviceId);
    const rotated = await rotateDeviceKey(deps.keyStore);
    const checkIn = await submitPosture(deps);
    expect(checkIn.rotatedTo).toBe(rotated.pending!.kid);
    expect((await deps.keyStore.load())!).toMatchObject({ active: { kid: rotated.pending!.kid }, pending: null });
    expect((await world.running.store.getDevice(device.deviceId))!.kid).toBe(rotated.pending!.kid);
    expect(await refusal(deps.client.attest(oldEvidence))).toEqual({ code: 'ERR_ATTESTATION_KEY_UNKNOWN', status: 401 });
    expect(before).not.toBe(rotated.pending!.kid);

    // An attacker's key, endorsed by nobody, cannot take the device over without a token.
    const attacker = new MemoryKeyStore();
    await rotateDeviceKey(attacker);
    const hijack = agent(world, device, attacker);
    expect((await refusal(submitPosture(hijack))).status).toBe(401);
  });

  it('never lets an enrolment token replace a known device\'s key: the real device keeps working', async () => {
    const device = laptop();
    const victim = agent(world, device);
    await enrollDevice(victim, await token(world));
    const victimKid = (await victim.keyStore.load())!.active.kid;

    // Someone with a valid multi-use fleet token presents the victim's device id with a key of their own.
    const fleetToken = await token(world, 10);
    const attacker = agent(world, device, new MemoryKeyStore());
    expect(await refusal(enrollDevice(attacker, fleetToken))).toEqual({ code: 'ERR_DEVICE_ALREADY_ENROLLED', status: 409 });
    expect((await world.running.store.getDevice(device.deviceId))!.kid).toBe(victimKid);
    expect((await world.running.store.listEnrollmentTokens()).find((entry) => entry.usesLeft === 10)).toBeDefined();
    const { response } = await submitPosture(victim);
    expect((await authz(world, response.result, 'basic')).status).toBe(200);

    // The same device with its own key may enrol again (a lost enrolment record): nothing changes hands.
    const again = await enrollDevice(victim, fleetToken);
    expect(again.enrolled).toMatchObject({ kid: victimKid, rotated: false });
  });

  it('lets a re-installed laptop enrol a new key once after an administrator resets it, and audits who did it', async () => {
    const device = laptop();
    await enrollDevice(agent(world, device), await token(world));
    const reinstalled = agent(world, device, new MemoryKeyStore());
    expect((await refusal(enrollDevice(reinstalled, await token(world)))).code).toBe('ERR_DEVICE_ALREADY_ENROLLED');

    const admin = await adminKey(world);
    const reset = await fetch(`${world.running.address}/v1/devices/${device.deviceId}/reset`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    expect(reset.status).toBe(200);
    expect(((await reset.json()) as { device: { resetAt: string | null } }).device.resetAt).not.toBeNull();

    const enrolled = await enrollDevice(reinstalled, await token(world));
    expect(enrolled.enrolled.rotated).toBe(true);
    expect((await world.running.store.getDevice(device.deviceId))).toMatchObject({ kid: (await reinstalled.keyStore.load())!.active.kid, resetAt: null });
    // The reset is spent: a third key needs another reset.
    expect((await refusal(enrollDevice(agent(world, device, new MemoryKeyStore()), await token(world)))).code).toBe('ERR_DEVICE_ALREADY_ENROLLED');

    const shown = (await (await fetch(`${world.running.address}/v1/devices/${device.deviceId}`, { headers: { authorization: `Bearer ${admin}` } })).json()) as {
      device: { audit: { action: string; actor: string; source: string | null }[] };
    };
    expect(shown.device.audit.map((entry) => entry.action)).toEqual(['device.rekey-after-reset', 'device.reset']);
    expect(shown.device.audit[1]).toMatchObject({ actor: expect.stringMatching(/^apikey:/), source: '127.0.0.1' });
    expect(shown.device.audit[0]).toMatchObject({ actor: `device:${device.deviceId}` });
  });

  it('restores a device revoked by mistake: it attests and is let through again', async () => {
    const device = laptop();
    const deps = agent(world, device);
    await enrollDevice(deps, await token(world));
    const admin = await adminKey(world);
    const act = (action: string) => fetch(`${world.running.address}/v1/devices/${device.deviceId}/${action}`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    expect((await act('revoke')).status).toBe(200);
    expect(await refusal(submitPosture(deps))).toEqual({ code: 'ERR_DEVICE_REVOKED', status: 403 });

    expect((await act('restore')).status).toBe(200);
    const { response } = await submitPosture(deps);
    expect(await authz(world, response.result, 'basic')).toMatchObject({ status: 200 });
    const audit = (await (await fetch(`${world.running.address}/v1/audit?limit=10`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { entries: { action: string; deviceId: string }[] };
    expect(audit.entries.filter((entry) => entry.deviceId === device.deviceId).map((entry) => entry.action)).toEqual(['device.restore', 'device.revoke']);
    expect((await fetch(`${world.running.address}/v1/devices/no-such-device/restore`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } })).status).toBe(404);
  });

  it('keeps the latest appraisal with its decision and policy id, and a history of changes only', async () => {
    const device = laptop();
    const deps = agent(world, device);
    await enrollDevice(deps, await token(world));
    const { response } = await submitPosture(deps);
    const resultJti = (JSON.parse(Buffer.from(response.result.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;
    expect(await world.running.store.latestAppraisal(device.deviceId)).toMatchObject({ resultJti, policyId: 'test-policy', policyVersion: 7, status: 'compliant' });
    // The submission changed nothing since the enrolment's appraisal: the history keeps that one only.
    const appraisals = await world.running.store.listAppraisals(device.deviceId, 10);
    expect(appraisals).toHaveLength(1);
    expect(appraisals[0]).toMatchObject({ policyId: 'test-policy', policyVersion: 7, status: 'compliant' });
  });

  it('never logs tokens, results, secrets or keys', async () => {
    const enrolmentToken = await token(world);
    const device = laptop();
    const deps = agent(world, device);
    await enrollDevice(deps, enrolmentToken);
    const { response } = await submitPosture(deps);
    await authz(world, response.result, 'basic');
    const logged = world.logs.join('');
    expect(logged).toContain('"route":"/v1/attest"');
    const kek = await loadKeyEncryptionKey({ dataDir: world.dataDir });
    const serviceKeys = (await new KeySetVault(world.running.store, kek, 'result-signing').read())!.text;
    const secrets = [
      enrolmentToken, response.result, response.result.split('.')[2]!, (await deps.keyStore.load())!.active.exportPrivateJwk().d!,
      ...[...serviceKeys.matchAll(/"d": "([^"]+)"/g)].map((m) => m[1]!), kek.key.toString('base64'),
    ];
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    for (const secret of secrets) expect(logged).not.toContain(secret);
  });

  it('exposes Prometheus metrics: requests, decisions by outcome, appraisals, latency', async () => {
    const text = await (await fetch(`${world.running.address}/metrics`)).text();
    expect(text).toMatch(/posture_http_requests_total\{method="POST",route="\/v1\/attest",status="200"\} \d+/);
    expect(text).toMatch(/posture_authz_decisions_total\{outcome="allow"\} \d+/);
    expect(text).toMatch(/posture_appraisals_total\{status="compliant"\} \d+/);
    expect(text).toContain('posture_http_request_duration_seconds_bucket');
  });

  // Only PostgreSQL can be stopped under a running service, or shared by two service processes.
  if (dialect === 'postgres') {
    it('keeps serving while the database is down, and recovers without a restart', async () => {
      const device = laptop();
      const deps = agent(world, device);
      await enrollDevice(deps, await token(world));
      const { response } = await submitPosture(deps);
      await postgres!.halt();
      try {
        expect(await refusal(deps.client.challenge(device.deviceId))).toEqual({ code: 'ERR_DATABASE_UNAVAILABLE', status: 503 });
        expect(await (await fetch(`${world.running.address}/healthz`)).json()).toEqual({ status: 'degraded', database: 'unavailable' });
        expect((await authz(world, response.result, 'basic')).status).toBe(200);
      } finally {
        await postgres!.restart();
      }
      expect((await submitPosture(deps)).response.status).toBe('compliant');
    }, 30_000);

    it('spends a nonce once across two service processes sharing the database', async () => {
      const device = laptop();
      const deps = agent(world, device);
      await enrollDevice(deps, await token(world));
      const second = await startService(
        parseServeConfig({ dataDir: world.dataDir, port: '0', database: world.database, policy: join(world.dataDir, 'policy.yaml'), logLevel: 'silent', url: deps.client.baseUrl }),
      );
      try {
        const evidence = await evidenceFor(world, deps, device.deviceId);
        const other = new ServiceClient({ baseUrl: second.address });
        const outcomes = await Promise.allSettled([deps.client.attest(evidence), other.attest(evidence)]);
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        const rejected = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')!;
        expect(rejected.reason).toMatchObject({ code: 'ERR_ATTESTATION_NONCE' });
      } finally {
        await second.close();
      }
    }, 30_000);
  }
});
