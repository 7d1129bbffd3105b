// docs/openapi.yaml against the real policy service, in both directions: every route the server
// registers is documented and every documented operation exists; every documented answer is
// provoked over real HTTP and its status, headers and body are checked against the document, and an
// answer with a status the document does not list for that operation fails. Faults the outside
// world cannot cause on demand (a database outage, an internal error) are injected into the
// running service's store and keys; the shutdown answer is provoked by pipelining a request behind
// one in flight while the service closes.
import { generateKeyPairSync, randomUUID, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Es256Key } from '../../src/attest/es256-key.js';
import { createEvidence } from '../../src/attest/evidence.js';
import { jwkThumbprint, type PublicJwk } from '../../src/attest/jwk.js';
import { createKeyEndorsement } from '../../src/attest/key-endorsement.js';
import { randomNonce } from '../../src/attest/nonce.js';
import type { AttestResponse, EnrollResponse } from '../../src/server/posture-service.js';
import { parseServeConfig, type ServeFlags } from '../../src/server/config.js';
import { statusFor } from '../../src/server/http/errors.js';
import { API_KEY_PREFIX, ENROLLMENT_TOKEN_PREFIX, newSecret } from '../../src/server/secrets.js';
import { startService, type RunningService } from '../../src/server/start-service.js';
import type { ApiKeyRole } from '../../src/server/store/store.js';
import { AgentError, ERROR_CODES, type ErrorCode } from '../../src/shared/errors.js';
import type { PostureReport } from '../../src/collectors/report.js';
import { fastifyUrl, OpenApiSpec, routesFromTree, type JsonObject } from '../support/openapi.js';
import { createConsoleLink } from '../../src/server/console/console-links.js';
import { startOidcProvider, TEST_OIDC_CLIENT_ID, TEST_OIDC_CLIENT_SECRET, walkProvider } from '../support/oidc-provider.js';
import { makeReport } from '../support/report.js';
import { startReceiver } from '../support/event-receivers.js';

const spec = OpenApiSpec.load();
const HOUR_MS = 3_600_000;

// ---------------------------------------------------------------------------------------------
// A running service and how to talk to it

interface World {
  running: RunningService;
  dataDir: string;
  /** Where it listens: http://127.0.0.1:PORT. */
  base: string;
  /** Its public URL, the Evidence audience and Result issuer: the address it listens on. */
  publicUrl: string;
  /** The service's clock runs this far ahead of the real one. */
  offsetMs: number;
  now(): Date;
}

const worlds: World[] = [];

async function startWorld(flags: Omit<ServeFlags, 'dataDir'> = {}): Promise<World> {
  const dataDir = await mkdtemp(join(tmpdir(), 'posture-openapi-'));
  const world = { dataDir, offsetMs: 0, now: () => new Date(Date.now() + world.offsetMs) } as World;
  world.running = await startService(parseServeConfig({ dataDir, port: '0', logLevel: 'silent', ...flags }), { clock: () => world.now() });
  world.base = world.running.address;
  world.publicUrl = world.base;
  worlds.push(world);
  return world;
}

interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

interface CallOptions {
  params?: Record<string, string>;
  query?: string;
  headers?: Record<string, string>;
  /** Sent as application/json unless contentType says otherwise. */
  json?: unknown;
  body?: string;
  contentType?: string;
  /** Whether the document's request schema must accept (true) or refuse (false) the JSON sent. */
  requestValid?: boolean;
}

/** One real request; the answer must agree with the document, whatever its status. */
async function send(world: World, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  let url = path;
  for (const [name, value] of Object.entries(options.params ?? {})) url = url.replace(`{${name}}`, value);
  const headers: Record<string, string> = { ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  }
  if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  if (options.requestValid !== undefined) {
    const problems = spec.checkRequest(method, path, headers['content-type'] ?? '', options.json ?? body);
    if (options.requestValid) expect(problems, `the document refuses the request body of ${method} ${url}`).toEqual([]);
    else expect(problems, `the document accepts the invalid request body of ${method} ${url}`).not.toEqual([]);
  }
  const response = await fetch(`${world.base}${url}${options.query ?? ''}`, { method, headers, body, redirect: 'manual' });
  const reply = { status: response.status, headers: response.headers, text: await response.text() };
  expect(spec.check({ method, path, status: reply.status, headers: reply.headers, body: reply.text }), `${method} ${url} → ${reply.status}`).toEqual([]);
  return reply;
}

/** `send`, and the status must be `status`. */
async function call(world: World, method: string, path: string, status: number, options: CallOptions = {}): Promise<Reply> {
  const reply = await send(world, method, path, options);
  expect(reply.status, `${method} ${path}: ${reply.text.slice(0, 300)}`).toBe(status);
  return reply;
}

/** The JSON body, typed by the caller (send() has already checked it against the document). */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T only names the shape the document guarantees
function json<T>(reply: Reply): T {
  return JSON.parse(reply.text) as T;
}

/** What a forward-auth allow says: its headers, and no body (a gateway keeps its connection only without one). */
function allowedFacts(reply: Reply): { device: string | null; status: string | null; tiers: string | null; body: string } {
  return { device: reply.headers.get('x-posture-device'), status: reply.headers.get('x-posture-status'), tiers: reply.headers.get('x-posture-tiers'), body: reply.text };
}

function codeOf(reply: Reply): string {
  return json<{ error: { code: string } }>(reply).error.code;
}

async function expectError(reply: Promise<Reply>, code: ErrorCode): Promise<Reply> {
  const answered = await reply;
  expect(codeOf(answered)).toBe(code);
  return answered;
}

// ---------------------------------------------------------------------------------------------
// Devices, Evidence, secrets

function posture(world: World, deviceId: string, overrides: Partial<Pick<PostureReport, 'antivirus'>> = {}): PostureReport {
  const day = new Date(world.now().getTime() - 24 * HOUR_MS).toISOString();
  return makeReport({
    device: { id: deviceId, hostname: `host-${deviceId.slice(0, 8)}` },
    antivirus: { status: 'protected', products: [{ name: 'ClamAV', enabled: true, realTime: true, upToDate: true, definitionsUpdatedAt: day }] },
    ...overrides,
  });
}

async function challenge(world: World, deviceId: string): Promise<string> {
  const reply = await call(world, 'POST', '/v1/challenge', 200, { json: { deviceId }, requestValid: true });
  return json<{ nonce: string }>(reply).nonce;
}

async function evidence(world: World, key: Es256Key, deviceId: string, options: { nonce?: string; report?: PostureReport } = {}): Promise<string> {
  const nonce = options.nonce ?? (await challenge(world, deviceId));
  const token = await createEvidence({ key, deviceId, audience: world.publicUrl, nonce, posture: options.report ?? posture(world, deviceId), now: world.now() });
  expect(spec.validateAgainst('EvidenceHeader', decodeProtectedHeader(token))).toEqual([]);
  expect(spec.validateAgainst('EvidenceClaims', decodeJwt(token))).toEqual([]);
  return token;
}

async function enrollmentToken(world: World): Promise<string> {
  const secret = newSecret(ENROLLMENT_TOKEN_PREFIX);
  const now = world.now();
  await world.running.store.createEnrollmentToken({
    id: secret.id, tokenHash: secret.hash, usesLeft: 50, expiresAt: new Date(now.getTime() + 30 * 24 * HOUR_MS), createdAt: now, note: 'openapi test',
  });
  return secret.secret;
}

async function apiKey(world: World, role: ApiKeyRole): Promise<Record<string, string>> {
  const secret = newSecret(API_KEY_PREFIX);
  await world.running.store.createApiKey({ id: secret.id, keyHash: secret.hash, role, name: `openapi ${role}`, createdAt: world.now(), revokedAt: null });
  return { authorization: `Bearer ${secret.secret}` };
}

async function enroll(world: World, key: Es256Key, deviceId: string, token: string, report?: PostureReport): Promise<EnrollResponse> {
  const body = { evidence: await evidence(world, key, deviceId, { report }), jwk: key.publicJwk, token };
  return json<EnrollResponse>(await call(world, 'POST', '/v1/enroll', 201, { json: body, requestValid: true }));
}

async function attest(world: World, key: Es256Key, deviceId: string, report?: PostureReport): Promise<AttestResponse> {
  const token = await evidence(world, key, deviceId, { report });
  return json<AttestResponse>(await call(world, 'POST', '/v1/attest', 200, { body: token, contentType: 'application/eat+jwt' }));
}

/** A fresh, well-formed Evidence-shaped token nobody enrolled (it reaches the key lookup). */
function strangerToken(world: World, deviceId = randomUUID()): Promise<string> {
  const key = Es256Key.generate();
  return createEvidence({ key, deviceId, audience: world.publicUrl, nonce: randomNonce(), posture: posture(world, deviceId), now: world.now() });
}

/** Runs `work` while the method `name` of `target` (an instance: the class's own method shows through again after) is `replacement`. */
async function replacing<T extends object, R>(target: T, name: keyof T & string, replacement: () => unknown, work: () => Promise<R>): Promise<R> {
  const patched = target as Record<string, unknown>;
  expect(Object.hasOwn(patched, name)).toBe(false);
  patched[name] = replacement;
  try {
    return await work();
  } finally {
    Reflect.deleteProperty(patched, name);
  }
}

const rejecting = (error: Error) => () => Promise.reject(error);
const throwing = (error: Error) => () => {
  throw error;
};

/** Every documented forward-auth operation (each method of each path form). */
const AUTHZ_OPERATIONS = spec.operations().filter(({ path }) => path.startsWith('/v1/authz'));

/** Where a forward-auth request for `tier` goes on each path form. */
function authzTarget(path: string, tier: string): CallOptions {
  if (path === '/v1/authz') return { query: `?tier=${tier}` };
  if (path === '/v1/authz/{tier}') return { params: { tier } };
  return { params: { tier, path: 'payroll/report' } };
}

const databaseDown = () => new AgentError('ERR_DATABASE_UNAVAILABLE', 'The database is unavailable: injected by the OpenAPI test.');
const bug = () => new Error('injected by the OpenAPI test');
const tooLarge = (prefix = '') => `${prefix}${'a'.repeat(70 * 1024)}`;

// ---------------------------------------------------------------------------------------------
// Raw HTTP, for the answer a closing service gives on a connection that is still open

interface RawAnswer {
  status: number;
  headers: Headers;
  body: string;
}

function rawRequest(method: string, path: string, headers: Record<string, string> = {}, body?: string): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: localhost', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`;
}

