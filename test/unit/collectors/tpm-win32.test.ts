import { describe, expect, it } from 'vitest';
import { TPM_SCRIPT } from '../../../src/collectors/tpm/tpm-script.js';
import { collectTpmWin32 } from '../../../src/collectors/tpm/win32.js';
import { powerShellArguments } from '../../../src/collectors/windows/powershell.js';
import { WIN32_COMMANDS } from '../../../src/exec/commands-win32.js';
import { recordingContext } from '../../fixtures/win32/windows-host.js';
import { createFakeHost, fixture, type CommandAnswer } from '../../support/fake-host.js';

const PROBE = [WIN32_COMMANDS.powershell, ...powerShellArguments(TPM_SCRIPT)].join(' ');
const TPMTOOL = `${WIN32_COMMANDS.tpmtool} getdeviceinformation`;

const probe = (name: string): CommandAnswer => ({ stdout: fixture('win32', 'powershell-tpm', name), exitCode: 0 });
const tpmtool = (name: string): CommandAnswer => ({ stdout: fixture('win32', 'tpmtool', name), exitCode: 0 });

async function collect(answers: { probe?: CommandAnswer; tpmtool?: CommandAnswer }) {
  const commands: Record<string, CommandAnswer> = {};
  if (answers.probe) commands[PROBE] = answers.probe;
  if (answers.tpmtool) commands[TPMTOOL] = answers.tpmtool;
  const host = createFakeHost({ platform: 'win32', commands });
  const { ctx, errors } = recordingContext();
  const value = await collectTpmWin32(host, ctx);
  const ran = host.calls.map((call) => (call.file === WIN32_COMMANDS.powershell ? 'probe' : call.file === WIN32_COMMANDS.tpmtool ? 'tpmtool' : call.file));
  return { value, codes: errors.map((error) => error.code), errors, ran };
}

describe('collectTpmWin32', () => {
  it('reads Get-Tpm and Win32_Tpm with administrator rights in one PowerShell, and nothing else', async () => {
    const { value, codes, ran } = await collect({ probe: probe('win11-intel-ptt-administrator'), tpmtool: tpmtool('t07-dasharo-intel-ptt-english') });
    expect(value).toEqual({ status: 'present', kind: 'tpm', specVersion: '2.0', manufacturer: 'Intel', enabled: true, ready: true, source: 'Get-Tpm and Win32_Tpm' });
    expect(codes).toEqual([]);
    expect(ran).toEqual(['probe']);
  });

  it('falls back to tpmtool for a standard user: present and ready, enabled unknown with the refusal that explains it', async () => {
    const { value, codes, errors, ran } = await collect({ probe: probe('standard-user-access-denied'), tpmtool: tpmtool('t07-dasharo-intel-ptt-english') });
    expect(value).toEqual({ status: 'present', kind: 'tpm', specVersion: '2.0', manufacturer: 'Intel', enabled: null, ready: true, source: 'tpmtool getdeviceinformation' });
    expect(codes).toEqual(['ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED']);
    expect(errors[0]!.message).toContain('administrator');
    expect(ran).toEqual(['probe', 'tpmtool']);
  });

  it("reads a French tpmtool (Vrai/Faux) for a standard user", async () => {
    const { value } = await collect({ probe: probe('standard-user-access-denied'), tpmtool: tpmtool('t09-french-infineon-cut-off') });
    expect(value).toMatchObject({ status: 'present', specVersion: '2.0', manufacturer: 'Infineon', ready: true, enabled: null });
  });

  it('is absent when tpmtool says there is no TPM', async () => {
    const { value, ran } = await collect({ probe: probe('standard-user-access-denied'), tpmtool: tpmtool('no-tpm') });
    expect(value.status).toBe('absent');
    expect(ran).toEqual(['probe', 'tpmtool']);
  });

  it('never turns an old Get-Tpm without TpmEnabled into enabled: false', async () => {
    const { value, codes } = await collect({ probe: probe('ltsc-1809-intel-old-property-set-win32-tpm-failed') });
    expect(value.enabled).toBeNull();
    expect(value).toMatchObject({ status: 'present', specVersion: '2.0', ready: true });
    expect(codes).toEqual(['ERR_COMMAND_FAILED']);
  });

  it('takes enabled from Win32_Tpm when an old Get-Tpm does not tell it (TPM 1.2)', async () => {
    const { value, codes } = await collect({ probe: probe('t01-win10-1903-infineon-tpm12-old-property-set') });
    expect(value).toMatchObject({ specVersion: '1.2', manufacturer: 'Infineon', enabled: true, ready: true });
    expect(codes).toEqual([]);
  });

  it('is absent when Get-Tpm says TpmPresent False, without asking tpmtool', async () => {
    const { value, codes, ran } = await collect({ probe: probe('tpm-turned-off-in-firmware'), tpmtool: tpmtool('t07-dasharo-intel-ptt-english') });
    expect(value).toEqual({ status: 'absent', kind: null, specVersion: null, manufacturer: null, enabled: null, ready: null, source: 'Get-Tpm (TpmPresent False)' });
    expect(codes).toEqual([]);
    expect(ran).toEqual(['probe']);
  });

  it('reports a present TPM that is not ready (not owned after Clear-Tpm)', async () => {
    const { value } = await collect({ probe: probe('dasharo-162-infineon-cleared-not-ready') });
    expect(value).toMatchObject({ status: 'present', enabled: true, ready: false });
  });

  it('uses Win32_Tpm when the Get-Tpm cmdlet does not exist', async () => {
    const { value, codes, ran } = await collect({ probe: probe('get-tpm-missing-win32-tpm-amd') });
    expect(value).toMatchObject({ status: 'present', manufacturer: 'AMD', source: 'Win32_Tpm', ready: true });
    expect(codes).toEqual(['ERR_UNSUPPORTED']);
    expect(ran).toEqual(['probe']);
  });

  it('asks tpmtool when PowerShell is missing', async () => {
    const { value, codes } = await collect({ tpmtool: tpmtool('amd-ftpm-trimmed') });
    expect(value).toMatchObject({ status: 'present', manufacturer: 'AMD' });
    expect(codes).toEqual(['ERR_COMMAND_NOT_FOUND']);
  });

  it('asks tpmtool when the probe prints something other than its document', async () => {
    const { value, codes } = await collect({ probe: probe('not-json'), tpmtool: tpmtool('t07-dasharo-intel-ptt-english') });
    expect(value.status).toBe('present');
    expect(codes).toEqual(['ERR_PARSE']);
  });

  it('is unknown with both reasons when the probe times out and tpmtool does not exist', async () => {
    const { value, codes } = await collect({ probe: { error: 'ERR_COMMAND_TIMEOUT' } });
    expect(value.status).toBe('unknown');
    expect(codes).toEqual(['ERR_COMMAND_TIMEOUT', 'ERR_COMMAND_NOT_FOUND']);
  });

  it('is unknown, not absent, for a standard user on a Windows without tpmtool', async () => {
    const { value, codes } = await collect({ probe: probe('standard-user-access-denied') });
    expect(value.status).toBe('unknown');
    expect(codes).toEqual(['ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED', 'ERR_COMMAND_NOT_FOUND']);
  });

  it('runs the probe as one encoded PowerShell command that fits a command line', () => {
    const args = powerShellArguments(TPM_SCRIPT);
    expect(args.slice(0, 6)).toEqual(['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
    expect(Buffer.from(args[6]!, 'base64').toString('utf16le')).toContain("probe = 'tpm'");
  });
});
