/** Rows of the console's sign-in tables and managed credentials, decoded the same way for both dialects. */
import type { ConsoleLinkRecord, ConsoleRole, ConsoleSessionRecord, EnrollmentTokenState, OidcFlowRecord } from './console-records.js';
import { ENROLLMENT_TOKEN_COLUMNS, enrollmentTokenFromRow, nullableDate, type ColumnDecoder, type EnrollmentTokenRow } from './store-helpers.js';

export const CONSOLE_SESSION_COLUMNS = 'id_hash, subject, name, email, role, created_at, last_used_at, expires_at, source';
export const CONSOLE_LINK_COLUMNS = 'id, token_hash, role, name, created_at, expires_at, used_at';
export const OIDC_FLOW_COLUMNS = 'id_hash, state, nonce, code_verifier, expires_at';
export const ENROLLMENT_TOKEN_STATE_COLUMNS = `${ENROLLMENT_TOKEN_COLUMNS}, revoked_at`;

export interface ConsoleSessionRow {
  id_hash: string;
  subject: string;
  name: string | null;
  email: string | null;
  role: ConsoleRole;
  created_at: unknown;
  last_used_at: unknown;
  expires_at: unknown;
  source: string | null;
}

export interface ConsoleLinkRow {
  id: string;
  token_hash: string;
  role: ConsoleRole;
  name: string | null;
  created_at: unknown;
  expires_at: unknown;
  used_at: unknown;
}

export interface OidcFlowRow {
  id_hash: string;
  state: string;
  nonce: string;
  code_verifier: string;
  expires_at: unknown;
}

export interface EnrollmentTokenStateRow extends EnrollmentTokenRow {
  revoked_at: unknown;
}

export function consoleSessionFromRow(row: ConsoleSessionRow, decode: ColumnDecoder): ConsoleSessionRecord {
  return {
    idHash: row.id_hash,
    subject: row.subject,
    name: row.name,
    email: row.email,
    role: row.role,
    createdAt: decode.date(row.created_at),
    lastUsedAt: decode.date(row.last_used_at),
    expiresAt: decode.date(row.expires_at),
    source: row.source,
  };
}

export function consoleLinkFromRow(row: ConsoleLinkRow, decode: ColumnDecoder): ConsoleLinkRecord {
  return {
    id: row.id,
    tokenHash: row.token_hash,
    role: row.role,
    name: row.name,
    createdAt: decode.date(row.created_at),
    expiresAt: decode.date(row.expires_at),
    usedAt: nullableDate(row.used_at, decode),
  };
}

export function oidcFlowFromRow(row: OidcFlowRow, decode: ColumnDecoder): OidcFlowRecord {
  return { idHash: row.id_hash, state: row.state, nonce: row.nonce, codeVerifier: row.code_verifier, expiresAt: decode.date(row.expires_at) };
}

export function enrollmentTokenStateFromRow(row: EnrollmentTokenStateRow, decode: ColumnDecoder): EnrollmentTokenState {
  return { ...enrollmentTokenFromRow(row, decode), revokedAt: nullableDate(row.revoked_at, decode) };
}

/** Why a link could not be used, from its row as it is after the conditional update changed nothing. */
export function linkRefusal(row: ConsoleLinkRow | undefined, now: Date, decode: ColumnDecoder): 'already-used' | 'expired' | 'unknown' {
  if (row === undefined) return 'unknown';
  const link = consoleLinkFromRow(row, decode);
  if (link.usedAt !== null) return 'already-used';
  return link.expiresAt <= now ? 'expired' : 'unknown';
}
