/**
 * Secure Boot on Linux, from files first (no process in the usual case):
 * 1. efivarfs (world-readable, no root needed): SecureBoot-8be4df61-..., then SetupMode-8be4df61-...
 *    and shim's MokSBStateRT-605dab50-... (present when `mokutil --disable-validation` told shim to
 *    stop verifying; the kernel then treats Secure Boot as off too, libstub/secureboot.c).
 * 2. No SecureBoot file:
 *    - no /sys/firmware/efi while /sys/firmware lists other firmware (acpi, dmi, memmap...): the
 *      kernel was started without UEFI (legacy BIOS, or a VM that boots the kernel directly):
 *      `unsupported`. An empty /sys/firmware is what containers show (Docker masks it): unknown.
 *    - /sys/firmware/efi with a populated efivarfs but no SecureBoot variable: UEFI firmware that
 *      defines none, which is how firmware without Secure Boot, and some firmware with it switched
 *      off, look (the kernel calls this "disabled" too): `disabled`.
 *    - /sys/firmware/efi with an empty efivars directory: efivarfs is not mounted: step 3.
 * 3. Only when efivarfs could not be read (refused, not mounted, malformed): `mokutil --sb-state`,
 *    when installed.
 */
import { LINUX_ALTERNATIVES, LINUX_COMMANDS } from '../../exec/commands-linux.js';
import { AgentError, systemErrorCode } from '../../shared/errors.js';
import { attempt, pathExists, readOptionalDir, readOptionalFile, toAgentError } from '../host-errors.js';
import type { CollectContext, Host } from '../host.js';
import { commandOutput } from '../linux/command-output.js';
import { efiFlag, parseEfiVariable } from './parse-efivar.js';
import { deriveSecureBootStatus, describeUefiState, UNKNOWN_SECURE_BOOT, type SecureBoot, type UefiSecureBootState } from './schema.js';

export const FIRMWARE_DIR = '/sys/firmware';
export const EFI_DIR = '/sys/firmware/efi';
export const EFIVARS_DIR = '/sys/firmware/efi/efivars';
const EFI_GLOBAL_VARIABLE_GUID = '8be4df61-93ca-11d2-aa0d-00e098032b8c';
const SHIM_LOCK_GUID = '605dab50-e046-4300-abb6-3dd810dd8b23';
export const SECURE_BOOT_NAME = `SecureBoot-${EFI_GLOBAL_VARIABLE_GUID}`;
export const SECURE_BOOT_FILE = `${EFIVARS_DIR}/${SECURE_BOOT_NAME}`;
export const SETUP_MODE_FILE = `${EFIVARS_DIR}/SetupMode-${EFI_GLOBAL_VARIABLE_GUID}`;
/** shim's runtime copy of MokSBState (github.com/rhboot/shim mok.c mirrors it as MokSBStateRT). */
export const MOK_SB_STATE_FILE = `${EFIVARS_DIR}/MokSBStateRT-${SHIM_LOCK_GUID}`;

const EFIVARFS_SOURCE = 'efivarfs';

/**
 * What efivarfs told: an answer; why mokutil has to be asked (it can read the variables through
 * libefivar's other interface, or as another user); or why nothing can tell (mokutil would only say
 * "EFI variables are not supported", which is not true of a container's host).
 */
type EfivarfsReading = { answer: SecureBoot } | { fallback: AgentError } | { unknown: AgentError };

async function readFlag(host: Host, ctx: CollectContext, path: string, name: string): Promise<boolean | null> {
  const flag = await attempt(ctx, path, async () => {
    const text = await readOptionalFile(host, path);
    return text === null ? null : efiFlag(parseEfiVariable(text), name);
  });
  return flag ?? null;
}

async function fromSecureBootFile(host: Host, ctx: CollectContext, text: string): Promise<SecureBoot> {
  const secureBoot = efiFlag(parseEfiVariable(text), 'SecureBoot');
  const [setupMode, shimValidationOff] = await Promise.all([
    readFlag(host, ctx, SETUP_MODE_FILE, 'SetupMode'),
    // Read like the kernel does (libstub/secureboot.c): when it cannot be read, shim verifies.
    secureBoot ? readFlag(host, ctx, MOK_SB_STATE_FILE, 'MokSBStateRT') : Promise.resolve(null),
  ]);
  const state: UefiSecureBootState = { secureBoot, setupMode, shimValidationDisabled: shimValidationOff === true };
  return { status: deriveSecureBootStatus(state), setupMode, detail: describeUefiState(state), source: EFIVARFS_SOURCE };
}

