import { LINUX_COMMANDS } from '../../../src/exec/commands-linux.js';
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectTpmLinux } from '../../../src/collectors/tpm/linux.js';
import { createRealHost } from '../../../src/exec/real-host.js';
import type { Host } from '../../../src/collectors/host.js';
import { codes, collect, healthyLinux, install, linuxFixture, setUid, withoutTpm, type LinuxScript } from '../../fixtures/linux/healthy-linux.js';
import { createFakeHost } from '../../support/fake-host.js';

const CLASS = '/sys/class/tpm';
const CHIP = '/sys/class/tpm/tpm0';
const ACPI = '/sys/bus/acpi/devices';
const GETCAP = LINUX_COMMANDS.tpm2Getcap;
const GETCAP_LINE = `${GETCAP} -T device:/dev/tpmrm0 properties-fixed`;

/** The ACPI devices of this Debian VM (a Firecracker guest), as listed by `ls /sys/bus/acpi/devices` while writing this test. */
const THIS_VM_ACPI = linuxFixture('sysfs-tpm-snapshot', 'this-vm-firecracker-no-tpm')
  .split('\n')
  .filter((line) => line.startsWith(`${ACPI}/`))
  .map((line) => line.slice(ACPI.length + 1));

/** A TPM 2.0 firmware TPM on ACPI (MSFT0101) as kernel 6.x lays it out. */
function withTpm20(script: LinuxScript = withoutTpm(healthyLinux())): LinuxScript {
  script.dirs[CLASS] = ['tpm0'];
  script.files[`${CHIP}/tpm_version_major`] = '2\n';
  script.files[`${CHIP}/device/firmware_node/hid`] = 'MSFT0101\n';
  script.files[`${CHIP}/device/firmware_node/description`] = 'TPM 2.0 Device\n';
  install(script, '/dev/tpm0', '/dev/tpmrm0');
  return script;
}

function withTpm12Infineon(script: LinuxScript = withoutTpm(healthyLinux())): LinuxScript {
  script.dirs[CLASS] = ['tpm0'];
  script.files[`${CHIP}/device/caps`] = 'Manufacturer: 0x49465800\nTCG version: 1.2\nFirmware version: 133.32\n';
  script.files[`${CHIP}/device/enabled`] = '0\n';
  script.files[`${CHIP}/device/active`] = '0\n';
  script.files[`${CHIP}/device/owned`] = '0\n';
  install(script, '/dev/tpm0');
  return script;
}

function asRootWithTpm2Tools(script: LinuxScript): LinuxScript {
  setUid(script, 0);
  install(script, GETCAP);
  return script;
}

