/** The SQLite statements behind the console's Store methods, prepared once per connection. */
import type Database from 'better-sqlite3';
import type { ApiKeyRecord } from './store.js';
import type { ConsoleLinkRecord, ConsoleLinkUse, ConsoleSessionRecord, EnrollmentTokenState, OidcFlowRecord } from './console-records.js';
import {
  CONSOLE_LINK_COLUMNS, CONSOLE_SESSION_COLUMNS, ENROLLMENT_TOKEN_STATE_COLUMNS, OIDC_FLOW_COLUMNS, consoleLinkFromRow, consoleSessionFromRow,
  enrollmentTokenStateFromRow, linkRefusal, oidcFlowFromRow, type ConsoleLinkRow, type ConsoleSessionRow, type EnrollmentTokenStateRow, type OidcFlowRow,
} from './console-rows.js';
import { API_KEY_COLUMNS, apiKeyFromRow, type ApiKeyRow, type ColumnDecoder } from './store-helpers.js';

function iso(date: Date): string {
  return date.toISOString();
}

function prepare(db: Database.Database) {
  return {
    insertSession: db.prepare<[string, string, string | null, string | null, string, string, string, string, string | null]>(`
      INSERT INTO console_sessions (${CONSOLE_SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    findSession: db.prepare<[string, string, string], ConsoleSessionRow>(`
      SELECT ${CONSOLE_SESSION_COLUMNS} FROM console_sessions WHERE id_hash = ? AND expires_at > ? AND last_used_at > ?`),
    touchSession: db.prepare<[string, string]>('UPDATE console_sessions SET last_used_at = ? WHERE id_hash = ?'),
    deleteSession: db.prepare<[string]>('DELETE FROM console_sessions WHERE id_hash = ?'),
    deleteExpiredSessions: db.prepare<[string, string]>('DELETE FROM console_sessions WHERE expires_at <= ? OR last_used_at <= ?'),
    deleteExpiredFlows: db.prepare<[string]>('DELETE FROM console_oidc_flows WHERE expires_at <= ?'),
    insertLink: db.prepare<[string, string, string, string | null, string, string]>(`
      INSERT INTO console_links (id, token_hash, role, name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`),
    useLink: db.prepare<[string, string, string], ConsoleLinkRow>(`
      UPDATE console_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING ${CONSOLE_LINK_COLUMNS}`),
    findLink: db.prepare<[string], ConsoleLinkRow>(`SELECT ${CONSOLE_LINK_COLUMNS} FROM console_links WHERE token_hash = ?`),
    insertFlow: db.prepare<[string, string, string, string, string]>(`
      INSERT INTO console_oidc_flows (${OIDC_FLOW_COLUMNS}) VALUES (?, ?, ?, ?, ?)`),
    takeFlow: db.prepare<[string, string], OidcFlowRow>(`
      DELETE FROM console_oidc_flows WHERE id_hash = ? AND expires_at > ? RETURNING ${OIDC_FLOW_COLUMNS}`),
    listTokens: db.prepare<[], EnrollmentTokenStateRow>(`
      SELECT ${ENROLLMENT_TOKEN_STATE_COLUMNS} FROM enrollment_tokens ORDER BY created_at DESC, id`),
    revokeToken: db.prepare<[string, string]>(`
      UPDATE enrollment_tokens SET uses_left = 0, revoked_at = coalesce(revoked_at, ?) WHERE id = ?`),
    listApiKeys: db.prepare<[], ApiKeyRow>(`SELECT ${API_KEY_COLUMNS} FROM api_keys ORDER BY created_at DESC, id`),
    revokeApiKey: db.prepare<[string, string]>('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?'),
  };
}

type ConsoleStatements = ReturnType<typeof prepare>;
const prepared = new WeakMap<Database.Database, ConsoleStatements>();

/** The console's queries on one connection; the caller runs them inside its own error handling. */
export function consoleSqlite(db: Database.Database, decode: ColumnDecoder) {
  let statements = prepared.get(db);
  if (statements === undefined) {
    statements = prepare(db);
    prepared.set(db, statements);
  }
  const s = statements;
  return {
    createSession(record: ConsoleSessionRecord): void {
      s.insertSession.run(record.idHash, record.subject, record.name, record.email, record.role, iso(record.createdAt), iso(record.lastUsedAt), iso(record.expiresAt), record.source);
    },
    findSession(idHash: string, now: Date, idleSince: Date): ConsoleSessionRecord | null {
      const row = s.findSession.get(idHash, iso(now), iso(idleSince));
      return row === undefined ? null : consoleSessionFromRow(row, decode);
    },
    touchSession(idHash: string, at: Date): void {
      s.touchSession.run(iso(at), idHash);
    },
    deleteSession(idHash: string): boolean {
      return s.deleteSession.run(idHash).changes === 1;
    },
    deleteExpired(now: Date, idleSince: Date): void {
      s.deleteExpiredSessions.run(iso(now), iso(idleSince));
      s.deleteExpiredFlows.run(iso(now));
    },
    createLink(record: ConsoleLinkRecord): void {
      s.insertLink.run(record.id, record.tokenHash, record.role, record.name, iso(record.createdAt), iso(record.expiresAt));
    },
    useLink(tokenHash: string, now: Date): ConsoleLinkUse {
      const used = s.useLink.get(iso(now), tokenHash, iso(now));
      if (used !== undefined) return { outcome: 'used-now', link: consoleLinkFromRow(used, decode) };
      return { outcome: linkRefusal(s.findLink.get(tokenHash), now, decode) };
    },
    createFlow(record: OidcFlowRecord): void {
      s.insertFlow.run(record.idHash, record.state, record.nonce, record.codeVerifier, iso(record.expiresAt));
    },
    takeFlow(idHash: string, now: Date): OidcFlowRecord | null {
      const row = s.takeFlow.get(idHash, iso(now));
      return row === undefined ? null : oidcFlowFromRow(row, decode);
    },
    listTokens(): EnrollmentTokenState[] {
      return s.listTokens.all().map((row) => enrollmentTokenStateFromRow(row, decode));
    },
    revokeToken(id: string, now: Date): boolean {
      return s.revokeToken.run(iso(now), id).changes === 1;
    },
    listApiKeys(): ApiKeyRecord[] {
      return s.listApiKeys.all().map((row) => apiKeyFromRow(row, decode));
    },
    revokeApiKey(id: string, now: Date): boolean {
      return s.revokeApiKey.run(iso(now), id).changes === 1;
    },
  };
}
