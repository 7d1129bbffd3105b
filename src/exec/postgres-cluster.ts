/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: its own data directory in a temp folder,
 * its own port on 127.0.0.1, trust authentication (this cluster only). Tests run it with fsync off;
 * benchmarks with PostgreSQL's durable defaults. Runs as the `postgres` user when started as root,
 * because PostgreSQL refuses to run as root. Debian's server is installed when there is none.
 */
import { execFile, execFileSync } from 'node:child_process';
import { access, appendFile, constants, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { freePort } from './local-ports.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

const POSTGRES_INSTALL_ROOT = '/usr/lib/postgresql';
const RUNUSER = '/usr/sbin/runuser';
const CHOWN = '/usr/bin/chown';
const INSTALL_TEST_PACKAGES = join(import.meta.dirname, '../../scripts/install-test-packages.sh');

const DATABASE = 'posture';

export interface PostgresCluster {
  /** postgres://postgres@127.0.0.1:PORT/posture */
  url: string;
  /** Stops the cluster and deletes its files. */
  stop(): Promise<void>;
  /**
   * Stops the server, keeping its data (an outage); restart() brings it back. `fast` (the default)
   * ends every session cleanly; `immediate` kills the server outright, as a crash would.
   */
  halt(options?: HaltOptions): Promise<void>;
  /** Stops (unless halted) and starts the same cluster, on the same port, keeping its data. */
  restart(): Promise<void>;
  /** Creates another empty database in the cluster and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** The cluster's data directory. */
  dataDir: string;
}

export interface HaltOptions {
  /** pg_ctl's shutdown mode. */
  mode?: 'fast' | 'immediate';
}

export interface PostgresClusterOptions {
  /** fsync and synchronous commit on, as a production server runs (default: off, for fast tests). */
  durable?: boolean;
}

export async function startPostgresCluster(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
  const bin = await postgresBinDir();
  const root = await mkdtemp(join(tmpdir(), 'posture-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await run(CHOWN, ['postgres:postgres', root]);
  const dataDir = join(root, 'data');
  const port = await freePort();
  const pgCtl = (...args: string[]) => runAsPostgres(asRoot, join(bin, 'pg_ctl'), ['-D', dataDir, ...args]);
  let running = false;
  const start = async () => {
    await pgCtl('-l', join(root, 'postgres.log'), '-w', '-t', '60', 'start');
    running = true;
  };
  const halt = async ({ mode = 'fast' }: HaltOptions = {}) => {
    if (running) await pgCtl('-m', mode, '-w', 'stop');
    running = false;
  };

  await runAsPostgres(asRoot, join(bin, 'initdb'), [
    '-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions',
  ]);
  await appendFile(join(dataDir, 'postgresql.conf'), clusterSettings(port, root, options.durable === true));
  await start();
  // If the test process dies before stop(), do not leave a server running.
  const killOnExit = () => {
    try {
      execFileSync(...asPostgres(asRoot, join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop']), { stdio: 'ignore' });
    } catch {
      // already stopped
    }
  };
  process.once('exit', killOnExit);

  const urlOf = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const createDatabase = async (name: string): Promise<string> => {
    const client = new pg.Client({ connectionString: urlOf('postgres') });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    } finally {
      await client.end();
    }
    return urlOf(name);
  };

  return {
    url: await createDatabase(DATABASE),
    createDatabase,
    dataDir,
    halt,
    async stop() {
      process.removeListener('exit', killOnExit);
      await halt();
      await rm(root, { recursive: true, force: true });
    },
    async restart() {
      await halt();
      await start();
    },
  };
}

function clusterSettings(port: number, socketDir: string, durable: boolean): string {
  return [
    '',
    '# posture-agent tests and benchmarks: a local, disposable cluster',
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    `unix_socket_directories = '${socketDir}'`,
    ...(durable ? [] : ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off']),
    '',
  ].join('\n');
}

/** The postmaster's process id (for CPU figures), from postmaster.pid. */
export async function postmasterPid(cluster: PostgresCluster): Promise<number | null> {
  const text = await readFile(join(cluster.dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number(text.split('\n')[0]);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

function asPostgres(asRoot: boolean, file: string, args: string[]): [string, string[]] {
  return asRoot ? [RUNUSER, ['-u', 'postgres', '--', file, ...args]] : [file, args];
}

async function runAsPostgres(asRoot: boolean, file: string, args: string[]): Promise<void> {
  const [command, commandArgs] = asPostgres(asRoot, file, args);
  await run(command, commandArgs, { timeout: 90_000 });
}

/** The newest installed server's bin directory, installing the Debian package when there is none. */
async function postgresBinDir(): Promise<string> {
  const found = await newestBinDir();
  if (found !== undefined) return found;
  await run(INSTALL_TEST_PACKAGES, ['postgresql'], { timeout: 600_000 });
  const installed = await newestBinDir();
  if (installed === undefined) throw new Error(`No PostgreSQL server under ${POSTGRES_INSTALL_ROOT}/*/bin, even after installing it.`);
  return installed;
}

async function newestBinDir(): Promise<string | undefined> {
  const versions = await readdir(POSTGRES_INSTALL_ROOT).catch(() => []);
  const newestFirst = versions.filter((name) => /^\d+(\.\d+)?$/.test(name)).sort((a, b) => Number(b) - Number(a));
  for (const version of newestFirst) {
    const bin = join(POSTGRES_INSTALL_ROOT, version, 'bin');
    if (await isExecutable(join(bin, 'initdb')) && await isExecutable(join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(() => true, () => false);
}

