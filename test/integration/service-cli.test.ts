// posture-service and posture-agent as a new user runs them: real processes, SQLite, real HTTP.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_BIN, runAgent, SERVICE_BIN, startServiceProcess, tempDir, type ServiceProcess } from '../support/service-process.js';

const run = promisify(execFile);

async function service(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SERVICE_BIN, ...args]);
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

describe('posture-service and posture-agent command lines', () => {
  let svc: ServiceProcess;
  let agentDir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    svc = await startServiceProcess();
    agentDir = await tempDir('posture-agent-cli-');
  }, 30_000);

  afterAll(async () => {
    await svc.stop();
    await agentDir.remove();
  });

  it('prints an enrolment token alone on stdout; the agent enrols with it once and submits', async () => {
    const token = (await svc.cli('token', 'create', '--uses', '1', '--expires', '1h')).trim();
    expect(token).toMatch(/^pae_[A-Za-z0-9_-]+$/);
    const server = svc.url;
    expect(server).toBe(svc.address);

    const submitFirst = await runAgent(agentDir.path, 'submit');
    expect(submitFirst).toMatchObject({ code: 2, stdout: '' });
    expect(submitFirst.stderr).toContain('not enrolled yet: run "posture-agent enroll --server URL --token TOKEN" first. [ERR_NOT_ENROLLED]');

    const enrolled = await runAgent(agentDir.path, 'enroll', '--server', server, '--token', token);
    expect(enrolled.code).toBe(0);
    expect(enrolled.stdout).toMatch(/^Enrolled this device \([0-9a-f-]{36}\) with http:\/\/127\.0\.0\.1:\d+, key [A-Za-z0-9_-]{43}\.\nPosture: /);

    // The same machine with a new key (another state directory): a token never replaces an enrolled key.
    const fresh = (await svc.cli('token', 'create')).trim();
    const again = await runAgent(await tempDir('posture-other-').then((d) => d.path), 'enroll', '--server', server, '--token', fresh);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/is already enrolled with another key.*ask IT to reset it \(posture-service devices reset [0-9a-f-]{36}\).*\[ERR_DEVICE_ALREADY_ENROLLED\]\n$/);
    const usedUp = await runAgent(agentDir.path, 'enroll', '--server', server, '--token', token);
    expect(usedUp.code).toBe(2);
    expect(usedUp.stderr).toMatch(/enrolment token is unknown, expired or used up.*\[ERR_ENROLLMENT_TOKEN\]\n$/);

    const submitted = await runAgent(agentDir.path, 'submit');
    expect(submitted.code).toBe(0);
    expect(submitted.stdout.trim().split('.')).toHaveLength(3);
    const withVerdicts = await runAgent(agentDir.path, 'submit', '--json');
    const parsed = JSON.parse(withVerdicts.stdout) as { result: string; verdicts: { id: string }[]; policy: string };
    expect(parsed.policy).toBe('posture-agent-default@2');
    expect(parsed.verdicts.map((verdict) => verdict.id)).toEqual(['disk-encryption', 'os-version', 'antivirus', 'firewall', 'screen-lock', 'os-updates']);

    const deviceId = /\(([0-9a-f-]{36})\)/.exec(enrolled.stdout)![1]!;
    const listed = await svc.cli('devices', 'list');
    expect(listed.split('\n').filter(Boolean)).toEqual([expect.stringMatching(new RegExp(`^${deviceId}  \\S+  linux  (compliant|warning|noncompliant)  last seen 20`))]);
    const filtered = JSON.parse(await svc.cli('devices', 'list', '--platform', 'linux', '--search', deviceId.slice(0, 8), '--seen-within', '1h', '--sort', 'last-seen', '--json')) as unknown;
    expect(filtered).toMatchObject({ devices: [{ id: deviceId, platform: 'linux', state: expect.stringMatching(/^(compliant|warning|noncompliant)$/) as unknown }], nextCursor: null });
    expect(await svc.cli('devices', 'list', '--platform', 'darwin')).toBe('No devices match.\n');
    expect(await svc.cli('devices', 'list', '--not-seen-for', '1d')).toBe('No devices match.\n');
    const refused = await service('devices', 'list', '--state', 'happy', '--data-dir', svc.dataDir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/state must be one or more of compliant, warning, noncompliant, stale, revoked, unappraised.*\[ERR_BAD_REQUEST\]/);
  });

  it('rotates the device key through the service with key --rotate and the next submit', async () => {
    const before = JSON.parse((await runAgent(agentDir.path, 'key')).stdout) as { kid: string };
    const rotate = await runAgent(agentDir.path, 'key', '--rotate');
    const pending = JSON.parse(rotate.stdout) as { kid: string };
    const submitted = await runAgent(agentDir.path, 'submit');
    expect(submitted.code).toBe(0);
    expect(submitted.stderr).toContain(`accepted the new key ${pending.kid}`);
    const after = JSON.parse((await runAgent(agentDir.path, 'key')).stdout) as { kid: string };
    expect(after.kid).toBe(pending.kid);
    expect(after.kid).not.toBe(before.kid);
    const shown = JSON.parse(await svc.cli('devices', 'show', JSON.parse((await svc.cli('devices', 'list', '--json'))).devices[0].id)) as { kid: string };
    expect(shown.kid).toBe(pending.kid);
  });

  it('publishes a rotated signing key at once and keeps the old one', async () => {
    const before = (await (await fetch(`${svc.address}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(await svc.cli('keys', 'rotate')).toMatch(/^New signing key [A-Za-z0-9_-]{43}; retired /);
    const after = (await (await fetch(`${svc.address}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(after.keys).toHaveLength(before.keys.length + 1);
    expect(after.keys.map((key) => key.kid)).toEqual(expect.arrayContaining(before.keys.map((key) => key.kid)));
    const submitted = await runAgent(agentDir.path, 'submit');
    const kid = (JSON.parse(Buffer.from(submitted.stdout.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
    expect(kid).toBe(after.keys[0]!.kid);
  });

  it('revokes from the command line: the next submit is refused with a clear line', async () => {
    const id = (JSON.parse(await svc.cli('devices', 'list', '--json')) as { devices: { id: string }[] }).devices[0]!.id;
    expect(await svc.cli('devices', 'revoke', id, '--reason', 'stolen')).toMatch(new RegExp(`^Revoked ${id} at `));
    const refused = await runAgent(agentDir.path, 'submit');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/revoked.*\[ERR_DEVICE_REVOKED\]\n$/);
  });

  it('says clearly when the service is down, and never prints a stack', async () => {
    const dir = await tempDir('posture-down-');
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const result = await runAgent(dir.path, 'enroll', '--server', `http://127.0.0.1:${port}`, '--token', 'pae_x');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^posture-agent: Could not reach the policy service at http:\/\/127\.0\.0\.1:\d+: the connection was refused \(is the service running\?\)\. .*\[ERR_SERVICE_UNREACHABLE\]\n$/);
    await dir.remove();
  });

  it('refuses bad flags and environment with one line naming them', async () => {
    const dir = await tempDir('posture-flags-');
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['serve', '--port', 'eighty'], {}, /--port \/ POSTURE_SERVICE_PORT: expected a port number from 0 to 65535 \(got "eighty"\)\. \[ERR_CONFIG_INVALID\]/],
      [['serve'], { POSTURE_SERVICE_RESULT_TTL: '3d' }, /--result-ttl \/ POSTURE_SERVICE_RESULT_TTL: expected a duration from 1m to 24h/],
      [['serve', '--url', 'ftp://x'], {}, /--url \/ POSTURE_SERVICE_URL: expected the public http\(s\) URL/],
      [['serve', '--database', 'mysql://x'], {}, /--database \/ POSTURE_SERVICE_DATABASE: expected sqlite:PATH or postgres/],
      [['serve', '--port', String(svc.port)], {}, /Port \d+ on 127\.0\.0\.1 is already in use; choose another with --port\. \[ERR_CONFIG_INVALID\]/],
      [['token', 'create', '--uses', '0'], {}, /--uses must be a whole number from 1 to 1000000.*\[ERR_USAGE\]/],
      [['serve', '--bogus'], {}, /unknown option '--bogus' \[ERR_USAGE\]\. Run "posture-service serve --help"/],
    ];
    for (const [args, env, expected] of cases) {
      const outcome = await run(process.execPath, [SERVICE_BIN, ...args, '--data-dir', dir.path], { env: { ...process.env, ...env } }).then(
        () => ({ code: 0, stderr: '' }),
        (error: unknown) => error as { code: number; stderr: string },
      );
      expect(outcome.code, args.join(' ')).toBe(2);
      expect(outcome.stderr).toMatch(expected);
      expect(outcome.stderr.trim().split('\n')).toHaveLength(1);
    }
    await dir.remove();
  });

  it('cert --json obtains a device certificate from the service, writes the PEM pair and installs it in the NSS database', async () => {
    const home = await tempDir('posture-cert-home-');
    const state = await tempDir('posture-cert-state-');
    const agent = (...args: string[]) => run(process.execPath, [AGENT_BIN, ...args, '--state-dir', state.path], { env: { ...process.env, HOME: home.path, NO_COLOR: '1' } }).then(
      (done) => ({ code: 0, stdout: done.stdout, stderr: done.stderr }),
      (error: unknown) => error as { code: number; stdout: string; stderr: string },
    );
    expect((await agent('cert', '--json')).stderr).toMatch(/\[ERR_NOT_ENROLLED\]\n$/);
    // The device this machine is was enrolled above with another state directory's key: reset it for this one.
    const deviceId = (JSON.parse(await svc.cli('devices', 'list', '--json')) as { devices: { id: string }[] }).devices[0]!.id;
    await svc.cli('devices', 'restore', deviceId);
    await svc.cli('devices', 'reset', deviceId);
    expect((await agent('enroll', '--server', svc.url, '--token', (await svc.cli('token', 'create')).trim())).code).toBe(0);

    const first = await agent('cert', '--json');
    expect(first.code).toBe(0);
    const issued = JSON.parse(first.stdout) as { certificateFile: string; keyFile: string; caFile: string; expiresAt: string; serial: string; stores: { store: string; installed: boolean }[] };
    expect(issued).toMatchObject({ certificateFile: join(state.path, 'tls-cert.pem'), keyFile: join(state.path, 'tls-key.pem'), stores: [{ store: expect.stringContaining(join(home.path, '.pki/nssdb')), installed: true }] });
    const days = (Date.parse(issued.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    const certificate = new X509Certificate(await readFile(issued.certificateFile, 'utf8'));
    expect(certificate.subjectAltName).toBe(`URI:urn:posture-agent:device:${deviceId}`);
    expect(certificate.verify(new X509Certificate(await readFile(issued.caFile, 'utf8')).publicKey)).toBe(true);
    expect((await stat(issued.keyFile)).mode & 0o777).toBe(0o600);
    expect((await run('/usr/bin/certutil', ['-L', '-d', `sql:${join(home.path, '.pki/nssdb')}`])).stdout).toContain(`posture-agent device ${deviceId}`);

    // Current: nothing renewed; --force: a new serial.
    expect(JSON.parse((await agent('cert', '--json')).stdout)).toMatchObject({ serial: issued.serial });
    expect((JSON.parse((await agent('cert', '--json', '--force')).stdout) as { serial: string }).serial).not.toBe(issued.serial);
    await home.remove();
    await state.remove();
  }, 60_000);

  it('refuses an unusable data directory with one line and exit 2, at once (never retrying forever)', async () => {
    const dir = await tempDir('posture-datadir-');
    const file = `${dir.path}/a-file`;
    await run('/usr/bin/touch', [file]);
    for (const [dataDir, why] of [['/proc/nope', 'the folder cannot be created'], [`${file}/data`, 'a part of the path is a file, not a folder']] as const) {
      const started = Date.now();
      const result = await service('serve', '--port', '0', '--data-dir', dataDir);
      expect(Date.now() - started, dataDir).toBeLessThan(10_000);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`posture-service: The data directory ${dataDir} cannot be used: ${why}. Choose one this user can write with --data-dir (POSTURE_SERVICE_DATA_DIR). [ERR_DATA_DIR]\n`);
    }
    await dir.remove();
  }, 30_000);

  it('never creates a database for a command that only reads or changes devices, and names the one it opened', async () => {
    const dir = await tempDir('posture-empty-');
    for (const args of [['devices', 'list'], ['devices', 'show', 'x'], ['devices', 'restore', 'x'], ['audit'], ['token', 'list']]) {
      const result = await service(...args, '--data-dir', dir.path);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toBe(`posture-service: There is no database at ${dir.path}/posture.db: give the running service's --data-dir (POSTURE_SERVICE_DATA_DIR) or --database. [ERR_DATABASE_MISSING]\n`);
    }
    expect(await run('/usr/bin/ls', ['-A', dir.path])).toMatchObject({ stdout: '' });
    const created = await service('token', 'create', '--data-dir', dir.path);
    expect(created).toMatchObject({ code: 0, stderr: `posture-service: database sqlite:${dir.path}/posture.db\n` });
    expect(await service('devices', 'list', '--data-dir', dir.path)).toMatchObject({ code: 0, stdout: 'No devices are enrolled.\n' });
    await dir.remove();
  });

  it('says at start which URL it signs Results as: the address it listens on, unless --url is given', async () => {
    const dir = await tempDir('posture-url-');
    const other = await startServiceProcess({ dataDir: dir.path });
    expect(other.url).toBe(other.address);
    expect(await other.stop()).toBe(0);
    expect(other.stderr).toContain(`posture-service: listening on ${other.address}; Results are signed as ${other.address} (agents enrol with --server set to exactly this URL`);
    await dir.remove();
  });

  it('never echoes a database password, from a flag or the environment', async () => {
    const dir = await tempDir('posture-secret-');
    const password = 's3cr3t-Passw0rd';
    const attempts: [string[], Record<string, string>][] = [
      [['serve', '--database', `postgresx://admin:${password}@db.example.com/posture`], {}],
      [['serve'], { POSTURE_SERVICE_DATABASE: `mysql://admin:${password}@db.example.com/posture?password=${password}` }],
      [['serve', '--port', '0', '--database', `postgres://admin:${password}@127.0.0.1:1/posture`], {}],
      [['devices', 'list', '--database', `postgres://admin:${password}@127.0.0.1:1/posture`], {}],
    ];
    for (const [args, env] of attempts) {
      const outcome = await run(process.execPath, [SERVICE_BIN, ...args, '--data-dir', dir.path], { env: { ...process.env, ...env } }).then(
        () => ({ code: 0, stdout: '', stderr: '' }),
        (error: unknown) => error as { code: number; stdout: string; stderr: string },
      );
      expect(outcome.code, args.join(' ')).toBe(2);
      expect(`${outcome.stdout}${outcome.stderr}`).not.toContain(password);
      expect(outcome.stderr).toMatch(/\[ERR_(CONFIG_INVALID|DATABASE_UNAVAILABLE)\]\n$/);
    }
    await dir.remove();
  }, 60_000);

  it('shuts down gracefully on SIGTERM', async () => {
    const other = await startServiceProcess();
    expect(await other.stop()).toBe(0);
    expect(other.logs.some((line) => line.includes('"signal":"SIGTERM"'))).toBe(true);
  });

  it('answers --help for every command', async () => {
    for (const args of [['serve'], ['token', 'create'], ['apikey', 'create'], ['devices', 'revoke'], ['keys', 'rotate']]) {
      const help = await service(...args, '--help');
      expect(help.code, args.join(' ')).toBe(0);
      expect(help.stdout).toContain(`Usage: posture-service ${args.join(' ')}`);
    }
  });
});
