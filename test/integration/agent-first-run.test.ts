// A new user's first steps with the real command line (in-process, a fake host) against a real
// service: enrol, then run the daemon without naming the service again; submit and the daemon
// judge a Result by the same rule; a pause on a final answer ends with a configuration change,
// also across a restart.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/agent/daemon/daemon.js';
import { runAgentCli, type AgentCliDeps } from '../../src/cli/agent-program.js';
import { verifyResult } from '../../src/gateway/verify-result.js';
import { healthyLinux } from '../fixtures/linux/healthy-linux.js';
import { startTestDaemon, startTestService, testMachine, type TestMachine, type TestService } from '../support/agent-daemon.js';
import { createFakeHost } from '../support/fake-host.js';
import { until } from '../support/until.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service.close();
});

let machine: TestMachine;
beforeEach(async () => {
  machine = await testMachine();
});
afterEach(async () => {
  await machine.remove();
});

/** posture-agent in this process, on the machine's state directory; `run` stops when `stop()` is called. */
function agentCli(rawMachineId: string, files: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  let stop: (signal: string) => void = () => undefined;
  let started: (daemon: Daemon) => void = () => undefined;
  const daemon = new Promise<Daemon>((resolve) => (started = resolve));
  const deps: AgentCliDeps = {
    io: { stdout: (text) => out.push(text), stderr: (text) => err.push(text), color: false },
    createHost: () => {
      const script = healthyLinux(new Date());
      return createFakeHost({ ...script, files: { ...script.files, ...files } });
    },
    readRawMachineId: () => Promise.resolve(rawMachineId),
    facts: { platform: 'linux', env: {}, uid: process.getuid?.(), home: machine.stateDir },
    stopSignal: () => new Promise<string>((resolve) => (stop = resolve)),
    onDaemonStarted: (running) => started(running),
  };
  return {
    run: (...argv: string[]) => runAgentCli([...argv, '--state-dir', machine.stateDir], deps),
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    daemon,
    stop: () => stop('SIGTERM'),
  };
}

let raw = 0x5100;
const nextMachineId = () => (raw += 1).toString(16).padStart(32, 'd');

/** The service's other loopback name: it takes Evidence addressed to it, but signs its Results as service.url. */
function otherName(): string {
  return new URL(service.url).hostname === 'localhost' ? `http://127.0.0.1:${service.port}` : `http://localhost:${service.port}`;
}

describe('the first run', () => {
  it('after "enroll --server URL", run without a server reports to the enrolled service', async () => {
    const id = nextMachineId();
    const enroll = agentCli(id);
    expect(await enroll.run('enroll', '--server', service.url, '--token', await service.token())).toBe(0);

    const agent = agentCli(id);
    const exited = agent.run('run');
    const daemon = await agent.daemon;
    const status = await until('the first delivery', () => (daemon.status().lastDeliveryAt ? daemon.status() : null));
    expect(status).toMatchObject({ service: service.url, enrolled: true, lastError: null, state: 'compliant' });
    const asked = agentCli(id);
    expect(await asked.run('status', '--json')).toBe(0);
    expect(JSON.parse(asked.stdout())).toMatchObject({ service: service.url, enrolled: true });
    agent.stop();
    expect(await exited).toBe(0);
  });

  it('a configured service still wins over the enrolled one', async () => {
    const id = nextMachineId();
    expect(await agentCli(id).run('enroll', '--server', service.url, '--token', await service.token())).toBe(0);
    const agent = agentCli(id);
    const exited = agent.run('run', '--server', 'http://127.0.0.1:9');
    const daemon = await agent.daemon;
    const status = await until('the failed delivery', () => (daemon.status().lastError ? daemon.status() : null));
    expect(status).toMatchObject({ service: 'http://127.0.0.1:9', enrolled: false, lastError: { code: 'ERR_NOT_ENROLLED' } });
    agent.stop();
    expect(await exited).toBe(0);
  });
});

