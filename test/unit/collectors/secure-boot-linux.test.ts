import { LINUX_COMMANDS } from '../../../src/exec/commands-linux.js';
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  EFIVARS_DIR,
  EFI_DIR,
  FIRMWARE_DIR,
  MOK_SB_STATE_FILE,
  SECURE_BOOT_FILE,
  SECURE_BOOT_NAME,
  SETUP_MODE_FILE,
  collectSecureBootLinux,
} from '../../../src/collectors/secure-boot/linux.js';
import { createRealHost } from '../../../src/exec/real-host.js';
import type { CollectContext } from '../../../src/collectors/host.js';
import { codes, collectWith } from '../../support/collect.js';
import { fixture, type FakeHostScript } from '../../support/fake-host.js';

const NOW = new Date('2026-11-22T10:00:00.000Z');
const MOKUTIL = LINUX_COMMANDS.mokutil;
const MOKUTIL_SB_STATE = `${MOKUTIL} --sb-state`;

type Script = FakeHostScript & Required<Pick<FakeHostScript, 'commands' | 'files' | 'dirs' | 'links'>>;

const efivar = (name: string): string => fixture('linux', 'efivarfs-variable', name);
const mokutil = (name: string): { stdout: string } => ({ stdout: fixture('linux', 'mokutil-sb-state', name) });
/** mokutil prints its refusals on stderr and exits 255. */
const mokutilError = (name: string): { stderr: string; exitCode: number } => ({ stderr: fixture('linux', 'mokutil-sb-state', name), exitCode: 255 });

/** A UEFI laptop with Secure Boot on, as a standard user sees it (efivarfs files are mode 0644). */
function uefiLaptop(): Script {
  return {
    platform: 'linux',
    commands: {},
    files: {
      [SECURE_BOOT_FILE]: efivar('salt-66955-secure-boot-enabled'),
      [SETUP_MODE_FILE]: efivar('mokutil-89-secure-boot-disabled'),
      '/proc/self/status': 'Name:\tnode\nUid:\t1000\t1000\t1000\t1000\n',
    },
    dirs: {
      [FIRMWARE_DIR]: ['acpi', 'dmi', 'efi', 'memmap'],
      [EFI_DIR]: ['config_table', 'efivars', 'esrt', 'fw_platform_size', 'runtime', 'runtime-map', 'systab'],
      [EFIVARS_DIR]: [SECURE_BOOT_NAME, 'SetupMode-8be4df61-93ca-11d2-aa0d-00e098032b8c', 'BootOrder-8be4df61-93ca-11d2-aa0d-00e098032b8c'],
    },
    links: {},
  };
}

/** This Debian VM as captured while writing this (`ls /sys/firmware`: acpi, memmap; no efi): a kernel booted without UEFI. */
function thisVm(): Script {
  return { platform: 'linux', commands: {}, files: {}, dirs: { [FIRMWARE_DIR]: ['acpi', 'memmap'] }, links: {} };
}

function withMokutil(script: Script, answer: Script['commands'][string]): Script {
  script.links[MOKUTIL] = MOKUTIL;
  script.commands[MOKUTIL_SB_STATE] = answer;
  return script;
}

