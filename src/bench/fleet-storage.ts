/**
 * How much the service's database holds, measured from outside the service. SQLite: the database
 * file and its -wal on disk, and the pages in use read through the WAL (the growth basis: the WAL's
 * file keeps its size after a checkpoint). PostgreSQL: pg_database_size and pg_total_relation_size
 * of each table (tables with their indexes and TOAST; the sum is the growth basis).
 */
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';

export interface StorageSnapshot {
  kind: 'sqlite' | 'postgres';
  /** The bytes growth is measured by: SQLite pages in use; PostgreSQL the tables' total size. */
  usedBytes: number;
  /** SQLite: the database file plus its -wal; PostgreSQL: pg_database_size. */
  onDiskBytes: number;
  /** Bytes per table (SQLite: pages per table and index, by dbstat). */
  tables: Record<string, number>;
}

export interface StorageProbe {
  measure(): Promise<StorageSnapshot>;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function sqliteProbe(path: string): StorageProbe {
  return {
    measure() {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        const pragma = (name: string) => Number(db.pragma(name, { simple: true }));
        const usedBytes = (pragma('page_count') - pragma('freelist_count')) * pragma('page_size');
        const tables: Record<string, number> = {};
        try {
          for (const row of db.prepare('SELECT name, pgsize FROM dbstat WHERE aggregate = TRUE ORDER BY pgsize DESC').all() as { name: string; pgsize: number }[]) {
            tables[row.name] = row.pgsize;
          }
        } catch {
          // SQLite built without dbstat: totals only
        }
        return Promise.resolve({ kind: 'sqlite', usedBytes, onDiskBytes: fileSize(path) + fileSize(`${path}-wal`), tables });
      } finally {
        db.close();
      }
    },
  };
}

const TABLE_SIZES = `
  SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS name,
         pg_total_relation_size(c.oid)::bigint AS bytes
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
   ORDER BY bytes DESC`;

function postgresProbe(url: string): StorageProbe {
  return {
    async measure() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const database = await client.query<{ bytes: string }>('SELECT pg_database_size(current_database())::bigint AS bytes');
        const rows = await client.query<{ name: string; bytes: string }>(TABLE_SIZES);
        const tables = Object.fromEntries(rows.rows.map((row) => [row.name, Number(row.bytes)]));
        const usedBytes = Object.values(tables).reduce((sum, bytes) => sum + bytes, 0);
        return { kind: 'postgres', usedBytes, onDiskBytes: Number(database.rows[0]!.bytes), tables };
      } finally {
        await client.end();
      }
    },
  };
}

/** A probe for the service's --database URL. */
export function storageProbe(database: string): StorageProbe {
  return database.startsWith('sqlite:') ? sqliteProbe(database.slice('sqlite:'.length)) : postgresProbe(database);
}
