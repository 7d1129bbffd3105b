/**
 * The report's system volume from either FileVault source. `encrypted` is true only when FileVault
 * is on AND no conversion is under way (docs/collectors.md rule 4); the detail goes into `state`.
 */
import { AgentError } from '../../shared/errors.js';
import type { EncryptedVolume } from '../disk-encryption/schema.js';
import type { ApfsVolume } from '../disk-encryption/parse-diskutil-apfs-list.js';
import type { FdesetupStatus, FileVaultConversion } from '../disk-encryption/parse-fdesetup-status.js';

/** fdesetup(8): exit status 2 means "FileVault appears to be On but Busy" (a conversion is running). */
export const FDESETUP_BUSY_EXIT = 2;

function systemVolume(fields: Pick<EncryptedVolume, 'encrypted' | 'state' | 'percentEncrypted' | 'conversion' | 'protection'>): EncryptedVolume {
  return { mount: '/', system: true, method: 'FileVault', ...fields };
}

/** Only an encryption's progress is a percentage encrypted; a decryption's is the share already decrypted. */
function percentEncrypted(conversion: FileVaultConversion | null): number | null {
  return conversion?.direction === 'encrypting' ? conversion.percent : null;
}

/**
 * The running conversion's direction. A paused diskutil conversion counts, as fdesetup's
 * `Encryption in progress: Pending` does: FileVault pauses by itself (shut down, on battery) and
 * goes on by itself when the Mac is awake on power again, unlike a paused BitLocker conversion.
 */
function conversionOf(conversion: FileVaultConversion | null): EncryptedVolume['conversion'] {
  return conversion?.direction ?? null;
}

/**
 * fdesetup exits 2 ("On but busy") during a conversion; without a progress line its direction is
 * not known (the headline says On or Off in both directions), so `conversion` stays null.
 */
export function volumeFromFdesetup(status: FdesetupStatus, exitCode: number): EncryptedVolume {
  const busy = status.conversion === null && exitCode === FDESETUP_BUSY_EXIT;
  const on = status.fileVault === 'on';
  return systemVolume({
    encrypted: on && status.conversion === null && !busy,
    state: busy ? `${status.state} (fdesetup reports a conversion in progress)` : status.state,
    percentEncrypted: percentEncrypted(status.conversion),
    conversion: conversionOf(status.conversion),
    protection: on ? 'on' : 'off',
  });
}

function describeApfs(volume: ApfsVolume): string {
  const where = `${volume.name ?? volume.device} (${volume.device})`;
  const { conversion } = volume;
  if (conversion) {
    const verb = conversion.direction === 'encrypting' ? 'Encryption' : 'Decryption';
    return `${where}: ${verb} in progress ${conversion.percent}%${conversion.paused ? ', paused' : ''}`;
  }
  const detail = volume.fileVaultDetail === null ? '' : ` (${volume.fileVaultDetail})`;
  return `${where}: FileVault ${volume.fileVault === 'yes' ? 'Yes' : 'No'}${detail}`;
}

export function volumeFromApfs(volume: ApfsVolume): EncryptedVolume {
  const { conversion, fileVault } = volume;
  if (fileVault === null && conversion === null) {
    throw new AgentError('ERR_PARSE', `diskutil apfs list shows neither a FileVault nor a progress line for ${volume.device} (truncated output?).`);
  }
  return systemVolume({
    encrypted: conversion === null && fileVault === 'yes',
    state: describeApfs(volume),
    percentEncrypted: percentEncrypted(conversion),
    conversion: conversionOf(conversion),
    protection: fileVault === 'yes' || conversion?.direction === 'encrypting' ? 'on' : 'off',
  });
}
