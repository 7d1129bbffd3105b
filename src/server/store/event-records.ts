/** What the events outbox stores: device state changes and their deliveries to webhooks and SSF receivers. */
import type { DeviceState } from './store.js';

/** One published change of a device's state; `id` is stable (receivers deduplicate on it). */
export interface StateEvent {
  id: string;
  /** Orders events (higher is newer). */
  seq: number;
  deviceId: string;
  hostname: string | null;
  owner: string | null;
  previousState: DeviceState;
  state: DeviceState;
  /** `id@version` of the policy of the device's latest appraisal, null before the first. */
  policy: string | null;
  /** Rule ids the latest appraisal found failing. */
  failing: string[];
  occurredAt: Date;
}

/** A delivery this instance holds a lease on until it reports the outcome. */
export interface ClaimedDelivery {
  event: StateEvent;
  destination: string;
  /** Attempts made before this one. */
  attempts: number;
}

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed';

export interface DeliveryResult {
  eventId: string;
  destination: string;
  /** The lease this instance took; a result from a lease another instance has since taken over is ignored. */
  leaseOwner: string;
  at: Date;
  outcome: DeliveryOutcome;
  statusCode: number | null;
  /** Why it failed, without secrets. */
  error: string | null;
  /** For `retry`: when to try again. */
  nextAttemptAt: Date | null;
}

export interface DeliveryAttemptRecord {
  id: number;
  eventId: string;
  deviceId: string;
  previousState: DeviceState;
  state: DeviceState;
  destination: string;
  /** 1 for the first attempt. */
  attempt: number;
  at: Date;
  outcome: DeliveryOutcome;
  statusCode: number | null;
  error: string | null;
  nextAttemptAt: Date | null;
}

export interface DeliveryAttemptQuery {
  limit: number;
  eventId?: string;
  deviceId?: string;
  /** Older than this attempt id (paging). */
  beforeId?: number;
}

/** Which configured destinations an event goes to. */
export type EventRouter = (event: StateEvent) => readonly string[];
