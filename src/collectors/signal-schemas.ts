/**
 * Each signal's zod schema, by report key: what the report's schema (report.ts) is built from, and
 * what validates a value a user's session hands over. Only validating and describing reports loads
 * zod; collecting and judging posture does not.
 */
import type { z } from 'zod';
import { antivirusSchema } from './antivirus/zod-schema.js';
import { diskEncryptionSchema } from './disk-encryption/zod-schema.js';
import { firewallSchema } from './firewall/zod-schema.js';
import { osInfoSchema } from './os/zod-schema.js';
import { osUpdatesSchema } from './os-updates/zod-schema.js';
import { screenLockSchema } from './screen-lock/zod-schema.js';
import { secureBootSchema } from './secure-boot/zod-schema.js';
import type { SignalName } from './signals.js';
import { tpmSchema } from './tpm/zod-schema.js';

export const SIGNAL_SCHEMAS = {
  os: osInfoSchema,
  diskEncryption: diskEncryptionSchema,
  antivirus: antivirusSchema,
  firewall: firewallSchema,
  screenLock: screenLockSchema,
  secureBoot: secureBootSchema,
  tpm: tpmSchema,
  osUpdates: osUpdatesSchema,
} as const satisfies Record<SignalName, z.ZodType>;
