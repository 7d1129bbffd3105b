/**
 * What a BitLocker state means for the report's volume (report.ts EncryptedVolume): `encrypted` is
 * true only when the volume is fully encrypted AND protection is on; in progress, paused, suspended,
 * clear-key ("waiting for activation") volumes are false, locked or unreadable ones null. Pure.
 */
import type { EncryptedVolume } from '../disk-encryption/schema.js';

export type Conversion =
  | 'fully-decrypted'
  | 'fully-encrypted'
  | 'used-space-only-encrypted'
  | 'encryption-in-progress'
  | 'decryption-in-progress'
  | 'encryption-paused'
  | 'decryption-paused';

export type Protection = NonNullable<EncryptedVolume['protection']>;
export type VolumeConversion = NonNullable<EncryptedVolume['conversion']>;

const ENCRYPTED: readonly Conversion[] = ['fully-encrypted', 'used-space-only-encrypted'];

export function isFullyEncrypted(conversion: Conversion | null): boolean {
  return conversion !== null && ENCRYPTED.includes(conversion);
}

/**
 * Protection "off" on a fully encrypted volume that still has key protectors means the protectors
 * are disabled: suspended (Win32_EncryptableVolume ProtectionStatus docs: the key is in the clear
 * when "key protectors have been disabled by using the DisableKeyProtectors method").
 */
export function protectionOf(on: boolean | null, conversion: Conversion | null, keyProtectors: number | null): Protection {
  if (on === null) return 'unknown';
  if (on) return 'on';
  return isFullyEncrypted(conversion) && keyProtectors !== null && keyProtectors > 0 ? 'suspended' : 'off';
}

/**
 * The report's structured conversion: only a conversion that is running. A paused one is not
 * (`manage-bde -pause`; it goes on after `manage-bde -resume`): its volume is unencrypted with
 * "paused" in `state`. Null for an unknown status too: the volume's `encrypted` is null then.
 */
export function conversionOf(conversion: Conversion | null): VolumeConversion | null {
  if (conversion === 'encryption-in-progress') return 'encrypting';
  if (conversion === 'decryption-in-progress') return 'decrypting';
  return null;
}

export function isEncrypted(conversion: Conversion | null, protection: Protection, locked: boolean | null): boolean | null {
  if (locked === true || conversion === null) return null;
  if (!isFullyEncrypted(conversion)) return false;
  if (protection === 'on') return true;
  return protection === 'unknown' ? null : false;
}

/** Fully encrypted, protection off and no key protector at all: the clear-key state Windows shows as "Waiting for activation". */
export function isWaitingForActivation(conversion: Conversion | null, protection: Protection, keyProtectors: number | null): boolean {
  return isFullyEncrypted(conversion) && protection === 'off' && keyProtectors === 0;
}

export const WAITING_FOR_ACTIVATION = 'waiting for activation (no key protectors)';

/** `C:` for a drive letter however written (`c:`, `C:\`); other mount points as given. */
export function normalizeMount(mount: string): string {
  const drive = /^([A-Za-z]):\\?$/.exec(mount.trim());
  return drive ? `${drive[1]!.toUpperCase()}:` : mount.trim();
}
