/**
 * The policy service's storage: one interface, two implementations (SQLite embedded by default,
 * PostgreSQL when one box is not enough), one test suite run against both
 * (test/integration/store.test.ts). Every method is atomic on its own; the ones that must be
 * atomic across processes (spending a nonce, an enrolment token use, recording a jti) are single
 * conditional statements, so two service processes sharing PostgreSQL cannot both succeed.
 */
import type { PublicJwk } from '../../attest/jwk.js';
import type { ComplianceStatus, EarStatus, Verdict } from '../../policy/types.js';
import type { PostureReport } from '../../collectors/report.js';
import type { ConsoleLinkRecord, ConsoleLinkUse, ConsoleSessionRecord, EnrollmentTokenState, OidcFlowRecord } from './console-records.js';
import type { ClaimedDelivery, DeliveryAttemptQuery, DeliveryAttemptRecord, DeliveryResult, EventRouter, StateEvent } from './event-records.js';

export type Dialect = 'sqlite' | 'postgres';
export type ApiKeyRole = 'admin' | 'gateway';

export interface EnrollmentTokenRecord {
  id: string;
  /** SHA-256 of the token (base64url); the token itself is never stored. */
  tokenHash: string;
  usesLeft: number;
  expiresAt: Date;
  createdAt: Date;
  note: string | null;
}

export interface NewDevice {
  id: string;
  kid: string;
  jwk: PublicJwk;
  enrolledAt: Date;
  hostname: string | null;
  platform: string | null;
}

export interface DeviceRecord extends NewDevice {
  lastSeenAt: Date | null;
  revokedAt: Date | null;
  revokedReason: string | null;
  /** Set by an administrator's reset: the next enrolment with a token may replace the key, once. */
  resetAt: Date | null;
}

/** When a known device's key may be replaced: it still has `currentKid` (rotation), or an administrator reset it. */
export type KeyReplacement = { currentKid: string } | { afterReset: true };

export type AuditAction = 'device.revoke' | 'device.restore' | 'device.reset' | 'device.rekey-after-reset'
  // Console sign-in, enrolment tokens and API keys
  | 'console.sign-in' | 'console.sign-in-refused' | 'console.sign-out' | 'console.link-create'
  | 'enrollment-token.create' | 'enrollment-token.revoke' | 'api-key.create' | 'api-key.revoke'
  // Console data
  | 'device.owner';

export interface NewAuditEntry {
  at: Date;
  /** Who: `cli:<os user>`, `apikey:<id>`, `console:<email or subject>` or `device:<id>`. */
  actor: string;
  /** From where: the client address for the HTTP API, null for the command line. */
  source: string | null;
  action: AuditAction;
  deviceId: string | null;
  detail: Record<string, string | null> | null;
}

export interface AuditEntry extends NewAuditEntry {
  id: number;
}

export interface NewAppraisal {
  deviceId: string;
  evidenceJti: string;
  policyId: string;
  policyVersion: number;
  status: ComplianceStatus;
  earStatus: EarStatus;
  tiers: string[];
  verdicts: Verdict[];
  posture: PostureReport;
  resultJti: string;
  resultExpiresAt: Date;
  createdAt: Date;
}

export interface AppraisalRecord extends NewAppraisal {
  id: number;
}

/**
 * What an attestation spends when its appraisal is stored, in the same transaction: the device
 * must still have this key and not be revoked, the nonce must be unspent, the Evidence jti new.
 */
export interface AppraisalSpend {
  kid: string;
  nonce: string;
  now: Date;
  jti: string;
  jtiExpiresAt: Date;
}

export type AppraisalCommit =
  /** Stored; `seq` orders it among every device's appraisals; `changed`: it also went into the history. */
  | { outcome: 'saved'; seq: number; changed: boolean }
  /** Nothing stored: the device is not enrolled, has another key now, is revoked, or the nonce or jti was spent. */
  | { outcome: 'unknown-device' | 'key-replaced' | 'revoked' | 'nonce' | 'replay' };

/** A device's state as the fleet list shows it. */
export type DeviceState = 'compliant' | 'warning' | 'noncompliant' | 'stale' | 'revoked' | 'unappraised';
export const DEVICE_STATES: readonly DeviceState[] = ['compliant', 'warning', 'noncompliant', 'stale', 'revoked', 'unappraised'];
export type DeviceSort = 'id' | 'hostname' | 'lastSeen';

