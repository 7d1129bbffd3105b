import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Daemon } from '../../../src/agent/daemon/daemon.js';
import { LOCK_FILE } from '../../../src/agent/state-dir.js';
import { jwkThumbprint, type PublicJwk } from '../../../src/attest/jwk.js';
import { formatCheck } from '../../../src/cli/format-check.js';
import { formatStatus } from '../../../src/cli/format-status.js';
import { evaluatePolicy } from '../../../src/policy/evaluate.js';
import { DEFAULT_POLICY } from '../../../src/policy/default-policy.js';
import { daemonStatus, FAILING_DISK, GRACE_DISK } from '../../support/daemon-status.js';
import { makeReport } from '../../support/report.js';
import { randomNonce } from '../../../src/attest/nonce.js';
import { verifyEvidence } from '../../../src/attest/verify-evidence.js';
import { runAgentCli, type AgentCliDeps } from '../../../src/cli/agent-program.js';
import { createFakeHost, type FakeHostScript } from '../../support/fake-host.js';
import { healthyLinux, setSysfs, UBUNTU_BLOCKS, type LinuxScript } from '../../fixtures/linux/healthy-linux.js';

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'posture-cli-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

function cli(script: FakeHostScript = healthyLinux(), now = new Date('2026-11-22T10:00:00Z'), daemonHooks: Pick<AgentCliDeps, 'stopSignal' | 'onDaemonStarted'> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const deps: AgentCliDeps = {
    io: { stdout: (text) => out.push(text), stderr: (text) => err.push(text), color: false },
    createHost: () => createFakeHost(script),
    readRawMachineId: () => Promise.resolve('3d1219c7c4c5404aaa1f6d2a48adfda4'),
    facts: { platform: 'linux', env: {}, uid: 1000, home: stateDir },
    now: () => now,
    ...daemonHooks,
  };
  return {
    run: (...argv: string[]) => runAgentCli(argv, deps),
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

/** `posture-agent run` in this process: resolves `started` with the daemon once it is up; `stop()` ends it like SIGTERM. */
function daemonCli(now = new Date('2026-11-22T10:00:00Z')) {
  let stop: (signal: string) => void = () => undefined;
  let started: (daemon: Daemon) => void = () => undefined;
  const up = new Promise<Daemon>((resolve) => (started = resolve));
  const agent = cli(healthyLinux(), now, { stopSignal: () => new Promise<string>((resolve) => (stop = resolve)), onDaemonStarted: (daemon) => started(daemon) });
  return { ...agent, started: up, stop: () => stop('SIGTERM') };
}

/** A state directory this process cannot write even as root: a path through a regular file. */
async function underAFile(): Promise<string> {
  const file = join(stateDir, 'not-a-folder');
  await writeFile(file, 'x');
  return join(file, 'state');
}

/** A pid no process has any more. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

const isLinux = process.platform === 'linux';

describe('posture-agent check', () => {
  it('prints one line per rule and exits 0 for a compliant device', async () => {
    const agent = cli();
    expect(await agent.run('check', '--state-dir', stateDir)).toBe(0);
    expect(agent.stdout()).toContain('COMPLIANT');
    expect(agent.stdout()).toMatch(/PASS\s+disk-encryption/);
    expect(agent.stderr()).toBe('');
  });

  it('prints the design §2 report plus the verdicts with --json', async () => {
    const agent = cli();
    expect(await agent.run('check', '--json', '--state-dir', stateDir)).toBe(0);
    const output = JSON.parse(agent.stdout()) as Record<string, unknown> & { evaluation: { verdicts: unknown[] }; device: { id: string } };
    for (const field of ['schema', 'collectedAt', 'device', 'os', 'diskEncryption', 'antivirus', 'firewall', 'errors']) expect(output).toHaveProperty(field);
    expect(output.schema).toBe('posture-report/v1');
    expect(output.device.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(output.evaluation.verdicts).toHaveLength(DEFAULT_POLICY.rules.length);
  });

  it('exits 1 once a failing block rule is past its grace period, remembering when it started failing', async () => {
    const unencrypted: LinuxScript = healthyLinux();
    setSysfs(unencrypted, { ...UBUNTU_BLOCKS, 'dm-0': { dev: '252:0', dm: { name: 'plain', uuid: 'LVM-plainvolumegroup' }, slaves: ['nvme0n1p3'] } });
    const first = cli(unencrypted);
    expect(await first.run('check', '--policy', await policyFile('block'), '--state-dir', stateDir)).toBe(0);
    expect(first.stdout()).toMatch(/FAIL|WARN/);
    expect(first.stdout()).toContain('Access will be blocked after 2026-11-25 10:00 UTC');
    const later = cli(unencrypted, new Date('2026-11-26T10:00:00Z'));
    expect(await later.run('check', '--policy', await policyFile('block'), '--state-dir', stateDir)).toBe(1);
    expect(later.stdout()).toContain('NOT COMPLIANT');
    expect(later.stdout()).toContain('To fix:');
    expect(JSON.parse(await readFile(join(stateDir, 'failing-since.json'), 'utf8'))).toHaveProperty(['strict-disk', 'disk']);
  });

  it('gives one clear line and exit 2 for an unknown flag, a missing file or an invalid policy', async () => {
    const cases: [string[], RegExp][] = [
      [['check', '--bogus'], /^posture-agent: unknown option '--bogus' \[ERR_USAGE\]\. Run "posture-agent check --help" for usage\.\n$/],
      [['chek'], /unknown command 'chek' \[ERR_USAGE\]/],
      [['check', '--policy', '/nonexistent.yaml'], /^posture-agent: Cannot read policy file \/nonexistent\.yaml: it does not exist\. \[ERR_FILE_UNREADABLE\]\n$/],
      [['check', '--policy', await writePolicy('id: x\nversion: 1\nrules: [{ id: a, check: firewall.enabled, severity: loud }]\n')], /rules\[0\]\.severity.*\[ERR_POLICY_INVALID\]\n$/],
    ];
    for (const [argv, expected] of cases) {
      const agent = cli();
      expect(await agent.run(...argv)).toBe(2);
      expect(agent.stderr()).toMatch(expected);
      expect(agent.stderr()).not.toMatch(/\n\s+at /);
      expect(agent.stdout()).toBe('');
    }
  });

  it('has --help on every command', async () => {
    const agent = cli();
    expect(await agent.run('check', '--help')).toBe(0);
    expect(agent.stdout()).toContain('Usage: posture-agent check');
    expect(agent.stdout()).toContain('--policy <file>');
  });
});

describe('posture-agent key', () => {
  it('prints the public JWK with its RFC 7638 kid, never the private part, and the same key next time', async () => {
    const agent = cli();
    expect(await agent.run('key', '--state-dir', stateDir)).toBe(0);
    const jwk = JSON.parse(agent.stdout()) as Record<string, string>;
    expect(Object.keys(jwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(jwk['kid']).toBe(jwkThumbprint(jwk as unknown as PublicJwk));
    const again = cli();
    await again.run('key', '--state-dir', stateDir);
    expect(JSON.parse(again.stdout())).toEqual(jwk);
  });

  it('rotates: prints the new key and keeps the old one active until the service accepts it', async () => {
    const agent = cli();
    await agent.run('key', '--state-dir', stateDir);
    const old = JSON.parse(agent.stdout()) as { kid: string };
    const rotate = cli();
    expect(await rotate.run('key', '--rotate', '--state-dir', stateDir)).toBe(0);
    const fresh = JSON.parse(rotate.stdout()) as { kid: string };
    expect(fresh.kid).not.toBe(old.kid);
    expect(rotate.stderr()).toContain(`key ${old.kid} keeps signing until the service accepts the new one`);
    const after = cli();
    await after.run('key', '--state-dir', stateDir);
    expect((JSON.parse(after.stdout()) as { kid: string }).kid).toBe(old.kid);
    expect(after.stderr()).toContain(`key ${fresh.kid} is waiting for the service to accept it`);
  });

  it('refuses a key file others can read, with exit 2 and one line', async () => {
    const agent = cli();
    await agent.run('key', '--state-dir', stateDir);
    await chmod(join(stateDir, 'device-key.json'), 0o644);
    const refused = cli();
    expect(await refused.run('key', '--state-dir', stateDir)).toBe(2);
    expect(refused.stderr()).toMatch(/can be read or written by other users \(mode 0644\).*\[ERR_FILE_PERMISSIONS\]\n$/);
    expect(refused.stdout()).toBe('');
  });
});

describe('posture-agent attest', () => {
  it('prints Evidence signed by the device key, for the audience and nonce given', async () => {
    const agent = cli();
    await agent.run('key', '--state-dir', stateDir);
    const jwk = JSON.parse(agent.stdout()) as PublicJwk & { kid: string };
    const nonce = randomNonce(16);
    const attest = cli();
    expect(await attest.run('attest', '--audience', 'https://posture.example.com/', '--nonce', nonce, '--state-dir', stateDir)).toBe(0);
    const token = attest.stdout().trim();
    const verified = await verifyEvidence(token, {
      audience: 'https://posture.example.com',
      now: new Date('2026-11-22T10:00:30Z'),
      resolveKey: (kid) => Promise.resolve(kid === jwk.kid ? jwk : null),
      consumeNonce: (presented) => Promise.resolve(presented === nonce),
      recordJti: () => Promise.resolve(true),
    });
    expect(verified.posture.os.name).toBe('Ubuntu');
    expect(verified.deviceId).toBe(verified.posture.device.id);
  });

  it('makes a random nonce when none is given', async () => {
    const attest = cli();
    expect(await attest.run('attest', '--audience', 'https://posture.example.com', '--state-dir', stateDir)).toBe(0);
    const payload = JSON.parse(Buffer.from(attest.stdout().split('.')[1]!, 'base64url').toString()) as { eat_nonce: string };
    expect(payload.eat_nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a nonce that is not 8 to 64 bytes of base64url, and an audience that is not a URL', async () => {
    for (const nonce of ['c2hvcnQ', 'a'.repeat(90), 'not base64!', 'AAAAAAAAAAA=']) {
      const attest = cli();
      expect(await attest.run('attest', '--audience', 'https://x.example', '--nonce', nonce, '--state-dir', stateDir)).toBe(2);
      expect(attest.stderr()).toContain('--nonce must be 8 to 64 bytes');
    }
    for (const audience of ['not a url', 'ftp://x.example', 'https://user:pw@x.example']) {
      const attest = cli();
      expect(await attest.run('attest', '--audience', audience, '--state-dir', stateDir)).toBe(2);
      expect(attest.stderr()).toMatch(/--audience must be .*\[ERR_USAGE\]/);
    }
    const missing = cli();
    expect(await missing.run('attest', '--state-dir', stateDir)).toBe(2);
    expect(missing.stderr()).toContain("required option '--audience <url>' not specified");
  });

  it('refuses to sign when the machine id is not one (a hostname), naming the fix', async () => {
    const out: string[] = [];
    const code = await runAgentCli(['attest', '--audience', 'https://x.example', '--state-dir', stateDir], {
      io: { stdout: () => undefined, stderr: (text) => out.push(text), color: false },
      createHost: () => createFakeHost(healthyLinux()),
      readRawMachineId: () => Promise.resolve('laptop-17'),
      facts: { platform: 'linux', env: {}, uid: 1000, home: stateDir },
    });
    expect(code).toBe(2);
    expect(out.join('')).toMatch(/looks like a host name.*\[ERR_MACHINE_ID\]/);
  });
});

async function writePolicy(text: string): Promise<string> {
  const path = join(stateDir, `policy-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(path, text);
  return path;
}

function policyFile(severity: 'block'): Promise<string> {
  return writePolicy(`id: strict-disk\nversion: 1\nrules: [{ id: disk, check: diskEncryption.system, severity: ${severity} }]\ngracePeriod: 72h\n`);
}

describe('the state directory: one clear line when it cannot be used', () => {
  it('run: exits 2 with ERR_STATE_DIR naming the directory before it starts, when the directory cannot be made', async () => {
    const dir = await underAFile();
    const agent = daemonCli();
    let started = false;
    void agent.started.then(() => (started = true));
    expect(await agent.run('run', '--state-dir', dir)).toBe(2);
    expect(agent.stderr()).toMatch(new RegExp(`^posture-agent: The state directory ${dir} cannot be used: a part of the path is a file, not a folder\\..*--state-dir.*\\[ERR_STATE_DIR\\]\\n$`));
    expect(started).toBe(false);
  });

  it.runIf(isLinux)('run: exits 2 with ERR_STATE_DIR for a directory that exists but cannot be written (/sys), and one that cannot be created (/proc)', async () => {
    for (const dir of ['/sys', '/proc/posture-agent-test']) {
      const agent = daemonCli();
      expect(await agent.run('run', '--state-dir', dir), dir).toBe(2);
      expect(agent.stderr()).toMatch(new RegExp(`^posture-agent: The state directory ${dir} cannot be used: .*\\[ERR_STATE_DIR\\]\\n$`));
      expect(agent.stderr()).not.toContain('internal error');
    }
  });

  it('key: names the place and the permission problem instead of an internal error', async () => {
    const dirs = [await underAFile(), ...(isLinux ? ['/sys', '/proc/posture-agent-test'] : [])];
    for (const dir of dirs) {
      const agent = cli();
      expect(await agent.run('key', '--state-dir', dir), dir).toBe(2);
      expect(agent.stderr()).toContain(dir);
      expect(agent.stderr()).toMatch(/\[ERR_(FILE_PERMISSIONS|IO)\]\n$/);
      expect(agent.stderr()).not.toContain('internal error');
      expect(agent.stderr().trim().split('\n')).toHaveLength(1);
    }
    if (isLinux) {
      const agent = cli();
      await agent.run('key', '--state-dir', '/sys');
      expect(agent.stderr()).toMatch(/Cannot write \/sys\/device-key\.json: (permission denied|the file system is read-only).*\[ERR_FILE_PERMISSIONS\]/);
    }
  });

  it('check: still prints the result and exits by it, and says on stderr, with a code, that the grace memory was not kept', async () => {
    const dirs = [await underAFile(), ...(isLinux ? ['/sys'] : [])];
    for (const dir of dirs) {
      const agent = cli();
      expect(await agent.run('check', '--state-dir', dir), dir).toBe(0);
      expect(agent.stdout()).toContain('COMPLIANT');
      expect(agent.stderr()).toMatch(new RegExp(`^posture-agent: note: The grace-period memory was not kept.*${dir}.*\\[ERR_STATE_DIR\\]\\n$`));
    }
  });
});

describe('posture-agent run: one daemon per state directory', () => {
  it('refuses a second daemon on the same state directory with exit 2, naming the pid and since when; the lock goes on stop', async () => {
    const first = daemonCli(new Date('2026-11-22T10:00:00Z'));
    const running = first.run('run', '--state-dir', stateDir);
    await first.started;
    const lock = JSON.parse(await readFile(join(stateDir, LOCK_FILE), 'utf8')) as { pid: number; startedAt: string };
    expect(lock).toMatchObject({ pid: process.pid, startedAt: '2026-11-22T10:00:00.000Z' });
    const apiFile = await readFile(join(stateDir, 'local-api.json'), 'utf8');

    const second = daemonCli();
    expect(await second.run('run', '--state-dir', stateDir)).toBe(2);
    expect(second.stderr()).toMatch(new RegExp(`^posture-agent: Another posture-agent daemon \\(pid ${process.pid}, running since 2026-11-22 10:00:00 UTC\\) uses the state directory ${stateDir}.*\\[ERR_STATE_DIR_LOCKED\\]\\n$`));
    expect(await readFile(join(stateDir, 'local-api.json'), 'utf8')).toBe(apiFile);

    first.stop();
    expect(await running).toBe(0);
    await expect(stat(join(stateDir, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('takes over the lock of a daemon that died, and clears temporary files that interrupted writes left', async () => {
    const now = new Date('2026-11-22T10:00:00Z');
    await writeFile(join(stateDir, LOCK_FILE), JSON.stringify({ pid: await deadPid(), startedAt: '2026-11-21T08:00:00.000Z' }));
    const stale = ['.agent-state.json.0123456789ab.tmp', '.device-key.json.a1b2c3d4e5f6.tmp', '.local-api.json.ffffffffffff.tmp'];
    for (const name of stale) {
      await writeFile(join(stateDir, name), 'half a write');
      await utimes(join(stateDir, name), new Date(now.getTime() - 3_600_000), new Date(now.getTime() - 3_600_000));
    }
    // A write in progress right now (another command's) is left alone.
    const fresh = '.enrollment.json.abcdefabcdef.tmp';
    await writeFile(join(stateDir, fresh), 'being written');
    await utimes(join(stateDir, fresh), now, now);

    const agent = daemonCli(now);
    const running = agent.run('run', '--state-dir', stateDir);
    await agent.started;
    const names = await readdir(stateDir);
    for (const name of stale) expect(names).not.toContain(name);
    expect(names).toContain(fresh);
    expect(JSON.parse(await readFile(join(stateDir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    agent.stop();
    expect(await running).toBe(0);
  });
});

describe('posture-agent: secrets in what it was given never reach its messages', () => {
  const PASSWORD = 'hunter2-cli-secret';

  it('masks the credentials of a bad --server URL, for enroll and run', async () => {
    for (const argv of [
      ['enroll', '--server', `https://ops:${PASSWORD}@posture example.com`, '--token', 'pet_0123456789abcdef'],
      ['enroll', '--server', `https://ops:${PASSWORD}@posture.example.com`, '--token', 'pet_0123456789abcdef'],
      ['run', '--server', `https://ops:${PASSWORD}@posture example.com`],
      ['attest', '--audience', `https://ops:${PASSWORD}@posture example.com`],
    ]) {
      const agent = cli();
      expect(await agent.run(...argv, '--state-dir', stateDir)).toBe(2);
      expect(agent.stderr()).toMatch(/\[ERR_USAGE\]/);
      expect(agent.stderr()).not.toContain(PASSWORD);
      expect(agent.stderr()).not.toContain('ops:');
    }
  });
});

describe('posture-agent status: the same verdict lines as check', () => {
  it('shows FAIL with the fix, and a grace deadline, exactly as check prints them', () => {
    for (const verdict of [FAILING_DISK, GRACE_DISK]) {
      const status = formatStatus(daemonStatus({ state: verdict.blocking ? 'noncompliant' : 'warning', verdicts: [verdict] }));
      const evaluation = { ...evaluatePolicy(DEFAULT_POLICY, makeReport(), { now: new Date('2026-11-22T10:00:00Z') }), verdicts: [verdict] };
      const check = formatCheck(makeReport(), evaluation, false);
      const lines = check.split('\n').filter((line) => line.startsWith('  '));
      expect(lines.length).toBeGreaterThanOrEqual(2);
      for (const line of lines) expect(status).toContain(line);
    }
    const failing = formatStatus(daemonStatus({ state: 'noncompliant', verdicts: [FAILING_DISK] }));
    expect(failing).toMatch(/FAIL\s+disk-encryption\s+Not encrypted/);
    expect(failing).toContain('To fix: The system disk must be LUKS-encrypted.');
    expect(formatStatus(daemonStatus({ state: 'warning', verdicts: [GRACE_DISK] }))).toContain('Access will be blocked after 2026-11-25 10:00 UTC unless fixed.');
  });

  it('says when checks on request are spaced, and when the next may start', () => {
    expect(formatStatus(daemonStatus())).not.toContain('spaced');
    expect(formatStatus(daemonStatus({ checkNotBefore: '2026-11-22T10:00:10.000Z' }))).toContain('at the latest at 2026-11-22 10:00:10 UTC (checks on request are spaced)');
  });
});
