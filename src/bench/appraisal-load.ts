// The agents of `npm run bench -- appraisals`, in their own process (and core): each enrols its own
// device, then checks in as fast as it can (challenge, Evidence, attest), against one or more
// service instances in turn. Input: one JSON argument; output: one JSON line.
import { Es256Key } from '../attest/es256-key.js';
import { createEvidence } from '../attest/evidence.js';
import { sampleReport } from './sample-report.js';

interface AppraisalLoadSpec {
  /** Service base URLs; agent i talks to instance i % n (a load balancer's round robin). */
  bases: string[];
  /** The Evidence audience: the services' public URL. */
  audience: string;
  token: string;
  agents: number;
  seconds: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as AppraisalLoadSpec;

async function post(url: string, body: string, contentType: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  const parsed = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

async function evidence(base: string, key: Es256Key, deviceId: string): Promise<string> {
  const { nonce } = (await post(`${base}/v1/challenge`, JSON.stringify({ deviceId }), 'application/json')) as { nonce: string };
  return createEvidence({ key, deviceId, audience: spec.audience, nonce, posture: sampleReport(deviceId, new Date()) });
}

const devices = await Promise.all(Array.from({ length: spec.agents }, async (_, index) => {
  const key = Es256Key.generate();
  const deviceId = `bench-${index}-${key.kid.slice(0, 12)}`;
  const base = spec.bases[index % spec.bases.length]!;
  await post(`${base}/v1/enroll`, JSON.stringify({ evidence: await evidence(base, key, deviceId), jwk: key.publicJwk, token: spec.token }), 'application/json');
  return { key, deviceId, base };
}));

const latencies: number[] = [];
let errors = 0;
const started = performance.now();
const end = started + spec.seconds * 1000;
await Promise.all(devices.map(async ({ key, deviceId, base }) => {
  while (performance.now() < end) {
    const begun = performance.now();
    try {
      await post(`${base}/v1/attest`, await evidence(base, key, deviceId), 'application/eat+jwt');
      latencies.push(performance.now() - begun);
    } catch {
      errors += 1;
    }
  }
}));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const at = (share: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * share))] ?? 0;
process.stdout.write(`${JSON.stringify({ total: latencies.length, perSecond: latencies.length / elapsed, errors, p50: at(0.5), p99: at(0.99) })}\n`);
