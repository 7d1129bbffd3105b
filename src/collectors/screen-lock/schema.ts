/**
 * The screenLock signal: whether the user's session asks for a password after it has been idle,
 * and after how long. A per-user setting, read in the user's own session (see session.ts).
 *
 * - `enabled`: the session locks on idle and a password is needed to get back in;
 * - `disabled`: every source was read and nothing locks the idle session with a password;
 * - `unknown`: a source that decides it could not be read (the reason is in the report's errors).
 */
import type { z } from 'zod';
import type { screenLockSchema } from './zod-schema.js';

export const SCREEN_LOCK_STATUSES = ['enabled', 'disabled', 'unknown'] as const;

export type ScreenLock = z.infer<typeof screenLockSchema>;
export type ScreenLockStatus = ScreenLock['status'];

export const UNKNOWN_SCREEN_LOCK: ScreenLock = { status: 'unknown', delaySeconds: null, source: null, user: null };

export function screenLockEnabled(delaySeconds: number, source: string): ScreenLock {
  return { status: 'enabled', delaySeconds: Math.round(delaySeconds), source, user: null };
}

export function screenLockDisabled(source: string): ScreenLock {
  return { status: 'disabled', delaySeconds: null, source, user: null };
}

/**
 * When a lock mechanism fires, in seconds of inactivity: a number, `never` (read, and it does not
 * lock the idle session) or `unknown` (not read). The OS collectors combine them with these two.
 */
export type LockTime = number | 'never' | 'unknown';

/**
 * The first of several mechanisms that each lock the same session: the smallest known time. A known
 * time is an upper bound even when another mechanism is unknown (that one could only lock sooner).
 */
export function earliestLock(times: readonly LockTime[]): LockTime {
  const known = times.filter((time): time is number => typeof time === 'number');
  if (known.length > 0) return Math.min(...known);
  return times.includes('unknown') ? 'unknown' : 'never';
}

/**
 * The worst of several situations the device can be in (AC or battery power): `never` as soon as
 * one of them never locks, `unknown` when one is unknown, otherwise the longest time.
 */
export function latestLock(times: readonly LockTime[]): LockTime {
  if (times.length === 0 || times.includes('never')) return 'never';
  if (times.includes('unknown')) return 'unknown';
  return Math.max(...(times as number[]));
}