function parseRawAnswers(data: string): RawAnswer[] {
  const answers: RawAnswer[] = [];
  let rest = data;
  for (let end = rest.indexOf('\r\n\r\n'); end >= 0; end = rest.indexOf('\r\n\r\n')) {
    const [statusLine = '', ...lines] = rest.slice(0, end).split('\r\n');
    const headers = new Headers();
    for (const line of lines) headers.append(line.slice(0, line.indexOf(':')).trim(), line.slice(line.indexOf(':') + 1).trim());
    const length = Number(headers.get('content-length') ?? '0');
    answers.push({ status: Number(statusLine.split(' ')[1]), headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return answers;
}

function openSocket(world: World): Promise<{ socket: Socket; closed: Promise<string> }> {
  const { hostname, port } = new URL(world.base);
  const socket = connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the service did not close the connection')), 5_000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
  return new Promise((resolve, reject) => socket.once('connect', () => resolve({ socket, closed })).once('error', reject));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------

let main: World;
let admin: Record<string, string>;
let gateway: Record<string, string>;
let token: string;

beforeAll(async () => {
  // The challenge/enrol limiter is not what this world is about: lift it (another world tests it).
  main = await startWorld({ challengeRateLimit: '0' });
  admin = await apiKey(main, 'admin');
  gateway = await apiKey(main, 'gateway');
  token = await enrollmentToken(main);
});

afterAll(async () => {
  for (const world of worlds) {
    await world.running.close();
    await rm(world.dataDir, { recursive: true, force: true });
  }
});

describe('docs/openapi.yaml', () => {
  it('is an OpenAPI 3.1 document: every $ref resolves, operation ids are unique, every answer has a status and a description, examples validate', () => {
    expect(spec.document['openapi']).toMatch(/^3\.1\.\d+$/);
    expect(spec.document['jsonSchemaDialect']).toBe('https://json-schema.org/draft/2020-12/schema');
    const refs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (typeof node === 'object' && node !== null) {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.push(value);
          else walk(value);
        }
      }
    };
    walk(spec.document);
    expect(refs.filter((ref) => spec.pointer(ref) === undefined)).toEqual([]);

    const operations = spec.operations();
    const ids = operations.flatMap(({ operation }) => (operation['operationId'] === undefined ? [] : [operation['operationId']]));
    expect(new Set(ids).size).toBe(ids.length);
    // Each GET has an id; the other methods of forward-auth share one operation object each (a YAML alias).
    expect(operations.filter(({ method, operation }) => method === 'GET' && operation['operationId'] === undefined)).toEqual([]);
    for (const { method, path, operation } of operations) {
      expect(typeof operation['summary'], `${method} ${path} summary`).toBe('string');
      expect(Array.isArray(operation['security']), `${method} ${path} says which credentials it needs`).toBe(true);
      const responses = operation['responses'] as JsonObject;
      for (const [status, response] of Object.entries(responses)) {
        expect(status, `${method} ${path}: only explicit statuses, so an unlisted one is an error`).toMatch(/^[1-5]\d\d$/);
        expect(typeof spec.resolve(response)['description'], `${method} ${path} ${status} description`).toBe('string');
      }
    }

    // Every example in the document is valid against its schema.
    const examples: { where: string; schema: unknown; value: unknown }[] = [];
    const collect = (node: unknown, where: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const object = node as JsonObject;
      if (Array.isArray(object['examples']) && ('type' in object || 'allOf' in object || 'const' in object || '$ref' in object || 'enum' in object)) {
        for (const value of object['examples'] as unknown[]) examples.push({ where, schema: object, value });
      }
      if ('example' in object && 'schema' in object) examples.push({ where, schema: object['schema'], value: object['example'] });
      for (const [key, value] of Object.entries(object)) if (key !== 'examples' && key !== 'example') collect(value, `${where}/${key}`);
    };
    collect(spec.document, '#');
    expect(examples.length).toBeGreaterThan(10);
    for (const { where, schema, value } of examples) expect(spec.validate(schema, value), where).toEqual([]);
  });

  it('lists only real ERR_* codes, every Evidence and Result refusal, and statuses that agree with the error mapping', () => {
    const codes = (spec.components('schemas')['ErrorCode'] as { enum: string[] }).enum;
    expect(codes.filter((code) => !(ERROR_CODES as readonly string[]).includes(code))).toEqual([]);
    const refusals = ERROR_CODES.filter((code) => code.startsWith('ERR_ATTESTATION_') || code.startsWith('ERR_RESULT_'));
    expect(refusals.filter((code) => !codes.includes(code))).toEqual([]);

    // The codes each documented error answer may carry, read from its schema.
    const codesOf = (node: unknown): string[] => {
      const schema = spec.resolve(node);
      if (Array.isArray(schema['enum'])) return schema['enum'] as string[];
      if (typeof schema['const'] === 'string') return [schema['const']];
      const parts = [...((schema['oneOf'] ?? []) as unknown[])];
      if (parts.length > 0) return parts.flatMap(codesOf);
      for (const part of (schema['allOf'] ?? []) as JsonObject[]) {
        const code = ((part['properties'] as JsonObject | undefined)?.['error'] as JsonObject | undefined)?.['properties'] as JsonObject | undefined;
        if (code?.['code']) return codesOf(code['code']);
      }
      if (schema === spec.components('schemas')['Error']) return codes;
      return [];
    };
    const used = new Set<string>();
    for (const { method, path, operation } of spec.operations()) {
      for (const [status, response] of Object.entries(operation['responses'] as JsonObject)) {
        if (Number(status) < 400) continue;
        const schema = (spec.resolve(response)['content'] as JsonObject)['application/json'] as JsonObject | undefined;
        // The console's sign-in refusals are HTML pages, not the error envelope.
        if (schema === undefined) continue;
        for (const code of codesOf(schema['schema'])) {
          used.add(code);
          expect(codes, `${method} ${path} ${status}`).toContain(code);
          // Forward-auth answers its decisions itself (403 ERR_RESULT_TIER); everything else goes through statusFor().
          if (path.startsWith('/v1/authz') && Number(status) === 403) continue;
          expect(statusFor(code as ErrorCode), `${code} on ${method} ${path}`).toBe(Number(status));
        }
      }
    }
    // Every code is documented on some answer (ERR_NOT_FOUND_ROUTE: on a console file that does not exist).
    expect(codes.filter((code) => !used.has(code))).toEqual([]);
  });

  it('documents exactly the routes the server registers (HEAD: the automatic twin of every GET)', async () => {
    const registered = routesFromTree(main.running.app.printRoutes({ commonPrefix: false }));
    const documented = spec.operations().map(({ method, path }) => `${method} ${path}`).sort();
    expect(registered.filter((route) => !route.startsWith('HEAD '))).toEqual(documented);
    const heads = registered.filter((route) => route.startsWith('HEAD ')).map((route) => route.slice(5));
    expect(heads).toEqual(documented.filter((route) => route.startsWith('GET ')).map((route) => route.slice(4)));
    for (const { method, path } of spec.operations()) {
      expect(main.running.app.hasRoute({ method, url: fastifyUrl(path) }), `${method} ${path}`).toBe(true);
    }
    // Anything else is 404 ERR_NOT_FOUND_ROUTE in the error envelope (there is no 405).
    for (const [method, path] of [['GET', '/v1/nothing'], ['GET', '/v1/attest'], ['DELETE', '/v1/devices/x'], ['POST', '/healthz']] as const) {
      const response = await fetch(`${main.base}${path}`, { method });
      expect(response.status).toBe(404);
      const body: unknown = await response.json();
      expect(spec.validateAgainst('Error', body)).toEqual([]);
      expect(body).toMatchObject({ error: { code: 'ERR_NOT_FOUND_ROUTE' } });
    }
  });
});

describe('the running service answers as documented', () => {
  const deviceA = randomUUID();
  const deviceB = randomUUID();
  const keyA = Es256Key.generate();
  const keyB = Es256Key.generate();
  let rotatedKeyA: Es256Key;
  let resultA: string;
  /** Device B's Result once it meets only the basic tier. */
  let resultB: string;

  it('POST /v1/challenge: 200, 400, 413, 415', async () => {
    const reply = await call(main, 'POST', '/v1/challenge', 200, { json: { deviceId: deviceA }, requestValid: true });
    expect(new Date(json<{ expiresAt: string }>(reply).expiresAt).getTime() - main.now().getTime()).toBeGreaterThan(100_000);
    await expectError(call(main, 'POST', '/v1/challenge', 400, { body: '{"deviceId":', contentType: 'application/json' }), 'ERR_BAD_REQUEST');
    await expectError(call(main, 'POST', '/v1/challenge', 400, { body: '', contentType: 'application/json' }), 'ERR_BAD_REQUEST');
    await expectError(call(main, 'POST', '/v1/challenge', 400, { json: {}, requestValid: false }), 'ERR_BAD_REQUEST');
    await expectError(call(main, 'POST', '/v1/challenge', 400, { json: { deviceId: '-not an id' }, requestValid: false }), 'ERR_BAD_REQUEST');
    await expectError(call(main, 'POST', '/v1/challenge', 400, { json: { deviceId: deviceA, extra: 1 }, requestValid: false }), 'ERR_BAD_REQUEST');
    await expectError(call(main, 'POST', '/v1/challenge', 400), 'ERR_BAD_REQUEST');
    await expectError(call(main, 'POST', '/v1/challenge', 413, { json: { deviceId: tooLarge() } }), 'ERR_BODY_TOO_LARGE');
    await expectError(call(main, 'POST', '/v1/challenge', 415, { body: deviceA, contentType: 'text/plain' }), 'ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('POST /v1/enroll: 201 with a token, 201 rotated with an endorsement, 400, 401, 403, 413, 415', async () => {
    const enrolled = await enroll(main, keyA, deviceA, token);
    expect(enrolled).toMatchObject({ deviceId: deviceA, kid: keyA.kid, rotated: false, appraisal: { status: 'compliant', earStatus: 'affirming', tiers: ['basic', 'strict'] } });
    resultA = enrolled.appraisal.result;

    // A failing block rule starts in its grace period: warning, every tier still met.
    const warned = await enroll(main, keyB, deviceB, token, posture(main, deviceB, { antivirus: { status: 'unprotected', products: [] } }));
    expect(warned.appraisal).toMatchObject({ status: 'warning', earStatus: 'warning', tiers: ['basic', 'strict'] });
    expect(warned.appraisal.verdicts.find((verdict) => verdict.id === 'antivirus')).toMatchObject({ status: 'fail', blocking: false, graceDeadline: expect.any(String) });

    // Key rotation: Evidence signed by the new key, endorsed by the current one, same nonce.
    rotatedKeyA = Es256Key.generate();
    const nonce = await challenge(main, deviceA);
    const endorsement = await createKeyEndorsement({ currentKey: keyA, newKid: rotatedKeyA.kid, deviceId: deviceA, audience: main.publicUrl, nonce, now: main.now() });
    expect(spec.validateAgainst('EvidenceHeader', decodeProtectedHeader(endorsement))).toEqual([]);
    expect(spec.validateAgainst('KeyEndorsementClaims', decodeJwt(endorsement))).toEqual([]);
    const rotation = { evidence: await evidence(main, rotatedKeyA, deviceA, { nonce }), jwk: rotatedKeyA.publicJwk, endorsement };
    const rotated = json<EnrollResponse>(await call(main, 'POST', '/v1/enroll', 201, { json: rotation, requestValid: true }));
    expect(rotated).toMatchObject({ deviceId: deviceA, kid: rotatedKeyA.kid, rotated: true });

    const other = Es256Key.generate();
    const otherId = randomUUID();
    await expectError(call(main, 'POST', '/v1/enroll', 400, { json: {}, requestValid: false }), 'ERR_BAD_REQUEST');
    await expectError(call(main, 'POST', '/v1/enroll', 400, { json: { evidence: 'a.b.c', jwk: other.publicJwk }, requestValid: false }), 'ERR_BAD_REQUEST');
    await expectError(call(main, 'POST', '/v1/enroll', 400, { json: { evidence: 'a.b.c', jwk: { ...other.publicJwk, d: 'secret' }, token }, requestValid: false }), 'ERR_BAD_REQUEST');
    await expectError(call(main, 'POST', '/v1/enroll', 400, { body: '{', contentType: 'application/json' }), 'ERR_BAD_REQUEST');
    // Evidence answering a nonce the service never issued.
    const stale = await evidence(main, other, otherId, { nonce: randomNonce() });
    await expectError(call(main, 'POST', '/v1/enroll', 401, { json: { evidence: stale, jwk: other.publicJwk, token }, requestValid: true }), 'ERR_ATTESTATION_NONCE');
    // Evidence signed by another key than the one being enrolled.
    const foreign = await evidence(main, keyB, otherId);
    await expectError(call(main, 'POST', '/v1/enroll', 401, { json: { evidence: foreign, jwk: other.publicJwk, token } }), 'ERR_ATTESTATION_KEY_UNKNOWN');
    const unknownToken = { evidence: await evidence(main, other, otherId), jwk: other.publicJwk, token: `${ENROLLMENT_TOKEN_PREFIX}unknown` };
    await expectError(call(main, 'POST', '/v1/enroll', 403, { json: unknownToken, requestValid: true }), 'ERR_ENROLLMENT_TOKEN');
    const noToken = { evidence: await evidence(main, other, otherId), jwk: other.publicJwk, endorsement: 'a.b.c' };
    await expectError(call(main, 'POST', '/v1/enroll', 403, { json: noToken }), 'ERR_ENROLLMENT_TOKEN');
    // A token never replaces the key of an enrolled device.
    const takeover = { evidence: await evidence(main, other, deviceA), jwk: other.publicJwk, token };
    await expectError(call(main, 'POST', '/v1/enroll', 409, { json: takeover, requestValid: true }), 'ERR_DEVICE_ALREADY_ENROLLED');
    await expectError(call(main, 'POST', '/v1/enroll', 413, { json: { evidence: tooLarge(), jwk: other.publicJwk, token } }), 'ERR_BODY_TOO_LARGE');
    await expectError(call(main, 'POST', '/v1/enroll', 415, { body: 'a.b.c', contentType: 'text/plain' }), 'ERR_UNSUPPORTED_MEDIA_TYPE');
    // The token media types are read as text on every route: on a JSON endpoint that is a 400.
    await expectError(call(main, 'POST', '/v1/enroll', 415, { body: 'a.b.c', contentType: 'application/eat+jwt' }), 'ERR_UNSUPPORTED_MEDIA_TYPE');
    const offCurve: PublicJwk = { kty: 'EC', crv: 'P-256', x: 'A'.repeat(43), y: 'A'.repeat(43) };
    const offCurveEvidence = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', typ: 'eat+jwt', kid: jwkThumbprint(offCurve) }).setIssuer(deviceA).sign(other.signingKey);
    await expectError(call(main, 'POST', '/v1/enroll', 400, { json: { evidence: offCurveEvidence, jwk: offCurve, token }, requestValid: true }), 'ERR_BAD_REQUEST');
  });

  it('POST /v1/attest: 200, 401, 404, 413, 415; the Result matches ResultHeader/ResultClaims and verifies with the JWKS', async () => {
    const appraisal = await attest(main, rotatedKeyA, deviceA);
    expect(appraisal).toMatchObject({ deviceId: deviceA, status: 'compliant', earStatus: 'affirming', policy: 'posture-agent-default@2' });
    resultA = appraisal.result;
    expect(spec.validateAgainst('ResultHeader', decodeProtectedHeader(resultA))).toEqual([]);
    expect(spec.validateAgainst('ResultClaims', decodeJwt(resultA))).toEqual([]);
    const jwks = json<JSONWebKeySet>(await call(main, 'GET', '/.well-known/jwks.json', 200));
    const { payload } = await jwtVerify(resultA, createLocalJWKSet(jwks), {
      algorithms: ['ES256'], typ: 'eat+jwt', issuer: main.publicUrl, audience: 'posture-gateway', currentDate: main.now(),
    });
    expect(payload).toMatchObject({ sub: deviceA, cnf: { jkt: rotatedKeyA.kid }, posture_tiers: ['basic', 'strict'] });
    expect(new Date(appraisal.expiresAt).getTime()).toBe((payload.exp ?? 0) * 1000);

    // The old key no longer signs for deviceA; a replayed or malformed token is refused.
    const replay = await evidence(main, rotatedKeyA, deviceA);
    await call(main, 'POST', '/v1/attest', 200, { body: replay, contentType: 'application/eat+jwt' });
    await expectError(call(main, 'POST', '/v1/attest', 401, { body: replay, contentType: 'application/eat+jwt' }), 'ERR_ATTESTATION_NONCE');
    await expectError(call(main, 'POST', '/v1/attest', 401, { body: await evidence(main, keyA, deviceA), contentType: 'application/eat+jwt' }), 'ERR_ATTESTATION_KEY_UNKNOWN');
    await expectError(call(main, 'POST', '/v1/attest', 401, { body: 'a.b.c', contentType: 'application/jwt' }), 'ERR_ATTESTATION_MALFORMED');
    await expectError(call(main, 'POST', '/v1/attest', 415, { body: '{"evidence":', contentType: 'application/json' }), 'ERR_UNSUPPORTED_MEDIA_TYPE');
    await expectError(call(main, 'POST', '/v1/attest', 404, { body: await strangerToken(main), contentType: 'application/eat+jwt' }), 'ERR_DEVICE_UNKNOWN');
    await expectError(call(main, 'POST', '/v1/attest', 413, { body: tooLarge(), contentType: 'application/eat+jwt' }), 'ERR_BODY_TOO_LARGE');
    await expectError(call(main, 'POST', '/v1/attest', 415, { json: { evidence: replay } }), 'ERR_UNSUPPORTED_MEDIA_TYPE');
    await expectError(call(main, 'POST', '/v1/attest', 415, { body: replay, contentType: 'text/plain' }), 'ERR_UNSUPPORTED_MEDIA_TYPE');
    await expectError(call(main, 'POST', '/v1/attest', 415), 'ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('GET /v1/devices and /v1/devices/{id}: 200 for admin and gateway keys, 400, 401, 404', async () => {
    for (const key of [admin, gateway]) {
      const list = json<{ devices: { id: string }[]; nextCursor: string | null }>(await call(main, 'GET', '/v1/devices', 200, { headers: key }));
      expect(list.devices.map((device) => device.id).sort()).toEqual([deviceA, deviceB].sort());
      expect(list.nextCursor).toBeNull();
    }
    const first = json<{ devices: { id: string; state: string }[]; nextCursor: string | null }>(
      await call(main, 'GET', '/v1/devices', 200, { headers: admin, query: '?limit=1&sort=hostname' }),
    );
    expect(first.devices).toHaveLength(1);
    const second = json<{ devices: { id: string }[]; nextCursor: string | null }>(
      await call(main, 'GET', '/v1/devices', 200, { headers: admin, query: `?limit=1&sort=hostname&cursor=${first.nextCursor!}` }),
    );
    expect([...first.devices, ...second.devices].map((device) => device.id).sort()).toEqual([deviceA, deviceB].sort());
    const compliant = json<{ devices: { id: string; state: string }[] }>(await call(main, 'GET', '/v1/devices', 200, { headers: admin, query: '?state=compliant&q=' }));
    expect(compliant.devices.every((device) => device.state === 'compliant')).toBe(true);
    for (const query of ['?limit=0', '?limit=1001', '?sort=age', '?state=happy', '?cursor=bogus', `?sort=id&cursor=${first.nextCursor!}`, '?seenBefore=yesterday', '?colour=red', '?limit=1&limit=2']) {
      await expectError(call(main, 'GET', '/v1/devices', 400, { headers: admin, query }), 'ERR_BAD_REQUEST');
    }
    const shown = json<{ device: { kid: string; appraisals: unknown[]; latest: { status: string } } }>(
      await call(main, 'GET', '/v1/devices/{id}', 200, { params: { id: deviceA }, headers: gateway }),
    );
    expect(shown.device).toMatchObject({ kid: rotatedKeyA.kid, latest: { status: 'compliant' } });
    expect(shown.device.appraisals.length).toBeGreaterThanOrEqual(1);

    await expectError(call(main, 'GET', '/v1/devices', 401), 'ERR_UNAUTHORIZED');
    await expectError(call(main, 'GET', '/v1/devices', 401, { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } }), 'ERR_UNAUTHORIZED');
    await expectError(call(main, 'GET', '/v1/devices', 401, { headers: { authorization: `Bearer ${API_KEY_PREFIX}unknown` } }), 'ERR_UNAUTHORIZED');
    await expectError(call(main, 'GET', '/v1/devices/{id}', 401, { params: { id: deviceA } }), 'ERR_UNAUTHORIZED');
    await expectError(call(main, 'GET', '/v1/devices/{id}', 404, { params: { id: 'no-such-device' }, headers: admin }), 'ERR_DEVICE_UNKNOWN');
    await call(main, 'GET', '/v1/devices/{id}', 400, { params: { id: '%E0%A4%A' }, headers: admin });
    await expectError(call(main, 'GET', '/v1/devices/{id}', 400, { params: { id: 'x'.repeat(201) }, headers: admin }), 'ERR_BAD_REQUEST');
  });

  it('GET /v1/authz: 200 with either header, 400 unknown tier, 401 missing or invalid Result, headers as documented', async () => {
    const allowed = await call(main, 'GET', '/v1/authz', 200, { query: '?tier=strict', headers: { 'x-posture-token': resultA } });
    expect(allowedFacts(allowed)).toEqual({ device: deviceA, status: 'affirming', tiers: 'basic,strict', body: '' });
    expect(allowed.headers.get('x-posture-device')).toBe(deviceA);
    await call(main, 'GET', '/v1/authz', 200, { query: '?tier=basic', headers: { authorization: `Bearer ${resultA}` } });

    for (const query of ['', '?tier=', '?tier=platinum', '?tier=basic&tier=strict']) {
      const reply = await expectError(call(main, 'GET', '/v1/authz', 400, { query, headers: { 'x-posture-token': resultA } }), 'ERR_TIER_UNKNOWN');
      expect(reply.headers.get('x-posture-reason')).toBe('ERR_TIER_UNKNOWN');
    }
    const [header, payload] = resultA.split('.');
    const forged = `${header!}.${payload!}.${'A'.repeat(86)}`;
    const cases: [Record<string, string>, ErrorCode][] = [
      [{}, 'ERR_RESULT_MISSING'],
      [{ authorization: 'Bearer not-a-jws' }, 'ERR_RESULT_MISSING'],
      [{ 'x-posture-token': 'garbage' }, 'ERR_RESULT_MALFORMED'],
      [{ authorization: `Bearer ${forged}` }, 'ERR_RESULT_SIGNATURE'],
      [{ 'x-posture-token': await strangerToken(main) }, 'ERR_RESULT_KEY_UNKNOWN'],
    ];
    for (const [headers, code] of cases) {
      const reply = await expectError(call(main, 'GET', '/v1/authz', 401, { query: '?tier=basic', headers }), code);
      expect(reply.headers.get('x-posture-reason')).toBe(code);
      expect(reply.headers.get('x-posture-device')).toBeNull();
      expect(reply.headers.get('www-authenticate')).toBe(code === 'ERR_RESULT_MISSING' ? 'Bearer realm="posture"' : 'Bearer realm="posture", error="invalid_token"');
    }
  });

  it('HEAD answers every GET operation with the GET\'s status and headers and no body', async () => {
    const gets: [string, CallOptions][] = [
      ['/v1/devices', { headers: admin }],
      ['/v1/devices/{id}', { params: { id: deviceA }, headers: admin }],
      ['/v1/audit', { headers: admin }],
      ['/v1/overview', { headers: admin }],
      ['/v1/policy', { headers: admin }],
      ['/v1/devices.csv', { headers: admin }],
      ['/v1/devices/{id}/timeline', { params: { id: deviceA }, headers: admin }],
      ['/console', {}],
      ['/console/', {}],
      ['/console/assets/{name}', { params: { name: 'console.css' } }],
      ['/console/session', {}],
      ['/console/sign-in', {}],
      ['/console/link/{token}', { params: { token: 'pcl_unknown' } }],
      ['/console/oidc/start', {}],
      ['/console/oidc/callback', {}],
      ['/v1/enrollment-tokens', { headers: admin }],
      ['/v1/api-keys', { headers: admin }],
      ['/v1/authz', { query: '?tier=basic', headers: { 'x-posture-token': resultA } }],
      ['/v1/authz', { query: '?tier=basic' }],
      ['/v1/authz/{tier}', { params: { tier: 'strict' }, headers: { 'x-posture-token': resultA } }],
      ['/v1/authz/{tier}/{path}', { params: { tier: 'platinum', path: 'app/page' } }],
      ['/.well-known/jwks.json', {}],
      ['/v1/events/deliveries', { headers: admin }],
      ['/.well-known/ssf-configuration', {}],
      ['/v1/ca.pem', {}],
      ['/healthz', {}],
      ['/metrics', {}],
    ];
    expect(new Set(gets.map(([path]) => path))).toEqual(new Set(spec.operations().filter(({ method }) => method === 'GET').map(({ path }) => path)));
    for (const [path, options] of gets) {
      const get = await send(main, 'GET', path, options);
      const head = await send(main, 'HEAD', path, options);
      expect(head.status, `HEAD ${path}`).toBe(get.status);
      expect(head.headers.get('content-type'), `HEAD ${path}`).toBe(get.headers.get('content-type'));
      for (const name of ['cache-control', 'x-posture-reason', 'x-posture-device', 'x-posture-status', 'www-authenticate']) expect(head.headers.get(name), `HEAD ${path} ${name}`).toBe(get.headers.get(name));
      expect(head.text).toBe('');
    }
  });

  it('GET /.well-known/jwks.json, /healthz and /metrics: 200', async () => {
    const jwks = json<{ keys: { kid: string }[] }>(await call(main, 'GET', '/.well-known/jwks.json', 200));
    expect(jwks.keys.map((key) => key.kid)).toContain(decodeProtectedHeader(resultA).kid);
    expect(json(await call(main, 'GET', '/healthz', 200))).toEqual({ status: 'ok', database: 'ok' });
    const metrics = await call(main, 'GET', '/metrics', 200);
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(metrics.text).toContain('posture_authz_decisions_total{outcome="allow"}');
  });

  it('a block rule failing past its grace period: noncompliant, 403 ERR_RESULT_TIER; an old Result: 401 ERR_RESULT_EXPIRED', async () => {
    main.offsetMs += 73 * HOUR_MS;
    const failing = await attest(main, keyB, deviceB, posture(main, deviceB, { antivirus: { status: 'unprotected', products: [] } }));
    resultB = failing.result;
    expect(failing).toMatchObject({ status: 'noncompliant', earStatus: 'contraindicated', tiers: ['basic'] });
    expect(failing.verdicts.find((verdict) => verdict.id === 'antivirus')).toMatchObject({ blocking: true, graceDeadline: null });
    await call(main, 'GET', '/v1/authz', 200, { query: '?tier=basic', headers: { 'x-posture-token': failing.result } });
    const denied = await expectError(call(main, 'GET', '/v1/authz', 403, { query: '?tier=strict', headers: { 'x-posture-token': failing.result } }), 'ERR_RESULT_TIER');
    expect([denied.headers.get('x-posture-reason'), denied.headers.get('x-posture-device'), denied.headers.get('x-posture-status')]).toEqual(['ERR_RESULT_TIER', deviceB, 'contraindicated']);
    await expectError(call(main, 'GET', '/v1/authz', 401, { query: '?tier=basic', headers: { 'x-posture-token': resultA } }), 'ERR_RESULT_EXPIRED');
    resultA = (await attest(main, rotatedKeyA, deviceA)).result;
  });

  it('forward-auth, every method and path form: 200, 400, 401, 403 as documented; a body is never read', async () => {
    const token = { 'x-posture-token': resultB };
    for (const { method, path } of AUTHZ_OPERATIONS) {
      const where = `${method} ${path}`;
      const allowed = await call(main, method, path, 200, { ...authzTarget(path, 'basic'), headers: token });
      expect(allowedFacts(allowed), where).toEqual({ device: deviceB, status: 'contraindicated', tiers: 'basic', body: '' });
      const denied = await expectError(call(main, method, path, 403, { ...authzTarget(path, 'strict'), headers: token }), 'ERR_RESULT_TIER');
      expect([denied.headers.get('x-posture-reason'), denied.headers.get('x-posture-device')], where).toEqual(['ERR_RESULT_TIER', deviceB]);
      const missing = await expectError(call(main, method, path, 401, authzTarget(path, 'basic')), 'ERR_RESULT_MISSING');
      expect(missing.headers.get('www-authenticate'), where).toBe('Bearer realm="posture"');
      const invalid = await expectError(call(main, method, path, 401, { ...authzTarget(path, 'basic'), headers: { authorization: 'Bearer a.b.c' } }), 'ERR_RESULT_MALFORMED');
      expect(invalid.headers.get('www-authenticate'), where).toBe('Bearer realm="posture", error="invalid_token"');
      const unknown = await expectError(call(main, method, path, 400, { ...authzTarget(path, 'platinum'), headers: token }), 'ERR_TIER_UNKNOWN');
      expect([unknown.headers.get('x-posture-reason'), unknown.headers.get('cache-control')], where).toEqual(['ERR_TIER_UNKNOWN', 'no-store']);
      if (method !== 'GET') {
        // Any body is ignored, whatever its type or size.
        for (const contentType of ['application/json', 'application/eat+jwt', 'text/plain']) {
          await call(main, method, path, 200, { ...authzTarget(path, 'basic'), headers: token, body: '{', contentType });
          await call(main, method, path, 200, { ...authzTarget(path, 'basic'), headers: token, body: tooLarge(), contentType });
        }
      }
      if (path !== '/v1/authz') {
        await expectError(call(main, method, path, 400, { ...authzTarget(path, 'x'.repeat(201)), headers: token }), 'ERR_BAD_REQUEST');
        await call(main, method, path, 400, { ...authzTarget(path, '%E0%A4%A'), headers: token });
        // The tier in the path wins over a tier in the query (which may come from the client).
        await call(main, method, path, 200, { ...authzTarget(path, 'basic'), query: '?tier=strict', headers: token });
      }
    }
  });

  it('POST /v1/devices/{id}/revoke: 400, 401, 403, 404, 413, 415, then 200; a revoked device is refused everywhere', async () => {
    const revoke = '/v1/devices/{id}/revoke';
    const params = { id: deviceA };
    await expectError(call(main, 'POST', revoke, 401, { params }), 'ERR_UNAUTHORIZED');
    await expectError(call(main, 'POST', revoke, 403, { params, headers: gateway }), 'ERR_FORBIDDEN');
    await expectError(call(main, 'POST', revoke, 404, { params: { id: 'no-such-device' }, headers: admin }), 'ERR_DEVICE_UNKNOWN');
    await expectError(call(main, 'POST', revoke, 400, { params, headers: admin, body: '{"reason"', contentType: 'application/json' }), 'ERR_BAD_REQUEST');
    await expectError(call(main, 'POST', revoke, 400, { params, headers: admin, json: { why: 'stolen' }, requestValid: false }), 'ERR_BAD_REQUEST');
    await expectError(call(main, 'POST', revoke, 400, { params, headers: admin, json: { reason: 'x'.repeat(501) }, requestValid: false }), 'ERR_BAD_REQUEST');
    await call(main, 'POST', revoke, 400, { params: { id: '%E0%A4%A' }, headers: admin });
    await expectError(call(main, 'POST', revoke, 413, { params, headers: admin, json: { reason: tooLarge() } }), 'ERR_BODY_TOO_LARGE');
    await expectError(call(main, 'POST', revoke, 400, { params: { id: 'x'.repeat(201) }, headers: admin }), 'ERR_BAD_REQUEST');
    await expectError(call(main, 'POST', revoke, 415, { params, headers: admin, body: 'stolen', contentType: 'text/plain' }), 'ERR_UNSUPPORTED_MEDIA_TYPE');

    const revoked = json<{ device: { revokedAt: string | null; revokedReason: string | null } }>(
      await call(main, 'POST', revoke, 200, { params, headers: admin, json: { reason: 'Laptop reported stolen.' }, requestValid: true }),
    );
    expect(revoked.device).toMatchObject({ revokedAt: expect.any(String), revokedReason: 'Laptop reported stolen.' });
    const again = json<{ device: { revokedReason: string | null } }>(await call(main, 'POST', revoke, 200, { params, headers: admin }));
    expect(again.device.revokedReason).toBe('Laptop reported stolen.');

    const denied = await expectError(call(main, 'GET', '/v1/authz', 403, { query: '?tier=basic', headers: { authorization: `Bearer ${resultA}` } }), 'ERR_DEVICE_REVOKED');
    expect([denied.headers.get('x-posture-reason'), denied.headers.get('x-posture-device'), denied.headers.get('x-posture-status')]).toEqual(['ERR_DEVICE_REVOKED', deviceA, 'affirming']);
    await expectError(call(main, 'POST', '/v1/attest', 403, { body: await evidence(main, rotatedKeyA, deviceA), contentType: 'application/eat+jwt' }), 'ERR_DEVICE_REVOKED');
    const reenrol = { evidence: await evidence(main, rotatedKeyA, deviceA), jwk: rotatedKeyA.publicJwk, token };
    await expectError(call(main, 'POST', '/v1/enroll', 403, { json: reenrol }), 'ERR_DEVICE_REVOKED');
  });

  it('POST /v1/devices/{id}/restore and /reset: 400, 401, 403, 404, 413, 415, then 200; GET /v1/audit: 400, 401, 403, 200', async () => {
    const params = { id: deviceA };
    for (const path of ['/v1/devices/{id}/restore', '/v1/devices/{id}/reset']) {
      await expectError(call(main, 'POST', path, 401, { params }), 'ERR_UNAUTHORIZED');
      await expectError(call(main, 'POST', path, 403, { params, headers: gateway }), 'ERR_FORBIDDEN');
      await expectError(call(main, 'POST', path, 404, { params: { id: 'no-such-device' }, headers: admin }), 'ERR_DEVICE_UNKNOWN');
      await expectError(call(main, 'POST', path, 400, { params, headers: admin, json: { reason: 'x' } }), 'ERR_BAD_REQUEST');
      await expectError(call(main, 'POST', path, 400, { params: { id: 'x'.repeat(201) }, headers: admin }), 'ERR_BAD_REQUEST');
      await expectError(call(main, 'POST', path, 413, { params, headers: admin, json: { reason: tooLarge() } }), 'ERR_BODY_TOO_LARGE');
      await expectError(call(main, 'POST', path, 415, { params, headers: admin, body: 'x', contentType: 'text/plain' }), 'ERR_UNSUPPORTED_MEDIA_TYPE');
    }
    const restored = json<{ device: { revokedAt: string | null } }>(await call(main, 'POST', '/v1/devices/{id}/restore', 200, { params, headers: admin }));
    expect(restored.device.revokedAt).toBeNull();
    await call(main, 'GET', '/v1/authz', 200, { query: '?tier=basic', headers: { authorization: `Bearer ${resultA}` } });
    expect(await attest(main, rotatedKeyA, deviceA)).toMatchObject({ deviceId: deviceA, status: 'compliant' });

    const reset = json<{ device: { resetAt: string | null } }>(await call(main, 'POST', '/v1/devices/{id}/reset', 200, { params, headers: admin, json: {} }));
    expect(reset.device.resetAt).toEqual(expect.any(String));
    const reinstalled = Es256Key.generate();
    expect(await enroll(main, reinstalled, deviceA, token)).toMatchObject({ kid: reinstalled.kid, rotated: true });
    rotatedKeyA = reinstalled;

    await expectError(call(main, 'GET', '/v1/audit', 401), 'ERR_UNAUTHORIZED');
    await expectError(call(main, 'GET', '/v1/audit', 403, { headers: gateway }), 'ERR_FORBIDDEN');
    await expectError(call(main, 'GET', '/v1/audit', 400, { headers: admin, query: '?limit=0' }), 'ERR_BAD_REQUEST');
    const audit = json<{ entries: { action: string; deviceId: string }[] }>(await call(main, 'GET', '/v1/audit', 200, { headers: admin, query: '?limit=10' }));
    expect(audit.entries.filter((entry) => entry.deviceId === deviceA).map((entry) => entry.action))
      .toEqual(['device.rekey-after-reset', 'device.reset', 'device.restore', 'device.revoke', 'device.revoke']);
    const shown = json<{ device: { audit: unknown[] } }>(await call(main, 'GET', '/v1/devices/{id}', 200, { params, headers: admin }));
    expect(shown.device.audit).toHaveLength(5);
  });

  it('500 on an unexpected failure, 503 when the database is down (faults injected into the running service)', async () => {
    const { store, keys } = main.running;
    const deviceId = deviceB;
    const key = Es256Key.generate();

    await replacing(store, 'createNonce', rejecting(bug()), () => expectError(call(main, 'POST', '/v1/challenge', 500, { json: { deviceId } }), 'ERR_INTERNAL'));
    await replacing(store, 'createNonce', rejecting(databaseDown()), () => expectError(call(main, 'POST', '/v1/challenge', 503, { json: { deviceId } }), 'ERR_DATABASE_UNAVAILABLE'));

    const enrolment = { evidence: await evidence(main, key, randomUUID(), { nonce: randomNonce() }), jwk: key.publicJwk, token };
    await replacing(store, 'consumeNonce', rejecting(bug()), () => expectError(call(main, 'POST', '/v1/enroll', 500, { json: enrolment }), 'ERR_INTERNAL'));
    await replacing(store, 'consumeNonce', rejecting(databaseDown()), () => expectError(call(main, 'POST', '/v1/enroll', 503, { json: enrolment }), 'ERR_DATABASE_UNAVAILABLE'));

    const attestBody = { body: await strangerToken(main), contentType: 'application/eat+jwt' };
    await replacing(store, 'getDevice', rejecting(bug()), () => expectError(call(main, 'POST', '/v1/attest', 500, attestBody), 'ERR_INTERNAL'));
    await replacing(store, 'getDevice', rejecting(databaseDown()), () => expectError(call(main, 'POST', '/v1/attest', 503, attestBody), 'ERR_DATABASE_UNAVAILABLE'));

    await replacing(store, 'listDevicePage', rejecting(bug()), () => expectError(call(main, 'GET', '/v1/devices', 500, { headers: admin }), 'ERR_INTERNAL'));
    await replacing(store, 'listDevicePage', rejecting(databaseDown()), () => expectError(call(main, 'GET', '/v1/devices', 503, { headers: admin }), 'ERR_DATABASE_UNAVAILABLE'));
    const show = { params: { id: deviceId }, headers: admin };
    await replacing(store, 'getDevice', rejecting(bug()), () => expectError(call(main, 'GET', '/v1/devices/{id}', 500, show), 'ERR_INTERNAL'));
    await replacing(store, 'getDevice', rejecting(databaseDown()), () => expectError(call(main, 'GET', '/v1/devices/{id}', 503, show), 'ERR_DATABASE_UNAVAILABLE'));
    await replacing(store, 'revokeDevice', rejecting(bug()), () => expectError(call(main, 'POST', '/v1/devices/{id}/revoke', 500, show), 'ERR_INTERNAL'));
    await replacing(store, 'revokeDevice', rejecting(databaseDown()), () => expectError(call(main, 'POST', '/v1/devices/{id}/revoke', 503, show), 'ERR_DATABASE_UNAVAILABLE'));
    await replacing(store, 'restoreDevice', rejecting(bug()), () => expectError(call(main, 'POST', '/v1/devices/{id}/restore', 500, show), 'ERR_INTERNAL'));
    await replacing(store, 'restoreDevice', rejecting(databaseDown()), () => expectError(call(main, 'POST', '/v1/devices/{id}/restore', 503, show), 'ERR_DATABASE_UNAVAILABLE'));
    await replacing(store, 'resetDevice', rejecting(bug()), () => expectError(call(main, 'POST', '/v1/devices/{id}/reset', 500, show), 'ERR_INTERNAL'));
    await replacing(store, 'resetDevice', rejecting(databaseDown()), () => expectError(call(main, 'POST', '/v1/devices/{id}/reset', 503, show), 'ERR_DATABASE_UNAVAILABLE'));
    await replacing(store, 'listAudit', rejecting(bug()), () => expectError(call(main, 'GET', '/v1/audit', 500, { headers: admin }), 'ERR_INTERNAL'));
    await replacing(store, 'listAudit', rejecting(databaseDown()), () => expectError(call(main, 'GET', '/v1/audit', 503, { headers: admin }), 'ERR_DATABASE_UNAVAILABLE'));

    // Forward-auth: a Result not seen before makes the service look up its key.
    const unseen = { 'x-posture-token': await strangerToken(main) };
    await replacing(keys, 'publicKey', throwing(bug()), async () => {
      for (const { method, path } of AUTHZ_OPERATIONS) {
        const failed = await expectError(call(main, method, path, 500, { ...authzTarget(path, 'basic'), headers: unseen }), 'ERR_INTERNAL');
        expect(failed.headers.get('x-posture-reason'), `${method} ${path}`).toBeNull();
      }
    });

    // Liveness stays 200 and says the database is unavailable (a real outage and a full disk: postgres-outage and healthz tests).
    const health = await replacing(store, 'ping', rejecting(databaseDown()), () => call(main, 'GET', '/healthz', 200));
    expect(json(health)).toEqual({ status: 'degraded', database: 'unavailable' });
  });
});

describe('device certificates answer as documented', () => {
  const tlsKey = (): PublicJwk => {
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    return { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! };
  };
  /** Evidence with `cnf.jkt` (unless jkt is null), as the agent sends it to POST /v1/certificate. */
  async function certificateEvidence(key: Es256Key, deviceId: string, jkt: string | null, nonce?: string): Promise<string> {
    const token = await createEvidence({
      key, deviceId, audience: main.publicUrl, nonce: nonce ?? (await challenge(main, deviceId)), posture: posture(main, deviceId), now: main.now(),
      ...(jkt === null ? {} : { confirmationKeyThumbprint: jkt }),
    });
    expect(spec.validateAgainst('EvidenceClaims', decodeJwt(token))).toEqual([]);
    return token;
  }

  it('POST /v1/certificate: 201, 400, 401, 403, 404, 413, 415, 500, 503; GET /v1/devices/{id} lists the certificate', async () => {
    const deviceId = randomUUID();
    const key = Es256Key.generate();
    await enroll(main, key, deviceId, token);
    const tls = tlsKey();
    const jkt = jwkThumbprint(tls);

    const issued = json<{ serial: string; certificate: string; caCertificates: string[] }>(
      await call(main, 'POST', '/v1/certificate', 201, { json: { evidence: await certificateEvidence(key, deviceId, jkt), tlsKey: tls }, requestValid: true }),
    );
    expect(new X509Certificate(issued.certificate).checkIssued(new X509Certificate(issued.caCertificates[0]!))).toBe(true);
    const shown = json<{ device: { certificates: { serial: string }[] } }>(await call(main, 'GET', '/v1/devices/{id}', 200, { params: { id: deviceId }, headers: admin }));
    expect(shown.device.certificates.map((certificate) => certificate.serial)).toEqual([issued.serial]);

    await expectError(call(main, 'POST', '/v1/certificate', 400, { json: {}, requestValid: false }), 'ERR_BAD_REQUEST');
    await expectError(call(main, 'POST', '/v1/certificate', 400, { body: '{', contentType: 'application/json' }), 'ERR_BAD_REQUEST');
    await expectError(call(main, 'POST', '/v1/certificate', 400, { json: { evidence: 'a.b.c', tlsKey: tls, extra: 1 }, requestValid: false }), 'ERR_BAD_REQUEST');
    const otherJkt = jwkThumbprint(tlsKey());
    await expectError(call(main, 'POST', '/v1/certificate', 400, { json: { evidence: await certificateEvidence(key, deviceId, otherJkt), tlsKey: tls }, requestValid: true }), 'ERR_CERTIFICATE_KEY_MISMATCH');
    await expectError(call(main, 'POST', '/v1/certificate', 400, { json: { evidence: await certificateEvidence(key, deviceId, null), tlsKey: tls }, requestValid: true }), 'ERR_CERTIFICATE_KEY_MISMATCH');
    await expectError(call(main, 'POST', '/v1/certificate', 400, { json: { evidence: 'a.b.c', tlsKey: { ...tls, d: 'secret' } }, requestValid: false }), 'ERR_CERTIFICATE_KEY_MISMATCH');
    const neverIssued = await certificateEvidence(key, deviceId, jkt, randomNonce());
    await expectError(call(main, 'POST', '/v1/certificate', 401, { json: { evidence: neverIssued, tlsKey: tls }, requestValid: true }), 'ERR_ATTESTATION_NONCE');
    const strangerId = randomUUID();
    await expectError(call(main, 'POST', '/v1/certificate', 404, { json: { evidence: await certificateEvidence(Es256Key.generate(), strangerId, jkt), tlsKey: tls } }), 'ERR_DEVICE_UNKNOWN');
    const revokedId = randomUUID();
    const revokedKey = Es256Key.generate();
    await enroll(main, revokedKey, revokedId, token);
    await main.running.store.revokeDevice(revokedId, main.now(), 'test');
    await expectError(call(main, 'POST', '/v1/certificate', 403, { json: { evidence: await certificateEvidence(revokedKey, revokedId, jkt), tlsKey: tls } }), 'ERR_DEVICE_REVOKED');
    await expectError(call(main, 'POST', '/v1/certificate', 413, { json: { evidence: tooLarge(), tlsKey: tls } }), 'ERR_BODY_TOO_LARGE');
    await expectError(call(main, 'POST', '/v1/certificate', 415, { body: 'a.b.c', contentType: 'application/eat+jwt' }), 'ERR_UNSUPPORTED_MEDIA_TYPE');

    const faulty = { json: { evidence: await strangerToken(main), tlsKey: tls } };
    await replacing(main.running.store, 'getDevice', rejecting(bug()), () => expectError(call(main, 'POST', '/v1/certificate', 500, faulty), 'ERR_INTERNAL'));
    await replacing(main.running.store, 'getDevice', rejecting(databaseDown()), () => expectError(call(main, 'POST', '/v1/certificate', 503, faulty), 'ERR_DATABASE_UNAVAILABLE'));
  });

  it('GET /v1/ca.pem: 200 with the trust bundle, 500 while the device CA in the database is damaged, 200 once it is restored', async () => {
    const bundle = await call(main, 'GET', '/v1/ca.pem', 200);
    expect(bundle.headers.get('content-type')).toBe('application/x-pem-file');
    expect(new X509Certificate(bundle.text).ca).toBe(true);
    await whileKeySetDamaged(main, 'device-ca', async () => {
      const failed = await expectError(call(main, 'GET', '/v1/ca.pem', 500), 'ERR_INTERNAL');
      expect(failed.text).not.toContain(main.dataDir);
    });
    expect((await call(main, 'GET', '/v1/ca.pem', 200)).text).toBe(bundle.text);
  });
});

/** Replaces a key set's envelope with garbage (as another instance would write it) for the length of `work`, then puts it back. */
async function whileKeySetDamaged(world: World, purpose: string, work: () => Promise<void>): Promise<void> {
  const { store } = world.running;
  const original = (await store.getKeySet(purpose))!;
  expect(await store.putKeySet(purpose, '{ not json', original.version, new Date())).toBe(true);
  try {
    await work();
  } finally {
    expect(await store.putKeySet(purpose, original.envelope, original.version + 1, new Date())).toBe(true);
  }
}

describe('a service with tight limits and a damaged key set', () => {
  it('429 on every forward-auth operation, POST /v1/challenge, POST /v1/enroll, POST /v1/certificate and the console sign-in routes', async () => {
    const world = await startWorld({ authzRateLimit: '1', challengeRateLimit: '1' });
    const until429 = async (method: string, path: string, options: CallOptions): Promise<Reply> => {
      for (let attempt = 0; attempt < 20; attempt++) {
        const reply = await send(world, method, path, options);
        if (reply.status === 429) return reply;
      }
      throw new Error(`${method} ${path} was never rate-limited`);
    };
    for (const { method, path } of AUTHZ_OPERATIONS) {
      const limited = await until429(method, path, authzTarget(path, 'basic'));
      expect(codeOf(limited)).toBe('ERR_RATE_LIMITED');
      expect([limited.headers.get('x-posture-reason'), limited.headers.get('cache-control'), limited.headers.get('retry-after')]).toEqual(['ERR_RATE_LIMITED', 'no-store', '1']);
    }
    expect(codeOf(await until429('POST', '/v1/challenge', { json: { deviceId: 'rate-limited' } }))).toBe('ERR_RATE_LIMITED');
    expect(codeOf(await until429('POST', '/v1/enroll', { json: {} }))).toBe('ERR_RATE_LIMITED');
    expect(codeOf(await until429('POST', '/v1/certificate', { json: {} }))).toBe('ERR_RATE_LIMITED');
    for (const path of ['/console/link/{token}', '/console/oidc/start', '/console/oidc/callback']) {
      expect(codeOf(await until429('GET', path, { params: { token: 'pcl_unknown' } }))).toBe('ERR_RATE_LIMITED');
    }
  });

  it('500 from GET /.well-known/jwks.json while the signing keys in the database are damaged, 200 once they are restored', async () => {
    const world = worlds.at(-1)!;
    await whileKeySetDamaged(world, 'result-signing', async () => {
      const failed = await expectError(call(world, 'GET', '/.well-known/jwks.json', 500), 'ERR_INTERNAL');
      expect(failed.text).not.toContain(world.dataDir);
    });
    await call(world, 'GET', '/.well-known/jwks.json', 200);
  });
});

describe('a service shutting down', () => {
  it('still serves, as documented, the requests that arrive on connections already open, then closes them', async () => {
    const world = await startWorld();
    const jsonType = { 'Content-Type': 'application/json' };
    const late = spec.operations().map(({ method, path }): [string, string, string] => {
      const url = path.replace('{id}', 'late').replace('{tier}', 'basic').replace('{path}', 'app/page') + (path === '/v1/authz' ? '?tier=basic' : '');
      if (path === '/v1/challenge') return [method, path, rawRequest(method, url, jsonType, '{"deviceId":"late"}')];
      if (path === '/v1/enroll') return [method, path, rawRequest(method, url, jsonType, '{}')];
      if (path === '/v1/attest') return [method, path, rawRequest(method, url, { 'Content-Type': 'application/eat+jwt' }, 'a.b.c')];
      return [method, path, rawRequest(method, url)];
    });

    // Each connection has a request in flight (its body half sent) when the service starts closing;
    // the rest of that body and the next request arrive after.
    const first = '{"deviceId":"in-flight"}';
    const sockets = await Promise.all(late.map(() => openSocket(world)));
    for (const { socket } of sockets) socket.write(rawRequest('POST', '/v1/challenge', jsonType, first).slice(0, -first.length + 5));
    await sleep(100);
    const closing = world.running.close();
    await sleep(50);
    sockets.forEach(({ socket }, index) => socket.write(first.slice(5) + late[index]![2]));
    const transcripts = await Promise.all(sockets.map(({ closed }) => closed));
    await closing;

    transcripts.forEach((transcript, index) => {
      const [method, path] = late[index]!;
      const answers = parseRawAnswers(transcript);
      expect(answers, `${method} ${path}`).toHaveLength(2);
      const [inFlight, arrivedLate] = answers as [RawAnswer, RawAnswer];
      expect(inFlight.status).toBe(200);
      expect(arrivedLate.status, `${method} ${path}`).not.toBe(503);
      expect(spec.check({ method: 'POST', path: '/v1/challenge', ...inFlight })).toEqual([]);
      expect(spec.check({ method, path, ...arrivedLate }), `${method} ${path}`).toEqual([]);
    });
  });
});

describe('requests refused before routing', () => {
  it('are answered 431 (headers too large) and 408 (not in time) in the error envelope, as documented, on every operation', async () => {
    const slow = await startWorld({ requestTimeout: '1s' });
    const concrete = (path: string) => path.replace('{id}', 'device-1').replace('{tier}', 'basic').replace('{path}', 'payroll/report');
    await Promise.all(
      spec.operations().map(async ({ method, path }) => {
        const head = `${method.toUpperCase()} ${concrete(path)} HTTP/1.1\r\nHost: localhost\r\n`;
        for (const [payload, status] of [[`${head}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431], [head, 408]] as const) {
          const { socket, closed } = await openSocket(slow);
          socket.write(payload);
          const [answer] = parseRawAnswers(await closed);
          expect(answer?.status, `${method} ${path}`).toBe(status);
          expect(spec.check({ method, path, status, headers: answer!.headers, body: answer!.body }), `${method} ${path} ${status}`).toEqual([]);
        }
      }),
    );
  });
});

describe('forward-auth by device certificate (live decisions)', () => {
  it('GET /v1/authz with a forwarded certificate: 200, 401 ERR_CERTIFICATE_INVALID, 403 ERR_RESULT_TIER with X-Posture-Failing, 403 ERR_POSTURE_STALE', async () => {
    const policyDir = await mkdtemp(join(tmpdir(), 'posture-openapi-policy-'));
    const policyFile = join(policyDir, 'policy.yaml');
    await writeFile(policyFile, 'id: live\nversion: 1\nrules:\n  - { id: antivirus, check: antivirus.active, severity: block }\ntiers:\n  strict: [antivirus]\n');
    const live = await startWorld({ challengeRateLimit: '0', policy: policyFile });
    try {
      const deviceId = randomUUID();
      const key = Es256Key.generate();
      await enroll(live, key, deviceId, await enrollmentToken(live));
      const tls = Es256Key.generate().publicJwk;
      const issued = await live.running.deviceCa.issue({ deviceId, tlsKey: tls, now: live.now() });
      const gatewayKey = (await apiKey(live, 'gateway')).authorization!.slice('Bearer '.length);
      const headers = { 'x-posture-client-cert': encodeURIComponent(issued.pem), 'x-posture-gateway-key': gatewayKey };

      const allowed = await call(live, 'GET', '/v1/authz', 200, { query: '?tier=strict', headers });
      expect(allowedFacts(allowed)).toEqual({ device: deviceId, status: 'affirming', tiers: 'strict', body: '' });
      const { ['x-posture-gateway-key']: _gatewayKey, ...withoutKey } = headers;
      await expectError(call(live, 'GET', '/v1/authz', 401, { query: '?tier=strict', headers: withoutKey }), 'ERR_RESULT_MISSING');
      const foreign = await expectError(call(live, 'GET', '/v1/authz', 401, { query: '?tier=strict', headers: { ...headers, 'x-posture-client-cert': 'bm90IGEgY2VydA==' } }), 'ERR_CERTIFICATE_INVALID');
      expect(foreign.headers.get('x-posture-reason')).toBe('ERR_CERTIFICATE_INVALID');

      await attest(live, key, deviceId, posture(live, deviceId, { antivirus: { status: 'unprotected', products: [] } }));
      const failing = await expectError(call(live, 'GET', '/v1/authz', 403, { query: '?tier=strict', headers }), 'ERR_RESULT_TIER');
      expect([failing.headers.get('x-posture-failing'), failing.headers.get('x-posture-device'), failing.headers.get('x-posture-status')]).toEqual(['antivirus', deviceId, 'contraindicated']);

      live.offsetMs += 12 * 60_000;
      const stale = await expectError(call(live, 'GET', '/v1/authz', 403, { query: '?tier=strict', headers }), 'ERR_POSTURE_STALE');
      expect(stale.headers.get('x-posture-reason')).toBe('ERR_POSTURE_STALE');
    } finally {
      await rm(policyDir, { recursive: true, force: true });
    }
  });
});

describe('the console and its data answer as documented', () => {
  const deviceId = randomUUID();

  beforeAll(async () => {
    await enroll(main, Es256Key.generate(), deviceId, await enrollmentToken(main));
  });

  it('GET /v1/overview, /v1/policy, /v1/devices.csv and /v1/devices/{id}/timeline: 200, 400, 401, 403, 404', async () => {
    for (const path of ['/v1/overview', '/v1/policy', '/v1/devices.csv']) {
      await expectError(call(main, 'GET', path, 401), 'ERR_UNAUTHORIZED');
      await expectError(call(main, 'GET', path, 403, { headers: gateway }), 'ERR_FORBIDDEN');
    }
    const overview = json<{ total: number; states: Record<string, number> }>(await call(main, 'GET', '/v1/overview', 200, { headers: admin }));
    expect(overview.total).toBe(Object.values(overview.states).reduce((sum, count) => sum + count, 0));
    expect(json<{ policy: { ref: string } }>(await call(main, 'GET', '/v1/policy', 200, { headers: admin })).policy.ref).toMatch(/@\d+$/);
    const csv = await call(main, 'GET', '/v1/devices.csv', 200, { headers: admin, query: `?q=${deviceId}` });
    expect(csv.text.split('\r\n')[1]!.split(',')[0]).toBe(deviceId);
    await expectError(call(main, 'GET', '/v1/devices.csv', 400, { headers: admin, query: '?state=bogus' }), 'ERR_BAD_REQUEST');

    const timeline = '/v1/devices/{id}/timeline';
    const params = { id: deviceId };
    await expectError(call(main, 'GET', timeline, 401, { params }), 'ERR_UNAUTHORIZED');
    await expectError(call(main, 'GET', timeline, 403, { params, headers: gateway }), 'ERR_FORBIDDEN');
    await expectError(call(main, 'GET', timeline, 404, { params: { id: 'no-such-device' }, headers: admin }), 'ERR_DEVICE_UNKNOWN');
    await expectError(call(main, 'GET', timeline, 400, { params, headers: admin, query: '?limit=0' }), 'ERR_BAD_REQUEST');
    const entries = json<{ entries: { previousStatus: string | null }[]; nextCursor: string | null }>(await call(main, 'GET', timeline, 200, { params, headers: admin }));
    expect(entries).toMatchObject({ entries: [{ previousStatus: null }], nextCursor: null });
  });

  it('PUT /v1/devices/{id}/owner: 400, 401, 403, 404, 413, 415, then 200', async () => {
    const path = '/v1/devices/{id}/owner';
    const params = { id: deviceId };
    await expectError(call(main, 'PUT', path, 401, { params, json: { owner: 'a@example.com' } }), 'ERR_UNAUTHORIZED');
    await expectError(call(main, 'PUT', path, 403, { params, headers: gateway, json: { owner: 'a@example.com' } }), 'ERR_FORBIDDEN');
    await expectError(call(main, 'PUT', path, 404, { params: { id: 'no-such-device' }, headers: admin, json: { owner: null }, requestValid: true }), 'ERR_DEVICE_UNKNOWN');
    await expectError(call(main, 'PUT', path, 400, { params, headers: admin, json: { owner: 7 }, requestValid: false }), 'ERR_BAD_REQUEST');
    await expectError(call(main, 'PUT', path, 413, { params, headers: admin, json: { owner: tooLarge() } }), 'ERR_BODY_TOO_LARGE');
    await expectError(call(main, 'PUT', path, 415, { params, headers: admin, body: 'x', contentType: 'text/plain' }), 'ERR_UNSUPPORTED_MEDIA_TYPE');
    const set = json<{ owner: string | null }>(await call(main, 'PUT', path, 200, { params, headers: admin, json: { owner: 'a@example.com' }, requestValid: true }));
    expect(set.owner).toBe('a@example.com');
    const listed = json<{ devices: { id: string; owner: string | null }[] }>(await call(main, 'GET', '/v1/devices', 200, { headers: admin, query: '?q=A@EXAMPLE' }));
    expect(listed.devices.map((device) => [device.id, device.owner])).toEqual([[deviceId, 'a@example.com']]);
  });

  it('GET /console, /console/ and /console/assets/{name}: 308, 200 under the CSP, 404', async () => {
    expect((await call(main, 'GET', '/console', 308)).headers.get('location')).toBe('/console/');
    const page = await call(main, 'GET', '/console/', 200);
    const script = /\/console\/assets\/([^"]+\.js)"/.exec(page.text)![1]!;
    await call(main, 'GET', '/console/assets/{name}', 200, { params: { name: script } });
    expect((await call(main, 'GET', '/console/assets/{name}', 200, { params: { name: 'console.css' } })).headers.get('cache-control')).toBe('no-cache');
    await expectError(call(main, 'GET', '/console/assets/{name}', 404, { params: { name: 'nothing.js' } }), 'ERR_NOT_FOUND_ROUTE');
  });

  it('500 on an unexpected failure, 503 when the database is down', async () => {
    const { store } = main.running;
    const show = { params: { id: deviceId }, headers: admin };
    const faults: [Extract<keyof typeof store, string>, string, string, Partial<CallOptions>][] = [
      ['countDevicesByState', 'GET', '/v1/overview', {}],
      ['rankFailingRules', 'GET', '/v1/policy', {}],
      ['listDevicePage', 'GET', '/v1/devices.csv', {}],
      ['listDeviceHistory', 'GET', '/v1/devices/{id}/timeline', show],
      ['setDeviceOwner', 'PUT', '/v1/devices/{id}/owner', { ...show, json: { owner: null } }],
    ];
    for (const [name, method, path, options] of faults) {
      await replacing(store, name, rejecting(bug()), () => expectError(call(main, method, path, 500, { headers: admin, ...options }), 'ERR_INTERNAL'));
      await replacing(store, name, rejecting(databaseDown()), () => expectError(call(main, method, path, 503, { headers: admin, ...options }), 'ERR_DATABASE_UNAVAILABLE'));
    }
  });
});

describe('console sign-in and credentials answer as documented', () => {
  /** A session cookie from a fresh one-time link of `role`, and its CSRF token. */
  async function consoleSession(role: 'admin' | 'viewer'): Promise<{ cookie: string; csrf: string }> {
    const url = await createConsoleLink(main.running.store, { role, lifetimeMs: HOUR_MS, name: null }, main.publicUrl, { actor: 'test', source: null }, main.now());
    const token = url.slice(url.lastIndexOf('/') + 1);
    const signedIn = await call(main, 'GET', '/console/link/{token}', 303, { params: { token } });
    const cookie = signedIn.headers.getSetCookie()[0]!.split(';')[0]!;
    expect((await call(main, 'GET', '/console/link/{token}', 403, { params: { token } })).text).toContain('ERR_CONSOLE_LINK');
    const session = json<{ csrfToken: string }>(await call(main, 'GET', '/console/session', 200, { headers: { cookie } }));
    return { cookie, csrf: session.csrfToken };
  }

  it('GET /console/sign-in, /console/link/{token}, /console/session, POST /console/sign-out: every documented answer', async () => {
    const page = await call(main, 'GET', '/console/sign-in', 200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const { store } = main.running;
    const { cookie, csrf } = await consoleSession('admin');
    await expectError(call(main, 'GET', '/console/link/{token}', 400, { params: { token: 'x'.repeat(201) } }), 'ERR_BAD_REQUEST');
    const link = { params: { token: 'pcl_unknown_token' } };
    await replacing(store, 'useConsoleLink', rejecting(bug()), () => expectError(call(main, 'GET', '/console/link/{token}', 500, link), 'ERR_INTERNAL'));
    await replacing(store, 'useConsoleLink', rejecting(databaseDown()), () => expectError(call(main, 'GET', '/console/link/{token}', 503, link), 'ERR_DATABASE_UNAVAILABLE'));

    await expectError(call(main, 'GET', '/console/session', 401), 'ERR_UNAUTHORIZED');
    await replacing(store, 'findConsoleSession', rejecting(bug()), () => expectError(call(main, 'GET', '/console/session', 500, { headers: { cookie } }), 'ERR_INTERNAL'));
    await replacing(store, 'findConsoleSession', rejecting(databaseDown()), () => expectError(call(main, 'GET', '/console/session', 503, { headers: { cookie } }), 'ERR_DATABASE_UNAVAILABLE'));

    const change = { cookie, 'x-csrf-token': csrf, origin: main.publicUrl };
    await expectError(call(main, 'POST', '/console/sign-out', 401), 'ERR_UNAUTHORIZED');
    await expectError(call(main, 'POST', '/console/sign-out', 403, { headers: { cookie, origin: main.publicUrl } }), 'ERR_CSRF');
    await replacing(store, 'deleteConsoleSession', rejecting(bug()), () => expectError(call(main, 'POST', '/console/sign-out', 500, { headers: change }), 'ERR_INTERNAL'));
    await replacing(store, 'deleteConsoleSession', rejecting(databaseDown()), () => expectError(call(main, 'POST', '/console/sign-out', 503, { headers: change }), 'ERR_DATABASE_UNAVAILABLE'));
    await call(main, 'POST', '/console/sign-out', 204, { headers: change });
    await expectError(call(main, 'GET', '/console/session', 401, { headers: { cookie } }), 'ERR_UNAUTHORIZED');
  });

  it('GET /console/oidc/start and /callback: 403 without a provider; 303 and 303 with one', async () => {
    expect((await call(main, 'GET', '/console/oidc/start', 403)).text).toContain('No identity provider is configured');
    await call(main, 'GET', '/console/oidc/callback', 403, { query: '?code=x&state=y' });

    const idp = await startOidcProvider({ ada: { email: 'ada@example.com', name: 'Ada', roles: ['admins'] } });
    try {
      const secretFile = join(main.dataDir, 'oidc-client-secret');
      await writeFile(secretFile, TEST_OIDC_CLIENT_SECRET, { mode: 0o600 });
      const world = await startWorld({ oidcIssuer: idp.issuer, oidcClientId: TEST_OIDC_CLIENT_ID, oidcClientSecretFile: secretFile, oidcAdminValues: 'admins' });
      idp.register(`${world.publicUrl}/console/oidc/callback`);
      const started = await call(world, 'GET', '/console/oidc/start', 303);
      const flow = started.headers.getSetCookie()[0]!.split(';')[0]!;
      const back = new URL(await walkProvider(started.headers.get('location')!, new URL(world.publicUrl).origin, 'ada'));
      const signedIn = await call(world, 'GET', '/console/oidc/callback', 303, { query: back.search, headers: { cookie: flow } });
      const cookie = signedIn.headers.getSetCookie().find((line) => line.startsWith('posture_session='))!.split(';')[0]!;
      expect(json(await call(world, 'GET', '/console/session', 200, { headers: { cookie } }))).toMatchObject({ email: 'ada@example.com', role: 'admin' });
    } finally {
      idp.close();
    }
  });

  it('enrolment tokens and API keys: list, create, revoke with every documented answer, for API keys and console sessions', async () => {
    const { store } = main.running;
    const viewer = await consoleSession('viewer');
    const operator = await consoleSession('admin');
    const byConsole = { cookie: operator.cookie, 'x-csrf-token': operator.csrf, origin: main.publicUrl };
    for (const [path, listing, create, body, listMethod] of [
      ['/v1/enrollment-tokens', 'enrollmentTokens', 'createEnrollmentToken', { uses: 2, expires: '1h', note: 'openapi' }, 'listEnrollmentTokenStates'],
      ['/v1/api-keys', 'apiKeys', 'createApiKey', { role: 'gateway', name: 'openapi' }, 'listApiKeys'],
    ] as const) {
      const revoke = `${path}/{id}/revoke`;
      await expectError(call(main, 'GET', path, 401), 'ERR_UNAUTHORIZED');
      await expectError(call(main, 'GET', path, 403, { headers: gateway }), 'ERR_FORBIDDEN');
      await expectError(call(main, 'POST', path, 401, { json: body }), 'ERR_UNAUTHORIZED');
      await expectError(call(main, 'POST', path, 403, { headers: gateway, json: body }), 'ERR_FORBIDDEN');
      await expectError(call(main, 'POST', path, 403, { headers: { cookie: viewer.cookie, 'x-csrf-token': viewer.csrf, origin: main.publicUrl }, json: body }), 'ERR_FORBIDDEN');
      await expectError(call(main, 'POST', path, 403, { headers: { cookie: operator.cookie, origin: main.publicUrl }, json: body }), 'ERR_CSRF');
      await expectError(call(main, 'POST', path, 400, { headers: admin, json: { ...body, unknown: 1 }, requestValid: false }), 'ERR_BAD_REQUEST');
      await expectError(call(main, 'POST', path, 413, { headers: admin, json: { note: tooLarge() } }), 'ERR_BODY_TOO_LARGE');
      await expectError(call(main, 'POST', path, 415, { headers: admin, body: 'x', contentType: 'text/plain' }), 'ERR_UNSUPPORTED_MEDIA_TYPE');
      await replacing(store, create, rejecting(bug()), () => expectError(call(main, 'POST', path, 500, { headers: admin, json: body }), 'ERR_INTERNAL'));
      await replacing(store, create, rejecting(databaseDown()), () => expectError(call(main, 'POST', path, 503, { headers: admin, json: body }), 'ERR_DATABASE_UNAVAILABLE'));
      const created = json<Record<string, { id: string }>>(await call(main, 'POST', path, 201, { headers: byConsole, json: body, requestValid: true }));
      const id = Object.values(created).find((value) => typeof value === 'object')!.id;
      const listed = await call(main, 'GET', path, 200, { headers: { cookie: viewer.cookie } });
      expect(json<Record<string, { id: string }[]>>(listed)[listing]!.map((entry) => entry.id)).toContain(id);
      await replacing(store, listMethod, rejecting(bug()), () => expectError(call(main, 'GET', path, 500, { headers: admin }), 'ERR_INTERNAL'));
      await replacing(store, listMethod, rejecting(databaseDown()), () => expectError(call(main, 'GET', path, 503, { headers: admin }), 'ERR_DATABASE_UNAVAILABLE'));

      const params = { id };
      await expectError(call(main, 'POST', revoke, 401, { params }), 'ERR_UNAUTHORIZED');
      await expectError(call(main, 'POST', revoke, 403, { params, headers: gateway }), 'ERR_FORBIDDEN');
      await expectError(call(main, 'POST', revoke, 404, { params: { id: 'no-such-id' }, headers: admin }), 'ERR_CREDENTIAL_UNKNOWN');
      await expectError(call(main, 'POST', revoke, 400, { params, headers: admin, json: { reason: 'x' } }), 'ERR_BAD_REQUEST');
      await expectError(call(main, 'POST', revoke, 413, { params, headers: admin, json: { reason: tooLarge() } }), 'ERR_BODY_TOO_LARGE');
      await expectError(call(main, 'POST', revoke, 415, { params, headers: admin, body: 'x', contentType: 'text/plain' }), 'ERR_UNSUPPORTED_MEDIA_TYPE');
      await replacing(store, listMethod, rejecting(bug()), () => expectError(call(main, 'POST', revoke, 500, { params, headers: admin }), 'ERR_INTERNAL'));
      await replacing(store, listMethod, rejecting(databaseDown()), () => expectError(call(main, 'POST', revoke, 503, { params, headers: admin }), 'ERR_DATABASE_UNAVAILABLE'));
      const revoked = json<Record<string, { revokedAt: string | null }>>(await call(main, 'POST', revoke, 200, { params, headers: byConsole }));
      expect(Object.values(revoked)[0]!.revokedAt).toEqual(expect.any(String));
    }
    const audit = json<{ entries: { action: string; actor: string }[] }>(await call(main, 'GET', '/v1/audit', 200, { headers: admin, query: '?limit=50' }));
    expect(audit.entries.filter((entry) => entry.actor.startsWith('console:link:')).map((entry) => entry.action))
      .toEqual(expect.arrayContaining(['enrollment-token.create', 'enrollment-token.revoke', 'api-key.create', 'api-key.revoke']));
  });
});

describe('device state events answer as documented', () => {
  it('GET /v1/events/deliveries: 200, 400, 401, 403, 500, 503; GET /.well-known/ssf-configuration: 200', async () => {
    const receiver = await startReceiver(204);
    const dataDir = await mkdtemp(join(tmpdir(), 'posture-openapi-events-'));
    try {
      await writeFile(join(dataDir, 'webhook.secret'), `whsec_${'c'.repeat(43)}=`);
      await writeFile(join(dataDir, 'events.yaml'), `webhooks: [{ url: "${receiver.url}", secretFile: "${join(dataDir, 'webhook.secret')}" }]`);
      const world = await startWorld({ events: join(dataDir, 'events.yaml') });
      const deviceId = randomUUID();
      await enroll(world, Es256Key.generate(), deviceId, await enrollmentToken(world));
      await world.running.store.revokeDevice(deviceId, world.now(), null);
      await world.running.events.runOnce();
      const headers = await apiKey(world, 'admin');
      const path = '/v1/events/deliveries';
      const log = json<{ attempts: { deviceId: string; state: string; outcome: string }[] }>(await call(world, 'GET', path, 200, { headers, query: `?device=${deviceId}` }));
      expect(log.attempts).toEqual([expect.objectContaining({ deviceId, state: 'revoked', outcome: 'delivered' })]);
      await expectError(call(world, 'GET', path, 401), 'ERR_UNAUTHORIZED');
      await expectError(call(world, 'GET', path, 403, { headers: await apiKey(world, 'gateway') }), 'ERR_FORBIDDEN');
      await expectError(call(world, 'GET', path, 400, { headers, query: '?limit=0' }), 'ERR_BAD_REQUEST');
      const { store } = world.running;
      await replacing(store, 'listDeliveryAttempts', rejecting(bug()), () => expectError(call(world, 'GET', path, 500, { headers }), 'ERR_INTERNAL'));
      await replacing(store, 'listDeliveryAttempts', rejecting(databaseDown()), () => expectError(call(world, 'GET', path, 503, { headers }), 'ERR_DATABASE_UNAVAILABLE'));
      const ssf = json<{ issuer: string; jwks_uri: string }>(await call(world, 'GET', '/.well-known/ssf-configuration', 200));
      expect(ssf).toMatchObject({ issuer: world.publicUrl, jwks_uri: `${world.publicUrl}/.well-known/jwks.json` });
    } finally {
      await receiver.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('coverage', () => {
  it('every documented answer of every operation was provoked and checked above', () => {
    expect(spec.documentedAnswers().filter((answer) => !spec.seen.has(answer))).toEqual([]);
  });
});
