/**
 * GET /v1/events/deliveries (the delivery log: admin API key or console session, viewers too) and
 * GET /.well-known/ssf-configuration (the Shared Signals transmitter metadata, public).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AgentError } from '../../shared/errors.js';
import type { Actor } from '../device-directory.js';
import type { DeliveryAttemptRecord } from '../store/event-records.js';
import type { ApiKeyRole, Store } from '../store/store.js';

export interface EventRouteDeps {
  store: Store;
  /** The service's public URL: the SSF issuer. */
  issuer: string;
  requireRole(request: FastifyRequest, roles: readonly ApiKeyRole[]): Promise<Actor>;
}

const query = z.strictObject({
  limit: z.string().regex(/^\d+$/).transform(Number).refine((n) => n >= 1 && n <= 1000).optional(),
  event: z.uuid().optional(),
  device: z.string().min(1).max(200).optional(),
  before: z.string().regex(/^\d+$/).transform(Number).optional(),
});

export interface DeliveryAttemptView {
  id: number;
  eventId: string;
  deviceId: string;
  previousState: string;
  state: string;
  destination: string;
  attempt: number;
  at: string;
  outcome: string;
  statusCode: number | null;
  error: string | null;
  nextAttemptAt: string | null;
}

export function deliveryAttemptView(record: DeliveryAttemptRecord): DeliveryAttemptView {
  return { ...record, at: record.at.toISOString(), nextAttemptAt: record.nextAttemptAt?.toISOString() ?? null };
}

/** One attempt as a line of text (the command line's delivery log). */
export function deliveryAttemptLine(view: DeliveryAttemptView): string {
  const answer = view.statusCode === null ? '' : ` HTTP ${view.statusCode}`;
  const next = view.nextAttemptAt === null ? '' : `  next try ${view.nextAttemptAt}`;
  return `${view.at}  ${view.outcome}${answer}  #${view.attempt}  ${view.destination}  ${view.deviceId} ${view.previousState} -> ${view.state}  event ${view.eventId}`
    + `${view.error === null ? '' : `  (${view.error})`}${next}`;
}

/** The SSF 1.0 transmitter metadata: push delivery (RFC 8935) to receivers set up in the events file. */
export function ssfConfiguration(issuer: string): Record<string, unknown> {
  return {
    spec_version: '1_0',
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    delivery_methods_supported: ['urn:ietf:rfc:8935'],
    critical_subject_members: ['device'],
    default_subjects: 'ALL',
  };
}

export function registerEventRoutes(app: FastifyInstance, deps: EventRouteDeps): void {
  app.get<{ Querystring: Record<string, unknown> }>('/v1/events/deliveries', async (request) => {
    await deps.requireRole(request, ['admin']);
    const parsed = query.safeParse(request.query);
    if (!parsed.success) {
      throw new AgentError('ERR_BAD_REQUEST', 'Query parameters: limit (1 to 1000), event (an event id), device (a device id), before (an attempt id from the previous page).');
    }
    const { limit = 100, event, device, before } = parsed.data;
    const attempts = await deps.store.listDeliveryAttempts({
      limit, ...(event === undefined ? {} : { eventId: event }), ...(device === undefined ? {} : { deviceId: device }), ...(before === undefined ? {} : { beforeId: before }),
    });
    return { attempts: attempts.map(deliveryAttemptView), next: attempts.length === limit ? attempts.at(-1)!.id : null };
  });

  app.get('/.well-known/ssf-configuration', (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return Promise.resolve(ssfConfiguration(deps.issuer));
  });
}
