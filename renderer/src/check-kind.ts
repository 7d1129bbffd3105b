/** How a check looks and reads: what it means for access, in words (never colour alone). */
import type { TrayCheck } from '../../src/tray/tray-view.js';
import type { IconName } from './icons.js';

/**
 * pass: passes. blocking: denies access now. grace: a blocking rule inside its grace period (fix
 * before the deadline). warn: a warn-level rule (never blocks). attention: a blocking rule that does
 * not pass but is not (yet) judged blocking, e.g. before the service has answered.
 */
export type CheckKind = 'pass' | 'blocking' | 'grace' | 'warn' | 'attention';

export function checkKind(check: TrayCheck): CheckKind {
  if (check.status === 'pass') return 'pass';
  if (check.blocking) return 'blocking';
  if (check.graceDeadline !== null) return 'grace';
  if (check.severity === 'warn') return 'warn';
  return 'attention';
}

export const STATUS_TEXT: Readonly<Record<TrayCheck['status'], string>> = {
  pass: 'Passed',
  fail: 'Failed',
  unknown: 'Unknown',
};

/** What the check means for access; null for a pass. */
export const IMPACT_TEXT: Readonly<Record<CheckKind, string | null>> = {
  pass: null,
  blocking: 'Blocks access',
  grace: 'Grace period',
  warn: 'Warning only',
  attention: 'Needs attention',
};

/** Most urgent first; the view's order is kept within a kind. */
const ORDER: Readonly<Record<CheckKind, number>> = { blocking: 0, grace: 1, attention: 2, warn: 3, pass: 4 };

export function byUrgency(checks: readonly TrayCheck[]): TrayCheck[] {
  return checks
    .map((check, index) => ({ check, index, rank: ORDER[checkKind(check)] }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((entry) => entry.check);
}

export function checkIcon(check: TrayCheck): IconName {
  const kind = checkKind(check);
  if (kind === 'pass') return 'check';
  if (kind === 'blocking') return 'blocked';
  if (kind === 'grace') return 'clock';
  return check.status === 'unknown' ? 'question' : 'alert';
}
