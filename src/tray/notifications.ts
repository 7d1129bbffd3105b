/**
 * Native notifications, once per change: a check that starts failing (with its grace deadline),
 * a check that recovers, and access becoming blocked. Pure: it compares two views. The first view
 * after start says nothing (the icon already shows the state).
 */
import type { TrayCheck, TrayView } from './tray-view.js';

export interface NotificationSpec {
  title: string;
  body: string;
}

function deadline(check: TrayCheck, formatDate: (iso: string) => string): string {
  return check.graceDeadline ? ` Fix it before ${formatDate(check.graceDeadline)} to keep access.` : '';
}

export function notificationsFor(previous: TrayView | null, next: TrayView, formatDate: (iso: string) => string): NotificationSpec[] {
  if (!previous || next.checking) return [];
  const before = new Map(previous.checks.map((check) => [check.id, check]));
  const notes: NotificationSpec[] = [];
  for (const check of next.checks) {
    const old = before.get(check.id);
    const wasPassing = !old || old.status === 'pass';
    if (wasPassing && check.status !== 'pass' && old) {
      const what = check.status === 'unknown' ? 'Could not check' : 'Check failed';
      notes.push({ title: `${what}: ${check.title}`, body: `${check.reason}${deadline(check, formatDate)}${check.remediation ? ` ${check.remediation}` : ''}` });
    } else if (old && old.status !== 'pass' && check.status === 'pass') {
      notes.push({ title: `Fixed: ${check.title}`, body: check.reason });
    }
  }
  if (previous.state !== 'noncompliant' && next.state === 'noncompliant') {
    notes.push({ title: 'Access blocked', body: next.blockedReason ?? 'Your device does not meet the company\'s requirements.' });
  } else if (previous.state === 'noncompliant' && next.state !== 'noncompliant' && next.state !== 'unknown' && next.state !== 'offline') {
    notes.push({ title: 'Access restored', body: next.headline });
  }
  return notes;
}
