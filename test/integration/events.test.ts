// Device state events through the real service to real receivers in this process: a webhook
// (Standard Webhooks signature checked with the secret) and an SSF push receiver (the SET checked
// against the service's JWKS). Real agents on fake hosts drift; the clock is injected. Both
// SQLite and PostgreSQL; then two instances on one PostgreSQL.
import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enrollDevice, submitPosture, type CheckInDeps } from '../../src/agent/check-in.js';
import { ServiceClient } from '../../src/agent/service-client.js';
import { deriveDeviceId } from '../../src/attest/device-id.js';
import { MemoryKeyStore } from '../../src/attest/key-store.js';
import { parseServeConfig } from '../../src/server/config.js';
import { CAEP_DEVICE_COMPLIANCE_CHANGE } from '../../src/server/events/caep-set.js';
import { API_KEY_PREFIX, ENROLLMENT_TOKEN_PREFIX, newSecret } from '../../src/server/secrets.js';
import { startService, type RunningService } from '../../src/server/start-service.js';
import { healthyLinux, linuxFixture, type LinuxScript } from '../fixtures/linux/healthy-linux.js';
import { DAEMON_TEST_POLICY as POLICY } from '../support/agent-daemon.js';
import { startReceiver, type ReceivedRequest, type TestReceiver } from '../support/event-receivers.js';
import { createFakeHost } from '../support/fake-host.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { SERVICE_BIN } from '../support/service-process.js';

const run = promisify(execFile);

const UFW_CONF = '/etc/ufw/ufw.conf';
const AUDIENCE = 'https://receiver.example/ssf';
const SSF_TOKEN = 'Bearer ssf-receiver-token';

let machine = 0;
interface Laptop { script: LinuxScript; deviceId: string }
function laptop(): Laptop {
  machine += 1;
  return { script: healthyLinux(new Date()), deviceId: deriveDeviceId(machine.toString(16).padStart(32, 'e'), 'linux') };
}

function setFirewall(script: LinuxScript, on: boolean): void {
  script.files[UFW_CONF] = linuxFixture('ufw-conf', on ? 'vm-enabled' : 'vm-disabled-default');
}

interface Instance {
  running: RunningService;
  clock: { now: Date };
}

interface Setup {
  dataDir: string;
  database: string;
  webhook: TestReceiver;
  ssf: TestReceiver;
  secret: Buffer;
  eventsFile: string;
  /** Every instance's public URL (without --url each is named by its own address): the SETs' possible issuers. */
  issuers: string[];
}

async function setUp(database: (dataDir: string) => string): Promise<Setup> {
  const dataDir = await mkdtemp(join(tmpdir(), 'posture-events-'));
  await writeFile(join(dataDir, 'policy.yaml'), POLICY);
  const secret = randomBytes(32);
  await writeFile(join(dataDir, 'webhook.secret'), `whsec_${secret.toString('base64')}\n`, { mode: 0o600 });
  await writeFile(join(dataDir, 'ssf.authorization'), `${SSF_TOKEN}\n`, { mode: 0o600 });
  const webhook = await startReceiver(204);
  const ssf = await startReceiver(202);
  const eventsFile = join(dataDir, 'events.yaml');
  await writeFile(eventsFile, [
    'webhooks:',
    `  - { url: "${webhook.url}", secretFile: "${join(dataDir, 'webhook.secret')}" }`,
    'ssfReceivers:',
    `  - { url: "${ssf.url}", audience: "${AUDIENCE}", authorizationFile: "${join(dataDir, 'ssf.authorization')}" }`,
  ].join('\n'));
  return { dataDir, database: database(dataDir), webhook, ssf, secret, eventsFile, issuers: [] };
}

async function start(setup: Setup, clock = { now: new Date() }): Promise<Instance> {
  const logStream = new Writable({ write: (_chunk: Buffer, _encoding, done) => done() });
  const config = parseServeConfig({
    dataDir: setup.dataDir, port: '0', database: setup.database, policy: join(setup.dataDir, 'policy.yaml'), events: setup.eventsFile, logLevel: 'silent',
  });
  const running = await startService(config, { logStream, clock: () => clock.now });
  setup.issuers.push(running.publicUrl);
  return { running, clock };
}

