import { describe, expect, it } from 'vitest';
import { collectOsLinux } from '../../../src/collectors/os/linux.js';
import { codes, collect, collectPostureWithHang, COMMANDS, healthyLinux, linuxFixture, remove } from '../../fixtures/linux/healthy-linux.js';

describe('collectOsLinux', () => {
  it('reads os-release, the host inventory and DMI without starting a process', async () => {
    const { value, errors, host } = await collect(collectOsLinux, healthyLinux());
    expect(value).toEqual({
      os: {
        platform: 'linux',
        id: 'ubuntu',
        idLike: ['debian'],
        name: 'Ubuntu',
        version: '24.04.3',
        build: null,
        displayVersion: 'noble',
        kernel: '6.8.0-45-generic',
        arch: 'x64',
        supportEnd: null,
      },
      device: { hostname: 'laptop-1', serial: null, model: '20XW0055GE', manufacturer: 'LENOVO' },
    });
    // product_serial is root-only: null without an error.
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([]);
  });

  it('reads the serial when running as root', async () => {
    const script = healthyLinux();
    script.files['/sys/class/dmi/id/product_serial'] = 'PF3ABCDE\n';
    const { value } = await collect(collectOsLinux, script);
    expect(value.device.serial).toBe('PF3ABCDE');
  });

  it('falls back to /usr/lib/os-release and to /proc/sys/kernel without host inventory', async () => {
    const script = healthyLinux();
    remove(script.files, '/etc/os-release');
    script.files['/usr/lib/os-release'] = linuxFixture('os-release', 'l1-09-rocky-9-3');
    script.files['/proc/sys/kernel/osrelease'] = '5.14.0-362.24.1.el9_3.x86_64\n';
    script.files['/proc/sys/kernel/hostname'] = 'rocky-1\n';
    script.files['/proc/sys/kernel/arch'] = 'x86_64\n';
    delete script.systemInfo;
    const { value, errors } = await collect(collectOsLinux, script);
    expect(value.os).toMatchObject({ id: 'rocky', idLike: ['rhel', 'centos', 'fedora'], version: '9.3', supportEnd: '2032-05-31', kernel: '5.14.0-362.24.1.el9_3.x86_64', arch: 'x64' });
    expect(value.device.hostname).toBe('rocky-1');
    expect(errors).toEqual([]);
  });

  it("takes Debian's point release from /etc/debian_version before Debian 13", async () => {
    const script = healthyLinux();
    script.files['/etc/os-release'] = linuxFixture('os-release', 'vm-debian-12-bookworm');
    script.files['/etc/debian_version'] = '12.11\n';
    const { value, errors } = await collect(collectOsLinux, script);
    expect(value.os).toMatchObject({ id: 'debian', version: '12.11', displayVersion: 'bookworm' });
    expect(errors).toEqual([]);
  });

  it('keeps VERSION_ID when /etc/debian_version says testing (trixie/sid)', async () => {
    const script = healthyLinux();
    script.files['/etc/os-release'] = linuxFixture('os-release', 'vm-debian-12-bookworm');
    script.files['/etc/debian_version'] = 'trixie/sid\n';
    const { value } = await collect(collectOsLinux, script);
    expect(value.os.version).toBe('12');
  });

  it('reports no version for a rolling release', async () => {
    const script = healthyLinux();
    script.files['/etc/os-release'] = linuxFixture('os-release', 'l1-05-arch-docker-image');
    const { value } = await collect(collectOsLinux, script);
    expect(value.os).toMatchObject({ id: 'arch', version: null, build: 'rolling' });
  });

  it('falls back to /usr/lib/os-release when /etc/os-release is malformed, and says so', async () => {
    const script = healthyLinux();
    script.files['/etc/os-release'] = linuxFixture('os-release', 'truncated-unterminated-quote');
    script.files['/usr/lib/os-release'] = linuxFixture('os-release', 'l1-01-ubuntu-24-04-3');
    const { value, errors } = await collect(collectOsLinux, script);
    expect(value.os.version).toBe('24.04.3');
    expect(codes(errors)).toEqual(['ERR_PARSE']);
  });

  it('reports unreadable os-release as unknown with an error for each source', async () => {
    const script = healthyLinux();
    script.files['/etc/os-release'] = { error: 'EACCES' };
    const { value, errors } = await collect(collectOsLinux, script);
    expect(value.os).toMatchObject({ id: null, name: null, version: null, kernel: '6.8.0-45-generic' });
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED', 'ERR_NOT_FOUND']);
    expect(errors[1]!.message).toContain('/usr/lib/os-release');
  });

  it('drops DMI placeholders and uses the device-tree model where there is no DMI', async () => {
    const script = healthyLinux();
    script.files['/sys/class/dmi/id/sys_vendor'] = 'To Be Filled By O.E.M.\n';
    remove(script.files, '/sys/class/dmi/id/product_name');
    script.files['/sys/firmware/devicetree/base/model'] = 'Raspberry Pi 5 Model B Rev 1.0\0';
    const { value, errors } = await collect(collectOsLinux, script);
    expect(value.device).toMatchObject({ manufacturer: null, model: 'Raspberry Pi 5 Model B Rev 1.0' });
    expect(errors).toEqual([]);
  });

  it('keeps its values when another signal hangs (it runs no command of its own)', async () => {
    const script = healthyLinux();
    script.commands[COMMANDS.clamscan] = { hang: true };
    const report = await collectPostureWithHang(script);
    expect(report.os).toMatchObject({ id: 'ubuntu', version: '24.04.3' });
    expect(report.errors.filter((error) => error.signal === 'os')).toEqual([]);
  });
});
