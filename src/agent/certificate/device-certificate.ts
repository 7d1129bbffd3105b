/**
 * Obtaining, renewing and removing the device certificate (design §6, issue 9): a new TLS key,
 * Evidence binding it, the service's certificate, the files in the state directory, then each OS
 * store. A store that fails is reported on its own: the files are still good for curl and git.
 */
import { createPublicKey, X509Certificate } from 'node:crypto';
import { requestCertificate, type CheckInDeps } from '../check-in.js';
import { AgentError, isAgentError, messageOf, type ErrorCode } from '../../shared/errors.js';
import {
  certificateFiles,
  deleteCertificateFiles,
  describeCertificate,
  generateTlsKey,
  readCurrentCertificate,
  renewalReason,
  writeCertificateFiles,
  type CertificateInfo,
  type RenewalReason,
} from './certificate-files.js';
import type { CertificateStore } from './stores/index.js';

export type StoreOutcome = { store: string; installed: true } | { store: string; installed: false; error: { code: ErrorCode; message: string } };
export type RemovalOutcome = { store: string; removed: true } | { store: string; removed: false; error: { code: ErrorCode; message: string } };

/** What `posture-agent cert --json` prints. */
export interface CertificateOutcome {
  certificateFile: string;
  keyFile: string;
  caFile: string;
  expiresAt: string;
  serial: string;
  renewAt: string;
  stores: StoreOutcome[];
}

export interface EnsureCertificateInput {
  stateDir: string;
  checkIn: CheckInDeps;
  stores: CertificateStore[];
  now: Date;
  force?: boolean;
  /** Install into the stores even when the certificate did not change (the `cert` command). */
  installWhenCurrent?: boolean;
}

export interface EnsureCertificateResult {
  outcome: CertificateOutcome;
  /** Why a new certificate was obtained; null when the current one was kept. */
  renewed: Exclude<RenewalReason, null> | null;
}

function errorOf(error: unknown): { code: ErrorCode; message: string } {
  return { code: isAgentError(error) ? error.code : 'ERR_CERTIFICATE_STORE', message: messageOf(error) };
}

export async function installInStores(stores: readonly CertificateStore[], stateDir: string, certificate: CertificateInfo): Promise<StoreOutcome[]> {
  const outcomes: StoreOutcome[] = [];
  for (const store of stores) {
    try {
      await store.install({ ...certificateFiles(stateDir), certificate });
      outcomes.push({ store: store.name, installed: true });
    } catch (error) {
      outcomes.push({ store: store.name, installed: false, error: errorOf(error) });
    }
  }
  return outcomes;
}

function sameKey(certificatePem: string, privatePem: string): boolean {
  const certified = new X509Certificate(certificatePem).publicKey.export({ format: 'der', type: 'spki' });
  return certified.equals(createPublicKey(privatePem).export({ format: 'der', type: 'spki' }));
}

async function obtain(input: EnsureCertificateInput): Promise<CertificateInfo> {
  const tlsKey = generateTlsKey();
  const response = await requestCertificate(input.checkIn, tlsKey.publicJwk);
  let matches: boolean;
  try {
    matches = sameKey(response.certificate, tlsKey.privatePem);
  } catch {
    matches = false;
  }
  if (!matches) throw new AgentError('ERR_CERTIFICATE_KEY_MISMATCH', 'The policy service answered with a certificate that is not for the TLS key this device sent; nothing was written. Try again; if it persists, tell IT.');
  await writeCertificateFiles(input.stateDir, { keyPem: tlsKey.privatePem, certificatePem: response.certificate, caPems: response.caCertificates });
  return describeCertificate(response.certificate);
}

/** Obtains a certificate when there is none, it is past two thirds of its lifetime, or `force`; then installs it. */
export async function ensureCertificate(input: EnsureCertificateInput): Promise<EnsureCertificateResult> {
  const current = await readCurrentCertificate(input.stateDir);
  const reason = renewalReason(current, input.now, input.force);
  const certificate = reason === null && current !== null ? current : await obtain(input);
  const stores = reason !== null || input.installWhenCurrent ? await installInStores(input.stores, input.stateDir, certificate) : [];
  return {
    renewed: reason,
    outcome: {
      ...certificateFiles(input.stateDir),
      expiresAt: certificate.notAfter.toISOString(),
      serial: certificate.serial,
      renewAt: certificate.renewAt.toISOString(),
      stores,
    },
  };
}

/** Revocation: every store forgets this device's certificates, then the files go. */
export async function removeCertificate(stateDir: string, stores: readonly CertificateStore[]): Promise<RemovalOutcome[]> {
  const outcomes: RemovalOutcome[] = [];
  for (const store of stores) {
    try {
      await store.remove();
      outcomes.push({ store: store.name, removed: true });
    } catch (error) {
      outcomes.push({ store: store.name, removed: false, error: errorOf(error) });
    }
  }
  await deleteCertificateFiles(stateDir);
  return outcomes;
}
