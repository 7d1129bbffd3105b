/**
 * A tiny upstream application for gateway tests: answers every request with 200 "hello from
 * upstream" and records what reached it (method, URL, headers, body), so a test can prove that a
 * denied request never got through and that the gateway forwarded the posture headers.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export const UPSTREAM_BODY = 'hello from upstream';

export interface UpstreamRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Upstream {
  port: number;
  /** Every request so far, oldest first. */
  requests: UpstreamRequest[];
  /** The requests whose URL starts with this marker (tests give each request a unique path). */
  saw(marker: string): UpstreamRequest[];
  stop(): Promise<void>;
}

export async function startUpstream(): Promise<Upstream> {
  const requests: UpstreamRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      response.end(UPSTREAM_BODY);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    requests,
    saw: (marker) => requests.filter((request) => request.url.includes(marker)),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
