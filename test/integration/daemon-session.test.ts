// Screen lock is a per-user setting: a system daemon (root, --share-status) cannot read it, so the
// user's session (the tray) hands it over through the local API, and the daemon signs it with the
// rest, naming whose session it came from. Real daemon, real local API, fake host.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSessionReporter } from '../../src/agent/session/session-reporter.js';
import { LocalApiClient } from '../../src/api/local-api-client.js';
import { isAgentError } from '../../src/shared/errors.js';
import { chooseBackend } from '../../src/tray/choose-backend.js';
import { startTestDaemon, testMachine, type TestDaemon, type TestMachine } from '../support/agent-daemon.js';
import { until } from '../support/until.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function systemDaemon(): Promise<{ machine: TestMachine; agent: TestDaemon; shared: string }> {
  const folder = await mkdtemp(join(tmpdir(), 'posture-session-'));
  const shared = join(folder, 'status.json');
  const machine = await testMachine();
  const agent = await startTestDaemon(machine, { checkIntervalSeconds: 3600 }, { sharedStatusFile: shared });
  cleanups.push(() => rm(folder, { recursive: true, force: true }), () => machine.remove(), () => agent.daemon.stop());
  await until('the first check', () => agent.daemon.status().report);
  return { machine, agent, shared };
}

async function refusal(work: Promise<unknown>): Promise<string> {
  const error: unknown = await work.then(() => null, (caught: unknown) => caught);
  return isAgentError(error) ? error.code : `not an AgentError: ${String(error)}`;
}

describe('per-user signals and a system daemon', () => {
  it('reports screen lock unknown until a session hands it over, then signs what the session read, naming the user', async () => {
    const { agent, shared } = await systemDaemon();
    const first = agent.daemon.status().report!;
    expect(first.screenLock.status).toBe('unknown');
    expect(first.errors.find((error) => error.signal === 'screenLock')?.message).toMatch(/No user session has handed it over/);

    const client = (await LocalApiClient.fromSharedFile(shared))!;
    const answer = await client.handOver({ user: 'ada', signals: { screenLock: { status: 'disabled', delaySeconds: null, source: 'gsettings (GNOME)', user: null } } });
    expect(answer).toEqual({ accepted: ['screenLock'] });
    const report = await until('a check with the handed-over value', () => {
      const latest = agent.daemon.status().report;
      return latest?.screenLock.status === 'disabled' ? latest : null;
    });
    expect(report.screenLock).toEqual({ status: 'disabled', delaySeconds: null, source: 'gsettings (GNOME)', user: 'ada' });
    expect(report.errors.filter((error) => error.signal === 'screenLock')).toEqual([]);
  });

  it('refuses a value the signal\'s schema does not accept, a signal that is not per-user, and a malformed body', async () => {
    const { shared } = await systemDaemon();
    const client = (await LocalApiClient.fromSharedFile(shared))!;
    expect(await refusal(client.handOver({ user: 'ada', signals: { screenLock: { status: 'maybe' } } }))).toBe('ERR_BAD_REQUEST');
    expect(await refusal(client.handOver({ user: 'ada', signals: { firewall: { status: 'enabled', products: [] } } }))).toBe('ERR_BAD_REQUEST');
    expect(await refusal(client.handOver({ user: '', signals: {} }))).toBe('ERR_BAD_REQUEST');
  });

  it('is not offered by a daemon that runs in the user\'s session: it reads screen lock itself', async () => {
    const machine = await testMachine();
    const agent = await startTestDaemon(machine, { checkIntervalSeconds: 3600 }, {});
    cleanups.push(() => machine.remove(), () => agent.daemon.stop());
    const report = await until('the first check', () => agent.daemon.status().report);
    expect(report.screenLock.status).toBe('enabled');
    const client = await LocalApiClient.fromStateDir(machine.stateDir);
    expect(await refusal(client.handOver({ user: 'ada', signals: { screenLock: { status: 'enabled', delaySeconds: 60, source: 'x', user: null } } }))).toBe('ERR_FORBIDDEN');
  });

  it('the tray on the system daemon reads screen lock in its session and hands it over', async () => {
    const { agent, shared, machine } = await systemDaemon();
    const backend = await chooseBackend({
      userDaemon: () => Promise.resolve(null),
      systemDaemon: () => LocalApiClient.fromSharedFile(shared),
      inProcess: () => Promise.reject(new Error('the system daemon is there')),
      handOverSession: (handOver) => startSessionReporter({ host: machine.host, user: 'ada', handOver, intervalMs: 60_000 }),
    });
    cleanups.push(() => backend.stop());
    expect(backend.kind).toBe('daemon');
    const report = await until('the session\'s screen lock in a report', () => {
      const latest = agent.daemon.status().report;
      return latest?.screenLock.status === 'enabled' ? latest : null;
    });
    expect(report.screenLock).toMatchObject({ status: 'enabled', user: 'ada' });
  });
});
