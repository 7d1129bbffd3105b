/**
 * The agent's client for the policy service (design §6). Network failures and refusals become
 * AgentErrors that say what happened and what to do; a refusal keeps the service's own code and
 * HTTP status, so callers can tell "retry later" from "retrying cannot help".
 */
import type { PublicJwk } from '../attest/jwk.js';
import { AgentError, ERROR_CODES, messageOf, type ErrorCode } from '../shared/errors.js';
import type { AttestResponse, CertificateResponse, ChallengeResponse, EnrollRequest, EnrollResponse } from '../wire/service.js';
import { httpRequest, type HttpResponse } from '../shared/http-request.js';

/** The service's answer to POST /v1/certificate (201). */
export type { CertificateResponse } from '../wire/service.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

export class ServiceError extends AgentError {
  /** The HTTP status, or 0 when the service could not be reached at all. */
  readonly status: number;
  constructor(code: ErrorCode, message: string, status: number, options?: { cause?: unknown }) {
    super(code, message, options);
    this.status = status;
  }
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if ((error as { name?: string }).name === 'TimeoutError') return 'it did not answer in time';
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'the connection was refused (is the service running?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'its name could not be resolved';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return `its TLS certificate was not accepted (${cause.code})`;
    default:
      return cause?.message ?? messageOf(error);
  }
}

export interface ServiceClientOptions {
  baseUrl: string;
  timeoutMs?: number;
}

export class ServiceClient {
  readonly baseUrl: string;
  readonly #timeoutMs: number;

  constructor(options: ServiceClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  async #call<T>(method: 'GET' | 'POST', path: string, body?: { text: string; contentType: string }): Promise<T> {
    let response: HttpResponse;
    try {
      response = await httpRequest(`${this.baseUrl}${path}`, {
        method,
        headers: { accept: 'application/json', ...(body ? { 'content-type': body.contentType } : {}) },
        ...(body ? { body: body.text } : {}),
        timeoutMs: this.#timeoutMs,
      });
    } catch (error) {
      throw new ServiceError('ERR_SERVICE_UNREACHABLE', `Could not reach the policy service at ${this.baseUrl}: ${networkReason(error)}. Check the address and the network, or try again later.`, 0, { cause: error });
    }
    let parsed: unknown = null;
    try {
      parsed = response.text === '' ? null : JSON.parse(response.text);
    } catch {
      // not JSON: handled below
    }
    if (response.status >= 200 && response.status < 300 && parsed !== null) return parsed as T;
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const code = isErrorCode(error?.code) ? error.code : 'ERR_SERVICE_ERROR';
    const message = typeof error?.message === 'string' ? error.message : `HTTP ${response.status} ${response.statusText}`.trim();
    throw new ServiceError(code, `The policy service refused: ${message}`, response.status);
  }

  challenge(deviceId: string): Promise<ChallengeResponse> {
    return this.#call('POST', '/v1/challenge', { text: JSON.stringify({ deviceId }), contentType: 'application/json' });
  }

  enroll(request: EnrollRequest): Promise<EnrollResponse> {
    return this.#call('POST', '/v1/enroll', { text: JSON.stringify(request), contentType: 'application/json' });
  }

  attest(evidence: string): Promise<AttestResponse> {
    return this.#call('POST', '/v1/attest', { text: evidence, contentType: 'application/eat+jwt' });
  }

  /** POST /v1/certificate: Evidence with `cnf.jkt` binding the TLS key; answers the issued client certificate. */
  certificate(body: { evidence: string; tlsKey: PublicJwk }): Promise<CertificateResponse> {
    return this.#call('POST', '/v1/certificate', { text: JSON.stringify(body), contentType: 'application/json' });
  }

  /** The service's public signing keys. */
  jwks(): Promise<{ keys: unknown[] }> {
    return this.#call('GET', '/.well-known/jwks.json');
  }
}
