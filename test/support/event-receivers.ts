/** Real HTTP receivers for events in the test process: a webhook endpoint and an RFC 8935 push endpoint, recording what arrives. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TestReceiver {
  url: string;
  received: ReceivedRequest[];
  /** What it answers from now on (and, for 400, the RFC 8935 error body). */
  answer: number;
  close(): Promise<void>;
}

export async function startReceiver(answer: number): Promise<TestReceiver> {
  const receiver: TestReceiver = { url: '', received: [], answer, close: () => Promise.resolve() };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      receiver.received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (receiver.answer === 400) {
        response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ err: 'invalid_audience', description: 'not for us' }));
      } else {
        response.writeHead(receiver.answer).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return receiver;
}
