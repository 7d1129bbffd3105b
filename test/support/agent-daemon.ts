/**
 * The agent daemon in-process against a real policy service (SQLite, real HTTP), with a fake host
 * so the test decides what the machine reports; a daemon can be stopped and started again on the
 * same state directory and key, as a restart would.
 */
import { countStoredAppraisals } from './stored-appraisals.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { DEFAULT_CONFIG, type AgentConfig } from '../../src/agent/config/agent-config.js';
import { Daemon, type DaemonDeps } from '../../src/agent/daemon/daemon.js';
import { deriveDeviceId } from '../../src/attest/device-id.js';
import { MemoryKeyStore } from '../../src/attest/key-store.js';
import type { Host } from '../../src/collectors/host.js';
import { parseServeConfig } from '../../src/server/config.js';
import { ENROLLMENT_TOKEN_PREFIX, hashSecret, newSecret } from '../../src/server/secrets.js';
import { startService, type RunningService } from '../../src/server/start-service.js';
import { healthyLinux } from '../fixtures/linux/healthy-linux.js';
import { createFakeHost } from './fake-host.js';

/** Disk encryption for basic, the firewall too for strict, no grace: drift shows at once. */
export const DAEMON_TEST_POLICY = `
id: daemon-test
version: 1
rules:
  - { id: disk, check: diskEncryption.system, severity: block }
  - { id: fw, check: firewall.enabled, severity: block }
tiers:
  basic: [disk]
  strict: [disk, fw]
gracePeriod: 0
`;

export interface TestService {
  running: RunningService;
  /** The URL it signs its Results as. */
  url: string;
  port: number;
  /** A fresh enrolment token (5 uses, an hour). */
  token(): Promise<string>;
  /** Appraisals stored for a device since the service started. */
  appraisals(deviceId: string): Promise<number>;
  close(): Promise<void>;
}

export async function startTestService(): Promise<TestService> {
  const dir = await mkdtemp(join(tmpdir(), 'posture-test-svc-'));
  await writeFile(join(dir, 'policy.yaml'), DAEMON_TEST_POLICY);
  const running = await startService(parseServeConfig({ dataDir: dir, port: '0', policy: join(dir, 'policy.yaml'), logLevel: 'silent' }));
  const stored = countStoredAppraisals(running.store);
  return {
    running,
    url: running.publicUrl,
    port: Number(new URL(running.address).port),
    token: async () => {
      const secret = newSecret(ENROLLMENT_TOKEN_PREFIX);
      const now = new Date();
      await running.store.createEnrollmentToken({ id: secret.id, tokenHash: hashSecret(secret.secret), usesLeft: 5, expiresAt: new Date(now.getTime() + 3_600_000), createdAt: now, note: null });
      return secret.secret;
    },
    appraisals: (deviceId) => Promise.resolve(stored(deviceId)),
    close: async () => {
      await running.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One laptop: its state directory, key and device id outlive each daemon started for it. */
export interface TestMachine {
  stateDir: string;
  keyStore: MemoryKeyStore;
  deviceId: string;
  host: Host;
  remove(): Promise<void>;
}

let machines = 0x200;

export async function testMachine(host: Host = createFakeHost(healthyLinux(new Date()))): Promise<TestMachine> {
  machines += 1;
  const stateDir = await mkdtemp(join(tmpdir(), 'posture-test-agent-'));
  return {
    stateDir,
    keyStore: new MemoryKeyStore(),
    deviceId: deriveDeviceId(machines.toString(16).padStart(32, 'c'), 'linux'),
    host,
    remove: () => rm(stateDir, { recursive: true, force: true }),
  };
}

export interface TestDaemon {
  daemon: Daemon;
  /** Every log line (debug and up) as JSON text. */
  logs: string[];
  /** Log lines whose message is `msg`. */
  logged(msg: string): Record<string, unknown>[];
}

/** Starts a daemon for the machine with the default configuration, fast retries and these overrides. */
export async function startTestDaemon(
  machine: TestMachine,
  config: Partial<AgentConfig>,
  extra: Partial<Pick<DaemonDeps, 'now' | 'sharedStatusFile' | 'onDemandSpacingMs' | 'home' | 'certificateStores'>> = {},
): Promise<TestDaemon> {
  const logs: string[] = [];
  const log = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (logs.push(chunk.toString()), done()) }));
  const merged: AgentConfig = { ...DEFAULT_CONFIG, checkIntervalSeconds: 3600, retryInitialSeconds: 1, retryMaxSeconds: 2, ...config };
  const daemon = new Daemon({
    stateDir: machine.stateDir,
    host: machine.host,
    keyStore: machine.keyStore,
    deviceId: () => Promise.resolve(machine.deviceId),
    loadConfig: () => Promise.resolve({ config: merged, files: [] }),
    log,
    watchEnvironment: false,
    ...extra,
  });
  await daemon.start();
  return {
    daemon,
    logs,
    logged: (msg) => logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['msg'] === msg),
  };
}
