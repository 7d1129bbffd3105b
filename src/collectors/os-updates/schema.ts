/**
 * The osUpdates signal: whether the operating system installs its updates by itself, how many
 * updates wait, and whether an installed update waits for a reboot.
 *
 * `status` is `enabled` only when updates (at least the security ones) are fetched and installed
 * without anyone acting: the package lists or the update catalogue are refreshed automatically
 * AND updates are installed automatically. `disabled` when either is known to be off. `unknown`
 * when neither rule can be decided (a value could not be read): unknown is never enabled.
 */
import { z } from 'zod';

export const OS_UPDATES_STATUSES = ['enabled', 'disabled', 'unknown'] as const;

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

export type OsUpdates = z.infer<typeof osUpdatesSchema>;
export type OsUpdatesStatus = OsUpdates['status'];

export const UNKNOWN_OS_UPDATES: OsUpdates = {
  status: 'unknown',
  automaticCheck: null,
  automaticDownload: null,
  automaticInstall: null,
  pending: null,
  pendingSecurity: null,
  rebootRequired: null,
  source: null,
  detail: null,
};

/**
 * Enabled when the system both looks for updates and installs them by itself; disabled when either
 * is known to be off; unknown otherwise. Installing without ever refreshing what is available
 * installs nothing new, so both are needed.
 */
export function deriveOsUpdatesStatus(automaticCheck: boolean | null, automaticInstall: boolean | null): OsUpdatesStatus {
  if (automaticCheck === false || automaticInstall === false) return 'disabled';
  if (automaticCheck === true && automaticInstall === true) return 'enabled';
  return 'unknown';
}

const MAX_DETAIL = 1000;

/** Joins the non-empty parts of a detail text (cut to stay well inside the report's limit); null when there are none. */
export function joinDetail(parts: readonly (string | null | undefined | false)[]): string | null {
  const kept = parts.filter((part): part is string => typeof part === 'string' && part.trim() !== '');
  if (kept.length === 0) return null;
  const joined = kept.join('; ');
  return joined.length <= MAX_DETAIL ? joined : `${joined.slice(0, MAX_DETAIL - 1)}…`;
}
