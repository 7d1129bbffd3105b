// The daemon keeps the device certificate: obtained after a delivery, renewed at two thirds of its
// lifetime, removed on revocation, left alone by a system daemon, and not asked for again at every
// delivery after a failure. A real service behind a small proxy that counts (and can refuse)
// certificate requests; a recording store stands in for the user's NSS database.
import { createPrivateKey } from 'node:crypto';
import { stat, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readCurrentCertificate, certificateFiles } from '../../src/agent/certificate/certificate-files.js';
import type { CertificateStore, InstallInput } from '../../src/agent/certificate/stores/index.js';
import { parseServeConfig } from '../../src/server/config.js';
import { API_KEY_PREFIX, ENROLLMENT_TOKEN_PREFIX, hashSecret, newSecret } from '../../src/server/secrets.js';
import { startService, type RunningService } from '../../src/server/start-service.js';
import { DAEMON_TEST_POLICY, startTestDaemon, testMachine, type TestDaemon, type TestMachine } from '../support/agent-daemon.js';
import { until } from '../support/until.js';

const DAY_MS = 86_400_000;

/** Forwards everything to the service; counts POST /v1/certificate and answers it 503 while `refuse` is set. */
class CountingProxy {
  certificateRequests = 0;
  refuse = false;
  target = '';
  readonly server: Server = createServer((incoming, outgoing) => {
    if (incoming.method === 'POST' && incoming.url === '/v1/certificate') {
      this.certificateRequests += 1;
      if (this.refuse) {
        incoming.resume();
        outgoing.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'ERR_DATABASE_UNAVAILABLE', message: 'The database is unavailable; try again later.' } }));
        return;
      }
    }
    const forwarded = httpRequest(`${this.target}${incoming.url}`, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(forwarded);
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

/** Stands in for the user's NSS database: remembers what was installed and removed. */
class RecordingStore implements CertificateStore {
  readonly name = 'recording';
  installed: string[] = [];
  removals = 0;

  install(files: InstallInput): Promise<void> {
    this.installed.push(files.certificate.serial);
    return Promise.resolve();
  }

  remove(): Promise<void> {
    this.removals += 1;
    return Promise.resolve();
  }
}

let dataDir: string;
let service: RunningService;
const proxy = new CountingProxy();
let serviceUrl: string;
let home: string;
const machines: TestMachine[] = [];
const daemons: TestDaemon[] = [];

async function enrolmentToken(): Promise<string> {
  const secret = newSecret(ENROLLMENT_TOKEN_PREFIX);
  const now = new Date();
  await service.store.createEnrollmentToken({ id: secret.id, tokenHash: hashSecret(secret.secret), usesLeft: 5, expiresAt: new Date(now.getTime() + 3_600_000), createdAt: now, note: null });
  return secret.secret;
}

async function laptop(store: RecordingStore, extra: { sharedStatusFile?: string } = {}): Promise<{ machine: TestMachine; agent: TestDaemon }> {
  const machine = await testMachine();
  machines.push(machine);
  const agent = await startTestDaemon(
    machine,
    { serviceUrl, enrollmentToken: await enrolmentToken(), deviceCertificate: true, checkIntervalSeconds: 1 },
    { home, certificateStores: () => [store], ...extra },
  );
  daemons.push(agent);
  return { machine, agent };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'posture-daemon-cert-'));
  home = await mkdtemp(join(tmpdir(), 'posture-daemon-cert-home-'));
  await writeFile(join(dataDir, 'policy.yaml'), DAEMON_TEST_POLICY);
  serviceUrl = await proxy.listen();
  service = await startService(parseServeConfig({ dataDir, port: '0', url: serviceUrl, policy: join(dataDir, 'policy.yaml'), logLevel: 'silent' }));
  proxy.target = service.address;
});

afterEach(async () => {
  await Promise.all(daemons.splice(0).map(({ daemon }) => daemon.stop()));
  await Promise.all(machines.splice(0).map((machine) => machine.remove()));
  proxy.refuse = false;
  proxy.certificateRequests = 0;
});

