/**
 * What the daemon tells: the DaemonStatus its local API serves (GET /v0/status, the CLI's
 * `status`, the tray, every user's tray through the shared status file) and the current Result
 * (POST /v0/token). Pure: built from the daemon's state and clock.
 */
import type { CurrentResult, DaemonState, DaemonStatus } from '../../api/local-api-types.js';
import type { Verdict } from '../../policy/types.js';
import type { CertificateInfo } from '../certificate/certificate-files.js';
import type { Enrollment } from '../enrollment.js';
import type { AgentState } from './agent-state.js';

/** The verdicts of the latest check evaluated on this device (shown while there is no Result). */
export interface LocalEvaluation {
  /** `policy-id@version (on this device)`. */
  policy: string;
  verdicts: Verdict[];
}

export interface StatusInput {
  state: AgentState;
  now: Date;
  serviceUrl: string | null;
  enrollment: Enrollment | null;
  /** This device's id once resolved. */
  deviceId: string | null;
  nextCheckAt: Date | null;
  checking: boolean;
  /** Until when an asked-for check starts none of its own (ms), or null. */
  checkNotBefore: number | null;
  local: LocalEvaluation | null;
  warnings: string[];
  certificate: CertificateInfo | null;
}

/** The Result while it is valid, or null. */
export function currentResult(state: AgentState, now: Date): CurrentResult | null {
  const result = state.lastResult;
  if (!result || Date.parse(result.expiresAt) <= now.getTime()) return null;
  return { result: result.result, expiresAt: result.expiresAt };
}

function daemonState(input: StatusInput): DaemonState {
  const current = currentResult(input.state, input.now) ? input.state.lastResult : null;
  const lastError = input.state.lastError;
  if (lastError?.code === 'ERR_DEVICE_REVOKED') return 'noncompliant';
  if (current) return current.status;
  if (lastError?.retryable && input.serviceUrl) return 'offline';
  return 'unknown';
}

export function daemonStatus(input: StatusInput): DaemonStatus {
  const { state } = input;
  const result = state.lastResult;
  const granting = currentResult(state, input.now) !== null && state.lastError?.code !== 'ERR_DEVICE_REVOKED';
  const localVerdicts = input.local?.verdicts ?? [];
  return {
    state: daemonState(input),
    deviceId: input.enrollment?.deviceId ?? input.deviceId,
    service: input.serviceUrl,
    enrolled: input.enrollment !== null && input.enrollment.server === input.serviceUrl,
    lastCheckAt: state.lastCheckAt,
    lastDeliveryAt: state.lastDeliveryAt,
    nextCheckAt: input.nextCheckAt?.toISOString() ?? null,
    checking: input.checking,
    checkNotBefore: input.checkNotBefore === null ? null : new Date(input.checkNotBefore).toISOString(),
    policy: result?.policy ?? (input.local && localVerdicts.length > 0 ? input.local.policy : null),
    earStatus: result?.earStatus ?? null,
    tiers: granting && result ? result.tiers : [],
    verdicts: result?.verdicts ?? localVerdicts,
    resultExpiresAt: result?.expiresAt ?? null,
    lastError: state.lastError,
    consecutiveFailures: state.consecutiveFailures,
    report: state.lastReport,
    warnings: input.warnings,
    certificate: input.certificate && {
      expiresAt: input.certificate.notAfter.toISOString(),
      serial: input.certificate.serial,
      renewAt: input.certificate.renewAt.toISOString(),
    },
  };
}
