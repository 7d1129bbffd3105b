/**
 * The `diskEncryption` part of the report as a zod schema, which its types (schema.ts) are inferred from.
 * Loaded only where reports are validated or described (the service, the docs, a session hand-over):
 * collecting and judging posture needs none of it.
 */
import { z } from 'zod';
import { list, nullableBoolean, nullableText, text } from '../report-parts.js';

const percent = () => z.number().min(0).max(100).nullable().optional();

export const encryptedVolumeSchema = z.object({
  /** Mount point (`/`, `/home`) or drive (`C:`), or the device name when not mounted. */
  mount: text,
  system: z.boolean(),
  /** True only when encrypted AND protected (keys not in the clear, protection not suspended). */
  encrypted: nullableBoolean,
  /** LUKS2, LUKS1, BitLocker XTS-AES 128, FileVault, ... */
  method: nullableText,
  /** Free text from the source, e.g. `Encryption in progress 45%`. For people: nothing is derived from it. */
  state: nullableText,
  /** Percentage encrypted where the source says. */
  percentEncrypted: percent(),
  /**
   * A conversion under way, where the source tells: BitLocker EncryptionInProgress /
   * DecryptionInProgress (not paused), FileVault `Encryption/Decryption in progress` or diskutil's
   * `Encryption/Decryption Progress`. Null when none is known to run (a paused one included; an
   * unreadable state leaves `encrypted` null as well); absent where the source cannot tell (LUKS).
   */
  conversion: z.enum(['encrypting', 'decrypting']).nullable().optional(),
  /** Protection on (BitLocker protectors active / FileVault unlocked by users). */
  protection: z.enum(['on', 'off', 'suspended', 'unknown']).optional(),
});

export const diskEncryptionSchema = z.object({
  status: z.enum(['encrypted', 'unencrypted', 'partial', 'encrypting', 'decrypting', 'unknown']),
  /** The system volume's percentage encrypted while it is encrypting or decrypting (null when the source does not say). */
  percentEncrypted: percent(),
  volumes: list(encryptedVolumeSchema),
});
