import { DARWIN_COMMANDS } from '../../../src/exec/commands-darwin.js';
import { describe, expect, it } from 'vitest';
import { collectOsUpdatesDarwin, darwinOsUpdatesCollector, MANAGED_SOFTWARE_UPDATE_PLIST, SOFTWARE_UPDATE_DOMAIN } from '../../../src/collectors/os-updates/darwin.js';
import { codes, collect, COMMANDS, darwinFixture, healthyMac, remove } from '../../fixtures/darwin/healthy-mac.js';

const READ_LOCAL = `${COMMANDS.defaults} read ${SOFTWARE_UPDATE_DOMAIN}`;
const READ_MANAGED = `${COMMANDS.defaults} read /Library/Managed Preferences/com.apple.SoftwareUpdate`;

type Script = ReturnType<typeof healthyMac>;

function withPrefs(name: string, script: Script = healthyMac()): Script {
  script.commands[READ_LOCAL] = { stdout: darwinFixture('defaults-read-softwareupdate', name) };
  return script;
}

function withProfile(name: string, script: Script): Script {
  script.files[MANAGED_SOFTWARE_UPDATE_PLIST] = 'binary plist';
  script.commands[READ_MANAGED] = { stdout: darwinFixture('defaults-read-softwareupdate', name) };
  return script;
}

