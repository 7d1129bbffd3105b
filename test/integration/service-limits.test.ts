// What one client can cost the real policy service (a child process, real sockets): forward-auth
// from a gateway that presents its gateway API key is not limited per address (directly, and
// through real nginx and Caddy configured as docs/gateways.md shows), idle sockets from one
// address cannot starve the others, and a stalled request is cut within --request-timeout.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenApiSpec } from '../support/openapi.js';
import { ensureGatewayBinaries, startCaddy, startNginx, type RunningGateway } from '../support/proxies.js';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';
import { startUpstream, type Upstream } from '../support/upstream.js';
import { until } from '../support/until.js';

/** Every 127/8 address is the loopback interface on Linux: a second client address for free. */
const FLOOD_ADDRESS = '127.0.0.2';

/** `count` requests, `concurrency` at a time; the statuses in order. */
async function burst(url: string, count: number, headers: Record<string, string> = {}, concurrency = 10): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

function tally(statuses: readonly number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

interface RawAnswer {
  /** Everything the server sent before it closed the connection. */
  text: string;
  /** Milliseconds from the last byte sent to the server closing the connection. */
  closedAfterMs: number;
}

/** Sends `payload` (possibly an incomplete request) on a fresh socket and waits for the server to close it. */
function rawExchange(port: number, payload: string | null, giveUpMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    let sentAt = Date.now();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${giveUpMs} ms`));
    }, giveUpMs);
    socket.on('connect', () => {
      if (payload !== null) socket.write(payload);
      sentAt = Date.now();
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('utf8'), closedAfterMs: Date.now() - sentAt });
    });
  });
}

function parseAnswer(text: string): { status: number; headers: Record<string, string>; body: unknown; raw: string } {
  const end = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(text.slice(end + 4)) as unknown, raw: text.slice(end + 4) };
}

describe('forward-auth under gateway load (--authz-rate-limit 10)', () => {
  let service: ServiceProcess;
  let gatewayKey: string;
  let adminKey: string;
  let authz: string;
  let upstream: Upstream | undefined;
  const gateways: RunningGateway[] = [];

  beforeAll(async () => {
    service = await startServiceProcess({ extraArgs: ['--authz-rate-limit', '10'] });
    gatewayKey = (await service.cli('apikey', 'create', '--role', 'gateway', '--name', 'nginx')).trim();
    adminKey = (await service.cli('apikey', 'create', '--role', 'admin')).trim();
    authz = `${service.address}/v1/authz?tier=basic`;
  });

  afterAll(async () => {
    await Promise.all([...gateways.map((gateway) => gateway.stop()), upstream?.stop()]);
    await service?.stop();
  });

  it('a gateway presenting its gateway key is never limited per address; anyone else from that address is', async () => {
    // No Result in these requests: a decision (401 ERR_RESULT_MISSING) every time, or a 429.
    const fromGateway = await burst(authz, 300, { 'x-posture-gateway-key': gatewayKey });
    expect(tally(fromGateway)).toEqual({ 401: 300 });

    const anonymous = await burst(authz, 200);
    expect(anonymous).toContain(429);
    const wrongKey = await burst(authz, 200, { 'x-posture-gateway-key': `${gatewayKey.slice(0, -4)}AAAA` });
    expect(wrongKey).toContain(429);
    // Only a gateway key counts: an admin key belongs in no gateway configuration.
    const adminAsGateway = await burst(authz, 200, { 'x-posture-gateway-key': adminKey });
    expect(adminAsGateway).toContain(429);

    // The anonymous caller is limited, and the gateway on the same address still is not.
    expect(tally(await burst(authz, 100, { 'x-posture-gateway-key': gatewayKey }))).toEqual({ 401: 100 });
    let limited = await fetch(authz);
    for (let i = 0; i < 100 && limited.status !== 429; i += 1) limited = await fetch(authz);
    expect([limited.status, limited.headers.get('x-posture-reason'), limited.headers.get('retry-after')]).toEqual([429, 'ERR_RATE_LIMITED', '1']);
  });

  it.runIf(process.platform === 'linux')('nginx and Caddy configured as docs/gateways.md shows send the key: a busy gateway gets no 429', async () => {
    await ensureGatewayBinaries();
    upstream = await startUpstream();
    const withKey = { servicePort: service.port, upstreamPort: upstream.port, tiers: ['basic'], gatewayKey };
    const withoutKey = { servicePort: service.port, upstreamPort: upstream.port, tiers: ['basic'] };
    const started = await Promise.allSettled([startNginx(withKey), startCaddy(withKey), startNginx(withoutKey)]);
    for (const gateway of started) if (gateway.status === 'fulfilled') gateways.push(gateway.value);
    for (const gateway of started) if (gateway.status === 'rejected') throw gateway.reason;
    const [nginx, caddy, nginxWithoutKey] = gateways as [RunningGateway, RunningGateway, RunningGateway];

    // Each employee request without a Result is denied by the service (401), never throttled.
    expect(tally(await burst(`${nginx.url}/basic/report`, 300)), await nginx.logs()).toEqual({ 401: 300 });
    expect(tally(await burst(`${caddy.url}/basic/report`, 300))).toEqual({ 401: 300 });
    // The same nginx without the key: the service's 429 becomes nginx's 500 for everyone behind it.
    expect(await burst(`${nginxWithoutKey.url}/basic/report`, 300)).toContain(500);
    expect(upstream.requests).toEqual([]);
  });
});

describe('connections per client address (--max-connections-per-address 50)', () => {
  let service: ServiceProcess;
  const flood: Socket[] = [];

  beforeAll(async () => {
    service = await startServiceProcess({ extraArgs: ['--max-connections-per-address', '50', '--max-connections', '80', '--request-timeout', '60s'] });
  });

  afterAll(async () => {
    for (const socket of flood) socket.destroy();
    await service?.stop();
  });

  it('idle sockets from one address beyond the limit are closed at once, and /healthz still answers everyone else', async () => {
    const closed = new Set<Socket>();
    for (let i = 0; i < 200; i += 1) {
      const socket = connect({ port: service.port, host: '127.0.0.1', localAddress: FLOOD_ADDRESS });
      socket.on('error', () => undefined);
      socket.on('close', () => closed.add(socket));
      flood.push(socket);
    }
    await until('the server to close the sockets beyond the limit', () => closed.size >= 150);
    // Give the server a moment to close more than it should, if it were going to.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(flood.length - closed.size).toBe(50);

    // 50 of the 80 connections in all are taken: another address is served.
    const health = await fetch(`${service.address}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    // The flooding address itself gets nothing more.
    const fromFlooder = await new Promise<string>((resolve) => {
      const socket = connect({ port: service.port, host: '127.0.0.1', localAddress: FLOOD_ADDRESS }, () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(text));
    });
    expect(fromFlooder).toBe('');
    expect(service.logs.some((line) => line.includes('closed connections beyond --max-connections-per-address'))).toBe(true);
  });
});

