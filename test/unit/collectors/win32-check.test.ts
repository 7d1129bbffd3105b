import { describe, expect, it } from 'vitest';
import { collectPosture } from '../../../src/collectors/index.js';
import { ANTIVIRUS_SCRIPT } from '../../../src/collectors/windows/antivirus-script.js';
import { DISK_ENCRYPTION_SCRIPT } from '../../../src/collectors/windows/disk-encryption-script.js';
import { FIREWALL_SCRIPT } from '../../../src/collectors/windows/firewall-script.js';
import { OS_SCRIPT } from '../../../src/collectors/windows/os-script.js';
import { outputText, powerShellArguments } from '../../../src/collectors/windows/powershell.js';
import { WIN32_ALTERNATIVES, WIN32_COMMANDS } from '../../../src/exec/commands-win32.js';
import { ELEVATED, ran, windowsHost } from '../../fixtures/win32/windows-host.js';
import type { CommandAnswer } from '../../support/fake-host.js';

const PROBES = { os: OS_SCRIPT, diskEncryption: DISK_ENCRYPTION_SCRIPT, antivirus: ANTIVIRUS_SCRIPT, firewall: FIREWALL_SCRIPT };

describe('a Windows check', () => {
  const HEALTHY_NEW_SIGNALS = {
    screenLock: { status: 'enabled', delaySeconds: 300, source: 'screen saver (registry)' },
    secureBoot: { status: 'enabled', detail: 'UEFISecureBootEnabled 1', source: 'registry' },
    osUpdates: { status: 'enabled', automaticCheck: true, automaticDownload: true, automaticInstall: true, rebootRequired: false, source: 'Windows Update (default)' },
  };
  /** Not a fault of the laptop: only a Windows Update search counts pending updates, and a check never starts one. */
  const PENDING_NOT_COUNTED = expect.objectContaining({ signal: 'osUpdates', code: 'ERR_UNSUPPORTED', message: expect.stringContaining('Pending updates are not counted') });

  it('as a standard user starts nine processes: two reg.exe, one PowerShell per other signal, and tpmtool because Get-Tpm refuses', async () => {
    const host = windowsHost();
    const report = await collectPosture(host);
    expect(ran(host).sort()).toEqual(['antivirusProbe', 'diskProbe', 'firewallProbe', 'osUpdatesProbe', 'reg', 'screenLockProbe', 'secureBootReg', 'tpmProbe', 'tpmtool']);
    expect(report.errors).toEqual([
      expect.objectContaining({ signal: 'tpm', code: 'ERR_ACCESS_DENIED', message: expect.stringContaining('Get-Tpm') }),
      expect.objectContaining({ signal: 'tpm', code: 'ERR_ACCESS_DENIED', message: expect.stringContaining('Win32_Tpm') }),
      PENDING_NOT_COUNTED,
    ]);
    expect(report).toMatchObject({
      os: { name: 'Windows 11 Pro' },
      diskEncryption: { status: 'encrypted' },
      antivirus: { status: 'unprotected' },
      firewall: { status: 'enabled' },
      ...HEALTHY_NEW_SIGNALS,
      tpm: { status: 'present', specVersion: '2.0', manufacturer: 'Intel', enabled: null, ready: true, source: 'tpmtool getdeviceinformation' },
    });
  });

  it('elevated (the installed SYSTEM task) starts eight: Get-Tpm answers, so no tpmtool, and no TPM error', async () => {
    const host = windowsHost(ELEVATED);
    const report = await collectPosture(host);
    expect(ran(host).sort()).toEqual(['antivirusProbe', 'diskProbe', 'firewallProbe', 'osUpdatesProbe', 'reg', 'screenLockProbe', 'secureBootReg', 'tpmProbe']);
    expect(report.errors).toEqual([PENDING_NOT_COUNTED]);
    expect(report).toMatchObject({
      diskEncryption: { status: 'encrypted', volumes: [{ mount: 'C:', encrypted: true, method: 'BitLocker XTS-AES 128' }] },
      ...HEALTHY_NEW_SIGNALS,
      tpm: { status: 'present', specVersion: '2.0', manufacturer: 'Intel', enabled: true, ready: true, source: 'Get-Tpm and Win32_Tpm' },
    });
  });

  it('starts each fallback only when its first choice failed: at most fourteen processes', async () => {
    const failed: CommandAnswer = { error: 'ERR_COMMAND_TIMEOUT' };
    const host = windowsHost({ reg: failed, diskProbe: failed, firewallProbe: failed, screenLockProbe: failed, secureBootReg: failed, tpmProbe: failed, osUpdatesProbe: failed });
    await collectPosture(host);
    expect(ran(host).sort()).toEqual(
      ['antivirusProbe', 'diskProbe', 'firewallProbe', 'manageBde', 'netsh', 'osProbe', 'osUpdatesProbe', 'reg', 'screenLockProbe', 'secureBootProbe', 'secureBootReg', 'tpmProbe', 'tpmtool', 'wuPolicyReg'].sort(),
    );
  });

  it('runs only allow-listed programs, by absolute path, with argument arrays', async () => {
    const host = windowsHost({ reg: undefined, diskProbe: undefined, firewallProbe: undefined });
    await collectPosture(host);
    const allowed: string[] = Object.values(WIN32_COMMANDS);
    for (const call of host.calls) expect(allowed).toContain(call.file);
  });
});

describe('PowerShell probes', () => {
  it.each(Object.entries(PROBES))('passes the %s probe as -EncodedCommand (Base64 of UTF-16LE) within the command-line limit', (_name, script) => {
    const args = powerShellArguments(script);
    expect(args.slice(0, 6)).toEqual(['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
    expect(Buffer.from(args[6]!, 'base64').toString('utf16le')).toBe(script);
    expect([WIN32_COMMANDS.powershell, ...args].join(' ').length).toBeLessThanOrEqual(32_767);
  });

  it.each(Object.entries(PROBES))('makes the %s probe print one UTF-8 JSON document named after its signal', (name, script) => {
    expect(script).toContain('[Console]::OutputEncoding = [Text.Encoding]::UTF8');
    expect(script).toContain('ConvertTo-Json -Compress -Depth 5');
    expect(script).toMatch(new RegExp(`\\nWrite-ProbeDocument \\(\\[ordered\\]@\\{\\s*probe = '${name}'[^]*\\}\\)\\s*$`));
  });

  it('refuses a probe too long for a Windows command line', () => {
    expect(() => powerShellArguments('x'.repeat(20_000))).toThrow(/32767/);
  });

  it('never asks for BitLocker secrets', () => {
    expect(DISK_ENCRYPTION_SCRIPT).not.toMatch(/RecoveryPassword|KeyProtectorId/i);
  });
});

describe('outputText', () => {
  it('is the standard output, or the error output when a tool printed its refusal there', () => {
    expect(outputText({ stdout: 'data\r\n', stderr: 'warning', exitCode: 0 })).toBe('data\r\n');
    expect(outputText({ stdout: ' \r\n', stderr: 'ERROR: Access is denied.', exitCode: 1 })).toBe('ERROR: Access is denied.');
  });
});

describe('WIN32_ALTERNATIVES', () => {
  it('lets a 32-bit agent reach the 64-bit System32 through Sysnative', () => {
    expect(WIN32_ALTERNATIVES[WIN32_COMMANDS.manageBde]).toEqual(['C:\\Windows\\Sysnative\\manage-bde.exe']);
    expect(WIN32_ALTERNATIVES[WIN32_COMMANDS.powershell]).toEqual(['C:\\Windows\\Sysnative\\WindowsPowerShell\\v1.0\\powershell.exe']);
  });
});
