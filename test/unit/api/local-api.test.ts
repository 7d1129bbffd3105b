/**
 * The daemon's loopback local API, on a real server on 127.0.0.1. Requests are raw node:http so
 * the Host header is exactly what the test says (fetch cannot set it). The client is exercised
 * the way the CLI uses it: through local-api.json and local-api.secret in a private state dir.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalApiClient } from '../../../src/api/local-api-client.js';
import { startLocalApi, type LocalApi, type LocalApiHandlers } from '../../../src/api/local-api-server.js';
import { LOCAL_API_FILE, LOCAL_API_SECRET_FILE, type CurrentResult, type DaemonStatus } from '../../../src/api/local-api-types.js';
import { readSharedStatusFile, writeSharedStatusFile } from '../../../src/api/shared-status-file.js';
import { AgentError } from '../../../src/shared/errors.js';
import { daemonStatus } from '../../support/daemon-status.js';

const SECRET = randomBytes(32).toString('base64url');

const STATUS: DaemonStatus = daemonStatus();

const CURRENT: CurrentResult = { result: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJkZXZpY2UtMSJ9.c2ln', expiresAt: '2026-11-22T11:00:00.000Z' };

/** Handlers that count their calls; `token` answers whatever `current` holds. */
class FakeDaemon implements LocalApiHandlers {
  statusCalls = 0;
  checkCalls = 0;
  current: CurrentResult | null = CURRENT;
  failCheck = false;

  status(): DaemonStatus {
    this.statusCalls += 1;
    return STATUS;
  }

  check(): Promise<DaemonStatus> {
    this.checkCalls += 1;
    if (this.failCheck) return Promise.reject(new Error('collector blew up at /secret/internal/path'));
    return Promise.resolve({ ...STATUS, lastCheckAt: '2026-11-22T10:07:00.000Z' });
  }

