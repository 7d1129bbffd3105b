/** GET|POST /v1/enrollment-tokens, POST /v1/enrollment-tokens/:id/revoke, GET|POST /v1/api-keys, POST /v1/api-keys/:id/revoke. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { formatPath } from '../../policy/parse-policy.js';
import { AgentError } from '../../shared/errors.js';
import { parseDuration } from '../../shared/duration.js';
import type { Actor } from '../device-directory.js';
import type { ApiKeyRole } from '../store/store.js';
import type { AdminCredentials } from './admin-credentials.js';

export interface CredentialRouteDeps {
  credentials: AdminCredentials;
  requireRole: (request: FastifyRequest, roles: readonly ApiKeyRole[]) => Promise<Actor>;
  /** A revoked API key must stop working at once in this process. */
  onApiKeyRevoked: () => void;
}

const DEFAULT_TOKEN_LIFETIME_MS = 7 * 86_400_000;

const tokenBodySchema = z.strictObject({
  uses: z.number().int().min(1).max(1_000_000).default(1),
  expires: z.string().refine((text) => { const ms = parseDuration(text); return ms !== null && ms >= 60_000 && ms <= 365 * 86_400_000; }, 'a duration from 1m to 365d, e.g. 12h or 7d').optional(),
  note: z.string().max(200).optional(),
});

const apiKeyBodySchema = z.strictObject({
  role: z.enum(['admin', 'gateway']),
  name: z.string().min(1).max(200).default('unnamed'),
});

const emptyBodySchema = z.strictObject({}).optional();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 3).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  throw new AgentError('ERR_BAD_REQUEST', `The request body is not valid: ${issues.join('; ')}.`);
}

export function registerCredentialRoutes(app: FastifyInstance, deps: CredentialRouteDeps): void {
  const { credentials, requireRole } = deps;

  app.get('/v1/enrollment-tokens', async (request, reply) => {
    await requireRole(request, ['admin']);
    const enrollmentTokens = await credentials.listEnrollmentTokens();
    reply.header('cache-control', 'no-store');
    return { enrollmentTokens };
  });

  app.post('/v1/enrollment-tokens', async (request, reply) => {
    const actor = await requireRole(request, ['admin']);
    const body = parse(tokenBodySchema, request.body);
    const lifetimeMs = body.expires === undefined ? DEFAULT_TOKEN_LIFETIME_MS : parseDuration(body.expires) ?? DEFAULT_TOKEN_LIFETIME_MS;
    const created = await credentials.createEnrollmentToken({ uses: body.uses, lifetimeMs, note: body.note ?? null }, actor);
    return reply.code(201).header('cache-control', 'no-store').send(created);
  });

  app.post<{ Params: { id: string } }>('/v1/enrollment-tokens/:id/revoke', async (request) => {
    const actor = await requireRole(request, ['admin']);
    parse(emptyBodySchema, request.body);
    return { enrollmentToken: await credentials.revokeEnrollmentToken(request.params.id, actor) };
  });

  app.get('/v1/api-keys', async (request, reply) => {
    await requireRole(request, ['admin']);
    const apiKeys = await credentials.listApiKeys();
    reply.header('cache-control', 'no-store');
    return { apiKeys };
  });

  app.post('/v1/api-keys', async (request, reply) => {
    const actor = await requireRole(request, ['admin']);
    const body = parse(apiKeyBodySchema, request.body);
    const created = await credentials.createApiKey(body, actor);
    return reply.code(201).header('cache-control', 'no-store').send(created);
  });

  app.post<{ Params: { id: string } }>('/v1/api-keys/:id/revoke', async (request) => {
    const actor = await requireRole(request, ['admin']);
    parse(emptyBodySchema, request.body);
    const apiKey = await credentials.revokeApiKey(request.params.id, actor);
    deps.onApiKeyRevoked();
    return { apiKey };
  });
}
