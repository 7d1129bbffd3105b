/**
 * The `secureBoot` part of the report as a zod schema, which its types (schema.ts) are inferred from.
 * Loaded only where reports are validated or described (the service, the docs, a session hand-over):
 * collecting and judging posture needs none of it.
 */
import { z } from 'zod';
import { SECURE_BOOT_STATUSES } from './schema.js';

const text = z.string().max(2048);

export const secureBootSchema = z.object({
  status: z.enum(SECURE_BOOT_STATUSES),
  /** UEFI SetupMode (no Platform Key enrolled, so nothing is verified) where the source tells; else null. */
  setupMode: z.boolean().nullable(),
  /** The source's own wording: `SecureBoot 1, SetupMode 0`, `Full Security`, `UEFISecureBootEnabled 0`. */
  detail: text.nullable(),
  /** Where the answer came from: `efivarfs`, `mokutil`, `registry`, `Confirm-SecureBootUEFI`, `system_profiler`, `nvram`, `sysfs`. */
  source: text.nullable(),
});
