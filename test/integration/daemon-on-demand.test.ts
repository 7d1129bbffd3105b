// Checks asked for through the local API (any local user can, with a system daemon's shared secret)
// start at most once per spacing; asks in between join the running check or are answered by the
// next one, and the status says until when. Scheduled checks go on regardless. The daemon's clock
// is injected: the test moves it, real time never decides.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ON_DEMAND_CHECK_SPACING_MS } from '../../src/agent/daemon/daemon.js';
import { LocalApiClient } from '../../src/api/local-api-client.js';
import { startTestDaemon, startTestService, testMachine, type TestDaemon, type TestMachine, type TestService } from '../support/agent-daemon.js';
import { until } from '../support/until.js';

const started: { daemon: TestDaemon; machine: TestMachine }[] = [];

async function daemonFor(config: Parameters<typeof startTestDaemon>[1], extra: Parameters<typeof startTestDaemon>[2]) {
  const machine = await testMachine();
  const daemon = await startTestDaemon(machine, config, extra);
  started.push({ daemon, machine });
  return { ...daemon, machine };
}

afterEach(async () => {
  for (const { daemon, machine } of started.splice(0)) {
    await daemon.daemon.stop();
    await machine.remove();
  }
});

const checksStarted = (agent: TestDaemon, reason?: RegExp) =>
  agent.logged('check started').filter((line) => reason === undefined || reason.test(String(line['reason']))).length;

describe('checks asked for through the local API, on this device only (no service)', () => {
  it('start at most one per spacing; asks in between are answered at once with when the next may start', async () => {
    let clock = Date.parse('2026-11-22T10:00:00.000Z');
    const spacing = 600_000;
    const agent = await daemonFor({}, { now: () => new Date(clock), onDemandSpacingMs: spacing });
    await until('the first scheduled check to end', () => checksStarted(agent) === 1 && !agent.daemon.status().checking);
    expect(agent.daemon.status().checkNotBefore).toBeNull();

    const first = await agent.daemon.requestCheck();
    expect(checksStarted(agent)).toBe(2);
    expect(first.checkNotBefore).toBe('2026-11-22T10:10:00.000Z');

    clock += 60_000;
    for (let ask = 0; ask < 25; ask += 1) {
      const answer = await agent.daemon.requestCheck();
      expect(answer).toMatchObject({ checking: false, checkNotBefore: '2026-11-22T10:10:00.000Z' });
    }
    expect(checksStarted(agent)).toBe(2);
    // The asks are not lost: a check is due when the spacing ends.
    expect(Date.parse(agent.daemon.status().nextCheckAt!)).toBeLessThanOrEqual(Date.parse('2026-11-22T10:10:00.000Z'));
    expect(agent.logged('check asked for within the spacing; the next check answers it')).toHaveLength(1);

    clock += spacing;
    expect(agent.daemon.status().checkNotBefore).toBeNull();
    await agent.daemon.requestCheck();
    expect(checksStarted(agent)).toBe(3);
  });

  it('lets asks made while a check runs join it', async () => {
    const clock = Date.parse('2026-11-22T10:00:00.000Z');
    const agent = await daemonFor({}, { now: () => new Date(clock) });
    await until('the first scheduled check to end', () => checksStarted(agent) === 1 && !agent.daemon.status().checking);
    await Promise.all(Array.from({ length: 10 }, () => agent.daemon.requestCheck()));
    expect(checksStarted(agent)).toBe(2);
    expect(agent.daemon.status().checkNotBefore).toBe(new Date(clock + ON_DEMAND_CHECK_SPACING_MS).toISOString());
  });

  it('runs a check asked for during a scheduled one right after it, and lets asks during an asked-for check join it', async () => {
    const clock = Date.parse('2026-11-22T10:00:00.000Z');
    const agent = await daemonFor({ checkIntervalSeconds: 3600 }, { now: () => new Date(clock) });
    await until('the first scheduled check to end', () => checksStarted(agent) === 1 && !agent.daemon.status().checking);
    // The timer fires (a scheduled check), and "Check now" is pressed while it runs.
    const scheduled = agent.daemon.checkNow('schedule');
    const asked = agent.daemon.checkNow('tray');
    const askedAgain = agent.daemon.checkNow('tray');
    await Promise.all([scheduled, asked, askedAgain]);
    expect(checksStarted(agent)).toBe(3);
    expect(checksStarted(agent, /^tray$/)).toBe(1);

    await Promise.all([agent.daemon.checkNow('tray'), agent.daemon.checkNow('tray'), agent.daemon.checkNow('schedule')]);
    expect(checksStarted(agent)).toBe(4);
  });

  it('does not hold back scheduled checks', async () => {
    const clock = Date.parse('2026-11-22T10:00:00.000Z');
    const agent = await daemonFor({ checkIntervalSeconds: 1 }, { now: () => new Date(clock), onDemandSpacingMs: 600_000 });
    await until('the first scheduled check to end', () => checksStarted(agent) >= 1 && !agent.daemon.status().checking);
    await agent.daemon.requestCheck();
    expect(agent.daemon.status().checkNotBefore).not.toBeNull();
    const scheduled = checksStarted(agent, /^schedule$/);
    await until('two more scheduled checks inside the spacing', () => checksStarted(agent, /^schedule$/) >= scheduled + 2, { deadlineMs: 10_000 });
  });
});

describe('checks asked for through a system daemon\'s shared secret, against the service', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service.close();
  });

  it('appraise once for a burst of asks from any local user, and say so in the status', async () => {
    // Real time plus what the test adds: the service's clock stays within its tolerance.
    let offset = 0;
    const shared = join(await mkdtemp(join(tmpdir(), 'posture-on-demand-')), 'local-api-shared.json');
    const agent = await daemonFor({ serviceUrl: service.url, enrollmentToken: await service.token() }, { now: () => new Date(Date.now() + offset), sharedStatusFile: shared });
    const deviceId = agent.machine.deviceId;
    await until('the first delivery to end', () => agent.daemon.status().lastDeliveryAt && !agent.daemon.status().checking);
    const client = (await LocalApiClient.fromSharedFile(shared, process.getuid?.()))!;
    const before = await service.appraisals(deviceId);

    const answers = await Promise.all(Array.from({ length: 30 }, () => client.check()));
    for (let ask = 0; ask < 30; ask += 1) answers.push(await client.check());
    expect(await service.appraisals(deviceId)).toBe(before + 1);
    const last = answers.at(-1)!;
    expect(last.checkNotBefore).not.toBeNull();
    expect(Date.parse(last.checkNotBefore!) - Date.now()).toBeLessThanOrEqual(ON_DEMAND_CHECK_SPACING_MS);
    expect((await client.status()).checkNotBefore).toBe(last.checkNotBefore);

    offset += ON_DEMAND_CHECK_SPACING_MS;
    await until('the check the asks were waiting for, or a new one', async () => (await client.check()) && (await service.appraisals(deviceId)) === before + 2);
    await rm(join(shared, '..'), { recursive: true, force: true });
  });
});
