/** Ceilings for the benchmarks, measured in the same run: raw node:crypto ES256 on one core. */
import { generateKeyPairSync, sign, verify } from 'node:crypto';

const SIGNING_INPUT = Buffer.from('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9');

/** Raw ES256 verifications per second on this core: the ceiling for any verifier here. */
export function rawVerifyRate(seconds = 1.5): number {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signature = sign('sha256', SIGNING_INPUT, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  let count = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i += 1) verify('sha256', SIGNING_INPUT, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
    count += 100;
  }
  return count / seconds;
}

/** One ES256 verify plus one ES256 sign per unit, per second on this core: the cryptography of one appraisal. */
export function rawSignAndVerifyRate(seconds = 1.5): number {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signature = sign('sha256', SIGNING_INPUT, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  let count = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 50; i += 1) {
      verify('sha256', SIGNING_INPUT, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
      sign('sha256', SIGNING_INPUT, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    }
    count += 50;
  }
  return count / seconds;
}
