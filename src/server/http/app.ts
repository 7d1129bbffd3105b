/**
 * The policy service's HTTP API (design §6, a contract for paths). Routes only translate: they
 * validate input, call PostureService / AuthzEngine, and answer JSON. Every failure is
 * `{ "error": { "code", "message" } }` with the right status, and the service keeps serving.
 */
import type { DeviceListParams } from '../device-list-params.js';
import { maxHeaderSize } from 'node:http';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { z } from 'zod';
import { formatPath } from '../../policy/parse-policy.js';
import { AgentError, isAgentError, type ErrorCode } from '../../shared/errors.js';
import type { AuthzDecision, AuthzEngine } from '../authz.js';
import { CHECKS } from '../../policy/checks/index.js';
import { registerConsoleDataRoutes } from '../console/console-data-routes.js';
import { registerConsoleStatic } from '../console/console-static.js';
import { registerConsole, type ConsoleSetup } from '../console/console-setup.js';
import { registerEventRoutes } from '../events/event-routes.js';
import { forwardedCertificate } from '../device-certificate.js';
import type { DeviceCa } from '../device-ca.js';
import type { Actor, DeviceDirectory } from '../device-directory.js';
import type { PostureService } from '../posture-service.js';
import { certificateRequestSchema, challengeRequestSchema, enrollRequestSchema } from '../../wire/service.js';
import type { ServiceKeys } from '../service-keys.js';
import { hashSecret } from '../secrets.js';
import type { ApiKeyRole, Store } from '../store/store.js';
import { ApiKeyCache, type ApiKeyIdentity } from './api-key-cache.js';
import { answerClientError } from './client-errors.js';
import { limitConnectionsPerAddress, requestTimeouts } from './connection-limits.js';
import { DENIAL_PAGE_CSP, renderDenialPage } from './denial-page.js';
import { errorBody, statusFor } from './errors.js';
import type { ServiceMetrics } from './metrics.js';
import { RateLimiter } from './rate-limit.js';

export interface AppOptions {
  service: PostureService;
  devices: DeviceDirectory;
  authz: AuthzEngine;
  keys: ServiceKeys;
  /** The device CA: its trust bundle at GET /v1/ca.pem. */
  deviceCa: DeviceCa;
  store: Store;
  metrics: ServiceMetrics;
  /** Requests per second per client address for GET /v1/authz (0: no limit); not for a gateway presenting its key. */
  authzRateLimit: number;
  /** Requests per second per client address for challenge and enrol (0: no limit). */
  enrollRateLimit: number;
  /** Open connections per client address, and in all (0: no limit). */
  maxConnectionsPerAddress: number;
  maxConnections: number;
  /** A request whose headers and body have not all arrived by then is answered 408 and cut. */
  requestTimeoutMs: number;
  trustProxy: boolean;
  logger: FastifyServerOptions['logger'];
  /** Console sign-in (sessions accepted by admin routes) and credential management; without it, API keys only. */
  console?: ConsoleSetup;
}

const EAT_CONTENT_TYPES = ['application/eat+jwt', 'application/jwt'];
const API_KEY_CACHE_MS = 30_000;
const BODY_LIMIT = 64 * 1024;
const AUTHZ_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const revokeBodySchema = z.strictObject({ reason: z.string().max(500).optional() }).optional();
const emptyBodySchema = z.strictObject({}).optional();

function send(reply: FastifyReply, code: ErrorCode, message: string): FastifyReply {
  return reply.code(statusFor(code)).send(errorBody(code, message));
}

const LIST_PARAMETERS = ['limit', 'cursor', 'sort', 'state', 'platform', 'failing', 'seenBefore', 'seenSince', 'q'] as const;

/** The fleet list's query parameters, each given once as text; anything else is refused. */
function listParams(query: Record<string, unknown>): DeviceListParams {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!(LIST_PARAMETERS as readonly string[]).includes(name)) throw new AgentError('ERR_BAD_REQUEST', `Unknown query parameter "${name}"; the list takes ${LIST_PARAMETERS.join(', ')}.`);
    if (typeof value !== 'string') throw new AgentError('ERR_BAD_REQUEST', `Give the query parameter "${name}" once.`);
    params[name] = value;
  }
  return params;
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 3).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  throw new AgentError('ERR_BAD_REQUEST', `The request body is not valid: ${issues.join('; ')}.`);
}

