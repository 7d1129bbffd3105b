/**
 * Enrolment tokens and API keys as administrators manage them (console, API and command line
 * alike): made with a secret shown once, listed without secrets, revoked idempotently; every
 * change is written to the audit log with who did it and from where.
 */
import { AgentError } from '../../shared/errors.js';
import type { Actor } from '../device-directory.js';
import { API_KEY_PREFIX, ENROLLMENT_TOKEN_PREFIX, newSecret } from '../secrets.js';
import type { EnrollmentTokenState } from '../store/console-records.js';
import type { ApiKeyRecord, ApiKeyRole, AuditAction, Store } from '../store/store.js';

export interface EnrollmentTokenView {
  id: string;
  usesLeft: number;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  note: string | null;
  state: 'active' | 'used-up' | 'expired' | 'revoked';
}

export interface ApiKeyView {
  id: string;
  role: ApiKeyRole;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface NewEnrollmentToken {
  uses: number;
  lifetimeMs: number;
  note: string | null;
}

function tokenView(token: EnrollmentTokenState, now: Date): EnrollmentTokenView {
  const state = token.revokedAt !== null ? 'revoked' : token.expiresAt <= now ? 'expired' : token.usesLeft === 0 ? 'used-up' : 'active';
  return {
    id: token.id, usesLeft: token.usesLeft, createdAt: token.createdAt.toISOString(), expiresAt: token.expiresAt.toISOString(),
    revokedAt: token.revokedAt?.toISOString() ?? null, note: token.note, state,
  };
}

function apiKeyView(key: ApiKeyRecord): ApiKeyView {
  return { id: key.id, role: key.role, name: key.name, createdAt: key.createdAt.toISOString(), revokedAt: key.revokedAt?.toISOString() ?? null };
}

export class AdminCredentials {
  readonly #store: Store;
  readonly #clock: () => Date;

  constructor(store: Store, clock: () => Date) {
    this.#store = store;
    this.#clock = clock;
  }

  async createEnrollmentToken(request: NewEnrollmentToken, by: Actor): Promise<{ token: string; enrollmentToken: EnrollmentTokenView }> {
    const secret = newSecret(ENROLLMENT_TOKEN_PREFIX);
    const now = this.#clock();
    const record = { id: secret.id, tokenHash: secret.hash, usesLeft: request.uses, expiresAt: new Date(now.getTime() + request.lifetimeMs), createdAt: now, note: request.note };
    await this.#store.createEnrollmentToken(record);
    await this.#audit('enrollment-token.create', by, now, { token: secret.id, uses: String(request.uses), expiresAt: record.expiresAt.toISOString(), note: request.note });
    return { token: secret.secret, enrollmentToken: tokenView({ ...record, revokedAt: null }, now) };
  }

  async listEnrollmentTokens(): Promise<EnrollmentTokenView[]> {
    const now = this.#clock();
    return (await this.#store.listEnrollmentTokenStates()).map((token) => tokenView(token, now));
  }

  async revokeEnrollmentToken(id: string, by: Actor): Promise<EnrollmentTokenView> {
    const before = (await this.#store.listEnrollmentTokenStates()).find((token) => token.id === id);
    const now = this.#clock();
    if (before === undefined || !(await this.#store.revokeEnrollmentToken(id, now))) throw unknown('enrolment token', id);
    if (before.revokedAt === null) await this.#audit('enrollment-token.revoke', by, now, { token: id });
    const after = (await this.#store.listEnrollmentTokenStates()).find((token) => token.id === id);
    return tokenView(after ?? before, now);
  }

  async createApiKey(request: { role: ApiKeyRole; name: string }, by: Actor): Promise<{ key: string; apiKey: ApiKeyView }> {
    const secret = newSecret(API_KEY_PREFIX);
    const now = this.#clock();
    const record: ApiKeyRecord = { id: secret.id, keyHash: secret.hash, role: request.role, name: request.name, createdAt: now, revokedAt: null };
    await this.#store.createApiKey(record);
    await this.#audit('api-key.create', by, now, { apiKey: secret.id, role: request.role, name: request.name });
    return { key: secret.secret, apiKey: apiKeyView(record) };
  }

  async listApiKeys(): Promise<ApiKeyView[]> {
    return (await this.#store.listApiKeys()).map(apiKeyView);
  }

  async revokeApiKey(id: string, by: Actor): Promise<ApiKeyView> {
    const before = (await this.#store.listApiKeys()).find((key) => key.id === id);
    const now = this.#clock();
    if (before === undefined || !(await this.#store.revokeApiKey(id, now))) throw unknown('API key', id);
    if (before.revokedAt === null) await this.#audit('api-key.revoke', by, now, { apiKey: id, role: before.role, name: before.name });
    return apiKeyView({ ...before, revokedAt: before.revokedAt ?? now });
  }

  #audit(action: AuditAction, by: Actor, at: Date, detail: Record<string, string | null>): Promise<void> {
    return this.#store.appendAudit({ at, actor: by.actor, source: by.source, action, deviceId: null, detail });
  }
}

function unknown(what: string, id: string): AgentError {
  return new AgentError('ERR_CREDENTIAL_UNKNOWN', `There is no ${what} with id "${id}"; list them to see the ids.`);
}
