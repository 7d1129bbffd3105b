// Errors keep one shape: requests Node's HTTP parser refuses before Fastify sees them, and
// Fastify's own refusals, are answered `{ "error": { "code", "message" } }` by the real service
// (a child process, raw sockets); and the agent pointed at https:// on a plain-HTTP service says
// so in one line, without OpenSSL's text.
import { execFile } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceClient, ServiceError } from '../../src/agent/service-client.js';
import { ERROR_CODES } from '../../src/shared/errors.js';
import { httpRequest } from '../../src/shared/http-request.js';
import { OpenApiSpec } from '../support/openapi.js';
import { runAgent, startServiceProcess, tempDir, type ServiceProcess } from '../support/service-process.js';

const run = promisify(execFile);
const OPENSSL_TEXT = /SSL routines|wrong version number|ssl3_|openssl|0A00/i;

/** Sends `payload` on a fresh socket; resolves with everything the server sent before closing. */
function rawRequest(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => socket.end(payload));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('the server did not close the connection'));
    }, 10_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** The first answer on the connection: status, headers, body as JSON. */
function firstAnswer(text: string): { status: number; headers: Record<string, string>; body: unknown; raw: string } {
  const end = text.indexOf('\r\n\r\n');
  expect(end, text).toBeGreaterThan(0);
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  const length = Number(headers['content-length']);
  const raw = text.slice(end + 4, end + 4 + length);
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(raw) as unknown, raw };
}

describe('the service answers malformed requests in its one error shape', () => {
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await startServiceProcess();
  });

  afterAll(async () => {
    await service?.stop();
  });

  const refusedByNode: [string, string, number, string][] = [
    ['a request line that is not HTTP', 'HELLO THERE\r\n\r\n', 400, 'ERR_BAD_REQUEST'],
    ['a control character in the path', 'GET /heal\x01thz HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'ERR_BAD_REQUEST'],
    ['a header name with a space', 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n', 400, 'ERR_BAD_REQUEST'],
    ['an impossible Content-Length', 'POST /v1/challenge HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n', 400, 'ERR_BAD_REQUEST'],
    ['headers larger than Node accepts', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'ERR_HEADERS_TOO_LARGE'],
  ];

  it.each(refusedByNode)('%s: %i %s with Connection: close', async (_what, payload, status, code) => {
    const answer = firstAnswer(await rawRequest(service.port, payload));
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers['connection']).toBe('close');
    expect(answer.body).toEqual({ error: { code, message: expect.any(String) } });
    expect((answer.body as { error: { message: string } }).error.message).not.toMatch(/HPE_|Parse Error/);
    expect(ERROR_CODES).toContain(code);
  });

  it('answers as docs/openapi.yaml says, e.g. 431 for GET /healthz', async () => {
    const answer = firstAnswer(await rawRequest(service.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    const seen = { method: 'GET', path: '/healthz', status: answer.status, headers: new Headers(answer.headers), body: answer.raw };
    expect(OpenApiSpec.load().check(seen)).toEqual([]);
  });

  const refusedByFastify: [string, string][] = [
    ['a path with broken percent-encoding', 'GET /v1/devices/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['a path segment of invalid UTF-8', 'GET /v1/devices/%C0%AF HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['a JSON body that is not JSON', 'POST /v1/challenge HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{x}'],
  ];

  it.each(refusedByFastify)('%s: 400 ERR_BAD_REQUEST', async (_what, payload) => {
    const answer = firstAnswer(await rawRequest(service.port, payload));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: { code: 'ERR_BAD_REQUEST', message: expect.any(String) } });
  });

  it('keeps serving after all of them', async () => {
    const health = await fetch(`${service.address}/healthz`);
    expect(health.status).toBe(200);
  });
});

describe('the agent pointed at https:// on a plain-HTTP service', () => {
  let plain: Server;
  let port: number;
  let work: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    plain = createHttpServer((_request, response) => response.end('{}'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    port = (plain.address() as AddressInfo).port;
    work = await tempDir('posture-https-plain-');
  });

  afterAll(async () => {
    await new Promise((resolve) => plain.close(resolve));
    await work?.remove();
  });

  it('httpRequest says the service speaks plain HTTP and which URL to try, keeping the system code', async () => {
    const error = (await httpRequest(`https://127.0.0.1:${port}/v1/challenge`, { method: 'GET', timeoutMs: 5_000 }).catch((failure: unknown) => failure)) as Error & {
      cause: { code: string; message: string };
    };
    expect(error.message).toBe(`it does not answer in TLS (does the service speak plain HTTP? try http://127.0.0.1:${port})`);
    expect(error.cause.code).toBe('EPROTO');
    expect(error.cause.message).not.toMatch(OPENSSL_TEXT);
  });

  it('the service client refuses with ERR_SERVICE_UNREACHABLE in one line', async () => {
    const client = new ServiceClient({ baseUrl: `https://127.0.0.1:${port}`, timeoutMs: 5_000 });
    const error = await client.challenge('device-1').catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe('ERR_SERVICE_UNREACHABLE');
    expect((error as ServiceError).message).toContain(`try http://127.0.0.1:${port}`);
    expect((error as ServiceError).message).not.toMatch(OPENSSL_TEXT);
    expect((error as ServiceError).message).not.toContain('\n');
  });

  it('posture-agent enroll prints one line with the code and exits 2', async () => {
    const { stderr, code } = await runAgent(work.path, 'enroll', '--server', `https://127.0.0.1:${port}`, '--token', 'pae_x_y');
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('[ERR_SERVICE_UNREACHABLE]');
    expect(stderr).toContain(`try http://127.0.0.1:${port}`);
    expect(stderr).not.toMatch(OPENSSL_TEXT);
  });

  it('a service whose certificate is not trusted is named as such, without OpenSSL text', async () => {
    const dir = join(work.path, 'tls');
    await run('/usr/bin/openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=posture.test',
      '-keyout', `${dir}-key.pem`, '-out', `${dir}-cert.pem`]);
    const tls = createHttpsServer({ key: await readFile(`${dir}-key.pem`), cert: await readFile(`${dir}-cert.pem`) }, (_request, response) => response.end('{}'));
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      const tlsPort = (tls.address() as AddressInfo).port;
      const error = (await httpRequest(`https://127.0.0.1:${tlsPort}/`, { method: 'GET', timeoutMs: 5_000 }).catch((failure: unknown) => failure)) as Error & { cause: { code: string } };
      expect(error.message).toMatch(/^the service's TLS certificate is not trusted: it is self-signed/);
      expect(error.cause.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
      expect(error.message).not.toMatch(OPENSSL_TEXT);
    } finally {
      await new Promise((resolve) => tls.close(resolve));
    }
  });
});
