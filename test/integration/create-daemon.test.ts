// The one wiring of a real daemon, as `posture-agent run` and the tray's in-process agent use it:
// configuration first (its log level applies), the device id from the machine id, the device key in
// the state directory, a bounded JSON log there. A fake host and machine id stand in for the machine.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDaemon } from '../../src/agent/daemon/create-daemon.js';
import type { DaemonStatus } from '../../src/api/local-api-types.js';
import { deriveDeviceId } from '../../src/attest/device-id.js';
import { MemoryKeyStore } from '../../src/attest/key-store.js';
import { startInProcessBackend, type AgentBackend } from '../../src/tray/agent-backends.js';
import { healthyLinux } from '../fixtures/linux/healthy-linux.js';
import { startTestService, type TestService } from '../support/agent-daemon.js';
import { createFakeHost } from '../support/fake-host.js';
import { until } from '../support/until.js';

/** Each test's laptop: another machine id, so another device for the service. */
const RAW_MACHINE_IDS = ['ab'.repeat(16), 'cd'.repeat(16)];
const cleanup: (() => Promise<void>)[] = [];
let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});

afterAll(async () => {
  await service.close();
});

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'posture-create-daemon-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A laptop whose user configuration file (read through the host, as every configuration source is) says `config`. */
function laptop(userConfigFile: string, config: Record<string, unknown>) {
  const script = healthyLinux(new Date());
  script.files[userConfigFile] = JSON.stringify(config);
  return createFakeHost(script);
}

function logLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('createDaemon', () => {
  it('wires the configuration (its log level), the device id, the key file and the log file', async () => {
    const dir = await stateDir();
    const configFile = join(dir, 'config.json');
    const { daemon, config, logFile } = await createDaemon({
      stateDir: dir,
      env: {},
      host: laptop(configFile, { logLevel: 'debug', checkIntervalSeconds: 3600, serviceUrl: service.url, enrollmentToken: await service.token() }),
      readRawMachineId: () => Promise.resolve(RAW_MACHINE_IDS[0]!),
      flags: { '--interval': { checkIntervalSeconds: 1800 } },
      log: { file: 'test-agent.log', service: 'posture-agent-test' },
    });
    expect(config).toMatchObject({ logLevel: 'debug', checkIntervalSeconds: 1800, serviceUrl: service.url });
    expect(logFile.path).toBe(join(dir, 'test-agent.log'));
    await daemon.start();
    cleanup.push(() => daemon.stop());
    const status = await until('the first delivery', () => {
      const current = daemon.status();
      return current.lastDeliveryAt !== null && !current.checking && current;
    });
    expect(status).toMatchObject({ deviceId: deriveDeviceId(RAW_MACHINE_IDS[0]!, 'linux'), enrolled: true, lastError: null });
    await daemon.stop();
    cleanup.pop();

    expect((await stat(join(dir, 'device-key.json'))).mode & 0o777).toBe(0o600);
    const lines = logLines(await readFile(logFile.path, 'utf8'));
    // ("daemon started" names the policy service in its own `service` field.)
    expect(lines.filter((line) => line['msg'] !== 'daemon started').every((line) => line['service'] === 'posture-agent-test')).toBe(true);
    // debug from the configuration: the check's own debug line is there.
    expect(lines.map((line) => line['msg'])).toEqual(expect.arrayContaining(['daemon started', 'check started', 'daemon stopped']));
    expect(lines.find((line) => line['msg'] === 'daemon started')).toMatchObject({ intervalSeconds: 1800 });
  });

  it('refuses a configuration that does not load before anything is written', async () => {
    const dir = join(await stateDir(), 'not-yet');
    const configFile = join(dir, 'config.json');
    await expect(
      createDaemon({ stateDir: dir, env: {}, host: laptop(configFile, { checkIntervalSeconds: 'often' }), readRawMachineId: () => Promise.resolve(RAW_MACHINE_IDS[0]!), log: { file: 'a.log', service: 'a' } }),
    ).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID' });
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('the tray\'s in-process agent', () => {
  it('is the daemon createDaemon wires, with the tray\'s key store and log file, telling the tray every change', async () => {
    const dir = await stateDir();
    const keyStore = new MemoryKeyStore();
    const backend: AgentBackend = await startInProcessBackend({
      stateDir: dir,
      env: {},
      host: laptop(join(dir, 'config.json'), { serviceUrl: service.url, enrollmentToken: await service.token() }),
      keyStore,
      readRawMachineId: () => Promise.resolve(RAW_MACHINE_IDS[1]!),
    });
    cleanup.push(() => backend.stop());
    const seen: DaemonStatus[] = [];
    backend.subscribe((status) => seen.push(status));
    const checked = await backend.checkNow();
    expect(checked).toMatchObject({ deviceId: deriveDeviceId(RAW_MACHINE_IDS[1]!, 'linux'), enrolled: true, checking: false });
    expect(await keyStore.load()).not.toBeNull();
    expect(seen.length).toBeGreaterThan(0);
    const lines = logLines(await readFile(join(dir, 'tray-agent.log'), 'utf8'));
    expect(lines.find((line) => line['msg'] === 'posture delivered')).toMatchObject({ service: 'posture-agent-tray' });
    // The key is in the tray's store (OS-protected in the app), not a file in the state directory.
    await expect(stat(join(dir, 'device-key.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
