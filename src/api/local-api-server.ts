/**
 * The daemon's local API on 127.0.0.1 (or ::1): GET /v0/status, POST /v0/check, POST /v0/token,
 * POST /v0/session (a user's session hands over its per-user signals to a system daemon).
 * Refused before anything else: any browser request (Origin, Referer, Sec-Fetch-Site/-Dest/-User), any
 * Host other than this loopback address and port (DNS rebinding), a missing or wrong bearer
 * secret. Small limits on headers and bodies; only POST /v0/session has a body (JSON, at most 8 KB).
 *
 * Two secrets: the owner's (a 0600 file in the state directory) opens every route; the optional
 * shared one (a system daemon publishes it to every local user, for their tray apps) opens the
 * status, "check now" and the session hand-over, never the Result.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentError, isAgentError, type ErrorCode } from '../shared/errors.js';
import { LOOPBACK_HOSTS, type CurrentResult, type DaemonStatus, type SessionHandOver, type SessionHandOverAnswer } from './local-api-types.js';

export interface LocalApiHandlers {
  status(): DaemonStatus;
  /**
   * Runs a check now (or joins the one running) and answers when it is done; within the spacing
   * of checks asked for, answers the status at once (its checkNotBefore says until when).
   */
  check(): Promise<DaemonStatus>;
  token(): CurrentResult | null;
  /** Keeps what a user's session read; absent where the daemon reads the per-user signals itself. */
  session?(handOver: SessionHandOver): SessionHandOverAnswer;
}

export interface LocalApiOptions {
  host: string;
  port: number;
  secret: string;
  /** Opens GET /v0/status and POST /v0/check only. */
  sharedSecret?: string;
  handlers: LocalApiHandlers;
  onError?: (error: unknown) => void;
}

export interface LocalApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_HEADER_BYTES = 4096;
const MAX_BODY_BYTES = 1024;
const MAX_SESSION_BODY_BYTES = 8192;

/** The request's JSON body, at most `limit` bytes; null when it is not JSON. */
async function readJson(request: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

function sessionHandOver(body: unknown): SessionHandOver | null {
  if (typeof body !== 'object' || body === null) return null;
  const { user, signals } = body as Record<string, unknown>;
  if (typeof user !== 'string' || user.length === 0 || user.length > 256 || /\p{Cc}/u.test(user)) return null;
  if (typeof signals !== 'object' || signals === null || Array.isArray(signals)) return null;
  return { user, signals: signals as Record<string, unknown> };
}
/** Headers only browsers send (Node's fetch sends Sec-Fetch-Mode too, so that one proves nothing). */
const BROWSER_HEADERS = ['origin', 'referer', 'sec-fetch-site', 'sec-fetch-dest', 'sec-fetch-user'];

function answer(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function refuse(response: ServerResponse, status: number, code: ErrorCode, message: string): void {
  answer(response, status, { error: { code, message } });
}

function sameSecret(presented: string, secret: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  if (!(LOOPBACK_HOSTS as readonly string[]).includes(options.host)) {
    throw new AgentError('ERR_CONFIG_INVALID', `The local API listens on a loopback address only (127.0.0.1 or ::1), not ${options.host}.`);
  }
  let allowedHosts: ReadonlySet<string> = new Set();

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (BROWSER_HEADERS.some((name) => request.headers[name] !== undefined)) {
      return refuse(response, 403, 'ERR_FORBIDDEN', 'Browsers may not use the posture agent\'s local API.');
    }
    if (!allowedHosts.has((request.headers.host ?? '').toLowerCase())) {
      return refuse(response, 403, 'ERR_FORBIDDEN', 'The Host header does not name this loopback address.');
    }
    const presented = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    const owner = presented !== undefined && sameSecret(presented, options.secret);
    const shared = !owner && presented !== undefined && options.sharedSecret !== undefined && sameSecret(presented, options.sharedSecret);
    if (!owner && !shared) {
      response.setHeader('www-authenticate', 'Bearer realm="posture-agent"');
      return refuse(response, 401, 'ERR_UNAUTHORIZED', 'The local API needs the bearer secret from the state directory.');
    }
    const route = `${request.method ?? ''} ${(request.url ?? '').split('?')[0]}`;
    const bodyLimit = route === 'POST /v0/session' ? MAX_SESSION_BODY_BYTES : MAX_BODY_BYTES;
    if (request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > bodyLimit) {
      return refuse(response, 413, 'ERR_BODY_TOO_LARGE', route === 'POST /v0/session' ? `The session hand-over is at most ${bodyLimit} bytes.` : 'The local API takes no request body.');
    }
    switch (route) {
      case 'POST /v0/session': {
        if (!options.handlers.session) return refuse(response, 409, 'ERR_FORBIDDEN', 'This daemon runs in the user\'s session and reads the per-user signals itself.');
        const handOver = sessionHandOver(await readJson(request, bodyLimit));
        if (!handOver) return refuse(response, 400, 'ERR_BAD_REQUEST', 'Expected {"user": "<login name>", "signals": {"screenLock": {...}}}.');
        try {
          return answer(response, 200, options.handlers.session(handOver));
        } catch (error) {
          if (isAgentError(error) && error.code === 'ERR_BAD_REQUEST') return refuse(response, 400, error.code, error.message);
          throw error;
        }
      }
      case 'GET /v0/status':
        return answer(response, 200, options.handlers.status());
      case 'POST /v0/check':
        return answer(response, 200, await options.handlers.check());
      case 'POST /v0/token': {
        if (!owner) return refuse(response, 403, 'ERR_FORBIDDEN', 'The current Result is only for the user the daemon runs as; the shared secret opens the status and checks.');
        const current = options.handlers.token();
        if (!current) return refuse(response, 404, 'ERR_NO_RESULT', 'There is no current Result: the device has not checked in successfully, or its Result has expired.');
        return answer(response, 200, current);
      }
      default:
        return refuse(response, 404, 'ERR_NOT_FOUND_ROUTE', `There is no ${route}.`);
    }
  }

  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: 120_000, headersTimeout: 5_000 }, (request, response) => {
    if (request.method !== 'POST' || (request.url ?? '').split('?')[0] !== '/v0/session') request.resume();
    handle(request, response).catch((error: unknown) => {
      options.onError?.(error);
      if (!response.headersSent) refuse(response, 500, 'ERR_INTERNAL', 'The local API hit an unexpected error.');
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port, options.host, resolve));
  const { port } = server.address() as AddressInfo;
  const literal = options.host.includes(':') ? `[${options.host}]` : options.host;
  allowedHosts = new Set([`${literal}:${port}`, `localhost:${port}`]);
  return {
    url: `http://${literal}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
