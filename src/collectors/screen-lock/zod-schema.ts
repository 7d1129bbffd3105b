/**
 * The `screenLock` part of the report as a zod schema, which its types (schema.ts) are inferred from.
 * Loaded only where reports are validated or described (the service, the docs, a session hand-over):
 * collecting and judging posture needs none of it.
 */
import { z } from 'zod';
import { nullableText } from '../report-parts.js';
import { SCREEN_LOCK_STATUSES } from './schema.js';

export const screenLockSchema = z.looseObject({
  status: z.enum(SCREEN_LOCK_STATUSES),
  /** Seconds of inactivity until a password is required (idle delay + lock grace); null unless enabled. */
  delaySeconds: z.number().int().min(0).nullable(),
  /** Where the answer came from: 'gsettings (GNOME)', 'kscreenlockerrc (KDE)', 'sysadminctl', ... */
  source: nullableText,
  /** Whose session it was read in; filled by whoever hands the value to the system daemon. */
  user: nullableText,
});
