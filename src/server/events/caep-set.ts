/**
 * A state change as a CAEP device-compliance-change Security Event Token (RFC 8417, OpenID SSF
 * 1.0 / CAEP 1.0), signed with the service's Result-signing key (its kid is in /.well-known/jwks.json).
 */
import { createHash } from 'node:crypto';
import { signCompactJws } from '../../attest/compact-jws.js';
import type { Es256Key } from '../../attest/es256-key.js';
import type { StateEvent } from '../store/event-records.js';
import type { DeviceState } from '../store/store.js';

export const CAEP_DEVICE_COMPLIANCE_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/device-compliance-change';
export const SET_TYPE = 'secevent+jwt';

type CaepStatus = 'compliant' | 'not-compliant';

/** Compliant and in-grace devices are compliant; failing, revoked and stale ones are not; an unappraised one is neither. */
export function caepStatus(state: DeviceState): CaepStatus | null {
  if (state === 'compliant' || state === 'warning') return 'compliant';
  if (state === 'noncompliant' || state === 'revoked' || state === 'stale') return 'not-compliant';
  return null;
}

/** Whether the change crosses compliance, so SSF receivers hear of it. */
export function crossesCompliance(event: StateEvent): boolean {
  const previous = caepStatus(event.previousState);
  const current = caepStatus(event.state);
  return previous !== null && current !== null && previous !== current;
}

/** The same for every attempt of this event to this receiver, so the receiver can deduplicate. */
export function setJti(eventId: string, receiverKey: string): string {
  return createHash('sha256').update(`${eventId}\n${receiverKey}`).digest('base64url').slice(0, 32);
}

function subject(event: StateEvent): Record<string, unknown> {
  const device = { format: 'opaque', id: event.deviceId };
  if (event.owner === null) return device;
  const user = event.owner.includes('@') ? { format: 'email', email: event.owner } : { format: 'opaque', id: event.owner };
  return { format: 'complex', device, user };
}

function reason(event: StateEvent): string {
  const name = event.hostname === null ? `Device ${event.deviceId}` : `Device ${event.hostname} (${event.deviceId})`;
  const failing = event.state === 'noncompliant' && event.failing.length > 0 ? `; failing: ${event.failing.join(', ')}` : '';
  return `${name} went from ${event.previousState} to ${event.state}${failing}`;
}

export interface SetOptions {
  issuer: string;
  audience: string;
  receiverKey: string;
  signer: Es256Key;
  now: Date;
}

/** The signed SET for a change that crosses compliance. */
export function caepSet(event: StateEvent, options: SetOptions): string {
  const payload = {
    iss: options.issuer,
    aud: options.audience,
    iat: Math.floor(options.now.getTime() / 1000),
    jti: setJti(event.id, options.receiverKey),
    txn: event.id,
    sub_id: subject(event),
    events: {
      [CAEP_DEVICE_COMPLIANCE_CHANGE]: {
        previous_status: caepStatus(event.previousState),
        current_status: caepStatus(event.state),
        event_timestamp: Math.floor(event.occurredAt.getTime() / 1000),
        initiating_entity: event.state === 'revoked' || event.previousState === 'revoked' ? 'admin' : 'policy',
        reason_admin: { en: reason(event) },
      },
    },
  };
  return signCompactJws({ alg: 'ES256', typ: SET_TYPE, kid: options.signer.kid }, payload, options.signer.signingKey);
}
