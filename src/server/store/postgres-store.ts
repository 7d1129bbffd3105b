/**
 * The shared Store: PostgreSQL through a connection pool, for several service processes. When the
 * server cannot be reached every method rejects with ERR_DATABASE_UNAVAILABLE, and the same Store
 * works again once it is back (the pool reconnects).
 */
import pg from 'pg';
import { systemErrorCode } from '../../shared/errors.js';
import { runMigrations, type Migration, type MigrationDriver } from './migrations/migration.js';
import { POSTGRES_MIGRATIONS, POSTGRES_MIGRATIONS_TABLE } from './migrations/postgres.js';
import { WriteHealth, appraisalChangeKey, keySetFromRow, type KeySetRow } from './store-helpers.js';
import { deviceListPage, deviceListSql, type DeviceListRowData, type ListDialect } from './device-list-query.js';
import {
  deviceHistoryFromRow, deviceHistorySql, failingRuleFromRow, failingRulesSql, fleetCountsFromRow, fleetCountsSql, fleetDayFromRow, listFleetDaysSql, putFleetDaySql,
  type DeviceHistoryRow, type FailingRuleRow, type FleetCountsRow, type FleetDayRow,
} from './console-data-sql.js';
import type { DeviceHistoryEntry, FailingRuleCount, FleetCounts, FleetDay } from './store.js';
import { CERTIFICATE_COLUMNS, certificateFromRow, type CertificateRow } from './certificate-rows.js';
import { DEVICE_CHANGED_CHANNEL, DEVICE_STATUS_SELECT, KEYS_CHANGED_CHANNEL, deviceStatusFromRow, type DeviceStatusRow } from './device-status-rows.js';
import { listenForDeviceChanges } from './postgres-device-listener.js';
import type { StoreHealth } from './store.js';
import type { ConsoleLinkRecord, ConsoleLinkUse, ConsoleSessionRecord, EnrollmentTokenState, OidcFlowRecord } from './console-records.js';
import { consolePostgres } from './console-postgres.js';
import { eventsPostgres, publishDeviceState, type EventsQueryable } from './events-postgres.js';
import type { ClaimedDelivery, DeliveryAttemptQuery, DeliveryAttemptRecord, DeliveryResult, EventRouter, StateEvent } from './event-records.js';
import {
  API_KEY_COLUMNS, APPRAISAL_COLUMNS, AUDIT_COLUMNS, DEVICE_COLUMNS, auditFromRow, type AuditRow, ENROLLMENT_TOKEN_COLUMNS, apiKeyFromRow, appraisalFromRow,
  databaseUnavailable, deviceFactsOf, deviceFromRow, enrollmentTokenFromRow, failingSinceFromRows, rowLimit, safeInteger,
  unknownDevice, type ApiKeyRow, type AppraisalRow, type ColumnDecoder, type DeviceRow, type EnrollmentTokenRow,
  type FailingSinceRow,
} from './store-helpers.js';
import type {
  ApiKeyRecord, AppraisalCommit, AppraisalRecord, AppraisalSpend, AuditEntry, DeviceCertificateRecord, DeviceListPage, DeviceListQuery, KeySetRecord, DeviceChangeListener, DeviceChangeWatch, DeviceRecord, DeviceStatusRecord, EnrollmentTokenRecord, KeyReplacement, NewAppraisal, NewAuditEntry,
  NewDevice, Store,
} from './store.js';

export const DEFAULT_MAX_CONNECTIONS = 10;
export const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;

export interface PostgresStoreOptions {
  maxConnections?: number;
  /** How long to wait for a new connection before the call fails with ERR_DATABASE_UNAVAILABLE. */
  connectionTimeoutMillis?: number;
  /** An idle pooled connection failed (the server restarted); the pool has already dropped it. */
  onIdleConnectionError?: (error: Error) => void;
}

/** Any two processes migrating the same database take this lock (pg_advisory_xact_lock). */
const MIGRATION_LOCK_KEY = '7406231915';

const NODE_CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND',
  'EAI_AGAIN', 'EPIPE', 'ENOENT',
]);
/**
 * SQLSTATE: connection exception, invalid authorization, insufficient resources, system error,
 * shutdown, no such database, a read-only server (a standby, default_transaction_read_only).
 */
