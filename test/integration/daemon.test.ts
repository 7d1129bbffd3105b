// The agent daemon in-process against a real policy service (SQLite, real HTTP), with a fake host so
// the test decides what the machine reports. Real timers with short intervals: the test waits for
// events with a deadline, it never asserts durations.
import { countStoredAppraisals } from '../support/stored-appraisals.js';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type AgentConfig } from '../../src/agent/config/agent-config.js';
import { Daemon, type DaemonDeps } from '../../src/agent/daemon/daemon.js';
import { STATE_FILE } from '../../src/agent/daemon/agent-state.js';
import { LocalApiClient } from '../../src/api/local-api-client.js';
import { deriveDeviceId } from '../../src/attest/device-id.js';
import { MemoryKeyStore } from '../../src/attest/key-store.js';
import { parseServeConfig } from '../../src/server/config.js';
import { API_KEY_PREFIX, ENROLLMENT_TOKEN_PREFIX, hashSecret, newSecret } from '../../src/server/secrets.js';
import { LINUX_COMMANDS } from '../../src/exec/commands-linux.js';
import { startService, type RunningService } from '../../src/server/start-service.js';
import { healthyLinux, type LinuxScript } from '../fixtures/linux/healthy-linux.js';
import { createFakeHost } from '../support/fake-host.js';
import { DAEMON_TEST_POLICY as POLICY } from '../support/agent-daemon.js';
import { until } from '../support/until.js';


let serviceDir: string;
let service: RunningService;
let serviceUrl: string;

/** Appraisals the service stored, per device, over every start of the service. */
const counters: ((deviceId: string) => number)[] = [];

function storedAppraisals(deviceId: string): number {
  return counters.reduce((sum, counter) => sum + counter(deviceId), 0);
}

async function startTestService(port = '0'): Promise<RunningService> {
  const config = parseServeConfig({ dataDir: serviceDir, port, policy: join(serviceDir, 'policy.yaml'), logLevel: 'silent' });
  service = await startService(config);
  serviceUrl = service.publicUrl;
  counters.push(countStoredAppraisals(service.store));
  return service;
}

/** An enrolment token in the service's database (an existing one again, for a fresh database). */
async function token(existing?: string): Promise<string> {
  const secret = newSecret(ENROLLMENT_TOKEN_PREFIX);
  const value = existing ?? secret.secret;
  const now = new Date();
  await service.store.createEnrollmentToken({ id: secret.id, tokenHash: hashSecret(value), usesLeft: 5, expiresAt: new Date(now.getTime() + 3_600_000), createdAt: now, note: null });
  return value;
}

/** A laptop whose firewall is decided by ufw alone (nft is not installed), so turning ufw off is a clear failure. */
function ufwLaptop(): LinuxScript {
  const script = healthyLinux(new Date());
  Reflect.deleteProperty(script.links, LINUX_COMMANDS.nft);
  return script;
}


interface Agent {
  daemon: Daemon;
  stateDir: string;
  script: LinuxScript;
  deviceId: string;
  config: { current: AgentConfig };
  logs: string[];
  keyStore: MemoryKeyStore;
}

let machine = 0x100;
const agents: Agent[] = [];

async function startAgent(
  overrides: Partial<AgentConfig>,
  script: LinuxScript = healthyLinux(new Date()),
  configFile?: string,
  extra: Pick<DaemonDeps, 'sharedStatusFile'> = {},
): Promise<Agent> {
  machine += 1;
  const stateDir = await mkdtemp(join(tmpdir(), 'posture-daemon-'));
  const deviceId = deriveDeviceId(machine.toString(16).padStart(32, 'b'), 'linux');
  const config = { current: { ...DEFAULT_CONFIG, serviceUrl, checkIntervalSeconds: 1, retryInitialSeconds: 1, retryMaxSeconds: 2, ...overrides } };
  const logs: string[] = [];
  const log = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(chunk.toString()), done()) }));
  const keyStore = new MemoryKeyStore();
  const daemon = new Daemon({
    stateDir,
    host: createFakeHost(script),
    keyStore,
    deviceId: () => Promise.resolve(deviceId),
    loadConfig: async () => {
      if (!configFile) return { config: config.current, files: [] };
      const fromFile = JSON.parse(await readFile(configFile, 'utf8')) as Partial<AgentConfig>;
      return { config: { ...config.current, ...fromFile }, files: [configFile] };
    },
    log,
    watchEnvironment: false,
    ...extra,
  });
  await daemon.start();
  const agent = { daemon, stateDir, script, deviceId, config, logs, keyStore };
  agents.push(agent);
  return agent;
}

async function latestAppraisal(deviceId: string) {
  return service.store.latestAppraisal(deviceId);
}

