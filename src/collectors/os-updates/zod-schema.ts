/**
 * The `osUpdates` part of the report as a zod schema, which its types (schema.ts) are inferred from.
 * Loaded only where reports are validated or described (the service, the docs, a session hand-over):
 * collecting and judging posture needs none of it.
 */
import { z } from 'zod';
import { OS_UPDATES_STATUSES } from './schema.js';

const text = z.string().max(2048);
const count = z.number().int().min(0).max(1_000_000);

export const osUpdatesSchema = z.object({
  status: z.enum(OS_UPDATES_STATUSES),
  /** The system looks for updates (refreshes package lists, checks the catalogue) on its own. */
  automaticCheck: z.boolean().nullable(),
  /** Available updates are downloaded on their own (installing implies downloading). */
  automaticDownload: z.boolean().nullable(),
  /** Available updates (at least the security ones) are installed on their own. */
  automaticInstall: z.boolean().nullable(),
  /** Updates available and not installed, where a source that costs nothing to read tells. */
  pending: count.nullable(),
  /** Of those, the security updates, where the source classifies them. */
  pendingSecurity: count.nullable(),
  /** An installed update waits for a restart to take effect. */
  rebootRequired: z.boolean().nullable(),
  /** Which mechanism decided: 'apt (20auto-upgrades)', 'dnf-automatic', 'com.apple.SoftwareUpdate', 'Windows Update policy'... */
  source: text.nullable(),
  /** What a person needs to understand the value (which file set what, paused until, ...). */
  detail: text.nullable(),
});
