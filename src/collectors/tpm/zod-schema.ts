/**
 * The `tpm` part of the report as a zod schema, which its types (schema.ts) are inferred from.
 * Loaded only where reports are validated or described (the service, the docs, a session hand-over):
 * collecting and judging posture needs none of it.
 */
import { z } from 'zod';
import { TPM_STATUSES, TPM_KINDS, TPM_SPEC_VERSIONS } from './schema.js';

export const tpmSchema = z.object({
  status: z.enum(TPM_STATUSES),
  kind: z.enum(TPM_KINDS).nullable(),
  specVersion: z.enum(TPM_SPEC_VERSIONS).nullable(),
  /** Decoded TCG vendor id ('Infineon', 'Nuvoton', 'Intel', ...), or 'Apple' for a Secure Enclave. */
  manufacturer: z.string().max(128).nullable(),
  enabled: z.boolean().nullable(),
  ready: z.boolean().nullable(),
  /** Where the answer came from, e.g. `/sys/class/tpm/tpm0`, `Get-Tpm`, `sysctl hw.optional.arm64`. */
  source: z.string().max(512).nullable(),
});
