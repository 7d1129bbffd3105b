/**
 * Sockets in TIME_WAIT on a local port, from /proc/net/tcp and /proc/net/tcp6 (Linux): what a
 * connection leaves behind for 60 s on the side that closed it first. Thousands after a short
 * run mean a new connection per request; a handful mean the connections were reused. Null where
 * /proc/net is not readable.
 */
import { readFileSync } from 'node:fs';

const TIME_WAIT = '06';

function portOf(address: string): number {
  return Number.parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
}

export function timeWaitSockets(port: number): number | null {
  let count = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      if (file.endsWith('6')) continue;
      return null;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === TIME_WAIT && (portOf(fields[1]!) === port || portOf(fields[2]!) === port)) count += 1;
    }
  }
  return count;
}