describe('stalled requests (--request-timeout 1s)', () => {
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await startServiceProcess({ extraArgs: ['--request-timeout', '1s'] });
  });

  afterAll(async () => {
    await service?.stop();
  });

  const stalled: [string, string | null, string | null][] = [
    ['a body that stops half-way', 'POST /v1/challenge HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"deviceId":"dev', 'POST /v1/challenge'],
    ['headers that never end', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n', 'GET /healthz'],
    ['a connection that never sends anything', null, null],
  ];

  it.each(stalled)('%s is answered 408 ERR_REQUEST_TIMEOUT and closed within the timeout', async (_what, payload, operation) => {
    const answer = await rawExchange(service.port, payload);
    expect(answer.closedAfterMs).toBeLessThan(2_000);
    expect(answer.closedAfterMs).toBeGreaterThanOrEqual(500);
    const parsed = parseAnswer(answer.text);
    expect(parsed.status).toBe(408);
    expect(parsed.headers['connection']).toBe('close');
    expect(parsed.body).toEqual({ error: { code: 'ERR_REQUEST_TIMEOUT', message: 'The request did not arrive in full within 1 s.' } });
    if (operation) {
      const [method = '', path = ''] = operation.split(' ');
      expect(OpenApiSpec.load().check({ method, path, status: parsed.status, headers: new Headers(parsed.headers), body: parsed.raw })).toEqual([]);
    }
  });

  it('a request that arrives in time is served', async () => {
    const response = await fetch(`${service.address}/healthz`);
    expect(response.status).toBe(200);
  });
});