  token(): CurrentResult | null {
    return this.current;
  }
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

interface RawRequest {
  method?: string;
  path: string;
  headers?: OutgoingHttpHeaders;
  body?: string;
  /** False: send no Host header at all. */
  setHost?: boolean;
}

/** One HTTP/1.1 request to 127.0.0.1:port with exactly the headers given (Host included). */
function raw(port: number, options: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers ?? {}, setHost: options.setHost ?? false, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

function errorOf(response: RawResponse): { code: string; message: string } {
  const body = JSON.parse(response.text) as { error: { code: string; message: string } };
  return body.error;
}

let daemon: FakeDaemon;
let api: LocalApi;
let errors: unknown[];

beforeEach(async () => {
  daemon = new FakeDaemon();
  errors = [];
  api = await startLocalApi({ host: '127.0.0.1', port: 0, secret: SECRET, handlers: daemon, onError: (error) => errors.push(error) });
});
afterEach(async () => {
  await api.close();
});

const good = (): OutgoingHttpHeaders => ({ host: `127.0.0.1:${api.port}`, authorization: `Bearer ${SECRET}` });

describe('startLocalApi: where it listens', () => {
  it('listens on 127.0.0.1 on the port it got, and says so in its URL', () => {
    expect(api.port).toBeGreaterThan(0);
    expect(api.url).toBe(`http://127.0.0.1:${api.port}`);
  });

  for (const host of ['0.0.0.0', '192.168.1.20', 'localhost', '::', 'example.com']) {
    it(`refuses to listen on ${host}`, async () => {
      const started = startLocalApi({ host, port: 0, secret: SECRET, handlers: new FakeDaemon() });
      await expect(started).rejects.toBeInstanceOf(AgentError);
      await expect(started).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID', message: expect.stringContaining(host) as unknown });
    });
  }
});

describe('local API: the bearer secret', () => {
  it('answers 401 with WWW-Authenticate when there is no Authorization header', async () => {
    const response = await raw(api.port, { path: '/v0/status', headers: { host: `127.0.0.1:${api.port}` } });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="posture-agent"');
    expect(errorOf(response).code).toBe('ERR_UNAUTHORIZED');
    expect(daemon.statusCalls).toBe(0);
  });

  it('answers 401 to a wrong secret of the same length', async () => {
    const wrong = randomBytes(32).toString('base64url');
    const response = await raw(api.port, { path: '/v0/status', headers: { ...good(), authorization: `Bearer ${wrong}` } });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="posture-agent"');
    expect(daemon.statusCalls).toBe(0);
  });

  it('answers 401 to a prefix of the secret, and to another scheme', async () => {
    for (const authorization of [`Bearer ${SECRET.slice(0, 10)}`, `Bearer ${SECRET}x`, `Basic ${SECRET}`, SECRET, 'Bearer ']) {
      const response = await raw(api.port, { path: '/v0/status', headers: { ...good(), authorization } });
      expect(response.status, authorization).toBe(401);
    }
    expect(daemon.statusCalls).toBe(0);
  });

  it('does not run a check without the secret', async () => {
    const response = await raw(api.port, { method: 'POST', path: '/v0/check', headers: { host: `127.0.0.1:${api.port}` } });
    expect(response.status).toBe(401);
    expect(daemon.checkCalls).toBe(0);
  });
});

describe('local API: DNS rebinding and browsers', () => {
  it('answers 403 to Host: evil.example:PORT even with the right secret', async () => {
    const response = await raw(api.port, { path: '/v0/status', headers: { ...good(), host: `evil.example:${api.port}` } });
    expect(response.status).toBe(403);
    expect(errorOf(response)).toEqual({ code: 'ERR_FORBIDDEN', message: 'The Host header does not name this loopback address.' });
    expect(daemon.statusCalls).toBe(0);
  });

  it('answers 403 to Host: 127.0.0.1 on another port, and to a Host without a port', async () => {
    for (const host of [`127.0.0.1:${api.port + 1}`, '127.0.0.1', 'localhost', `127.0.0.2:${api.port}`, `[::1]:${api.port}`]) {
      const response = await raw(api.port, { path: '/v0/status', headers: { ...good(), host } });
      expect(response.status, host).toBe(403);
      expect(errorOf(response).code).toBe('ERR_FORBIDDEN');
    }
    expect(daemon.statusCalls).toBe(0);
  });

  it('refuses a request without any Host header', async () => {
    const response = await raw(api.port, { path: '/v0/status', headers: { authorization: `Bearer ${SECRET}` }, setHost: false });
    expect([400, 403]).toContain(response.status);
    expect(daemon.statusCalls).toBe(0);
  });

  it('answers 403 to evil.example before asking for the secret', async () => {
    const response = await raw(api.port, { path: '/v0/status', headers: { host: `evil.example:${api.port}` } });
    expect(response.status).toBe(403);
  });

  for (const [name, value] of [
    ['origin', 'https://evil.example'],
    ['origin', 'null'],
    ['referer', 'https://evil.example/page'],
    ['sec-fetch-site', 'cross-site'],
    ['sec-fetch-site', 'none'],
    ['sec-fetch-dest', 'document'],
    ['sec-fetch-user', '?1'],
  ] as const) {
    it(`answers 403 to a request with ${name}: ${value}, even with the right Host and secret`, async () => {
      const response = await raw(api.port, { method: 'POST', path: '/v0/token', headers: { ...good(), [name]: value } });
      expect(response.status).toBe(403);
      expect(errorOf(response).code).toBe('ERR_FORBIDDEN');
      expect(errorOf(response).message).toContain('Browsers');
    });
  }
});

describe('local API: routes', () => {
  it('answers GET /v0/status with the daemon status for Host 127.0.0.1:PORT', async () => {
    const response = await raw(api.port, { path: '/v0/status', headers: good() });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(response.text)).toEqual(STATUS);
    expect(daemon.statusCalls).toBe(1);
  });

  it('answers for Host localhost:PORT (any case) too, and ignores a query string', async () => {
    for (const host of [`localhost:${api.port}`, `LocalHost:${api.port}`]) {
      const response = await raw(api.port, { path: '/v0/status?verbose=1', headers: { ...good(), host } });
      expect(response.status, host).toBe(200);
    }
  });

  it('runs a check on POST /v0/check and answers with the new status', async () => {
    const response = await raw(api.port, { method: 'POST', path: '/v0/check', headers: good() });
    expect(response.status).toBe(200);
    expect((JSON.parse(response.text) as DaemonStatus).lastCheckAt).toBe('2026-11-22T10:07:00.000Z');
    expect(daemon.checkCalls).toBe(1);
  });

  it('answers POST /v0/token with the current Result', async () => {
    const response = await raw(api.port, { method: 'POST', path: '/v0/token', headers: good() });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual(CURRENT);
  });

  it('answers POST /v0/token with 404 ERR_NO_RESULT when there is no current Result', async () => {
    daemon.current = null;
    const response = await raw(api.port, { method: 'POST', path: '/v0/token', headers: good() });
    expect(response.status).toBe(404);
    expect(errorOf(response).code).toBe('ERR_NO_RESULT');
  });

  it('answers 404 ERR_NOT_FOUND_ROUTE to an unknown path or a wrong method', async () => {
    for (const [method, path] of [['GET', '/v0/secret'], ['GET', '/v0/token'], ['POST', '/v0/status'], ['DELETE', '/v0/check'], ['GET', '/']] as const) {
      const response = await raw(api.port, { method, path, headers: good() });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(errorOf(response).code).toBe('ERR_NOT_FOUND_ROUTE');
    }
    expect(daemon.checkCalls).toBe(0);
  });

  it('answers 500 ERR_INTERNAL without internals when a handler fails, and reports the error', async () => {
    daemon.failCheck = true;
    const response = await raw(api.port, { method: 'POST', path: '/v0/check', headers: good() });
    expect(response.status).toBe(500);
    expect(errorOf(response).code).toBe('ERR_INTERNAL');
    expect(response.text).not.toContain('/secret/internal/path');
    expect(errors).toHaveLength(1);
  });
});

describe('local API: limits', () => {
  it('answers 413 to a declared body over 1 KiB without running the check', async () => {
    const body = 'x'.repeat(2048);
    const response = await raw(api.port, {
      method: 'POST',
      path: '/v0/check',
      headers: { ...good(), 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      body,
    });
    expect(response.status).toBe(413);
    expect(errorOf(response).code).toBe('ERR_BODY_TOO_LARGE');
    expect(daemon.checkCalls).toBe(0);
  });

  it('answers 413 to a chunked body over 1 KiB (no Content-Length to declare it) without running the check', async () => {
    const body = 'x'.repeat(8192);
    const response = await raw(api.port, { method: 'POST', path: '/v0/check', headers: { ...good(), 'transfer-encoding': 'chunked' }, body });
    expect(response.status).toBe(413);
    expect(errorOf(response).code).toBe('ERR_BODY_TOO_LARGE');
    expect(daemon.checkCalls).toBe(0);
  });

  it('accepts a small body (it is ignored)', async () => {
    const body = '{}';
    const response = await raw(api.port, { method: 'POST', path: '/v0/check', headers: { ...good(), 'content-length': body.length }, body });
    expect(response.status).toBe(200);
  });

  it('refuses a header block over the limit (Node answers 431) without reaching a handler', async () => {
    const response = await raw(api.port, { path: '/v0/status', headers: { ...good(), 'x-padding': 'p'.repeat(6000) } });
    expect(response.status).toBe(431);
    expect(daemon.statusCalls).toBe(0);
  });
});

describe('LocalApiClient', () => {
  let stateDir: string;

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'posture-local-api-'));
    await chmod(stateDir, 0o700);
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  /** What the daemon writes: local-api.json and the secret (with its newline), both 0600. */
  async function writeDiscovery(url: string, secret = SECRET): Promise<void> {
    await writeFile(join(stateDir, LOCAL_API_FILE), `${JSON.stringify({ url, pid: process.pid, startedAt: '2026-11-22T10:00:00.000Z' })}\n`, { mode: 0o600 });
    await writeFile(join(stateDir, LOCAL_API_SECRET_FILE), `${secret}\n`, { mode: 0o600 });
    await chmod(join(stateDir, LOCAL_API_FILE), 0o600);
    await chmod(join(stateDir, LOCAL_API_SECRET_FILE), 0o600);
  }

  async function rejection(promise: Promise<unknown>): Promise<AgentError> {
    const error: unknown = await promise.then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AgentError);
    return error as AgentError;
  }

