/**
 * `npm run bench -- console [--devices N] [--postgres]`: the console's pages with a large fleet
 * (100,000 devices by default) in SQLite, or with --postgres in a throwaway PostgreSQL cluster. Seeds the fleet through the Store, starts the service (its own process,
 * pinned to core 0) and a bare fastify server, then another process (core 1) times each page's
 * API requests, the requests of one page in parallel as the browser makes them: p50 and p99 per
 * page beside the bare server's. Figures are printed, never asserted; the goal is 200 ms a page.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNodeScript, startNodeScript, type NodeScriptProcess } from '../exec/node-scripts.js';
import { startPostgresCluster, type PostgresCluster } from '../exec/postgres-cluster.js';
import { openStore } from '../server/store/open-store.js';
import { seedConsoleFleet } from './console-seed.js';
import { fixed } from './measure.js';
import { serviceListening } from './service-listening.js';

const SERVICE = join(import.meta.dirname, '..', 'bin', 'service.js');
const BARE = join(import.meta.dirname, 'bare-fastify.js');
const LOAD = join(import.meta.dirname, 'console-load.js');
const ROUNDS = 40;

/** What each page asks the API for (the console's own requests; {device} is a device in the middle of the fleet). */
const PAGES: Record<string, string[]> = {
  overview: ['/v1/overview'],
  'devices (first page)': ['/v1/devices?limit=25', '/v1/policy'],
  'devices (state=noncompliant)': ['/v1/devices?limit=25&state=noncompliant', '/v1/policy'],
  'devices (failing=firewall)': ['/v1/devices?limit=25&failing=firewall', '/v1/policy'],
  'devices (search laptop-0500)': ['/v1/devices?limit=25&q=laptop-0500', '/v1/policy'],
  'devices (search owner user5)': ['/v1/devices?limit=25&q=user5', '/v1/policy'],
  'devices (not seen for 1d, by last seen)': ['/v1/devices?limit=25&seenBefore=1d&sort=lastSeen', '/v1/policy'],
  device: ['/v1/devices/{device}', '/v1/devices/{device}/timeline?limit=20'],
  policy: ['/v1/policy'],
  'enrolment tokens': ['/v1/enrollment-tokens'],
  'API keys': ['/v1/api-keys'],
  'audit log': ['/v1/audit?limit=500'],
};
const EXPORTS: Record<string, string[]> = { 'CSV export (every device; not a page)': ['/v1/devices.csv'] };
const EXPORT_ROUNDS = 5;

function parseDevices(args: readonly string[]): number {
  const index = args.indexOf('--devices');
  const value = index === -1 ? 100_000 : Number(args[index + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error('--devices must be a whole number above 0');
  return value;
}

async function stop(child: NodeScriptProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export async function benchConsole(print: (line: string) => void): Promise<void> {
  const devices = parseDevices(process.argv.slice(3));
  const dataDir = await mkdtemp(join(tmpdir(), 'posture-console-bench-'));
  const children: NodeScriptProcess[] = [];
  let cluster: PostgresCluster | undefined;
  try {
    if (process.argv.includes('--postgres')) cluster = await startPostgresCluster();
    const database = cluster?.url ?? `sqlite:${join(dataDir, 'posture.db')}`;
    const dialect = cluster ? 'PostgreSQL' : 'SQLite';
    const store = await openStore(database);
    await store.migrate();
    const seedStart = performance.now();
    const seeded = await seedConsoleFleet(store, devices, new Date(), (done) => process.stderr.write(`seeded ${done} devices\r`));
    await store.close();
    print(`console bench: ${devices} devices seeded into ${dialect} through the store in ${fixed((performance.now() - seedStart) / 1000)} s`);

    const apiKey = (await runNodeScript([SERVICE, 'apikey', 'create', '--role', 'admin', '--data-dir', dataDir, '--database', database])).trim();
    const service = startNodeScript([SERVICE, 'serve', '--port', '0', '--data-dir', dataDir, '--database', database, '--log-level', 'info', '--max-posture-age', '12h'], { core: 0 });
    children.push(service);
    const bare = startNodeScript([BARE], { core: 0 });
    children.push(bare);
    const [{ address }, baseline] = await Promise.all([
      serviceListening(service),
      new Promise<string>((resolve) => bare.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()))),
    ]);
    const spec = { service: address, baseline, apiKey, deviceId: seeded.sampleDeviceId, rounds: ROUNDS, pages: PAGES, exports: EXPORTS, exportRounds: EXPORT_ROUNDS };
    const figures = JSON.parse(await runNodeScript([LOAD, JSON.stringify(spec)], { core: 1, maxBuffer: 1 << 20 })) as Record<string, { p50: number; p99: number; bytes: number }>;
    print(`${ROUNDS} rounds per page (${EXPORT_ROUNDS} for the export), each page's requests in parallel, from another process (goal: 200 ms a page)`);
    print(`${'page'.padEnd(42)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'bytes'.padStart(11)}`);
    for (const [name, figure] of Object.entries(figures)) {
      print(`${name.padEnd(42)} ${fixed(figure.p50).padStart(8)} ${fixed(figure.p99).padStart(8)} ${String(figure.bytes).padStart(11)}`);
    }
  } finally {
    await Promise.all(children.map(stop));
    await cluster?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
