/**
 * The device CA: a P-256 key and a self-signed CA certificate, kept in the database encrypted with
 * the key-encryption key (key set "device-ca") and created on first run, so every instance signs
 * with the same CA. It signs short-lived TLS client certificates for enrolled devices.
 * `posture-service ca rotate` makes a new active CA; a retired one stays in the trust bundle until
 * every certificate it can have signed has expired. Running instances follow a rotation made
 * elsewhere (the key set's version moves), like the Result keys.
 * Certificates are built with @peculiar/x509; node:crypto parses them for verification.
 */
import 'reflect-metadata';
import { randomBytes, webcrypto, X509Certificate as NodeX509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { z } from 'zod';
import { publicJwkSchema, type PublicJwk } from '../attest/jwk.js';
import { AgentError, messageOf } from '../shared/errors.js';
import type { KeySetVault } from './key-set-vault.js';
import { openKeySet, replaceKeySet } from './key-set-file.js';

/** Where an earlier version kept the device CA (imported into the database once). */
export const DEVICE_CA_FILE = 'device-ca.json';
const FORMAT = 'posture-device-ca/v1';

/** The longest lifetime a device certificate may have (--certificate-lifetime at most 90d). */
export const MAX_CERTIFICATE_LIFETIME_SECONDS = 90 * 86_400;
export const DEFAULT_CERTIFICATE_LIFETIME_SECONDS = 7 * 86_400;
/** notBefore lies this far in the past, for clocks that run a little behind. */
const BACKDATE_MS = 5 * 60_000;
const CA_VALIDITY_MS = 10 * 365.25 * 86_400_000;
/**
 * A retired CA stays trusted this long: the longest any certificate it signed can live, plus the
 * backdating. Independent of the configured lifetime, which may have changed since it signed.
 */
const RETIRED_TRUST_MS = MAX_CERTIFICATE_LIFETIME_SECONDS * 1000 + BACKDATE_MS;

export const DEVICE_URI_PREFIX = 'urn:posture-agent:device:';

type CryptoKey = webcrypto.CryptoKey;
const crypto = webcrypto;
const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface IssuedCertificate {
  /** Lowercase hex. */
  serial: string;
  pem: string;
  notBefore: Date;
  notAfter: Date;
}

const fileSchema = z.strictObject({
  format: z.literal(FORMAT),
  authorities: z
    .array(z.strictObject({ createdAt: z.string(), retiredAt: z.string().nullable(), certificate: z.string().min(1), privateKey: z.string().min(1) }))
    .min(1),
});

interface Authority {
  createdAt: Date;
  retiredAt: Date | null;
  certificatePem: string;
  privateKeyPem: string;
  parsed: NodeX509Certificate;
}

function corrupt(path: string, why: string): AgentError {
  return new AgentError(
    'ERR_KEY_CORRUPT',
    `The device CA in ${path} is damaged (${why}). Restore the file from a backup; or move it aside and restart to make a new CA (device certificates from the old one then stop working).`,
  );
}

function pemBody(pem: string, label: string): Buffer {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  if (!match) throw new Error(`not a ${label} PEM`);
  return Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64');
}

function toPem(der: ArrayBuffer, label: string): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function parseAuthorities(text: string, path: string): Authority[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw corrupt(path, 'not valid JSON');
  }
  const parsed = fileSchema.safeParse(document);
  if (!parsed.success) throw corrupt(path, 'not in the expected format');
  try {
    return parsed.data.authorities.map((entry) => {
      pemBody(entry.privateKey, 'PRIVATE KEY');
      const certificate = new NodeX509Certificate(entry.certificate);
      if (!certificate.ca) throw new Error('a certificate is not a CA certificate');
      return {
        createdAt: new Date(entry.createdAt),
        retiredAt: entry.retiredAt === null ? null : new Date(entry.retiredAt),
        certificatePem: certificate.toString(),
        privateKeyPem: entry.privateKey,
        parsed: certificate,
      };
    });
  } catch (error) {
    throw corrupt(path, messageOf(error));
  }
}

