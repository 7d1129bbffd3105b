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
  {
    version: 4,
    description: 'bounded storage: each device\'s latest appraisal in its own row, history only of changes; listing columns and indexes; encrypted key sets; one-round-trip appraisal commit',
    sql: `
      CREATE SEQUENCE latest_appraisal_seq;
      CREATE TABLE latest_appraisals (
        device_id         text PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
        seq               bigint NOT NULL,
        created_at        timestamptz NOT NULL,
        status            text NOT NULL CHECK (status IN ('compliant', 'warning', 'noncompliant')),
        ear_status        text NOT NULL CHECK (ear_status IN ('affirming', 'warning', 'contraindicated', 'none')),
        policy_id         text NOT NULL,
        policy_version    integer NOT NULL,
        change_key        text NOT NULL,
        evidence_jti      text NOT NULL,
        result_jti        text NOT NULL,
        result_expires_at timestamptz NOT NULL,
        tiers             jsonb NOT NULL,
        verdicts          jsonb NOT NULL,
        posture           jsonb NOT NULL
      );
      CREATE UNIQUE INDEX latest_appraisals_seq ON latest_appraisals (seq);
      CREATE INDEX latest_appraisals_status ON latest_appraisals (status, device_id);

      INSERT INTO latest_appraisals (device_id, seq, created_at, status, ear_status, policy_id, policy_version, change_key,
        evidence_jti, result_jti, result_expires_at, tiers, verdicts, posture)
      SELECT DISTINCT ON (a.device_id) a.device_id, nextval('latest_appraisal_seq'), a.created_at, a.status, a.ear_status, a.policy_id,
        a.policy_version, '', a.evidence_jti, a.result_jti, a.result_expires_at, a.tiers, a.verdicts, a.posture
      FROM appraisals a
      ORDER BY a.device_id, a.created_at DESC, a.id DESC;

      ALTER TABLE devices ADD COLUMN serial text;
      ALTER TABLE devices ADD COLUMN os_name text;
      ALTER TABLE devices ADD COLUMN os_version text;
      CREATE INDEX devices_hostname ON devices (coalesce(hostname, ''), id);
      CREATE INDEX devices_seen ON devices (coalesce(last_seen_at, enrolled_at), id);
      CREATE INDEX appraisals_created_at ON appraisals (created_at, id);
      CREATE INDEX failing_since_rule ON failing_since (policy_id, rule_id, device_id);
      CREATE INDEX device_certificates_not_after ON device_certificates (not_after);

      CREATE TABLE key_sets (
        purpose    text PRIMARY KEY,
        version    bigint NOT NULL,
        envelope   text NOT NULL,
        updated_at timestamptz NOT NULL
      );

      -- One round trip per appraisal: checks the device (enrolled, this key, not revoked), spends the
      -- nonce and the Evidence jti, and stores the appraisal (history only when it changed), in the
      -- caller's single statement. Returns 'saved' with the new seq, or why nothing was stored.
      CREATE FUNCTION posture_commit_appraisal(
        p_device_id text, p_kid text, p_nonce text, p_now timestamptz, p_jti text, p_jti_expires_at timestamptz,
        p_policy_id text, p_policy_version integer, p_status text, p_ear_status text, p_change_key text,
        p_evidence_jti text, p_result_jti text, p_result_expires_at timestamptz, p_tiers jsonb, p_verdicts jsonb, p_posture jsonb,
        p_created_at timestamptz, p_hostname text, p_platform text, p_serial text, p_os_name text, p_os_version text,
        p_failing_rules text[], p_failing_since text[]
      ) RETURNS TABLE (outcome text, seq bigint, changed boolean)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_kid text;
        v_revoked timestamptz;
        v_previous_key text;
        v_seq bigint;
        v_changed boolean;
      BEGIN
        SELECT d.kid, d.revoked_at INTO v_kid, v_revoked FROM devices d WHERE d.id = p_device_id FOR UPDATE;
        IF NOT FOUND THEN RETURN QUERY SELECT 'unknown-device'::text, NULL::bigint, false; RETURN; END IF;
        IF p_kid IS NOT NULL AND v_kid <> p_kid THEN RETURN QUERY SELECT 'key-replaced'::text, NULL::bigint, false; RETURN; END IF;
        IF v_revoked IS NOT NULL THEN RETURN QUERY SELECT 'revoked'::text, NULL::bigint, false; RETURN; END IF;
        IF p_nonce IS NOT NULL THEN
          UPDATE nonces SET used_at = p_now
          WHERE nonce = p_nonce AND device_id = p_device_id AND used_at IS NULL AND expires_at > p_now;
          IF NOT FOUND THEN RETURN QUERY SELECT 'nonce'::text, NULL::bigint, false; RETURN; END IF;
          INSERT INTO seen_jtis (device_id, jti, expires_at) VALUES (p_device_id, p_jti, p_jti_expires_at)
          ON CONFLICT (device_id, jti) DO NOTHING;
          IF NOT FOUND THEN RETURN QUERY SELECT 'replay'::text, NULL::bigint, false; RETURN; END IF;
        END IF;

        SELECT l.change_key INTO v_previous_key FROM latest_appraisals l WHERE l.device_id = p_device_id;
        v_changed := v_previous_key IS DISTINCT FROM p_change_key;
        v_seq := nextval('latest_appraisal_seq');
        INSERT INTO latest_appraisals AS l (device_id, seq, created_at, status, ear_status, policy_id, policy_version, change_key,
          evidence_jti, result_jti, result_expires_at, tiers, verdicts, posture)
        VALUES (p_device_id, v_seq, p_created_at, p_status, p_ear_status, p_policy_id, p_policy_version, p_change_key,
          p_evidence_jti, p_result_jti, p_result_expires_at, p_tiers, p_verdicts, p_posture)
        ON CONFLICT (device_id) DO UPDATE SET seq = excluded.seq, created_at = excluded.created_at, status = excluded.status,
          ear_status = excluded.ear_status, policy_id = excluded.policy_id, policy_version = excluded.policy_version,
          change_key = excluded.change_key, evidence_jti = excluded.evidence_jti, result_jti = excluded.result_jti,
          result_expires_at = excluded.result_expires_at, tiers = excluded.tiers, verdicts = excluded.verdicts, posture = excluded.posture;

        IF v_changed THEN
          INSERT INTO appraisals (device_id, evidence_jti, policy_id, policy_version, status, ear_status, tiers, verdicts, posture,
            result_jti, result_expires_at, created_at)
          VALUES (p_device_id, p_evidence_jti, p_policy_id, p_policy_version, p_status, p_ear_status, p_tiers, p_verdicts, p_posture,
            p_result_jti, p_result_expires_at, p_created_at);
          DELETE FROM failing_since WHERE device_id = p_device_id AND policy_id = p_policy_id;
          INSERT INTO failing_since (device_id, policy_id, rule_id, since)
          SELECT p_device_id, p_policy_id, f.rule_id, f.since FROM unnest(p_failing_rules, p_failing_since) AS f (rule_id, since);
        END IF;

        UPDATE devices SET last_seen_at = p_created_at, hostname = coalesce(p_hostname, hostname), platform = coalesce(p_platform, platform),
          serial = coalesce(p_serial, serial), os_name = coalesce(p_os_name, os_name), os_version = coalesce(p_os_version, os_version)
        WHERE id = p_device_id;
        PERFORM pg_notify('posture_device_changed', p_device_id || ' ' || v_seq);
        RETURN QUERY SELECT 'saved'::text, v_seq, v_changed;
      END
      $fn$;
    `,
  },
  {
    version: 5,
    description: 'console sign-in: sessions, one-time sign-in links, OpenID Connect sign-ins in progress; revocable enrolment tokens',
    sql: `
      CREATE TABLE console_sessions (
        id_hash      text PRIMARY KEY,
        subject      text NOT NULL,
        name         text,
        email        text,
        role         text NOT NULL CHECK (role IN ('admin', 'viewer')),
        created_at   timestamptz NOT NULL,
        last_used_at timestamptz NOT NULL,
        expires_at   timestamptz NOT NULL,
        source       text
      );
      CREATE INDEX console_sessions_expires_at ON console_sessions (expires_at);

      CREATE TABLE console_links (
        id         text PRIMARY KEY,
        token_hash text NOT NULL UNIQUE,
        role       text NOT NULL CHECK (role IN ('admin', 'viewer')),
        name       text,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at    timestamptz
      );

      CREATE TABLE console_oidc_flows (
        id_hash       text PRIMARY KEY,
        state         text NOT NULL,
        nonce         text NOT NULL,
        code_verifier text NOT NULL,
        expires_at    timestamptz NOT NULL
      );
      CREATE INDEX console_oidc_flows_expires_at ON console_oidc_flows (expires_at);

      ALTER TABLE enrollment_tokens ADD COLUMN revoked_at timestamptz;
    `,
  },
  {
    version: 6,
    description: 'console data: device owners, daily fleet counts',
    sql: `
      ALTER TABLE devices ADD COLUMN owner text;
      CREATE INDEX devices_owner ON devices (lower(owner) text_pattern_ops) WHERE owner IS NOT NULL;
      -- Covers what the fleet's counts, lists and failing-rule ranking read of the latest appraisals (never the posture).
      CREATE INDEX latest_appraisals_listing ON latest_appraisals (device_id, status, created_at, policy_id, policy_version, ear_status);

      -- One row per UTC day (YYYY-MM-DD): the fleet's devices per state, last written at updated_at.
      CREATE TABLE fleet_daily (
        day          text PRIMARY KEY,
        compliant    integer NOT NULL,
        warning      integer NOT NULL,
        noncompliant integer NOT NULL,
        stale        integer NOT NULL,
        revoked      integer NOT NULL,
        unappraised  integer NOT NULL,
        updated_at   timestamptz NOT NULL
      );
    `,
  },
  {
    version: 7,
    description: 'events: the outbox of device state changes, webhook and SET deliveries',
    sql: `
      ALTER TABLE devices ADD COLUMN published_state text NOT NULL DEFAULT 'unappraised';
      UPDATE devices d SET published_state = CASE
        WHEN d.revoked_at IS NOT NULL THEN 'revoked'
        ELSE coalesce((SELECT l.status FROM latest_appraisals l WHERE l.device_id = d.id), 'unappraised') END;
      CREATE INDEX latest_appraisals_created_at ON latest_appraisals (created_at);

      CREATE TABLE event_outbox (
        seq            bigserial PRIMARY KEY,
        id             text NOT NULL UNIQUE,
        device_id      text NOT NULL,
        hostname       text,
        owner          text,
        previous_state text NOT NULL,
        state          text NOT NULL,
        policy         text,
        failing        jsonb NOT NULL,
        occurred_at    timestamptz NOT NULL,
        fanned_out     boolean NOT NULL DEFAULT false
      );
      CREATE INDEX event_outbox_unrouted ON event_outbox (seq) WHERE NOT fanned_out;
      CREATE INDEX event_outbox_occurred ON event_outbox (occurred_at);

      CREATE TABLE event_deliveries (
        event_id        text NOT NULL REFERENCES event_outbox (id) ON DELETE CASCADE,
        destination     text NOT NULL,
        state           text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_owner     text,
        lease_until     timestamptz,
        PRIMARY KEY (event_id, destination)
      );
      CREATE INDEX event_deliveries_due ON event_deliveries (next_attempt_at) WHERE state = 'pending';

      CREATE TABLE event_delivery_attempts (
        id              bigserial PRIMARY KEY,
        event_id        text NOT NULL REFERENCES event_outbox (id) ON DELETE CASCADE,
        destination     text NOT NULL,
        attempt         integer NOT NULL,
        at              timestamptz NOT NULL,
        outcome         text NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed')),
        status_code     integer,
        error           text,
        next_attempt_at timestamptz
      );
      CREATE INDEX event_delivery_attempts_event ON event_delivery_attempts (event_id);

      -- Records a device's new state when it differs from the one last published, with an outbox
      -- event in the caller's transaction. A first appraisal that finds the device compliant is
      -- published silently (nothing recovered). The caller holds the device row (FOR UPDATE).
      CREATE FUNCTION posture_publish_state(p_device_id text, p_state text, p_at timestamptz) RETURNS boolean
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_previous text;
      BEGIN
        SELECT d.published_state INTO v_previous FROM devices d WHERE d.id = p_device_id FOR UPDATE;
        IF NOT FOUND OR v_previous = p_state THEN RETURN false; END IF;
        UPDATE devices SET published_state = p_state WHERE id = p_device_id;
        IF v_previous = 'unappraised' AND p_state = 'compliant' THEN RETURN false; END IF;
        INSERT INTO event_outbox (id, device_id, hostname, owner, previous_state, state, policy, failing, occurred_at)
        SELECT gen_random_uuid()::text, d.id, d.hostname, d.owner, v_previous, p_state,
          CASE WHEN l.device_id IS NULL THEN NULL ELSE l.policy_id || '@' || l.policy_version END,
          coalesce((SELECT jsonb_agg(f.rule_id ORDER BY f.rule_id) FROM failing_since f WHERE f.device_id = d.id AND f.policy_id = l.policy_id), '[]'::jsonb),
          p_at
        FROM devices d LEFT JOIN latest_appraisals l ON l.device_id = d.id
        WHERE d.id = p_device_id;
        RETURN true;
      END
      $fn$;

      -- Publishes 'stale' for at most p_batch devices whose latest appraisal is older than
      -- p_stale_before; rows another instance holds are skipped (it is publishing them).
      CREATE FUNCTION posture_publish_stale(p_stale_before timestamptz, p_at timestamptz, p_batch integer) RETURNS integer
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_device record;
        v_count integer := 0;
      BEGIN
        FOR v_device IN
          SELECT d.id FROM latest_appraisals l JOIN devices d ON d.id = l.device_id
          WHERE l.created_at < p_stale_before AND d.revoked_at IS NULL AND d.published_state IN ('compliant', 'warning', 'noncompliant')
          ORDER BY l.created_at LIMIT p_batch
          FOR UPDATE OF d, l SKIP LOCKED
        LOOP
          IF posture_publish_state(v_device.id, 'stale', p_at) THEN v_count := v_count + 1; END IF;
        END LOOP;
        RETURN v_count;
      END
      $fn$;

      CREATE OR REPLACE FUNCTION posture_commit_appraisal(
        p_device_id text, p_kid text, p_nonce text, p_now timestamptz, p_jti text, p_jti_expires_at timestamptz,
        p_policy_id text, p_policy_version integer, p_status text, p_ear_status text, p_change_key text,
        p_evidence_jti text, p_result_jti text, p_result_expires_at timestamptz, p_tiers jsonb, p_verdicts jsonb, p_posture jsonb,
        p_created_at timestamptz, p_hostname text, p_platform text, p_serial text, p_os_name text, p_os_version text,
        p_failing_rules text[], p_failing_since text[]
      ) RETURNS TABLE (outcome text, seq bigint, changed boolean)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_kid text;
        v_revoked timestamptz;
        v_previous_key text;
        v_seq bigint;
        v_changed boolean;
      BEGIN
        SELECT d.kid, d.revoked_at INTO v_kid, v_revoked FROM devices d WHERE d.id = p_device_id FOR UPDATE;
        IF NOT FOUND THEN RETURN QUERY SELECT 'unknown-device'::text, NULL::bigint, false; RETURN; END IF;
        IF p_kid IS NOT NULL AND v_kid <> p_kid THEN RETURN QUERY SELECT 'key-replaced'::text, NULL::bigint, false; RETURN; END IF;
        IF v_revoked IS NOT NULL THEN RETURN QUERY SELECT 'revoked'::text, NULL::bigint, false; RETURN; END IF;
        IF p_nonce IS NOT NULL THEN
          UPDATE nonces SET used_at = p_now
          WHERE nonce = p_nonce AND device_id = p_device_id AND used_at IS NULL AND expires_at > p_now;
          IF NOT FOUND THEN RETURN QUERY SELECT 'nonce'::text, NULL::bigint, false; RETURN; END IF;
          INSERT INTO seen_jtis (device_id, jti, expires_at) VALUES (p_device_id, p_jti, p_jti_expires_at)
          ON CONFLICT (device_id, jti) DO NOTHING;
          IF NOT FOUND THEN RETURN QUERY SELECT 'replay'::text, NULL::bigint, false; RETURN; END IF;
        END IF;

        SELECT l.change_key INTO v_previous_key FROM latest_appraisals l WHERE l.device_id = p_device_id;
        v_changed := v_previous_key IS DISTINCT FROM p_change_key;
        v_seq := nextval('latest_appraisal_seq');
        INSERT INTO latest_appraisals AS l (device_id, seq, created_at, status, ear_status, policy_id, policy_version, change_key,
          evidence_jti, result_jti, result_expires_at, tiers, verdicts, posture)
        VALUES (p_device_id, v_seq, p_created_at, p_status, p_ear_status, p_policy_id, p_policy_version, p_change_key,
          p_evidence_jti, p_result_jti, p_result_expires_at, p_tiers, p_verdicts, p_posture)
        ON CONFLICT (device_id) DO UPDATE SET seq = excluded.seq, created_at = excluded.created_at, status = excluded.status,
          ear_status = excluded.ear_status, policy_id = excluded.policy_id, policy_version = excluded.policy_version,
          change_key = excluded.change_key, evidence_jti = excluded.evidence_jti, result_jti = excluded.result_jti,
          result_expires_at = excluded.result_expires_at, tiers = excluded.tiers, verdicts = excluded.verdicts, posture = excluded.posture;

        IF v_changed THEN
          INSERT INTO appraisals (device_id, evidence_jti, policy_id, policy_version, status, ear_status, tiers, verdicts, posture,
            result_jti, result_expires_at, created_at)
          VALUES (p_device_id, p_evidence_jti, p_policy_id, p_policy_version, p_status, p_ear_status, p_tiers, p_verdicts, p_posture,
            p_result_jti, p_result_expires_at, p_created_at);
          DELETE FROM failing_since WHERE device_id = p_device_id AND policy_id = p_policy_id;
          INSERT INTO failing_since (device_id, policy_id, rule_id, since)
          SELECT p_device_id, p_policy_id, f.rule_id, f.since FROM unnest(p_failing_rules, p_failing_since) AS f (rule_id, since);
        END IF;

        UPDATE devices SET last_seen_at = p_created_at, hostname = coalesce(p_hostname, hostname), platform = coalesce(p_platform, platform),
          serial = coalesce(p_serial, serial), os_name = coalesce(p_os_name, os_name), os_version = coalesce(p_os_version, os_version)
        WHERE id = p_device_id;
        PERFORM posture_publish_state(p_device_id, p_status, p_created_at);
        PERFORM pg_notify('posture_device_changed', p_device_id || ' ' || v_seq);
        RETURN QUERY SELECT 'saved'::text, v_seq, v_changed;
      END
      $fn$;
    `,
  },
];
