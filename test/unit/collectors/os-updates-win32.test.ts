import { describe, expect, it } from 'vitest';
import { collectOsUpdatesWin32 } from '../../../src/collectors/os-updates/win32.js';
import { WU_POLICY_KEY } from '../../../src/collectors/os-updates/parse-wu-policy-reg-query.js';
import { OS_UPDATES_SCRIPT } from '../../../src/collectors/os-updates/windows-script.js';
import { powerShellArguments } from '../../../src/collectors/windows/powershell.js';
import { WIN32_COMMANDS } from '../../../src/exec/commands-win32.js';
import { collectWith, codes } from '../../support/collect.js';
import { fixture, type CommandAnswer } from '../../support/fake-host.js';

const NOW = new Date('2026-11-22T10:00:00.000Z');
const PROBE = [WIN32_COMMANDS.powershell, ...powerShellArguments(OS_UPDATES_SCRIPT)].join(' ');
const REG = [WIN32_COMMANDS.reg, 'query', WU_POLICY_KEY].join(' ');

function probeSays(name: string): CommandAnswer {
  return { stdout: fixture('win32', 'powershell-os-updates', name), exitCode: 0 };
}

/** A probe document built from a fixture with some sections replaced. */
function probeWith(name: string, sections: Record<string, unknown>): CommandAnswer {
  const document = JSON.parse(fixture('win32', 'powershell-os-updates', name)) as Record<string, unknown>;
  return { stdout: `${JSON.stringify({ ...document, ...sections })}\r\n`, exitCode: 0 };
}

function run(commands: Record<string, CommandAnswer>) {
  return collectWith(collectOsUpdatesWin32, { platform: 'win32', commands }, NOW);
}