  it('gets the status, runs a check and gets the token through the state directory', async () => {
    await writeDiscovery(api.url);
    const client = await LocalApiClient.fromStateDir(stateDir);
    expect(client.url).toBe(api.url);
    expect(await client.status()).toEqual(STATUS);
    expect((await client.check()).lastCheckAt).toBe('2026-11-22T10:07:00.000Z');
    expect(await client.token()).toEqual(CURRENT);
    expect(daemon.statusCalls).toBe(1);
    expect(daemon.checkCalls).toBe(1);
  });

  it('turns 404 ERR_NO_RESULT into an AgentError with that code', async () => {
    daemon.current = null;
    await writeDiscovery(api.url);
    const client = await LocalApiClient.fromStateDir(stateDir);
    const error = await rejection(client.token());
    expect(error.code).toBe('ERR_NO_RESULT');
    expect(error.message).toContain('no current Result');
  });

  it('turns a wrong secret into ERR_UNAUTHORIZED', async () => {
    await writeDiscovery(api.url, randomBytes(32).toString('base64url'));
    const client = await LocalApiClient.fromStateDir(stateDir);
    const error = await rejection(client.status());
    expect(error.code).toBe('ERR_UNAUTHORIZED');
  });

  it('says how to start the daemon when no daemon ever ran with this state directory', async () => {
    const error = await rejection(LocalApiClient.fromStateDir(stateDir));
    expect(error.code).toBe('ERR_DAEMON_UNREACHABLE');
    expect(error.message).toContain('posture-agent run');
    expect(error.message).toContain(stateDir);
  });

