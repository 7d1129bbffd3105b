/**
 * The console's read queries, for both dialects: the fleet's counts per state in one aggregate
 * query, failing rules ranked from the failing-since table, the daily counts table and one
 * device's history without its posture documents.
 */
import type { ComplianceStatus, Verdict } from '../../policy/types.js';
import type { ListDialect } from './device-list-query.js';
import { DEVICE_STATES, type DeviceHistoryEntry, type DeviceState, type FailingRuleCount, type FleetCounts, type FleetDay } from './store.js';

type Parameters = { sql: string; values: unknown[] };

function parameters(dialect: ListDialect) {
  const values: unknown[] = [];
  const add = (value: unknown): string => {
    values.push(value);
    return dialect.placeholder(values.length);
  };
  return { values, add };
}

export interface FleetCountsRow {
  compliant: unknown;
  warning: unknown;
  noncompliant: unknown;
  stale: unknown;
  revoked: unknown;
  unappraised: unknown;
  not_seen: unknown;
}

/**
 * The same state rules as the fleet list (revoked first, then unappraised, then stale), counted
 * without reading any device's row: one pass over the latest appraisals' listing index, less the
 * appraisals of the few revoked devices (CROSS JOIN makes SQLite start from those; PostgreSQL plans
 * it as any inner join), and the devices' own indexes for the rest.
 */
export function fleetCountsSql(staleBefore: Date, dialect: ListDialect): Parameters {
  const { values, add } = parameters(dialect);
  const stale = add(dialect.date(staleBefore));
  const byState = `
        count(*) FILTER (WHERE l.status = 'compliant' AND l.created_at >= ${stale}) AS compliant,
        count(*) FILTER (WHERE l.status = 'warning' AND l.created_at >= ${stale}) AS warning,
        count(*) FILTER (WHERE l.status = 'noncompliant' AND l.created_at >= ${stale}) AS noncompliant,
        count(*) FILTER (WHERE l.created_at < ${stale}) AS stale,
        count(*) AS appraised`;
  const sql = `
    SELECT
      a.compliant - r.compliant AS compliant,
      a.warning - r.warning AS warning,
      a.noncompliant - r.noncompliant AS noncompliant,
      a.stale - r.stale AS stale,
      (SELECT count(*) FROM devices d WHERE d.revoked_at IS NOT NULL) AS revoked,
      (SELECT count(*) FROM devices d) - (SELECT count(*) FROM devices d WHERE d.revoked_at IS NOT NULL) - (a.appraised - r.appraised) AS unappraised,
      (SELECT count(*) FROM devices d WHERE coalesce(d.last_seen_at, d.enrolled_at) < ${stale})
        - (SELECT count(*) FROM devices d WHERE d.revoked_at IS NOT NULL AND coalesce(d.last_seen_at, d.enrolled_at) < ${stale}) AS not_seen
    FROM (SELECT ${byState} FROM latest_appraisals l) a,
      (SELECT ${byState} FROM devices d CROSS JOIN latest_appraisals l WHERE l.device_id = d.id AND d.revoked_at IS NOT NULL) r`;
  return { sql, values };
}

export function fleetCountsFromRow(row: FleetCountsRow | undefined): FleetCounts {
  const states = Object.fromEntries(DEVICE_STATES.map((state) => [state, Number(row?.[state] ?? 0)])) as Record<DeviceState, number>;
  return { states, notSeen: Number(row?.not_seen ?? 0) };
}

export interface FailingRuleRow {
  rule_id: string;
  devices: unknown;
}

/**
 * Counted from the failing-since index alone (a device's rows are those of its latest appraisal
 * under that policy id), less the rows of revoked devices.
 */
export function failingRulesSql(options: { policyId: string; limit: number }, dialect: ListDialect): Parameters {
  const { values, add } = parameters(dialect);
  const policy = add(options.policyId);
  const sql = `
    SELECT rule_id, devices FROM (
      SELECT f.rule_id, count(*) - (
        SELECT count(*) FROM devices d CROSS JOIN failing_since g
        WHERE g.device_id = d.id AND d.revoked_at IS NOT NULL AND g.policy_id = f.policy_id AND g.rule_id = f.rule_id
      ) AS devices
      FROM failing_since f WHERE f.policy_id = ${policy}
      GROUP BY f.policy_id, f.rule_id
    ) ranked
    WHERE devices > 0
    ORDER BY devices DESC, rule_id
    LIMIT ${add(options.limit)}`;
  return { sql, values };
}

export function failingRuleFromRow(row: FailingRuleRow): FailingRuleCount {
  return { ruleId: row.rule_id, devices: Number(row.devices) };
}

const DAY_COLUMNS = DEVICE_STATES.join(', ');

/** Multi-instance safe: any instance may write a day; the last write wins (they count the same database). */
export function putFleetDaySql(day: FleetDay, now: Date, dialect: ListDialect): Parameters {
  const { values, add } = parameters(dialect);
  const counts = DEVICE_STATES.map((state) => add(day.counts[state]));
  const sql = `
    INSERT INTO fleet_daily (day, ${DAY_COLUMNS}, updated_at) VALUES (${add(day.day)}, ${counts.join(', ')}, ${add(dialect.date(now))})
    ON CONFLICT (day) DO UPDATE SET ${DEVICE_STATES.map((state) => `${state} = excluded.${state}`).join(', ')}, updated_at = excluded.updated_at`;
  return { sql, values };
}

export function listFleetDaysSql(since: string, dialect: ListDialect): Parameters {
  const { values, add } = parameters(dialect);
  return { sql: `SELECT day, ${DAY_COLUMNS} FROM fleet_daily WHERE day >= ${add(since)} ORDER BY day`, values };
}

export type FleetDayRow = { day: string } & Record<DeviceState, unknown>;

export function fleetDayFromRow(row: FleetDayRow): FleetDay {
  return { day: row.day, counts: Object.fromEntries(DEVICE_STATES.map((state) => [state, Number(row[state])])) as Record<DeviceState, number> };
}

export interface DeviceHistoryRow {
  id: unknown;
  created_at: unknown;
  status: ComplianceStatus;
  policy_id: string;
  policy_version: number;
  tiers: unknown;
  verdicts: unknown;
}

export function deviceHistorySql(deviceId: string, options: { limit: number; beforeSeq?: number }, dialect: ListDialect): Parameters {
  const { values, add } = parameters(dialect);
  const before = options.beforeSeq === undefined ? '' : `AND id < ${add(options.beforeSeq)}`;
  const sql = `
    SELECT id, created_at, status, policy_id, policy_version, tiers, verdicts
    FROM appraisals WHERE device_id = ${add(deviceId)} ${before}
    ORDER BY id DESC LIMIT ${add(options.limit)}`;
  return { sql, values };
}

export function deviceHistoryFromRow(row: DeviceHistoryRow, dialect: ListDialect): DeviceHistoryEntry {
  const verdicts = dialect.decode.json(row.verdicts) as Verdict[];
  return {
    seq: Number(row.id),
    at: dialect.decode.date(row.created_at),
    status: row.status,
    policy: `${row.policy_id}@${row.policy_version}`,
    tiers: dialect.decode.json(row.tiers) as string[],
    failing: verdicts.filter((verdict) => verdict.status !== 'pass').map((verdict) => verdict.id),
  };
}
