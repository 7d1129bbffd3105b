/**
 * Whether the agent runs as root, read from /proc/self/status (proc(5): `Uid:` lists the real,
 * effective, saved and filesystem uids). Some sources (ufw, nft, falconctl, product_serial) need
 * root; knowing it up front avoids starting programs that can only refuse.
 */
import type { Host } from '../host.js';
import { lines, splitKeyValue } from '../parse-text.js';

/** The effective uid from /proc/self/status text; null when the line is missing or malformed. */
export function parseEffectiveUid(statusText: string): number | null {
  for (const line of lines(statusText)) {
    const pair = splitKeyValue(line, ':');
    if (pair?.[0] !== 'Uid') continue;
    const effective = pair[1].split(/\s+/)[1];
    return effective !== undefined && /^\d+$/.test(effective) ? Number(effective) : null;
  }
  return null;
}

/** True for root, false for anyone else, null when /proc/self/status cannot be read. */
export async function runsAsRoot(host: Host): Promise<boolean | null> {
  try {
    const uid = parseEffectiveUid(await host.readFile('/proc/self/status'));
    return uid === null ? null : uid === 0;
  } catch {
    return null;
  }
}
