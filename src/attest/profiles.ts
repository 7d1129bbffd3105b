/** The token profiles of design §3 (a contract). */
export const EAT_MEDIA_TYPE = 'eat+jwt';
export const EVIDENCE_PROFILE = 'tag:posture-agent,2026:evidence/v1';
export const RESULT_PROFILE = 'tag:posture-agent,2026:result/v1';
/** Evidence lives at most this long (exp <= iat + 300 s). */
export const EVIDENCE_MAX_LIFETIME_SECONDS = 300;
export const EVIDENCE_DEFAULT_LIFETIME_SECONDS = 120;
/** Header parameters that would let a token choose its own key: always refused (RFC 8725 §3.10). */
export const FORBIDDEN_HEADER_PARAMETERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'crit', 'b64'] as const;