  it('says how to start the daemon when nothing listens where local-api.json points', async () => {
    const gone = await startLocalApi({ host: '127.0.0.1', port: 0, secret: SECRET, handlers: new FakeDaemon() });
    const url = gone.url;
    await gone.close();
    await writeDiscovery(url);
    const client = await LocalApiClient.fromStateDir(stateDir);
    const error = await rejection(client.status());
    expect(error.code).toBe('ERR_DAEMON_UNREACHABLE');
    expect(error.message).toContain('posture-agent run');
  });

  it('refuses a secret file other users can read', async () => {
    await writeDiscovery(api.url);
    await chmod(join(stateDir, LOCAL_API_SECRET_FILE), 0o644);
    const error = await rejection(LocalApiClient.fromStateDir(stateDir));
    expect(error.code).toBe('ERR_FILE_PERMISSIONS');
  });

  it('treats local-api.json without its secret as no daemon', async () => {
    await writeDiscovery(api.url);
    await rm(join(stateDir, LOCAL_API_SECRET_FILE));
    const error = await rejection(LocalApiClient.fromStateDir(stateDir));
    expect(error.code).toBe('ERR_DAEMON_UNREACHABLE');
    expect(error.message).toContain('posture-agent run');
  });

  it('treats an unreadable local-api.json as no daemon', async () => {
    await writeDiscovery(api.url);
    await writeFile(join(stateDir, LOCAL_API_FILE), '{"url": "http://127.0.0.1:', { mode: 0o600 });
    const error = await rejection(LocalApiClient.fromStateDir(stateDir));
    expect(error.code).toBe('ERR_DAEMON_UNREACHABLE');
    expect(error.message).toContain(LOCAL_API_FILE);
  });
});