export interface DeviceListQuery {
  /** 1 to 1,000 rows. */
  limit: number;
  sort: DeviceSort;
  /** Where the previous page stopped (opaque to callers: from `nextCursor`). */
  after?: { key: string; id: string };
  states?: readonly DeviceState[];
  platform?: string;
  /** Devices whose latest appraisal fails this rule id. */
  failing?: string;
  /** Last contact (appraisal, else enrolment) before / at or after this time. */
  seenBefore?: Date;
  seenSince?: Date;
  /** A prefix of the device id, hostname, serial number or owner (case-insensitive for the hostname and owner). */
  search?: string;
  /** An appraisal older than this is `stale`. */
  staleBefore: Date;
  /** Only the device with this id (its list row). */
  id?: string;
}

export interface DeviceListRow {
  id: string;
  hostname: string | null;
  serial: string | null;
  /** Who the device belongs to (set by an administrator), or null. */
  owner: string | null;
  platform: string | null;
  osName: string | null;
  osVersion: string | null;
  enrolledAt: Date;
  lastSeenAt: Date | null;
  revokedAt: Date | null;
  state: DeviceState;
  latest: { status: ComplianceStatus; earStatus: EarStatus; policy: string; at: Date } | null;
  /** Rule ids the latest appraisal found failing. */
  failing: string[];
}

export interface DeviceListPage {
  rows: DeviceListRow[];
  /** Pass as `after` for the next page; null on the last. */
  next: { key: string; id: string } | null;
}

/** A set of private keys (the Result-signing keys, the device CA), encrypted by the service (never readable in the database alone). */
export interface KeySetRecord {
  purpose: string;
  /** Grows by one with every change; a change names the version it replaces. */
  version: number;
  envelope: string;
  updatedAt: Date;
}

export interface ApiKeyRecord {
  id: string;
  /** SHA-256 of the key (base64url). */
  keyHash: string;
  role: ApiKeyRole;
  name: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** A device as forward-auth sees it: revoked or not, and its latest appraisal (null before the first). */
export interface DeviceStatusRecord {
  deviceId: string;
  revoked: boolean;
  latest: {
    id: number;
    createdAt: Date;
    earStatus: EarStatus;
    tiers: string[];
    verdicts: Verdict[];
    resultJti: string;
  } | null;
}

/** Told of device changes made by any process sharing the database (PostgreSQL LISTEN). */
export interface DeviceChangeListener {
  /** This device was appraised (`seq`: that appraisal's), revoked or restored. */
  changed(deviceId: string, seq?: number): void;
  /** Notifications may have been missed (the listening connection was lost and is back): read everything again. */
  resync(): void;
  /** The listening connection failed; it reconnects by itself. */
  error(error: unknown): void;
}

export interface DeviceChangeWatch {
  close(): Promise<void>;
}

/** A TLS client certificate the device CA issued (its serial, for the device's record). */
export interface DeviceCertificateRecord {
  /** Lowercase hex. */
  serial: string;
  deviceId: string;
  /** RFC 7638 thumbprint of the certified TLS key. */
  tlsJkt: string;
  notBefore: Date;
  notAfter: Date;
  issuedAt: Date;
}

export interface StoreHealth {
  /** A trivial query succeeded just now. */
  reachable: boolean;
  /** False from a write the storage refused (disk full, read-only, I/O error) until a later write changes something. */
  writable: boolean;
  /** The driver's code for that refused write (SQLITE_FULL, SQLITE_READONLY, 25006...), while not writable. */
  lastWriteError?: string;
  /** When `writable` last changed (or the store opened). */
  at: Date;
}

export interface Store {
  readonly dialect: Dialect;
  /** Applies pending migrations in order; returns the schema version now in place. */
  migrate(): Promise<number>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  /** Whether the database answers now, and whether its storage still takes writes (never throws). */
  health(): Promise<StoreHealth>;
  close(): Promise<void>;

  createEnrollmentToken(record: EnrollmentTokenRecord): Promise<void>;
  /** Spends one use of a token that exists, has uses left and has not expired; false otherwise. */
  consumeEnrollmentToken(tokenHash: string, now: Date): Promise<boolean>;
  listEnrollmentTokens(): Promise<EnrollmentTokenRecord[]>;

  createNonce(nonce: string, deviceId: string, expiresAt: Date): Promise<void>;
  /** True exactly once for a nonce issued to this device that has not expired. */
  consumeNonce(nonce: string, deviceId: string, now: Date): Promise<boolean>;
  /** Remembers a device's jti until `expiresAt`; false when it was already remembered. */
  recordJti(deviceId: string, jti: string, expiresAt: Date): Promise<boolean>;
  /** Forgets expired nonces and jtis. */
  deleteExpired(now: Date): Promise<void>;