async function credentials(instance: Instance): Promise<{ enrol: string; admin: string }> {
  const { store } = instance.running;
  const now = instance.clock.now;
  const enrol = newSecret(ENROLLMENT_TOKEN_PREFIX);
  await store.createEnrollmentToken({ id: enrol.id, tokenHash: enrol.hash, usesLeft: 100, expiresAt: new Date(now.getTime() + 86_400_000), createdAt: now, note: null });
  const admin = newSecret(API_KEY_PREFIX);
  await store.createApiKey({ id: admin.id, keyHash: admin.hash, role: 'admin', name: 'it', createdAt: now, revokedAt: null });
  return { enrol: enrol.secret, admin: admin.secret };
}

function agentOn(instance: Instance, device: Laptop): CheckInDeps {
  return {
    host: createFakeHost(device.script),
    keyStore: new MemoryKeyStore(),
    deviceId: () => Promise.resolve(device.deviceId),
    client: new ServiceClient({ baseUrl: instance.running.publicUrl }),
    now: () => instance.clock.now,
  };
}

interface WebhookEvent {
  type: string;
  id: string;
  time: string;
  data: { deviceId: string; hostname: string | null; owner?: string; previousState: string; state: string; policy: string | null; failing: string[] };
}

/** The webhooks received for a device, after checking each one's signature with the secret. */
function webhooksFor(setup: Setup, deviceId: string): WebhookEvent[] {
  return setup.webhook.received.map((request) => {
    const id = String(request.headers['webhook-id']);
    const timestamp = String(request.headers['webhook-timestamp']);
    const expected = createHmac('sha256', setup.secret).update(`${id}.${timestamp}.${request.body}`).digest('base64');
    expect(request.headers['webhook-signature']).toBe(`v1,${expected}`);
    expect(request.headers['content-type']).toBe('application/json');
    return JSON.parse(request.body) as WebhookEvent;
  }).filter((event) => event.data.deviceId === deviceId);
}

function setSubjectDevice(payload: Record<string, unknown>): string | undefined {
  const sub = payload.sub_id as { format: string; id?: string; device?: { id: string } };
  return sub.format === 'complex' ? sub.device?.id : sub.id;
}

/** The SETs received for a device, each verified against the service's JWKS. */
async function setsFor(setup: Setup, instance: Instance, deviceId: string): Promise<Record<string, unknown>[]> {
  const jwks = createRemoteJWKSet(new URL(`${instance.running.address}/.well-known/jwks.json`));
  const verified = await Promise.all(setup.ssf.received.map(async (request: ReceivedRequest) => {
    expect(request.headers['content-type']).toBe('application/secevent+jwt');
    expect(request.headers.authorization).toBe(SSF_TOKEN);
    expect(decodeProtectedHeader(request.body).typ).toBe('secevent+jwt');
    const { payload } = await jwtVerify(request.body, jwks, { issuer: setup.issuers, audience: AUDIENCE, typ: 'secevent+jwt' });
    return payload;
  }));
  return verified.filter((payload) => setSubjectDevice(payload) === deviceId);
}

