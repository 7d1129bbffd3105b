import { describe, expect, it } from 'vitest';
import { SECURE_BOOT_STATE_KEY } from '../../../src/collectors/secure-boot/parse-secure-boot-state-key.js';
import { SECURE_BOOT_SCRIPT } from '../../../src/collectors/secure-boot/secure-boot-script.js';
import { collectSecureBootWin32 } from '../../../src/collectors/secure-boot/win32.js';
import { powerShellArguments } from '../../../src/collectors/windows/powershell.js';
import { WIN32_COMMANDS } from '../../../src/exec/commands-win32.js';
import { codes, collectWith } from '../../support/collect.js';
import { fixture, type CommandAnswer } from '../../support/fake-host.js';

const NOW = new Date('2026-11-22T10:00:00.000Z');
const REG = [WIN32_COMMANDS.reg, 'query', SECURE_BOOT_STATE_KEY].join(' ');
const PROBE = [WIN32_COMMANDS.powershell, ...powerShellArguments(SECURE_BOOT_SCRIPT)].join(' ');

const reg = (name: string): CommandAnswer => ({ stdout: fixture('win32', 'reg-query-secure-boot-state', name) });
/** reg.exe prints "not found" and "access denied" on stderr and exits 1. */
const regError = (name: string): CommandAnswer => ({ stderr: fixture('win32', 'reg-query-secure-boot-state', name), exitCode: 1 });
const probe = (name: string): CommandAnswer => ({ stdout: fixture('win32', 'powershell-secure-boot', name) });

async function collect(answers: { reg?: CommandAnswer; probe?: CommandAnswer }) {
  const commands: Record<string, CommandAnswer> = {};
  if (answers.reg) commands[REG] = answers.reg;
  if (answers.probe) commands[PROBE] = answers.probe;
  const { value, errors, host } = await collectWith(collectSecureBootWin32, { platform: 'win32', commands }, NOW);
  return { value, errors, ran: host.calls.map((call) => (call.file === WIN32_COMMANDS.reg ? 'reg' : 'probe')) };
}