/** No SecureBoot file: tell a boot without UEFI from UEFI without the variable and from an unmounted efivarfs. */
async function withoutSecureBootFile(host: Host): Promise<EfivarfsReading> {
  const efi = await pathExists(host, EFI_DIR);
  if (efi === null) return { fallback: new AgentError('ERR_ACCESS_DENIED', `${EFI_DIR} could not be checked: permission denied.`) };
  if (!efi) {
    const firmware = await readOptionalDir(host, FIRMWARE_DIR);
    if (firmware === null || firmware.length === 0) {
      return {
        unknown: new AgentError(
          'ERR_SIGNAL_UNAVAILABLE',
          `${FIRMWARE_DIR} is ${firmware === null ? 'missing' : 'empty'}, as in a container that hides the host's firmware: whether the host booted with UEFI is not visible.`,
        ),
      };
    }
    return {
      answer: {
        status: 'unsupported',
        setupMode: null,
        detail: `no ${EFI_DIR}: booted without UEFI (legacy BIOS or direct kernel boot); ${FIRMWARE_DIR} has ${[...firmware].sort().join(', ')}`,
        source: 'sysfs',
      },
    };
  }
  const variables = await readOptionalDir(host, EFIVARS_DIR);
  if (variables === null || variables.length === 0) {
    return { fallback: new AgentError('ERR_NOT_FOUND', `${EFIVARS_DIR} is empty: efivarfs is not mounted, so the UEFI variables cannot be read as files.`) };
  }
  if (variables.includes(SECURE_BOOT_NAME)) {
    return { fallback: new AgentError('ERR_IO', `${SECURE_BOOT_FILE} is listed in ${EFIVARS_DIR} but could not be opened.`) };
  }
  return {
    answer: {
      status: 'disabled',
      setupMode: null,
      detail: 'UEFI firmware without a SecureBoot variable (Secure Boot unsupported by the firmware, or switched off and removed by it)',
      source: EFIVARFS_SOURCE,
    },
  };
}

async function readEfivarfs(host: Host, ctx: CollectContext): Promise<EfivarfsReading> {
  let text: string;
  try {
    text = await host.readFile(SECURE_BOOT_FILE);
  } catch (error) {
    const code = systemErrorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      try {
        return await withoutSecureBootFile(host);
      } catch (inner) {
        return { fallback: toAgentError(inner, EFI_DIR) };
      }
    }
    return { fallback: toAgentError(error, SECURE_BOOT_FILE) };
  }
  try {
    return { answer: await fromSecureBootFile(host, ctx, text) };
  } catch (error) {
    return { fallback: toAgentError(error, SECURE_BOOT_FILE) };
  }
}

async function mokutilInstalled(host: Host): Promise<string | null> {
  const { mokutil } = LINUX_COMMANDS;
  for (const path of [mokutil, ...(LINUX_ALTERNATIVES[mokutil] ?? [])]) {
    if ((await pathExists(host, path)) === true) return mokutil;
  }
  return null;
}

async function readMokutil(host: Host): Promise<SecureBoot | null> {
  const mokutil = await mokutilInstalled(host);
  if (mokutil === null) return null;
  const { parseMokutilSbState } = await import('./parse-mokutil-sb-state.js');
  return parseMokutilSbState(commandOutput(await host.run(mokutil, ['--sb-state'])));
}

export async function collectSecureBootLinux(host: Host, ctx: CollectContext): Promise<SecureBoot> {
  const efivarfs = await readEfivarfs(host, ctx);
  if ('answer' in efivarfs) return efivarfs.answer;
  if ('unknown' in efivarfs) {
    ctx.error(efivarfs.unknown.code, efivarfs.unknown.message);
    return UNKNOWN_SECURE_BOOT;
  }
  try {
    const answer = await readMokutil(host);
    if (answer) return answer;
    ctx.error(efivarfs.fallback.code, efivarfs.fallback.message);
    ctx.error('ERR_COMMAND_NOT_FOUND', `mokutil, which could read the Secure Boot state instead, is not installed (${LINUX_COMMANDS.mokutil}).`);
  } catch (error) {
    const failure = toAgentError(error, `${LINUX_COMMANDS.mokutil} --sb-state`);
    ctx.error(efivarfs.fallback.code, efivarfs.fallback.message);
    ctx.error(failure.code, failure.message);
  }
  return UNKNOWN_SECURE_BOOT;
}