describe('collectOsUpdatesWin32', () => {
  it('is enabled on a Windows 11 without any policy, from one PowerShell process', async () => {
    const { value, errors, host } = await run({ [PROBE]: probeSays('win11-no-policy') });
    expect(value).toEqual({
      status: 'enabled',
      automaticCheck: true,
      automaticDownload: true,
      automaticInstall: true,
      pending: null,
      pendingSecurity: null,
      rebootRequired: false,
      source: 'Windows Update (default)',
      detail:
        'no policy: Windows downloads and installs updates by itself; last successful installation 2026-11-12T03:05:11Z; last successful search 2026-11-21T07:12:40Z',
    });
    expect(codes(errors)).toEqual(['ERR_UNSUPPORTED']);
    expect(host.calls).toHaveLength(1);
    expect(host.calls[0]!.file).toBe(WIN32_COMMANDS.powershell);
  });

  it('reads Group Policy AUOptions 4 as enabled and AUOptions 3 (download, ask to install) as disabled', async () => {
    const four = await run({ [PROBE]: probeSays('auto-update-13-auoptions-4') });
    expect(four.value).toMatchObject({ status: 'enabled', automaticInstall: true, source: 'Windows Update policy (Group Policy)' });
    expect(four.value.detail).toContain('AUOptions 4: download automatically and install on a schedule');

    const three = await run({ [PROBE]: probeSays('wsus-auoptions-3') });
    expect(three.value).toMatchObject({ status: 'disabled', automaticCheck: true, automaticDownload: true, automaticInstall: false });
    expect(three.value.detail).toContain('updates come from http://wsus.outdated.htb:8530');
  });

  it('lets NoAutoUpdate 1 win over AUOptions', async () => {
    const { value } = await run({ [PROBE]: probeSays('powershell-5.1-value-wrapper-noautoupdate-1') });
    expect(value).toMatchObject({ status: 'disabled', automaticCheck: false, automaticInstall: false, source: 'Windows Update policy (Group Policy)' });
  });

  it('uses the Automatic Updates settings when no policy decides (auto-update/03: scheduled installation)', async () => {
    const { value } = await run({ [PROBE]: probeSays('auto-update-03-notification-level-4') });
    expect(value).toMatchObject({ status: 'enabled', source: 'Windows Update (Automatic Updates settings)' });
  });

  it('is disabled while updates are paused, and reports the pending reboot', async () => {
    const { value } = await run({ [PROBE]: probeSays('paused-and-reboot-pending') });
    expect(value).toMatchObject({ status: 'disabled', automaticCheck: true, automaticInstall: false, rebootRequired: true });
    expect(value.detail).toContain('updates are paused until 2026-12-06T09:41:12Z');
  });

  it('is enabled again once the pause has ended', async () => {
    const { value } = await collectWith(collectOsUpdatesWin32, { platform: 'win32', commands: { [PROBE]: probeSays('paused-and-reboot-pending') } }, new Date('2026-12-07T00:00:00Z'));
    expect(value).toMatchObject({ status: 'enabled', automaticInstall: true });
  });

  it('is disabled when the Windows Update service is disabled, whatever the settings say', async () => {
    const { value } = await run({ [PROBE]: probeSays('service-disabled-mdm-allow-auto-update-5') });
    expect(value).toMatchObject({ status: 'disabled', automaticCheck: false, automaticDownload: false, automaticInstall: false, source: 'Windows Update (service disabled)' });
    expect(value.detail).toContain('AllowAutoUpdate 5: automatic updates turned off');
  });

  it('reads an MDM AllowAutoUpdate that installs', async () => {
    const { value } = await run({ [PROBE]: probeWith('win11-no-policy', { mdm: { data: [{ AllowAutoUpdate: 2 }] } }) });
    expect(value).toMatchObject({ status: 'enabled', source: 'Windows Update policy (MDM)' });
  });

  it('still judges from the registry when the Windows Update COM objects are refused', async () => {
    const { value, errors } = await run({ [PROBE]: probeSays('constrained-language-com-refused') });
    expect(value).toMatchObject({ status: 'enabled', source: 'Windows Update (default)', rebootRequired: false });
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED', 'ERR_UNSUPPORTED']);
  });

  it('does not assume the default when a standard user cannot read the MDM policy (German error text)', async () => {
    const { value, errors } = await run({ [PROBE]: probeWith('german-policy-manager-access-denied', { autoUpdate: { data: [] } }) });
    expect(value).toMatchObject({ status: 'unknown', automaticInstall: null });
    expect(errors[0]).toEqual({ code: 'ERR_ACCESS_DENIED', message: expect.stringContaining('Der angeforderte Registrierungszugriff ist unzulässig.') as string });
  });

  it('cannot call it enabled when the pause settings or the service state are unreadable', async () => {
    const denied = { error: { type: 'System.Security.SecurityException', category: 'PermissionDenied', id: 'x', message: 'Requested registry access is not allowed.' } };
    const { value } = await run({ [PROBE]: probeWith('win11-no-policy', { pause: denied }) });
    expect(value).toMatchObject({ status: 'unknown', automaticCheck: true, automaticInstall: null });

    const noService = await run({ [PROBE]: probeWith('win11-no-policy', { service: denied }) });
    expect(noService.value).toMatchObject({ status: 'unknown', automaticCheck: null, automaticInstall: null });
  });

  it('falls back to reg.exe when the probe fails: a policy that turns updates off is still found', async () => {
    const { value, errors, host } = await run({
      [PROBE]: probeSays('applocker-blocked-not-json'),
      [REG]: { stdout: fixture('win32', 'reg-query-wu-policy', 'constructed-noautoupdate-1'), exitCode: 0 },
    });
    expect(value).toMatchObject({ status: 'disabled', automaticInstall: false, source: 'Windows Update policy (Group Policy)', pending: null, rebootRequired: null });
    expect(codes(errors)).toEqual(['ERR_PARSE']);
    expect(host.calls.map((call) => call.file)).toEqual([WIN32_COMMANDS.powershell, WIN32_COMMANDS.reg]);
  });

  it('is unknown after a probe timeout when reg.exe finds no policy (German "not found")', async () => {
    const { value, errors } = await run({
      [PROBE]: { error: 'ERR_COMMAND_TIMEOUT' },
      [REG]: { stderr: fixture('win32', 'reg-query-wu-policy', 'german-key-not-found'), exitCode: 1 },
    });
    expect(value).toEqual({
      status: 'unknown',
      automaticCheck: null,
      automaticDownload: null,
      automaticInstall: null,
      pending: null,
      pendingSecurity: null,
      rebootRequired: null,
      source: null,
      detail: null,
    });
    expect(codes(errors)).toEqual(['ERR_COMMAND_TIMEOUT']);
  });

  it('never calls a policy that installs "enabled" from reg.exe alone', async () => {
    const { value } = await run({
      [PROBE]: { error: 'ERR_COMMAND_TIMEOUT' },
      [REG]: { stdout: fixture('win32', 'reg-query-wu-policy', 'outdated-htb-auoptions-3').replace('AUOptions    REG_DWORD    0x3', 'AUOptions    REG_DWORD    0x4'), exitCode: 0 },
    });
    expect(value.status).toBe('unknown');
    expect(value.detail).toContain('AUOptions 4');
  });

  it('is unknown with both errors when neither the probe nor reg.exe can read anything', async () => {
    const { value, errors } = await run({
      [PROBE]: { stdout: fixture('win32', 'powershell-os-updates', 'empty'), exitCode: 0 },
      [REG]: { stderr: fixture('win32', 'reg-query-wu-policy', 'access-denied'), exitCode: 1 },
    });
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_EMPTY_OUTPUT', 'ERR_ACCESS_DENIED']);
  });
});