describe('one rule for a Result, in submit and in the daemon', () => {
  it('both accept a Result issued by the enrolled URL, for resultAudience', async () => {
    const id = nextMachineId();
    expect(await agentCli(id).run('enroll', '--server', service.url, '--token', await service.token())).toBe(0);
    const submit = agentCli(id);
    expect(await submit.run('submit')).toBe(0);
    const verified = await verifyResult(submit.stdout().trim(), { jwksUrl: `${service.url}/.well-known/jwks.json`, issuer: service.url, audience: 'posture-gateway' });
    expect(verified.status).toBe('affirming');
  });

  it('both refuse a Result from another issuer URL than the one the device enrolled with, with ERR_RESULT_ISSUER', async () => {
    const id = nextMachineId();
    const other = otherName();
    expect(await agentCli(id).run('enroll', '--server', other, '--token', await service.token())).toBe(0);

    const submit = agentCli(id);
    expect(await submit.run('submit')).toBe(2);
    expect(submit.stdout()).toBe('');
    expect(submit.stderr()).toMatch(new RegExp(`^posture-agent: The service at ${other} signs its Results as another URL: .*${service.url}.*\\[ERR_RESULT_ISSUER\\]\\n$`));

    const agent = agentCli(id);
    const exited = agent.run('run');
    const daemon = await agent.daemon;
    const status = await until('the refusal', () => (daemon.status().lastError ? daemon.status() : null));
    expect(status.lastError).toMatchObject({ code: 'ERR_RESULT_ISSUER', retryable: false });
    expect(status.lastError!.message).toBe(submit.stderr().replace(/^posture-agent: /, '').replace(/ \[ERR_RESULT_ISSUER\]\n$/, ''));
    agent.stop();
    expect(await exited).toBe(0);
  });

  it('both refuse a Result meant for another audience than resultAudience', async () => {
    const id = nextMachineId();
    expect(await agentCli(id).run('enroll', '--server', service.url, '--token', await service.token())).toBe(0);
    const submit = agentCli(id, { [join(machine.stateDir, 'config.json')]: JSON.stringify({ resultAudience: 'another-gateway' }) });
    expect(await submit.run('submit')).toBe(2);
    expect(submit.stderr()).toMatch(/\[ERR_RESULT_AUDIENCE\]\n$/);
  });
});

describe('a delivery paused on a final answer', () => {
  it('stays paused across a restart with the same configuration, and tries again after a restart with another', async () => {
    const badToken = 'pet_0000000000000000000000000000';
    const first = await startTestDaemon(machine, { serviceUrl: service.url, enrollmentToken: badToken });
    await until('the refusal', () => first.daemon.status().lastError?.code === 'ERR_ENROLLMENT_TOKEN' && !first.daemon.status().checking);
    expect(first.daemon.status().lastError).toMatchObject({ retryable: false });
    const pausedAt = first.daemon.status().lastCheckAt;
    await first.daemon.stop();

    const same = await startTestDaemon(machine, { serviceUrl: service.url, enrollmentToken: badToken });
    await until('a check after the restart', () => same.daemon.status().lastCheckAt !== pausedAt && !same.daemon.status().checking);
    expect(same.daemon.status().lastError).toMatchObject({ code: 'ERR_ENROLLMENT_TOKEN', retryable: false });
    expect(same.logs.join('')).not.toContain('delivery refused');
    await same.daemon.stop();

    // Only a flag differs (the interval): a configuration change all the same, so it asks again.
    const otherFlags = await startTestDaemon(machine, { serviceUrl: service.url, enrollmentToken: badToken, checkIntervalSeconds: 1800 });
    await until('a new attempt', () => otherFlags.logs.some((line) => line.includes('delivery refused')) || null);
    await otherFlags.daemon.stop();

    const fixed = await startTestDaemon(machine, { serviceUrl: service.url, enrollmentToken: await service.token() });
    await until('the delivery after the restart', () => fixed.daemon.status().lastDeliveryAt);
    expect(fixed.daemon.status()).toMatchObject({ enrolled: true, lastError: null });
    await fixed.daemon.stop();
  });
});