async function deliveries(instance: Instance, admin: string, query: string): Promise<{ attempts: { outcome: string; statusCode: number | null; attempt: number; destination: string; nextAttemptAt: string | null; error: string | null }[] }> {
  const response = await fetch(`${instance.running.address}/v1/events/deliveries?${query}`, { headers: { authorization: `Bearer ${admin}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as Awaited<ReturnType<typeof deliveries>>;
}

const dialects: [string, () => Promise<{ database: (dataDir: string) => string; stop(): Promise<void> }>][] = [
  ['SQLite', () => Promise.resolve({ database: (dataDir: string) => `sqlite:${join(dataDir, 'posture.db')}`, stop: () => Promise.resolve() })],
  ['PostgreSQL', async () => {
    const postgres: TestPostgres = await startPostgres();
    return { database: () => postgres.url, stop: () => postgres.stop() };
  }],
];

describe.each(dialects)('device state events (%s)', (_name, openDatabase) => {
  let setup: Setup;
  let instance: Instance;
  let keys: { enrol: string; admin: string };
  let stopDatabase: () => Promise<void>;

  beforeAll(async () => {
    const database = await openDatabase();
    stopDatabase = () => database.stop();
    setup = await setUp(database.database);
    instance = await start(setup);
    keys = await credentials(instance);
  }, 120_000);

  afterAll(async () => {
    await instance.running.close();
    await setup.webhook.close();
    await setup.ssf.close();
    await stopDatabase();
    await rm(setup.dataDir, { recursive: true, force: true });
  });

  afterEach(() => {
    setup.webhook.answer = 204;
    setup.ssf.answer = 202;
  });

  async function enrolled(): Promise<{ device: Laptop; deps: CheckInDeps }> {
    const device = laptop();
    const deps = agentOn(instance, device);
    await enrollDevice(deps, keys.enrol);
    return { device, deps };
  }

  it('sends one signed webhook and one verified SET when a device drifts, and nothing for identical appraisals', async () => {
    const { device, deps } = await enrolled();
    await instance.running.events.runOnce();
    expect(webhooksFor(setup, device.deviceId)).toEqual([]);

    setFirewall(device.script, false);
    await submitPosture(deps);
    await instance.running.events.runOnce();
    const [webhook, ...moreWebhooks] = webhooksFor(setup, device.deviceId);
    expect(moreWebhooks).toEqual([]);
    expect(webhook).toMatchObject({
      type: 'device.state_changed',
      data: { deviceId: device.deviceId, previousState: 'compliant', state: 'noncompliant', policy: 'daemon-test@1', failing: ['fw'] },
    });
    expect(webhook!.data).not.toHaveProperty('owner');

    const [set, ...moreSets] = await setsFor(setup, instance, device.deviceId);
    expect(moreSets).toEqual([]);
    expect(set).toMatchObject({
      sub_id: { format: 'opaque', id: device.deviceId },
      events: { [CAEP_DEVICE_COMPLIANCE_CHANGE]: { previous_status: 'compliant', current_status: 'not-compliant' } },
    });
    const caep = (set!.events as Record<string, Record<string, unknown>>)[CAEP_DEVICE_COMPLIANCE_CHANGE]!;
    expect(caep.event_timestamp).toBe(Math.floor(new Date(webhook!.time).getTime() / 1000));
    expect((caep.reason_admin as { en: string }).en).toContain('fw');

    await submitPosture(deps);
    await submitPosture(deps);
    await instance.running.events.runOnce();
    expect(webhooksFor(setup, device.deviceId)).toHaveLength(1);
    expect(await setsFor(setup, instance, device.deviceId)).toHaveLength(1);

    setFirewall(device.script, true);
    await submitPosture(deps);
    await instance.running.events.runOnce();
    expect(webhooksFor(setup, device.deviceId).map((event) => event.data.state)).toEqual(['noncompliant', 'compliant']);
    const sets = await setsFor(setup, instance, device.deviceId);
    expect(sets.map((payload) => (payload.events as Record<string, { current_status: string }>)[CAEP_DEVICE_COMPLIANCE_CHANGE]!.current_status))
      .toEqual(['not-compliant', 'compliant']);
    expect(new Set(sets.map((payload) => payload.jti)).size).toBe(2);
    expect((await instance.running.store.listStateEvents({ deviceId: device.deviceId, limit: 10 })).map((event) => event.state)).toEqual(['compliant', 'noncompliant']);
  });

  it('sends a webhook, and no SET, when a device\'s first appraisal finds it failing', async () => {
    const device = laptop();
    setFirewall(device.script, false);
    await enrollDevice(agentOn(instance, device), keys.enrol);
    await instance.running.events.runOnce();
    expect(webhooksFor(setup, device.deviceId).map((event) => [event.data.previousState, event.data.state])).toEqual([['unappraised', 'noncompliant']]);
    expect(await setsFor(setup, instance, device.deviceId)).toEqual([]);
  });

  it('sends one event when an administrator revokes a device, naming its owner, and one when it is restored', async () => {
    const { device } = await enrolled();
    await instance.running.store.setDeviceOwner(device.deviceId, 'alice@example.com');
    const response = await fetch(`${instance.running.address}/v1/devices/${device.deviceId}/revoke`, {
      method: 'POST', headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' }, body: '{}',
    });
    expect(response.status).toBe(200);
    await instance.running.events.runOnce();
    await instance.running.events.runOnce();
    expect(webhooksFor(setup, device.deviceId).map((event) => event.data)).toEqual([
      expect.objectContaining({ previousState: 'compliant', state: 'revoked', owner: 'alice@example.com' }),
    ]);
    const sets = await setsFor(setup, instance, device.deviceId);
    expect(sets).toHaveLength(1);
    expect(sets[0]!.sub_id).toEqual({
      format: 'complex', device: { format: 'opaque', id: device.deviceId }, user: { format: 'email', email: 'alice@example.com' },
    });
    const restored = await fetch(`${instance.running.address}/v1/devices/${device.deviceId}/restore`, {
      method: 'POST', headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' }, body: '{}',
    });
    expect(restored.status).toBe(200);
    await instance.running.events.runOnce();
    expect(webhooksFor(setup, device.deviceId).map((event) => [event.data.previousState, event.data.state])).toEqual([['compliant', 'revoked'], ['revoked', 'compliant']]);
    expect(await setsFor(setup, instance, device.deviceId)).toHaveLength(2);
  });

  it('publishes stale from the sweeper once the latest appraisal is older than --max-posture-age', async () => {
    const { device, deps } = await enrolled();
    const started = instance.clock.now;
    try {
      instance.clock.now = new Date(started.getTime() + 12 * 60_000);
      await instance.running.events.runOnce();
      await instance.running.events.runOnce();
      expect(webhooksFor(setup, device.deviceId).map((event) => [event.data.previousState, event.data.state])).toEqual([['compliant', 'stale']]);
      await submitPosture(deps);
      await instance.running.events.runOnce();
      expect(webhooksFor(setup, device.deviceId).map((event) => event.data.state)).toEqual(['stale', 'compliant']);
      expect(await setsFor(setup, instance, device.deviceId)).toHaveLength(2);
    } finally {
      instance.clock.now = new Date(started.getTime() + 12 * 60_000);
    }
  });

  it('retries a receiver that is down with backoff, keeps the delivery across a restart, and logs every attempt', async () => {
    const { device, deps } = await enrolled();
    setup.webhook.answer = 503;
    setup.ssf.answer = 400;
    setFirewall(device.script, false);
    await submitPosture(deps);
    await instance.running.events.runOnce();
    expect(webhooksFor(setup, device.deviceId)).toHaveLength(1);
    await instance.running.events.runOnce();
    expect(webhooksFor(setup, device.deviceId)).toHaveLength(1);

    const log = await deliveries(instance, keys.admin, `device=${device.deviceId}`);
    const webhookAttempts = log.attempts.filter((attempt) => attempt.destination.startsWith('webhook '));
    expect(webhookAttempts).toEqual([expect.objectContaining({ outcome: 'retry', statusCode: 503, attempt: 1 })]);
    const delay = new Date(webhookAttempts[0]!.nextAttemptAt!).getTime() - instance.clock.now.getTime();
    expect(delay).toBeGreaterThanOrEqual(5_000);
    expect(delay).toBeLessThanOrEqual(10_000);
    // A receiver's RFC 8935 400 is final: logged, never retried.
    expect(log.attempts.filter((attempt) => attempt.destination.startsWith('ssf '))).toEqual([
      expect.objectContaining({ outcome: 'failed', statusCode: 400, error: 'invalid_audience: not for us', nextAttemptAt: null }),
    ]);

    await instance.running.close();
    setup.webhook.answer = 204;
    const clock = { now: new Date(instance.clock.now.getTime() + 11_000) };
    instance = await start(setup, clock);
    await instance.running.events.runOnce();
    expect(webhooksFor(setup, device.deviceId)).toHaveLength(2);
    expect(new Set(setup.webhook.received.filter((request) => request.body.includes(device.deviceId)).map((request) => request.headers['webhook-id'])).size).toBe(1);
    const after = await deliveries(instance, keys.admin, `device=${device.deviceId}`);
    expect(after.attempts.filter((attempt) => attempt.destination.startsWith('webhook ')).map((attempt) => [attempt.attempt, attempt.outcome]))
      .toEqual([[2, 'delivered'], [1, 'retry']]);
    expect(await setsFor(setup, instance, device.deviceId)).toHaveLength(1);
  });

  it('prints the delivery log on the command line, as text and as JSON', async () => {
    const { device } = await enrolled();
    await instance.running.store.revokeDevice(device.deviceId, instance.clock.now, null);
    await instance.running.events.runOnce();
    const flags = ['--data-dir', setup.dataDir, '--database', setup.database, '--device', device.deviceId];
    const json = JSON.parse((await run(process.execPath, [SERVICE_BIN, 'events', 'deliveries', ...flags, '--json'])).stdout) as { attempts: { destination: string; outcome: string; state: string }[] };
    expect(json.attempts.map((attempt) => [attempt.destination.split(' ')[0], attempt.outcome, attempt.state]).sort())
      .toEqual([['ssf', 'delivered', 'revoked'], ['webhook', 'delivered', 'revoked']]);
    const text = (await run(process.execPath, [SERVICE_BIN, 'events', 'deliveries', ...flags])).stdout;
    expect(text.trim().split('\n')).toHaveLength(2);
    expect(text).toMatch(new RegExp(`delivered HTTP 204  #1  webhook ${new URL(setup.webhook.url).origin} [0-9a-f]{8}  ${device.deviceId} compliant -> revoked`));
    expect(text).not.toContain('/hook');
  });
});

