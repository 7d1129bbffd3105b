/** The SQLite statements behind the events outbox, prepared once per connection; callers run them in their own transactions. */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ColumnDecoder } from './store-helpers.js';
import type { DeviceState } from './store.js';
import type { ClaimedDelivery, DeliveryAttemptQuery, DeliveryAttemptRecord, DeliveryResult, EventRouter, StateEvent } from './event-records.js';
import {
  DELIVERY_ATTEMPT_COLUMNS, STATE_EVENT_COLUMNS, deliveryAttemptFilter, deliveryAttemptFromRow, stateEventFromRow,
  type DeliveryAttemptRow, type StateEventRow,
} from './event-rows.js';

function iso(date: Date): string {
  return date.toISOString();
}

function prepare(db: Database.Database) {
  return {
    publishedState: db.prepare<[string], { published_state: string; status: string | null; revoked: number }>(`
      SELECT d.published_state, l.status, d.revoked_at IS NOT NULL AS revoked
      FROM devices d LEFT JOIN latest_appraisals l ON l.device_id = d.id WHERE d.id = ?`),
    setPublished: db.prepare<[string, string]>('UPDATE devices SET published_state = ? WHERE id = ?'),
    insertEvent: db.prepare<{ id: string; deviceId: string; previous: string; state: string; at: string }>(`
      INSERT INTO event_outbox (id, device_id, hostname, owner, previous_state, state, policy, failing, occurred_at)
      SELECT @id, d.id, d.hostname, d.owner, @previous, @state,
        CASE WHEN l.device_id IS NULL THEN NULL ELSE l.policy_id || '@' || l.policy_version END,
        (SELECT json_group_array(f.rule_id) FROM failing_since f WHERE f.device_id = d.id AND f.policy_id = l.policy_id),
        @at
      FROM devices d LEFT JOIN latest_appraisals l ON l.device_id = d.id WHERE d.id = @deviceId`),
    staleDevices: db.prepare<[string, number], { id: string }>(`
      SELECT d.id FROM latest_appraisals l JOIN devices d ON d.id = l.device_id
      WHERE l.created_at < ? AND d.revoked_at IS NULL AND d.published_state IN ('compliant', 'warning', 'noncompliant')
      ORDER BY l.created_at LIMIT ?`),
    unrouted: db.prepare<[number], StateEventRow>(`SELECT ${STATE_EVENT_COLUMNS} FROM event_outbox e WHERE e.fanned_out = 0 ORDER BY e.seq LIMIT ?`),
    insertDelivery: db.prepare<[string, string, string]>(`
      INSERT INTO event_deliveries (event_id, destination, state, attempts, next_attempt_at) VALUES (?, ?, 'pending', 0, ?)
      ON CONFLICT (event_id, destination) DO NOTHING`),
    markRouted: db.prepare<[number]>('UPDATE event_outbox SET fanned_out = 1 WHERE seq = ?'),
    claim: db.prepare<{ owner: string; until: string; now: string; destinations: string; batch: number }, { event_id: string; destination: string; attempts: number }>(`
      UPDATE event_deliveries SET lease_owner = @owner, lease_until = @until
      WHERE rowid IN (
        SELECT rowid FROM event_deliveries
        WHERE state = 'pending' AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
          AND destination IN (SELECT value FROM json_each(@destinations))
        ORDER BY next_attempt_at LIMIT @batch)
      RETURNING event_id, destination, attempts`),
    eventsById: db.prepare<[string], StateEventRow>(`
      SELECT ${STATE_EVENT_COLUMNS} FROM event_outbox e WHERE e.id IN (SELECT value FROM json_each(?))`),
    finish: db.prepare<{ state: string; next: string | null; eventId: string; destination: string; owner: string }, { attempts: number }>(`
      UPDATE event_deliveries SET state = @state, attempts = attempts + 1, next_attempt_at = coalesce(@next, next_attempt_at),
        lease_owner = NULL, lease_until = NULL
      WHERE event_id = @eventId AND destination = @destination AND lease_owner = @owner AND state = 'pending'
      RETURNING attempts`),
    insertAttempt: db.prepare<[string, string, number, string, string, number | null, string | null, string | null]>(`
      INSERT INTO event_delivery_attempts (event_id, destination, attempt, at, outcome, status_code, error, next_attempt_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    listEvents: db.prepare<[string | null, string | null, number], StateEventRow>(`
      SELECT ${STATE_EVENT_COLUMNS} FROM event_outbox e WHERE (? IS NULL OR e.device_id = ?) ORDER BY e.seq DESC LIMIT ?`),
    pruneEvents: db.prepare<[string, number]>(`
      DELETE FROM event_outbox WHERE seq IN (SELECT seq FROM event_outbox WHERE occurred_at < ? ORDER BY occurred_at LIMIT ?)`),
  };
}

type EventStatements = ReturnType<typeof prepare>;
const prepared = new WeakMap<Database.Database, EventStatements>();

/** The state a device shows now, without staleness (the sweeper publishes that). */
function currentState(row: { status: string | null; revoked: number }): DeviceState {
  if (row.revoked === 1) return 'revoked';
  return (row.status as DeviceState | null) ?? 'unappraised';
}

/** The events outbox on one connection; the caller runs these inside its own transaction and error handling. */
export function eventsSqlite(db: Database.Database, decode: ColumnDecoder) {
  let statements = prepared.get(db);
  if (statements === undefined) {
    statements = prepare(db);
    prepared.set(db, statements);
  }
  const s = statements;

  /** Records `state` (default: the device's state now) if it differs from the one last published, with an outbox event. */
  function publishState(deviceId: string, at: Date, state?: DeviceState): boolean {
    const row = s.publishedState.get(deviceId);
    if (row === undefined) return false;
    const next = state ?? currentState(row);
    const previous = row.published_state;
    if (previous === next) return false;
    s.setPublished.run(next, deviceId);
    // A first appraisal that finds the device compliant recovers nothing: no event.
    if (previous === 'unappraised' && next === 'compliant') return false;
    s.insertEvent.run({ id: randomUUID(), deviceId, previous, state: next, at: iso(at) });
    return true;
  }

  return {
    publishState,
    publishStale(staleBefore: Date, now: Date, batch: number): number {
      let published = 0;
      for (const { id } of s.staleDevices.all(iso(staleBefore), batch)) {
        if (publishState(id, now, 'stale')) published += 1;
      }
      return published;
    },
    routeEvents(router: EventRouter, now: Date, batch: number): number {
      const rows = s.unrouted.all(batch);
      for (const row of rows) {
        const event = stateEventFromRow(row, decode);
        for (const destination of router(event)) s.insertDelivery.run(event.id, destination, iso(now));
        s.markRouted.run(event.seq);
      }
      return rows.length;
    },
    claimDeliveries(destinations: readonly string[], owner: string, now: Date, leaseUntil: Date, batch: number): ClaimedDelivery[] {
      const claimed = s.claim.all({ owner, until: iso(leaseUntil), now: iso(now), destinations: JSON.stringify(destinations), batch });
      if (claimed.length === 0) return [];
      const events = new Map(s.eventsById.all(JSON.stringify([...new Set(claimed.map((row) => row.event_id))]))
        .map((row) => [row.id, stateEventFromRow(row, decode)]));
      return claimed.flatMap((row) => {
        const event = events.get(row.event_id);
        return event === undefined ? [] : [{ event, destination: row.destination, attempts: row.attempts }];
      });
    },
    finishDelivery(result: DeliveryResult): boolean {
      const state = result.outcome === 'retry' ? 'pending' : result.outcome;
      const next = result.nextAttemptAt === null ? null : iso(result.nextAttemptAt);
      const updated = s.finish.get({ state, next, eventId: result.eventId, destination: result.destination, owner: result.leaseOwner });
      if (updated === undefined) return false;
      s.insertAttempt.run(result.eventId, result.destination, updated.attempts, iso(result.at), result.outcome, result.statusCode, result.error, next);
      return true;
    },
    listDeliveryAttempts(query: DeliveryAttemptQuery): DeliveryAttemptRecord[] {
      const { where, values } = deliveryAttemptFilter(query, () => '?');
      return db.prepare<unknown[], DeliveryAttemptRow>(`
        SELECT ${DELIVERY_ATTEMPT_COLUMNS} FROM event_delivery_attempts a JOIN event_outbox e ON e.id = a.event_id
        ${where} ORDER BY a.id DESC LIMIT ?`).all(...values, query.limit).map((row) => deliveryAttemptFromRow(row, decode));
    },
    listStateEvents(options: { deviceId?: string; limit: number }): StateEvent[] {
      const deviceId = options.deviceId ?? null;
      return s.listEvents.all(deviceId, deviceId, options.limit).map((row) => stateEventFromRow(row, decode));
    },
    pruneEvents(before: Date, batch: number): number {
      return s.pruneEvents.run(iso(before), batch).changes;
    },
  };
}
