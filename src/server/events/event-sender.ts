/** One attempt to hand an event to one destination over HTTP; what came of it, with any secret left out. */
import type { ServiceKeys } from '../service-keys.js';
import type { StateEvent } from '../store/event-records.js';
import { caepSet } from './caep-set.js';
import type { EventDestination } from './events-config.js';
import { webhookBody, webhookHeaders } from './webhook-message.js';

export type SendResult =
  | { outcome: 'delivered'; statusCode: number }
  /** Worth trying again (network error, timeout, 5xx, unexpected answer). */
  | { outcome: 'retry'; statusCode: number | null; error: string }
  /** The receiver refused the event itself (RFC 8935 400): trying again would not help. */
  | { outcome: 'failed'; statusCode: number; error: string };

export interface SendContext {
  issuer: string;
  keys: ServiceKeys;
  now: Date;
  timeoutMs: number;
}

const MAX_ERROR_LENGTH = 300;

function clip(text: string): string {
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

/** A network failure in words, without the URL (it may carry a token). */
function networkError(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause !== undefined && typeof cause.code === 'string') return `connection failed (${cause.code})`;
  return 'connection failed';
}

/** RFC 8935 error body `{ "err": ..., "description": ... }`, in words. */
async function setError(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { err?: unknown; description?: unknown };
    const err = typeof body.err === 'string' ? body.err : 'unknown';
    return clip(typeof body.description === 'string' ? `${err}: ${body.description}` : err);
  } catch {
    return 'refused (no RFC 8935 error body)';
  }
}

async function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Response | { error: string }> {
  try {
    return await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return { error: networkError(error) };
  }
}

export async function sendEvent(event: StateEvent, destination: EventDestination, context: SendContext): Promise<SendResult> {
  if (destination.kind === 'webhook') {
    const body = webhookBody(event);
    const response = await post(destination.url, webhookHeaders(destination.secret, event, body, context.now), body, context.timeoutMs);
    if ('error' in response) return { outcome: 'retry', statusCode: null, error: response.error };
    await response.body?.cancel();
    if (response.status >= 200 && response.status < 300) return { outcome: 'delivered', statusCode: response.status };
    return { outcome: 'retry', statusCode: response.status, error: `answered HTTP ${response.status}` };
  }
  const token = caepSet(event, { issuer: context.issuer, audience: destination.audience, receiverKey: destination.key, signer: context.keys.signing, now: context.now });
  const headers: Record<string, string> = { 'content-type': 'application/secevent+jwt', accept: 'application/json' };
  if (destination.authorization !== null) headers.authorization = destination.authorization;
  const response = await post(destination.url, headers, token, context.timeoutMs);
  if ('error' in response) return { outcome: 'retry', statusCode: null, error: response.error };
  if (response.status >= 200 && response.status < 300) {
    await response.body?.cancel();
    return { outcome: 'delivered', statusCode: response.status };
  }
  if (response.status === 400) return { outcome: 'failed', statusCode: 400, error: await setError(response) };
  await response.body?.cancel();
  return { outcome: 'retry', statusCode: response.status, error: `answered HTTP ${response.status}` };
}
