/**
 * What the tray shows, derived from the agent's status by a pure function: the overall state in
 * plain words, each check with what to do, why access is blocked, and what is collected and where
 * it goes. The window renders it; the menu and tooltip are built from it.
 */
import type { DaemonStatus, DaemonState } from '../api/local-api-types.js';
import { CHECKS } from '../policy/checks/index.js';
import type { CheckStatus, Severity } from '../policy/types.js';
import type { Platform } from '../shared/platform.js';

export interface TrayCheck {
  id: string;
  title: string;
  status: CheckStatus;
  severity: Severity;
  reason: string;
  remediation: string | null;
  graceDeadline: string | null;
  blocking: boolean;
}

export interface CollectedItem {
  signal: string;
  what: string;
}

export interface TrayView {
  state: DaemonState;
  checking: boolean;
  headline: string;
  /** Why access is blocked, in plain words; null when it is not. */
  blockedReason: string | null;
  deviceId: string | null;
  service: string | null;
  enrolled: boolean;
  platform: Platform;
  lastCheckAt: string | null;
  lastDeliveryAt: string | null;
  nextCheckAt: string | null;
  policy: string | null;
  tiers: string[];
  checks: TrayCheck[];
  error: { code: string; message: string } | null;
  warnings: string[];
  collected: CollectedItem[];
  /** Where the collected posture goes, in plain words. */
  sentTo: string;
  startAtLogin: boolean;
}

export const HEADLINES: Readonly<Record<DaemonState, string>> = {
  compliant: 'Your device meets the company\'s security requirements.',
  warning: 'Your device needs attention soon.',
  noncompliant: 'Access is blocked until your device is fixed.',
  unknown: 'Your device\'s security state is not known yet.',
  offline: 'The posture service cannot be reached right now.',
};


function title(check: string): string {
  return CHECKS.get(check)?.title ?? check;
}

function blockedReason(status: DaemonStatus, checks: readonly TrayCheck[]): string | null {
  if (status.lastError?.code === 'ERR_DEVICE_REVOKED') return 'IT has revoked this device\'s access. Contact IT.';
  if (status.state !== 'noncompliant') return null;
  const blocking = checks.filter((check) => check.blocking);
  if (blocking.length === 0) return 'The policy service reports this device as not compliant.';
  return `Access is blocked because: ${blocking.map((check) => check.reason.replace(/\.$/, '')).join('; ')}.`;
}

export interface TrayContext {
  platform: Platform;
  startAtLogin: boolean;
  /** What the agent collects (collected.ts): passed in, so the window's types do not pull in the collectors. */
  collected: readonly CollectedItem[];
}

export function buildTrayView(status: DaemonStatus, context: TrayContext): TrayView {
  const checks: TrayCheck[] = status.verdicts.map((verdict) => ({
    id: verdict.id,
    title: title(verdict.check),
    status: verdict.status,
    severity: verdict.severity,
    reason: verdict.reason,
    remediation: verdict.remediation,
    graceDeadline: verdict.graceDeadline,
    blocking: verdict.blocking,
  }));
  return {
    state: status.state,
    checking: status.checking,
    headline: HEADLINES[status.state],
    blockedReason: blockedReason(status, checks),
    deviceId: status.deviceId,
    service: status.service,
    enrolled: status.enrolled,
    platform: context.platform,
    lastCheckAt: status.lastCheckAt,
    lastDeliveryAt: status.lastDeliveryAt,
    nextCheckAt: status.nextCheckAt,
    policy: status.policy,
    tiers: status.tiers,
    checks,
    error: status.lastError ? { code: status.lastError.code, message: status.lastError.message } : null,
    warnings: status.warnings,
    collected: [...context.collected],
    sentTo: status.service
      ? `Signed by this device and sent only to the company's posture service (${status.service}) at each check.`
      : 'Kept on this device: no posture service is configured.',
    startAtLogin: context.startAtLogin,
  };
}
