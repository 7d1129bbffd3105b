import { describe, expect, it } from 'vitest';
import { collectDiskEncryptionLinux } from '../../../src/collectors/disk-encryption/linux.js';
import {
  codes,
  collect,
  collectPostureWithHang,
  COMMANDS,
  healthyLinux,
  linuxFixture,
  remove,
  setSysfs,
  UBUNTU_BLOCKS,
  UBUNTU_MOUNTINFO,
  type LinuxScript,
} from '../../fixtures/linux/healthy-linux.js';

const LUKS_NAME = 'luks-6f0c1a52-0d4b-4f9a-9a3e-2b1d5c7e8f90';

function withoutSysfs(): LinuxScript {
  const script = healthyLinux();
  for (const key of Object.keys(script.dirs)) if (key.startsWith('/sys/')) remove(script.dirs, key);
  for (const key of Object.keys(script.links)) if (key.startsWith('/sys/')) remove(script.links, key);
  return script;
}

describe('collectDiskEncryptionLinux', () => {
  it('finds LVM on LUKS2 from mountinfo and sysfs, as a normal user, without a process', async () => {
    const { value, errors, host } = await collect(collectDiskEncryptionLinux, healthyLinux());
    expect(value).toEqual({
      status: 'encrypted',
      volumes: [{ mount: '/', system: true, encrypted: true, method: 'LUKS2', state: 'LVM on LUKS2 (nvme0n1p3)' }],
    });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([]);
    // Boot partitions and the snap's loop device are never read.
    expect(host.reads).not.toContain('/sys/class/block/loop0/dev');
  });

  it('resolves a btrfs mount (anonymous device number) through its source path', async () => {
    const script = healthyLinux();
    script.files['/proc/self/mountinfo'] = linuxFixture('mountinfo', 'fedora-btrfs-subvolumes');
    setSysfs(script, {
      nvme0n1: { dev: '259:0' },
      nvme0n1p3: { dev: '259:3', partitionOf: 'nvme0n1' },
      'dm-0': { dev: '254:0', dm: { name: LUKS_NAME, uuid: `CRYPT-LUKS2-6f0c1a520d4b4f9a9a3e2b1d5c7e8f90-${LUKS_NAME}` }, slaves: ['nvme0n1p3'] },
    });
    script.links[`/dev/mapper/${LUKS_NAME}`] = '/dev/dm-0';
    const { value, errors } = await collect(collectDiskEncryptionLinux, script);
    expect(value).toEqual({
      status: 'encrypted',
      volumes: [
        { mount: '/', system: true, encrypted: true, method: 'LUKS2', state: 'LUKS2 (nvme0n1p3)' },
        { mount: '/home', system: false, encrypted: true, method: 'LUKS2', state: 'LUKS2 (nvme0n1p3)' },
      ],
    });
    expect(errors).toEqual([]);
  });

  it('reports an unencrypted /home next to an encrypted / as partial', async () => {
    const script = healthyLinux();
    script.files['/proc/self/mountinfo'] = `${UBUNTU_MOUNTINFO}48 31 259:4 / /home rw,relatime shared:28 - ext4 /dev/nvme0n1p4 rw\n`;
    setSysfs(script, { ...UBUNTU_BLOCKS, nvme0n1p4: { dev: '259:4', partitionOf: 'nvme0n1' } });
    const { value } = await collect(collectDiskEncryptionLinux, script);
    expect(value.status).toBe('partial');
    expect(value.volumes[1]).toEqual({ mount: '/home', system: false, encrypted: false, method: null, state: 'not encrypted (nvme0n1p4)' });
  });

  it('does not call an encrypted / next to a /home it cannot read partial: the status stays encrypted, /home unknown with its reason', async () => {
    const script = healthyLinux();
    script.files['/proc/self/mountinfo'] = `${UBUNTU_MOUNTINFO}48 31 259:4 / /home rw,relatime shared:28 - ext4 /dev/nvme0n1p4 rw\n`;
    // 259:4 is not in sysfs (UBUNTU_BLOCKS has no such device): /home cannot be judged.
    const { value, errors } = await collect(collectDiskEncryptionLinux, script);
    expect(value.volumes.map((volume) => [volume.mount, volume.encrypted])).toEqual([['/', true], ['/home', null]]);
    expect(value.status).toBe('encrypted');
    expect(value).not.toHaveProperty('percentEncrypted');
    expect(codes(errors)).toEqual(['ERR_NOT_FOUND', 'ERR_SIGNAL_UNAVAILABLE']);
    expect(errors[1]!.message).toContain('/home');
  });

  it('does not call LVM spanning a LUKS PV and a plain PV encrypted', async () => {
    const script = healthyLinux();
    setSysfs(script, {
      ...UBUNTU_BLOCKS,
      sda: { dev: '8:0' },
      sda1: { dev: '8:1', partitionOf: 'sda' },
      'dm-1': { ...UBUNTU_BLOCKS['dm-1']!, slaves: ['dm-0', 'sda1'] },
    });
    const { value } = await collect(collectDiskEncryptionLinux, script);
    expect(value).toEqual({
      status: 'unencrypted',
      volumes: [{ mount: '/', system: true, encrypted: false, method: 'LUKS2', state: 'LVM on LUKS2 (nvme0n1p3); LVM, not encrypted (sda1)' }],
    });
  });

  it('says why a container root is unknown', async () => {
    const script = healthyLinux();
    script.files['/proc/self/mountinfo'] = linuxFixture('mountinfo', 'docker-container-overlay-root');
    const { value, errors } = await collect(collectDiskEncryptionLinux, script);
    expect(value.status).toBe('unknown');
    expect(value.volumes).toHaveLength(1);
    expect(codes(errors)).toEqual(['ERR_UNSUPPORTED']);
    expect(errors[0]!.message).toContain('overlay');
  });

  it('reports a sysfs attribute it may not read as unknown and access denied', async () => {
    const script = healthyLinux();
    script.files['/sys/class/block/dm-0/dm/uuid'] = { error: 'EACCES' };
    const { value, errors } = await collect(collectDiskEncryptionLinux, script);
    expect(value.status).toBe('unknown');
    expect(value.volumes[0]).toMatchObject({ mount: '/', encrypted: null });
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED', 'ERR_SIGNAL_UNAVAILABLE']);
  });

  it('reports a malformed mountinfo as unknown with ERR_PARSE', async () => {
    const script = healthyLinux();
    script.files['/proc/self/mountinfo'] = linuxFixture('mountinfo', 'truncated-line');
    const { value, errors } = await collect(collectDiskEncryptionLinux, script);
    expect(value).toEqual({ status: 'unknown', volumes: [] });
    expect(codes(errors)).toEqual(['ERR_PARSE']);
  });

  it('falls back to lsblk only when sysfs cannot be read', async () => {
    const script = withoutSysfs();
    script.commands[COMMANDS.lsblk] = { stdout: linuxFixture('lsblk', 'json-2-39-mountpoints-lvm-on-luks') };
    const { value, errors, host } = await collect(collectDiskEncryptionLinux, script);
    expect(value).toEqual({
      status: 'encrypted',
      volumes: [{ mount: '/', system: true, encrypted: true, method: 'LUKS', state: 'LVM on LUKS (nvme0n1p3)' }],
    });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([{ file: COMMANDS.lsblk, args: ['-J', '-o', 'NAME,KNAME,MAJ:MIN,TYPE,FSTYPE'] }]);
  });

  it('reports unknown when neither sysfs nor lsblk (not installed) can be read', async () => {
    const { value, errors } = await collect(collectDiskEncryptionLinux, withoutSysfs());
    expect(value.status).toBe('unknown');
    expect(value.volumes[0]).toMatchObject({ mount: '/', encrypted: null });
    expect(codes(errors)).toEqual(['ERR_COMMAND_NOT_FOUND', 'ERR_SIGNAL_UNAVAILABLE', 'ERR_SIGNAL_UNAVAILABLE']);
  });

  it('reports lsblk output it does not understand as ERR_PARSE', async () => {
    const script = withoutSysfs();
    script.commands[COMMANDS.lsblk] = { stdout: linuxFixture('lsblk', 'json-truncated') };
    const { value, errors } = await collect(collectDiskEncryptionLinux, script);
    expect(value.status).toBe('unknown');
    expect(codes(errors)[0]).toBe('ERR_PARSE');
  });

  it('cuts off a hung lsblk: unknown with ERR_COMMAND_TIMEOUT while the other signals keep their values', async () => {
    const script = withoutSysfs();
    script.commands[COMMANDS.lsblk] = { hang: true };
    const report = await collectPostureWithHang(script);
    expect(report.diskEncryption.status).toBe('unknown');
    expect(report.errors.filter((error) => error.signal === 'diskEncryption').map((error) => error.code)).toContain('ERR_COMMAND_TIMEOUT');
    expect(report.os.version).toBe('24.04.3');
    expect(report.antivirus.status).toBe('protected');
    expect(report.firewall.status).toBe('enabled');
  });
});
