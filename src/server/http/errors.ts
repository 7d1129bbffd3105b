/** Every error answer is `{ "error": { "code": "ERR_...", "message": "..." } }` with the right status. */
import type { ErrorCode } from '../../shared/errors.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  ERR_BAD_REQUEST: 400,
  ERR_TIER_UNKNOWN: 400,
  ERR_CERTIFICATE_KEY_MISMATCH: 400,
  ERR_CERTIFICATE_INVALID: 401,
  ERR_POSTURE_STALE: 403,
  ERR_USAGE: 400,
  ERR_UNAUTHORIZED: 401,
  ERR_ENROLLMENT_TOKEN: 403,
  ERR_FORBIDDEN: 403,
  ERR_DEVICE_REVOKED: 403,
  ERR_DEVICE_UNKNOWN: 404,
  ERR_DEVICE_ALREADY_ENROLLED: 409,
  ERR_DEVICE_KEY_CHANGED: 409,
  ERR_NOT_FOUND_ROUTE: 404,
  ERR_REQUEST_TIMEOUT: 408,
  ERR_BODY_TOO_LARGE: 413,
  ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  ERR_HEADERS_TOO_LARGE: 431,
  ERR_RATE_LIMITED: 429,
  ERR_DATABASE_UNAVAILABLE: 503,
  ERR_CSRF: 403,
  ERR_CONSOLE_LINK: 403,
  ERR_CONSOLE_SIGN_IN: 403,
  ERR_CREDENTIAL_UNKNOWN: 404,
};

/** Evidence that fails verification is the client's fault: 401, whatever the reason. */
export function statusFor(code: ErrorCode): number {
  if (code.startsWith('ERR_ATTESTATION_')) return 401;
  if (code.startsWith('ERR_RESULT_')) return 401;
  return STATUS[code] ?? 500;
}

export function errorBody(code: ErrorCode, message: string): { error: { code: ErrorCode; message: string } } {
  return { error: { code, message } };
}
