// Run in its own process by the console bench: times each console page's API requests (those a
// page makes, in parallel, as the browser does) against the service, and a bare fastify baseline.
// Prints JSON: page -> { p50, p99, bytes } in milliseconds.
import { Latencies } from './fleet-stats.js';

interface LoadSpec {
  service: string;
  baseline: string;
  apiKey: string;
  deviceId: string;
  rounds: number;
  pages: Record<string, string[]>;
  /** Timed like pages, fewer rounds (each is the whole fleet). */
  exports: Record<string, string[]>;
  exportRounds: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const headers = { authorization: `Bearer ${spec.apiKey}` };

async function timePage(base: string, paths: readonly string[]): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const bodies = await Promise.all(paths.map(async (path) => {
    const response = await fetch(`${base}${path.replace('{device}', spec.deviceId)}`, { headers });
    const body = await response.arrayBuffer();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${Buffer.from(body).toString('utf8').slice(0, 200)}`);
    return body.byteLength;
  }));
  return { ms: performance.now() - started, bytes: bodies.reduce((sum, bytes) => sum + bytes, 0) };
}

const figures: Record<string, { p50: number; p99: number; bytes: number }> = {};
const pages: [string, string, string[], number][] = [
  ['baseline (bare fastify)', spec.baseline, ['/'], spec.rounds],
  ...Object.entries(spec.pages).map(([name, paths]): [string, string, string[], number] => [name, spec.service, paths, spec.rounds]),
  ...Object.entries(spec.exports).map(([name, paths]): [string, string, string[], number] => [name, spec.service, paths, spec.exportRounds]),
];
for (const [name, base, paths, rounds] of pages) {
  await timePage(base, paths);
  const latencies = new Latencies();
  let bytes = 0;
  for (let round = 0; round < rounds; round += 1) {
    const timed = await timePage(base, paths);
    latencies.add(timed.ms);
    bytes = timed.bytes;
  }
  figures[name] = { p50: latencies.percentile(0.5) ?? 0, p99: latencies.percentile(0.99) ?? 0, bytes };
}
process.stdout.write(`${JSON.stringify(figures)}\n`);
