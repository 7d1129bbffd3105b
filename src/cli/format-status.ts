/** The human view of `posture-agent status`. Pure. */
import type { DaemonStatus } from '../api/local-api-types.js';

const HEADLINE: Record<DaemonStatus['state'], string> = {
  compliant: 'COMPLIANT',
  warning: 'COMPLIANT, WITH WARNINGS',
  noncompliant: 'NOT COMPLIANT',
  unknown: 'UNKNOWN',
  offline: 'OFFLINE (the policy service cannot be reached)',
};

function when(iso: string | null): string {
  return iso ? `${iso.slice(0, 19).replace('T', ' ')} UTC` : 'never';
}

export function formatStatus(status: DaemonStatus): string {
  const out = [
    `${HEADLINE[status.state]}${status.checking ? ' (checking now)' : ''}`,
    `Device ${status.deviceId ?? 'unknown'}; service ${status.service ?? 'none configured'}${status.enrolled ? '' : ' (not enrolled)'}`,
    `Last check ${when(status.lastCheckAt)}; last delivery ${when(status.lastDeliveryAt)}; next check ${when(status.nextCheckAt)}`,
  ];
  if (status.policy) out.push(`Policy ${status.policy}; tiers allowed: ${status.tiers.join(', ') || 'none'}`);
  for (const verdict of status.verdicts) out.push(`  ${verdict.status.toUpperCase().padEnd(7)}  ${verdict.id}: ${verdict.reason}`);
  if (status.lastError) out.push(`Last error: ${status.lastError.message} [${status.lastError.code}]${status.lastError.retryable ? ' (retrying)' : ''}`);
  for (const warning of status.warnings) out.push(`Warning: ${warning}`);
  return `${out.join('\n')}\n`;
}
