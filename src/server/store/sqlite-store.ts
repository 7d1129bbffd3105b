/**
 * The embedded Store: one SQLite file in WAL mode, shared safely by several processes (writers
 * queue behind `busy_timeout`). better-sqlite3 is synchronous; every method runs its statement at
 * once and hands back a settled promise.
 */
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateDir } from '../../shared/atomic-write.js';
import { AgentError } from '../../shared/errors.js';
import { dataDirError } from '../data-dir.js';
import { runMigrations, type Migration, type MigrationDriver } from './migrations/migration.js';
import { SQLITE_MIGRATIONS, SQLITE_MIGRATIONS_TABLE } from './migrations/sqlite.js';
import { WriteHealth, appraisalChangeKey, keySetFromRow, type DeviceFacts, type KeySetRow } from './store-helpers.js';
import { deviceListPage, deviceListSql, type DeviceListRowData, type ListDialect } from './device-list-query.js';
import {
  deviceHistoryFromRow, deviceHistorySql, failingRuleFromRow, failingRulesSql, fleetCountsFromRow, fleetCountsSql, fleetDayFromRow, listFleetDaysSql, putFleetDaySql,
  type DeviceHistoryRow, type FailingRuleRow, type FleetCountsRow, type FleetDayRow,
} from './console-data-sql.js';
import type { DeviceHistoryEntry, FailingRuleCount, FleetCounts, FleetDay } from './store.js';
import { CERTIFICATE_COLUMNS, certificateFromRow, type CertificateRow } from './certificate-rows.js';
import { DEVICE_STATUS_SELECT, deviceStatusFromRow, type DeviceStatusRow } from './device-status-rows.js';
import type { StoreHealth } from './store.js';
import type { ConsoleLinkRecord, ConsoleLinkUse, ConsoleSessionRecord, EnrollmentTokenState, OidcFlowRecord } from './console-records.js';
import { consoleSqlite } from './console-sqlite.js';
import { eventsSqlite } from './events-sqlite.js';
import type { ClaimedDelivery, DeliveryAttemptQuery, DeliveryAttemptRecord, DeliveryResult, EventRouter, StateEvent } from './event-records.js';
import {
  API_KEY_COLUMNS, APPRAISAL_COLUMNS, AUDIT_COLUMNS, DEVICE_COLUMNS, auditFromRow, type AuditRow, ENROLLMENT_TOKEN_COLUMNS, apiKeyFromRow, appraisalFromRow,
  databaseUnavailable, deviceFactsOf, deviceFromRow, enrollmentTokenFromRow, failingSinceFromRows, rowLimit,
  unknownDevice, type ApiKeyRow, type AppraisalRow, type ColumnDecoder, type DeviceRow, type EnrollmentTokenRow,
  type FailingSinceRow,
} from './store-helpers.js';
import type {
  ApiKeyRecord, AppraisalCommit, AppraisalRecord, AppraisalSpend, AuditEntry, DeviceCertificateRecord, DeviceListPage, DeviceListQuery, KeySetRecord, DeviceRecord, DeviceStatusRecord, EnrollmentTokenRecord, KeyReplacement, NewAppraisal, NewAuditEntry,
  NewDevice, Store,
} from './store.js';

export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

export interface SqliteStoreOptions {
  /** How long a write waits for another connection's write lock before failing (SQLITE_BUSY). */
  busyTimeoutMs?: number;
  /** Refuse to create the file (read-only commands): ERR_DATABASE_MISSING when it does not exist. */
  mustExist?: boolean;
}

/** Errors that mean "the database cannot answer now", not "this request is wrong". */
const UNAVAILABLE_CODE_PREFIXES = [
  'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_READONLY',
  'SQLITE_PROTOCOL', 'SQLITE_NOLFS', 'SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_PERM',
];

/** The storage refused a write (full, read-only, failing): the store is not writable until a write succeeds. */
const REFUSED_WRITE_CODE_PREFIXES = ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR'];

