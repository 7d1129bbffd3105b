// SIGHUP reloads the policy file and the signing keys and the service keeps serving: in-process
// (startService, and the serve command with its reload signal injected) and as a real child
// process sent SIGHUP. A policy that does not load is logged and the running one kept.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runServiceCli } from '../../src/cli/service-program.js';
import { parseServeConfig } from '../../src/server/config.js';
import { ServiceKeys } from '../../src/server/service-keys.js';
import { openLocalKeyVaults } from '../../src/server/local-key-vaults.js';
import { startService, type RunningService } from '../../src/server/start-service.js';
import { startServiceProcess, tempDir, type ServiceProcess } from '../support/service-process.js';
import { until } from '../support/until.js';

function policy(version: number, tiers: Record<string, string[]>): string {
  return JSON.stringify({
    id: 'reload-test',
    version,
    rules: [
      { id: 'disk', check: 'diskEncryption.system', severity: 'block' },
      { id: 'fw', check: 'firewall.enabled', severity: 'block' },
    ],
    tiers,
  });
}

const FIRST = policy(1, { basic: ['disk'] });
const SECOND = policy(2, { basic: ['disk'], gold: ['disk', 'fw'] });
const BROKEN = '{ "id": "reload-test", "version": 3, "rules": [';

/** The status forward-auth answers for a tier without a Result: 400 when the policy lacks the tier, else 401. */
async function tierStatus(address: string, tier: string): Promise<number> {
  const response = await fetch(`${address}/v1/authz?tier=${tier}`);
  await response.arrayBuffer();
  return response.status;
}

interface LogLine {
  level: number;
  msg: string;
  policy?: string;
  signingKey?: string;
  keys?: string[];
  code?: string;
}

function parsed(lines: readonly string[]): LogLine[] {
  return lines.flatMap((chunk) => chunk.split('\n')).filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as LogLine);
}

let work: Awaited<ReturnType<typeof tempDir>>;
let policyFile: string;

beforeEach(async () => {
  work = await tempDir('posture-reload-');
  policyFile = join(work.path, 'policy.json');
  await writeFile(policyFile, FIRST);
});

afterEach(async () => {
  await work.remove();
});

describe('RunningService.reload', () => {
  let running: RunningService | undefined;
  afterEach(async () => {
    await running?.close();
  });

  it('applies a new policy and new signing keys, logs what is in force, and keeps the old policy when the new one is broken', async () => {
    const logs: string[] = [];
    const logStream = new Writable({ write: (chunk: Buffer, _encoding, done) => (logs.push(chunk.toString()), done()) });
    running = await startService(parseServeConfig({ dataDir: work.path, port: '0', policy: policyFile, logLevel: 'info' }), { logStream });
    expect(await tierStatus(running.address, 'gold')).toBe(400);
    const firstKid = running.keys.signing.kid;

    await writeFile(policyFile, SECOND);
    const vaults = await openLocalKeyVaults(work.path);
    const rotated = await ServiceKeys.rotate(vaults.results).finally(() => vaults.close());
    expect(await running.reload()).toBe(true);
    expect(running.service.policy).toMatchObject({ id: 'reload-test', version: 2 });
    expect(await tierStatus(running.address, 'gold')).toBe(401);
    expect(running.keys.signing.kid).toBe(rotated.kid);
    const reloaded = parsed(logs).find((line) => line.msg === 'reloaded');
    expect(reloaded).toMatchObject({ level: 30, policy: 'reload-test@2', signingKey: rotated.kid });
    expect(reloaded?.keys).toEqual(expect.arrayContaining([rotated.kid, firstKid]));

    await writeFile(policyFile, BROKEN);
    expect(await running.reload()).toBe(false);
    expect(running.service.policy).toMatchObject({ version: 2 });
    expect(await tierStatus(running.address, 'gold')).toBe(401);
    const lines = parsed(logs);
    expect(lines.find((line) => line.level === 50 && line.msg.startsWith('reload: the policy could not be loaded'))).toMatchObject({ code: 'ERR_POLICY_INVALID' });
    expect(lines.find((line) => line.msg === 'reload incomplete')).toMatchObject({ policy: 'reload-test@2' });
    expect((await fetch(`${running.address}/healthz`)).status).toBe(200);
  });
});

describe('posture-service serve with an injected reload signal', () => {
  it('reloads whenever the signal fires while it serves, and stops listening for it when it stops', async () => {
    let reload: (() => void) | undefined;
    let unsubscribed = false;
    let stop: (signal: string) => void = () => undefined;
    let running: RunningService | undefined;
    const stderr: string[] = [];
    const exit = runServiceCli(['serve', '--port', '0', '--data-dir', work.path, '--policy', policyFile, '--log-level', 'silent'], {
      io: { stdout: () => undefined, stderr: (text) => stderr.push(text), color: false },
      facts: { platform: 'linux', env: {}, uid: 1000, home: work.path },
      stopSignal: () => new Promise((resolve) => (stop = resolve)),
      reloadSignal: (handler) => {
        reload = handler;
        return () => (unsubscribed = true);
      },
      onListening: (service) => (running = service),
    });
    const service = await until('the service to listen', () => running);
    expect(await tierStatus(service.address, 'gold')).toBe(400);

    await writeFile(policyFile, SECOND);
    reload!();
    await until('the reloaded policy to decide', async () => (await tierStatus(service.address, 'gold')) === 401);

    stop('SIGTERM');
    expect(await exit, stderr.join('')).toBe(0);
    expect(unsubscribed).toBe(true);
  });
});

describe('a real posture-service process sent SIGHUP', () => {
  let service: ServiceProcess | undefined;
  afterEach(async () => {
    await service?.stop();
  });

  it.runIf(process.platform !== 'win32')('reloads and keeps serving; a broken policy is logged and the old one kept; SIGTERM still stops it', async () => {
    service = await startServiceProcess({ dataDir: join(work.path, 'data'), extraArgs: ['--policy', policyFile] });
    expect(await tierStatus(service.address, 'gold')).toBe(400);
    let exited = false;
    service.child.once('exit', () => (exited = true));

    await writeFile(policyFile, SECOND);
    service.child.kill('SIGHUP');
    const reloaded = await until('the "reloaded" log line', () => parsed(service!.logs).find((line) => line.msg === 'reloaded'));
    expect(reloaded).toMatchObject({ policy: 'reload-test@2', signingKey: expect.any(String), keys: [reloaded.signingKey] });
    expect(await tierStatus(service.address, 'gold')).toBe(401);

    await writeFile(policyFile, BROKEN);
    service.child.kill('SIGHUP');
    const incomplete = await until('the "reload incomplete" log line', () => parsed(service!.logs).find((line) => line.msg === 'reload incomplete'));
    expect(incomplete).toMatchObject({ policy: 'reload-test@2' });
    expect(parsed(service.logs).some((line) => line.code === 'ERR_POLICY_INVALID')).toBe(true);
    expect(await tierStatus(service.address, 'gold')).toBe(401);
    expect(exited).toBe(false);

    expect(await service.stop()).toBe(0);
    service = undefined;
  });
});