beforeAll(async () => {
  serviceDir = await mkdtemp(join(tmpdir(), 'posture-daemon-svc-'));
  await writeFile(join(serviceDir, 'policy.yaml'), POLICY);
  await startTestService();
});

afterEach(async () => {
  for (const agent of agents.splice(0)) {
    await agent.daemon.stop();
    await rm(agent.stateDir, { recursive: true, force: true });
  }
});

afterAll(async () => {
  await service.close();
  await rm(serviceDir, { recursive: true, force: true });
});

describe('the agent daemon', () => {
  it('enrols on first start with the configured token, delivers, and serves its status over the local API', async () => {
    const agent = await startAgent({ enrollmentToken: await token() });
    await until('the first delivery', () => agent.daemon.status().lastDeliveryAt);
    const client = await LocalApiClient.fromStateDir(agent.stateDir);
    const status = await client.status();
    expect(status).toMatchObject({ state: 'compliant', deviceId: agent.deviceId, service: serviceUrl, enrolled: true, policy: 'daemon-test@1', tiers: ['basic', 'strict'] });
    expect((await client.token()).result.split('.')).toHaveLength(3);
    expect(await latestAppraisal(agent.deviceId)).toMatchObject({ status: 'compliant' });
  });

  it('shares its status and "check now", never its Result, with every local user when asked to (a system daemon)', async () => {
    const shared = join(await mkdtemp(join(tmpdir(), 'posture-shared-run-')), 'posture-agent', 'local-api-shared.json');
    const agent = await startAgent({ enrollmentToken: await token() }, healthyLinux(new Date()), undefined, { sharedStatusFile: shared });
    await until('the first delivery', () => agent.daemon.status().lastDeliveryAt);
    expect((await stat(shared)).mode & 0o777).toBe(0o644);
    const published = JSON.parse(await readFile(shared, 'utf8')) as { url: string; secret: string };
    expect(published.url).toBe(agent.daemon.localApiUrl);
    expect(published.secret).not.toBe((await readFile(join(agent.stateDir, 'local-api.secret'), 'utf8')).trim());
    const client = (await LocalApiClient.fromSharedFile(shared, process.getuid?.()))!;
    expect(await client.status()).toMatchObject({ state: 'compliant', deviceId: agent.deviceId });
    const before = storedAppraisals(agent.deviceId);
    await client.check();
    expect(storedAppraisals(agent.deviceId)).toBe(before + 1);
    await expect(client.token()).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    expect(agent.logs.join('')).not.toContain(published.secret);
    await rm(dirname(dirname(shared)), { recursive: true, force: true });
  });

  it('notices drift: when the host changes, the service\'s verdict for the device changes within an interval', async () => {
    const agent = await startAgent({ enrollmentToken: await token() }, ufwLaptop());
    await until('a compliant appraisal', async () => (await latestAppraisal(agent.deviceId))?.status === 'compliant');
    agent.script.files['/etc/ufw/ufw.conf'] = 'ENABLED=no\nLOGLEVEL=low\n';
    const changed = await until('the service to see the firewall off', async () => {
      const appraisal = await latestAppraisal(agent.deviceId);
      return appraisal?.status === 'noncompliant' ? appraisal : null;
    }, { deadlineMs: 5_000 });
    expect(changed.verdicts.find((verdict) => verdict.id === 'fw')).toMatchObject({ status: 'fail', blocking: true });
    await until('the daemon to show it', () => agent.daemon.status().state === 'noncompliant');
  });

  it('never runs two checks at once', async () => {
    const agent = await startAgent({ enrollmentToken: await token(), checkIntervalSeconds: 3600 });
    // The delivery is recorded before its check ends: wait for the end, or the calls below would join it.
    await until('the first check to end', () => agent.daemon.status().lastDeliveryAt && !agent.daemon.status().checking);
    const before = storedAppraisals(agent.deviceId);
    await Promise.all([agent.daemon.checkNow('a'), agent.daemon.checkNow('b'), agent.daemon.checkNow('c')]);
    expect(storedAppraisals(agent.deviceId)).toBe(before + 1);
  });

  it('stops retrying an answer retrying cannot change (revoked), surfaces it, and tries again when asked', async () => {
    const agent = await startAgent({ enrollmentToken: await token() });
    await until('the first delivery', () => agent.daemon.status().lastDeliveryAt);
    const admin = newSecret(API_KEY_PREFIX);
    await service.store.createApiKey({ id: admin.id, keyHash: admin.hash, role: 'admin', name: 't', createdAt: new Date(), revokedAt: null });
    await fetch(`${service.address}/v1/devices/${agent.deviceId}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${admin.secret}` } });
    const status = await until('the refusal to surface', () => (agent.daemon.status().lastError?.code === 'ERR_DEVICE_REVOKED' ? agent.daemon.status() : null));
    expect(status).toMatchObject({ state: 'noncompliant', lastError: { retryable: false }, tiers: [] });
    const attempts = storedAppraisals(agent.deviceId);
    // Three intervals pass: checks go on locally, but nothing is sent.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(agent.daemon.status().lastCheckAt! > status.lastCheckAt!).toBe(true);
    expect(storedAppraisals(agent.deviceId)).toBe(attempts);
    expect(agent.logs.filter((line) => line.includes('ERR_DEVICE_REVOKED')).length).toBe(1);
    await agent.daemon.checkNow('local API');
    expect(agent.logs.filter((line) => line.includes('ERR_DEVICE_REVOKED')).length).toBe(2);
  });

  it('enrols again when the service no longer knows the device and a token is configured', async () => {
    const enrolment = await token();
    const agent = await startAgent({ enrollmentToken: enrolment });
    await until('the first delivery', () => agent.daemon.status().lastDeliveryAt);
    // A new service database behind the same URL: the device is unknown there.
    const port = new URL(service.address).port;
    await service.close();
    await rm(join(serviceDir, 'posture.db'), { force: true });
    await rm(join(serviceDir, 'posture.db-wal'), { force: true });
    await rm(join(serviceDir, 'posture.db-shm'), { force: true });
    await startTestService(port);
    await token(enrolment);
    await until('re-enrolment', () => agent.logs.some((line) => line.includes('enrolling again')) || null);
    await until('delivery to the new database', async () => (await latestAppraisal(agent.deviceId))?.status === 'compliant');
  });

  it('keeps the latest posture and delivers it once the service is back, without a restart', async () => {
    const agent = await startAgent({ enrollmentToken: await token() }, ufwLaptop());
    await until('the first delivery', () => agent.daemon.status().lastDeliveryAt);
    const port = new URL(service.address).port;
    await service.close();
    await until('two failed deliveries', () => (agent.daemon.status().consecutiveFailures >= 2 ? true : null));
    expect(agent.daemon.status().lastError).toMatchObject({ code: 'ERR_SERVICE_UNREACHABLE', retryable: true });
    agent.script.files['/etc/ufw/ufw.conf'] = 'ENABLED=no\n';
    const back = new Date();
    await startTestService(port);
    const delivered = await until('delivery after the outage', async () => {
      const appraisal = await latestAppraisal(agent.deviceId);
      return appraisal && appraisal.createdAt >= back ? appraisal : null;
    }, { deadlineMs: 10_000 });
    expect(delivered.status).toBe('noncompliant');
    expect(delivered.posture.firewall.status).toBe('disabled');
    await until('the daemon to recover', () => agent.daemon.status().consecutiveFailures === 0 || null);
  });

  it('applies a changed configuration file without a restart (here: enrols once a service and token appear)', async () => {
    const configDir = await mkdtemp(join(tmpdir(), 'posture-daemon-config-'));
    const configFile = join(configDir, 'config.json');
    await writeFile(configFile, JSON.stringify({ serviceUrl: null }));
    const agent = await startAgent({}, healthyLinux(new Date()), configFile);
    await until('the missing enrolment to surface', () => agent.daemon.status().lastError?.code === 'ERR_NOT_ENROLLED' || null);
    expect(agent.daemon.status()).toMatchObject({ state: 'unknown', enrolled: false });
    await writeFile(configFile, JSON.stringify({ serviceUrl, enrollmentToken: await token() }));
    await until('enrolment after the change', () => agent.daemon.status().lastDeliveryAt, { deadlineMs: 10_000 });
    expect(agent.daemon.status()).toMatchObject({ enrolled: true, service: serviceUrl, lastError: null });
    await rm(configDir, { recursive: true, force: true });
  });

  it('never writes the private key, the local API secret, the enrolment token or a whole Result to its log or state', async () => {
    const enrolment = await token();
    const agent = await startAgent({ enrollmentToken: enrolment });
    await until('the first delivery', () => agent.daemon.status().lastDeliveryAt);
    const secret = (await readFile(join(agent.stateDir, 'local-api.secret'), 'utf8')).trim();
    const privateKey = (await agent.keyStore.load())!.active.exportPrivateJwk().d!;
    const result = agent.daemon.currentResult()!.result;
    const logged = agent.logs.join('');
    for (const value of [secret, privateKey, enrolment, result]) expect(logged).not.toContain(value);
    const state = await readFile(join(agent.stateDir, STATE_FILE), 'utf8');
    for (const value of [secret, privateKey, enrolment]) expect(state).not.toContain(value);
  });
});
