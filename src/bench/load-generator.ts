// A load generator for `npm run bench -- service`, run in its own process (and core) so it does
// not compete with the service it measures. Input: one JSON argument; output: one JSON line.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

interface LoadSpec {
  url: string;
  /** One Result per line, sent as X-Posture-Token in turn; none: no token. */
  tokensFile?: string;
  /** Sent with every request (a forwarded client certificate and a gateway key). */
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  /** Requests per second over all connections (a fixed, moderate load); none: as fast as it can. */
  overallRate?: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const tokens = spec.tokensFile === undefined ? [] : readFileSync(spec.tokensFile, 'utf8').split('\n').filter(Boolean);
const fixedHeaders = spec.headers ?? {};
let next = 0;

const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.seconds,
  ...(spec.overallRate === undefined ? {} : { overallRate: spec.overallRate }),
  requests: [{
    setupRequest: (request) => ({
      ...request,
      headers: { ...request.headers, ...fixedHeaders, ...(tokens.length > 0 ? { 'x-posture-token': tokens[next++ % tokens.length]! } : {}) },
    }),
  }],
});
process.stdout.write(`${JSON.stringify({ total: result.requests.total, perSecond: result.requests.average, non2xx: result.non2xx, errors: result.errors, p99: result.latency.p99 })}\n`);
