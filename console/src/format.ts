/** How the console writes states, times and durations. */
import type { ComplianceStatus, DeviceState } from './api-types.js';

export const STATE_LABELS: Record<DeviceState, string> = {
  compliant: 'Compliant',
  warning: 'In grace',
  noncompliant: 'Not compliant',
  stale: 'Stale',
  revoked: 'Revoked',
  unappraised: 'Not yet appraised',
};

export const PLATFORM_LABELS: Record<string, string> = { linux: 'Linux', darwin: 'macOS', win32: 'Windows' };

export function stateLabel(state: DeviceState | ComplianceStatus): string {
  return STATE_LABELS[state];
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(iso: string | null): string {
  return iso === null ? '—' : dateTime.format(new Date(iso));
}

export function formatDay(day: string): string {
  return new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

export function platformLabel(platform: string | null): string {
  return platform === null ? '—' : PLATFORM_LABELS[platform] ?? platform;
}
