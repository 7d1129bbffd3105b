import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jwkThumbprint, type PublicJwk } from '../../../src/attest/jwk.js';
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
