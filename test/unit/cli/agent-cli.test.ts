import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

function cli(script: FakeHostScript = healthyLinux(), now = new Date('2026-11-22T10:00:00Z')) {
  const out: string[] = [];
  const err: string[] = [];
  const deps: AgentCliDeps = {
    io: { stdout: (text) => out.push(text), stderr: (text) => err.push(text), color: false },
    createHost: () => createFakeHost(script),
    readRawMachineId: () => Promise.resolve('3d1219c7c4c5404aaa1f6d2a48adfda4'),
    facts: { platform: 'linux', env: {}, uid: 1000, home: stateDir },
    now: () => now,
  };
  return {
    run: (...argv: string[]) => runAgentCli(argv, deps),
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

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
    expect(output.evaluation.verdicts).toHaveLength(4);
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

async function writePolicy(text: string): Promise<string> {
  const path = join(stateDir, `policy-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(path, text);
  return path;
}

function policyFile(severity: 'block'): Promise<string> {
  return writePolicy(`id: strict-disk\nversion: 1\nrules: [{ id: disk, check: diskEncryption.system, severity: ${severity} }]\ngracePeriod: 72h\n`);
}
