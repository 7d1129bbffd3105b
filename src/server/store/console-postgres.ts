/** The PostgreSQL statements behind the console's Store methods. */
import type pg from 'pg';
import type { ApiKeyRecord } from './store.js';
import type { ConsoleLinkRecord, ConsoleLinkUse, ConsoleSessionRecord, EnrollmentTokenState, OidcFlowRecord } from './console-records.js';
import {
  CONSOLE_LINK_COLUMNS, CONSOLE_SESSION_COLUMNS, ENROLLMENT_TOKEN_STATE_COLUMNS, OIDC_FLOW_COLUMNS, consoleLinkFromRow, consoleSessionFromRow,
  enrollmentTokenStateFromRow, linkRefusal, oidcFlowFromRow, type ConsoleLinkRow, type ConsoleSessionRow, type EnrollmentTokenStateRow, type OidcFlowRow,
} from './console-rows.js';
import { API_KEY_COLUMNS, apiKeyFromRow, type ApiKeyRow, type ColumnDecoder } from './store-helpers.js';

type Query = <Row extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]) => Promise<pg.QueryResult<Row>>;

/** The console's queries through the store's `query` (which translates errors and tracks write health). */
export function consolePostgres(query: Query, decode: ColumnDecoder) {
  return {
    async createSession(record: ConsoleSessionRecord): Promise<void> {
      await query(`INSERT INTO console_sessions (${CONSOLE_SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [record.idHash, record.subject, record.name, record.email, record.role, record.createdAt, record.lastUsedAt, record.expiresAt, record.source]);
    },
    async findSession(idHash: string, now: Date, idleSince: Date): Promise<ConsoleSessionRecord | null> {
      const result = await query<ConsoleSessionRow>(
        `SELECT ${CONSOLE_SESSION_COLUMNS} FROM console_sessions WHERE id_hash = $1 AND expires_at > $2 AND last_used_at > $3`, [idHash, now, idleSince]);
      const row = result.rows[0];
      return row === undefined ? null : consoleSessionFromRow(row, decode);
    },
    async touchSession(idHash: string, at: Date): Promise<void> {
      await query('UPDATE console_sessions SET last_used_at = $1 WHERE id_hash = $2', [at, idHash]);
    },
    async deleteSession(idHash: string): Promise<boolean> {
      return ((await query('DELETE FROM console_sessions WHERE id_hash = $1', [idHash])).rowCount ?? 0) === 1;
    },
    async deleteExpired(now: Date, idleSince: Date): Promise<void> {
      await query('DELETE FROM console_sessions WHERE expires_at <= $1 OR last_used_at <= $2', [now, idleSince]);
      await query('DELETE FROM console_oidc_flows WHERE expires_at <= $1', [now]);
    },
    async createLink(record: ConsoleLinkRecord): Promise<void> {
      await query('INSERT INTO console_links (id, token_hash, role, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [record.id, record.tokenHash, record.role, record.name, record.createdAt, record.expiresAt]);
    },
    async useLink(tokenHash: string, now: Date): Promise<ConsoleLinkUse> {
      const used = await query<ConsoleLinkRow>(
        `UPDATE console_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING ${CONSOLE_LINK_COLUMNS}`, [now, tokenHash]);
      if (used.rows[0] !== undefined) return { outcome: 'used-now', link: consoleLinkFromRow(used.rows[0], decode) };
      const found = await query<ConsoleLinkRow>(`SELECT ${CONSOLE_LINK_COLUMNS} FROM console_links WHERE token_hash = $1`, [tokenHash]);
      return { outcome: linkRefusal(found.rows[0], now, decode) };
    },
    async createFlow(record: OidcFlowRecord): Promise<void> {
      await query(`INSERT INTO console_oidc_flows (${OIDC_FLOW_COLUMNS}) VALUES ($1, $2, $3, $4, $5)`,
        [record.idHash, record.state, record.nonce, record.codeVerifier, record.expiresAt]);
    },
    async takeFlow(idHash: string, now: Date): Promise<OidcFlowRecord | null> {
      const result = await query<OidcFlowRow>(
        `DELETE FROM console_oidc_flows WHERE id_hash = $1 AND expires_at > $2 RETURNING ${OIDC_FLOW_COLUMNS}`, [idHash, now]);
      const row = result.rows[0];
      return row === undefined ? null : oidcFlowFromRow(row, decode);
    },
    async listTokens(): Promise<EnrollmentTokenState[]> {
      const result = await query<EnrollmentTokenStateRow>(`SELECT ${ENROLLMENT_TOKEN_STATE_COLUMNS} FROM enrollment_tokens ORDER BY created_at DESC, id`);
      return result.rows.map((row) => enrollmentTokenStateFromRow(row, decode));
    },
    async revokeToken(id: string, now: Date): Promise<boolean> {
      const result = await query('UPDATE enrollment_tokens SET uses_left = 0, revoked_at = coalesce(revoked_at, $1) WHERE id = $2', [now, id]);
      return (result.rowCount ?? 0) === 1;
    },
    async listApiKeys(): Promise<ApiKeyRecord[]> {
      const result = await query<ApiKeyRow>(`SELECT ${API_KEY_COLUMNS} FROM api_keys ORDER BY created_at DESC, id`);
      return result.rows.map((row) => apiKeyFromRow(row, decode));
    },
    async revokeApiKey(id: string, now: Date): Promise<boolean> {
      const result = await query('UPDATE api_keys SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2', [now, id]);
      return (result.rowCount ?? 0) === 1;
    },
  };
}
