// Two service processes on one real PostgreSQL, sharing nothing but the database and their
// configuration (public URL, key-encryption key): any instance enrols, appraises and verifies
// for any other, and a key rotation made through one is used by both.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Es256Key } from '../../src/attest/es256-key.js';
import { createEvidence } from '../../src/attest/evidence.js';
import { sampleReport } from '../../src/bench/sample-report.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';
import { until } from '../support/until.js';

const PUBLIC_URL = 'https://posture.example.test';

let postgres: TestPostgres;
let first: ServiceProcess;
let second: ServiceProcess;
const kek = randomBytes(32).toString('base64');
const configuration = { env: { POSTURE_SERVICE_KEY_ENCRYPTION_KEY: kek }, extraArgs: ['--url', PUBLIC_URL] };

async function post(instance: ServiceProcess, path: string, body: string, contentType = 'application/json'): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${instance.address}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** A challenge from one instance, the Evidence for the public URL (every instance's audience). */
async function evidenceVia(instance: ServiceProcess, key: Es256Key, deviceId: string): Promise<string> {
  const challenge = await post(instance, '/v1/challenge', JSON.stringify({ deviceId }));
  expect(challenge.status).toBe(200);
  return createEvidence({ key, deviceId, audience: PUBLIC_URL, nonce: challenge.json['nonce'] as string, posture: sampleReport(deviceId, new Date()) });
}

async function authz(instance: ServiceProcess, result: string): Promise<number> {
  return (await fetch(`${instance.address}/v1/authz?tier=basic`, { headers: { authorization: `Bearer ${result}` } })).status;
}

async function jwksKids(instance: ServiceProcess): Promise<string[]> {
  const jwks = (await (await fetch(`${instance.address}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
  return jwks.keys.map((key) => key.kid).sort();
}

function kidOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
}

beforeAll(async () => {
  postgres = await startPostgres();
  first = await startServiceProcess({ database: postgres.url, ...configuration });
  second = await startServiceProcess({ database: postgres.url, ...configuration });
}, 90_000);

afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  await postgres?.stop();
});

describe('two service instances on one PostgreSQL', () => {
  const key = Es256Key.generate();
  const deviceId = '6f1f7a52-3c4b-4d7e-9a0b-1c2d3e4f5a6b';
  let firstResult: string;

  it('publish the same signing keys, kept encrypted in the database', async () => {
    expect(await jwksKids(first)).toEqual(await jwksKids(second));
    expect(await jwksKids(first)).toHaveLength(1);
  });

  it('a device enrolled on one attests on the other, with a nonce from either; both verify the Result', async () => {
    const token = (await first.cli('token', 'create')).trim();
    const enrolled = await post(first, '/v1/enroll', JSON.stringify({ evidence: await evidenceVia(first, key, deviceId), jwk: key.publicJwk, token }));
    expect(enrolled.status).toBe(201);

    const attested = await post(second, '/v1/attest', await evidenceVia(second, key, deviceId), 'application/eat+jwt');
    expect(attested).toMatchObject({ status: 200, json: { deviceId, status: 'compliant' } });
    firstResult = attested.json['result'] as string;
    expect(await authz(first, firstResult)).toBe(200);
    expect(await authz(second, firstResult)).toBe(200);

    // The nonce one instance issued is spent once, whichever instance sees the Evidence.
    const crossed = await evidenceVia(first, key, deviceId);
    expect((await post(second, '/v1/attest', crossed, 'application/eat+jwt')).status).toBe(200);
    expect(await post(first, '/v1/attest', crossed, 'application/eat+jwt')).toMatchObject({ status: 401, json: { error: { code: 'ERR_ATTESTATION_NONCE' } } });
  });

  it('a key rotation through one instance is used by both, and Results of the old key keep verifying', async () => {
    const before = await jwksKids(first);
    const rotated = await second.cli('keys', 'rotate');
    const newKid = /New signing key (\S+);/.exec(rotated)![1]!;
    await until('both instances publish the new key', async () => (await jwksKids(first)).includes(newKid) && (await jwksKids(second)).includes(newKid), { deadlineMs: 10_000, intervalMs: 200 });
    expect(await jwksKids(first)).toEqual([...before, newKid].sort());

    await until('the first instance signs with the new key', async () => {
      const attested = await post(first, '/v1/attest', await evidenceVia(first, key, deviceId), 'application/eat+jwt');
      return kidOf(attested.json['result'] as string) === newKid && (await authz(second, attested.json['result'] as string)) === 200;
    }, { deadlineMs: 10_000, intervalMs: 200 });
    expect(kidOf(firstResult)).not.toBe(newKid);
    expect(await authz(first, firstResult)).toBe(200);
    expect(await authz(second, firstResult)).toBe(200);
  });

  it('an instance with another key-encryption key refuses to start, saying what to do', async () => {
    const wrong = startServiceProcess({ database: postgres.url, env: { POSTURE_SERVICE_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') }, extraArgs: ['--url', PUBLIC_URL] });
    await expect(wrong).rejects.toThrow(/encrypted with another key-encryption key.*Give every instance the same key-encryption key.*\[ERR_KEY_ENCRYPTION_KEY\]/s);
  });
});
