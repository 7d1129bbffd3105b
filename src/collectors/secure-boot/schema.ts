/**
 * The secureBoot signal: whether the firmware verifies what it boots.
 *
 * - `enabled`: the platform enforces Secure Boot (UEFI SecureBoot = 1 in User/Deployed Mode and the
 *   shim still validates; on a Mac, Full, Reduced or Medium Security).
 * - `disabled`: the platform could verify but does not (UEFI SecureBoot = 0, Setup Mode, shim
 *   validation turned off, the SecureBoot variable missing on a UEFI boot; on a Mac, Permissive or
 *   No Security).
 * - `unsupported`: nothing to turn on: a legacy BIOS (or direct kernel) boot without UEFI, an Intel
 *   Mac without a T2 chip.
 * - `unknown`: not read; the reason is in the report's errors. Never a pass.
 */
import type { z } from 'zod';
import type { secureBootSchema } from './zod-schema.js';

export const SECURE_BOOT_STATUSES = ['enabled', 'disabled', 'unsupported', 'unknown'] as const;

export type SecureBoot = z.infer<typeof secureBootSchema>;
export type SecureBootStatus = SecureBoot['status'];

export const UNKNOWN_SECURE_BOOT: SecureBoot = { status: 'unknown', setupMode: null, detail: null, source: null };

/** What the UEFI variables say (Linux efivarfs, mokutil; Windows Confirm-SecureBootUEFI and SetupMode). */
export interface UefiSecureBootState {
  /** The SecureBoot variable: true for 1, false for 0, null when not read. */
  secureBoot: boolean | null;
  /** The SetupMode variable: true for 1, false for 0, null when not read. */
  setupMode: boolean | null;
  /** shim's MokSBState: the user told shim to stop verifying what it loads (`mokutil --disable-validation`). */
  shimValidationDisabled: boolean;
}

/**
 * The UEFI rule, as the Linux kernel applies it to decide whether it booted securely
 * (include/linux/efi.h efi_get_secureboot_mode, drivers/firmware/efi/libstub/secureboot.c) and as
 * mokutil --sb-state prints it: enabled only when SecureBoot is 1, the platform is not in Setup
 * Mode and shim was not told to skip validation; disabled when SecureBoot is 0, in Setup Mode
 * (the UEFI specification's Secure Boot chapter: no Platform Key is enrolled, so nothing is
 * verified) or with shim validation off.
 */
export function deriveSecureBootStatus(state: UefiSecureBootState): SecureBootStatus {
  if (state.secureBoot === false || state.setupMode === true || (state.secureBoot === true && state.shimValidationDisabled)) return 'disabled';
  if (state.secureBoot === true) return 'enabled';
  return 'unknown';
}

/** `SecureBoot 1, SetupMode 0`, plus the shim's refusal to verify when set. */
export function describeUefiState(state: UefiSecureBootState): string {
  const parts: string[] = [];
  if (state.secureBoot !== null) parts.push(`SecureBoot ${state.secureBoot ? 1 : 0}`);
  if (state.setupMode !== null) parts.push(`SetupMode ${state.setupMode ? 1 : 0}`);
  if (state.shimValidationDisabled) parts.push('shim validation disabled (MokSBState)');
  return parts.join(', ');
}