describe('LocalApiClient against a server that is not the daemon', () => {
  let other: LocalApi;
  let stateDir: string;

  beforeAll(async () => {
    // A local API whose handlers answer garbage where JSON is expected: a 500 with no envelope code.
    other = await startLocalApi({
      host: '127.0.0.1',
      port: 0,
      secret: SECRET,
      handlers: {
        status: () => {
          throw new Error('broken');
        },
        check: () => Promise.reject(new Error('broken')),
        token: () => null,
      },
    });
    stateDir = await mkdtemp(join(tmpdir(), 'posture-local-api-'));
    await chmod(stateDir, 0o700);
    await writeFile(join(stateDir, LOCAL_API_FILE), JSON.stringify({ url: other.url, pid: 1, startedAt: '2026-11-22T10:00:00.000Z' }), { mode: 0o600 });
    await writeFile(join(stateDir, LOCAL_API_SECRET_FILE), SECRET, { mode: 0o600 });
  });
  afterAll(async () => {
    await other.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('passes a known error code through from a 500', async () => {
    const client = await LocalApiClient.fromStateDir(stateDir);
    await expect(client.status()).rejects.toMatchObject({ code: 'ERR_INTERNAL' });
  });
});

describe('local API: the shared secret of a system daemon (status and checks for every local user)', () => {
  const SHARED = randomBytes(32).toString('base64url');
  let shared: LocalApi;
  let handlers: FakeDaemon;

  beforeEach(async () => {
    handlers = new FakeDaemon();
    shared = await startLocalApi({ host: '127.0.0.1', port: 0, secret: SECRET, sharedSecret: SHARED, handlers });
  });
  afterEach(async () => {
    await shared.close();
  });

  const headers = (secret: string): OutgoingHttpHeaders => ({ host: `127.0.0.1:${shared.port}`, authorization: `Bearer ${secret}` });

  it('opens GET /v0/status and POST /v0/check', async () => {
    expect((await raw(shared.port, { path: '/v0/status', headers: headers(SHARED) })).status).toBe(200);
    expect((await raw(shared.port, { method: 'POST', path: '/v0/check', headers: headers(SHARED) })).status).toBe(200);
    expect(handlers.checkCalls).toBe(1);
  });

  it('never opens the Result: 403 ERR_FORBIDDEN, while the owner\'s secret still gets it', async () => {
    const refused = await raw(shared.port, { method: 'POST', path: '/v0/token', headers: headers(SHARED) });
    expect(refused.status).toBe(403);
    expect(errorOf(refused).code).toBe('ERR_FORBIDDEN');
    expect(refused.text).not.toContain(CURRENT.result);
    const owner = await raw(shared.port, { method: 'POST', path: '/v0/token', headers: headers(SECRET) });
    expect(JSON.parse(owner.text)).toEqual(CURRENT);
  });

  it('is still refused from a browser or a foreign Host, and a wrong shared secret is 401', async () => {
    expect((await raw(shared.port, { path: '/v0/status', headers: { ...headers(SHARED), origin: 'https://evil.example' } })).status).toBe(403);
    expect((await raw(shared.port, { path: '/v0/status', headers: { ...headers(SHARED), host: `evil.example:${shared.port}` } })).status).toBe(403);
    expect((await raw(shared.port, { path: '/v0/status', headers: headers(`${SHARED.slice(1)}x`) })).status).toBe(401);
    expect(handlers.statusCalls).toBe(0);
  });

  it('does not exist unless the daemon was given one', async () => {
    expect((await raw(api.port, { path: '/v0/status', headers: { host: `127.0.0.1:${api.port}`, authorization: `Bearer ${SHARED}` } })).status).toBe(401);
  });
});

describe('the shared status file', () => {
  let root: string;
  let folder: string;
  let file: string;
  const me = process.getuid?.() ?? 0;
  const DISCOVERY = { url: 'http://127.0.0.1:41234', pid: 4321, startedAt: '2026-11-22T10:00:00.000Z', secret: 'c2hhcmVkLXNlY3JldC1mb3ItdGVzdHM' };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'posture-shared-'));
    folder = join(root, 'run', 'posture-agent');
    file = join(folder, 'local-api-shared.json');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('is written readable by everyone (0644 in a 0755 folder) whatever the umask, and read back', async () => {
    const previous = process.umask(0o077);
    try {
      await writeSharedStatusFile(file, DISCOVERY);
    } finally {
      process.umask(previous);
    }
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    expect((await stat(folder)).mode & 0o777).toBe(0o755);
    expect(await readSharedStatusFile(file, me)).toEqual(DISCOVERY);
  });

  it('never changes a folder that exists (a sticky 1777 /tmp, a closed 0700 one); makes a missing one 0755, parents too', async () => {
    for (const mode of [0o1777, 0o700, 0o750]) {
      const existing = join(root, `existing-${mode.toString(8)}`);
      await mkdir(existing);
      await chmod(existing, mode);
      await writeSharedStatusFile(join(existing, 'local-api-shared.json'), DISCOVERY);
      expect((await stat(existing)).mode & 0o7777, mode.toString(8)).toBe(mode);
      expect((await stat(join(existing, 'local-api-shared.json'))).mode & 0o777).toBe(0o644);
    }
    const previous = process.umask(0o077);
    try {
      await writeSharedStatusFile(join(root, 'a', 'b', 'local-api-shared.json'), DISCOVERY);
    } finally {
      process.umask(previous);
    }
    expect((await stat(join(root, 'a'))).mode & 0o7777).toBe(0o755);
    expect((await stat(join(root, 'a', 'b'))).mode & 0o7777).toBe(0o755);
    expect((await stat(root)).mode & 0o7777).toBe(0o700);
  });

  it('is null when no system daemon publishes one', async () => {
    expect(await readSharedStatusFile(file, me)).toBeNull();
  });

  it('is refused when it does not belong to the system user', async () => {
    await writeSharedStatusFile(file, DISCOVERY);
    await expect(readSharedStatusFile(file, me + 1)).rejects.toMatchObject({ code: 'ERR_FILE_OWNER' });
  });

  it('is refused when others could change it or its folder, or when it is a link', async () => {
    await writeSharedStatusFile(file, DISCOVERY);
    await chmod(file, 0o666);
    await expect(readSharedStatusFile(file, me)).rejects.toMatchObject({ code: 'ERR_FILE_PERMISSIONS' });
    await chmod(file, 0o644);
    await chmod(folder, 0o777);
    await expect(readSharedStatusFile(file, me)).rejects.toMatchObject({ code: 'ERR_FILE_PERMISSIONS' });
    await chmod(folder, 0o755);
    const link = join(folder, 'link.json');
    await symlink(file, link);
    await expect(readSharedStatusFile(link, me)).rejects.toMatchObject({ code: 'ERR_FILE_PERMISSIONS' });
  });

  it('is refused when it names anything but a loopback address, or has no secret', async () => {
    await mkdir(folder, { recursive: true, mode: 0o755 });
    for (const bad of [{ ...DISCOVERY, url: 'http://evil.example:80' }, { ...DISCOVERY, url: 'http://10.0.0.2:41234' }, { ...DISCOVERY, secret: '' }, 'not json']) {
      await writeFile(file, typeof bad === 'string' ? bad : JSON.stringify(bad), { mode: 0o644 });
      await expect(readSharedStatusFile(file, me)).rejects.toMatchObject({ code: 'ERR_DAEMON_UNREACHABLE' });
    }
  });

  it('lets LocalApiClient read the status and ask for a check, but not get the Result', async () => {
    const sharedSecret = randomBytes(32).toString('base64url');
    const handlers = new FakeDaemon();
    const server = await startLocalApi({ host: '127.0.0.1', port: 0, secret: SECRET, sharedSecret, handlers });
    try {
      await writeSharedStatusFile(file, { url: server.url, pid: process.pid, startedAt: DISCOVERY.startedAt, secret: sharedSecret });
      const client = await LocalApiClient.fromSharedFile(file, me);
      expect(await client!.status()).toEqual(STATUS);
      expect((await client!.check()).lastCheckAt).toBe('2026-11-22T10:07:00.000Z');
      await expect(client!.token()).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
      expect(await LocalApiClient.fromSharedFile(join(folder, 'none.json'), me)).toBeNull();
    } finally {
      await server.close();
    }
  });
});
