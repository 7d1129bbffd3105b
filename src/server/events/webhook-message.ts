/** A state change as a webhook: the JSON body and its Standard Webhooks signature headers. */
import { createHmac } from 'node:crypto';
import type { StateEvent } from '../store/event-records.js';

export const WEBHOOK_EVENT_TYPE = 'device.state_changed';

export function webhookBody(event: StateEvent): string {
  return JSON.stringify({
    type: WEBHOOK_EVENT_TYPE,
    id: event.id,
    time: event.occurredAt.toISOString(),
    data: {
      deviceId: event.deviceId,
      hostname: event.hostname,
      ...(event.owner === null ? {} : { owner: event.owner }),
      previousState: event.previousState,
      state: event.state,
      policy: event.policy,
      failing: event.failing,
    },
  });
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` (Standard Webhooks). */
export function webhookSignature(secret: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The headers of one attempt: the id stays the same on every retry, the timestamp is the attempt's. */
export function webhookHeaders(secret: Buffer, event: StateEvent, body: string, now: Date): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'content-type': 'application/json',
    'webhook-id': event.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': webhookSignature(secret, event.id, timestamp, body),
  };
}