describe('device state events from two instances on one PostgreSQL', () => {
  let postgres: TestPostgres;
  let setup: Setup;
  let first: Instance;
  let second: Instance;
  let keys: { enrol: string; admin: string };

  beforeAll(async () => {
    postgres = await startPostgres();
    setup = await setUp(() => postgres.url);
    const clock = { now: new Date() };
    first = await start(setup, clock);
    second = await start(setup, clock);
    keys = await credentials(first);
  }, 120_000);

  afterAll(async () => {
    await first.running.close();
    await second.running.close();
    await setup.webhook.close();
    await setup.ssf.close();
    await postgres.stop();
    await rm(setup.dataDir, { recursive: true, force: true });
  });

  it('delivers each event once, whichever instance stored it', async () => {
    const devices = await Promise.all(Array.from({ length: 6 }, async (_, index) => {
      const device = laptop();
      const deps = agentOn(index % 2 === 0 ? first : second, device);
      await enrollDevice(deps, keys.enrol);
      return { device, deps };
    }));
    for (const { device, deps } of devices) {
      setFirewall(device.script, false);
      await submitPosture(deps);
    }
    await Promise.all([first.running.events.runOnce(), second.running.events.runOnce(), first.running.events.runOnce(), second.running.events.runOnce()]);
    for (const { device } of devices) {
      expect(webhooksFor(setup, device.deviceId).map((event) => event.data.state)).toEqual(['noncompliant']);
      expect(await setsFor(setup, first, device.deviceId)).toHaveLength(1);
    }
    expect(new Set(setup.webhook.received.map((request) => request.headers['webhook-id'])).size).toBe(setup.webhook.received.length);
  });
});

