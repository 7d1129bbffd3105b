/** Picks the Store for the service's --database URL: `sqlite:PATH` or `postgres://...`. */
import { AgentError } from '../../shared/errors.js';
import { PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import type { Store } from './store.js';

export type OpenStoreOptions = SqliteStoreOptions & PostgresStoreOptions;

const SQLITE_PREFIX = 'sqlite:';
const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/** Opens the store; the caller runs `migrate()` before serving. Nothing is connected to PostgreSQL yet. */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (databaseUrl.startsWith(SQLITE_PREFIX)) {
    const path = databaseUrl.slice(SQLITE_PREFIX.length);
    if (path === '') throw invalidDatabase('sqlite: needs a file path, e.g. sqlite:/var/lib/posture-service/posture.db');
    return openSqliteStore(path, options);
  }
  if (POSTGRES_URL.test(databaseUrl)) {
    if (!URL.canParse(databaseUrl)) throw invalidDatabase('the postgres:// URL does not parse');
    return new PostgresStore(databaseUrl, options);
  }
  throw invalidDatabase(`got ${describeScheme(databaseUrl)}`);
}

function invalidDatabase(detail: string): AgentError {
  return new AgentError('ERR_CONFIG_INVALID', `--database must be sqlite:PATH or postgres://USER@HOST:PORT/DATABASE; ${detail}.`);
}

/** Only the scheme: the rest of a database URL may hold a password. */
function describeScheme(databaseUrl: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(databaseUrl)?.[1];
  return scheme === undefined ? 'a value without a scheme' : `a ${scheme}: URL`;
}
