// The yardstick for cold forward-auth: raw node:crypto ES256 verifications of one Result per
// second of this process's CPU, run by `npm run bench -- service` pinned to the service's core
// between its rounds. Input: one JSON argument { token, jwk, seconds }; output: one number.
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';

const { token, jwk, seconds } = JSON.parse(process.argv[2] ?? '{}') as { token: string; jwk: JsonWebKey; seconds: number };
const key = createPublicKey({ key: jwk, format: 'jwk' });
const dot = token.lastIndexOf('.');
const data = Buffer.from(token.slice(0, dot));
const signature = Buffer.from(token.slice(dot + 1), 'base64url');
if (!verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)) throw new Error('the sample Result does not verify');

const cpu = process.cpuUsage();
const end = performance.now() + seconds * 1000;
let count = 0;
while (performance.now() < end) {
  for (let index = 0; index < 50; index += 1) verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  count += 50;
}
const used = process.cpuUsage(cpu);
process.stdout.write(`${count / ((used.user + used.system) / 1e6)}\n`);
