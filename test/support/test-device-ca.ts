/**
 * A throwaway device CA for the agent's certificate tests: issues client certificates as the
 * contract of issue 9 describes (CN and SAN URI naming the device, EKU clientAuth), for a TLS key
 * given as PEM or as a public JWK.
 */
import 'reflect-metadata';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { PublicJwk } from '../../src/attest/jwk.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
type CryptoKey = webcrypto.CryptoKey;
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface TestCa {
  pem: string;
  issue(input: { deviceId: string; tlsKey: PublicJwk | string; notBefore: Date; notAfter: Date }): Promise<{ pem: string; serial: string }>;
}

async function importPublic(tlsKey: PublicJwk | string): Promise<CryptoKey> {
  const jwk = typeof tlsKey === 'string' ? (createPrivateKey(tlsKey).export({ format: 'jwk' }) as PublicJwk & { d?: string }) : tlsKey;
  return webcrypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, EC, true, ['verify']);
}

export async function createTestCa(): Promise<TestCa> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']));
  const name = `CN=Test device CA ${randomBytes(4).toString('hex')}, O=posture-agent`;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${randomBytes(8).toString('hex')}`,
    name,
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 365 * 86_400_000),
    signingAlgorithm: SIGN,
    keys,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  return {
    pem: ca.toString('pem'),
    async issue({ deviceId, tlsKey, notBefore, notAfter }) {
      const serial = `5${randomBytes(15).toString('hex')}`;
      const certificate = await x509.X509CertificateGenerator.create({
        serialNumber: serial,
        subject: `CN=${deviceId}`,
        issuer: ca.subject,
        notBefore,
        notAfter,
        signingAlgorithm: SIGN,
        publicKey: await importPublic(tlsKey),
        signingKey: keys.privateKey,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
          new x509.SubjectAlternativeNameExtension([{ type: 'url', value: `urn:posture-agent:device:${deviceId}` }]),
        ],
      });
      return { pem: certificate.toString('pem'), serial };
    },
  };
}
