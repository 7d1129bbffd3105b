/**
 * SQLite schema, in order. Dates are ISO-8601 UTC text with milliseconds (they sort as text), JSON
 * is text. To change the schema, append `{ version: N + 1, description, sql }`; never edit an
 * applied migration.
 */
import type { Migration } from './migration.js';

export const SQLITE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    applied_at TEXT NOT NULL
  ) STRICT`;

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'enrolment tokens, devices, nonces, seen jtis, appraisals, failing-since, API keys',
    sql: `
      CREATE TABLE enrollment_tokens (
        id         TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        uses_left  INTEGER NOT NULL CHECK (uses_left >= 0),
        expires_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        note       TEXT
      ) STRICT;

      CREATE TABLE devices (
        id             TEXT PRIMARY KEY,
        kid            TEXT NOT NULL,
        jwk            TEXT NOT NULL,
        enrolled_at    TEXT NOT NULL,
        hostname       TEXT,
        platform       TEXT,
        last_seen_at   TEXT,
        revoked_at     TEXT,
        revoked_reason TEXT
      ) STRICT;
      CREATE INDEX devices_revoked ON devices (id) WHERE revoked_at IS NOT NULL;

      -- No foreign key to devices: enrolment spends a nonce and a jti before the device exists.
      CREATE TABLE nonces (
        nonce      TEXT PRIMARY KEY,
        device_id  TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at    TEXT
      ) STRICT;
      CREATE INDEX nonces_expires_at ON nonces (expires_at);

      CREATE TABLE seen_jtis (
        device_id  TEXT NOT NULL,
        jti        TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (device_id, jti)
      ) STRICT;
      CREATE INDEX seen_jtis_expires_at ON seen_jtis (expires_at);

      CREATE TABLE appraisals (
        id                INTEGER PRIMARY KEY AUTOINCREMENT,
        device_id         TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        evidence_jti      TEXT NOT NULL,
        policy_id         TEXT NOT NULL,
        policy_version    INTEGER NOT NULL,
        status            TEXT NOT NULL CHECK (status IN ('compliant', 'warning', 'noncompliant')),
        ear_status        TEXT NOT NULL CHECK (ear_status IN ('affirming', 'warning', 'contraindicated', 'none')),
        tiers             TEXT NOT NULL,
        verdicts          TEXT NOT NULL,
        posture           TEXT NOT NULL,
        result_jti        TEXT NOT NULL,
        result_expires_at TEXT NOT NULL,
        created_at        TEXT NOT NULL
      ) STRICT;
      CREATE INDEX appraisals_device_newest ON appraisals (device_id, created_at DESC, id DESC);

      CREATE TABLE failing_since (
        device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        policy_id TEXT NOT NULL,
        rule_id   TEXT NOT NULL,
        since     TEXT NOT NULL,
        PRIMARY KEY (device_id, policy_id, rule_id)
      ) STRICT;

      CREATE TABLE api_keys (
        id         TEXT PRIMARY KEY,
        key_hash   TEXT NOT NULL UNIQUE,
        role       TEXT NOT NULL CHECK (role IN ('admin', 'gateway')),
        name       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      ) STRICT;
    `,
  },
  {
    version: 2,
    description: 'device reset (an administrator lets a known device enrol a new key) and the audit log',
    sql: `
      ALTER TABLE devices ADD COLUMN reset_at TEXT;

      CREATE TABLE audit_log (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        at        TEXT NOT NULL,
        actor     TEXT NOT NULL,
        source    TEXT,
        action    TEXT NOT NULL,
        device_id TEXT,
        detail    TEXT
      ) STRICT;
      CREATE INDEX audit_log_device ON audit_log (device_id, id DESC);
    `,
  },
  {
    version: 3,
    description: 'device certificates: the serial of every TLS client certificate the device CA issued',
    sql: `
      CREATE TABLE device_certificates (
        serial     TEXT PRIMARY KEY,
        device_id  TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        tls_jkt    TEXT NOT NULL,
        not_before TEXT NOT NULL,
        not_after  TEXT NOT NULL,
        issued_at  TEXT NOT NULL
      ) STRICT;
      CREATE INDEX device_certificates_device_newest ON device_certificates (device_id, issued_at DESC);
    `,
  },
  {
    version: 4,
    description: 'bounded storage: each device\'s latest appraisal in its own row, history only of changes; listing columns and indexes; encrypted key sets',
    sql: `
      CREATE TABLE latest_appraisals (
        device_id         TEXT PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
        seq               INTEGER NOT NULL,
        created_at        TEXT NOT NULL,
        status            TEXT NOT NULL CHECK (status IN ('compliant', 'warning', 'noncompliant')),
        ear_status        TEXT NOT NULL CHECK (ear_status IN ('affirming', 'warning', 'contraindicated', 'none')),
        policy_id         TEXT NOT NULL,
        policy_version    INTEGER NOT NULL,
        change_key        TEXT NOT NULL,
        evidence_jti      TEXT NOT NULL,
        result_jti        TEXT NOT NULL,
        result_expires_at TEXT NOT NULL,
        tiers             TEXT NOT NULL,
        verdicts          TEXT NOT NULL,
        posture           TEXT NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX latest_appraisals_seq ON latest_appraisals (seq);
      CREATE INDEX latest_appraisals_status ON latest_appraisals (status, device_id);

      INSERT INTO latest_appraisals (device_id, seq, created_at, status, ear_status, policy_id, policy_version, change_key,
        evidence_jti, result_jti, result_expires_at, tiers, verdicts, posture)
      SELECT a.device_id, a.id, a.created_at, a.status, a.ear_status, a.policy_id, a.policy_version, '',
        a.evidence_jti, a.result_jti, a.result_expires_at, a.tiers, a.verdicts, a.posture
      FROM appraisals a
      WHERE a.id = (SELECT newest.id FROM appraisals newest WHERE newest.device_id = a.device_id ORDER BY newest.created_at DESC, newest.id DESC LIMIT 1);

      ALTER TABLE devices ADD COLUMN serial TEXT;
      ALTER TABLE devices ADD COLUMN os_name TEXT;
      ALTER TABLE devices ADD COLUMN os_version TEXT;
      CREATE INDEX devices_hostname ON devices (coalesce(hostname, ''), id);
      CREATE INDEX devices_seen ON devices (coalesce(last_seen_at, enrolled_at), id);
      CREATE INDEX appraisals_created_at ON appraisals (created_at, id);
      CREATE INDEX failing_since_rule ON failing_since (policy_id, rule_id, device_id);
      CREATE INDEX device_certificates_not_after ON device_certificates (not_after);

      CREATE TABLE key_sets (
        purpose    TEXT PRIMARY KEY,
        version    INTEGER NOT NULL,
        envelope   TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 5,
    description: 'console sign-in: sessions, one-time sign-in links, OpenID Connect sign-ins in progress; revocable enrolment tokens',
    sql: `
      CREATE TABLE console_sessions (
        id_hash      TEXT PRIMARY KEY,
        subject      TEXT NOT NULL,
        name         TEXT,
        email        TEXT,
        role         TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
        created_at   TEXT NOT NULL,
        last_used_at TEXT NOT NULL,
        expires_at   TEXT NOT NULL,
        source       TEXT
      ) STRICT;
      CREATE INDEX console_sessions_expires_at ON console_sessions (expires_at);

      CREATE TABLE console_links (
        id         TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        role       TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
        name       TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at    TEXT
      ) STRICT;

      CREATE TABLE console_oidc_flows (
        id_hash       TEXT PRIMARY KEY,
        state         TEXT NOT NULL,
        nonce         TEXT NOT NULL,
        code_verifier TEXT NOT NULL,
        expires_at    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX console_oidc_flows_expires_at ON console_oidc_flows (expires_at);

      ALTER TABLE enrollment_tokens ADD COLUMN revoked_at TEXT;
    `,
  },
  {
    version: 6,
    description: 'console data: device owners, daily fleet counts',
    sql: `
      ALTER TABLE devices ADD COLUMN owner TEXT;
      CREATE INDEX devices_owner ON devices (owner COLLATE NOCASE) WHERE owner IS NOT NULL;
      -- Covers what the fleet's counts, lists and failing-rule ranking read of the latest appraisals (never the posture).
      CREATE INDEX latest_appraisals_listing ON latest_appraisals (device_id, status, created_at, policy_id, policy_version, ear_status);

      -- One row per UTC day (YYYY-MM-DD): the fleet's devices per state, last written at updated_at.
      CREATE TABLE fleet_daily (
        day          TEXT PRIMARY KEY,
        compliant    INTEGER NOT NULL,
        warning      INTEGER NOT NULL,
        noncompliant INTEGER NOT NULL,
        stale        INTEGER NOT NULL,
        revoked      INTEGER NOT NULL,
        unappraised  INTEGER NOT NULL,
        updated_at   TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 7,
    description: 'events: the outbox of device state changes, webhook and SET deliveries',
    sql: `
      ALTER TABLE devices ADD COLUMN published_state TEXT NOT NULL DEFAULT 'unappraised';
      UPDATE devices SET published_state = CASE
        WHEN revoked_at IS NOT NULL THEN 'revoked'
        ELSE coalesce((SELECT l.status FROM latest_appraisals l WHERE l.device_id = devices.id), 'unappraised') END;
      CREATE INDEX latest_appraisals_created_at ON latest_appraisals (created_at);

      CREATE TABLE event_outbox (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        id             TEXT NOT NULL UNIQUE,
        device_id      TEXT NOT NULL,
        hostname       TEXT,
        owner          TEXT,
        previous_state TEXT NOT NULL,
        state          TEXT NOT NULL,
        policy         TEXT,
        failing        TEXT NOT NULL,
        occurred_at    TEXT NOT NULL,
        fanned_out     INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX event_outbox_unrouted ON event_outbox (seq) WHERE fanned_out = 0;
      CREATE INDEX event_outbox_occurred ON event_outbox (occurred_at);

      CREATE TABLE event_deliveries (
        event_id        TEXT NOT NULL REFERENCES event_outbox (id) ON DELETE CASCADE,
        destination     TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        lease_owner     TEXT,
        lease_until     TEXT,
        PRIMARY KEY (event_id, destination)
      ) STRICT;
      CREATE INDEX event_deliveries_due ON event_deliveries (next_attempt_at) WHERE state = 'pending';

      CREATE TABLE event_delivery_attempts (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id        TEXT NOT NULL REFERENCES event_outbox (id) ON DELETE CASCADE,
        destination     TEXT NOT NULL,
        attempt         INTEGER NOT NULL,
        at              TEXT NOT NULL,
        outcome         TEXT NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed')),
        status_code     INTEGER,
        error           TEXT,
        next_attempt_at TEXT
      ) STRICT;
      CREATE INDEX event_delivery_attempts_event ON event_delivery_attempts (event_id);
    `,
  },
];
