// `posture-agent run` and `posture-service serve` as separate processes: the service goes away
// for a while, and the latest posture arrives once it is back, without restarting the agent.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalApiClient } from '../../src/api/local-api-client.js';
import type { DaemonStatus } from '../../src/api/local-api-types.js';
import { AGENT_BIN, runAgent, startServiceProcess, tempDir, type ServiceProcess } from '../support/service-process.js';
import { until } from '../support/until.js';


describe('the daemon and the service in separate processes', () => {
  let serviceDir: Awaited<ReturnType<typeof tempDir>>;
  let stateDir: Awaited<ReturnType<typeof tempDir>>;
  let service: ServiceProcess;
  let daemon: ChildProcess;
  let shared: string;
  const RETRY_MAX_SECONDS = 2;

  async function status(): Promise<DaemonStatus | null> {
    const answer = await runAgent(stateDir.path, 'status', '--json');
    return answer.stdout ? (JSON.parse(answer.stdout) as DaemonStatus) : null;
  }

  beforeAll(async () => {
    serviceDir = await tempDir('posture-svc-proc-');
    stateDir = await tempDir('posture-agent-proc-');
    service = await startServiceProcess({ dataDir: serviceDir.path });
    const token = (await service.cli('token', 'create')).trim();
    await writeFile(
      join(stateDir.path, 'config.json'),
      JSON.stringify({ serviceUrl: service.url, enrollmentToken: token, checkIntervalSeconds: 1, retryInitialSeconds: 1, retryMaxSeconds: RETRY_MAX_SECONDS }),
    );
    shared = join(stateDir.path, 'shared', 'local-api-shared.json');
    daemon = spawn(process.execPath, [AGENT_BIN, 'run', '--share-status', shared, '--state-dir', stateDir.path], { stdio: 'ignore' });
  }, 30_000);

  afterAll(async () => {
    daemon.kill('SIGTERM');
    await service.stop();
    await serviceDir.remove();
    await stateDir.remove();
  });

  it('delivers the latest posture once the service is back, within the backoff cap, without restarting the agent', async () => {
    const first = await until('the first delivery', async () => ((await status())?.lastDeliveryAt ? status() : null));
    expect(first).toMatchObject({ enrolled: true, service: service.url });

    await service.stop();
    const failing = await until('two failed checks', async () => {
      const current = await status();
      return current && current.consecutiveFailures >= 2 ? current : null;
    });
    expect(failing.lastError).toMatchObject({ code: 'ERR_SERVICE_UNREACHABLE', retryable: true });

    const back = new Date();
    service = await startServiceProcess({ dataDir: serviceDir.path, port: service.port });
    // The next attempt is never further away than the cap: backoff is capped, with jitter below it.
    // Measured from when the status was read, not from `back`: restarting the service takes a while.
    const waiting = await until('a scheduled attempt', async () => {
      const readAt = Date.now();
      const current = await status();
      return current?.nextCheckAt ? { ...current, readAt } : null;
    });
    expect(Date.parse(waiting.nextCheckAt!) - waiting.readAt).toBeLessThanOrEqual(RETRY_MAX_SECONDS * 1000);
    const recovered = await until('delivery after the outage', async () => {
      const current = await status();
      return current?.lastDeliveryAt && Date.parse(current.lastDeliveryAt) >= back.getTime() ? current : null;
    });
    expect(recovered).toMatchObject({ consecutiveFailures: 0, lastError: null });
    expect(daemon.exitCode).toBeNull();

    // The history keeps only changes; `latest` is the appraisal of this check-in.
    const shown = JSON.parse(await service.cli('devices', 'show', recovered.deviceId!)) as { latest: { at: string } | null };
    expect(Date.parse(shown.latest!.at)).toBeGreaterThanOrEqual(back.getTime());
  }, 60_000);

  it('with --share-status, lets another local client read the status through the shared file, but not the Result', async () => {
    const client = await until('the shared status file', () => LocalApiClient.fromSharedFile(shared, process.getuid?.()).catch(() => null));
    expect((await client.status()).enrolled).toBe(true);
    await expect(client.token()).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => daemon.once('exit', (code) => resolve(code)));
    daemon.kill('SIGTERM');
    expect(await exited).toBe(0);
    const after = await runAgent(stateDir.path, 'status');
    expect(after.code).toBe(2);
    expect(after.stderr).toContain('[ERR_DAEMON_UNREACHABLE]');
  });
});