/** A browser (it asks for HTML before JSON): denials get the denial page instead of the JSON envelope. */
function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  const html = accept.indexOf('text/html');
  if (html === -1) return false;
  const json = accept.indexOf('application/json');
  return json === -1 || html < json;
}

function checkTitle(check: string): string {
  return CHECKS.get(check)?.title ?? check;
}

function fastifyErrorCode(error: { code?: string; statusCode?: number }): { code: ErrorCode; message: string } | null {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'ERR_BODY_TOO_LARGE', message: `The request body is larger than ${BODY_LIMIT} bytes.` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'ERR_UNSUPPORTED_MEDIA_TYPE', message: 'The request has a content type this endpoint does not accept.' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { code: 'ERR_BAD_REQUEST', message: 'The request body does not match its Content-Length.' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'ERR_BAD_REQUEST', message: 'The request body is not valid JSON.' };
    default:
      if (error.statusCode === 400) return { code: 'ERR_BAD_REQUEST', message: 'The request is malformed.' };
      return null;
  }
}

export function buildApp(options: AppOptions): FastifyInstance {
  const { service, devices, authz, keys, store, metrics } = options;
  const timeouts = requestTimeouts(options.requestTimeoutMs);
  const app = Fastify({
    logger: options.logger,
    bodyLimit: BODY_LIMIT,
    trustProxy: options.trustProxy,
    http: timeouts,
    requestTimeout: timeouts.requestTimeout,
    keepAliveTimeout: 65_000,
    clientErrorHandler: (error, socket) => answerClientError(error, socket, { maxHeaderBytes: maxHeaderSize, requestTimeoutMs: options.requestTimeoutMs }),
    routerOptions: { maxParamLength: 200 },
    logController: new LogController({ disableRequestLogging: true }),
    // Requests already on open connections are served while closing; the store closes after them.
    return503OnClosing: false,
    frameworkErrors: (error, _request, reply) => {
      const message = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path segment is longer than 200 characters.' : 'The request path is not valid.';
      void send(reply, 'ERR_BAD_REQUEST', message);
    },
  });
  const authzLimiter = new RateLimiter(options.authzRateLimit);
  const gatewayKeys = new ApiKeyCache(async (hash) => {
    const record = await store.findApiKey(hash);
    return record ? { id: record.id, role: record.role } : null;
  });
  // An unknown gateway key is looked up at most this often per address: random keys cannot flood the database.
  const gatewayKeyLookups = new RateLimiter(5, 10);
  let warnedBadGatewayKeyAt = 0;
  const enrollLimiter = new RateLimiter(options.enrollRateLimit);
  const apiKeys = new Map<string, { role: ApiKeyRole | null; id: string | null; until: number }>();

  app.removeContentTypeParser('text/plain');

  if (options.maxConnections > 0) app.server.maxConnections = options.maxConnections;
  app.server.on('connection', () => metrics.countConnection());
  let refusedConnections = 0;
  let warnedRefusedAt = 0;
  limitConnectionsPerAddress(app.server, options.maxConnectionsPerAddress, (address) => {
    refusedConnections += 1;
    if (Date.now() - warnedRefusedAt < 60_000) return;
    warnedRefusedAt = Date.now();
    app.log.warn({ address, refused: refusedConnections, limit: options.maxConnectionsPerAddress }, 'closed connections beyond --max-connections-per-address');
    refusedConnections = 0;
  });

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.countRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (route !== '/v1/authz' || reply.statusCode >= 500) {
      request.log.info({ method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
    }
    done();
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    if (isAgentError(error)) {
      if (error.code.startsWith('ERR_ATTESTATION_') || error.code === 'ERR_ENROLLMENT_TOKEN') metrics.refusals.inc({ code: error.code });
      if (error.code === 'ERR_UNAUTHORIZED') reply.header('www-authenticate', 'Bearer realm="posture-service"');
      if (error.code === 'ERR_RATE_LIMITED') reply.header('retry-after', '1');
      if (statusFor(error.code) < 500) return send(reply, error.code, error.message);
      // Server-side failures are logged in full; callers learn only what they can act on.
      request.log.error({ code: error.code, message: error.message }, 'request failed');
      if (error.code === 'ERR_DATABASE_UNAVAILABLE') return send(reply, error.code, 'The database is unavailable; try again later.');
      return send(reply, 'ERR_INTERNAL', 'The service hit an unexpected error; it has been logged.');
    }
    const known = fastifyErrorCode(error as { code?: string; statusCode?: number });
    if (known) return send(reply, known.code, known.message);
    request.log.error({ err: error }, 'unexpected error');
    return send(reply, 'ERR_INTERNAL', 'The service hit an unexpected error; it has been logged.');
  });

  app.setNotFoundHandler((request, reply) => send(reply, 'ERR_NOT_FOUND_ROUTE', `There is no ${request.method} ${request.url.split('?')[0]}.`));

  function limit(limiter: RateLimiter, request: FastifyRequest): void {
    if (!limiter.take(request.ip)) throw new AgentError('ERR_RATE_LIMITED', 'Too many requests from this address; slow down.');
  }

  /** The caller's API key (or console session) must have one of `roles`; returns who it is, for the audit log. */
  async function requireRole(request: FastifyRequest, roles: readonly ApiKeyRole[]): Promise<Actor> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    const consoleUser = match || options.console === undefined ? null : await options.console.auth.actorFor(request, roles);
    if (consoleUser !== null) return consoleUser;
    if (!match) throw new AgentError('ERR_UNAUTHORIZED', 'An API key is required: Authorization: Bearer <key> (posture-service apikey create).');
    const hash = hashSecret(match[1]!);
    const now = Date.now();
    let cached = apiKeys.get(hash);
    if (!cached || cached.until < now) {
      const record = await store.findApiKey(hash);
      cached = { role: record?.role ?? null, id: record?.id ?? null, until: now + API_KEY_CACHE_MS };
      if (apiKeys.size > 10_000) apiKeys.clear();
      apiKeys.set(hash, cached);
    }
    if (cached.role === null) throw new AgentError('ERR_UNAUTHORIZED', 'The API key is unknown or revoked.');
    if (!roles.includes(cached.role)) throw new AgentError('ERR_FORBIDDEN', `This needs an API key with the ${roles.join(' or ')} role.`);
    return { actor: `apikey:${cached.id ?? 'unknown'}`, source: request.ip };
  }

  /**
   * Forward-auth's caller is the gateway, so a per-address limit would throttle every user behind
   * it: a gateway that presents its gateway API key (X-Posture-Gateway-Key) is not limited; anyone
   * else is. Known keys are answered from memory; an unknown one is charged to its address and
   * looked up (`lookup`): in the background for the next request, or awaited by a request that
   * forwards a client certificate, which counts only from an authenticated gateway.
   */
  function admitAuthz(request: FastifyRequest): { admitted: boolean; gateway: boolean; lookup?: Promise<ApiKeyIdentity | null> } {
    const key = request.headers['x-posture-gateway-key'];
    let lookup: Promise<ApiKeyIdentity | null> | undefined;
    if (typeof key === 'string' && key !== '') {
      const identity = gatewayKeys.peek(key);
      if (identity?.role === 'gateway') return { admitted: true, gateway: true };
      if (identity === undefined && gatewayKeyLookups.take(request.ip)) {
        lookup = gatewayKeys.identify(key);
        lookup.then(
          (found) => {
            if (found?.role === 'gateway' || Date.now() - warnedBadGatewayKeyAt < 60_000) return;
            warnedBadGatewayKeyAt = Date.now();
            request.log.warn({ address: request.ip }, 'X-Posture-Gateway-Key is not a gateway API key (unknown, revoked or another role): forward-auth from this address is limited per address');
          },
          (error: unknown) => request.log.warn({ err: error }, 'could not look up a gateway API key'),
        );
      }
    }
    return { admitted: authzLimiter.take(request.ip), gateway: false, ...(lookup ? { lookup } : {}) };
  }

  app.post('/v1/challenge', async (request) => {
    limit(enrollLimiter, request);
    const { deviceId } = parseBody(challengeRequestSchema, request.body);
    return service.challenge(deviceId);
  });

  app.post('/v1/enroll', async (request, reply) => {
    limit(enrollLimiter, request);
    const body = parseBody(enrollRequestSchema, request.body);
    const enrolled = await service.enroll(body, { source: request.ip });
    metrics.appraisals.inc({ status: enrolled.appraisal.status });
    return reply.code(201).send(enrolled);
  });

  app.post('/v1/certificate', async (request, reply) => {
    limit(enrollLimiter, request);
    const body = parseBody(certificateRequestSchema, request.body);
    const issued = await service.certify(body, { source: request.ip });
    metrics.appraisals.inc({ status: issued.appraisal.status });
    return reply.code(201).send(issued);
  });

  app.get('/v1/ca.pem', async (_request, reply) => {
    await options.deviceCa.reloadIfChanged();
    reply.header('content-type', 'application/x-pem-file');
    reply.header('cache-control', 'public, max-age=300');
    return options.deviceCa.bundlePem();
  });

  // Evidence arrives as itself (application/eat+jwt); no other endpoint accepts that type.
  app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(EAT_CONTENT_TYPES, { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, parsed) => parsed(null, body));
    scope.post('/v1/attest', async (request) => {
      if (typeof request.body !== 'string') throw new AgentError('ERR_UNSUPPORTED_MEDIA_TYPE', 'Send the Evidence JWT itself with Content-Type: application/eat+jwt.');
      const appraisal = await service.attest(request.body.trim());
      metrics.appraisals.inc({ status: appraisal.status });
      return appraisal;
    });
    done();
  });

  app.get<{ Querystring: Record<string, unknown> }>('/v1/devices', async (request) => {
    await requireRole(request, ['admin', 'gateway']);
    return devices.list(listParams(request.query));
  });

  app.get<{ Params: { id: string } }>('/v1/devices/:id', async (request) => {
    await requireRole(request, ['admin', 'gateway']);
    return { device: await devices.show(request.params.id) };
  });

  app.post<{ Params: { id: string } }>('/v1/devices/:id/revoke', async (request) => {
    const actor = await requireRole(request, ['admin']);
    const body = parseBody(revokeBodySchema, request.body);
    return { device: await devices.revoke(request.params.id, body?.reason ?? null, actor) };
  });

  app.post<{ Params: { id: string } }>('/v1/devices/:id/restore', async (request) => {
    const actor = await requireRole(request, ['admin']);
    parseBody(emptyBodySchema, request.body);
    return { device: await devices.restore(request.params.id, actor) };
  });

  app.post<{ Params: { id: string } }>('/v1/devices/:id/reset', async (request) => {
    const actor = await requireRole(request, ['admin']);
    parseBody(emptyBodySchema, request.body);
    return { device: await devices.reset(request.params.id, actor) };
  });

  app.get<{ Querystring: { limit?: string } }>('/v1/audit', async (request) => {
    await requireRole(request, ['admin']);
    const limit = request.query.limit === undefined ? 100 : Number(request.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new AgentError('ERR_BAD_REQUEST', 'limit must be a whole number from 1 to 1000.');
    return { entries: await devices.audit(limit) };
  });

  registerConsoleDataRoutes(app, { store, devices, service, requireRole });
  registerConsoleStatic(app);
  registerEventRoutes(app, { store, issuer: service.publicUrl, requireRole });
  if (options.console) {
    const forgetApiKeys = () => {
      apiKeys.clear();
      gatewayKeys.clear();
    };
    registerConsole(app, options.console, { requireRole, onApiKeyRevoked: forgetApiKeys, limitSignIn: (request) => limit(enrollLimiter, request) });
  }

  // Forward-auth answers every method: Envoy's ext_authz checks with the client's own method. The
  // tier comes from the query (nginx, Caddy, Traefik) or the path (/v1/authz/TIER/..., for Envoy,
  // which appends the original path to its path_prefix). A request body is never read.
  app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, parsed) => {
      payload.resume();
      parsed(null, undefined);
    });
    type AuthzRequest = FastifyRequest<{ Querystring: { tier?: unknown }; Params: { tier?: string } }>;
    const answer = (request: AuthzRequest, reply: FastifyReply, gatewayAuthenticated: boolean) => {
      const tier = request.params.tier ?? (typeof request.query.tier === 'string' ? request.query.tier : null);
      const decision = authz.decideRequest({ headers: request.headers, tier, gatewayAuthenticated });
      metrics.countDecision(decision.outcome);
      if (decision.deviceId) reply.header('x-posture-device', decision.deviceId);
      if (decision.earStatus) reply.header('x-posture-status', decision.earStatus);
      // No body: nginx reads none from an auth_request answer, and keeps its connection only when there is none.
      if (decision.allow) return reply.code(200).header('x-posture-tiers', decision.tiers.join(',')).send();
      reply.header('x-posture-reason', decision.code);
      if (decision.failing.length > 0) reply.header('x-posture-failing', decision.failing.map((check) => check.id).join(','));
      if (decision.httpStatus === 401) {
        reply.header('www-authenticate', decision.code === 'ERR_RESULT_MISSING' ? 'Bearer realm="posture"' : 'Bearer realm="posture", error="invalid_token"');
      }
      if (decision.httpStatus !== 400 && wantsHtml(request)) return sendDenialPage(reply, decision);
      return reply.code(decision.httpStatus).send(errorBody(decision.code, decision.message));
    };
    /** A browser that is denied gets the page saying why, with the fixes from the device's latest appraisal. */
    const sendDenialPage = async (reply: FastifyReply, decision: Extract<AuthzDecision, { allow: false }>) => {
      const verdicts = decision.deviceId !== undefined && decision.failing.length > 0
        ? await store.latestAppraisal(decision.deviceId).then((latest) => latest?.verdicts ?? [], () => [])
        : [];
      const failing = decision.failing.map(({ id }) => {
        const verdict = verdicts.find((candidate) => candidate.id === id);
        return { title: verdict ? checkTitle(verdict.check) : id, reason: verdict?.reason ?? 'fails', remediation: verdict?.remediation ?? null };
      });
      const page = renderDenialPage({ code: decision.code, deviceId: decision.deviceId ?? null, failing, serviceUrl: service.publicUrl });
      return reply.code(decision.httpStatus).header('content-type', 'text/html; charset=utf-8').header('content-security-policy', DENIAL_PAGE_CSP).send(page.html);
    };
    const decide = (request: AuthzRequest, reply: FastifyReply) => {
      reply.header('cache-control', 'no-store');
      const admission = admitAuthz(request);
      if (!admission.admitted) {
        reply.header('x-posture-reason', 'ERR_RATE_LIMITED');
        reply.header('retry-after', '1');
        return send(reply, 'ERR_RATE_LIMITED', 'Too many requests from this address; slow down.');
      }
      if (admission.lookup !== undefined && forwardedCertificate(request.headers) !== null) {
        return admission.lookup.then(
          (identity) => answer(request, reply, identity?.role === 'gateway'),
          () => answer(request, reply, false),
        );
      }
      return answer(request, reply, admission.gateway);
    };
    for (const url of ['/v1/authz', '/v1/authz/:tier', '/v1/authz/:tier/*']) scope.route({ method: AUTHZ_METHODS, url, handler: decide });
    done();
  });

  app.get('/.well-known/jwks.json', async (_request, reply) => {
    await keys.reloadIfChanged();
    reply.header('cache-control', 'public, max-age=300');
    return keys.jwks();
  });

  // 200 only while appraisals can be stored; forward-auth answers whatever this says.
  app.get('/healthz', async (_request, reply) => {
    const health = await store.health();
    const database = !health.reachable ? 'unavailable' : health.writable ? 'ok' : 'read-only';
    reply.header('cache-control', 'no-store');
    // Liveness: 200 while the process serves (forward-auth answers without the database); the body says what is wrong.
    if (database === 'ok') return { status: 'ok', database };
    const lastWriteError = health.lastWriteError === undefined ? {} : { lastWriteError: health.lastWriteError };
    return { status: 'degraded', database, ...lastWriteError };
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.contentType);
    return metrics.text();
  });

  return app;
}
