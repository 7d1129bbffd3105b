/**
 * The report's system volume from either FileVault source. `encrypted` is true only when FileVault
 * is on AND no conversion is under way (docs/collectors.md rule 4); the detail goes into `state`.
 */
import { AgentError } from '../../shared/errors.js';
import type { EncryptedVolume } from '../../shared/report.js';
import type { ApfsVolume } from '../disk-encryption/parse-diskutil-apfs-list.js';
import type { FdesetupStatus, FileVaultConversion } from '../disk-encryption/parse-fdesetup-status.js';

/** fdesetup(8): exit status 2 means "FileVault appears to be On but Busy" (a conversion is running). */
export const FDESETUP_BUSY_EXIT = 2;

function systemVolume(fields: Pick<EncryptedVolume, 'encrypted' | 'state' | 'percentEncrypted' | 'protection'>): EncryptedVolume {
  return { mount: '/', system: true, method: 'FileVault', ...fields };
}

/** Only an encryption's progress is a percentage encrypted; a decryption's is the share already decrypted. */
function percentEncrypted(conversion: FileVaultConversion | null): number | null {
  return conversion?.direction === 'encrypting' ? conversion.percent : null;
}

export function volumeFromFdesetup(status: FdesetupStatus, exitCode: number): EncryptedVolume {
  const busy = status.conversion === null && exitCode === FDESETUP_BUSY_EXIT;
  const on = status.fileVault === 'on';
  return systemVolume({
    encrypted: on && status.conversion === null && !busy,
    state: busy ? `${status.state} (fdesetup reports a conversion in progress)` : status.state,
    percentEncrypted: percentEncrypted(status.conversion),
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
    protection: fileVault === 'yes' || conversion?.direction === 'encrypting' ? 'on' : 'off',
  });
}
