/**
 * PostgreSQL schema, in order: timestamptz for dates, jsonb for JSON. To change the schema, append
 * `{ version: N + 1, description, sql }`; never edit an applied migration.
 */
import type { Migration } from './migration.js';

export const POSTGRES_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    applied_at timestamptz NOT NULL
  )`;

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'enrolment tokens, devices, nonces, seen jtis, appraisals, failing-since, API keys',
    sql: `
      CREATE TABLE enrollment_tokens (
        id         text PRIMARY KEY,
        token_hash text NOT NULL UNIQUE,
        uses_left  integer NOT NULL CHECK (uses_left >= 0),
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        note       text
      );

      CREATE TABLE devices (
        id             text PRIMARY KEY,
        kid            text NOT NULL,
        jwk            jsonb NOT NULL,
        enrolled_at    timestamptz NOT NULL,
        hostname       text,
        platform       text,
        last_seen_at   timestamptz,
        revoked_at     timestamptz,
        revoked_reason text
      );
      CREATE INDEX devices_revoked ON devices (id) WHERE revoked_at IS NOT NULL;

      -- No foreign key to devices: enrolment spends a nonce and a jti before the device exists.
      CREATE TABLE nonces (
        nonce      text PRIMARY KEY,
        device_id  text NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at    timestamptz
      );
      CREATE INDEX nonces_expires_at ON nonces (expires_at);

      CREATE TABLE seen_jtis (
        device_id  text NOT NULL,
        jti        text NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (device_id, jti)
      );
      CREATE INDEX seen_jtis_expires_at ON seen_jtis (expires_at);

      CREATE TABLE appraisals (
        id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        device_id         text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        evidence_jti      text NOT NULL,
        policy_id         text NOT NULL,
        policy_version    integer NOT NULL,
        status            text NOT NULL CHECK (status IN ('compliant', 'warning', 'noncompliant')),
        ear_status        text NOT NULL CHECK (ear_status IN ('affirming', 'warning', 'contraindicated', 'none')),
        tiers             jsonb NOT NULL,
        verdicts          jsonb NOT NULL,
        posture           jsonb NOT NULL,
        result_jti        text NOT NULL,
        result_expires_at timestamptz NOT NULL,
        created_at        timestamptz NOT NULL
      );
      CREATE INDEX appraisals_device_newest ON appraisals (device_id, created_at DESC, id DESC);

      CREATE TABLE failing_since (
        device_id text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        policy_id text NOT NULL,
        rule_id   text NOT NULL,
        since     text NOT NULL,
        PRIMARY KEY (device_id, policy_id, rule_id)
      );

      CREATE TABLE api_keys (
        id         text PRIMARY KEY,
        key_hash   text NOT NULL UNIQUE,
        role       text NOT NULL CHECK (role IN ('admin', 'gateway')),
        name       text NOT NULL,
        created_at timestamptz NOT NULL,
        revoked_at timestamptz
      );
    `,
  },
  {
    version: 2,
    description: 'device reset (an administrator lets a known device enrol a new key) and the audit log',
    sql: `
      ALTER TABLE devices ADD COLUMN reset_at timestamptz;

      CREATE TABLE audit_log (
        id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at        timestamptz NOT NULL,
        actor     text NOT NULL,
        source    text,
        action    text NOT NULL,
        device_id text,
        detail    jsonb
      );
      CREATE INDEX audit_log_device ON audit_log (device_id, id DESC);
    `,
  },
  {
    version: 3,
    description: 'device certificates: the serial of every TLS client certificate the device CA issued',
    sql: `
      CREATE TABLE device_certificates (
        serial     text PRIMARY KEY,
        device_id  text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        tls_jkt    text NOT NULL,
        not_before timestamptz NOT NULL,
        not_after  timestamptz NOT NULL,
        issued_at  timestamptz NOT NULL
      );
      CREATE INDEX device_certificates_device_newest ON device_certificates (device_id, issued_at DESC);
    `,
  },
];
