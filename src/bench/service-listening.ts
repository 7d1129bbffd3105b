/** Waits for a `posture-service serve` child to log that it listens, as the benchmarks start it. */
import { createInterface } from 'node:readline';
import type { NodeScriptProcess } from '../exec/node-scripts.js';

export interface Listening {
  /** host:port it bound. */
  address: string;
  /** Its public URL. */
  url: string;
}

export function serviceListening(child: NodeScriptProcess): Promise<Listening> {
  return new Promise<Listening>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the service exited with ${code} before listening (its messages are above)`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      let parsed: { msg?: string; address?: string; url?: string };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        return;
      }
      if (parsed.msg === 'posture-service listening' && parsed.address && parsed.url) resolve({ address: parsed.address, url: parsed.url });
    });
  });
}
