/**
 * `mokutil --sb-state` (shim's mokutil, github.com/lcp/mokutil src/mokutil.c sb_state_internal and
 * main). It reads the same EFI variables as the efivarfs collector and prints, on stdout:
 *   `SecureBoot enabled`, then `SecureBoot validation is disabled in shim` when MokSBStateRT exists;
 *   `SecureBoot disabled`, then `Platform is in Setup Mode` when SetupMode is 1;
 *   `Cannot determine secure boot state.`;
 * possibly after `Strange data size N for "SecureBoot" variable`. On stderr (exit 255):
 *   `EFI variables are not supported on this system` (no EFI runtime services: a legacy BIOS boot);
 *   `This system doesn't support Secure Boot` (the SecureBoot variable could not be read);
 *   `Failed to read "SecureBoot" variable: <strerror>` (also for SetupMode).
 * The agent runs it with LC_ALL=C, so the text is English. Pure.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';
import { deriveSecureBootStatus, type SecureBoot, type UefiSecureBootState } from './schema.js';

export const MOKUTIL_SOURCE = 'mokutil';

const ENABLED = /^SecureBoot enabled$/i;
const DISABLED = /^SecureBoot disabled$/i;
const SHIM_VALIDATION_OFF = /^SecureBoot validation is disabled in shim$/i;
const SETUP_MODE = /^Platform is in Setup Mode$/i;
const STRANGE_SIZE = /^Strange data size \d+ for "(SecureBoot|SetupMode)" variable$/i;
const CANNOT_DETERMINE = /^Cannot determine secure boot state\.?$/i;
const NO_EFI_VARIABLES = /^EFI variables are not supported on this system\.?$/i;
const NO_SECURE_BOOT_VARIABLE = /^This system does(?:n'|')t support Secure Boot/i;
const FAILED_TO_READ = /^Failed to read "?(SecureBoot|SetupMode)"? variable: (.*)$/i;
const PERMISSION = /permission denied|operation not permitted/i;

export function parseMokutilSbState(text: string): SecureBoot {
  const content = lines(text).map((line) => line.trim()).filter((line) => line !== '');
  if (content.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', 'mokutil --sb-state printed nothing.');

  const first = content.find((line) => !STRANGE_SIZE.test(line)) ?? content[0]!;
  if (NO_EFI_VARIABLES.test(first)) {
    return { status: 'unsupported', setupMode: null, detail: `${first.replace(/\.$/, '')}: no UEFI runtime (legacy BIOS boot)`, source: MOKUTIL_SOURCE };
  }
  if (NO_SECURE_BOOT_VARIABLE.test(first)) {
    // mokutil says this whenever the SecureBoot variable cannot be read; with efivarfs mounted that
    // means the firmware defines none, which is how some firmware shows Secure Boot switched off
    // and how firmware without Secure Boot looks. Either way nothing is verified.
    return { status: 'disabled', setupMode: null, detail: `${first}: UEFI without a SecureBoot variable`, source: MOKUTIL_SOURCE };
  }
  const failed = FAILED_TO_READ.exec(first);
  if (failed) {
    const code = PERMISSION.test(failed[2]!) ? 'ERR_ACCESS_DENIED' : 'ERR_COMMAND_FAILED';
    throw new AgentError(code, `mokutil --sb-state could not read the ${failed[1]} variable: ${failed[2]!.trim()}`);
  }
  if (CANNOT_DETERMINE.test(first)) {
    throw new AgentError('ERR_SIGNAL_UNAVAILABLE', 'mokutil --sb-state could not determine the Secure Boot state (the SecureBoot or SetupMode variable holds an unexpected size).');
  }

  const enabled = content.some((line) => ENABLED.test(line));
  const disabled = content.some((line) => DISABLED.test(line));
  if (enabled === disabled) {
    throw new AgentError('ERR_PARSE', `mokutil --sb-state printed neither "SecureBoot enabled" nor "SecureBoot disabled": ${first.slice(0, 200)}`);
  }
  const shimValidationDisabled = content.some((line) => SHIM_VALIDATION_OFF.test(line));
  const setupModeLine = content.some((line) => SETUP_MODE.test(line));
  // A SetupMode of unexpected size is neither 0 nor 1 to mokutil, and it says nothing about it.
  const setupModeOdd = content.some((line) => STRANGE_SIZE.exec(line)?.[1]?.toLowerCase() === 'setupmode');
  // mokutil prints "enabled" only for SecureBoot 1 with SetupMode 0, and "disabled" for SecureBoot 0
  // or SetupMode 1, adding "Platform is in Setup Mode" whenever SetupMode is 1.
  const state: UefiSecureBootState = enabled
    ? { secureBoot: true, setupMode: false, shimValidationDisabled }
    : { secureBoot: setupModeLine ? null : false, setupMode: setupModeLine ? true : setupModeOdd ? null : false, shimValidationDisabled: false };
  const wording = content.filter((line) => ENABLED.test(line) || DISABLED.test(line) || SHIM_VALIDATION_OFF.test(line) || SETUP_MODE.test(line));
  return { status: deriveSecureBootStatus(state), setupMode: state.setupMode, detail: wording.join('; '), source: MOKUTIL_SOURCE };
}
