/**
 * One page of the fleet in one query, for both dialects: devices joined to their latest appraisal
 * (narrow columns only, never the posture), filtered, ordered by an indexed key and continued
 * from a cursor (keyset pagination: a page costs the same at row 100 and at row 100,000).
 */
import type { ComplianceStatus, EarStatus } from '../../policy/types.js';
import type { ColumnDecoder } from './store-helpers.js';
import type { DeviceListPage, DeviceListQuery, DeviceListRow, DeviceSort, DeviceState } from './store.js';

export interface ListDialect {
  /** The SQL for the n-th (1-based) parameter. */
  placeholder(index: number): string;
  /** A date as this driver takes it. */
  date(value: Date): unknown;
  /** Concatenates a column's values with spaces. */
  joinWithSpaces(column: string): string;
  /** Case-insensitive LIKE. */
  likeInsensitive: string;
  decode: ColumnDecoder;
}

/** The ordering expressions match the indexes of migration 4 exactly, so they are used. */
const SORT_EXPRESSIONS: Record<DeviceSort, { expression: string; descending: boolean }> = {
  id: { expression: 'd.id', descending: false },
  hostname: { expression: "coalesce(d.hostname, '')", descending: false },
  lastSeen: { expression: 'coalesce(d.last_seen_at, d.enrolled_at)', descending: true },
};

export interface DeviceListRowData {
  id: string;
  hostname: string | null;
  serial: string | null;
  owner: string | null;
  platform: string | null;
  os_name: string | null;
  os_version: string | null;
  enrolled_at: unknown;
  last_seen_at: unknown;
  revoked_at: unknown;
  status: ComplianceStatus | null;
  ear_status: EarStatus | null;
  policy_id: string | null;
  policy_version: number | null;
  appraised_at: unknown;
  failing: string | null;
  sort_key: unknown;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** The SQL and its parameters for one page (it asks for one row more than the limit, to know whether there is a next page). */
export function deviceListSql(query: DeviceListQuery, dialect: ListDialect): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const parameter = (value: unknown): string => {
    values.push(value);
    return dialect.placeholder(values.length);
  };
  const sort = SORT_EXPRESSIONS[query.sort];
  const conditions: string[] = [];

