/** The throwaway PostgreSQL cluster of src/exec, as tests start it (fsync off). */
import { startPostgresCluster, type PostgresCluster } from '../../src/exec/postgres-cluster.js';

export type { HaltOptions } from '../../src/exec/postgres-cluster.js';
export type TestPostgres = PostgresCluster;

export function startPostgres(): Promise<TestPostgres> {
  return startPostgresCluster();
}