  getDevice(id: string): Promise<DeviceRecord | null>;
  /** Enrols a new device; false (and nothing changed) when the id is already known: its key is never replaced here. */
  insertDevice(device: NewDevice): Promise<boolean>;
  /**
   * Replaces a known device's key in one conditional statement, only while `condition` holds (the
   * device still has that key, or an administrator reset it); clears the reset. Keeps history,
   * revocation and last-seen time. False when the condition did not hold.
   */
  replaceDeviceKey(device: NewDevice, condition: KeyReplacement): Promise<boolean>;
  /** Marks a device revoked (idempotent); false when there is no such device. */
  revokeDevice(id: string, now: Date, reason: string | null): Promise<boolean>;
  /** Undoes a revocation (idempotent); false when there is no such device. */
  restoreDevice(id: string, now?: Date): Promise<boolean>;
  /** Lets the next token enrolment of this device replace its key (idempotent); false when there is no such device. */
  resetDevice(id: string, now: Date): Promise<boolean>;
  listRevokedDeviceIds(): Promise<string[]>;
  /** Every device with its latest appraisal; with `appraisedAfterId`, only devices with an appraisal of a higher id. */
  listDeviceStatus(options?: { appraisedAfterId?: number }): Promise<DeviceStatusRecord[]>;
  getDeviceStatus(deviceId: string): Promise<DeviceStatusRecord | null>;
  /**
   * Follows appraisals, revocations and restorations made by every process (PostgreSQL: LISTEN on
   * `posture_device_changed`, which those writes NOTIFY in their transaction); null when the store
   * has no such channel (SQLite: the caller polls).
   */
  watchDeviceChanges(listener: DeviceChangeListener): DeviceChangeWatch | null;

  /** Records an issued device certificate (the device must be enrolled). */
  recordCertificate(record: DeviceCertificateRecord): Promise<void>;
  /** A device's certificates, newest first. */
  listCertificates(deviceId: string, limit: number): Promise<DeviceCertificateRecord[]>;

  appendAudit(entry: NewAuditEntry): Promise<void>;
  /** Newest first; one device's entries when `deviceId` is given. */
  listAudit(options: { deviceId?: string; limit: number }): Promise<AuditEntry[]>;

  /** Rule id -> when it started failing, for this device under this policy id. */
  getFailingSince(deviceId: string, policyId: string): Promise<Record<string, string>>;
  /**
   * In one transaction (one round trip on PostgreSQL): with `spend`, checks the device's key and
   * revocation and spends the nonce and jti; then makes the appraisal the device's latest, adds it
   * to the history and replaces the failing-since memory only when it differs from the latest
   * (policy, outcome, tiers, rule statuses), and sets last-seen time and the posture's facts.
   */
  commitAppraisal(appraisal: NewAppraisal, failingSince: Record<string, string>, spend?: AppraisalSpend): Promise<AppraisalCommit>;
  /** commitAppraisal without a spend; returns the appraisal's seq (ERR_NOT_FOUND for an unknown device). */
  saveAppraisal(appraisal: NewAppraisal, failingSince: Record<string, string>): Promise<number>;
  /** The device's newest appraisal (its id is the seq). */
  latestAppraisal(deviceId: string): Promise<AppraisalRecord | null>;
  /** The history: appraisals that changed something, newest first. */
  listAppraisals(deviceId: string, limit: number): Promise<AppraisalRecord[]>;
  /** Deletes at most `batch` history rows (and expired certificate records) older than `before`; returns how many. */
  pruneHistory(before: Date, batch: number): Promise<number>;
  /** One page of the fleet, in one query. */
  listDevicePage(query: DeviceListQuery): Promise<DeviceListPage>;

  getKeySet(purpose: string): Promise<KeySetRecord | null>;
  /** Writes a key set if it is still at `expectedVersion` (null: only if there is none); false when another process changed it first. */
  putKeySet(purpose: string, envelope: string, expectedVersion: number | null, now: Date): Promise<boolean>;
  /** purpose -> version, cheap enough to poll. */
  keySetVersions(): Promise<Record<string, number>>;

  createApiKey(record: ApiKeyRecord): Promise<void>;
  /** The key with this hash, if it exists and is not revoked. */
  findApiKey(keyHash: string): Promise<ApiKeyRecord | null>;