  if (query.states !== undefined && query.states.length > 0) {
    let staleParameter: string | undefined;
    const stale = () => (staleParameter ??= parameter(dialect.date(query.staleBefore)));
    const byState: Record<DeviceState, () => string> = {
      revoked: () => 'd.revoked_at IS NOT NULL',
      unappraised: () => 'd.revoked_at IS NULL AND l.device_id IS NULL',
      stale: () => `d.revoked_at IS NULL AND l.created_at < ${stale()}`,
      compliant: () => `d.revoked_at IS NULL AND l.status = 'compliant' AND l.created_at >= ${stale()}`,
      warning: () => `d.revoked_at IS NULL AND l.status = 'warning' AND l.created_at >= ${stale()}`,
      noncompliant: () => `d.revoked_at IS NULL AND l.status = 'noncompliant' AND l.created_at >= ${stale()}`,
    };
    conditions.push(`(${[...new Set(query.states)].map((state) => `(${byState[state]()})`).join(' OR ')})`);
  }
  if (query.id !== undefined) conditions.push(`d.id = ${parameter(query.id)}`);
  if (query.platform !== undefined) conditions.push(`d.platform = ${parameter(query.platform)}`);
  if (query.failing !== undefined) {
    // The IN list drives the query from the failing_since_rule index (few rows) instead of scanning every device.
    const rule = parameter(query.failing);
    conditions.push(`d.id IN (SELECT f.device_id FROM failing_since f WHERE f.rule_id = ${rule})`);
    conditions.push(`EXISTS (SELECT 1 FROM failing_since f WHERE f.device_id = d.id AND f.policy_id = l.policy_id AND f.rule_id = ${rule})`);
  }
  if (query.seenBefore !== undefined) conditions.push(`coalesce(d.last_seen_at, d.enrolled_at) < ${parameter(dialect.date(query.seenBefore))}`);
  if (query.seenSince !== undefined) conditions.push(`coalesce(d.last_seen_at, d.enrolled_at) >= ${parameter(dialect.date(query.seenSince))}`);
  if (query.search !== undefined && query.search !== '') {
    const prefix = parameter(`${escapeLike(query.search)}%`);
    conditions.push(`(d.id LIKE ${prefix} ESCAPE '\\' OR d.hostname ${dialect.likeInsensitive} ${prefix} ESCAPE '\\' OR d.serial LIKE ${prefix} ESCAPE '\\'`
      + ` OR d.owner ${dialect.likeInsensitive} ${prefix} ESCAPE '\\')`);
  }
  if (query.after !== undefined) {
    const key = query.sort === 'lastSeen' ? dialect.date(new Date(query.after.key)) : query.after.key;
    conditions.push(`(${sort.expression}, d.id) ${sort.descending ? '<' : '>'} (${parameter(key)}, ${parameter(query.after.id)})`);
  }
  const direction = sort.descending ? 'DESC' : 'ASC';
  const sql = `
    SELECT d.id, d.hostname, d.serial, d.owner, d.platform, d.os_name, d.os_version, d.enrolled_at, d.last_seen_at, d.revoked_at,
      l.status, l.ear_status, l.policy_id, l.policy_version, l.created_at AS appraised_at,
      (SELECT ${dialect.joinWithSpaces('f.rule_id')} FROM failing_since f WHERE f.device_id = d.id AND f.policy_id = l.policy_id) AS failing,
      ${sort.expression} AS sort_key
    FROM devices d LEFT JOIN latest_appraisals l ON l.device_id = d.id
    ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
    ORDER BY ${sort.expression} ${direction}, d.id ${direction}
    LIMIT ${parameter(query.limit + 1)}`;
  return { sql, values };
}

function nullableDate(value: unknown, decode: ColumnDecoder): Date | null {
  return value === null || value === undefined ? null : decode.date(value);
}

function stateOf(row: DeviceListRowData, appraisedAt: Date | null, staleBefore: Date): DeviceState {
  if (row.revoked_at !== null) return 'revoked';
  if (row.status === null || appraisedAt === null) return 'unappraised';
  if (appraisedAt < staleBefore) return 'stale';
  return row.status;
}

function sortKeyText(row: DeviceListRowData, sort: DeviceSort, decode: ColumnDecoder): string {
  if (sort === 'lastSeen') return decode.date(row.sort_key).toISOString();
  return String(row.sort_key);
}

export function deviceListPage(rows: readonly DeviceListRowData[], query: DeviceListQuery, decode: ColumnDecoder): DeviceListPage {
  const page = rows.slice(0, query.limit);
  const devices: DeviceListRow[] = page.map((row) => {
    const appraisedAt = nullableDate(row.appraised_at, decode);
    return {
      id: row.id,
      hostname: row.hostname,
      serial: row.serial,
      owner: row.owner,
      platform: row.platform,
      osName: row.os_name,
      osVersion: row.os_version,
      enrolledAt: decode.date(row.enrolled_at),
      lastSeenAt: nullableDate(row.last_seen_at, decode),
      revokedAt: nullableDate(row.revoked_at, decode),
      state: stateOf(row, appraisedAt, query.staleBefore),
      latest: row.status === null || appraisedAt === null
        ? null
        : { status: row.status, earStatus: row.ear_status!, policy: `${row.policy_id}@${row.policy_version}`, at: appraisedAt },
      failing: row.failing === null || row.failing === '' ? [] : row.failing.split(' ').sort(),
    };
  });
  const last = page.at(-1);
  const next = rows.length > query.limit && last !== undefined ? { key: sortKeyText(last, query.sort, decode), id: last.id } : null;
  return { rows: devices, next };
}
