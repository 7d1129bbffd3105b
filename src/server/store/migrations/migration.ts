/**
 * Versioned schema migrations: each dialect has an ordered list; `runMigrations` applies the ones a
 * database has not recorded in `schema_migrations`, each in its own transaction, and returns the
 * version now in place. Applied migrations are never edited: a change is a new, higher version.
 */
export interface Migration {
  /** 1, 2, 3, ...: the order they apply in. */
  readonly version: number;
  /** What it does, for people reading the list. */
  readonly description: string;
  /** The statements, run in one transaction. */
  readonly sql: string;
}

/** What a dialect provides so the runner can migrate it. */
export interface MigrationDriver {
  /** Creates `schema_migrations` when it does not exist yet. */
  createMigrationsTable(): Promise<void>;
  appliedVersions(): Promise<number[]>;
  /**
   * In one transaction that no other migrator runs at the same time: applies the migration and
   * records it, unless it is recorded already (another process got there first).
   */
  applyOnce(migration: Migration, appliedAt: Date): Promise<void>;
}

export async function runMigrations(driver: MigrationDriver, migrations: readonly Migration[]): Promise<number> {
  assertOrdered(migrations);
  await driver.createMigrationsTable();
  const applied = new Set(await driver.appliedVersions());
  for (const migration of migrations) {
    if (!applied.has(migration.version)) await driver.applyOnce(migration, new Date());
  }
  return Math.max(0, ...(await driver.appliedVersions()));
}

/** A list out of order or with a gap is a programming error: refuse it before touching a database. */
function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`Migration ${migration.version} (${migration.description}) is at position ${index + 1}; versions must be 1, 2, 3, ... in order.`);
    }
  });
}
