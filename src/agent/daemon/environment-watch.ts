/**
 * Cheap signals that posture may have changed, without polling the collectors: the network
 * changed (an interface came, went or got another address), or the machine woke from sleep (a
 * timer fired much later than it should have). One timer does both.
 */
import { networkInterfaces } from 'node:os';

export interface EnvironmentWatchOptions {
  onNetworkChange: () => void;
  onResume: (sleptMs: number) => void;
  /** How often to look (default 15 s). */
  periodMs?: number;
  /** For tests: where the interfaces come from. */
  interfaces?: () => ReturnType<typeof networkInterfaces>;
}

/** The external addresses, as one comparable string. */
export function networkFingerprint(interfaces: ReturnType<typeof networkInterfaces>): string {
  const addresses: string[] = [];
  for (const [name, entries] of Object.entries(interfaces)) {
    for (const entry of entries ?? []) if (!entry.internal) addresses.push(`${name}/${entry.address}`);
  }
  return addresses.sort().join(',');
}

export function watchEnvironment(options: EnvironmentWatchOptions): () => void {
  const periodMs = options.periodMs ?? 15_000;
  const read = options.interfaces ?? networkInterfaces;
  let fingerprint = networkFingerprint(read());
  let last = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    const late = now - last - periodMs;
    last = now;
    if (late > 30_000) options.onResume(late);
    const current = networkFingerprint(read());
    if (current !== fingerprint) {
      fingerprint = current;
      options.onNetworkChange();
    }
  }, periodMs);
  timer.unref();
  return () => clearInterval(timer);
}
