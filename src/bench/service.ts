/**
 * `npm run bench -- service`: in one run on this machine, the ceiling (raw node:crypto ES256
 * verifications per second on one core), forward-auth decisions per second (the service pinned to
 * one core, the load generator on another) by Result and by a forwarded device certificate (the
 * live lookup), beside a bare fastify server answering 200 on the same core, and Evidence
 * appraisals per second end to end (challenge, sign, attest, store, Result). Figures are printed,
 * never asserted.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { jwtVerify, SignJWT } from 'jose';
import { Es256Key } from '../attest/es256-key.js';
import { createEvidence } from '../attest/evidence.js';
import { RESULT_PROFILE } from '../attest/profiles.js';
import type { ResultClaims } from '../attest/result-claims.js';
import { ServiceKeys } from '../server/service-keys.js';
import { AuthzEngine } from '../server/authz.js';
import { DeviceCa } from '../server/device-ca.js';
import { openLocalKeyVaults } from '../server/local-key-vaults.js';
import type { PublicJwk } from '../attest/jwk.js';
import { canPinToCore, runNodeScript, startNodeScript, type NodeScriptProcess } from '../exec/node-scripts.js';
import { describeCold, measureColdAuthz } from './cold-authz.js';
import { fixed } from './measure.js';
import { sampleReport } from './sample-report.js';
import { serviceListening } from './service-listening.js';

const DIST = join(import.meta.dirname, '..');
const SERVICE = join(DIST, 'bin/service.js');
const LOAD = join(DIST, 'bench/load-generator.js');
const BARE_FASTIFY = join(DIST, 'bench/bare-fastify.js');
const pinned = canPinToCore;

/** Raw ES256 verifications per second on this core: the ceiling for any verifier here. */
function rawVerifyRate(): number {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = Buffer.from('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9');
  const signature = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  let count = 0;
  const end = performance.now() + 1500;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i += 1) verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
    count += 100;
  }
  return count / 1.5;
}

async function joseVerifyRate(): Promise<number> {
  const key = Es256Key.generate();
  const token = await new SignJWT({ sub: 'bench' }).setProtectedHeader({ alg: 'ES256' }).setIssuedAt().setExpirationTime('5m').sign(key.signingKey);
  let count = 0;
  const end = performance.now() + 1500;
  while (performance.now() < end) {
    await jwtVerify(token, key.publicJwk, { algorithms: ['ES256'] });
    count += 1;
  }
  return count / 1.5;
}

/** Turns the service and the bare fastify server take under the same load. */
const ROUNDS = 5;
const ROUND_SECONDS = 3;

export async function startService(dataDir: string): Promise<{ child: NodeScriptProcess; address: string }> {
  // POSTURE_BENCH_PROFILE_DIR: write the service's CPU profile there (open it in Chrome DevTools).
  const profileDir = process.env.POSTURE_BENCH_PROFILE_DIR;
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const child = startNodeScript([...profile, SERVICE, 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'info', '--authz-rate-limit', '0', '--challenge-rate-limit', '0'], { core: 0 });
  const { address } = await serviceListening(child);
  return { child, address };
}

export async function post(url: string, body: string, contentType: string): Promise<unknown> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  const parsed = (await response.json());
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

export async function evidence(base: string, key: Es256Key, deviceId: string): Promise<string> {
  const { nonce } = (await post(`${base}/v1/challenge`, JSON.stringify({ deviceId }), 'application/json')) as { nonce: string };
  return createEvidence({ key, deviceId, audience: base, nonce, posture: sampleReport(deviceId, new Date()) });
}

/** Challenge, sign, attest, as fast as `concurrency` agents can; returns the rate and the Results. */
async function appraisals(base: string, key: Es256Key, deviceId: string, seconds: number, concurrency: number): Promise<{ perSecond: number; results: string[] }> {
  const results: string[] = [];
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const attested = (await post(`${base}/v1/attest`, await evidence(base, key, deviceId), 'application/eat+jwt')) as { result: string };
        results.push(attested.result);
      }
    }),
  );
  return { perSecond: results.length / ((performance.now() - started) / 1000), results };
}