function storeError(error: unknown): Error {
  if (error instanceof Database.SqliteError && UNAVAILABLE_CODE_PREFIXES.some((prefix) => error.code.startsWith(prefix))) {
    return databaseUnavailable(error);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function refusedWriteCode(error: unknown): string | undefined {
  if (!(error instanceof Database.SqliteError)) return undefined;
  return REFUSED_WRITE_CODE_PREFIXES.some((prefix) => error.code.startsWith(prefix)) ? error.code : undefined;
}

const sqliteColumns: ColumnDecoder = {
  date(value) {
    if (typeof value !== 'string') throw new TypeError(`Expected an ISO-8601 date in SQLite, got ${typeof value}.`);
    return new Date(value);
  },
  json(value) {
    if (typeof value !== 'string') throw new TypeError(`Expected JSON text in SQLite, got ${typeof value}.`);
    return JSON.parse(value) as unknown;
  },
};

function iso(date: Date): string {
  return date.toISOString();
}

function isoOrNull(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

function deviceParameters(device: NewDevice) {
  return {
    id: device.id, kid: device.kid, jwk: JSON.stringify(device.jwk), enrolledAt: iso(device.enrolledAt),
    hostname: device.hostname, platform: device.platform,
  };
}

/** Every statement the Store runs, prepared once per connection (after the schema exists). */
function prepareStatements(db: Database.Database) {
  return {
    ping: db.prepare('SELECT 1'),

    insertEnrollmentToken: db.prepare<{ id: string; tokenHash: string; usesLeft: number; expiresAt: string; createdAt: string; note: string | null }>(`
      INSERT INTO enrollment_tokens (id, token_hash, uses_left, expires_at, created_at, note)
      VALUES (@id, @tokenHash, @usesLeft, @expiresAt, @createdAt, @note)`),
    spendEnrollmentToken: db.prepare<{ tokenHash: string; now: string }>(`
      UPDATE enrollment_tokens SET uses_left = uses_left - 1
      WHERE token_hash = @tokenHash AND uses_left > 0 AND expires_at > @now`),
    listEnrollmentTokens: db.prepare<[], EnrollmentTokenRow>(`
      SELECT ${ENROLLMENT_TOKEN_COLUMNS} FROM enrollment_tokens ORDER BY created_at, id`),

    insertNonce: db.prepare<{ nonce: string; deviceId: string; expiresAt: string }>(`
      INSERT INTO nonces (nonce, device_id, expires_at) VALUES (@nonce, @deviceId, @expiresAt)`),
    spendNonce: db.prepare<{ nonce: string; deviceId: string; now: string }>(`
      UPDATE nonces SET used_at = @now
      WHERE nonce = @nonce AND device_id = @deviceId AND used_at IS NULL AND expires_at > @now`),
    insertJti: db.prepare<{ deviceId: string; jti: string; expiresAt: string }>(`
      INSERT INTO seen_jtis (device_id, jti, expires_at) VALUES (@deviceId, @jti, @expiresAt)
      ON CONFLICT (device_id, jti) DO NOTHING`),
    deleteExpiredNonces: db.prepare<[string]>('DELETE FROM nonces WHERE expires_at <= ?'),
    deleteExpiredJtis: db.prepare<[string]>('DELETE FROM seen_jtis WHERE expires_at <= ?'),

    getDevice: db.prepare<[string], DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = ?`),
    insertDevice: db.prepare<{ id: string; kid: string; jwk: string; enrolledAt: string; hostname: string | null; platform: string | null }>(`
      INSERT INTO devices (id, kid, jwk, enrolled_at, hostname, platform)
      VALUES (@id, @kid, @jwk, @enrolledAt, @hostname, @platform)
      ON CONFLICT (id) DO NOTHING`),
    replaceDeviceKey: db.prepare<{
      id: string; kid: string; jwk: string; enrolledAt: string; hostname: string | null; platform: string | null;
      currentKid: string | null; afterReset: number;
    }>(`
      UPDATE devices SET
        kid = @kid,
        jwk = @jwk,
        enrolled_at = @enrolledAt,
        hostname = coalesce(@hostname, hostname),
        platform = coalesce(@platform, platform),
        reset_at = NULL
      WHERE id = @id AND ((@afterReset = 1 AND reset_at IS NOT NULL) OR (@afterReset = 0 AND kid = @currentKid))`),
    revokeDevice: db.prepare<{ id: string; now: string; reason: string | null }>(`
      UPDATE devices SET
        revoked_reason = CASE WHEN revoked_at IS NULL THEN @reason ELSE revoked_reason END,
        revoked_at = coalesce(revoked_at, @now)
      WHERE id = @id`),
    restoreDevice: db.prepare<[string]>('UPDATE devices SET revoked_at = NULL, revoked_reason = NULL WHERE id = ?'),
    resetDevice: db.prepare<{ id: string; now: string }>('UPDATE devices SET reset_at = coalesce(reset_at, @now) WHERE id = @id'),
    listRevokedDeviceIds: db.prepare<[], { id: string }>('SELECT id FROM devices WHERE revoked_at IS NOT NULL ORDER BY id'),
    listDeviceStatus: db.prepare<[], DeviceStatusRow>(DEVICE_STATUS_SELECT),
    listDeviceStatusAppraisedAfter: db.prepare<[number], DeviceStatusRow>(`${DEVICE_STATUS_SELECT}
      WHERE l.seq > ?`),
    getDeviceStatus: db.prepare<[string], DeviceStatusRow>(`${DEVICE_STATUS_SELECT} WHERE d.id = ?`),
    touchDevice: db.prepare<{ id: string; lastSeenAt: string } & DeviceFacts>(`
      UPDATE devices SET
        last_seen_at = @lastSeenAt,
        hostname = coalesce(@hostname, hostname),
        platform = coalesce(@platform, platform),
        serial = coalesce(@serial, serial),
        os_name = coalesce(@osName, os_name),
        os_version = coalesce(@osVersion, os_version)
      WHERE id = @id`),
    deviceKey: db.prepare<[string], { kid: string; revoked_at: string | null }>('SELECT kid, revoked_at FROM devices WHERE id = ?'),
    latestChangeKey: db.prepare<[string], string>('SELECT change_key FROM latest_appraisals WHERE device_id = ?').pluck(),
    nextSeq: db.prepare<[], number>('SELECT coalesce(max(seq), 0) + 1 FROM latest_appraisals').pluck(),
    upsertLatest: db.prepare<LatestParameters>(`
      INSERT INTO latest_appraisals (device_id, seq, created_at, status, ear_status, policy_id, policy_version, change_key,
        evidence_jti, result_jti, result_expires_at, tiers, verdicts, posture)
      VALUES (@deviceId, @seq, @createdAt, @status, @earStatus, @policyId, @policyVersion, @changeKey,
        @evidenceJti, @resultJti, @resultExpiresAt, @tiers, @verdicts, @posture)
      ON CONFLICT (device_id) DO UPDATE SET seq = excluded.seq, created_at = excluded.created_at, status = excluded.status,
        ear_status = excluded.ear_status, policy_id = excluded.policy_id, policy_version = excluded.policy_version,
        change_key = excluded.change_key, evidence_jti = excluded.evidence_jti, result_jti = excluded.result_jti,
        result_expires_at = excluded.result_expires_at, tiers = excluded.tiers, verdicts = excluded.verdicts, posture = excluded.posture`),
    latestAppraisal: db.prepare<[string], AppraisalRow>(`
      SELECT seq AS id, device_id, evidence_jti, policy_id, policy_version, status, ear_status, tiers, verdicts, posture,
        result_jti, result_expires_at, created_at
      FROM latest_appraisals WHERE device_id = ?`),
    pruneAppraisals: db.prepare<[string, number]>(`
      DELETE FROM appraisals WHERE id IN (SELECT id FROM appraisals WHERE created_at < ? ORDER BY created_at, id LIMIT ?)`),
    pruneCertificates: db.prepare<[string, number]>(`
      DELETE FROM device_certificates WHERE serial IN (SELECT serial FROM device_certificates WHERE not_after < ? LIMIT ?)`),

    getKeySet: db.prepare<[string], KeySetRow>('SELECT purpose, version, envelope, updated_at FROM key_sets WHERE purpose = ?'),
    insertKeySet: db.prepare<[string, string, string]>(`
      INSERT INTO key_sets (purpose, version, envelope, updated_at) VALUES (?, 1, ?, ?) ON CONFLICT (purpose) DO NOTHING`),
    updateKeySet: db.prepare<[string, string, string, number]>(`
      UPDATE key_sets SET version = version + 1, envelope = ?, updated_at = ? WHERE purpose = ? AND version = ?`),
    keySetVersions: db.prepare<[], { purpose: string; version: number }>('SELECT purpose, version FROM key_sets'),

    getFailingSince: db.prepare<[string, string], FailingSinceRow>(`
      SELECT rule_id, since FROM failing_since WHERE device_id = ? AND policy_id = ?`),
    deleteFailingSince: db.prepare<[string, string]>('DELETE FROM failing_since WHERE device_id = ? AND policy_id = ?'),
    insertFailingSince: db.prepare<[string, string, string, string]>(`
      INSERT INTO failing_since (device_id, policy_id, rule_id, since) VALUES (?, ?, ?, ?)`),

    insertAppraisal: db.prepare<{
      deviceId: string; evidenceJti: string; policyId: string; policyVersion: number; status: string; earStatus: string;
      tiers: string; verdicts: string; posture: string; resultJti: string; resultExpiresAt: string; createdAt: string;
    }>(`
      INSERT INTO appraisals (device_id, evidence_jti, policy_id, policy_version, status, ear_status, tiers,
        verdicts, posture, result_jti, result_expires_at, created_at)
      VALUES (@deviceId, @evidenceJti, @policyId, @policyVersion, @status, @earStatus, @tiers,
        @verdicts, @posture, @resultJti, @resultExpiresAt, @createdAt)`),
    listAppraisals: db.prepare<[string, number], AppraisalRow>(`
      SELECT ${APPRAISAL_COLUMNS} FROM appraisals WHERE device_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`),

    insertApiKey: db.prepare<{ id: string; keyHash: string; role: string; name: string; createdAt: string; revokedAt: string | null }>(`
      INSERT INTO api_keys (id, key_hash, role, name, created_at, revoked_at)
      VALUES (@id, @keyHash, @role, @name, @createdAt, @revokedAt)`),
    findApiKey: db.prepare<[string], ApiKeyRow>(`
      SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL`),

    insertAudit: db.prepare<{ at: string; actor: string; source: string | null; action: string; deviceId: string | null; detail: string | null }>(`
      INSERT INTO audit_log (at, actor, source, action, device_id, detail)
      VALUES (@at, @actor, @source, @action, @deviceId, @detail)`),
    insertCertificate: db.prepare<{ serial: string; deviceId: string; tlsJkt: string; notBefore: string; notAfter: string; issuedAt: string }>(`
      INSERT INTO device_certificates (serial, device_id, tls_jkt, not_before, not_after, issued_at)
      SELECT @serial, id, @tlsJkt, @notBefore, @notAfter, @issuedAt FROM devices WHERE id = @deviceId`),
    listCertificates: db.prepare<[string, number], CertificateRow>(`
      SELECT ${CERTIFICATE_COLUMNS} FROM device_certificates WHERE device_id = ? ORDER BY issued_at DESC, not_after DESC, serial LIMIT ?`),

    listAudit: db.prepare<[number], AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_log ORDER BY id DESC LIMIT ?`),
    listDeviceAudit: db.prepare<[string, number], AuditRow>(`
      SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE device_id = ? ORDER BY id DESC LIMIT ?`),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

interface LatestParameters {
  deviceId: string; seq: number; createdAt: string; status: string; earStatus: string; policyId: string; policyVersion: number;
  changeKey: string; evidenceJti: string; resultJti: string; resultExpiresAt: string; tiers: string; verdicts: string; posture: string;
}

const sqliteListDialect: ListDialect = {
  placeholder: (index) => `@p${index}`,
  date: (value) => value.toISOString(),
  joinWithSpaces: (column) => `group_concat(${column}, ' ')`,
  likeInsensitive: 'LIKE',
  decode: sqliteColumns,
};

/** Synchronous work as a settled promise, with the driver's errors translated. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(storeError(error));
  }
}

/** Opens (creating if needed, in a 0700 directory) the SQLite file at `path`. */
export async function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
  if (options.mustExist === true) {
    if (!(await stat(path).then((info) => info.isFile(), () => false))) {
      throw new AgentError('ERR_DATABASE_MISSING', `There is no database at ${path}: give the running service's --data-dir (POSTURE_SERVICE_DATA_DIR) or --database.`);
    }
  } else {
    try {
      await ensurePrivateDir(dirname(path));
    } catch (error) {
      throw dataDirError(dirname(path), error);
    }
  }
  return settle(() => {
    const db = new Database(path, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
    try {
      return new SqliteStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  });
}

export class SqliteStore implements Store {
  readonly dialect = 'sqlite';
  private prepared: Statements | undefined;
  private readonly writes = new WriteHealth();

  /** Takes an open connection; its busy timeout is the one it was opened with. */
  constructor(private readonly db: Database.Database) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // A larger page cache and memory-mapped reads: the fleet's hot rows stay in memory.
    db.pragma('cache_size = -65536');
    db.pragma('mmap_size = 268435456');
    db.pragma('temp_store = MEMORY');
  }

  migrate(): Promise<number> {
    return runMigrations(this.migrationDriver(), SQLITE_MIGRATIONS);
  }

  ping(): Promise<void> {
    return this.run((statements) => {
      statements.ping.get();
    });
  }

  async health(): Promise<StoreHealth> {
    const reachable = await this.ping().then(() => true, () => false);
    return this.writes.report(reachable);
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }

  createEnrollmentToken(record: EnrollmentTokenRecord): Promise<void> {
    return this.run((statements) => {
      statements.insertEnrollmentToken.run({
        ...record, expiresAt: iso(record.expiresAt), createdAt: iso(record.createdAt),
      });
    });
  }

  consumeEnrollmentToken(tokenHash: string, now: Date): Promise<boolean> {
    return this.run((statements) => statements.spendEnrollmentToken.run({ tokenHash, now: iso(now) }).changes === 1);
  }

  listEnrollmentTokens(): Promise<EnrollmentTokenRecord[]> {
    return this.run((statements) => statements.listEnrollmentTokens.all().map((row) => enrollmentTokenFromRow(row, sqliteColumns)));
  }

  createNonce(nonce: string, deviceId: string, expiresAt: Date): Promise<void> {
    return this.run((statements) => {
      statements.insertNonce.run({ nonce, deviceId, expiresAt: iso(expiresAt) });
    });
  }

  consumeNonce(nonce: string, deviceId: string, now: Date): Promise<boolean> {
    return this.run((statements) => statements.spendNonce.run({ nonce, deviceId, now: iso(now) }).changes === 1);
  }

  recordJti(deviceId: string, jti: string, expiresAt: Date): Promise<boolean> {
    return this.run((statements) => statements.insertJti.run({ deviceId, jti, expiresAt: iso(expiresAt) }).changes === 1);
  }

  deleteExpired(now: Date): Promise<void> {
    return this.run((statements) => {
      this.db.transaction(() => {
        statements.deleteExpiredNonces.run(iso(now));
        statements.deleteExpiredJtis.run(iso(now));
      }).immediate();
    });
  }

  getDevice(id: string): Promise<DeviceRecord | null> {
    return this.run((statements) => {
      const row = statements.getDevice.get(id);
      return row === undefined ? null : deviceFromRow(row, sqliteColumns);
    });
  }

  insertDevice(device: NewDevice): Promise<boolean> {
    return this.run((statements) => statements.insertDevice.run(deviceParameters(device)).changes === 1);
  }

  replaceDeviceKey(device: NewDevice, condition: KeyReplacement): Promise<boolean> {
    const guard = 'currentKid' in condition ? { currentKid: condition.currentKid, afterReset: 0 } : { currentKid: null, afterReset: 1 };
    return this.run((statements) => statements.replaceDeviceKey.run({ ...deviceParameters(device), ...guard }).changes === 1);
  }

  revokeDevice(id: string, now: Date, reason: string | null): Promise<boolean> {
    return this.run((statements) => this.db.transaction(() => {
      const revoked = statements.revokeDevice.run({ id, now: iso(now), reason }).changes === 1;
      if (revoked) this.events().publishState(id, now);
      return revoked;
    }).immediate());
  }

  restoreDevice(id: string, now: Date = new Date()): Promise<boolean> {
    return this.run((statements) => this.db.transaction(() => {
      const restored = statements.restoreDevice.run(id).changes === 1;
      if (restored) this.events().publishState(id, now);
      return restored;
    }).immediate());
  }

  resetDevice(id: string, now: Date): Promise<boolean> {
    return this.run((statements) => statements.resetDevice.run({ id, now: iso(now) }).changes === 1);
  }

  listRevokedDeviceIds(): Promise<string[]> {
    return this.run((statements) => statements.listRevokedDeviceIds.all().map((row) => row.id));
  }

  listDeviceStatus(options: { appraisedAfterId?: number } = {}): Promise<DeviceStatusRecord[]> {
    return this.run((statements) => {
      const rows = options.appraisedAfterId === undefined
        ? statements.listDeviceStatus.all()
        : statements.listDeviceStatusAppraisedAfter.all(options.appraisedAfterId);
      return rows.map((row) => deviceStatusFromRow(row, sqliteColumns));
    });
  }

  getDeviceStatus(deviceId: string): Promise<DeviceStatusRecord | null> {
    return this.run((statements) => {
      const row = statements.getDeviceStatus.get(deviceId);
      return row === undefined ? null : deviceStatusFromRow(row, sqliteColumns);
    });
  }

  /** SQLite has no notifications: the caller polls (listDeviceStatus with appraisedAfterId, listRevokedDeviceIds). */
  watchDeviceChanges(): null {
    return null;
  }

  getFailingSince(deviceId: string, policyId: string): Promise<Record<string, string>> {
    return this.run((statements) => failingSinceFromRows(statements.getFailingSince.all(deviceId, policyId)));
  }

  commitAppraisal(appraisal: NewAppraisal, failingSince: Record<string, string>, spend?: AppraisalSpend): Promise<AppraisalCommit> {
    return this.run((statements) => this.db.transaction((): AppraisalCommit => {
      const device = statements.deviceKey.get(appraisal.deviceId);
      if (device === undefined) return { outcome: 'unknown-device' };
      if (spend !== undefined && device.kid !== spend.kid) return { outcome: 'key-replaced' };
      if (device.revoked_at !== null) return { outcome: 'revoked' };
      if (spend !== undefined) {
        if (statements.spendNonce.run({ nonce: spend.nonce, deviceId: appraisal.deviceId, now: iso(spend.now) }).changes !== 1) return { outcome: 'nonce' };
        if (statements.insertJti.run({ deviceId: appraisal.deviceId, jti: spend.jti, expiresAt: iso(spend.jtiExpiresAt) }).changes !== 1) return { outcome: 'replay' };
      }
      const changeKey = appraisalChangeKey(appraisal, failingSince);
      const changed = statements.latestChangeKey.get(appraisal.deviceId) !== changeKey;
      const seq = statements.nextSeq.get() ?? 1;
      const row = {
        ...appraisal,
        tiers: JSON.stringify(appraisal.tiers),
        verdicts: JSON.stringify(appraisal.verdicts),
        posture: JSON.stringify(appraisal.posture),
        resultExpiresAt: iso(appraisal.resultExpiresAt),
        createdAt: iso(appraisal.createdAt),
      };
      statements.upsertLatest.run({ ...row, seq, changeKey });
      if (changed) {
        statements.insertAppraisal.run(row);
        statements.deleteFailingSince.run(appraisal.deviceId, appraisal.policyId);
        for (const [ruleId, since] of Object.entries(failingSince)) {
          statements.insertFailingSince.run(appraisal.deviceId, appraisal.policyId, ruleId, since);
        }
      }
      statements.touchDevice.run({ id: appraisal.deviceId, lastSeenAt: iso(appraisal.createdAt), ...deviceFactsOf(appraisal) });
      this.events().publishState(appraisal.deviceId, appraisal.createdAt);
      return { outcome: 'saved', seq, changed };
    }).immediate());
  }

  async saveAppraisal(appraisal: NewAppraisal, failingSince: Record<string, string>): Promise<number> {
    const committed = await this.commitAppraisal(appraisal, failingSince);
    if (committed.outcome !== 'saved') throw unknownDevice(appraisal.deviceId);
    return committed.seq;
  }

  latestAppraisal(deviceId: string): Promise<AppraisalRecord | null> {
    return this.run((statements) => {
      const row = statements.latestAppraisal.get(deviceId);
      return row === undefined ? null : appraisalFromRow(row, sqliteColumns);
    });
  }

  listAppraisals(deviceId: string, limit: number): Promise<AppraisalRecord[]> {
    return this.run((statements) => statements.listAppraisals.all(deviceId, rowLimit(limit)).map((row) => appraisalFromRow(row, sqliteColumns)));
  }

  pruneHistory(before: Date, batch: number): Promise<number> {
    return this.run((statements) => this.db.transaction(() => {
      const appraisals = statements.pruneAppraisals.run(iso(before), rowLimit(batch)).changes;
      const certificates = statements.pruneCertificates.run(iso(before), rowLimit(batch)).changes;
      return appraisals + certificates;
    }).immediate());
  }

  listDevicePage(query: DeviceListQuery): Promise<DeviceListPage> {
    return this.run(() => {
      const { sql, values } = deviceListSql(query, sqliteListDialect);
      const named = Object.fromEntries(values.map((value, index) => [`p${index + 1}`, value]));
      const rows = this.db.prepare<[Record<string, unknown>], DeviceListRowData>(sql).all(named);
      return deviceListPage(rows, query, sqliteColumns);
    });
  }

  getKeySet(purpose: string): Promise<KeySetRecord | null> {
    return this.run((statements) => {
      const row = statements.getKeySet.get(purpose);
      return row === undefined ? null : keySetFromRow(row, sqliteColumns);
    });
  }

  putKeySet(purpose: string, envelope: string, expectedVersion: number | null, now: Date): Promise<boolean> {
    return this.run((statements) => (expectedVersion === null
      ? statements.insertKeySet.run(purpose, envelope, iso(now))
      : statements.updateKeySet.run(envelope, iso(now), purpose, expectedVersion)).changes === 1);
  }

  keySetVersions(): Promise<Record<string, number>> {
    return this.run((statements) => Object.fromEntries(statements.keySetVersions.all().map((row) => [row.purpose, row.version])));
  }

  createApiKey(record: ApiKeyRecord): Promise<void> {
    return this.run((statements) => {
      statements.insertApiKey.run({ ...record, createdAt: iso(record.createdAt), revokedAt: isoOrNull(record.revokedAt) });
    });
  }

  findApiKey(keyHash: string): Promise<ApiKeyRecord | null> {
    return this.run((statements) => {
      const row = statements.findApiKey.get(keyHash);
      return row === undefined ? null : apiKeyFromRow(row, sqliteColumns);
    });
  }

  recordCertificate(record: DeviceCertificateRecord): Promise<void> {
    return this.run((statements) => {
      const inserted = statements.insertCertificate.run({
        ...record, notBefore: iso(record.notBefore), notAfter: iso(record.notAfter), issuedAt: iso(record.issuedAt),
      });
      if (inserted.changes === 0) throw unknownDevice(record.deviceId);
    });
  }

  listCertificates(deviceId: string, limit: number): Promise<DeviceCertificateRecord[]> {
    return this.run((statements) => statements.listCertificates.all(deviceId, rowLimit(limit)).map((row) => certificateFromRow(row, sqliteColumns)));
  }

  appendAudit(entry: NewAuditEntry): Promise<void> {
    return this.run((statements) => {
      statements.insertAudit.run({ ...entry, at: iso(entry.at), detail: entry.detail === null ? null : JSON.stringify(entry.detail) });
    });
  }

  listAudit(options: { deviceId?: string; limit: number }): Promise<AuditEntry[]> {
    return this.run((statements) => {
      const rows = options.deviceId === undefined
        ? statements.listAudit.all(rowLimit(options.limit))
        : statements.listDeviceAudit.all(options.deviceId, rowLimit(options.limit));
      return rows.map((row) => auditFromRow(row, sqliteColumns));
    });
  }

  /**
   * Runs synchronous work with the statements, prepared on first use (after migrate() made the
   * tables). A write the storage refuses marks the store not writable; once it is, work that
   * changes rows again marks it writable.
   */
  private run<T>(work: (statements: Statements) => T): Promise<T> {
    return settle(() => {
      try {
        const changesBefore = this.writes.writable ? 0 : this.totalChanges();
        const result = work(this.prepared ??= prepareStatements(this.db));
        if (!this.writes.writable && this.totalChanges() > changesBefore) this.writes.wrote();
        return result;
      } catch (error) {
        const code = refusedWriteCode(error);
        if (code !== undefined) this.writes.refused(code);
        throw error;
      }
    });
  }

  /** Rows changed on this connection since it opened (SQLite's total_changes()). */
  private totalChanges(): number {
    return this.db.prepare<[], number>('SELECT total_changes()').pluck().get() ?? 0;
  }

  private migrationDriver(): MigrationDriver {
    const db = this.db;
    return {
      createMigrationsTable: () => settle(() => {
        db.exec(SQLITE_MIGRATIONS_TABLE);
      }),
      appliedVersions: () => settle(() =>
        db.prepare<[], { version: number }>('SELECT version FROM schema_migrations').all().map((row) => row.version)),
      // BEGIN IMMEDIATE takes the write lock first, so two processes cannot both apply it.
      applyOnce: (migration: Migration, appliedAt: Date) => settle(() => db.transaction(() => {
        const recorded = db.prepare<[number]>('SELECT 1 FROM schema_migrations WHERE version = ?').get(migration.version);
        if (recorded !== undefined) return;
        db.exec(migration.sql);
        db.prepare<[number, string]>('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(migration.version, iso(appliedAt));
      }).immediate()),
    };
  }

  // Console sign-in
  createConsoleSession(record: ConsoleSessionRecord): Promise<void> {
    return this.run(() => this.console().createSession(record));
  }

  findConsoleSession(idHash: string, now: Date, idleSince: Date): Promise<ConsoleSessionRecord | null> {
    return this.run(() => this.console().findSession(idHash, now, idleSince));
  }

  touchConsoleSession(idHash: string, at: Date): Promise<void> {
    return this.run(() => this.console().touchSession(idHash, at));
  }

  deleteConsoleSession(idHash: string): Promise<boolean> {
    return this.run(() => this.console().deleteSession(idHash));
  }

  deleteExpiredConsoleSignIns(now: Date, idleSince: Date): Promise<void> {
    return this.run(() => this.console().deleteExpired(now, idleSince));
  }

  createConsoleLink(record: ConsoleLinkRecord): Promise<void> {
    return this.run(() => this.console().createLink(record));
  }

  useConsoleLink(tokenHash: string, now: Date): Promise<ConsoleLinkUse> {
    return this.run(() => this.console().useLink(tokenHash, now));
  }

  createOidcFlow(record: OidcFlowRecord): Promise<void> {
    return this.run(() => this.console().createFlow(record));
  }

  takeOidcFlow(idHash: string, now: Date): Promise<OidcFlowRecord | null> {
    return this.run(() => this.console().takeFlow(idHash, now));
  }

  listEnrollmentTokenStates(): Promise<EnrollmentTokenState[]> {
    return this.run(() => this.console().listTokens());
  }

  revokeEnrollmentToken(id: string, now: Date): Promise<boolean> {
    return this.run(() => this.console().revokeToken(id, now));
  }

  listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.run(() => this.console().listApiKeys());
  }

  revokeApiKey(id: string, now: Date): Promise<boolean> {
    return this.run(() => this.console().revokeApiKey(id, now));
  }

  private console(): ReturnType<typeof consoleSqlite> {
    return consoleSqlite(this.db, sqliteColumns);
  }

  // Console data
  countDevicesByState(staleBefore: Date): Promise<FleetCounts> {
    return this.run(() => fleetCountsFromRow(this.consoleDataRows<FleetCountsRow>(fleetCountsSql(staleBefore, sqliteListDialect))[0]));
  }

  rankFailingRules(options: { policyId: string; limit: number }): Promise<FailingRuleCount[]> {
    return this.run(() => this.consoleDataRows<FailingRuleRow>(failingRulesSql({ ...options, limit: rowLimit(options.limit) }, sqliteListDialect)).map(failingRuleFromRow));
  }

  putFleetDay(day: FleetDay, now: Date): Promise<void> {
    return this.run(() => {
      const { sql, values } = putFleetDaySql(day, now, sqliteListDialect);
      this.db.prepare(sql).run(namedParameters(values));
    });
  }

  listFleetDays(since: string): Promise<FleetDay[]> {
    return this.run(() => this.consoleDataRows<FleetDayRow>(listFleetDaysSql(since, sqliteListDialect)).map(fleetDayFromRow));
  }

  setDeviceOwner(id: string, owner: string | null): Promise<boolean> {
    return this.run(() => this.db.prepare<[string | null, string]>('UPDATE devices SET owner = ? WHERE id = ?').run(owner, id).changes === 1);
  }

  getDeviceOwner(id: string): Promise<string | null> {
    return this.run(() => this.db.prepare<[string], { owner: string | null }>('SELECT owner FROM devices WHERE id = ?').get(id)?.owner ?? null);
  }

  listDeviceHistory(deviceId: string, options: { limit: number; beforeSeq?: number }): Promise<DeviceHistoryEntry[]> {
    return this.run(() => this.consoleDataRows<DeviceHistoryRow>(deviceHistorySql(deviceId, { ...options, limit: rowLimit(options.limit) }, sqliteListDialect))
      .map((row) => deviceHistoryFromRow(row, sqliteListDialect)));
  }

  private consoleDataRows<Row>({ sql, values }: { sql: string; values: unknown[] }): Row[] {
    return this.db.prepare<[Record<string, unknown>], Row>(sql).all(namedParameters(values));
  }

  // Events
  publishStaleDevices(staleBefore: Date, now: Date, batch: number): Promise<number> {
    return this.run(() => this.db.transaction(() => this.events().publishStale(staleBefore, now, rowLimit(batch))).immediate());
  }

  routeEvents(router: EventRouter, now: Date, batch: number): Promise<number> {
    return this.run(() => this.db.transaction(() => this.events().routeEvents(router, now, rowLimit(batch))).immediate());
  }

  claimDeliveries(destinations: readonly string[], owner: string, now: Date, leaseUntil: Date, batch: number): Promise<ClaimedDelivery[]> {
    return this.run(() => this.db.transaction(() => this.events().claimDeliveries(destinations, owner, now, leaseUntil, rowLimit(batch))).immediate());
  }

  finishDelivery(result: DeliveryResult): Promise<boolean> {
    return this.run(() => this.db.transaction(() => this.events().finishDelivery(result)).immediate());
  }

  listDeliveryAttempts(query: DeliveryAttemptQuery): Promise<DeliveryAttemptRecord[]> {
    return this.run(() => this.events().listDeliveryAttempts({ ...query, limit: rowLimit(query.limit) }));
  }

  listStateEvents(options: { deviceId?: string; limit: number }): Promise<StateEvent[]> {
    return this.run(() => this.events().listStateEvents({ ...options, limit: rowLimit(options.limit) }));
  }

  pruneEvents(before: Date, batch: number): Promise<number> {
    return this.run(() => this.events().pruneEvents(before, rowLimit(batch)));
  }

  private events(): ReturnType<typeof eventsSqlite> {
    return eventsSqlite(this.db, sqliteColumns);
  }
}

/** @p1, @p2... as better-sqlite3 takes them. */
function namedParameters(values: readonly unknown[]): Record<string, unknown> {
  return Object.fromEntries(values.map((value, index) => [`p${index + 1}`, value]));
}