describe('collectSecureBootWin32', () => {
  it('answers from the registry alone when UEFISecureBootEnabled is 1 (a standard user can read it; no PowerShell)', async () => {
    const { value, errors, ran } = await collect({ reg: reg('uefi-secure-boot-on'), probe: probe('admin-secure-boot-off-user-mode') });
    expect(value).toEqual({ status: 'enabled', setupMode: null, detail: 'UEFISecureBootEnabled 1', source: 'registry' });
    expect(errors).toEqual([]);
    expect(ran).toEqual(['reg']);
  });

  it('as an administrator, takes Confirm-SecureBootUEFI and SetupMode when the registry says 0', async () => {
    const { value, errors, ran } = await collect({ reg: reg('uefi-secure-boot-off'), probe: probe('admin-setup-mode') });
    expect(value).toEqual({ status: 'disabled', setupMode: true, detail: 'Confirm-SecureBootUEFI False (SecureBoot 0, SetupMode 1)', source: 'Confirm-SecureBootUEFI' });
    expect(errors).toEqual([]);
    expect(ran).toEqual(['reg', 'probe']);
  });

  it('as an administrator, says enabled when Confirm-SecureBootUEFI is True although reg.exe failed', async () => {
    const { value, errors } = await collect({ reg: { error: 'ERR_COMMAND_TIMEOUT' }, probe: probe('admin-secure-boot-on') });
    expect(value).toEqual({ status: 'enabled', setupMode: false, detail: 'Confirm-SecureBootUEFI True (SecureBoot 1, SetupMode 0)', source: 'Confirm-SecureBootUEFI' });
    expect(errors).toEqual([]);
  });

  it('as a standard user (Confirm-SecureBootUEFI refused), is disabled from the registry and PEFirmwareType', async () => {
    const { value, errors } = await collect({ reg: reg('uefi-secure-boot-off'), probe: probe('standard-user-access-denied') });
    expect(value).toEqual({ status: 'disabled', setupMode: null, detail: 'UEFISecureBootEnabled 0, PEFirmwareType 2 (UEFI)', source: 'registry' });
    expect(errors).toEqual([]);
  });

  it('is unsupported on a legacy BIOS boot: no State key, "Cmdlet not supported on this platform"', async () => {
    const { value, errors } = await collect({ reg: regError('key-missing-english'), probe: probe('legacy-bios-not-supported') });
    expect(value.status).toBe('unsupported');
    expect(value.source).toBe('Confirm-SecureBootUEFI');
    expect(value.detail).toContain('0xC0000002');
    expect(errors).toEqual([]);
  });

  it('is unsupported on a German legacy BIOS machine: localised reg.exe and cmdlet messages, decided by codes', async () => {
    const { value, errors } = await collect({ reg: regError('key-missing-german'), probe: probe('legacy-bios-german-messages') });
    expect(value.status).toBe('unsupported');
    expect(errors).toEqual([]);
  });

  it('is unsupported from PEFirmwareType 1 when a standard user cannot run Confirm-SecureBootUEFI', async () => {
    const document = JSON.parse(fixture('win32', 'powershell-secure-boot', 'legacy-bios-not-supported')) as Record<string, unknown>;
    document.confirm = JSON.parse(fixture('win32', 'powershell-secure-boot', 'standard-user-access-denied')).confirm;
    const { value, errors } = await collect({ reg: regError('key-missing-french'), probe: { stdout: JSON.stringify(document) } });
    expect(value).toEqual({ status: 'unsupported', setupMode: null, detail: 'PEFirmwareType 1: Windows booted in legacy BIOS mode', source: 'registry' });
    expect(errors).toEqual([]);
  });

  it('is disabled when the firmware defines no SecureBoot variable (0xC0000100)', async () => {
    const { value } = await collect({ reg: reg('uefi-secure-boot-off'), probe: probe('w-07-variable-undefined') });
    expect(value).toMatchObject({ status: 'disabled', source: 'Confirm-SecureBootUEFI', setupMode: false });
    expect(value.detail).toContain('0xC0000100');
  });

  it('is unknown, with the administrator hint, when the key is missing and only an administrator could tell', async () => {
    const document = JSON.parse(fixture('win32', 'powershell-secure-boot', 'standard-user-access-denied')) as Record<string, unknown>;
    document.firmware = JSON.parse(fixture('win32', 'powershell-secure-boot', 'no-secureboot-module')).firmware;
    document.state = JSON.parse(fixture('win32', 'powershell-secure-boot', 'no-secureboot-module')).state;
    const { value, errors } = await collect({ reg: regError('key-missing-english'), probe: { stdout: JSON.stringify(document) } });
    expect(value).toEqual({ status: 'unknown', setupMode: null, detail: null, source: null });
    expect(codes(errors)).toEqual(['ERR_NOT_FOUND', 'ERR_ACCESS_DENIED']);
    expect(errors[1]!.message).toContain('administrator');
  });

  it('is unknown when the SecureBoot module is missing and nothing else tells', async () => {
    const { value, errors } = await collect({ reg: regError('key-missing-spanish'), probe: probe('no-secureboot-module') });
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_NOT_FOUND', 'ERR_UNSUPPORTED']);
  });

  it('falls back to the probe when reg.exe is refused, and keeps the refusal only if nothing answers', async () => {
    const answered = await collect({ reg: regError('access-denied'), probe: probe('standard-user-access-denied') });
    expect(answered.value).toMatchObject({ status: 'disabled', source: 'registry' });
    expect(answered.errors).toEqual([]);

    const unanswered = await collect({ reg: regError('access-denied'), probe: { error: 'ERR_COMMAND_TIMEOUT' } });
    expect(unanswered.value.status).toBe('unknown');
    expect(codes(unanswered.errors)).toEqual(['ERR_ACCESS_DENIED', 'ERR_COMMAND_TIMEOUT']);
  });

  it('still says disabled from the registry when the probe times out', async () => {
    const { value, errors } = await collect({ reg: reg('uefi-secure-boot-off'), probe: { error: 'ERR_COMMAND_TIMEOUT' } });
    expect(value).toEqual({ status: 'disabled', setupMode: null, detail: 'UEFISecureBootEnabled 0', source: 'registry' });
    expect(errors).toEqual([]);
  });

  it('is unknown when PowerShell is missing and the key is too', async () => {
    const { value, errors } = await collect({ reg: regError('key-missing-english') });
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_NOT_FOUND', 'ERR_COMMAND_NOT_FOUND']);
  });

  it('never takes the probe document apart by hand: a non-JSON answer is ERR_PARSE, not a status', async () => {
    const { value, errors } = await collect({ reg: reg('key-without-value'), probe: probe('not-json') });
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_NOT_FOUND', 'ERR_PARSE']);
  });
});
