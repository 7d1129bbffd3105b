/**
 * What both Store implementations share: the columns they read, turning rows into records, and the
 * error a caller sees when the database cannot answer.
 */
import type { PublicJwk } from '../../attest/jwk.js';
import type { ComplianceStatus, EarStatus, Verdict } from '../../policy/types.js';
import { AgentError, messageOf } from '../../shared/errors.js';
import type { PostureReport } from '../../collectors/report.js';
import type {
  ApiKeyRecord, ApiKeyRole, AppraisalRecord, AuditAction, AuditEntry, DeviceRecord, EnrollmentTokenRecord, KeySetRecord, NewAppraisal,
} from './store.js';
import type { StoreHealth } from './store.js';

/** How a dialect's driver hands back dates and JSON: PostgreSQL parses them, SQLite returns text. */
export interface ColumnDecoder {
  date(value: unknown): Date;
  json(value: unknown): unknown;
}

export const ENROLLMENT_TOKEN_COLUMNS = 'id, token_hash, uses_left, expires_at, created_at, note';
export const DEVICE_COLUMNS = 'id, kid, jwk, enrolled_at, hostname, platform, last_seen_at, revoked_at, revoked_reason, reset_at';
export const AUDIT_COLUMNS = 'id, at, actor, source, action, device_id, detail';
export const APPRAISAL_COLUMNS = `id, device_id, evidence_jti, policy_id, policy_version, status, ear_status, tiers,
  verdicts, posture, result_jti, result_expires_at, created_at`;
export const API_KEY_COLUMNS = 'id, key_hash, role, name, created_at, revoked_at';

export interface EnrollmentTokenRow {
  id: string;
  token_hash: string;
  uses_left: number;
  expires_at: unknown;
  created_at: unknown;
  note: string | null;
}

export interface DeviceRow {
  id: string;
  kid: string;
  jwk: unknown;
  enrolled_at: unknown;
  hostname: string | null;
  platform: string | null;
  last_seen_at: unknown;
  revoked_at: unknown;
  revoked_reason: string | null;
  reset_at: unknown;
}

export interface AuditRow {
  id: number | bigint | string;
  at: unknown;
  actor: string;
  source: string | null;
  action: AuditAction;
  device_id: string | null;
  detail: unknown;
}

export interface AppraisalRow {
  /** PostgreSQL returns a bigint as a string. */
  id: number | bigint | string;
  device_id: string;
  evidence_jti: string;
  policy_id: string;
  policy_version: number;
  status: ComplianceStatus;
  ear_status: EarStatus;
  tiers: unknown;
  verdicts: unknown;
  posture: unknown;
  result_jti: string;
  result_expires_at: unknown;
  created_at: unknown;
}

export interface ApiKeyRow {
  id: string;
  key_hash: string;
  role: ApiKeyRole;
  name: string;
  created_at: unknown;
  revoked_at: unknown;
}

export interface KeySetRow {
  purpose: string;
  version: number | string;
  envelope: string;
  updated_at: unknown;
}

export function keySetFromRow(row: KeySetRow, decode: ColumnDecoder): KeySetRecord {
  return { purpose: row.purpose, version: safeInteger(row.version), envelope: row.envelope, updatedAt: decode.date(row.updated_at) };
}

export interface FailingSinceRow {
  rule_id: string;
  since: string;
}

export function nullableDate(value: unknown, decode: ColumnDecoder): Date | null {
  return value === null ? null : decode.date(value);
}

export function enrollmentTokenFromRow(row: EnrollmentTokenRow, decode: ColumnDecoder): EnrollmentTokenRecord {
  return {
    id: row.id,
    tokenHash: row.token_hash,
    usesLeft: row.uses_left,
    expiresAt: decode.date(row.expires_at),
    createdAt: decode.date(row.created_at),
    note: row.note,
  };
}

export function deviceFromRow(row: DeviceRow, decode: ColumnDecoder): DeviceRecord {
  return {
    id: row.id,
    kid: row.kid,
    jwk: decode.json(row.jwk) as PublicJwk,
    enrolledAt: decode.date(row.enrolled_at),
    hostname: row.hostname,
    platform: row.platform,
    lastSeenAt: nullableDate(row.last_seen_at, decode),
    revokedAt: nullableDate(row.revoked_at, decode),
    revokedReason: row.revoked_reason,
    resetAt: nullableDate(row.reset_at, decode),
  };
}