describe('the events file', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'posture-events-config-'));
    await writeFile(join(dataDir, 'policy.yaml'), POLICY);
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  async function refusal(events: string, files: Record<string, string> = {}): Promise<unknown> {
    for (const [name, text] of Object.entries(files)) await writeFile(join(dataDir, name), text);
    await writeFile(join(dataDir, 'events.yaml'), events);
    const config = parseServeConfig({ dataDir, port: '0', policy: join(dataDir, 'policy.yaml'), events: join(dataDir, 'events.yaml'), logLevel: 'silent' });
    return startService(config).then(async (running) => {
      await running.close();
      return null;
    }, (error: unknown) => error);
  }

  it('refuses to start the service with a clear ERR_EVENTS_CONFIG, never showing a secret', async () => {
    const weak = 'whsec_c2hvcnQ=';
    const cases: [string, Record<string, string>, RegExp][] = [
      ['webhooks: [{ url: "ftp://x" , secretFile: "s" }]', {}, /webhooks\.0\.url: expected an http\(s\) URL/],
      ['webhooks: [{ url: "https://hooks.example/x" }]', {}, /webhooks\.0\.secretFile/],
      ['surprise: 1', {}, /surprise|unrecognized/i],
      ['webhooks: [', {}, /not valid YAML or JSON/],
      [`webhooks: [{ url: "https://hooks.example/x", secretFile: "${join(dataDir, 'weak.secret')}" }]`, { 'weak.secret': weak }, /whsec_ followed by 24 to 64 random bytes/],
      [`webhooks: [{ url: "https://hooks.example/x", secretFile: "${join(dataDir, 'missing.secret')}" }]`, {}, /missing\.secret: it does not exist/],
      [`ssfReceivers: [{ url: "https://a.example/ssf", audience: "a", name: "idp" }, { url: "https://b.example/ssf", audience: "b", name: "idp" }]`, {}, /both "idp"/],
    ];
    for (const [events, files, message] of cases) {
      const error = await refusal(events, files);
      expect(error, events).toMatchObject({ code: 'ERR_EVENTS_CONFIG', message: expect.stringMatching(message) });
      expect((error as Error).message).not.toContain(weak);
    }
    const missing = await refusal('');
    expect(missing).toBeNull();
  });
});
