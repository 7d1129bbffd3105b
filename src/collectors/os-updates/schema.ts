/**
 * The osUpdates signal: whether the operating system installs its updates by itself, how many
 * updates wait, and whether an installed update waits for a reboot.
 *
 * `status` is `enabled` only when updates (at least the security ones) are fetched and installed
 * without anyone acting: the package lists or the update catalogue are refreshed automatically
 * AND updates are installed automatically. `disabled` when either is known to be off. `unknown`
 * when neither rule can be decided (a value could not be read): unknown is never enabled.
 */
import type { z } from 'zod';
import type { osUpdatesSchema } from './zod-schema.js';

export const OS_UPDATES_STATUSES = ['enabled', 'disabled', 'unknown'] as const;

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
