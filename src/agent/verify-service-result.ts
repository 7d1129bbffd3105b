/**
 * One rule for every Result the agent accepts, in the daemon and in `submit` alike: it verifies
 * with the service's own keys (its JWKS), was issued by the URL this device enrolled with, and is
 * meant for the configured audience (resultAudience). The keys are fetched again once when a
 * Result names a key not among them (the service rotated its key).
 */
import { verifyResult, type VerifiedResult } from '../gateway/verify-result.js';
import { AgentError, isAgentError } from '../shared/errors.js';
import { ServiceClient } from './service-client.js';

export interface ExpectedResult {
  /** The service this device enrolled with: the Result's issuer. */
  server: string;
  /** The configured resultAudience. */
  audience: string;
  now?: Date;
}

export type FetchServiceKeys = (server: string) => Promise<{ keys: unknown[] }>;

export class ServiceResultVerifier {
  readonly #fetchKeys: FetchServiceKeys;
  #jwks: { server: string; keys: unknown[] } | null = null;

  constructor(fetchKeys: FetchServiceKeys = (server) => new ServiceClient({ baseUrl: server }).jwks()) {
    this.#fetchKeys = fetchKeys;
  }

  async #refresh(server: string): Promise<unknown[]> {
    const { keys } = await this.#fetchKeys(server);
    this.#jwks = { server, keys };
    return keys;
  }

  async verify(result: string, expected: ExpectedResult): Promise<VerifiedResult> {
    const { server, audience, now } = expected;
    let fresh = this.#jwks?.server !== server;
    let keys = fresh || !this.#jwks ? await this.#refresh(server) : this.#jwks.keys;
    for (;;) {
      try {
        return await verifyResult(result, { jwks: { keys }, issuer: server, audience, ...(now ? { now } : {}) });
      } catch (error) {
        if (!fresh && isAgentError(error) && error.code === 'ERR_RESULT_KEY_UNKNOWN') {
          fresh = true;
          keys = await this.#refresh(server);
          continue;
        }
        if (isAgentError(error) && error.code === 'ERR_RESULT_ISSUER') {
          throw new AgentError(
            'ERR_RESULT_ISSUER',
            `The service at ${server} signs its Results as another URL: ${error.message} Use the service's own public URL (its --url) for this device: enrol with it ("posture-agent enroll --server URL") or configure it as serviceUrl.`,
          );
        }
        throw error;
      }
    }
  }
}