/** The running service's signing keys, read from its database with the key-encryption key in its data directory. */
async function serviceKeysOf(dataDir: string): Promise<ServiceKeys> {
  const vaults = await openLocalKeyVaults(dataDir);
  try {
    return await ServiceKeys.open(vaults.results, { publishRetiredMs: 0 });
  } finally {
    await vaults.close();
  }
}

/**
 * Valid Results signed with the service's own key (read from its data directory), minted faster
 * than the service appraises, so the cold path (every request verified, nothing cached) can be
 * driven at full speed.
 */
async function mintResults(dataDir: string, issuer: string, deviceId: string, jkt: string, count: number): Promise<string[]> {
  const keys = await serviceKeysOf(dataDir);
  const signer = keys.signing;
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'eat+jwt', kid: signer.kid })).toString('base64url');
  const iat = Math.floor(Date.now() / 1000);
  const tokens: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const claims: ResultClaims = {
      iss: issuer, aud: 'posture-gateway', sub: deviceId, iat, exp: iat + 600, jti: `bench-${index}`, eat_profile: RESULT_PROFILE,
      ear_status: 'affirming', ear_verifier_id: { developer: 'posture-agent', build: 'bench' }, ear_appraisal_policy_ids: ['posture-agent-default@2'],
      cnf: { jkt }, posture_tiers: ['basic', 'strict'], posture_checks: [],
    };
    const signingInput = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const signature = sign('sha256', Buffer.from(signingInput), { key: signer.signingKey, dsaEncoding: 'ieee-p1363' });
    tokens.push(`${signingInput}.${signature.toString('base64url')}`);
  }
  return tokens;
}

/** The decision itself on this core, cold: every token verified once, as the service's engine does. */
function engineDecisionRate(keys: ServiceKeys, issuer: string, tokens: readonly string[]): number {
  const engine = new AuthzEngine({ keys, issuer, audience: 'posture-gateway', tiers: new Set(['strict']), devices: { get: () => undefined } });
  const started = performance.now();
  for (const token of tokens) if (!engine.decide(token, 'strict').allow) throw new Error('a minted Result was refused');
  return tokens.length / ((performance.now() - started) / 1000);
}

/** CPU seconds a process has used so far (Linux /proc; null elsewhere). */
export function cpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

interface LoadResult {
  perSecond: number;
  total: number;
  non2xx: number;
  errors: number;
  p99: number;
  /** Decisions per second of the service's own CPU time: what one core sustains, whatever the load generator manages. */
  perCpuSecond: number | null;
  /** Share of one core the service used during the run. */
  busy: number | null;
}

async function load(url: string, input: { tokensFile?: string; headers?: Record<string, string> }, seconds: number, servicePid: number): Promise<LoadResult> {
  const before = cpuSeconds(servicePid);
  const stdout = await runNodeScript([LOAD, JSON.stringify({ url, ...input, connections: 32, seconds })], { core: 1 });
  const after = cpuSeconds(servicePid);
  const result = JSON.parse(stdout) as Omit<LoadResult, 'perCpuSecond' | 'busy'>;
  const used = before !== null && after !== null ? after - before : null;
  return { ...result, perCpuSecond: used ? result.total / used : null, busy: used !== null ? used / seconds : null };
}

function describeLoad(name: string, result: LoadResult, raw: number): string {
  const core = result.perCpuSecond === null ? '' : `; per second of service CPU ${fixed(result.perCpuSecond, 0)} = ${fixed(result.perCpuSecond / raw, 2)}x raw (service busy ${fixed((result.busy ?? 0) * 100, 0)}%)`;
  return `  ${name}: ${fixed(result.perSecond, 0)} decisions/s = ${fixed(result.perSecond / raw, 2)}x raw${core}; p99 ${result.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}`;
}

