/**
 * Console sessions: a random 256-bit id in an HttpOnly cookie, only its hash in the database (so
 * every instance sharing the database knows every session, and a sign-out ends it everywhere at
 * once). A session ends at its absolute expiry or after being idle too long. Its CSRF token is
 * derived from the id, so it is bound to the session and needs no storage.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hashSecret } from '../secrets.js';
import type { ConsoleRole, ConsoleSessionRecord } from '../store/console-records.js';
import type { Store } from '../store/store.js';

export const DEFAULT_SESSION_LIFETIME_MS = 8 * 3_600_000;
export const DEFAULT_SESSION_IDLE_MS = 3_600_000;
/** last_used_at is written at most this often per session: a busy console does not write on every request. */
const TOUCH_INTERVAL_MS = 60_000;

export interface ConsoleIdentity {
  subject: string;
  name: string | null;
  email: string | null;
  role: ConsoleRole;
}

export interface ConsoleSession extends ConsoleIdentity {
  idHash: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface ConsoleSessionsOptions {
  lifetimeMs: number;
  idleMs: number;
  clock: () => Date;
}

export function csrfTokenFor(sessionId: string): string {
  return createHash('sha256').update(`posture-console-csrf:${sessionId}`).digest('base64url');
}

export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class ConsoleSessions {
  readonly #store: Store;
  readonly #options: ConsoleSessionsOptions;

  constructor(store: Store, options: ConsoleSessionsOptions) {
    this.#store = store;
    this.#options = options;
  }

  get lifetimeMs(): number {
    return this.#options.lifetimeMs;
  }

  /** Starts a session; returns the id for the cookie (never stored) with the session. */
  async create(identity: ConsoleIdentity, source: string | null): Promise<{ id: string; session: ConsoleSession }> {
    const now = this.#options.clock();
    const id = randomBytes(32).toString('base64url');
    const record: ConsoleSessionRecord = {
      ...identity,
      idHash: hashSecret(id),
      createdAt: now,
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + this.#options.lifetimeMs),
      source,
    };
    await this.#store.createConsoleSession(record);
    return { id, session: this.#view(id, record) };
  }

  /** The live session with this cookie value, or null (unknown, ended, expired or idle too long). */
  async find(id: string): Promise<ConsoleSession | null> {
    const now = this.#options.clock();
    const idHash = hashSecret(id);
    const record = await this.#store.findConsoleSession(idHash, now, this.#idleSince(now));
    if (record === null) return null;
    if (now.getTime() - record.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS) await this.#store.touchConsoleSession(idHash, now);
    return this.#view(id, record);
  }

  async end(idHash: string): Promise<void> {
    await this.#store.deleteConsoleSession(idHash);
  }

  #idleSince(now: Date): Date {
    return new Date(now.getTime() - this.#options.idleMs);
  }

  #view(id: string, record: ConsoleSessionRecord): ConsoleSession {
    return {
      subject: record.subject, name: record.name, email: record.email, role: record.role,
      idHash: record.idHash, csrfToken: csrfTokenFor(id), expiresAt: record.expiresAt,
    };
  }
}