afterAll(async () => {
  await service.close();
  await new Promise((resolve) => proxy.server.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
});

describe('the daemon and the device certificate', () => {
  it('obtains one after its first delivery, installs it in the user\'s store, shows it in its status, and does not ask again while it is current', async () => {
    const store = new RecordingStore();
    const { machine, agent } = await laptop(store);
    const shown = await until('the certificate in the status', () => agent.daemon.status().certificate);
    const files = certificateFiles(machine.stateDir);
    const current = (await readCurrentCertificate(machine.stateDir))!;
    expect(shown).toEqual({ serial: current.serial, expiresAt: current.notAfter.toISOString(), renewAt: current.renewAt.toISOString() });
    expect(store.installed).toEqual([current.serial]);
    for (const file of [files.keyFile, files.certificateFile, files.caFile]) expect((await stat(file)).mode & 0o777).toBe(0o600);
    const deliveries = agent.logged('posture delivered').length;
    await until('two more deliveries', () => agent.logged('posture delivered').length >= deliveries + 2);
    expect(proxy.certificateRequests).toBe(1);
    expect(store.installed).toHaveLength(1);
  });

  it('renews it once two thirds of its lifetime have passed, and installs the new one', async () => {
    const store = new RecordingStore();
    const { machine, agent } = await laptop(store);
    const first = await until('a certificate', () => agent.daemon.status().certificate);
    // The same key, certified five days ago for seven: past two thirds of its lifetime.
    const files = certificateFiles(machine.stateDir);
    const publicJwk = createPrivateKey(await readFile(files.keyFile, 'utf8')).export({ format: 'jwk' });
    const aged = await service.deviceCa.issue({ deviceId: machine.deviceId, tlsKey: { kty: 'EC', crv: 'P-256', x: publicJwk.x!, y: publicJwk.y! }, now: new Date(Date.now() - 5 * DAY_MS) });
    await writeFile(files.certificateFile, aged.pem, { mode: 0o600 });
    await agent.daemon.checkNow('test');
    const renewed = await until('a renewed certificate', () => {
      const shown = agent.daemon.status().certificate;
      return shown && shown.serial !== first.serial && shown.serial !== aged.serial ? shown : null;
    });
    expect(new Date(renewed.expiresAt).getTime()).toBeGreaterThan(Date.now() + 6 * DAY_MS);
    expect(store.installed).toEqual([first.serial, renewed.serial]);
    expect(agent.logged('device certificate obtained').at(-1)).toMatchObject({ why: 'due' });
  });

  it('removes it from the state directory and the store when the device is revoked', async () => {
    const store = new RecordingStore();
    const { machine, agent } = await laptop(store);
    await until('a certificate', () => agent.daemon.status().certificate);
    const admin = newSecret(API_KEY_PREFIX);
    await service.store.createApiKey({ id: admin.id, keyHash: admin.hash, role: 'admin', name: 'test', createdAt: new Date(), revokedAt: null });
    const revoked = await fetch(`${service.address}/v1/devices/${machine.deviceId}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${admin.secret}` } });
    expect(revoked.status).toBe(200);
    await until('the certificate to go', () => agent.daemon.status().certificate === null);
    expect(await readCurrentCertificate(machine.stateDir)).toBeNull();
    expect(store.removals).toBe(1);
    expect(agent.logged('device revoked: the device certificate was removed')).toHaveLength(1);
  });

  it('is left to the user\'s own agent by a daemon that serves every user (a system daemon)', async () => {
    const store = new RecordingStore();
    const shared = join(await mkdtemp(join(tmpdir(), 'posture-shared-')), 'status.json');
    const { machine, agent } = await laptop(store, { sharedStatusFile: shared });
    await until('two deliveries', () => agent.logged('posture delivered').length >= 2);
    expect(proxy.certificateRequests).toBe(0);
    expect(store.installed).toEqual([]);
    expect(await readCurrentCertificate(machine.stateDir)).toBeNull();
    expect(agent.daemon.status().certificate).toBeNull();
    await rm(join(shared, '..'), { recursive: true, force: true });
  });

  it('after a failed attempt waits (5 minutes, doubling) instead of asking at every delivery', async () => {
    proxy.refuse = true;
    const store = new RecordingStore();
    const { agent } = await laptop(store);
    await until('the first failure', () => agent.logged('could not obtain the device certificate; trying again after the first delivery from retryAt on').length >= 1);
    const deliveries = agent.logged('posture delivered').length;
    await until('three more deliveries', () => agent.logged('posture delivered').length >= deliveries + 3);
    expect(proxy.certificateRequests).toBe(1);
    const [failure] = agent.logged('could not obtain the device certificate; trying again after the first delivery from retryAt on');
    expect(failure).toMatchObject({ code: 'ERR_DATABASE_UNAVAILABLE', failures: 1 });
    const waitMs = new Date(String(failure!['retryAt'])).getTime() - new Date(Number(failure!['time'])).getTime();
    expect(waitMs).toBeGreaterThanOrEqual(5 * 60_000 - 1_000);
    expect(waitMs).toBeLessThanOrEqual(5 * 60_000 + 1_000);
    expect(agent.daemon.status().certificate).toBeNull();
  });
});