  // Console sign-in
  createConsoleSession(record: ConsoleSessionRecord): Promise<void>;
  /** The session with this id hash, unless it has expired (at `now`) or was last used at or before `idleSince`. */
  findConsoleSession(idHash: string, now: Date, idleSince: Date): Promise<ConsoleSessionRecord | null>;
  touchConsoleSession(idHash: string, at: Date): Promise<void>;
  /** Ends a session; false when there was none. */
  deleteConsoleSession(idHash: string): Promise<boolean>;
  /** Forgets expired or idle sessions and OpenID Connect sign-ins that were never finished. */
  deleteExpiredConsoleSignIns(now: Date, idleSince: Date): Promise<void>;
  createConsoleLink(record: ConsoleLinkRecord): Promise<void>;
  /** Spends a one-time link in one conditional statement: only one caller, in any process, gets `used-now`. */
  useConsoleLink(tokenHash: string, now: Date): Promise<ConsoleLinkUse>;
  createOidcFlow(record: OidcFlowRecord): Promise<void>;
  /** Deletes and returns the sign-in in progress, once, unless it expired. */
  takeOidcFlow(idHash: string, now: Date): Promise<OidcFlowRecord | null>;
  /** Every enrolment token with its revocation, newest first. */
  listEnrollmentTokenStates(): Promise<EnrollmentTokenState[]>;
  /** Revokes a token (no uses left; idempotent); false when there is no such token. */
  revokeEnrollmentToken(id: string, now: Date): Promise<boolean>;
  /** Every API key, revoked ones too, newest first. */
  listApiKeys(): Promise<ApiKeyRecord[]>;
  /** Revokes an API key (idempotent); false when there is no such key. */
  revokeApiKey(id: string, now: Date): Promise<boolean>;

  // Console data
  /** Devices per state and how many have not been in touch since `staleBefore` (not revoked), in one aggregate query. */
  countDevicesByState(staleBefore: Date): Promise<FleetCounts>;
  /** Rules of this policy id that devices' latest appraisals fail (not revoked), with how many devices fail each, most first. */
  rankFailingRules(options: { policyId: string; limit: number }): Promise<FailingRuleCount[]>;
  /** Writes one day's counts, replacing what an earlier run (of any instance) wrote for that day. */
  putFleetDay(day: FleetDay, now: Date): Promise<void>;
  /** Days from `since` (YYYY-MM-DD) on, oldest first. */
  listFleetDays(since: string): Promise<FleetDay[]>;
  /** Sets (or with null clears) who a device belongs to; false when there is no such device. */
  setDeviceOwner(id: string, owner: string | null): Promise<boolean>;
  getDeviceOwner(id: string): Promise<string | null>;
  /** One device's history (appraisals that changed something), newest first, without posture documents; older than `beforeSeq` if given. */
  listDeviceHistory(deviceId: string, options: { limit: number; beforeSeq?: number }): Promise<DeviceHistoryEntry[]>;

  // Events
  /**
   * Publishes `stale` (an outbox event each) for at most `batch` devices whose latest appraisal is
   * older than `staleBefore`; rows another process is publishing are skipped. Returns how many.
   */
  publishStaleDevices(staleBefore: Date, now: Date, batch: number): Promise<number>;
  /** Adds the deliveries of at most `batch` new events (to the destinations `router` names); returns how many events. */
  routeEvents(router: EventRouter, now: Date, batch: number): Promise<number>;
  /** Leases due deliveries to these destinations until `leaseUntil`; no other process gets them meanwhile. */
  claimDeliveries(destinations: readonly string[], owner: string, now: Date, leaseUntil: Date, batch: number): Promise<ClaimedDelivery[]>;
  /** Records an attempt of a leased delivery; false (nothing recorded) when the lease is no longer `leaseOwner`'s. */
  finishDelivery(result: DeliveryResult): Promise<boolean>;
  /** The delivery log, newest first. */
  listDeliveryAttempts(query: DeliveryAttemptQuery): Promise<DeliveryAttemptRecord[]>;
  /** Published state changes, newest first. */
  listStateEvents(options: { deviceId?: string; limit: number }): Promise<StateEvent[]>;
  /** Deletes at most `batch` events (with their deliveries) that happened before `before`; returns how many. */
  pruneEvents(before: Date, batch: number): Promise<number>;
}

// Console data
export interface FleetCounts {
  states: Record<DeviceState, number>;
  /** Not revoked, and no contact (appraisal, else enrolment) since the staleness limit. */
  notSeen: number;
}

export interface FailingRuleCount {
  ruleId: string;
  devices: number;
}

export interface FleetDay {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  counts: Record<DeviceState, number>;
}

export interface DeviceHistoryEntry {
  seq: number;
  at: Date;
  status: ComplianceStatus;
  policy: string;
  tiers: string[];
  /** Rule ids that did not pass (failing or unknown). */
  failing: string[];
}