describe('collectSecureBootLinux', () => {
  it('reads Secure Boot on from efivarfs as a standard user, without starting a process', async () => {
    const { value, errors, host } = await collectWith(collectSecureBootLinux, uefiLaptop(), NOW);
    expect(value).toEqual({ status: 'enabled', setupMode: false, detail: 'SecureBoot 1, SetupMode 0', source: 'efivarfs' });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([]);
    expect(host.reads).toEqual([SECURE_BOOT_FILE, SETUP_MODE_FILE, MOK_SB_STATE_FILE]);
  });

  it('is disabled when the SecureBoot variable is 0', async () => {
    const script = uefiLaptop();
    script.files[SECURE_BOOT_FILE] = efivar('mokutil-89-secure-boot-disabled');
    const { value, errors, host } = await collectWith(collectSecureBootLinux, script, NOW);
    expect(value).toEqual({ status: 'disabled', setupMode: false, detail: 'SecureBoot 0, SetupMode 0', source: 'efivarfs' });
    expect(errors).toEqual([]);
    // shim's state only matters when the firmware verifies at all.
    expect(host.reads).not.toContain(MOK_SB_STATE_FILE);
  });

  it('reports Setup Mode (no Platform Key) as disabled, with setupMode true', async () => {
    const script = uefiLaptop();
    script.files[SECURE_BOOT_FILE] = efivar('mokutil-89-secure-boot-disabled');
    script.files[SETUP_MODE_FILE] = efivar('mokutil-89-setup-mode-on');
    const { value } = await collectWith(collectSecureBootLinux, script, NOW);
    expect(value).toEqual({ status: 'disabled', setupMode: true, detail: 'SecureBoot 0, SetupMode 1', source: 'efivarfs' });
  });

  it('is disabled when shim was told to stop validating (MokSBStateRT 1), although the firmware says SecureBoot 1', async () => {
    const script = uefiLaptop();
    script.files[MOK_SB_STATE_FILE] = efivar('salt-66955-secure-boot-enabled');
    const { value } = await collectWith(collectSecureBootLinux, script, NOW);
    expect(value.status).toBe('disabled');
    expect(value.detail).toBe('SecureBoot 1, SetupMode 0, shim validation disabled (MokSBState)');
  });

  it('stays enabled when MokSBStateRT exists with 0', async () => {
    const script = uefiLaptop();
    script.files[MOK_SB_STATE_FILE] = efivar('mokutil-89-secure-boot-disabled');
    const { value } = await collectWith(collectSecureBootLinux, script, NOW);
    expect(value.status).toBe('enabled');
  });

  it('keeps the answer but says why when SetupMode cannot be read', async () => {
    const script = uefiLaptop();
    script.files[SETUP_MODE_FILE] = { error: 'EACCES' };
    const { value, errors } = await collectWith(collectSecureBootLinux, script, NOW);
    expect(value).toEqual({ status: 'enabled', setupMode: null, detail: 'SecureBoot 1', source: 'efivarfs' });
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED']);
  });

  it('is unsupported on this VM: no /sys/firmware/efi while /sys/firmware lists acpi and memmap (real capture)', async () => {
    const { value, errors, host } = await collectWith(collectSecureBootLinux, withMokutil(thisVm(), mokutil('sos-1574-enabled')), NOW);
    expect(value).toEqual({
      status: 'unsupported',
      setupMode: null,
      detail: 'no /sys/firmware/efi: booted without UEFI (legacy BIOS or direct kernel boot); /sys/firmware has acpi, memmap',
      source: 'sysfs',
    });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([]);
  });

  it('says unknown in a container whose /sys/firmware is empty, and does not ask mokutil (it would say "not supported")', async () => {
    const script = withMokutil(thisVm(), mokutilError('openshift-efi-variables-not-supported'));
    script.dirs[FIRMWARE_DIR] = [];
    const { value, errors, host } = await collectWith(collectSecureBootLinux, script, NOW);
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_SIGNAL_UNAVAILABLE']);
    expect(errors[0]!.message).toContain('container');
    expect(host.calls).toEqual([]);
  });

  it('is disabled on UEFI firmware that defines no SecureBoot variable', async () => {
    const script = uefiLaptop();
    Reflect.deleteProperty(script.files, SECURE_BOOT_FILE);
    script.dirs[EFIVARS_DIR] = ['BootOrder-8be4df61-93ca-11d2-aa0d-00e098032b8c', 'Boot0000-8be4df61-93ca-11d2-aa0d-00e098032b8c'];
    const { value, errors, host } = await collectWith(collectSecureBootLinux, script, NOW);
    expect(value.status).toBe('disabled');
    expect(value.source).toBe('efivarfs');
    expect(value.detail).toContain('without a SecureBoot variable');
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([]);
  });

  it('asks mokutil when efivarfs is not mounted, and reports nothing when it answers', async () => {
    const script = withMokutil(uefiLaptop(), mokutil('r-pufky-setup-mode'));
    Reflect.deleteProperty(script.files, SECURE_BOOT_FILE);
    script.dirs[EFIVARS_DIR] = [];
    const { value, errors, host } = await collectWith(collectSecureBootLinux, script, NOW);
    expect(value).toEqual({ status: 'disabled', setupMode: true, detail: 'SecureBoot disabled; Platform is in Setup Mode', source: 'mokutil' });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([{ file: MOKUTIL, args: ['--sb-state'] }]);
  });

  it('finds mokutil at /bin/mokutil on systems without the /usr merge', async () => {
    const script = uefiLaptop();
    script.files[SECURE_BOOT_FILE] = { error: 'EACCES' };
    script.links['/bin/mokutil'] = '/bin/mokutil';
    script.commands[MOKUTIL_SB_STATE] = mokutil('sos-1574-enabled');
    const { value } = await collectWith(collectSecureBootLinux, script, NOW);
    expect(value).toMatchObject({ status: 'enabled', source: 'mokutil' });
  });

  it('is unknown with both reasons when efivarfs is refused (a hardened system, standard user) and mokutil is not installed', async () => {
    const script = uefiLaptop();
    script.files[SECURE_BOOT_FILE] = { error: 'EACCES' };
    const { value, errors } = await collectWith(collectSecureBootLinux, script, NOW);
    expect(value).toEqual({ status: 'unknown', setupMode: null, detail: null, source: null });
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED', 'ERR_COMMAND_NOT_FOUND']);
    expect(errors[0]!.message).toContain(SECURE_BOOT_FILE);
  });

  it('is unknown when mokutil is refused too', async () => {
    const script = withMokutil(uefiLaptop(), mokutilError('failed-to-read-permission-denied'));
    script.files[SECURE_BOOT_FILE] = { error: 'EACCES' };
    const { value, errors } = await collectWith(collectSecureBootLinux, script, NOW);
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED']);
  });

  it('is unknown with the timeout when mokutil hangs', async () => {
    const script = withMokutil(uefiLaptop(), { error: 'ERR_COMMAND_TIMEOUT' });
    script.files[SECURE_BOOT_FILE] = { error: 'EIO' };
    const { value, errors } = await collectWith(collectSecureBootLinux, script, NOW);
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_IO', 'ERR_COMMAND_TIMEOUT']);
  });

  it('does not guess from a malformed SecureBoot variable: it asks mokutil, else says unknown', async () => {
    const script = uefiLaptop();
    script.files[SECURE_BOOT_FILE] = '\u0006\u0000\u0000\u0000\u0002';
    const unread = await collectWith(collectSecureBootLinux, script, NOW);
    expect(unread.value.status).toBe('unknown');
    expect(codes(unread.errors)).toEqual(['ERR_PARSE', 'ERR_COMMAND_NOT_FOUND']);

    const asked = await collectWith(collectSecureBootLinux, withMokutil(script, mokutil('sos-1574-enabled')), NOW);
    expect(asked.value).toMatchObject({ status: 'enabled', source: 'mokutil' });
    expect(asked.errors).toEqual([]);
  });
});

describe('collectSecureBootLinux on this machine (real host)', () => {
  it.runIf(process.platform === 'linux')('agrees with what /sys/firmware shows', async () => {
    const errors: { code: string; message: string }[] = [];
    const ctx: CollectContext = { now: new Date(), error: (code, message) => errors.push({ code, message }) };
    const value = await collectSecureBootLinux(createRealHost({ platform: 'linux' }), ctx);
    const firmware = existsSync(FIRMWARE_DIR) ? readdirSync(FIRMWARE_DIR) : [];
    if (!existsSync(EFI_DIR) && firmware.length > 0) {
      expect(value).toMatchObject({ status: 'unsupported', source: 'sysfs' });
      expect(errors).toEqual([]);
    } else if (existsSync(SECURE_BOOT_FILE)) {
      expect(value.source).toBe('efivarfs');
      expect(['enabled', 'disabled']).toContain(value.status);
    } else {
      expect(value.status === 'unknown' ? errors.length : 1).toBeGreaterThan(0);
    }
  });
});