describe('collectTpmLinux', () => {
  it("reports this VM's answer truthfully: no /sys/class/tpm and no TPM among its ACPI devices is absent, with the reason", async () => {
    const script = withoutTpm(healthyLinux());
    script.dirs[ACPI] = THIS_VM_ACPI;
    const { value, errors, host } = await collect(collectTpmLinux, script);
    expect(THIS_VM_ACPI).toContain('PNP0A08:00');
    expect(value).toEqual({
      status: 'absent',
      kind: null,
      specVersion: null,
      manufacturer: null,
      enabled: null,
      ready: null,
      source: 'no /sys/class/tpm (no TPM driver registered a chip) and no TPM among the ACPI devices',
    });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([]);
  });

  it('reads a TPM 2.0 from sysfs as a standard user, without a process; its maker stays unknown', async () => {
    const { value, errors, host } = await collect(collectTpmLinux, withTpm20());
    expect(value).toEqual({ status: 'present', kind: 'tpm', specVersion: '2.0', manufacturer: null, enabled: null, ready: true, source: CHIP });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([]);
  });

  it('asks the chip for its maker with tpm2_getcap when it runs as root', async () => {
    const script = asRootWithTpm2Tools(withTpm20());
    script.commands[GETCAP_LINE] = { stdout: linuxFixture('tpm2-getcap', 's05-nuvoton-npct75x') };
    const { value, errors, host } = await collect(collectTpmLinux, script);
    expect(value.manufacturer).toBe('Nuvoton');
    expect(value.specVersion).toBe('2.0');
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([{ file: GETCAP, args: ['-T', 'device:/dev/tpmrm0', 'properties-fixed'] }]);
  });

  it('keeps the TPM present and says why when tpm2_getcap is refused', async () => {
    const script = asRootWithTpm2Tools(withTpm20());
    script.commands[GETCAP_LINE] = { stderr: linuxFixture('tpm2-getcap', 'permission-denied-not-in-tss-group'), exitCode: 1 };
    const { value, errors } = await collect(collectTpmLinux, script);
    expect(value.status).toBe('present');
    expect(value.manufacturer).toBeNull();
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED']);
  });

  it('reports a tpm2_getcap that timed out, and still answers from sysfs', async () => {
    const script = asRootWithTpm2Tools(withTpm20());
    script.commands[GETCAP_LINE] = { error: 'ERR_COMMAND_TIMEOUT' };
    const { value, errors } = await collect(collectTpmLinux, script);
    expect(value).toMatchObject({ status: 'present', specVersion: '2.0', manufacturer: null, ready: true });
    expect(codes(errors)).toEqual(['ERR_COMMAND_TIMEOUT']);
  });

  it('starts nothing as root when tpm2-tools is not installed', async () => {
    const script = withTpm20();
    setUid(script, 0);
    const { value, errors, host } = await collect(collectTpmLinux, script);
    expect(value.manufacturer).toBeNull();
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([]);
  });

  it('reads a TPM 1.2 from caps and its flags: disabled, inactive and unowned is present but not enabled or ready', async () => {
    const { value, errors, host } = await collect(collectTpmLinux, asRootWithTpm2Tools(withTpm12Infineon()));
    expect(value).toEqual({ status: 'present', kind: 'tpm', specVersion: '1.2', manufacturer: 'Infineon', enabled: false, ready: false, source: CHIP });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([]);
  });

  it('calls a TPM 1.2 that is enabled, active and owned ready', async () => {
    const script = withTpm12Infineon();
    for (const flag of ['enabled', 'active', 'owned']) script.files[`${CHIP}/device/${flag}`] = '1\n';
    const { value } = await collect(collectTpmLinux, script);
    expect(value).toMatchObject({ enabled: true, ready: true });
  });

  it('finds a TPM that the firmware describes but no driver has bound: present, not ready', async () => {
    const script = withoutTpm(healthyLinux());
    script.dirs[ACPI] = [...THIS_VM_ACPI, 'MSFT0101:00'];
    const { value, errors } = await collect(collectTpmLinux, script);
    expect(value).toMatchObject({ status: 'present', specVersion: '2.0', ready: false, source: `${ACPI}/MSFT0101:00 (no TPM driver is bound to it)` });
    expect(errors).toEqual([]);
  });

  it('is absent when the tpm class exists but lists no chip', async () => {
    const script = withoutTpm(healthyLinux());
    script.dirs[CLASS] = [];
    const { value, errors } = await collect(collectTpmLinux, script);
    expect(value.status).toBe('absent');
    expect(value.source).toBe('/sys/class/tpm lists no chip');
    expect(errors).toEqual([]);
  });

  it('leaves readiness unknown, with the reason, when /dev has no TPM node (a container)', async () => {
    const script = withTpm20();
    delete script.links['/dev/tpm0'];
    delete script.links['/dev/tpmrm0'];
    const { value, errors } = await collect(collectTpmLinux, script);
    expect(value).toMatchObject({ status: 'present', specVersion: '2.0', ready: null });
    expect(codes(errors)).toEqual(['ERR_NOT_FOUND']);
  });

  it('is unknown, never absent, when /sys/class/tpm cannot be listed', async () => {
    const fake = createFakeHost(withTpm20());
    const host: Host = {
      ...fake,
      readDir: (path) => (path === CLASS ? Promise.reject(Object.assign(new Error(`EACCES: ${path}`), { code: 'EACCES' })) : fake.readDir(path)),
    };
    const errors: { code: string; message: string }[] = [];
    const value = await collectTpmLinux(host, { now: new Date(), error: (code, message) => errors.push({ code, message }) });
    expect(value.status).toBe('unknown');
    expect(codes(errors as never)).toEqual(['ERR_ACCESS_DENIED']);
  });

  it('reports an attribute the kernel could not read and judges with the rest', async () => {
    const script = withTpm12Infineon();
    script.files[`${CHIP}/device/caps`] = { error: 'EIO' };
    const { value, errors } = await collect(collectTpmLinux, script);
    // enabled/active/owned exist only for a TPM 1.x, so the family is still known; the maker was only in caps.
    expect(value).toMatchObject({ status: 'present', specVersion: '1.2', manufacturer: null, enabled: false, ready: false });
    expect(codes(errors)).toEqual(['ERR_IO']);
    expect(errors[0]!.message).toContain(`${CHIP}/device/caps`);
  });
});

describe('collectTpmLinux on this machine (real host)', () => {
  it.runIf(process.platform === 'linux')('agrees with what this machine shows in /sys, without starting a process', async () => {
    const host = createRealHost({ platform: 'linux' });
    const errors: string[] = [];
    const value = await collectTpmLinux(host, { now: new Date(), error: (code) => errors.push(code) });
    const chips = existsSync(CLASS) ? readdirSync(CLASS).filter((entry) => /^tpm\d+$/.test(entry)) : [];
    const acpiTpm = existsSync(ACPI) && readdirSync(ACPI).some((entry) => /^(MSFT0101|PNP0C31|IFX010[12]|ATM1200|BCM010[12]|NSC1200|ICO0102):/i.test(entry));
    expect(value.status).toBe(chips.length > 0 || acpiTpm ? 'present' : 'absent');
    if (value.status === 'absent') {
      expect(value.source).toMatch(/^(no \/sys\/class\/tpm|\/sys\/class\/tpm lists no chip)/);
      expect(errors).toEqual([]);
    }
    expect(host.spawnCount).toBe(0);
  });
});
