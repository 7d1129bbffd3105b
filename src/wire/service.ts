/**
 * The policy service's HTTP contract (docs/openapi.yaml): the request bodies it accepts and the
 * answers it gives to POST /v1/challenge, /v1/enroll, /v1/attest and /v1/certificate. The
 * service validates requests with these schemas; the agent's client sends and reads the same
 * shapes. Both import them from here, never from each other.
 */
import { z } from 'zod';
import { publicJwkSchema } from '../attest/jwk.js';
import type { ComplianceStatus, EarStatus, Verdict } from '../policy/types.js';

export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export interface AttestResponse {
  deviceId: string;
  /** The signed Result token (design §3). */
  result: string;
  expiresAt: string;
  status: ComplianceStatus;
  earStatus: EarStatus;
  policy: string;
  tiers: string[];
  verdicts: Verdict[];
}

export interface EnrollResponse {
  deviceId: string;
  kid: string;
  enrolledAt: string;
  /** True when an enrolled device replaced its key. */
  rotated: boolean;
  /** The enrolment Evidence is appraised at once: the device starts with a Result. */
  appraisal: AttestResponse;
}

export interface CertificateResponse {
  deviceId: string;
  /** Lowercase hex. */
  serial: string;
  /** The device certificate (PEM). */
  certificate: string;
  /** Every CA certificate a gateway should trust (PEM each), the issuing one first. */
  caCertificates: string[];
  notBefore: string;
  expiresAt: string;
  /** The appraisal of the Evidence that asked for the certificate, as POST /v1/attest answers it. */
  appraisal: AttestResponse;
}

export const certificateRequestSchema = z.strictObject({
  /** Evidence for a challenge, signed by the enrolled device key, with `cnf.jkt` = the thumbprint of `tlsKey`. */
  evidence: z.string().min(1).max(64 * 1024),
  /** The public TLS key to certify (checked by certify(): a wrong key is ERR_CERTIFICATE_KEY_MISMATCH). */
  tlsKey: z.record(z.string(), z.unknown()),
});

export type CertificateRequest = z.infer<typeof certificateRequestSchema>;

export const challengeRequestSchema = z.strictObject({ deviceId: z.string().regex(DEVICE_ID_PATTERN, 'expected a device id') });

export type ChallengeRequest = z.infer<typeof challengeRequestSchema>;

/** The answer to POST /v1/challenge. */
export interface ChallengeResponse {
  nonce: string;
  expiresAt: string;
}

export const enrollRequestSchema = z
  .strictObject({
    /** Evidence signed by the key being enrolled (proof of possession), answering a challenge. */
    evidence: z.string().min(1).max(64 * 1024),
    jwk: publicJwkSchema,
    /** An enrolment token (`posture-service token create`). */
    token: z.string().min(1).max(256).optional(),
    /** For a key rotation: the current key's endorsement of the new key, instead of a token. */
    endorsement: z.string().min(1).max(8 * 1024).optional(),
  })
  .refine((body) => body.token !== undefined || body.endorsement !== undefined, { message: 'an enrolment token or a key endorsement is required', path: ['token'] });

export type EnrollRequest = z.infer<typeof enrollRequestSchema>;
