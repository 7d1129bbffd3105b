/**
 * A real policy service (in-process, real HTTP, SQLite or PostgreSQL) with a fleet in every device
 * state, made the way laptops make it: the agent's own enrolment and check-in code against fake
 * hosts, with the service's clock moved so that grace periods run out and posture goes stale.
 *
 *   compliant     healthy, checked in now (plus `extraCompliant` more, for paging)
 *   warning       disk not encrypted, first failing now: in the 1 h grace period
 *   noncompliant  firewall off since 3 h ago: grace over
 *   stale         healthy, last checked in 3 h ago (posture older than --max-posture-age 11m)
 *   revoked       healthy, revoked by an administrator
 *   unappraised   enrolled (stored) but never appraised
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { enrollDevice, submitPosture, type CheckInDeps } from '../../src/agent/check-in.js';
import { ServiceClient } from '../../src/agent/service-client.js';
import { deriveDeviceId } from '../../src/attest/device-id.js';
import { Es256Key } from '../../src/attest/es256-key.js';
import { MemoryKeyStore } from '../../src/attest/key-store.js';
import { parseServeConfig } from '../../src/server/config.js';
import { API_KEY_PREFIX, ENROLLMENT_TOKEN_PREFIX, newSecret } from '../../src/server/secrets.js';
import { startService, type RunningService } from '../../src/server/start-service.js';
import type { DeviceState } from '../../src/server/store/store.js';
import { healthyLinux, linuxFixture, setSysfs, UBUNTU_BLOCKS, type LinuxScript } from '../fixtures/linux/healthy-linux.js';
import { createFakeHost } from './fake-host.js';
import { startPostgres, type TestPostgres } from './postgres.js';

export const FLEET_POLICY = `
id: console-policy
version: 3
description: Laptops that reach company applications
rules:
  - { id: disk, check: diskEncryption.system, severity: block }
  - { id: fw, check: firewall.enabled, severity: block }
tiers:
  basic: [disk]
  strict: [disk, fw]
gracePeriod: 1h
`;

const HOUR_MS = 3_600_000;

export interface FleetDevice {
  id: string;
  hostname: string;
  /** The Result of its latest check-in (null for the unappraised one). */
  result: string | null;
}

export interface ConsoleFleet {
  running: RunningService;
  /** The service's clock (tests may move it). */
  clock: { now: Date };
  /** An admin API key (Authorization: Bearer). */
  adminKey: string;
  devices: Record<DeviceState, FleetDevice>;
  extra: FleetDevice[];
  close(): Promise<void>;
}

type Posture = 'healthy' | 'unencrypted' | 'firewall-off';

let machine = 0;

function script(posture: Posture, hostname: string, serial: string, asOf: Date): LinuxScript {
  const laptop = healthyLinux(asOf);
  laptop.systemInfo = { ...laptop.systemInfo!, hostname, serial };
  laptop.files['/sys/class/dmi/id/product_serial'] = `${serial}\n`;
  if (posture === 'unencrypted') {
    setSysfs(laptop, { ...UBUNTU_BLOCKS, 'dm-0': { dev: '252:0', dm: { name: 'plain', uuid: 'LVM-plainvolumegroup' }, slaves: ['nvme0n1p3'] } });
  }
  if (posture === 'firewall-off') laptop.files['/etc/ufw/ufw.conf'] = linuxFixture('ufw-conf', 'vm-disabled-default');
  return laptop;
}

