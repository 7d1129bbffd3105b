/**
 * The local API's contract (after Tailscale's LocalAPI): the CLI's `status` and the tray are its
 * clients. Loopback only; a bearer secret in a file only this user can read; browsers refused.
 */
import type { EarStatus, Verdict } from '../policy/types.js';
import type { ErrorCode } from '../shared/errors.js';
import type { PostureReport } from '../collectors/report.js';

/** The loopback addresses the local API may listen on; anything else is refused. */
export const LOOPBACK_HOSTS = ['127.0.0.1', '::1'] as const;
export type LoopbackHost = (typeof LOOPBACK_HOSTS)[number];

export const LOCAL_API_FILE = 'local-api.json';
export const LOCAL_API_SECRET_FILE = 'local-api.secret';

/** What the employee sees: the tray's icon and the CLI's first word. */
export type DaemonState = 'compliant' | 'warning' | 'noncompliant' | 'unknown' | 'offline';
export const DAEMON_STATES: readonly DaemonState[] = ['compliant', 'warning', 'noncompliant', 'unknown', 'offline'];

export interface DaemonError {
  code: ErrorCode;
  message: string;
  at: string;
  retryable: boolean;
}

export interface DaemonStatus {
  state: DaemonState;
  deviceId: string | null;
  /** The policy service this device reports to. */
  service: string | null;
  enrolled: boolean;
  lastCheckAt: string | null;
  lastDeliveryAt: string | null;
  nextCheckAt: string | null;
  checking: boolean;
  /**
   * Until when a check asked for (POST /v0/check) does not start one of its own: at most one starts
   * per 10 s, and asks in between are answered by the next check. Null: one may start now.
   */
  checkNotBefore: string | null;
  /** `policy-id@version` of the latest Result. */
  policy: string | null;
  earStatus: EarStatus | null;
  /** The tiers the current Result grants: none once it has expired or the device is revoked. */
  tiers: string[];
  verdicts: Verdict[];
  resultExpiresAt: string | null;
  lastError: DaemonError | null;
  /** Failed deliveries in a row (retries back off exponentially, up to the configured cap). */
  consecutiveFailures: number;
  /** The latest posture report (it never leaves the device except inside signed Evidence). */
  report: PostureReport | null;
  /** Things the employee should know, e.g. that the device key has no OS protection. */
  warnings: string[];
  /** The device certificate in the state directory (mTLS to gateways), or null when there is none. */
  certificate: { expiresAt: string; serial: string; renewAt: string } | null;
}

export interface CurrentResult {
  result: string;
  expiresAt: string;
}

/** local-api.json in the state directory: where the running daemon listens. */
export interface LocalApiDiscovery {
  url: string;
  pid: number;
  startedAt: string;
}

/**
 * What a system daemon (`run --share-status`) publishes for every local user's tray: its address
 * and the shared secret, which opens the status and "check now" but not the Result.
 */
export interface SharedLocalApiDiscovery extends LocalApiDiscovery {
  secret: string;
}

/**
 * POST /v0/session: what a user's session read of the per-user signals (screen lock), for a
 * system daemon that cannot read them itself. `signals` maps a signal name to its value.
 */
export interface SessionHandOver {
  user: string;
  signals: Record<string, unknown>;
}

/** The answer to POST /v0/session: the signals kept. */
export interface SessionHandOverAnswer {
  accepted: string[];
}