describe('collectOsUpdatesDarwin', () => {
  it('is enabled when every automatic update setting is on, with the cached pending count, from one defaults process', async () => {
    const { value, errors, host } = await collect(collectOsUpdatesDarwin, withPrefs('sequoia-trimmed-install-tonight-dictionaries'));
    expect(value).toEqual({
      status: 'enabled',
      automaticCheck: true,
      automaticDownload: true,
      automaticInstall: true,
      pending: 1,
      pendingSecurity: null,
      rebootRequired: null,
      source: 'com.apple.SoftwareUpdate',
      detail:
        'AutomaticCheckEnabled on; AutomaticDownload on; AutomaticallyInstallMacOSUpdates on; CriticalUpdateInstall on; ConfigDataInstall on (not set: the default)',
    });
    expect(codes(errors)).toEqual(['ERR_UNSUPPORTED']);
    expect(host.calls).toEqual([{ file: COMMANDS.defaults, args: ['read', SOFTWARE_UPDATE_DOMAIN] }]);
  });

  it('is disabled when Security Responses and macOS updates are not installed, and lists the cached updates', async () => {
    const { value } = await collect(collectOsUpdatesDarwin, withPrefs('catalina-three-recommended-check-as-yes-string'));
    expect(value).toMatchObject({ status: 'disabled', automaticCheck: true, automaticDownload: true, automaticInstall: false, pending: 3 });
    expect(value.detail).toContain('pending: Safari, macOS Catalina 10.15.7 Supplemental Update, macOS Catalina Security Update 2021-001');
    expect(value.detail).toContain('last check 2021-02-23 07:52:51 +0000');
  });

  it('takes absent keys as macOS defaults but never guesses AutomaticallyInstallMacOSUpdates', async () => {
    const on = await collect(collectOsUpdatesDarwin, withPrefs('catalina-install-macos-updates-none-pending'));
    expect(on.value).toMatchObject({ status: 'enabled', automaticCheck: true, automaticInstall: true, pending: 0 });
    expect(on.value.detail).toContain('AutomaticCheckEnabled on (not set: the default)');

    const script = withPrefs('catalina-install-macos-updates-none-pending');
    script.commands[READ_LOCAL] = { stdout: darwinFixture('defaults-read-softwareupdate', 'catalina-install-macos-updates-none-pending').replace('    AutomaticallyInstallMacOSUpdates = 1;\n', '') };
    const { value, errors } = await collect(collectOsUpdatesDarwin, script);
    expect(value).toMatchObject({ status: 'unknown', automaticCheck: true, automaticInstall: null });
    expect(errors.find((error) => error.code === 'ERR_SIGNAL_UNAVAILABLE')?.message).toContain('AutomaticallyInstallMacOSUpdates is not set');
  });

  it('lets a configuration profile win over the local settings', async () => {
    const script = withProfile('constructed-profile-payload-all-on', withPrefs('catalina-three-recommended-check-as-yes-string'));
    const { value, host } = await collect(collectOsUpdatesDarwin, script);
    expect(value).toMatchObject({ status: 'enabled', automaticInstall: true, source: 'com.apple.SoftwareUpdate (configuration profile)', pending: 3 });
    expect(value.detail).toContain('CriticalUpdateInstall on (configuration profile)');
    expect(host.calls).toHaveLength(2);
  });

  it('does not fall back to the local settings when the configuration profile cannot be read', async () => {
    const script = withPrefs('sequoia-trimmed-install-tonight-dictionaries');
    script.files[MANAGED_SOFTWARE_UPDATE_PLIST] = 'binary plist';
    script.commands[READ_MANAGED] = { error: 'ERR_COMMAND_TIMEOUT' };
    const { value, errors } = await collect(collectOsUpdatesDarwin, script);
    expect(value).toMatchObject({ status: 'unknown', automaticCheck: null, automaticInstall: null, pending: 1 });
    expect(errors[0]?.code).toBe('ERR_COMMAND_TIMEOUT');
    expect(errors[0]?.message).toContain('configuration profile');
  });

  it('treats a Mac without the preference domain as defaults, pending unknown', async () => {
    const script = healthyMac();
    script.commands[READ_LOCAL] = { stderr: darwinFixture('defaults-read-softwareupdate', 'constructed-domain-does-not-exist'), exitCode: 1 };
    const { value, errors } = await collect(collectOsUpdatesDarwin, script);
    expect(value).toMatchObject({ status: 'unknown', automaticCheck: true, automaticDownload: true, automaticInstall: null, pending: null });
    expect(value.detail).toContain('com.apple.SoftwareUpdate does not exist');
    expect(codes(errors)).toEqual(['ERR_SIGNAL_UNAVAILABLE', 'ERR_SIGNAL_UNAVAILABLE', 'ERR_UNSUPPORTED']);
  });

  it('is unknown with the refusal when defaults is not allowed to read the domain', async () => {
    const script = healthyMac();
    script.commands[READ_LOCAL] = { stderr: darwinFixture('defaults-read-softwareupdate', 'constructed-operation-not-permitted'), exitCode: 1 };
    const { value, errors } = await collect(collectOsUpdatesDarwin, script);
    expect(value).toMatchObject({ status: 'unknown', automaticCheck: null, automaticDownload: null, automaticInstall: null, pending: null });
    expect(codes(errors)).toContain('ERR_ACCESS_DENIED');
  });

  it('is unknown with the error when defaults times out or is missing', async () => {
    const script = healthyMac();
    script.commands[READ_LOCAL] = { error: 'ERR_COMMAND_TIMEOUT' };
    const timedOut = await collect(collectOsUpdatesDarwin, script);
    expect(timedOut.value.status).toBe('unknown');
    expect(codes(timedOut.errors)).toContain('ERR_COMMAND_TIMEOUT');

    const withoutDefaults = healthyMac();
    remove(withoutDefaults.commands, READ_LOCAL);
    const missing = await collect(collectOsUpdatesDarwin, withoutDefaults);
    expect(missing.value.status).toBe('unknown');
    expect(codes(missing.errors)).toContain('ERR_COMMAND_NOT_FOUND');
  });

  it('does not run softwareupdate unless asked, and then lists what it finds without a scan', async () => {
    const script = withPrefs('catalina-install-macos-updates-none-pending');
    script.commands[`${DARWIN_COMMANDS.softwareupdate} --list --no-scan`] = { stdout: darwinFixture('softwareupdate-list', 'auto-update-01-ventura-two-updates-no-scan') };
    const cheap = await collect(collectOsUpdatesDarwin, script);
    expect(cheap.host.calls.map((call) => call.file)).toEqual([COMMANDS.defaults]);

    const { value, host } = await collect(darwinOsUpdatesCollector({ listUpdates: 'cached' }), script);
    expect(host.calls[1]).toEqual({ file: DARWIN_COMMANDS.softwareupdate, args: ['--list', '--no-scan'] });
    expect(value.pending).toBe(2);
    expect(value.detail).toContain('pending: Command Line Tools for Xcode, macOS Ventura 13.4 Beta; 1 of them restart the Mac to install');
  });

  it('keeps the cached count when an opted-in scan fails, with the scan error', async () => {
    const script = withPrefs('catalina-three-recommended-check-as-yes-string');
    script.commands[`${DARWIN_COMMANDS.softwareupdate} --list`] = { stdout: darwinFixture('softwareupdate-list', 'auto-update-09-scan-error') };
    const { value, errors } = await collect(darwinOsUpdatesCollector({ listUpdates: 'scan' }), script);
    expect(value.pending).toBe(3);
    expect(codes(errors)).toContain('ERR_COMMAND_FAILED');
  });
});