export async function startConsoleFleet(options: { dialect?: 'sqlite' | 'postgres'; extraCompliant?: number } = {}): Promise<ConsoleFleet> {
  const postgres: TestPostgres | undefined = options.dialect === 'postgres' ? await startPostgres() : undefined;
  const dataDir = await mkdtemp(join(tmpdir(), 'posture-console-'));
  await writeFile(join(dataDir, 'policy.yaml'), FLEET_POLICY);
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const clock = { now };
  const logStream = new Writable({ write: (_chunk, _encoding, done) => done() });
  const config = parseServeConfig({
    dataDir, port: '0', database: postgres ? postgres.url : `sqlite:${join(dataDir, 'posture.db')}`, policy: join(dataDir, 'policy.yaml'), logLevel: 'warn',
  });
  const running = await startService(config, { logStream, clock: () => clock.now });
  const store = running.store;

  const key = newSecret(API_KEY_PREFIX);
  await store.createApiKey({ id: key.id, keyHash: key.hash, role: 'admin', name: 'console tests', createdAt: now, revokedAt: null });
  const token = newSecret(ENROLLMENT_TOKEN_PREFIX);
  await store.createEnrollmentToken({ id: token.id, tokenHash: token.hash, usesLeft: 1000, expiresAt: new Date(now.getTime() + 24 * HOUR_MS), createdAt: new Date(now.getTime() - 4 * HOUR_MS), note: 'console tests' });

  const laptop = (posture: Posture, hostname: string, at: Date) => {
    machine += 1;
    const raw = `${process.pid.toString(16)}c0${machine.toString(16)}`.padStart(32, 'c');
    const serial = `SN-${hostname.toUpperCase()}`;
    const deps: CheckInDeps = {
      host: createFakeHost(script(posture, hostname, serial, at)),
      keyStore: new MemoryKeyStore(),
      deviceId: () => Promise.resolve(deriveDeviceId(raw, 'linux')),
      client: new ServiceClient({ baseUrl: running.publicUrl }),
      now: () => clock.now,
    };
    return deps;
  };
  const enrol = async (posture: Posture, hostname: string, at: Date) => {
    clock.now = at;
    const deps = laptop(posture, hostname, at);
    const { enrolled } = await enrollDevice(deps, token.secret);
    return { deps, device: { id: enrolled.deviceId, hostname, result: enrolled.appraisal.result } as FleetDevice };
  };

  const earlier = new Date(now.getTime() - 3 * HOUR_MS);
  const stale = await enrol('healthy', 'stale-laptop', earlier);
  const failing = await enrol('firewall-off', 'firewall-laptop', earlier);
  clock.now = now;
  const noncompliant = { ...failing.device, result: (await submitPosture(failing.deps)).response.result };
  const warning = (await enrol('unencrypted', 'grace-laptop', now)).device;
  const compliant = (await enrol('healthy', 'alice-laptop', now)).device;
  const revoked = (await enrol('healthy', 'lost-laptop', now)).device;
  const extra: FleetDevice[] = [];
  for (let index = 0; index < (options.extraCompliant ?? 0); index += 1) {
    extra.push((await enrol('healthy', `fleet-${String(index).padStart(3, '0')}`, now)).device);
  }
  clock.now = now;
  const unappraisedKey = Es256Key.generate(now);
  const unappraised: FleetDevice = { id: 'unappraised-0000-4000-8000-000000000001', hostname: 'new-laptop', result: null };
  await store.insertDevice({ id: unappraised.id, kid: unappraisedKey.kid, jwk: unappraisedKey.publicJwk, enrolledAt: now, hostname: unappraised.hostname, platform: 'linux' });
  const revocation = await fetch(`${running.address}/v1/devices/${revoked.id}/revoke`, {
    method: 'POST', headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'lost on a train' }),
  });
  if (!revocation.ok) throw new Error(`could not revoke ${revoked.id}: ${revocation.status} ${await revocation.text()}`);
  await store.setDeviceOwner(compliant.id, 'alice@example.com');
  await store.setDeviceOwner(warning.id, '=HYPERLINK("http://evil.example")');

  return {
    running,
    clock,
    adminKey: key.secret,
    devices: { compliant, warning, noncompliant, stale: stale.device, revoked, unappraised },
    extra,
    async close() {
      await running.close();
      await postgres?.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
