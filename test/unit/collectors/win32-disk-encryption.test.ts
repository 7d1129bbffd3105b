import { describe, expect, it } from 'vitest';
import { collectDiskEncryptionWin32 } from '../../../src/collectors/disk-encryption/win32.js';
import { checkWith, errorCodes, printed, probe, ran, recordingContext, windowsHost, type CommandName } from '../../fixtures/win32/windows-host.js';
import { fixture, type CommandAnswer } from '../../support/fake-host.js';

async function collect(answers: Partial<Record<CommandName, CommandAnswer | undefined>>) {
  const host = windowsHost(answers);
  const { ctx, errors } = recordingContext();
  const result = await collectDiskEncryptionWin32(host, ctx);
  return { result, codes: errors.map((error) => error.code), messages: errors.map((error) => error.message), ran: ran(host) };
}

const probeFixture = (name: string): CommandAnswer => printed('powershell-disk-encryption', name);
const manageBdeFixture = (name: string): CommandAnswer => printed('manage-bde-status', name);
const NOT_ELEVATED = { error: { type: 'System.UnauthorizedAccessException', hresult: -2147024891, category: 'NotSpecified', id: 'RuntimeException', message: 'not elevated' } };

describe('collectDiskEncryptionWin32', () => {
  it("takes a standard user's answer from the shell property and does not complain about the refused admin source", async () => {
    const { result, codes, ran } = await collect({ diskProbe: probeFixture('standard-user-data-volume-off') });
    expect(result.status).toBe('partial');
    expect(result.volumes.map((volume) => [volume.mount, volume.system, volume.encrypted])).toEqual([['C:', true, true], ['D:', false, false]]);
    expect(codes).toEqual([]);
    expect(ran).toEqual(['diskProbe']);
  });

  it('reports the admin-only refusal when a volume is left unknown by the shell property', async () => {
    const { result, codes, messages, ran } = await collect({
      diskProbe: probe({ probe: 'diskEncryption', systemDrive: 'C:', fixedVolumes: { data: [{ drive: 'C:', protection: 7 }] }, bitLocker: NOT_ELEVATED }),
    });
    expect(result.status).toBe('unknown');
    expect(codes).toEqual(['ERR_ACCESS_DENIED', 'ERR_SIGNAL_UNAVAILABLE']);
    expect(messages[0]).toContain('administrator');
    expect(ran).toEqual(['diskProbe']);
  });

  it('describes volumes from Get-BitLockerVolume when elevated', async () => {
    const { result, codes } = await collect({ diskProbe: probeFixture('administrator-w2-03-values') });
    expect(result.status).toBe('partial');
    expect(result.volumes[0]).toEqual({
      mount: 'C:',
      system: true,
      encrypted: true,
      method: 'BitLocker XTS-AES 128',
      state: 'Fully encrypted, protection on',
      percentEncrypted: 100,
      conversion: null,
      protection: 'on',
    });
    expect(codes).toEqual([]);
  });

  it('is encrypting, with the system volume\'s percentage, while Get-BitLockerVolume says EncryptionInProgress', async () => {
    const { result, codes } = await collect({
      diskProbe: probe({
        probe: 'diskEncryption',
        systemDrive: 'C:',
        fixedVolumes: { data: [{ drive: 'C:', protection: 3 }] },
        bitLocker: { data: [{ mountPoint: 'C:', volumeType: 0, volumeStatus: 2, protectionStatus: 0, lockStatus: 0, encryptionPercentage: 45, encryptionMethod: 6, keyProtectorTypes: [1, 3] }] },
      }),
    });
    expect(result).toEqual({
      status: 'encrypting',
      percentEncrypted: 45,
      volumes: [{
        mount: 'C:', system: true, encrypted: false, method: 'BitLocker XTS-AES 128', state: 'Encryption in progress 45%',
        percentEncrypted: 45, conversion: 'encrypting', protection: 'off',
      }],
    });
    expect(codes).toEqual([]);
  });

  it("is encrypting from a standard user's shell property, without a percentage", async () => {
    const { result, codes } = await collect({
      diskProbe: probe({ probe: 'diskEncryption', systemDrive: 'C:', fixedVolumes: { data: [{ drive: 'C:', protection: 3 }, { drive: 'D:', protection: 1 }] }, bitLocker: NOT_ELEVATED }),
    });
    expect(result).toMatchObject({ status: 'encrypting', percentEncrypted: null });
    expect(result.volumes[0]).toMatchObject({ encrypted: false, conversion: 'encrypting' });
    expect(codes).toEqual([]);
  });

  it('is decrypting while the system volume is decrypted (the shell property and manage-bde alike)', async () => {
    const shell = await collect({ diskProbe: probe({ probe: 'diskEncryption', systemDrive: 'C:', fixedVolumes: { data: [{ drive: 'C:', protection: 4 }] }, bitLocker: NOT_ELEVATED }) });
    expect(shell.result.status).toBe('decrypting');
    const text = fixture('win32', 'manage-bde-status', 'w1-09-english-in-progress-at-99').replace('Encryption in Progress', 'Decryption in Progress');
    const manageBde = await collect({ diskProbe: undefined, manageBde: { stdout: text, exitCode: 0 } });
    expect(manageBde.result).toMatchObject({ status: 'decrypting', percentEncrypted: 99 });
  });

  it("reads manage-bde's localised conversion status as encrypting (German)", async () => {
    const { result } = await collect({ diskProbe: undefined, manageBde: manageBdeFixture('w1-03-german-in-progress-at-100') });
    expect(result).toMatchObject({ status: 'encrypting', percentEncrypted: 100 });
    expect(result.volumes[0]).toMatchObject({ encrypted: false, conversion: 'encrypting', protection: 'on' });
  });

  it('calls a paused encryption unencrypted, not encrypting: nothing converts until someone resumes it', async () => {
    const { result } = await collect({
      diskProbe: probe({
        probe: 'diskEncryption',
        systemDrive: 'C:',
        fixedVolumes: { data: [{ drive: 'C:', protection: 2 }] },
        bitLocker: { data: [{ mountPoint: 'C:', volumeType: 0, volumeStatus: 4, protectionStatus: 0, lockStatus: 0, encryptionPercentage: 60, encryptionMethod: 6, keyProtectorTypes: [1] }] },
      }),
    });
    expect(result).toEqual({
      status: 'unencrypted',
      volumes: [expect.objectContaining({ encrypted: false, conversion: null, state: 'Encryption paused 60%', percentEncrypted: 60 })],
    });
  });

  it('calls an encrypted system volume next to a data volume being encrypted partial', async () => {
    const { result } = await collect({ diskProbe: probeFixture('administrator-w2-01-encryption-in-progress') });
    // W2/01: C: fully decrypted, D: encrypting: the system volume decides, so not "encrypting".
    expect(result.status).toBe('unencrypted');
    expect(result.volumes.map((volume) => [volume.mount, volume.conversion])).toEqual([['C:', null], ['D:', 'encrypting']]);
  });

  it('does not call an encrypted system volume next to an unreadable data volume partial', async () => {
    const { result, codes } = await collect({
      diskProbe: probe({ probe: 'diskEncryption', systemDrive: 'C:', fixedVolumes: { data: [{ drive: 'C:', protection: 1 }, { drive: 'D:', protection: 7 }] }, bitLocker: NOT_ELEVATED }),
    });
    expect(result.status).toBe('encrypted');
    expect(result.volumes.map((volume) => [volume.mount, volume.encrypted])).toEqual([['C:', true], ['D:', null]]);
    // The unread volume's reason is in the errors: the admin-only source that would have settled it was refused.
    expect(codes).toEqual(['ERR_ACCESS_DENIED']);
  });

  it('calls a clear-key volume ("waiting for activation") unencrypted', async () => {
    const { result } = await collect({ diskProbe: probeFixture('administrator-waiting-for-activation') });
    expect(result.status).toBe('unencrypted');
    expect(result.volumes[0]).toMatchObject({ encrypted: false, protection: 'off', percentEncrypted: 100 });
  });

  it('says BitLocker is missing on a server where nothing reports a state', async () => {
    const { result, codes } = await collect({ diskProbe: probeFixture('server-without-bitlocker-feature') });
    expect(result.status).toBe('unknown');
    expect(codes).toEqual(['ERR_UNSUPPORTED', 'ERR_SIGNAL_UNAVAILABLE']);
  });

  it('falls back to manage-bde when PowerShell is missing', async () => {
    const { result, codes, ran } = await collect({ diskProbe: undefined, manageBde: manageBdeFixture('english-data-volume-first-both-protected') });
    expect(result.status).toBe('encrypted');
    expect(result.volumes.map((volume) => [volume.mount, volume.system])).toEqual([['D:', false], ['C:', true]]);
    expect(codes).toEqual(['ERR_COMMAND_NOT_FOUND']);
    expect(ran).toEqual(['diskProbe', 'manageBde']);
  });

  it('falls back to manage-bde when the probe prints something that is not its document', async () => {
    const { result, codes } = await collect({ diskProbe: probeFixture('not-json'), manageBde: manageBdeFixture('w1-07-english-decimal-comma-waiting-for-activation') });
    expect(result.status).toBe('unencrypted');
    expect(codes).toEqual(['ERR_PARSE']);
  });

  it("marks manage-bde's system volume by %SystemDrive% when the probe told it", async () => {
    const fixedVolumesFailed = { error: { type: 'Microsoft.Management.Infrastructure.CimException', hresult: -2146233088, category: 'NotSpecified', id: 'HRESULT 0x80041033', message: 'Shutting down', native: 'Failed' } };
    const { result, codes } = await collect({
      diskProbe: probe({ probe: 'diskEncryption', systemDrive: 'D:', fixedVolumes: fixedVolumesFailed, bitLocker: { data: [] } }),
      manageBde: manageBdeFixture('w1-07-english-decimal-comma-waiting-for-activation'),
    });
    expect(result.volumes.map((volume) => [volume.mount, volume.system])).toEqual([['C:', false], ['D:', true]]);
    expect(codes).toEqual(['ERR_COMMAND_FAILED']);
  });

  it('does not start manage-bde when the probe already showed the process is not elevated', async () => {
    const { result, codes, ran } = await collect({ diskProbe: probeFixture('nothing-readable'), manageBde: manageBdeFixture('w1-11-server-data-volume-protected') });
    expect(result).toEqual({ status: 'unknown', volumes: [] });
    expect(codes).toEqual(['ERR_COMMAND_FAILED', 'ERR_ACCESS_DENIED']);
    expect(ran).toEqual(['diskProbe']);
  });

  it("knows manage-bde's refusal by its exit code whatever the language", async () => {
    const refusal = { stdout: 'BitLocker-Laufwerkverschlüsselung: Konfigurationstool, Version 10.0.22631\r\n\r\nFEHLER: Zugriff verweigert.\r\n', exitCode: -2147217405 };
    const { result, codes } = await collect({ diskProbe: undefined, manageBde: refusal });
    expect(result.status).toBe('unknown');
    expect(codes).toEqual(['ERR_COMMAND_NOT_FOUND', 'ERR_ACCESS_DENIED']);
  });

  it('is unknown when neither PowerShell nor manage-bde exists', async () => {
    const { result, codes } = await collect({ diskProbe: undefined });
    expect(result).toEqual({ status: 'unknown', volumes: [] });
    expect(codes).toEqual(['ERR_COMMAND_NOT_FOUND', 'ERR_COMMAND_NOT_FOUND']);
  });

  it('reports a cut-off manage-bde output as a parse error, not a state', async () => {
    const { result, codes } = await collect({ diskProbe: undefined, manageBde: manageBdeFixture('truncated-after-conversion-status') });
    expect(result.status).toBe('unknown');
    expect(codes).toEqual(['ERR_COMMAND_NOT_FOUND', 'ERR_PARSE']);
  });
});

describe('the diskEncryption signal in a whole check', () => {
  it('is unknown with ERR_COMMAND_TIMEOUT when the probe hangs, while the other signals still answer', async () => {
    const report = await checkWith({ diskProbe: { hang: true } });
    expect(report.diskEncryption).toEqual({ status: 'unknown', volumes: [] });
    expect(errorCodes(report, 'diskEncryption')).toEqual(['ERR_COMMAND_TIMEOUT', 'ERR_COMMAND_NOT_FOUND']);
    expect(report.os.version).toBe('10.0.22631');
    expect(report.firewall.status).toBe('enabled');
  });
});
