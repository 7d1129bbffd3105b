/**
 * The fleet's HTTP client: one keep-alive connection pool to the service (undici), the calls an
 * agent makes (challenge, enrol, attest) and the admin listing. A refusal or a network failure is a
 * FleetHttpError with the service's ERR_* code, or the network error's own code.
 */
import { Pool } from 'undici';
import type { AttestResponse, ChallengeResponse, EnrollRequest, EnrollResponse } from '../wire/service.js';

const TIMEOUT_MS = 30_000;

export class FleetHttpError extends Error {
  override readonly name = 'FleetHttpError';
  /** The service's ERR_* code; HTTP_<status> when it sent none; the socket's code when there was no answer. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export function errorCodeOf(error: unknown): string {
  if (error instanceof FleetHttpError) return error.code;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'ERR_INTERNAL';
}

export class FleetHttp {
  readonly #pool: Pool;
  /** The service URL's path (a service mounted under a prefix), without its trailing slash. */
  readonly #prefix: string;

  constructor(baseUrl: string, connections: number) {
    const url = new URL(baseUrl);
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#pool = new Pool(url.origin, { connections, keepAliveTimeout: 60_000, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
  }

  async #call<T>(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string): Promise<T> {
    let response;
    try {
      response = await this.#pool.request({ method, path: `${this.#prefix}${path}`, headers, ...(body === undefined ? {} : { body }) });
    } catch (error) {
      throw new FleetHttpError(errorCodeOf(error), `${method} ${path}: ${(error as Error).message}`);
    }
    const text = await response.body.text();
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: the status says what happened
    }
    if (response.statusCode >= 200 && response.statusCode < 300 && parsed !== null) return parsed as T;
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const code = typeof error?.code === 'string' ? error.code : `HTTP_${response.statusCode}`;
    throw new FleetHttpError(code, `${method} ${path}: ${typeof error?.message === 'string' ? error.message : text.slice(0, 200)}`);
  }

  challenge(deviceId: string): Promise<ChallengeResponse> {
    return this.#call('POST', '/v1/challenge', { 'content-type': 'application/json' }, JSON.stringify({ deviceId }));
  }

  enroll(request: EnrollRequest): Promise<EnrollResponse> {
    return this.#call('POST', '/v1/enroll', { 'content-type': 'application/json' }, JSON.stringify(request));
  }

  attest(evidence: string): Promise<AttestResponse> {
    return this.#call('POST', '/v1/attest', { 'content-type': 'application/eat+jwt' }, evidence);
  }

  /** GET with an admin API key, e.g. a page of /v1/devices. */
  get<T>(path: string, apiKey: string): Promise<T> {
    return this.#call('GET', path, { authorization: `Bearer ${apiKey}`, accept: 'application/json' });
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