/** The yardstick: a bare fastify server on the service's core. */
async function startBareFastify(): Promise<{ child: NodeScriptProcess; address: string }> {
  const child = startNodeScript([BARE_FASTIFY], { core: 0 });
  const address = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the bare fastify server exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve(line.trim()));
  });
  return { child, address };
}

export async function stop(child: NodeScriptProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

/** A device certificate from the service's own device CA, as nginx forwards it ($ssl_client_escaped_cert). */
async function deviceCertificateHeader(dataDir: string, deviceId: string): Promise<string> {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const tlsKey = { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! } as PublicJwk;
  const vaults = await openLocalKeyVaults(dataDir);
  try {
    const ca = await DeviceCa.open(vaults.deviceCa, { certificateLifetimeSeconds: 86_400 });
    const issued = await ca.issue({ deviceId, tlsKey });
    return encodeURIComponent(issued.pem);
  } finally {
    await vaults.close();
  }
}

export async function benchService(print: (line: string) => void): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'posture-bench-'));
  const { child, address } = await startService(dataDir);
  // Without --url the service signs as the address it listens on: the Results' issuer and the Evidence audience.
  const base = address;
  try {
    const raw = rawVerifyRate();
    const jose = await joseVerifyRate();

    const token = (await runNodeScript([SERVICE, 'token', 'create', '--data-dir', dataDir])).trim();
    const key = Es256Key.generate();
    const deviceId = '9b7c6d5e-4f3a-4b2c-8d1e-0f9a8b7c6d5e';
    await post(`${base}/v1/enroll`, JSON.stringify({ evidence: await evidence(base, key, deviceId), jwk: key.publicJwk, token }), 'application/json');

    const appraised = await appraisals(base, key, deviceId, 4, 8);
    const sameFile = join(dataDir, 'same-token.txt');
    const minted = await mintResults(dataDir, base, deviceId, key.kid, 20_000);
    await writeFile(sameFile, appraised.results[0]!);
    const authzUrl = `${address}/v1/authz?tier=strict`;
    const serviceKeys = await serviceKeysOf(dataDir);
    const engineCold = engineDecisionRate(serviceKeys, base, minted);
    const cold = await measureColdAuthz({
      rounds: ROUNDS, perRound: 40_000, core: 0, dir: dataDir, publicJwk: serviceKeys.signing.publicJwk,
      mint: (count) => mintResults(dataDir, base, deviceId, key.kid, count),
      load: (tokensFile) => load(authzUrl, { tokensFile }, ROUND_SECONDS, child.pid!),
    });
    const same = await load(authzUrl, { tokensFile: sameFile }, 5, child.pid!);
    const gatewayKey = (await runNodeScript([SERVICE, 'apikey', 'create', '--role', 'gateway', '--name', 'bench', '--data-dir', dataDir])).trim();
    const certificateHeaders = { 'x-posture-gateway-key': gatewayKey, 'x-posture-client-cert': await deviceCertificateHeader(dataDir, deviceId) };
    const warmUp = await fetch(authzUrl, { headers: certificateHeaders });
    if (warmUp.status !== 200) throw new Error(`authz by client certificate answered ${warmUp.status} ${await warmUp.text()}`);
    // The yardstick: a bare fastify server on the same core, sent the very same requests (headers,
    // query), so the ratio is what the decision costs beyond receiving and answering such a request.
    // Service and yardstick take turns in short rounds and the median ratio counts: this machine's
    // CPU is shared (a VM), and turns keep a slow patch from landing on one side only.
    const bare = await startBareFastify();
    const bareUrl = `${bare.address}/?tier=strict`;
    const resultRequests = { tokensFile: sameFile, headers: { 'x-posture-gateway-key': gatewayKey } };
    const rounds: { byCertificate: LoadResult; bareCertificate: LoadResult; byResult: LoadResult; bareResult: LoadResult }[] = [];
    let bareLoad: LoadResult;
    try {
      for (let round = 0; round < ROUNDS; round += 1) {
        rounds.push({
          byCertificate: await load(authzUrl, { headers: certificateHeaders }, ROUND_SECONDS, child.pid!),
          bareCertificate: await load(bareUrl, { headers: certificateHeaders }, ROUND_SECONDS, bare.child.pid!),
          byResult: await load(authzUrl, resultRequests, ROUND_SECONDS, child.pid!),
          bareResult: await load(bareUrl, resultRequests, ROUND_SECONDS, bare.child.pid!),
        });
      }
      bareLoad = await load(`${bare.address}/`, {}, ROUND_SECONDS, bare.child.pid!);
    } finally {
      await stop(bare.child);
    }
    const medianRound = (ratio: (round: (typeof rounds)[number]) => number) => [...rounds].sort((x, y) => ratio(x) - ratio(y))[Math.floor(rounds.length / 2)]!;
    const certificateRound = medianRound((round) => round.byCertificate.perSecond / round.bareCertificate.perSecond);
    const resultRound = medianRound((round) => round.byResult.perSecond / round.bareResult.perSecond);
    const { byCertificate, bareCertificate } = certificateRound;
    const { byResult, bareResult } = resultRound;
    const allRatios = (pick: (round: (typeof rounds)[number]) => number) => rounds.map((round) => `${fixed(pick(round) * 100, 0)}%`).join(', ');

    print(`service benchmark (one run; the service ${pinned ? 'pinned to core 0, the load generator to core 1' : 'not pinned: taskset is missing'})`);
    print(`  ceiling: raw node:crypto ES256 verify      ${fixed(raw, 0)} /s on one core   (jose jwtVerify: ${fixed(jose, 0)} /s, ${fixed(jose / raw, 2)}x of raw)`);
    print(`  authz decisions in process (AuthzEngine.decide, every Result new, no HTTP)  ${fixed(engineCold, 0)} /s = ${fixed(engineCold / raw, 2)}x raw verify`);
    describeCold(cold, print);
    print(describeLoad('authz over HTTP, one Result (cached after the first request)', same, raw));
    print(`  Evidence appraisals end to end (challenge, sign, attest, store, Result; SQLite; 8 agents)  ${fixed(appraised.perSecond, 0)} /s`);
    print(describeLoad('authz by client certificate (live lookup; gateway key; one device; the median round)', byCertificate, raw));
    print(describeLoad('authz by Result (gateway key; one Result, cached; the median round)', byResult, raw));
    print(describeLoad('a bare fastify server answering 200 to GET / (same core, same load generator)', bareLoad, raw));
    print(describeLoad('the bare fastify server sent the certificate requests', bareCertificate, raw));
    print(describeLoad('the bare fastify server sent the Result requests', bareResult, raw));
    const share = (result: LoadResult, bare: LoadResult) => `${fixed((result.perSecond / bare.perSecond) * 100, 0)}%`;
    const met = (result: LoadResult, bare: LoadResult) => (result.perSecond / bare.perSecond >= 0.8 ? 'met' : 'NOT met');
    print(`  rounds (${ROUNDS} x ${ROUND_SECONDS} s each, median shown above): by certificate ${allRatios((round) => round.byCertificate.perSecond / round.bareCertificate.perSecond)}; by Result ${allRatios((round) => round.byResult.perSecond / round.bareResult.perSecond)}`);
    print(`  goal: authz >= 80% of bare fastify sent the same requests -> by certificate ${met(byCertificate, bareCertificate)} (${share(byCertificate, bareCertificate)}), by Result ${met(byResult, bareResult)} (${share(byResult, bareResult)})`);
    print(`  (against the bare GET /: by certificate ${share(byCertificate, bareLoad)}, by Result ${share(byResult, bareLoad)})`);
    print(`  goal: authz >= 0.5x raw verify on one core, cached -> ${same.perSecond / raw >= 0.5 ? 'met' : 'NOT met'} (${fixed(same.perSecond / raw, 2)}x; cold: above)`);
  } finally {
    await stop(child);
    await rm(dataDir, { recursive: true, force: true });
  }
}
