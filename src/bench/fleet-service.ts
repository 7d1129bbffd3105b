/**
 * The policy service the fleet simulator starts when it is given no --url: the real one
 * (dist/bin/service.js) pinned to core 0, on its data directory and database, with the enrolment
 * token and API keys the simulator needs made by its own command line.
 */
import { join } from 'node:path';
import { runNodeScript, startNodeScript, type NodeScriptProcess } from '../exec/node-scripts.js';
import { serviceListening } from './service-listening.js';

const SERVICE = join(import.meta.dirname, '..', 'bin', 'service.js');

export interface OwnService {
  url: string;
  pid: number;
  database: string;
  /** posture-service with this data directory and database. */
  cli(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startOwnService(dataDir: string, database: string): Promise<OwnService> {
  const store = ['--data-dir', dataDir, '--database', database];
  // Every simulated device comes from this one address: the per-address challenge limit would
  // throttle the whole fleet as if it were one client.
  const child = startNodeScript([SERVICE, 'serve', '--port', '0', ...store, '--challenge-rate-limit', '0'], { core: 0 });
  const { url } = await serviceListening(child);
  return {
    url,
    pid: child.pid!,
    database,
    cli: async (...args) => (await runNodeScript([SERVICE, ...args, ...store])).trim(),
    stop: () => stop(child),
  };
}

async function stop(child: NodeScriptProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