export function auditFromRow(row: AuditRow, decode: ColumnDecoder): AuditEntry {
  return {
    id: safeInteger(row.id),
    at: decode.date(row.at),
    actor: row.actor,
    source: row.source,
    action: row.action,
    deviceId: row.device_id,
    detail: row.detail === null ? null : (decode.json(row.detail) as Record<string, string | null>),
  };
}

export function appraisalFromRow(row: AppraisalRow, decode: ColumnDecoder): AppraisalRecord {
  return {
    id: safeInteger(row.id),
    deviceId: row.device_id,
    evidenceJti: row.evidence_jti,
    policyId: row.policy_id,
    policyVersion: row.policy_version,
    status: row.status,
    earStatus: row.ear_status,
    tiers: decode.json(row.tiers) as string[],
    verdicts: decode.json(row.verdicts) as Verdict[],
    posture: decode.json(row.posture) as PostureReport,
    resultJti: row.result_jti,
    resultExpiresAt: decode.date(row.result_expires_at),
    createdAt: decode.date(row.created_at),
  };
}

export function apiKeyFromRow(row: ApiKeyRow, decode: ColumnDecoder): ApiKeyRecord {
  return {
    id: row.id,
    keyHash: row.key_hash,
    role: row.role,
    name: row.name,
    createdAt: decode.date(row.created_at),
    revokedAt: nullableDate(row.revoked_at, decode),
  };
}

export function failingSinceFromRows(rows: readonly FailingSinceRow[]): Record<string, string> {
  return Object.fromEntries(rows.map((row) => [row.rule_id, row.since]));
}

export interface DeviceFacts {
  hostname: string | null;
  platform: string | null;
  serial: string | null;
  osName: string | null;
  osVersion: string | null;
}

/** What an appraisal writes onto the device row: the posture's own words, where it has them. */
export function deviceFactsOf(appraisal: NewAppraisal): DeviceFacts {
  const { device, os } = appraisal.posture;
  return { hostname: device.hostname ?? null, platform: os.platform ?? null, serial: device.serial ?? null, osName: os.name ?? null, osVersion: os.version ?? null };
}

/**
 * What makes an appraisal worth keeping in the history: its policy, outcome, tiers, each rule's
 * status and since when the failing ones fail. An appraisal with the same key as the device's latest changes nothing there.
 */
export function appraisalChangeKey(appraisal: NewAppraisal, failingSince: Record<string, string>): string {
  const verdicts = appraisal.verdicts.map((verdict) => `${verdict.id}:${verdict.status}:${verdict.blocking ? 'b' : ''}`).join(',');
  const failing = Object.entries(failingSince).sort(([a], [b]) => a.localeCompare(b)).map(([ruleId, since]) => `${ruleId}=${since}`).join(',');
  return `${appraisal.policyId}@${appraisal.policyVersion}|${appraisal.status}|${appraisal.earStatus}|${appraisal.tiers.join(',')}|${verdicts}|${failing}`;
}

/** A LIMIT from a caller's count: SQLite reads a negative LIMIT as "no limit", PostgreSQL refuses it. */
export function rowLimit(limit: number): number {
  return Math.max(0, Math.trunc(limit)) || 0;
}

export function safeInteger(value: number | bigint | string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new Error(`The database returned ${String(value)} where an integer id belongs.`);
  return number;
}

export function unknownDevice(deviceId: string): AgentError {
  return new AgentError('ERR_NOT_FOUND', `No device ${deviceId} is enrolled; enrol it before storing its appraisals.`);
}

/** The service answers 503 for this code and keeps serving; `cause` keeps the driver's error. */
export function databaseUnavailable(cause: unknown): AgentError {
  return new AgentError('ERR_DATABASE_UNAVAILABLE', `The database is unavailable: ${messageOf(cause)}`, { cause });
}

/**
 * A Store's memory of its writes: a write the storage refused (full, read-only, I/O error) makes
 * it not writable until a later write changes something. Reads prove nothing either way.
 */
export class WriteHealth {
  #refusedWith: string | null = null;
  #at: Date;
  readonly #clock: () => Date;

  constructor(clock: () => Date = () => new Date()) {
    this.#clock = clock;
    this.#at = clock();
  }

  get writable(): boolean {
    return this.#refusedWith === null;
  }

  refused(code: string): void {
    if (this.#refusedWith === null) this.#at = this.#clock();
    this.#refusedWith = code;
  }

  wrote(): void {
    if (this.#refusedWith === null) return;
    this.#refusedWith = null;
    this.#at = this.#clock();
  }

  report(reachable: boolean): StoreHealth {
    return { reachable, writable: this.writable, ...(this.#refusedWith === null ? {} : { lastWriteError: this.#refusedWith }), at: this.#at };
  }
}
