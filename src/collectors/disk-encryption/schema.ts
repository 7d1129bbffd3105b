/** The diskEncryption signal: each internal volume, and one status for them all. */
import type { z } from 'zod';
import type { encryptedVolumeSchema, diskEncryptionSchema } from './zod-schema.js';

export type EncryptedVolume = z.infer<typeof encryptedVolumeSchema>;
export type DiskEncryption = z.infer<typeof diskEncryptionSchema>;
export type EncryptionStatus = DiskEncryption['status'];

export const UNKNOWN_DISK_ENCRYPTION: DiskEncryption = { status: 'unknown', volumes: [] };

/**
 * One rule for every OS, from structured fields only (`system`, `conversion`, `encrypted`; never
 * `state`, which is free text):
 * 1. No system volume: `unknown`.
 * 2. The system volume is converting: `encrypting` or `decrypting` (its `encrypted` is false meanwhile).
 * 3. The system volume's `encrypted` is null: `unknown`. It decides between known and unknown.
 * 4. Otherwise the volumes whose state is known decide: all encrypted `encrypted`, none `unencrypted`,
 *    some of each `partial`. A volume that could not be read (`encrypted: null`, its reason in the
 *    report's errors) changes none of these: a known-encrypted system volume next to an unreadable
 *    data volume is `encrypted`, not `partial` (diskEncryption.allVolumes is unknown for it).
 * A volume counts as encrypted only when it is encrypted AND protected (`encrypted: true`); in
 * progress, paused, suspended or clear-key volumes are `false`.
 */
export function deriveEncryptionStatus(volumes: readonly EncryptedVolume[]): EncryptionStatus {
  const system = volumes.find((volume) => volume.system);
  if (!system) return 'unknown';
  if (system.conversion === 'encrypting' || system.conversion === 'decrypting') return system.conversion;
  if (system.encrypted === null) return 'unknown';
  const known = volumes.filter((volume) => volume.encrypted !== null);
  if (known.every((volume) => volume.encrypted === true)) return 'encrypted';
  if (known.every((volume) => volume.encrypted === false)) return 'unencrypted';
  return 'partial';
}

/** The signal's value for `volumes`: the status, and the system volume's percentage while it converts. */
export function summarizeEncryption(volumes: EncryptedVolume[]): DiskEncryption {
  const status = deriveEncryptionStatus(volumes);
  if (status !== 'encrypting' && status !== 'decrypting') return { status, volumes };
  const system = volumes.find((volume) => volume.system);
  return { status, percentEncrypted: system?.percentEncrypted ?? null, volumes };
}
