/**
 * Device CAs and device client certificates made with /usr/bin/openssl, for forward-auth tests:
 * the right shape (SAN URI urn:posture-agent:device:<id>, EKU clientAuth) or deliberately wrong.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const OPENSSL = '/usr/bin/openssl';

export interface TestCa {
  dir: string;
  certFile: string;
  keyFile: string;
  pem: string;
  certificate: X509Certificate;
  /** A device certificate signed by this CA (PEM). */
  issue(options: { deviceId: string; eku?: string; san?: string; days?: number }): Promise<string>;
  remove(): Promise<void>;
}

export async function makeTestCa(name = 'Test device CA'): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'posture-device-ca-'));
  const file = (base: string) => join(dir, base);
  const openssl = (...args: string[]) => run(OPENSSL, args, { cwd: dir });
  await openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file('ca.key'));
  await openssl('req', '-x509', '-new', '-key', file('ca.key'), '-sha256', '-days', '30', '-subj', `/CN=${name} ${process.pid}/O=posture-agent`,
    '-addext', 'basicConstraints=critical,CA:true,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', file('ca.pem'));
  const pem = await readFile(file('ca.pem'), 'utf8');
  let serial = 0;
  return {
    dir,
    certFile: file('ca.pem'),
    keyFile: file('ca.key'),
    pem,
    certificate: new X509Certificate(pem),
    async issue({ deviceId, eku = 'clientAuth', san = `URI:urn:posture-agent:device:${deviceId}`, days = 7 }) {
      serial += 1;
      const base = `device-${serial}`;
      await openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file(`${base}.key`));
      await openssl('req', '-new', '-key', file(`${base}.key`), '-subj', `/CN=${deviceId}`, '-out', file(`${base}.csr`));
      await writeFile(file(`${base}.ext`), `basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=${eku}\nsubjectAltName=${san}\n`);
      await openssl('x509', '-req', '-in', file(`${base}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-set_serial', String(1000 + serial),
        '-days', String(days), '-sha256', '-extfile', file(`${base}.ext`), '-out', file(`${base}.pem`));
      return readFile(file(`${base}.pem`), 'utf8');
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The forms gateways forward a certificate in. */
export const forwarded = {
  nginx: (pem: string) => encodeURIComponent(pem),
  caddy: (pem: string) => new X509Certificate(pem).raw.toString('base64'),
  envoy: (pem: string) => `By=spiffe://gateway;Hash=abc;Cert="${encodeURIComponent(pem)}";Subject="CN=x,O=y"`,
  traefik: (pem: string) => encodeURIComponent(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '')),
};
