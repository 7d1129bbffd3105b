import { describe, expect, it } from 'vitest';
import { collectOsWin32 } from '../../../src/collectors/os/win32.js';
import { checkWith, errorCodes, INVENTORY, printed, ran, recordingContext, windowsHost } from '../../fixtures/win32/windows-host.js';

describe('collectOsWin32', () => {
  it('reads the version from one reg.exe query and the inventory from the host', async () => {
    const host = windowsHost();
    const { ctx, errors } = recordingContext();
    const signal = await collectOsWin32(host, ctx);
    expect(signal.os).toEqual({
      platform: 'win32',
      id: 'windows',
      idLike: [],
      name: 'Windows 11 Pro',
      version: '10.0.22631',
      build: '10.0.22631.4317',
      displayVersion: '23H2',
      kernel: '10.0.22631',
      arch: 'x64',
      supportEnd: null,
    });
    expect(signal.device).toEqual({ hostname: 'host-1', serial: 'XXXXXXXX', model: '21HM', manufacturer: 'LENOVO' });
    expect(errors).toEqual([]);
    expect(ran(host)).toEqual(['reg']);
  });

  it('keeps a server name on a build past 22000', async () => {
    const { ctx } = recordingContext();
    const signal = await collectOsWin32(windowsHost({ reg: printed('reg-query', 'server-2025-datacenter') }), ctx);
    expect(signal.os.name).toBe('Windows Server 2025 Datacenter');
    expect(signal.os.build).toBe('10.0.26100.1742');
  });

  it('falls back to Win32_OperatingSystem through PowerShell when reg.exe is missing', async () => {
    const host = windowsHost({ reg: undefined, osProbe: printed('powershell-os', 'win11-home-single-language') });
    const { ctx, errors } = recordingContext();
    const signal = await collectOsWin32(host, ctx);
    expect(signal.os).toMatchObject({ name: 'Windows 11 Home Single Language', version: '10.0.26200', build: '10.0.26200.6899', displayVersion: '25H2' });
    expect(errors.map((error) => error.code)).toEqual(['ERR_COMMAND_NOT_FOUND']);
    expect(ran(host)).toEqual(['reg', 'osProbe']);
  });

  it('falls back when reg.exe is refused, reporting the refusal from its error output', async () => {
    const host = windowsHost({
      reg: { stdout: '', stderr: 'ERROR: Access is denied.\r\n', exitCode: 1 },
      osProbe: printed('powershell-os', 'server-2022-registry-refused'),
    });
    const { ctx, errors } = recordingContext();
    const signal = await collectOsWin32(host, ctx);
    expect(signal.os).toMatchObject({ name: 'Windows Server 2022 Standard', version: '10.0.20348', build: null, displayVersion: null });
    expect(errors.map((error) => error.code)).toEqual(['ERR_ACCESS_DENIED']);
  });

  it('falls back on malformed reg.exe output', async () => {
    const host = windowsHost({ reg: printed('reg-query', 'truncated-inside-a-value'), osProbe: printed('powershell-os', 'win10-home-22h2') });
    const { ctx, errors } = recordingContext();
    const signal = await collectOsWin32(host, ctx);
    expect(signal.os.version).toBe('10.0.19045');
    expect(errors.map((error) => error.code)).toEqual(['ERR_PARSE']);
  });

  it('leaves the version null, never guessed, when no source answers', async () => {
    const host = windowsHost({ reg: undefined, osProbe: printed('powershell-os', 'cim-access-denied') });
    const { ctx, errors } = recordingContext();
    const signal = await collectOsWin32(host, ctx);
    expect(signal.os).toMatchObject({ id: 'windows', name: null, version: null, build: null, displayVersion: null, kernel: '10.0.22631' });
    expect(errors.map((error) => error.code)).toEqual(['ERR_COMMAND_NOT_FOUND', 'ERR_ACCESS_DENIED']);
    expect(errors[1]!.message).toContain('Win32_OperatingSystem');
  });

  it('has no inventory when the host offers none', async () => {
    const { ctx, errors } = recordingContext();
    const signal = await collectOsWin32(windowsHost({}, null), ctx);
    expect(signal.os).toMatchObject({ kernel: null, arch: null, name: 'Windows 11 Pro' });
    expect(signal.device).toEqual({ hostname: null, serial: null, model: null, manufacturer: null });
    expect(errors).toEqual([]);
  });

  it('reports an inventory failure without losing the version', async () => {
    const host = windowsHost();
    host.systemInfo = () => Promise.reject(new Error('WMI is not running'));
    const { ctx, errors } = recordingContext();
    const signal = await collectOsWin32(host, ctx);
    expect(signal.os.version).toBe('10.0.22631');
    expect(signal.device.hostname).toBeNull();
    expect(errors.map((error) => error.code)).toEqual(['ERR_IO']);
  });
});

describe('the os signal in a whole check', () => {
  it('is unknown with ERR_COMMAND_TIMEOUT when reg.exe hangs, while the other signals still answer', async () => {
    const report = await checkWith({ reg: { hang: true } });
    expect(report.os).toMatchObject({ platform: 'win32', version: null, build: null });
    expect(errorCodes(report, 'os')).toEqual(['ERR_COMMAND_TIMEOUT', 'ERR_COMMAND_NOT_FOUND']);
    expect(report.diskEncryption.status).toBe('encrypted');
    expect(report.firewall.status).toBe('enabled');
    expect(report.antivirus.products).toHaveLength(1);
    expect(report.device.hostname).toBe(INVENTORY.hostname);
  });
});
