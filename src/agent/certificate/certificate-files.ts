/**
 * The device certificate's files in the state directory (all 0600): the TLS key (P-256, PKCS#8
 * PEM), the certificate the service issued and the service's CA bundle, for curl, git and other
 * command-line clients. A new TLS key is made for every certificate; nothing is written until the
 * service has issued, so a refusal leaves the previous pair intact.
 */
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { publicJwkSchema, type PublicJwk } from '../../attest/jwk.js';
import { AgentError } from '../../shared/errors.js';
import { readPrivateFile, writePrivateFile } from '../../shared/private-file.js';

export const TLS_KEY_FILE = 'tls-key.pem';
export const TLS_CERT_FILE = 'tls-cert.pem';
export const TLS_CA_FILE = 'tls-ca.pem';

export interface CertificateFiles {
  keyFile: string;
  certificateFile: string;
  caFile: string;
}

export function certificateFiles(stateDir: string): CertificateFiles {
  return { keyFile: join(stateDir, TLS_KEY_FILE), certificateFile: join(stateDir, TLS_CERT_FILE), caFile: join(stateDir, TLS_CA_FILE) };
}

export interface TlsKey {
  privatePem: string;
  publicJwk: PublicJwk;
}

export function generateTlsKey(): TlsKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const exported = publicKey.export({ format: 'jwk' });
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicJwk: publicJwkSchema.parse({ kty: exported.kty, crv: exported.crv, x: exported.x, y: exported.y }),
  };
}

export interface CertificateInfo {
  /** Lowercase hex, as the service records it. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** Two thirds into the lifetime: from then on the agent renews. */
  renewAt: Date;
  /** SHA-1 of the DER, uppercase hex without colons (how macOS and Windows name a certificate). */
  sha1: string;
  pem: string;
}

export function renewAtOf(notBefore: Date, notAfter: Date): Date {
  return new Date(notBefore.getTime() + Math.floor(((notAfter.getTime() - notBefore.getTime()) * 2) / 3));
}

export function describeCertificate(pem: string): CertificateInfo {
  const certificate = new X509Certificate(pem);
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  return {
    serial: certificate.serialNumber.toLowerCase().replace(/^(?:00)+(?=.)/, ''),
    notBefore,
    notAfter,
    renewAt: renewAtOf(notBefore, notAfter),
    sha1: certificate.fingerprint.replaceAll(':', '').toUpperCase(),
    pem,
  };
}

/** The certificate in the state directory, or null when there is none or it cannot be read as one. */
export async function readCurrentCertificate(stateDir: string): Promise<CertificateInfo | null> {
  const files = certificateFiles(stateDir);
  const [certificate, key] = await Promise.all([readPrivateFile(files.certificateFile, 'device certificate'), readPrivateFile(files.keyFile, 'TLS key')]);
  if (certificate === null || key === null) return null;
  try {
    return describeCertificate(certificate.toString('utf8'));
  } catch {
    return null;
  }
}

export type RenewalReason = 'missing' | 'due' | 'forced' | null;

/** Why a new certificate is needed now, or null when the current one is good for a while. */
export function renewalReason(current: CertificateInfo | null, now: Date, force = false): RenewalReason {
  if (force) return 'forced';
  if (current === null || current.notAfter.getTime() <= now.getTime()) return 'missing';
  return current.renewAt.getTime() <= now.getTime() ? 'due' : null;
}

export async function writeCertificateFiles(stateDir: string, input: { keyPem: string; certificatePem: string; caPems: readonly string[] }): Promise<CertificateFiles> {
  const files = certificateFiles(stateDir);
  const pem = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);
  // The key first: a certificate on disk always has its key beside it.
  await writePrivateFile(files.keyFile, input.keyPem);
  await writePrivateFile(files.certificateFile, pem(input.certificatePem));
  await writePrivateFile(files.caFile, input.caPems.map(pem).join(''));
  return files;
}

export async function deleteCertificateFiles(stateDir: string): Promise<void> {
  const files = certificateFiles(stateDir);
  try {
    await Promise.all([files.certificateFile, files.keyFile, files.caFile].map((file) => rm(file, { force: true })));
  } catch (error) {
    throw new AgentError('ERR_IO', `Could not delete the device certificate files in ${stateDir}; delete ${TLS_KEY_FILE}, ${TLS_CERT_FILE} and ${TLS_CA_FILE} there by hand.`, { cause: error });
  }
}
