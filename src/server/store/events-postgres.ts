/** The PostgreSQL statements behind the events outbox. Instances sharing the database skip each other's rows (SKIP LOCKED) and leases. */
import type pg from 'pg';
import type { ColumnDecoder } from './store-helpers.js';
import type { ClaimedDelivery, DeliveryAttemptQuery, DeliveryAttemptRecord, DeliveryResult, EventRouter, StateEvent } from './event-records.js';
import {
  DELIVERY_ATTEMPT_COLUMNS, STATE_EVENT_COLUMNS, deliveryAttemptFilter, deliveryAttemptFromRow, stateEventFromRow,
  type DeliveryAttemptRow, type StateEventRow,
} from './event-rows.js';

export interface EventsQueryable {
  query<Row extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<Row>>;
}

/** The state a device shows now, without staleness (the sweeper publishes that). */
const CURRENT_STATE = `CASE WHEN d.revoked_at IS NOT NULL THEN 'revoked'
  ELSE coalesce((SELECT l.status FROM latest_appraisals l WHERE l.device_id = d.id), 'unappraised') END`;

/** Publishes the device's state now (posture_publish_state of migration 7), in the caller's transaction. */
export async function publishDeviceState(client: EventsQueryable, deviceId: string, at: Date): Promise<void> {
  await client.query(`SELECT posture_publish_state(d.id, ${CURRENT_STATE}, $2) FROM devices d WHERE d.id = $1`, [deviceId, at]);
}

export function eventsPostgres(decode: ColumnDecoder) {
  return {
    async publishStale(client: EventsQueryable, staleBefore: Date, now: Date, batch: number): Promise<number> {
      const result = await client.query<{ published: number }>('SELECT posture_publish_stale($1, $2, $3) AS published', [staleBefore, now, batch]);
      return result.rows[0]?.published ?? 0;
    },
    /** In one transaction: takes unrouted events no other instance is routing, adds their deliveries, marks them routed. */
    async routeEvents(client: EventsQueryable, router: EventRouter, now: Date, batch: number): Promise<number> {
      const rows = (await client.query<StateEventRow>(
        `SELECT ${STATE_EVENT_COLUMNS} FROM event_outbox e WHERE NOT e.fanned_out ORDER BY e.seq LIMIT $1 FOR UPDATE SKIP LOCKED`, [batch])).rows;
      if (rows.length === 0) return 0;
      const events = rows.map((row) => stateEventFromRow(row, decode));
      const pairs = events.flatMap((event) => router(event).map((destination) => [event.id, destination] as const));
      if (pairs.length > 0) {
        await client.query(`
          INSERT INTO event_deliveries (event_id, destination, state, attempts, next_attempt_at)
          SELECT p.event_id, p.destination, 'pending', 0, $3 FROM unnest($1::text[], $2::text[]) AS p (event_id, destination)
          ON CONFLICT (event_id, destination) DO NOTHING`,
        [pairs.map(([eventId]) => eventId), pairs.map(([, destination]) => destination), now]);
      }
      await client.query('UPDATE event_outbox SET fanned_out = true WHERE seq = ANY($1::bigint[])', [events.map((event) => event.seq)]);
      return events.length;
    },
    async claimDeliveries(
      client: EventsQueryable, destinations: readonly string[], owner: string, now: Date, leaseUntil: Date, batch: number,
    ): Promise<ClaimedDelivery[]> {
      const claimed = (await client.query<StateEventRow & { destination: string; attempts: number }>(`
        WITH due AS (
          SELECT event_id, destination FROM event_deliveries
          WHERE state = 'pending' AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until <= $3) AND destination = ANY($4::text[])
          ORDER BY next_attempt_at LIMIT $5
          FOR UPDATE SKIP LOCKED
        ), leased AS (
          UPDATE event_deliveries d SET lease_owner = $1, lease_until = $2
          FROM due WHERE d.event_id = due.event_id AND d.destination = due.destination
          RETURNING d.event_id, d.destination, d.attempts
        )
        SELECT ${STATE_EVENT_COLUMNS}, leased.destination, leased.attempts FROM leased JOIN event_outbox e ON e.id = leased.event_id`,
      [owner, leaseUntil, now, destinations, batch])).rows;
      return claimed.map((row) => ({ event: stateEventFromRow(row, decode), destination: row.destination, attempts: row.attempts }));
    },
    async finishDelivery(client: EventsQueryable, result: DeliveryResult): Promise<boolean> {
      const state = result.outcome === 'retry' ? 'pending' : result.outcome;
      const inserted = await client.query(`
        WITH finished AS (
          UPDATE event_deliveries SET state = $1, attempts = attempts + 1, next_attempt_at = coalesce($2, next_attempt_at),
            lease_owner = NULL, lease_until = NULL
          WHERE event_id = $3 AND destination = $4 AND lease_owner = $5 AND state = 'pending'
          RETURNING attempts
        )
        INSERT INTO event_delivery_attempts (event_id, destination, attempt, at, outcome, status_code, error, next_attempt_at)
        SELECT $3, $4, finished.attempts, $6, $7, $8, $9, $2 FROM finished`,
      [state, result.nextAttemptAt, result.eventId, result.destination, result.leaseOwner, result.at, result.outcome, result.statusCode, result.error]);
      return inserted.rowCount === 1;
    },
    async listDeliveryAttempts(client: EventsQueryable, query: DeliveryAttemptQuery): Promise<DeliveryAttemptRecord[]> {
      const { where, values } = deliveryAttemptFilter(query, (index) => `$${index}`);
      const rows = (await client.query<DeliveryAttemptRow>(`
        SELECT ${DELIVERY_ATTEMPT_COLUMNS} FROM event_delivery_attempts a JOIN event_outbox e ON e.id = a.event_id
        ${where} ORDER BY a.id DESC LIMIT $${values.length + 1}`, [...values, query.limit])).rows;
      return rows.map((row) => deliveryAttemptFromRow(row, decode));
    },
    async listStateEvents(client: EventsQueryable, options: { deviceId?: string; limit: number }): Promise<StateEvent[]> {
      const rows = (await client.query<StateEventRow>(
        `SELECT ${STATE_EVENT_COLUMNS} FROM event_outbox e WHERE ($1::text IS NULL OR e.device_id = $1) ORDER BY e.seq DESC LIMIT $2`,
        [options.deviceId ?? null, options.limit])).rows;
      return rows.map((row) => stateEventFromRow(row, decode));
    },
    async pruneEvents(client: EventsQueryable, before: Date, batch: number): Promise<number> {
      const result = await client.query(`
        DELETE FROM event_outbox WHERE seq IN (SELECT seq FROM event_outbox WHERE occurred_at < $1 ORDER BY occurred_at LIMIT $2)`, [before, batch]);
      return result.rowCount ?? 0;
    },
  };
}
