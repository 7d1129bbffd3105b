/**
 * One rule for every Result the agent accepts, in the daemon and in `submit` alike: it verifies
 * with the service's own keys (its JWKS), was issued by the URL this device enrolled with, and is
 * meant for the configured audience (resultAudience). Verification is the gateway's verifyResult
 * with a key cache of the agent's own: fed by the agent's service client, kept until a Result
 * names a key it does not hold (the service rotated its key), then fetched again, once per Result.
 */
import { JwksCache } from '../gateway/jwks-cache.js';
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
  /** Per service URL: the agent fetches through its own client (timeouts, messages), not the gateway's HTTP fetcher. */
  readonly #keys: JwksCache;

  constructor(fetchKeys: FetchServiceKeys = (server) => new ServiceClient({ baseUrl: server }).jwks()) {
    this.#keys = new JwksCache({ fetchKeys, defaultMaxAgeMs: Number.POSITIVE_INFINITY, minRefetchMs: 0 });
  }

  async verify(result: string, expected: ExpectedResult): Promise<VerifiedResult> {
    const { server, audience, now } = expected;
    try {
      return await verifyResult(result, { jwksUrl: server, keyCache: this.#keys, issuer: server, audience, ...(now ? { now } : {}) });
    } catch (error) {
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
