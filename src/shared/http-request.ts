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

/** Rejects like fetch does: an Error whose `cause` has the system `code`, or a TimeoutError. */
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
    request.on('error', (error: NodeJS.ErrnoException) => reject(error.name === 'TimeoutError' || error.cause ? error : Object.assign(new Error(error.message), { cause: error })));
    request.end(options.body);
  });
}
