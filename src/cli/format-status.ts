/** The human view of `posture-agent status`; its verdict lines are `check`'s (formatVerdicts). Pure. */
import type { DaemonStatus } from '../api/local-api-types.js';
import { formatVerdicts, painter, type Style } from './format-check.js';

const HEADLINE: Record<DaemonStatus['state'], { text: string; style: Style }> = {
  compliant: { text: 'COMPLIANT', style: 'green' },
  warning: { text: 'COMPLIANT, WITH WARNINGS', style: 'yellow' },
  noncompliant: { text: 'NOT COMPLIANT', style: 'red' },
  unknown: { text: 'UNKNOWN', style: 'yellow' },
  offline: { text: 'OFFLINE (the policy service cannot be reached)', style: 'yellow' },
};

function when(iso: string | null): string {
  return iso ? `${iso.slice(0, 19).replace('T', ' ')} UTC` : 'never';
}

export function formatStatus(status: DaemonStatus, color = false): string {
  const paint = painter(color);
  const headline = HEADLINE[status.state];
  const out = [
    `${paint(headline.style, headline.text)}${status.checking ? ' (checking now)' : ''}`,
    `Device ${status.deviceId ?? 'unknown'}; service ${status.service ?? 'none configured'}${status.enrolled ? '' : ' (not enrolled)'}`,
    `Last check ${when(status.lastCheckAt)}; last delivery ${when(status.lastDeliveryAt)}; next check ${when(status.nextCheckAt)}`,
  ];
  if (status.checkNotBefore) out.push(`A check asked for now is answered by the next one, at the latest at ${when(status.checkNotBefore)} (checks on request are spaced).`);
  if (status.policy) out.push(`Policy ${status.policy}; tiers allowed: ${status.tiers.join(', ') || 'none'}`);
  out.push(...formatVerdicts(status.verdicts, color));
  if (status.lastError) out.push(`Last error: ${status.lastError.message} [${status.lastError.code}]${status.lastError.retryable ? ' (retrying)' : ''}`);
  for (const warning of status.warnings) out.push(`Warning: ${warning}`);
  return `${out.join('\n')}\n`;
}