function serialize(authorities: readonly Authority[]): string {
  const entries = authorities.map((authority) => ({
    createdAt: authority.createdAt.toISOString(),
    retiredAt: authority.retiredAt?.toISOString() ?? null,
    certificate: authority.certificatePem,
    privateKey: authority.privateKeyPem,
  }));
  return `${JSON.stringify({ format: FORMAT, authorities: entries }, null, 2)}\n`;
}

/** 16 random bytes, positive and without a leading zero byte (so DER keeps all 16). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('hex');
}

async function newAuthority(now: Date): Promise<Authority> {
  const keys = await crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: `CN=Posture Agent device CA ${randomBytes(4).toString('hex')}, O=posture-agent`,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + CA_VALIDITY_MS),
      signingAlgorithm: SIGNING,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const privateKeyPem = toPem(await crypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  const parsed = new NodeX509Certificate(Buffer.from(certificate.rawData));
  return { createdAt: now, retiredAt: null, certificatePem: parsed.toString(), privateKeyPem, parsed };
}

function tlsKeyOf(tlsKey: PublicJwk): Promise<CryptoKey> {
  const jwk = publicJwkSchema.safeParse(tlsKey);
  if (!jwk.success) throw new AgentError('ERR_CERTIFICATE_KEY_MISMATCH', 'tlsKey is not a P-256 public key.');
  const { kty, crv, x, y } = jwk.data;
  return crypto.subtle.importKey('jwk', { kty, crv, x, y }, EC_P256, true, ['verify']).catch(() => {
    throw new AgentError('ERR_CERTIFICATE_KEY_MISMATCH', 'tlsKey is not a valid P-256 public key.');
  });
}

export class DeviceCa {
  readonly #vault: KeySetVault;
  readonly #lifetimeMs: number;
  #authorities: Authority[];
  #version: number;
  #signingKey: Promise<CryptoKey> | undefined;
  #trusted: { at: number; certificates: NodeX509Certificate[]; pem: string } | undefined;

  private constructor(vault: KeySetVault, authorities: Authority[], version: number, lifetimeSeconds: number) {
    this.#vault = vault;
    this.#authorities = authorities;
    this.#version = version;
    this.#lifetimeMs = lifetimeSeconds * 1000;
  }

  /** Loads the CA, importing `importFile` or creating its key and certificate on first run. */
  static async open(vault: KeySetVault, options: { now?: Date; certificateLifetimeSeconds: number; importFile?: string }): Promise<DeviceCa> {
    const stored = await openKeySet(vault, {
      importFile: options.importFile,
      what: 'device CA file',
      create: async () => serialize([await newAuthority(options.now ?? new Date())]),
      parse: parseAuthorities,
    });
    return new DeviceCa(vault, stored.keys, stored.version, options.certificateLifetimeSeconds);
  }

  /** Makes a new active CA; the old one stays trusted until every certificate it signed has expired. */
  static async rotate(vault: KeySetVault, now: Date = new Date()): Promise<{ subject: string; retired: string[] }> {
    let outcome: { subject: string; retired: string[] } | undefined;
    await replaceKeySet(vault, async (text) => {
      const authorities = parseAuthorities(text, vault.description);
      const retired = authorities.filter((authority) => authority.retiredAt === null).map((authority) => ({ ...authority, retiredAt: now }));
      const stillTrusted = authorities.filter((authority) => authority.retiredAt !== null && now.getTime() - authority.retiredAt.getTime() <= RETIRED_TRUST_MS);
      const fresh = await newAuthority(now);
      outcome = { subject: fresh.parsed.subject.replace(/\n/g, ', '), retired: retired.map((authority) => authority.parsed.subject.replace(/\n/g, ', ')) };
      return serialize([fresh, ...retired, ...stillTrusted]);
    });
    return outcome!;
  }

  /** Picks up a rotation done by another process (the key set's version moved). */
  async reloadIfChanged(): Promise<void> {
    const version = await this.#vault.version();
    if (version === null || version === this.#version) return;
    const stored = await this.#vault.read();
    if (stored === null) return;
    this.#authorities = parseAuthorities(stored.text, this.#vault.description);
    this.#version = stored.version;
    this.#signingKey = undefined;
    this.#trusted = undefined;
  }

  get #active(): Authority {
    return this.#authorities.find((authority) => authority.retiredAt === null) ?? this.#authorities[0]!;
  }

  /** The active CA's subject, e.g. `CN=Posture Agent device CA 1a2b3c4d, O=posture-agent`. */
  get subject(): string {
    return this.#active.parsed.subject.replace(/\n/g, ', ');
  }

  /** Signs a TLS client certificate for `deviceId`'s `tlsKey` with the active CA. */
  async issue(input: { deviceId: string; tlsKey: PublicJwk; now?: Date }): Promise<IssuedCertificate> {
    const publicKey = await tlsKeyOf(input.tlsKey);
    const now = input.now ?? new Date();
    const authority = this.#active;
    const signingKey = await (this.#signingKey ??= crypto.subtle.importKey('pkcs8', pemBody(authority.privateKeyPem, 'PRIVATE KEY'), EC_P256, false, ['sign']));
    const issuer = new x509.X509Certificate(authority.certificatePem);
    const serial = randomSerial();
    const notBefore = new Date(Math.floor((now.getTime() - BACKDATE_MS) / 1000) * 1000);
    const notAfter = new Date(Math.floor((now.getTime() + this.#lifetimeMs) / 1000) * 1000);
    const certificate = await x509.X509CertificateGenerator.create(
      {
        serialNumber: serial,
        subject: [{ CN: [input.deviceId] }],
        issuer: issuer.subjectName,
        notBefore,
        notAfter,
        signingAlgorithm: SIGNING,
        publicKey,
        signingKey,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
          new x509.SubjectAlternativeNameExtension([{ type: 'url', value: `${DEVICE_URI_PREFIX}${input.deviceId}` }], false),
          await x509.SubjectKeyIdentifierExtension.create(publicKey, false, crypto),
          await x509.AuthorityKeyIdentifierExtension.create(issuer, false, crypto),
        ],
      },
      crypto,
    );
    // node:crypto's PEM: 64-column lines, one final newline, like the bundle.
    return { serial, pem: new NodeX509Certificate(Buffer.from(certificate.rawData)).toString(), notBefore, notAfter };
  }

  #trustedNow(now: Date): { certificates: NodeX509Certificate[]; pem: string } {
    // Cached per second: authz asks on every request.
    const second = Math.floor(now.getTime() / 1000);
    if (this.#trusted?.at === second) return this.#trusted;
    const active = this.#active;
    const trusted = [
      active,
      ...this.#authorities.filter((authority) => authority !== active && authority.retiredAt !== null && now.getTime() - authority.retiredAt.getTime() <= RETIRED_TRUST_MS),
    ];
    const previous = this.#trusted;
    const certificates = previous && previous.certificates.length === trusted.length && previous.certificates.every((certificate, index) => certificate === trusted[index]!.parsed)
      ? previous.certificates
      : trusted.map((authority) => authority.parsed);
    this.#trusted = { at: second, certificates, pem: trusted.map((authority) => authority.certificatePem).join('') };
    return this.#trusted;
  }

  /** Every trusted CA certificate (the active one first), concatenated: GET /v1/ca.pem. */
  bundlePem(now: Date = new Date()): string {
    return this.#trustedNow(now).pem;
  }

  /** The same certificates, parsed (for authz); the same array until the set changes. */
  trustedCertificates(now: Date = new Date()): NodeX509Certificate[] {
    return this.#trustedNow(now).certificates;
  }
}
