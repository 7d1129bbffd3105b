/**
 * Device client certificates as gateways forward them to forward-auth, and their verification
 * against the device CA with node:crypto: issued and signed by a trusted CA certificate, not a CA
 * itself, EKU clientAuth, exactly one SAN URI `urn:posture-agent:device:<id>`. The validity window
 * (the certificate's and its issuer's) is returned, not checked: the caller checks it against its
 * clock on every request, since the verification itself is cached.
 */
import { X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AgentError } from '../shared/errors.js';
import { DEVICE_ID_PATTERN } from '../wire/service.js';

export const DEVICE_URI_PREFIX = 'urn:posture-agent:device:';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const MAX_HEADER_CHARS = 16 * 1024;

/**
 * Where gateways put the certificate: nginx `$ssl_client_escaped_cert` / Caddy's DER base64 in
 * X-Posture-Client-Cert, Envoy's X-Forwarded-Client-Cert, Traefik's passTLSClientCert.
 */
export const CLIENT_CERTIFICATE_HEADERS = ['x-posture-client-cert', 'x-forwarded-client-cert', 'x-forwarded-tls-client-cert'] as const;

export interface DeviceCertificate {
  deviceId: string;
  /** Milliseconds since the epoch: the later of the certificate's and its issuer's notBefore. */
  notBefore: number;
  /** The earlier of the certificate's and its issuer's notAfter. */
  notAfter: number;
}

/** The first certificate header with a value (an empty one means "no certificate": nginx sends that). */
export function forwardedCertificate(headers: IncomingHttpHeaders): { header: string; value: string } | null {
  for (const header of CLIENT_CERTIFICATE_HEADERS) {
    const raw = headers[header];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value !== undefined && value.trim() !== '') return { header, value: value.trim() };
  }
  return null;
}

function invalid(message: string): never {
  throw new AgentError('ERR_CERTIFICATE_INVALID', message);
}

/** Splits on `separator` outside double quotes (XFCC elements and their key=value pairs). */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '\\' && quoted) index += 1;
    else if (char === '"') quoted = !quoted;
    else if (char === separator && !quoted) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Envoy: the element the nearest proxy added is the last; its Cert="<URL-encoded PEM>". */
function envoyCertificate(value: string): string {
  const elements = splitOutsideQuotes(value, ',').reverse();
  for (const element of elements) {
    for (const pair of splitOutsideQuotes(element, ';')) {
      const equals = pair.indexOf('=');
      if (pair.slice(0, equals).trim().toLowerCase() !== 'cert') continue;
      return pair.slice(equals + 1).trim().replace(/^"|"$/g, '');
    }
  }
  return invalid('X-Forwarded-Client-Cert has no Cert="..." element: set forward_client_cert_details to SANITIZE_SET with cert: true.');
}

/** URL-encoded or plain PEM, or base64 DER (Caddy; Traefik sends the PEM body without its armour). */
function certificateBytes(value: string): Buffer | string {
  let text = value;
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      invalid('The forwarded client certificate is not validly URL-encoded.');
    }
  }
  if (text.includes('-----BEGIN')) {
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text);
    return pem ? pem[0] : invalid('The forwarded client certificate is not a PEM certificate.');
  }
  const first = text.split(',')[0]!.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(first)) invalid('The forwarded client certificate is neither PEM nor base64 DER.');
  return Buffer.from(first, 'base64');
}

function parse(header: string, value: string): X509Certificate {
  if (value.length > MAX_HEADER_CHARS) invalid('The forwarded client certificate is too large.');
  const encoded = header === 'x-forwarded-client-cert' ? envoyCertificate(value) : value;
  try {
    return new X509Certificate(certificateBytes(encoded));
  } catch (error) {
    if (error instanceof AgentError) throw error;
    return invalid('The forwarded client certificate does not parse as X.509.');
  }
}

/** The device id from the one SAN URI naming a device (Node lists SANs as `URI:...`, comma-separated). */
function deviceIdOf(certificate: X509Certificate): string {
  const uris = (certificate.subjectAltName ?? '')
    .split(', ')
    .filter((name) => name.startsWith(`URI:${DEVICE_URI_PREFIX}`))
    .map((name) => name.slice(`URI:${DEVICE_URI_PREFIX}`.length));
  if (uris.length !== 1) invalid(`The client certificate must name exactly one device (SAN URI ${DEVICE_URI_PREFIX}<id>).`);
  const deviceId = uris[0]!;
  if (!DEVICE_ID_PATTERN.test(deviceId)) invalid('The client certificate names a malformed device id.');
  return deviceId;
}

/** Verifies a forwarded certificate; throws ERR_CERTIFICATE_INVALID with the reason. */
export function verifyDeviceCertificate(header: string, value: string, trusted: readonly X509Certificate[]): DeviceCertificate {
  const certificate = parse(header, value);
  if (certificate.ca) invalid('The client certificate is a CA certificate, not a device certificate.');
  const issuer = trusted.find((ca) => certificate.checkIssued(ca) && certificate.verify(ca.publicKey));
  if (issuer === undefined) invalid('The client certificate was not issued by this service\'s device CA.');
  if (!(certificate.keyUsage ?? []).includes(CLIENT_AUTH)) invalid('The client certificate is not for client authentication (EKU clientAuth).');
  const deviceId = deviceIdOf(certificate);
  return {
    deviceId,
    notBefore: Math.max(Date.parse(certificate.validFrom), Date.parse(issuer.validFrom)),
    notAfter: Math.min(Date.parse(certificate.validTo), Date.parse(issuer.validTo)),
  };
}
