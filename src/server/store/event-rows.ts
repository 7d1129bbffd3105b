/** Columns and row decoding of the events tables, shared by both dialects. */
import type { ColumnDecoder } from './store-helpers.js';
import type { DeviceState } from './store.js';
import type { DeliveryAttemptRecord, DeliveryOutcome, StateEvent } from './event-records.js';

export const STATE_EVENT_COLUMNS = 'e.seq, e.id, e.device_id, e.hostname, e.owner, e.previous_state, e.state, e.policy, e.failing, e.occurred_at';

export interface StateEventRow {
  seq: number | string;
  id: string;
  device_id: string;
  hostname: string | null;
  owner: string | null;
  previous_state: string;
  state: string;
  policy: string | null;
  failing: unknown;
  occurred_at: unknown;
}

export function stateEventFromRow(row: StateEventRow, decode: ColumnDecoder): StateEvent {
  const failing = decode.json(row.failing);
  return {
    id: row.id,
    seq: Number(row.seq),
    deviceId: row.device_id,
    hostname: row.hostname,
    owner: row.owner,
    previousState: row.previous_state as DeviceState,
    state: row.state as DeviceState,
    policy: row.policy,
    failing: Array.isArray(failing) ? failing.filter((rule): rule is string => typeof rule === 'string').sort() : [],
    occurredAt: decode.date(row.occurred_at),
  };
}

export const DELIVERY_ATTEMPT_COLUMNS = `a.id, a.event_id, e.device_id, e.previous_state, e.state, a.destination, a.attempt, a.at, a.outcome,
  a.status_code, a.error, a.next_attempt_at`;

export interface DeliveryAttemptRow {
  id: number | string;
  event_id: string;
  device_id: string;
  previous_state: string;
  state: string;
  destination: string;
  attempt: number;
  at: unknown;
  outcome: string;
  status_code: number | null;
  error: string | null;
  next_attempt_at: unknown;
}

export function deliveryAttemptFromRow(row: DeliveryAttemptRow, decode: ColumnDecoder): DeliveryAttemptRecord {
  return {
    id: Number(row.id),
    eventId: row.event_id,
    deviceId: row.device_id,
    previousState: row.previous_state as DeviceState,
    state: row.state as DeviceState,
    destination: row.destination,
    attempt: row.attempt,
    at: decode.date(row.at),
    outcome: row.outcome as DeliveryOutcome,
    statusCode: row.status_code,
    error: row.error,
    nextAttemptAt: row.next_attempt_at === null ? null : decode.date(row.next_attempt_at),
  };
}

/** Which attempts a query asks for: the WHERE conditions, with `placeholder(n)` for the n-th value. */
export function deliveryAttemptFilter(
  query: { eventId?: string; deviceId?: string; beforeId?: number },
  placeholder: (index: number) => string,
): { where: string; values: unknown[] } {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    values.push(value);
    conditions.push(sql(placeholder(values.length)));
  };
  if (query.eventId !== undefined) add((p) => `a.event_id = ${p}`, query.eventId);
  if (query.deviceId !== undefined) add((p) => `e.device_id = ${p}`, query.deviceId);
  if (query.beforeId !== undefined) add((p) => `a.id < ${p}`, query.beforeId);
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', values };
}
