/**
 * A small HTTP(S) client on node:http, for the agent: it does what the agent needs (one request,
 * a timeout, a size cap, no redirects) without loading fetch's undici, which costs the long-running
 * daemon about 10 MB of memory.
 */
import { request as httpRequestRaw, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequestRaw } from 'node:https';

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface HttpRequestOptions {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBytes?: number;
}

/** OpenSSL's words when the other end does not speak TLS at all: the usual sign of https:// to a plain-HTTP port. */
const NOT_TLS = /wrong version number|packet length too long|http request|unknown protocol/i;

const CERTIFICATE_REASONS: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: "it is not valid yet (check this computer's clock)",
  CERT_REVOKED: 'it has been revoked',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed (for a private CA, point NODE_EXTRA_CA_CERTS at its certificate)',
  SELF_SIGNED_CERT_IN_CHAIN: 'it chains to a CA this computer does not trust (for a private CA, point NODE_EXTRA_CA_CERTS at its certificate)',
  UNABLE_TO_GET_ISSUER_CERT: 'its issuer is not known here (for a private CA, point NODE_EXTRA_CA_CERTS at its certificate)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its issuer is not known here (for a private CA, point NODE_EXTRA_CA_CERTS at its certificate)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its issuer is not known here, or the service does not send its intermediate certificates',
  CERT_SIGNATURE_FAILURE: 'its signature does not verify',
  CERT_UNTRUSTED: 'it is not trusted for this purpose',
  INVALID_CA: 'a certificate in its chain is not a CA',
};

/**
 * A TLS failure as one line a person can act on, instead of OpenSSL's own text. The system code is
 * kept (`code`); only the words change.
 */
function tlsFailure(error: NodeJS.ErrnoException, target: URL): Error | null {
  if (target.protocol !== 'https:') return null;
  const code = error.code ?? '';
  const certificate = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? `it is not issued for ${target.hostname}` : CERTIFICATE_REASONS[code];
  if (certificate) return Object.assign(new Error(`the service's TLS certificate is not trusted: ${certificate}`), { code });
  if (code !== 'EPROTO' && !code.startsWith('ERR_SSL_')) return null;
  if (NOT_TLS.test(error.message)) {
    const plain = new URL(target.href);
    plain.protocol = 'http:';
    return Object.assign(new Error(`it does not answer in TLS (does the service speak plain HTTP? try ${plain.origin})`), { code });
  }
  const reason = /SSL routines:[^:]*:([^:]+)/.exec(error.message)?.[1]?.trim();
  return Object.assign(new Error(`the TLS handshake failed${reason ? ` (${reason})` : ''}`), { code });
}

/**
 * Rejects like fetch does: an Error whose `cause` has the system `code`, or a TimeoutError. TLS
 * failures are described in words (the cause keeps the code), never with OpenSSL's raw text.
 */
export function httpRequest(url: string, options: HttpRequestOptions): Promise<HttpResponse> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequestRaw : httpRequestRaw;
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  return new Promise<HttpResponse>((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const request = send(target, { method: options.method, headers, timeout: options.timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          request.destroy(Object.assign(new Error(`The answer is larger than ${maxBytes} bytes.`), { cause: { code: 'ERR_RESPONSE_TOO_LARGE' } }));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('The request timed out.'), { name: 'TimeoutError' })));
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'TimeoutError' || error.cause) return reject(error);
      const cause = tlsFailure(error, target) ?? error;
      reject(Object.assign(new Error(cause.message), { cause }));
    });
    request.end(options.body);
  });
}
