/**
 * Forward-auth decisions (GET /v1/authz): may this request reach a resource of this tier? Two
 * kinds of proof, both decided synchronously from memory (no database read per request):
 *
 * - a device certificate that an authenticated gateway forwards: verified once against the device
 *   CA and cached by the header's value; the decision comes from the device's LATEST appraisal in
 *   the device-status table (revoked, stale, tier not granted);
 * - a Result: verified (one ES256 verification) and, from its second use on, cached until it
 *   expires; refused when revoked, when it does not grant the tier, or when a newer appraisal of
 *   its device no longer grants it.
 */
import type { X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { requireTier, type VerifiedResult } from '../attest/verify-result.js';
import { AgentError, isAgentError, type ErrorCode } from '../shared/errors.js';
import type { EarStatus } from '../policy/types.js';
import { verifyDeviceCertificate, forwardedCertificate, type DeviceCertificate } from './device-certificate.js';
import type { DeviceStatus, DeviceStatusTable, FailingCheck } from './device-status.js';
import { ResultVerifier } from './result-verifier.js';
import type { ServiceKeys } from './service-keys.js';

export type AuthzOutcome =
  | 'allow' | 'deny_missing' | 'deny_invalid' | 'deny_expired' | 'deny_certificate' | 'deny_revoked' | 'deny_stale' | 'deny_tier' | 'bad_tier';

/** What the request was decided on: a Result, or a device certificate with the device's latest appraisal. */
export type AuthzProof = 'result' | 'certificate';

export type AuthzDecision =
  | { allow: true; outcome: 'allow'; proof: AuthzProof; deviceId: string; earStatus: EarStatus; tiers: readonly string[]; failing: readonly FailingCheck[] }
  | {
    allow: false; outcome: Exclude<AuthzOutcome, 'allow'>; httpStatus: 400 | 401 | 403; code: ErrorCode; message: string;
    proof?: AuthzProof; deviceId?: string; earStatus?: EarStatus;
    /** The checks that keep the device from the tier (ERR_RESULT_TIER), for X-Posture-Failing and the denial page. */
    failing: readonly FailingCheck[];
  };

/** The device CA's certificates (DeviceCa), active first. */
export interface TrustedCertificates {
  trustedCertificates(): X509Certificate[];
}

export interface AuthzRequest {
  headers: IncomingHttpHeaders;
  tier: string | null;
  /** The request carries a valid gateway API key: only then are forwarded client certificates believed. */
  gatewayAuthenticated: boolean;
}

export interface AuthzOptions {
  keys: ServiceKeys;
  issuer: string;
  audience: string;
  /** The policy's tiers: asking for another one is a configuration error (400). Replaced on reload (setTiers). */
  tiers: ReadonlySet<string>;
  /** Each device's revocation and latest appraisal. */
  devices: Pick<DeviceStatusTable, 'get'>;
  /** The device CA; without it no client certificate is accepted. */
  deviceCa?: TrustedCertificates;
  /** The rules of each tier of the policy in force, to name the checks that keep a device from a tier. */
  tierRules?: () => Readonly<Record<string, readonly string[]>>;
  /** A device not appraised for longer than this is refused on its certificate (ERR_POSTURE_STALE). */
  maxPostureAgeMs?: number;
  clock?: () => Date;
  maxCachedResults?: number;
  maxCachedCertificates?: number;
}

export const DEFAULT_MAX_POSTURE_AGE_MS = 11 * 60_000;
const NONE: readonly FailingCheck[] = [];
/** How much of a forwarded certificate's end keys the cache (a P-256 signature is about 100 base64 characters). */
const CERTIFICATE_KEY_LENGTH = 192;
/**
 * How much of a Result's end (its signature) marks it as seen once. Under 13 characters V8 copies
 * a slice instead of pointing into the token, so the mark does not keep the token alive.
 */
const SEEN_KEY_LENGTH = 12;

type CachedCertificate = DeviceCertificate | { error: string };

/** The Result: X-Posture-Token first (Authorization may belong to the protected app), then a Bearer JWT. */
export function presentedResult(headers: IncomingHttpHeaders): string | null {
  const header = headers['x-posture-token'];
  if (typeof header === 'string' && header.trim() !== '') return header.trim();
  const authorization = headers.authorization;
  const match = authorization ? /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i.exec(authorization) : null;
  return match ? match[1]! : null;
}

function deny(
  outcome: Exclude<AuthzOutcome, 'allow'>, httpStatus: 400 | 401 | 403, code: ErrorCode, message: string,
  extra: { proof?: AuthzProof; deviceId?: string; earStatus?: EarStatus; failing?: readonly FailingCheck[] } = {},
): AuthzDecision {
  return { allow: false, outcome, httpStatus, code, message, ...extra, failing: extra.failing ?? NONE };
}

function certificateInvalid(message: string): AuthzDecision {
  return deny('deny_certificate', 401, 'ERR_CERTIFICATE_INVALID', message, { proof: 'certificate' });
}

export class AuthzEngine {
  readonly #options: AuthzOptions;
  readonly #clock: () => Date;
  readonly #results = new Map<string, VerifiedResult>();
  /**
   * Results verified once and not cached: only a Result presented again is cached, so a stream of
   * distinct Results (each used once) costs its verifications and no memory. A mark is a hint for
   * caching, never for a decision: every Result not in #results is verified.
   */
  readonly #seenOnce = new Set<string>();
  readonly #verifier = new ResultVerifier();
  /**
   * By the end of the header's value (a certificate ends with its signature: unique), so only that
   * much is hashed per request; a hit counts only when the whole value and the header are the same.
   */
  readonly #certificates = new Map<string, { header: string; value: string; verified: CachedCertificate }>();
  readonly #maxCached: number;
  readonly #maxCachedCertificates: number;
  readonly #maxPostureAgeMs: number;
  #trusted: readonly X509Certificate[] = [];
  #tiers: ReadonlySet<string>;

  constructor(options: AuthzOptions) {
    this.#options = options;
    this.#tiers = new Set(options.tiers);
    this.#clock = options.clock ?? (() => new Date());
    this.#maxCached = options.maxCachedResults ?? 50_000;
    this.#maxCachedCertificates = options.maxCachedCertificates ?? 10_000;
    this.#maxPostureAgeMs = options.maxPostureAgeMs ?? DEFAULT_MAX_POSTURE_AGE_MS;
  }

  get cachedResults(): number {
    return this.#results.size;
  }

  get tiers(): ReadonlySet<string> {
    return this.#tiers;
  }

  /** The tiers of a reloaded policy; decisions already made are not affected, the next one uses these. */
  setTiers(tiers: Iterable<string>): void {
    this.#tiers = new Set(tiers);
  }

  /** A Result alone (no gateway, no certificate). */
  decide(token: string | null, tier: string | null): AuthzDecision {
    return this.decideRequest({ headers: token === null ? {} : { 'x-posture-token': token }, tier, gatewayAuthenticated: false });
  }

  /**
   * The decision for a forward-auth request. A client certificate forwarded by an authenticated
   * gateway decides when present; otherwise the Result does. Without `gatewayAuthenticated` the
   * certificate headers are ignored: a client could set them itself.
   */
  decideRequest(request: AuthzRequest): AuthzDecision {
    const { tier } = request;
    if (tier === null || !this.#tiers.has(tier)) {
      const known = [...this.#tiers].join(', ');
      return deny('bad_tier', 400, 'ERR_TIER_UNKNOWN', `Unknown tier ${JSON.stringify(tier)}; the policy has: ${known}.`);
    }
    const certificate = request.gatewayAuthenticated ? forwardedCertificate(request.headers) : null;
    if (certificate !== null) return this.#byCertificate(certificate.header, certificate.value, tier);
    const token = presentedResult(request.headers);
    if (token === null) {
      return deny('deny_missing', 401, 'ERR_RESULT_MISSING', 'No posture Result or device certificate was presented (Authorization: Bearer, X-Posture-Token, or a client certificate at the gateway).');
    }
    return this.#byResult(token, tier);
  }

  #byCertificate(header: string, value: string, tier: string): AuthzDecision {
    const now = this.#clock().getTime();
    const verified = this.#certificate(header, value);
    if ('error' in verified) return certificateInvalid(verified.error);
    if (now < verified.notBefore) return certificateInvalid('The device certificate is not valid yet.');
    if (now > verified.notAfter) return certificateInvalid('The device certificate has expired: the agent renews it (posture-agent cert).');
    const status = this.#options.devices.get(verified.deviceId);
    if (status === undefined) return certificateInvalid('The device certificate names a device that is not enrolled.');
    const device = { proof: 'certificate' as const, deviceId: status.deviceId, ...(status.earStatus ? { earStatus: status.earStatus } : {}) };
    if (status.revoked) return deny('deny_revoked', 403, 'ERR_DEVICE_REVOKED', 'This device has been revoked.', device);
    if (status.appraisedAt === null || now - status.appraisedAt > this.#maxPostureAgeMs) {
      return deny('deny_stale', 403, 'ERR_POSTURE_STALE', 'This device has not reported its posture recently: start the posture agent and let it check in.', device);
    }
    if (!status.tiers.includes(tier)) {
      return deny('deny_tier', 403, 'ERR_RESULT_TIER', `The device does not meet tier "${tier}" (status ${status.earStatus ?? 'none'}).`, { ...device, failing: this.#failing(status, tier) });
    }
    return { allow: true, outcome: 'allow', proof: 'certificate', deviceId: status.deviceId, earStatus: status.earStatus!, tiers: status.tiers, failing: NONE };
  }

  #byResult(token: string, tier: string): AuthzDecision {
    const now = this.#clock();
    let result: VerifiedResult;
    try {
      result = this.#verified(token, now);
    } catch (error) {
      if (!isAgentError(error)) throw error;
      return deny(error.code === 'ERR_RESULT_EXPIRED' ? 'deny_expired' : 'deny_invalid', 401, error.code, error.message, { proof: 'result' });
    }
    const device = { proof: 'result' as const, deviceId: result.deviceId, earStatus: result.status };
    const status = this.#options.devices.get(result.deviceId);
    if (status?.revoked === true) return deny('deny_revoked', 403, 'ERR_DEVICE_REVOKED', 'This device has been revoked.', device);
    if (status !== undefined && this.#supersedes(status, result) && !status.tiers.includes(tier)) {
      const message = `The device no longer meets tier "${tier}": it was appraised again after this Result (status ${status.earStatus ?? 'none'}).`;
      return deny('deny_tier', 403, 'ERR_RESULT_TIER', message, { ...device, earStatus: status.earStatus ?? result.status, failing: this.#failing(status, tier) });
    }
    try {
      requireTier(result, tier);
    } catch (error) {
      if (!isAgentError(error)) throw error;
      const failing = result.checks.filter((check) => check.status !== 'pass' && check.severity === 'block').map(({ id, severity }) => ({ id, severity }));
      return deny('deny_tier', 403, error.code, error.message, { ...device, failing: this.#forTier(failing, tier) });
    }
    return { allow: true, outcome: 'allow', ...device, tiers: result.tiers, failing: NONE };
  }

  /**
   * The device's latest appraisal is not the one that issued this Result and is at least as recent
   * (appraisal times have milliseconds, a Result's iat whole seconds).
   */
  #supersedes(status: DeviceStatus, result: VerifiedResult): boolean {
    return status.appraisedAt !== null && status.resultJti !== result.jti && status.appraisedAt >= result.issuedAt.getTime();
  }

  /** The checks that deny `tier`: blocking checks among the tier's rules (all blocking ones when the rules are unknown). */
  #failing(status: DeviceStatus, tier: string): readonly FailingCheck[] {
    const blocking = status.failing.filter((check) => status.blocking.includes(check.id));
    const forTier = this.#forTier(blocking, tier);
    return forTier.length > 0 ? forTier : status.failing;
  }

  #forTier(checks: readonly FailingCheck[], tier: string): readonly FailingCheck[] {
    const rules = this.#options.tierRules?.()[tier];
    if (rules === undefined) return checks;
    const inTier = checks.filter((check) => rules.includes(check.id));
    return inTier.length > 0 ? inTier : checks;
  }

  #certificate(header: string, value: string): CachedCertificate {
    const trusted = this.#options.deviceCa?.trustedCertificates() ?? [];
    if (!sameCertificates(trusted, this.#trusted)) {
      this.#certificates.clear();
      this.#trusted = [...trusted];
    }
    const key = value.length > CERTIFICATE_KEY_LENGTH ? value.slice(-CERTIFICATE_KEY_LENGTH) : value;
    const cached = this.#certificates.get(key);
    if (cached !== undefined && cached.header === header && cached.value === value) return cached.verified;
    let verified: CachedCertificate;
    try {
      verified = verifyDeviceCertificate(header, value, trusted);
    } catch (error) {
      if (!isAgentError(error)) throw error;
      verified = { error: error.message };
    }
    if (this.#certificates.size >= this.#maxCachedCertificates) evictOldest(this.#certificates, this.#maxCachedCertificates);
    this.#certificates.set(key, { header, value, verified });
    return verified;
  }

  #verified(token: string, now: Date): VerifiedResult {
    const cached = this.#results.get(token);
    if (cached) {
      if (cached.expiresAt.getTime() > now.getTime()) return cached;
      this.#results.delete(token);
      throw new AgentError('ERR_RESULT_EXPIRED', 'The Result has expired: the device must check in again.');
    }
    const { keys, issuer, audience } = this.#options;
    const keyFor = (kid: string) => {
      const key = keys.publicKey(kid, now);
      if (!key) keys.requestReload();
      return key;
    };
    const result = this.#verifier.verify(token, { issuer, audience, now, keyFor, clockToleranceSeconds: 0 });
    const seen = token.slice(-SEEN_KEY_LENGTH);
    if (!this.#seenOnce.delete(seen)) {
      if (this.#seenOnce.size >= this.#maxCached) this.#seenOnce.clear();
      this.#seenOnce.add(seen);
      return result;
    }
    if (this.#results.size >= this.#maxCached) evictOldest(this.#results, this.#maxCached);
    this.#results.set(token, result);
    return result;
  }
}

/** The same certificates as last time: usually the very same objects, otherwise compared by fingerprint. */
function sameCertificates(a: readonly X509Certificate[], b: readonly X509Certificate[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((certificate, index) => certificate === b[index] || certificate.fingerprint256 === b[index]!.fingerprint256);
}

/**
 * Drops the oldest tenth. Results share one lifetime, so insertion order is expiry order: the
 * oldest entries are the expired ones, or the next to expire. No full scan on the hot path.
 */
function evictOldest(cache: Map<string, unknown>, max: number): void {
  let excess = cache.size - Math.floor(max * 0.9);
  for (const key of cache.keys()) {
    if (excess-- <= 0) break;
    cache.delete(key);
  }
}
