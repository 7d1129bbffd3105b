// The daemon keeps the same grace-period memory as `posture-agent check` (failing-since.json in the
// state directory, per policy id): a rule that started failing shows one grace deadline in the
// CLI, the daemon's status and the tray, whichever looked first. The daemon's clock is injected
// where no service is involved; with the service, real time (Evidence must be fresh).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/agent/run-check.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import type { Verdict } from '../../src/policy/types.js';
import { healthyLinux, setClamavDatabase } from '../fixtures/linux/healthy-linux.js';
import { startTestDaemon, startTestService, testMachine, type TestDaemon, type TestMachine, type TestService } from '../support/agent-daemon.js';
import { createFakeHost } from '../support/fake-host.js';
import { until } from '../support/until.js';

const HOUR = 3_600_000;
const GRACE = 72 * HOUR; // the built-in policy's grace period

/** A laptop whose antivirus definitions are a month old at `asOf`: the built-in policy's block rule `antivirus` fails. */
function staleDefinitions(asOf: Date) {
  const script = healthyLinux(asOf);
  setClamavDatabase(script, new Date(asOf.getTime() - 30 * 24 * HOUR));
  return createFakeHost(script);
}

const running: { daemon: TestDaemon; machine: TestMachine }[] = [];

afterEach(async () => {
  for (const { daemon, machine } of running.splice(0)) {
    await daemon.daemon.stop();
    await machine.remove();
  }
});

function antivirus(verdicts: readonly Verdict[]): Verdict {
  const verdict = verdicts.find((candidate) => candidate.id === 'antivirus');
  if (!verdict) throw new Error(`no antivirus verdict among ${verdicts.map((candidate) => candidate.id).join(', ')}`);
  return verdict;
}

/** `posture-agent check` as the CLI runs it, on the machine's state directory. */
async function cliCheck(machine: TestMachine, now: Date): Promise<Verdict> {
  const { evaluation } = await runCheck({ host: machine.host, policy: DEFAULT_POLICY, deviceId: () => Promise.resolve(machine.deviceId), stateDir: machine.stateDir, now });
  return antivirus(evaluation.verdicts);
}

describe('the grace-period memory, on this device only (no service)', () => {
  it('the daemon shows the deadline that `check` started counting, not one counted from its own first check', async () => {
    const failedAt = new Date('2026-11-22T10:00:00.000Z');
    const machine = await testMachine(staleDefinitions(failedAt));
    const cli = await cliCheck(machine, failedAt);
    expect(cli).toMatchObject({ status: 'fail', failingSince: failedAt.toISOString(), graceDeadline: new Date(failedAt.getTime() + GRACE).toISOString() });

    const later = new Date(failedAt.getTime() + 5 * HOUR);
    const agent = await startTestDaemon(machine, {}, { now: () => later });
    running.push({ daemon: agent, machine });
    const status = await until('the first check', () => {
      const current = agent.daemon.status();
      return current.lastCheckAt !== null && !current.checking && current;
    });
    expect(status.policy).toBe(`${DEFAULT_POLICY.id}@${DEFAULT_POLICY.version} (on this device)`);
    expect(antivirus(status.verdicts)).toMatchObject({ failingSince: cli.failingSince, graceDeadline: cli.graceDeadline });
  });

  it('`check` shows the deadline the daemon started counting', async () => {
    const failedAt = new Date('2026-11-22T10:00:00.000Z');
    const machine = await testMachine(staleDefinitions(failedAt));
    const agent = await startTestDaemon(machine, {}, { now: () => failedAt });
    running.push({ daemon: agent, machine });
    await until('the first check', () => agent.daemon.status().lastCheckAt !== null && !agent.daemon.status().checking);
    const shown = antivirus(agent.daemon.status().verdicts);
    expect(shown.failingSince).toBe(failedAt.toISOString());

    expect(await cliCheck(machine, new Date(failedAt.getTime() + 5 * HOUR))).toMatchObject({ failingSince: shown.failingSince, graceDeadline: shown.graceDeadline });
  });
});

describe('the grace-period memory while the daemon delivers to the service', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service.close();
  });

  it('`check` counts from the daemon\'s first failing check, also when the service appraised it', async () => {
    const machine = await testMachine(staleDefinitions(new Date()));
    const agent = await startTestDaemon(machine, { serviceUrl: service.url, enrollmentToken: await service.token() });
    running.push({ daemon: agent, machine });
    const delivered = await until('the first delivery', () => {
      const current = agent.daemon.status();
      return current.lastDeliveryAt !== null && !current.checking && current;
    });

    const cli = await cliCheck(machine, new Date(Date.parse(delivered.lastCheckAt!) + 5 * HOUR));
    expect(cli.failingSince).toBe(delivered.lastCheckAt);
    expect(cli.graceDeadline).toBe(new Date(Date.parse(delivered.lastCheckAt!) + GRACE).toISOString());
  });
});
