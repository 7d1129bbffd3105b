import { describe, expect, it } from 'vitest';
import { collectDiskEncryptionDarwin } from '../../../src/collectors/disk-encryption/darwin.js';
import { codes, collect, collectPostureWithHang, remove, COMMANDS, darwinFixture, healthyMac } from '../../fixtures/darwin/healthy-mac.js';

function fdesetupSays(name: string, exitCode = 0): ReturnType<typeof healthyMac> {
  const script = healthyMac();
  script.commands[COMMANDS.fdesetup] = { stdout: darwinFixture('fdesetup-status', name), exitCode };
  return script;
}

function withoutFdesetup(diskutil: string): ReturnType<typeof healthyMac> {
  const script = healthyMac();
  remove(script.commands, COMMANDS.fdesetup);
  script.commands[COMMANDS.diskutil] = { stdout: darwinFixture('diskutil-apfs-list', diskutil) };
  return script;
}

describe('collectDiskEncryptionDarwin', () => {
  it('reports an encrypted system volume from fdesetup alone', async () => {
    const { value, errors, host } = await collect(collectDiskEncryptionDarwin, healthyMac());
    expect(value).toEqual({
      status: 'encrypted',
      volumes: [{ mount: '/', system: true, encrypted: true, method: 'FileVault', state: 'FileVault is On.', percentEncrypted: null, conversion: null, protection: 'on' }],
    });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([{ file: COMMANDS.fdesetup, args: ['status'] }]);
  });

  it('reads "FileVault is Off." despite exit status 1', async () => {
    const { value, errors } = await collect(collectDiskEncryptionDarwin, fdesetupSays('m2-03-off', 1));
    expect(value.status).toBe('unencrypted');
    expect(value.volumes[0]).toMatchObject({ encrypted: false, protection: 'off', state: 'FileVault is Off.' });
    expect(errors).toEqual([]);
  });

  it('does not count "FileVault is On." as encrypted while the conversion runs: the status is encrypting, with its percentage', async () => {
    const { value } = await collect(collectDiskEncryptionDarwin, fdesetupSays('encrypting-45', 2));
    expect(value.status).toBe('encrypting');
    expect(value.percentEncrypted).toBe(45);
    expect(value.volumes[0]).toMatchObject({
      encrypted: false,
      percentEncrypted: 45,
      conversion: 'encrypting',
      protection: 'on',
      state: 'FileVault is On. Encryption in progress: Percent completed = 45',
    });
  });

  it('is encrypting with no percentage while the encryption is pending (on battery)', async () => {
    const { value } = await collect(collectDiskEncryptionDarwin, fdesetupSays('encryption-pending', 2));
    expect(value).toMatchObject({ status: 'encrypting', percentEncrypted: null });
    expect(value.volumes[0]).toMatchObject({ encrypted: false, conversion: 'encrypting' });
  });

  it('is decrypting while FileVault is being turned off', async () => {
    const { value } = await collect(collectDiskEncryptionDarwin, fdesetupSays('decrypting-30', 2));
    expect(value).toMatchObject({ status: 'decrypting', percentEncrypted: null });
    expect(value.volumes[0]).toMatchObject({ encrypted: false, conversion: 'decrypting', protection: 'off' });
  });

  it('treats exit status 2 ("On but busy") as a conversion even without a progress line, of a direction it does not guess', async () => {
    const { value } = await collect(collectDiskEncryptionDarwin, fdesetupSays('m2-01-on', 2));
    expect(value.volumes[0]).toMatchObject({ encrypted: false, conversion: null, state: 'FileVault is On. (fdesetup reports a conversion in progress)' });
    expect(value.status).toBe('unencrypted');
    expect(value).not.toHaveProperty('percentEncrypted');
  });

  it('counts FileVault that turns on at the next restart as not encrypted yet', async () => {
    const { value } = await collect(collectDiskEncryptionDarwin, fdesetupSays('enabled-after-restart', 1));
    expect(value.volumes[0]).toMatchObject({ encrypted: false, protection: 'off' });
  });

  it('falls back to the Data volume in diskutil apfs list when fdesetup is missing', async () => {
    const { value, errors, host } = await collect(collectDiskEncryptionDarwin, withoutFdesetup('asahi-apple-silicon-encrypted-at-rest'));
    expect(value).toEqual({
      status: 'unencrypted',
      volumes: [{
        mount: '/',
        system: true,
        encrypted: false,
        method: 'FileVault',
        state: 'Data (disk3s5): FileVault No (Encrypted at rest)',
        percentEncrypted: null,
        conversion: null,
        protection: 'off',
      }],
    });
    expect(errors).toEqual([]);
    expect(host.calls.map((call) => [call.file, ...call.args])).toEqual([
      [COMMANDS.fdesetup, 'status'],
      [COMMANDS.diskutil, 'apfs', 'list'],
    ]);
  });

  it('judges the Data volume, not the System volume, in the fallback', async () => {
    const locked = await collect(collectDiskEncryptionDarwin, withoutFdesetup('m2-05-big-sur-truncated'));
    expect(locked.value.status).toBe('encrypted');
    expect(locked.value.volumes[0]!.state).toBe('Data (disk3s5): FileVault Yes (Locked)');

    const chinese = await collect(collectDiskEncryptionDarwin, withoutFdesetup('catalina-chinese-volume-names'));
    expect(chinese.value.volumes[0]).toMatchObject({ encrypted: true, state: '未命名 - 数据 (disk1s1): FileVault Yes (Unlocked)' });

    const mojave = await collect(collectDiskEncryptionDarwin, withoutFdesetup('mojave-single-system-volume'));
    expect(mojave.value.volumes[0]).toMatchObject({ encrypted: true, state: 'Macintosh HD (disk1s1): FileVault Yes (Unlocked)' });
  });

  it('reports a conversion that diskutil shows in progress as not encrypted, in the conversion states', async () => {
    const { value } = await collect(collectDiskEncryptionDarwin, withoutFdesetup('intel-encryption-in-progress'));
    expect(value).toMatchObject({ status: 'encrypting', percentEncrypted: 37.5 });
    expect(value.volumes[0]).toMatchObject({
      encrypted: false,
      percentEncrypted: 37.5,
      conversion: 'encrypting',
      protection: 'on',
      state: 'Macintosh HD - Data (disk1s1): Encryption in progress 37.5%',
    });
    // FileVault pauses by itself and goes on by itself: a paused conversion is still under way.
    const paused = await collect(collectDiskEncryptionDarwin, withoutFdesetup('intel-decryption-paused'));
    expect(paused.value).toMatchObject({ status: 'decrypting', percentEncrypted: null });
    expect(paused.value.volumes[0]).toMatchObject({
      encrypted: false,
      percentEncrypted: null,
      conversion: 'decrypting',
      state: 'Macintosh HD - Data (disk1s1): Decryption in progress 62%, paused',
    });
  });

  it('is unknown with both programs missing', async () => {
    const script = healthyMac();
    remove(script.commands, COMMANDS.fdesetup);
    remove(script.commands, COMMANDS.diskutil);
    const { value, errors } = await collect(collectDiskEncryptionDarwin, script);
    expect(value).toEqual({ status: 'unknown', volumes: [] });
    expect(codes(errors)).toEqual(['ERR_COMMAND_NOT_FOUND', 'ERR_COMMAND_NOT_FOUND']);
  });

  it('reports access denied from both sources', async () => {
    const script = healthyMac();
    script.commands[COMMANDS.fdesetup] = { error: 'ERR_ACCESS_DENIED' };
    script.commands[COMMANDS.diskutil] = { error: 'ERR_ACCESS_DENIED' };
    const { value, errors } = await collect(collectDiskEncryptionDarwin, script);
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED']);
  });

  it('refuses output it does not understand from either source', async () => {
    const script = withoutFdesetup('m2-01-grep-fragment');
    script.commands[COMMANDS.fdesetup] = { stdout: darwinFixture('fdesetup-status', 'undocumented-line') };
    const { value, errors } = await collect(collectDiskEncryptionDarwin, script);
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_PARSE', 'ERR_PARSE']);
  });

  it('says so when diskutil lists no volume behind /', async () => {
    const script = withoutFdesetup('asahi-apple-silicon-encrypted-at-rest');
    script.commands[COMMANDS.diskutil] = {
      stdout: darwinFixture('diskutil-apfs-list', 'asahi-apple-silicon-encrypted-at-rest').replace('/System/Volumes/Data', '/Volumes/Elsewhere'),
    };
    const { value, errors } = await collect(collectDiskEncryptionDarwin, script);
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_COMMAND_NOT_FOUND', 'ERR_NOT_FOUND']);
  });
});

describe('collectPosture on darwin with a hung fdesetup', () => {

  it('times fdesetup out, is unknown without a fallback and still reports the other signals', async () => {
    const script = healthyMac();
    script.commands[COMMANDS.fdesetup] = { hang: true };
    remove(script.commands, COMMANDS.diskutil);
    const report = await collectPostureWithHang(script);
    expect(report.diskEncryption).toEqual({ status: 'unknown', volumes: [] });
    expect(report.errors.filter((error) => error.signal === 'diskEncryption').map((error) => error.code)).toEqual(['ERR_COMMAND_TIMEOUT', 'ERR_COMMAND_NOT_FOUND']);
    expect(report.os.version).toBe('15.7.4');
    expect(report.firewall.status).toBe('enabled');
    expect(report.antivirus.status).toBe('protected');
  });
});