const UNAVAILABLE_SQLSTATE = /^(08|28|53|58|57P0[1-4]$|3D000$|25006$)/;
/** SQLSTATE of a write the storage refused: read-only transaction, disk full, I/O error. */
const REFUSED_WRITE_SQLSTATE = /^(25006|53100|58030)$/;
const WRITE_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/** A statement that changed rows: proof the storage takes writes. */
function changedRows(result: pg.QueryResult): boolean {
  return WRITE_COMMANDS.has(result.command) && (result.rowCount ?? 0) > 0;
}
/** pg and pg-pool report a lost or impossible connection with these messages and no code. */
const CONNECTION_FAILURE_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout)/;

function isConnectionFailure(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isConnectionFailure);
  const code = systemErrorCode(error);
  if (code !== undefined && (NODE_CONNECTION_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  return error instanceof Error && CONNECTION_FAILURE_MESSAGE.test(error.message);
}

function storeError(error: unknown): Error {
  if (isConnectionFailure(error)) return databaseUnavailable(error);
  return error instanceof Error ? error : new Error(String(error));
}

const postgresColumns: ColumnDecoder = {
  date(value) {
    if (!(value instanceof Date)) throw new TypeError(`Expected a timestamptz from PostgreSQL, got ${typeof value}.`);
    return value;
  },
  json(value) {
    return value;
  },
};

const postgresListDialect: ListDialect = {
  placeholder: (index) => `$${index}`,
  date: (value) => value,
  joinWithSpaces: (column) => `string_agg(${column}, ' ')`,
  likeInsensitive: 'ILIKE',
  decode: postgresColumns,
};

interface Queryable {
  query<Row extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<Row>>;
}

export class PostgresStore implements Store {
  readonly dialect = 'postgres';
  private readonly pool: pg.Pool;
  private readonly writes = new WriteHealth();
  private readonly connectionString: string;

  constructor(connectionString: string, options: PostgresStoreOptions = {}) {
    this.connectionString = connectionString;
    this.pool = new pg.Pool({
      connectionString,
      max: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      connectionTimeoutMillis: options.connectionTimeoutMillis ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      keepAlive: true,
      application_name: 'posture-service',
    });
    // Without a listener an idle connection's error would crash the process.
    this.pool.on('error', options.onIdleConnectionError ?? (() => undefined));
    // pg-pool's query() listens for a client's 'error' only once: a connection the server ends
    // mid-query can emit a second one (the shutdown message, then the lost socket), which would
    // crash the process. Every client keeps a listener of its own; the query or transaction that
    // used it still fails and releases it as broken.
    this.pool.on('connect', (client) => {
      client.on('error', () => undefined);
    });
  }

  migrate(): Promise<number> {
    return runMigrations(this.migrationDriver(), POSTGRES_MIGRATIONS);
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async health(): Promise<StoreHealth> {
    const reachable = await this.ping().then(() => true, () => false);
    return this.writes.report(reachable);
  }

  async close(): Promise<void> {
    if (!this.pool.ended && !this.pool.ending) await this.pool.end();
  }

  async createEnrollmentToken(record: EnrollmentTokenRecord): Promise<void> {
    await this.query(`
      INSERT INTO enrollment_tokens (id, token_hash, uses_left, expires_at, created_at, note)
      VALUES ($1, $2, $3, $4, $5, $6)`,
    [record.id, record.tokenHash, record.usesLeft, record.expiresAt, record.createdAt, record.note]);
  }

  async consumeEnrollmentToken(tokenHash: string, now: Date): Promise<boolean> {
    const result = await this.query(`
      UPDATE enrollment_tokens SET uses_left = uses_left - 1
      WHERE token_hash = $1 AND uses_left > 0 AND expires_at > $2`,
    [tokenHash, now]);
    return result.rowCount === 1;
  }

  async listEnrollmentTokens(): Promise<EnrollmentTokenRecord[]> {
    const result = await this.query<EnrollmentTokenRow>(`
      SELECT ${ENROLLMENT_TOKEN_COLUMNS} FROM enrollment_tokens ORDER BY created_at, id`);
    return result.rows.map((row) => enrollmentTokenFromRow(row, postgresColumns));
  }

  async createNonce(nonce: string, deviceId: string, expiresAt: Date): Promise<void> {
    await this.query({ name: 'insert_nonce', text: 'INSERT INTO nonces (nonce, device_id, expires_at) VALUES ($1, $2, $3)', values: [nonce, deviceId, expiresAt] });
  }

  async consumeNonce(nonce: string, deviceId: string, now: Date): Promise<boolean> {
    const result = await this.query(`
      UPDATE nonces SET used_at = $3
      WHERE nonce = $1 AND device_id = $2 AND used_at IS NULL AND expires_at > $3`,
    [nonce, deviceId, now]);
    return result.rowCount === 1;
  }

  async recordJti(deviceId: string, jti: string, expiresAt: Date): Promise<boolean> {
    const result = await this.query(`
      INSERT INTO seen_jtis (device_id, jti, expires_at) VALUES ($1, $2, $3)
      ON CONFLICT (device_id, jti) DO NOTHING`,
    [deviceId, jti, expiresAt]);
    return result.rowCount === 1;
  }

  async deleteExpired(now: Date): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('DELETE FROM nonces WHERE expires_at <= $1', [now]);
      await client.query('DELETE FROM seen_jtis WHERE expires_at <= $1', [now]);
    });
  }

  async getDevice(id: string): Promise<DeviceRecord | null> {
    const result = await this.query<DeviceRow>({ name: 'get_device', text: `SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = $1`, values: [id] });
    const row = result.rows[0];
    return row === undefined ? null : deviceFromRow(row, postgresColumns);
  }

  async insertDevice(device: NewDevice): Promise<boolean> {
    const result = await this.query(`
      INSERT INTO devices (id, kid, jwk, enrolled_at, hostname, platform)
      VALUES ($1, $2, $3::jsonb, $4, $5, $6)
      ON CONFLICT (id) DO NOTHING`,
    [device.id, device.kid, JSON.stringify(device.jwk), device.enrolledAt, device.hostname, device.platform]);
    return result.rowCount === 1;
  }

  async replaceDeviceKey(device: NewDevice, condition: KeyReplacement): Promise<boolean> {
    const [afterReset, currentKid] = 'currentKid' in condition ? [false, condition.currentKid] : [true, null];
    const result = await this.query(`
      UPDATE devices SET
        kid = $2,
        jwk = $3::jsonb,
        enrolled_at = $4,
        hostname = coalesce($5, hostname),
        platform = coalesce($6, platform),
        reset_at = NULL
      WHERE id = $1 AND (($7::boolean AND reset_at IS NOT NULL) OR (NOT $7::boolean AND kid = $8))`,
    [device.id, device.kid, JSON.stringify(device.jwk), device.enrolledAt, device.hostname, device.platform, afterReset, currentKid]);
    return result.rowCount === 1;
  }

  revokeDevice(id: string, now: Date, reason: string | null): Promise<boolean> {
    return this.transaction(async (client) => {
      const result = await client.query(`
        UPDATE devices SET
          revoked_reason = CASE WHEN revoked_at IS NULL THEN $3 ELSE revoked_reason END,
          revoked_at = coalesce(revoked_at, $2)
        WHERE id = $1`,
      [id, now, reason]);
      if (result.rowCount === 1) await notifyDeviceChanged(client, id);
      if (result.rowCount === 1) await publishDeviceState(client, id, now);
      return result.rowCount === 1;
    });
  }

  restoreDevice(id: string, now: Date = new Date()): Promise<boolean> {
    return this.transaction(async (client) => {
      const result = await client.query('UPDATE devices SET revoked_at = NULL, revoked_reason = NULL WHERE id = $1', [id]);
      if (result.rowCount === 1) await notifyDeviceChanged(client, id);
      if (result.rowCount === 1) await publishDeviceState(client, id, now);
      return result.rowCount === 1;
    });
  }

  async resetDevice(id: string, now: Date): Promise<boolean> {
    const result = await this.query('UPDATE devices SET reset_at = coalesce(reset_at, $2) WHERE id = $1', [id, now]);
    return result.rowCount === 1;
  }

  async listRevokedDeviceIds(): Promise<string[]> {
    const result = await this.query<{ id: string }>('SELECT id FROM devices WHERE revoked_at IS NOT NULL ORDER BY id');
    return result.rows.map((row) => row.id);
  }

  async listDeviceStatus(options: { appraisedAfterId?: number } = {}): Promise<DeviceStatusRecord[]> {
    const result = options.appraisedAfterId === undefined
      ? await this.query<DeviceStatusRow>(DEVICE_STATUS_SELECT)
      : await this.query<DeviceStatusRow>(`${DEVICE_STATUS_SELECT} WHERE l.seq > $1`, [options.appraisedAfterId]);
    return result.rows.map((row) => deviceStatusFromRow(row, postgresColumns));
  }

  async getDeviceStatus(deviceId: string): Promise<DeviceStatusRecord | null> {
    const result = await this.query<DeviceStatusRow>({ name: 'device_status', text: `${DEVICE_STATUS_SELECT} WHERE d.id = $1`, values: [deviceId] });
    const row = result.rows[0];
    return row === undefined ? null : deviceStatusFromRow(row, postgresColumns);
  }

  watchDeviceChanges(listener: DeviceChangeListener): DeviceChangeWatch {
    return listenForDeviceChanges(this.connectionString, listener);
  }

  async getFailingSince(deviceId: string, policyId: string): Promise<Record<string, string>> {
    const result = await this.query<FailingSinceRow>({
      name: 'failing_since', text: 'SELECT rule_id, since FROM failing_since WHERE device_id = $1 AND policy_id = $2', values: [deviceId, policyId],
    });
    return failingSinceFromRows(result.rows);
  }

  async commitAppraisal(appraisal: NewAppraisal, failingSince: Record<string, string>, spend?: AppraisalSpend): Promise<AppraisalCommit> {
    const facts = deviceFactsOf(appraisal);
    const failing = Object.entries(failingSince);
    const result = await this.query<{ outcome: AppraisalCommit['outcome']; seq: string | null; changed: boolean }>({
      name: 'posture_commit_appraisal',
      text: 'SELECT outcome, seq, changed FROM posture_commit_appraisal($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb, $16::jsonb, $17::jsonb, $18, $19, $20, $21, $22, $23, $24::text[], $25::text[])',
      values: [
        appraisal.deviceId, spend?.kid ?? null, spend?.nonce ?? null, spend?.now ?? null, spend?.jti ?? null, spend?.jtiExpiresAt ?? null,
        appraisal.policyId, appraisal.policyVersion, appraisal.status, appraisal.earStatus, appraisalChangeKey(appraisal, failingSince),
        appraisal.evidenceJti, appraisal.resultJti, appraisal.resultExpiresAt, JSON.stringify(appraisal.tiers), JSON.stringify(appraisal.verdicts),
        JSON.stringify(appraisal.posture), appraisal.createdAt, facts.hostname, facts.platform, facts.serial, facts.osName, facts.osVersion,
        failing.map(([ruleId]) => ruleId), failing.map(([, since]) => since),
      ],
    });
    const row = result.rows[0]!;
    if (row.outcome !== 'saved') return { outcome: row.outcome };
    this.writes.wrote();
    return { outcome: 'saved', seq: safeInteger(row.seq!), changed: row.changed };
  }

  async saveAppraisal(appraisal: NewAppraisal, failingSince: Record<string, string>): Promise<number> {
    const committed = await this.commitAppraisal(appraisal, failingSince);
    if (committed.outcome !== 'saved') throw unknownDevice(appraisal.deviceId);
    return committed.seq;
  }

  async latestAppraisal(deviceId: string): Promise<AppraisalRecord | null> {
    const result = await this.query<AppraisalRow>({
      name: 'latest_appraisal',
      text: `SELECT seq AS id, device_id, evidence_jti, policy_id, policy_version, status, ear_status, tiers, verdicts, posture,
          result_jti, result_expires_at, created_at
        FROM latest_appraisals WHERE device_id = $1`,
      values: [deviceId],
    });
    const row = result.rows[0];
    return row === undefined ? null : appraisalFromRow(row, postgresColumns);
  }

  async listAppraisals(deviceId: string, limit: number): Promise<AppraisalRecord[]> {
    const result = await this.query<AppraisalRow>(`
      SELECT ${APPRAISAL_COLUMNS} FROM appraisals
      WHERE device_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
    [deviceId, rowLimit(limit)]);
    return result.rows.map((row) => appraisalFromRow(row, postgresColumns));
  }

  pruneHistory(before: Date, batch: number): Promise<number> {
    return this.transaction(async (client) => {
      const appraisals = await client.query(`
        DELETE FROM appraisals WHERE id IN (SELECT id FROM appraisals WHERE created_at < $1 ORDER BY created_at, id LIMIT $2)`,
      [before, rowLimit(batch)]);
      const certificates = await client.query(`
        DELETE FROM device_certificates WHERE serial IN (SELECT serial FROM device_certificates WHERE not_after < $1 LIMIT $2)`,
      [before, rowLimit(batch)]);
      return (appraisals.rowCount ?? 0) + (certificates.rowCount ?? 0);
    });
  }

  async listDevicePage(query: DeviceListQuery): Promise<DeviceListPage> {
    const { sql, values } = deviceListSql(query, postgresListDialect);
    const result = await this.query<DeviceListRowData>(sql, values);
    return deviceListPage(result.rows, query, postgresColumns);
  }

  async getKeySet(purpose: string): Promise<KeySetRecord | null> {
    const result = await this.query<KeySetRow>('SELECT purpose, version, envelope, updated_at FROM key_sets WHERE purpose = $1', [purpose]);
    const row = result.rows[0];
    return row === undefined ? null : keySetFromRow(row, postgresColumns);
  }

  putKeySet(purpose: string, envelope: string, expectedVersion: number | null, now: Date): Promise<boolean> {
    return this.transaction(async (client) => {
      const result = expectedVersion === null
        ? await client.query('INSERT INTO key_sets (purpose, version, envelope, updated_at) VALUES ($1, 1, $2, $3) ON CONFLICT (purpose) DO NOTHING', [purpose, envelope, now])
        : await client.query('UPDATE key_sets SET version = version + 1, envelope = $2, updated_at = $3 WHERE purpose = $1 AND version = $4', [purpose, envelope, now, expectedVersion]);
      if (result.rowCount === 1) await client.query('SELECT pg_notify($1, $2)', [KEYS_CHANGED_CHANNEL, purpose]);
      return result.rowCount === 1;
    });
  }

  async keySetVersions(): Promise<Record<string, number>> {
    const result = await this.query<{ purpose: string; version: string }>('SELECT purpose, version FROM key_sets');
    return Object.fromEntries(result.rows.map((row) => [row.purpose, safeInteger(row.version)]));
  }

  async createApiKey(record: ApiKeyRecord): Promise<void> {
    await this.query(`
      INSERT INTO api_keys (id, key_hash, role, name, created_at, revoked_at)
      VALUES ($1, $2, $3, $4, $5, $6)`,
    [record.id, record.keyHash, record.role, record.name, record.createdAt, record.revokedAt]);
  }

  async findApiKey(keyHash: string): Promise<ApiKeyRecord | null> {
    const result = await this.query<ApiKeyRow>(
      `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, [keyHash]);
    const row = result.rows[0];
    return row === undefined ? null : apiKeyFromRow(row, postgresColumns);
  }

  async recordCertificate(record: DeviceCertificateRecord): Promise<void> {
    const result = await this.query(`
      INSERT INTO device_certificates (serial, device_id, tls_jkt, not_before, not_after, issued_at)
      SELECT $1, id, $2, $3, $4, $5 FROM devices WHERE id = $6`,
    [record.serial, record.tlsJkt, record.notBefore, record.notAfter, record.issuedAt, record.deviceId]);
    if (result.rowCount === 0) throw unknownDevice(record.deviceId);
  }

  async listCertificates(deviceId: string, limit: number): Promise<DeviceCertificateRecord[]> {
    const result = await this.query<CertificateRow>(`
      SELECT ${CERTIFICATE_COLUMNS} FROM device_certificates
      WHERE device_id = $1 ORDER BY issued_at DESC, not_after DESC, serial LIMIT $2`,
    [deviceId, rowLimit(limit)]);
    return result.rows.map((row) => certificateFromRow(row, postgresColumns));
  }

  async appendAudit(entry: NewAuditEntry): Promise<void> {
    await this.query(`
      INSERT INTO audit_log (at, actor, source, action, device_id, detail)
      VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
    [entry.at, entry.actor, entry.source, entry.action, entry.deviceId, entry.detail === null ? null : JSON.stringify(entry.detail)]);
  }

  async listAudit(options: { deviceId?: string; limit: number }): Promise<AuditEntry[]> {
    const result = options.deviceId === undefined
      ? await this.query<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_log ORDER BY id DESC LIMIT $1`, [rowLimit(options.limit)])
      : await this.query<AuditRow>(
        `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE device_id = $1 ORDER BY id DESC LIMIT $2`, [options.deviceId, rowLimit(options.limit)]);
    return result.rows.map((row) => auditFromRow(row, postgresColumns));
  }

  /** A named query is prepared once per connection and reused (pg's prepared statements). */
  private async query<Row extends pg.QueryResultRow = pg.QueryResultRow>(sql: string | pg.QueryConfig, values: unknown[] = []): Promise<pg.QueryResult<Row>> {
    try {
      const result = typeof sql === 'string' ? await this.pool.query<Row>(sql, values) : await this.pool.query<Row>(sql);
      if (changedRows(result)) this.writes.wrote();
      return result;
    } catch (error) {
      throw this.failure(error);
    }
  }

  /**
   * Runs `work` between BEGIN and COMMIT on one pooled connection; rolls back when it throws. A
   * checked-out client whose connection dies emits 'error', which would crash the process with no
   * listener: one listens for the whole checkout, and a broken client is released with its error
   * so the pool destroys it instead of handing it out again.
   */
  private async transaction<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.failure(error);
    }
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken ??= error;
    };
    client.on('error', onError);
    let wrote = false;
    const tracked: Queryable = {
      query: async <Row extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]) => {
        const result = await client.query<Row>(sql, values);
        if (changedRows(result)) wrote = true;
        return result;
      },
    };
    try {
      await client.query('BEGIN');
      const result = await work(tracked);
      await client.query('COMMIT');
      if (wrote) this.writes.wrote();
      return result;
    } catch (error) {
      if (broken === undefined) {
        await client.query('ROLLBACK').catch((rollbackFailed: unknown) => {
          broken = rollbackFailed instanceof Error ? rollbackFailed : new Error(String(rollbackFailed));
        });
      }
      throw this.failure(error);
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  /** The error a caller sees; a write the storage refused also marks the store not writable. */
  private failure(error: unknown): Error {
    const code = systemErrorCode(error);
    if (code !== undefined && REFUSED_WRITE_SQLSTATE.test(code)) this.writes.refused(code);
    return storeError(error);
  }

  private migrationDriver(): MigrationDriver {
    return {
      createMigrationsTable: () => this.transaction(async (client) => {
        await lockMigrations(client);
        await client.query(POSTGRES_MIGRATIONS_TABLE);
      }),
      appliedVersions: async () => {
        const result = await this.query<{ version: number }>('SELECT version FROM schema_migrations');
        return result.rows.map((row) => row.version);
      },
      applyOnce: (migration: Migration, appliedAt: Date) => this.transaction(async (client) => {
        await lockMigrations(client);
        const recorded = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
        if (recorded.rowCount !== 0) return;
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [migration.version, appliedAt]);
      }),
    };
  }

  // Console sign-in
  createConsoleSession(record: ConsoleSessionRecord): Promise<void> {
    return this.console().createSession(record);
  }

  findConsoleSession(idHash: string, now: Date, idleSince: Date): Promise<ConsoleSessionRecord | null> {
    return this.console().findSession(idHash, now, idleSince);
  }

  touchConsoleSession(idHash: string, at: Date): Promise<void> {
    return this.console().touchSession(idHash, at);
  }

  deleteConsoleSession(idHash: string): Promise<boolean> {
    return this.console().deleteSession(idHash);
  }

  deleteExpiredConsoleSignIns(now: Date, idleSince: Date): Promise<void> {
    return this.console().deleteExpired(now, idleSince);
  }

  createConsoleLink(record: ConsoleLinkRecord): Promise<void> {
    return this.console().createLink(record);
  }

  useConsoleLink(tokenHash: string, now: Date): Promise<ConsoleLinkUse> {
    return this.console().useLink(tokenHash, now);
  }

  createOidcFlow(record: OidcFlowRecord): Promise<void> {
    return this.console().createFlow(record);
  }

  takeOidcFlow(idHash: string, now: Date): Promise<OidcFlowRecord | null> {
    return this.console().takeFlow(idHash, now);
  }

  listEnrollmentTokenStates(): Promise<EnrollmentTokenState[]> {
    return this.console().listTokens();
  }

  revokeEnrollmentToken(id: string, now: Date): Promise<boolean> {
    return this.console().revokeToken(id, now);
  }

  listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.console().listApiKeys();
  }

  revokeApiKey(id: string, now: Date): Promise<boolean> {
    return this.console().revokeApiKey(id, now);
  }

  private console(): ReturnType<typeof consolePostgres> {
    return consolePostgres((sql, values) => this.query(sql, values), postgresColumns);
  }

  // Console data
  async countDevicesByState(staleBefore: Date): Promise<FleetCounts> {
    const { sql, values } = fleetCountsSql(staleBefore, postgresListDialect);
    return fleetCountsFromRow((await this.query<FleetCountsRow & pg.QueryResultRow>(sql, values)).rows[0]);
  }

  async rankFailingRules(options: { policyId: string; limit: number }): Promise<FailingRuleCount[]> {
    const { sql, values } = failingRulesSql({ ...options, limit: rowLimit(options.limit) }, postgresListDialect);
    return (await this.query<FailingRuleRow & pg.QueryResultRow>(sql, values)).rows.map(failingRuleFromRow);
  }

  async putFleetDay(day: FleetDay, now: Date): Promise<void> {
    const { sql, values } = putFleetDaySql(day, now, postgresListDialect);
    await this.query(sql, values);
  }

  async listFleetDays(since: string): Promise<FleetDay[]> {
    const { sql, values } = listFleetDaysSql(since, postgresListDialect);
    return (await this.query<FleetDayRow & pg.QueryResultRow>(sql, values)).rows.map(fleetDayFromRow);
  }

  async setDeviceOwner(id: string, owner: string | null): Promise<boolean> {
    return ((await this.query('UPDATE devices SET owner = $2 WHERE id = $1', [id, owner])).rowCount ?? 0) === 1;
  }

  async getDeviceOwner(id: string): Promise<string | null> {
    return (await this.query<{ owner: string | null }>('SELECT owner FROM devices WHERE id = $1', [id])).rows[0]?.owner ?? null;
  }

  async listDeviceHistory(deviceId: string, options: { limit: number; beforeSeq?: number }): Promise<DeviceHistoryEntry[]> {
    const { sql, values } = deviceHistorySql(deviceId, { ...options, limit: rowLimit(options.limit) }, postgresListDialect);
    return (await this.query<DeviceHistoryRow & pg.QueryResultRow>(sql, values)).rows.map((row) => deviceHistoryFromRow(row, postgresListDialect));
  }

  // Events
  publishStaleDevices(staleBefore: Date, now: Date, batch: number): Promise<number> {
    return this.transaction((client) => this.events.publishStale(client, staleBefore, now, rowLimit(batch)));
  }

  routeEvents(router: EventRouter, now: Date, batch: number): Promise<number> {
    return this.transaction((client) => this.events.routeEvents(client, router, now, rowLimit(batch)));
  }

  claimDeliveries(destinations: readonly string[], owner: string, now: Date, leaseUntil: Date, batch: number): Promise<ClaimedDelivery[]> {
    return this.events.claimDeliveries(this.eventQueries, destinations, owner, now, leaseUntil, rowLimit(batch));
  }

  finishDelivery(result: DeliveryResult): Promise<boolean> {
    return this.events.finishDelivery(this.eventQueries, result);
  }

  listDeliveryAttempts(query: DeliveryAttemptQuery): Promise<DeliveryAttemptRecord[]> {
    return this.events.listDeliveryAttempts(this.eventQueries, { ...query, limit: rowLimit(query.limit) });
  }

  listStateEvents(options: { deviceId?: string; limit: number }): Promise<StateEvent[]> {
    return this.events.listStateEvents(this.eventQueries, { ...options, limit: rowLimit(options.limit) });
  }

  pruneEvents(before: Date, batch: number): Promise<number> {
    return this.events.pruneEvents(this.eventQueries, before, rowLimit(batch));
  }

  private readonly events = eventsPostgres(postgresColumns);
  private readonly eventQueries: EventsQueryable = { query: (sql, values) => this.query(sql, values) };
}

/** Held until the transaction ends: concurrent migrators take turns, and the later one finds the work done. */
async function lockMigrations(client: Queryable): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
}

/** Delivered to every listener when the transaction commits (nothing on rollback). */
async function notifyDeviceChanged(client: Queryable, deviceId: string): Promise<void> {
  await client.query('SELECT pg_notify($1, $2)', [DEVICE_CHANGED_CHANNEL, deviceId]);
}
