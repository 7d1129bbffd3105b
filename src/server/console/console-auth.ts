/**
 * Who a console request comes from: the session cookie, checked like an API key would be. A
 * change (any method but GET and HEAD) made with the cookie must also carry the session's CSRF
 * token in X-CSRF-Token and come from this service's own origin; a viewer may only read.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AgentError } from '../../shared/errors.js';
import type { Actor } from '../device-directory.js';
import type { ConsoleRole } from '../store/console-records.js';
import type { ApiKeyRole, AuditAction, Store } from '../store/store.js';
import { cookieName, readCookie, setCookie } from './cookies.js';
import { ConsoleSessions, sameSecret, type ConsoleIdentity, type ConsoleSession } from './console-sessions.js';

const SAFE_METHODS = new Set(['GET', 'HEAD']);

export interface ConsoleAuthOptions {
  store: Store;
  sessions: ConsoleSessions;
  /** The service's public URL: its origin is the console's, and https makes the cookies Secure. */
  publicUrl: string;
  clock: () => Date;
}

export function consoleActor(session: Pick<ConsoleSession, 'email' | 'subject'>): string {
  return `console:${session.email ?? session.subject}`;
}

export class ConsoleAuth {
  readonly sessions: ConsoleSessions;
  readonly secure: boolean;
  readonly sessionCookie: string;
  readonly #store: Store;
  readonly #origin: string;
  readonly #clock: () => Date;

  constructor(options: ConsoleAuthOptions) {
    this.sessions = options.sessions;
    this.#store = options.store;
    this.#clock = options.clock;
    const url = new URL(options.publicUrl);
    this.#origin = url.origin;
    this.secure = url.protocol === 'https:';
    this.sessionCookie = cookieName('posture_session', this.secure);
  }

  get publicUrl(): string {
    return this.#origin;
  }

  /** The session the request's cookie names; null without one; ERR_UNAUTHORIZED for one that is not (or no longer) valid. */
  async session(request: FastifyRequest): Promise<ConsoleSession | null> {
    const id = readCookie(request.headers.cookie, this.sessionCookie);
    if (id === null) return null;
    const session = await this.sessions.find(id);
    if (session === null) throw new AgentError('ERR_UNAUTHORIZED', 'The console session has expired or was ended; sign in again at /console/sign-in.');
    return session;
  }

  /**
   * For an admin API route that API keys with `roles` may use: the console user's actor, or null
   * when the request has no session cookie. Throws for an invalid session, a change without a
   * valid CSRF token or from another origin, or a role that may not do this.
   */
  async actorFor(request: FastifyRequest, roles: readonly ApiKeyRole[]): Promise<Actor | null> {
    const session = await this.session(request);
    if (session === null) return null;
    this.checkChange(request, session);
    if (!roles.includes('admin') || !mayUse(session.role, request.method)) {
      throw new AgentError('ERR_FORBIDDEN', session.role === 'viewer' ? 'A viewer may only look; ask an administrator to do this.' : 'The console cannot do this; it needs an API key with another role.');
    }
    return { actor: consoleActor(session), source: request.ip };
  }

  /** A change made with the cookie must prove it comes from the console page: same origin and the session's CSRF token. */
  checkChange(request: FastifyRequest, session: ConsoleSession): void {
    if (SAFE_METHODS.has(request.method)) return;
    const origin = request.headers.origin;
    if (origin === undefined || !this.#sameOrigin(request, origin)) {
      throw new AgentError('ERR_CSRF', 'This change must come from the console page itself (its Origin is missing or another site\'s).');
    }
    const token = request.headers['x-csrf-token'];
    if (typeof token !== 'string' || !sameSecret(token, session.csrfToken)) {
      throw new AgentError('ERR_CSRF', 'This change needs the session\'s X-CSRF-Token header (csrfToken from GET /console/session).');
    }
  }

  /** Starts a session for `identity`, sets its cookie and writes the sign-in to the audit log. */
  async signIn(request: FastifyRequest, reply: FastifyReply, identity: ConsoleIdentity, detail: Record<string, string | null>): Promise<void> {
    const { id } = await this.sessions.create(identity, request.ip);
    reply.header('set-cookie', setCookie(this.sessionCookie, id, { secure: this.secure, sameSite: 'Strict', maxAgeSeconds: Math.floor(this.sessions.lifetimeMs / 1000) }));
    await this.audit('console.sign-in', { actor: consoleActor(identity), source: request.ip }, { role: identity.role, ...detail });
  }

  async signOut(request: FastifyRequest, reply: FastifyReply, session: ConsoleSession): Promise<void> {
    await this.sessions.end(session.idHash);
    reply.header('set-cookie', setCookie(this.sessionCookie, '', { secure: this.secure, sameSite: 'Strict', maxAgeSeconds: 0 }));
    await this.audit('console.sign-out', { actor: consoleActor(session), source: request.ip }, null);
  }

  audit(action: AuditAction, by: Actor, detail: Record<string, string | null> | null): Promise<void> {
    return this.#store.appendAudit({ at: this.#clock(), actor: by.actor, source: by.source, action, deviceId: null, detail });
  }

  #sameOrigin(request: FastifyRequest, origin: string): boolean {
    return origin === this.#origin || origin === `${request.protocol}://${request.host}`;
  }
}

function mayUse(role: ConsoleRole, method: string): boolean {
  return role === 'admin' || SAFE_METHODS.has(method);
}
