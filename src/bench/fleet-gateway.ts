/**
 * A gateway's forward-auth traffic beside the fleet: autocannon (load-generator.ts, its own
 * process, on the simulator's core) sends real Results of compliant simulated devices to
 * GET /v1/authz?tier=... at a fixed rate, in segments of the same length with the fleet running
 * and idle, so their p99s compare (and the Results stay fresh: they live 10 minutes).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runNodeScript } from '../exec/node-scripts.js';

const LOAD = join(import.meta.dirname, 'load-generator.js');
const CONNECTIONS = 16;
/** Longest segment, with the fleet running or idle. */
export const SEGMENT_SECONDS = 10;

export interface GatewaySegment {
  seconds: number;
  total: number;
  perSecond: number;
  non2xx: number;
  errors: number;
  p99: number;
}

export interface GatewaySpec {
  /** The service's URL. */
  url: string;
  tier: string;
  /** Requests per second. */
  rate: number;
  /** Sent as X-Posture-Gateway-Key, as a gateway configured with its key does. */
  gatewayKey: string | null;
  /** Where the Results file of each segment is written. */
  workDir: string;
}

let segmentNumber = 0;

/** One segment of `seconds` with these Results; runs on core 1, beside the simulator. */
export async function runGatewaySegment(spec: GatewaySpec, results: readonly string[], seconds: number): Promise<GatewaySegment> {
  if (results.length === 0) throw new Error('no Results to send to /v1/authz yet');
  segmentNumber += 1;
  const tokensFile = join(spec.workDir, `authz-results-${segmentNumber}.txt`);
  await writeFile(tokensFile, results.join('\n'));
  const input = {
    url: `${spec.url}/v1/authz?tier=${encodeURIComponent(spec.tier)}`,
    tokensFile,
    ...(spec.gatewayKey === null ? {} : { headers: { 'x-posture-gateway-key': spec.gatewayKey } }),
    connections: CONNECTIONS,
    seconds,
    overallRate: spec.rate,
  };
  const stdout = await runNodeScript([LOAD, JSON.stringify(input)], { core: 1 });
  return { seconds, ...(JSON.parse(stdout) as Omit<GatewaySegment, 'seconds'>) };
}
