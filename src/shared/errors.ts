/**
 * Every error a user, a collector report or a caller can see carries a stable `ERR_*` code.
 * Messages say what happened and what to do; they never contain secrets or stack traces.
 */
export const ERROR_CODES = [
  // command line and configuration
  'ERR_USAGE',
  'ERR_CONFIG_INVALID',
  'ERR_FILE_UNREADABLE',
  'ERR_POLICY_INVALID',
  // process runner and host
  'ERR_COMMAND_NOT_ALLOWED',
  'ERR_COMMAND_NOT_FOUND',
  'ERR_COMMAND_TIMEOUT',
  'ERR_COMMAND_FAILED',
  'ERR_COMMAND_OUTPUT_TOO_LARGE',
  'ERR_ACCESS_DENIED',
  'ERR_NOT_FOUND',
  'ERR_IO',
  'ERR_DOWNLOAD_FAILED', // npm start / npm run dist could not fetch Electron (scripts/electron-tool.mjs)
  // collectors
  'ERR_PARSE',
  'ERR_EMPTY_OUTPUT',
  'ERR_UNSUPPORTED',
  'ERR_CHECK_BUDGET_EXCEEDED',
  'ERR_COLLECTOR_FAILED',
  'ERR_SIGNAL_UNAVAILABLE',
  'ERR_SIGNAL_NOT_REPORTED',
  // identity and the device key
  'ERR_MACHINE_ID',
  'ERR_FILE_PERMISSIONS',
  'ERR_FILE_OWNER',
  'ERR_KEY_CORRUPT',
  'ERR_KEY_STORE_INSECURE',
  'ERR_KEY_STORE_UNAVAILABLE',
  // Evidence verification (each refusal has its own code)
  'ERR_ATTESTATION_TOO_LARGE',
  'ERR_ATTESTATION_MALFORMED',
  'ERR_ATTESTATION_ALGORITHM',
  'ERR_ATTESTATION_TYPE',
  'ERR_ATTESTATION_HEADER',
  'ERR_ATTESTATION_KEY_UNKNOWN',
  'ERR_ATTESTATION_SIGNATURE',
  'ERR_ATTESTATION_CLAIM_MISSING',
  'ERR_ATTESTATION_CLAIM_INVALID',
  'ERR_ATTESTATION_PROFILE',
  'ERR_ATTESTATION_AUDIENCE',
  'ERR_ATTESTATION_EXPIRED',
  'ERR_ATTESTATION_NOT_YET_VALID',
  'ERR_ATTESTATION_LIFETIME',
  'ERR_ATTESTATION_NONCE',
  'ERR_ATTESTATION_REPLAY',
  // Result verification (gateways and the service's authz)
  'ERR_RESULT_MISSING',
  'ERR_RESULT_TOO_LARGE',
  'ERR_RESULT_MALFORMED',
  'ERR_RESULT_ALGORITHM',
  'ERR_RESULT_TYPE',
  'ERR_RESULT_HEADER',
  'ERR_RESULT_KEY_UNKNOWN',
  'ERR_RESULT_SIGNATURE',
  'ERR_RESULT_PROFILE',
  'ERR_RESULT_ISSUER',
  'ERR_RESULT_AUDIENCE',
  'ERR_RESULT_EXPIRED',
  'ERR_RESULT_NOT_YET_VALID',
  'ERR_RESULT_CLAIM_INVALID',
  'ERR_RESULT_TIER',
  'ERR_DEVICE_REVOKED',
  // policy service
  'ERR_DATA_DIR',
  'ERR_DATABASE_MISSING',
  'ERR_DATABASE_UNAVAILABLE',
  'ERR_KEY_ENCRYPTION_KEY',
  'ERR_DEVICE_UNKNOWN',
  'ERR_DEVICE_ALREADY_ENROLLED',
  'ERR_DEVICE_KEY_CHANGED',
  'ERR_TIER_UNKNOWN',
  'ERR_CERTIFICATE_KEY_MISMATCH',
  'ERR_CERTIFICATE_INVALID',
  'ERR_POSTURE_STALE',
  'ERR_ENROLLMENT_TOKEN',
  'ERR_UNAUTHORIZED',
  'ERR_FORBIDDEN',
  'ERR_BAD_REQUEST',
  'ERR_NOT_FOUND_ROUTE',
  'ERR_BODY_TOO_LARGE',
  'ERR_HEADERS_TOO_LARGE',
  'ERR_REQUEST_TIMEOUT',
  'ERR_UNSUPPORTED_MEDIA_TYPE',
  'ERR_RATE_LIMITED',
  'ERR_SERVICE_UNREACHABLE',
  'ERR_SERVICE_ERROR',
  'ERR_NOT_ENROLLED',
  // the daemon and its local API
  'ERR_DAEMON_UNREACHABLE',
  'ERR_STATE_DIR',
  'ERR_STATE_DIR_LOCKED',
  'ERR_NO_RESULT',
  'ERR_STATE_CORRUPT',
  'ERR_CERTIFICATE_STORE', // the agent could not install its device certificate into an OS store
  // console sign-in
  'ERR_CSRF',
  'ERR_CONSOLE_LINK',
  'ERR_CONSOLE_SIGN_IN',
  'ERR_CREDENTIAL_UNKNOWN',
  // events
  'ERR_EVENTS_CONFIG', // the events file (webhooks, SSF receivers) is missing, unreadable or invalid
  'ERR_INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class AgentError extends Error {
  override readonly name = 'AgentError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isAgentError(value: unknown): value is AgentError {
  return value instanceof AgentError;
}

/** Node's own errors carry a string `code` such as ENOENT or EACCES. */
export function systemErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    return typeof error.code === 'string' ? error.code : undefined;
  }
  return undefined;
}

/** The message of anything thrown, without a stack. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
