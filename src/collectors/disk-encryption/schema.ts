import type { DiskEncryption, EncryptedVolume, EncryptionStatus } from '../../shared/report.js';

export type { DiskEncryption, EncryptedVolume, EncryptionStatus };

export const UNKNOWN_DISK_ENCRYPTION: DiskEncryption = { status: 'unknown', volumes: [] };

/**
 * One rule for every OS. The system volume decides between known and unknown; the other volumes
 * decide between encrypted and partial. A volume counts as encrypted only when it is encrypted
 * AND protected (`encrypted: true`); in progress, suspended or clear-key volumes are `false`.
 */
export function deriveEncryptionStatus(volumes: readonly EncryptedVolume[]): EncryptionStatus {
  const system = volumes.find((volume) => volume.system);
  if (!system || system.encrypted === null) return 'unknown';
  if (volumes.every((volume) => volume.encrypted === true)) return 'encrypted';
  if (volumes.every((volume) => volume.encrypted === false)) return 'unencrypted';
  return 'partial';
}
