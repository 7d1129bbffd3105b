/**
 * The console's only way to the service: the same JSON API as scripts, authorised by the session
 * cookie. Changes carry the session's CSRF token; a 401 means the session is gone: sign in again.
 */
import type { Session } from './api-types.js';

export const SIGN_IN_URL = '/console/sign-in';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    return new ApiError(response.status, body.error?.code ?? 'ERR_HTTP', body.error?.message ?? response.statusText);
  } catch {
    return new ApiError(response.status, 'ERR_HTTP', `The service answered ${response.status}.`);
  }
}

export class Api {
  #session: Session | null = null;

  get session(): Session {
    if (this.#session === null) throw new Error('Not signed in.');
    return this.#session;
  }

  /** Reads the session; without one the page goes to sign-in (and this never resolves). */
  async signIn(): Promise<Session> {
    const response = await fetch('/console/session', { headers: { accept: 'application/json' }, credentials: 'same-origin' });
    if (response.status === 401) return this.#toSignIn();
    if (!response.ok) throw await errorOf(response);
    this.#session = (await response.json()) as Session;
    return this.#session;
  }

  get<T>(path: string): Promise<T> {
    return this.#request<T>('GET', path);
  }

  send<T>(method: 'POST' | 'PUT', path: string, body: unknown = {}): Promise<T> {
    return this.#request<T>(method, path, body);
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method !== 'GET') {
      headers['content-type'] = 'application/json';
      headers['x-csrf-token'] = this.session.csrfToken;
    }
    const response = await fetch(path, { method, headers, credentials: 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (response.status === 401) return this.#toSignIn();
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as T;
  }

  #toSignIn(): Promise<never> {
    window.location.assign(SIGN_IN_URL);
    return new Promise<never>(() => undefined);
  }
}
