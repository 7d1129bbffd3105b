import { describe, expect, it } from 'vitest';
import { collectOsDarwin } from '../../../src/collectors/os/darwin.js';
import { createFakeHost } from '../../support/fake-host.js';
import { codes, collect, collectPostureWithHang, remove, COMMANDS, darwinFixture, healthyMac, NOW, PATHS } from '../../fixtures/darwin/healthy-mac.js';

function withoutVersionFiles(): ReturnType<typeof healthyMac> {
  const script = healthyMac();
  remove(script.files, PATHS.systemVersion);
  return script;
}

describe('collectOsDarwin', () => {
  it('reads the Rapid Security Response from the OS cryptex copy of SystemVersion.plist, without a process', async () => {
    const script = healthyMac();
    script.files[PATHS.cryptexVersion] = darwinFixture('system-version-plist', 'ventura-13-3-1-cryptex-rsr');
    script.files[PATHS.systemVersion] = darwinFixture('system-version-plist', 'ventura-13-3-1-base');
    const { value, errors, host } = await collect(collectOsDarwin, script);
    expect(value.os).toEqual({
      platform: 'darwin',
      id: 'macos',
      idLike: [],
      name: 'macOS',
      version: '13.3.1',
      build: '22E772610a',
      displayVersion: '(a)',
      kernel: '24.6.0',
      arch: 'arm64',
      supportEnd: null,
    });
    expect(value.device).toEqual({ hostname: 'mac-1', serial: 'C02XXXXXXXXX', model: 'Mac15,3', manufacturer: 'Apple Inc.' });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([]);
    expect(host.reads[0]).toBe(PATHS.cryptexVersion);
  });

  it('falls back to /System/Library/CoreServices/SystemVersion.plist where there is no cryptex (macOS 12)', async () => {
    const script = healthyMac();
    script.files[PATHS.systemVersion] = darwinFixture('system-version-plist', 'catalina-10-15-6');
    const { value, errors, host } = await collect(collectOsDarwin, script);
    expect(value.os).toMatchObject({ name: 'Mac OS X', version: '10.15.6', build: '19G68', displayVersion: null });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([]);
  });

  it('runs sw_vers when the files show only the 10.16 compatibility version', async () => {
    const script = healthyMac();
    script.files[PATHS.systemVersion] = darwinFixture('system-version-plist', 'compat-10-16');
    script.commands[COMMANDS.swVers] = { stdout: darwinFixture('sw-vers', 'ventura-13-3-1-rsr') };
    const { value, errors, host } = await collect(collectOsDarwin, script);
    expect(value.os).toMatchObject({ version: '13.3.1', build: '22E772610a', displayVersion: '(a)' });
    expect(errors).toEqual([]);
    expect(host.calls.map((call) => call.file)).toEqual([COMMANDS.swVers]);
  });

  it('runs sw_vers when SystemVersion.plist cannot be read', async () => {
    const script = healthyMac();
    script.files[PATHS.systemVersion] = { error: 'EACCES' };
    const { value, errors } = await collect(collectOsDarwin, script);
    expect(value.os).toMatchObject({ name: 'macOS', version: '15.7.4', build: '24G517' });
    expect(errors).toEqual([]);
  });

  it('reports a missing sw_vers when no version file exists either', async () => {
    const script = withoutVersionFiles();
    remove(script.commands, COMMANDS.swVers);
    const { value, errors } = await collect(collectOsDarwin, script);
    expect(value.os).toMatchObject({ id: 'macos', name: null, version: null, build: null, kernel: '24.6.0' });
    expect(codes(errors)).toEqual(['ERR_COMMAND_NOT_FOUND']);
  });

  it('reports every refused source when none can be read', async () => {
    const script = withoutVersionFiles();
    script.files[PATHS.cryptexVersion] = { error: 'EACCES' };
    script.files[PATHS.systemVersion] = { error: 'EPERM' };
    script.commands[COMMANDS.swVers] = { error: 'ERR_ACCESS_DENIED' };
    const { value, errors } = await collect(collectOsDarwin, script);
    expect(value.os.version).toBeNull();
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED']);
    expect(errors[0]!.message).toContain(PATHS.cryptexVersion);
  });

  it('refuses malformed answers instead of guessing', async () => {
    const script = withoutVersionFiles();
    script.files[PATHS.systemVersion] = darwinFixture('system-version-plist', 'binary-plist');
    script.commands[COMMANDS.swVers] = { stdout: darwinFixture('sw-vers', 'zsh-command-not-found') };
    const { value, errors } = await collect(collectOsDarwin, script);
    expect(value.os.version).toBeNull();
    expect(codes(errors)).toEqual(['ERR_PARSE', 'ERR_PARSE']);
  });

  it('leaves the inventory null when the host has none, and reports a failing inventory', async () => {
    const script = healthyMac();
    delete script.systemInfo;
    const quiet = await collect(collectOsDarwin, script);
    expect(quiet.value.device).toEqual({ hostname: null, serial: null, model: null, manufacturer: null });
    expect(quiet.value.os).toMatchObject({ kernel: null, arch: null, version: '15.7.4' });
    expect(quiet.errors).toEqual([]);

    const host = { ...createFakeHost(script), systemInfo: () => Promise.reject(new Error('system_profiler failed')) };
    const errors: string[] = [];
    const value = await collectOsDarwin(host, { now: NOW, error: (code) => errors.push(code) });
    expect(value.os.version).toBe('15.7.4');
    expect(errors).toEqual(['ERR_IO']);
  });
});

describe('collectPosture on darwin with a hung sw_vers', () => {

  it('times sw_vers out, leaves the version unknown and still reports the other signals', async () => {
    const script = withoutVersionFiles();
    script.commands[COMMANDS.swVers] = { hang: true };
    const report = await collectPostureWithHang(script);
    expect(report.os.version).toBeNull();
    expect(report.errors).toContainEqual(expect.objectContaining({ signal: 'os', code: 'ERR_COMMAND_TIMEOUT' }));
    expect(report.diskEncryption.status).toBe('encrypted');
    expect(report.firewall.status).toBe('enabled');
    expect(report.antivirus.status).toBe('protected');
  });
});
