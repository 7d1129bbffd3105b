/**
 * `posture-service serve` settings from flags and POSTURE_SERVICE_* environment variables,
 * validated at start: a bad value stops the service with one line naming the flag, the variable
 * and what is expected.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { AgentError } from '../shared/errors.js';
import { parseDuration } from '../shared/duration.js';
import { redactUrl } from '../shared/redact.js';
import { consoleServeConfig, type ConsoleServeConfig } from './console/console-config.js';

export interface ServeConfig {
  host: string;
  port: number;
  /** Public base URL: Evidence audience and Result issuer; null: http://HOST:PORT of the listening address. */
  publicUrl: string | null;
  database: string;
  dataDir: string;
  policyFile: string | undefined;
  resultAudience: string;
  resultLifetimeSeconds: number;
  nonceLifetimeSeconds: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  trustProxy: boolean;
  authzRateLimit: number;
  enrollRateLimit: number;
  /** Open connections per client address (0: no limit); the rest are closed at once. */
  maxConnectionsPerAddress: number;
  /** Open connections in all (0: no limit). */
  maxConnections: number;
  /** A request whose headers and body have not all arrived by then is answered 408 and cut. */
  requestTimeoutMs: number;
  revocationRefreshMs: number;
  /** A device not appraised for longer than this is refused on its client certificate (ERR_POSTURE_STALE). */
  maxPostureAgeMs: number;
  /** How long a device certificate from POST /v1/certificate is valid. */
  certificateLifetimeSeconds: number;
  /** How long appraisal history (changes) and expired certificate records are kept. */
  historyRetentionMs: number;
  /** The key-encryption key itself (POSTURE_SERVICE_KEY_ENCRYPTION_KEY, environment only), or a file holding it. */
  keyEncryptionKey?: string;
  keyEncryptionKeyFile?: string;
  /** Console sign-in: session lifetimes and the OpenID Connect provider. */
  console: ConsoleServeConfig;
  // Events
  /** Where device state changes go (webhooks, SSF receivers): a YAML or JSON file. */
  eventsFile?: string;
}

/** What commander hands over: strings from flags or the environment. */
export interface ServeFlags {
  host?: string;
  port?: string;
  url?: string;
  database?: string;
  dataDir: string;
  policy?: string;
  audience?: string;
  resultTtl?: string;
  logLevel?: string;
  trustProxy?: boolean | string;
  authzRateLimit?: string;
  challengeRateLimit?: string;
  maxConnectionsPerAddress?: string;
  maxConnections?: string;
  requestTimeout?: string;
  maxPostureAge?: string;
  certificateLifetime?: string;
  historyRetention?: string;
  keyEncryptionKeyFile?: string;
  // Console sign-in
  consoleSessionLifetime?: string;
  consoleSessionIdle?: string;
  oidcIssuer?: string;
  oidcClientId?: string;
  oidcClientSecretFile?: string;
  oidcRoleClaim?: string;
  oidcAdminValues?: string;
  oidcViewerValues?: string;
  oidcName?: string;
  // Events
  events?: string;
}

/** Flag name and environment variable of each setting, for error messages. */
export const SERVE_SOURCES: Record<keyof ServeFlags, [flag: string, env: string]> = {
  host: ['--host', 'POSTURE_SERVICE_HOST'],
  port: ['--port', 'POSTURE_SERVICE_PORT'],
  url: ['--url', 'POSTURE_SERVICE_URL'],
  database: ['--database', 'POSTURE_SERVICE_DATABASE'],
  dataDir: ['--data-dir', 'POSTURE_SERVICE_DATA_DIR'],
  policy: ['--policy', 'POSTURE_SERVICE_POLICY'],
  audience: ['--audience', 'POSTURE_SERVICE_AUDIENCE'],
  resultTtl: ['--result-ttl', 'POSTURE_SERVICE_RESULT_TTL'],
  logLevel: ['--log-level', 'POSTURE_SERVICE_LOG_LEVEL'],
  trustProxy: ['--trust-proxy', 'POSTURE_SERVICE_TRUST_PROXY'],
  authzRateLimit: ['--authz-rate-limit', 'POSTURE_SERVICE_AUTHZ_RATE_LIMIT'],
  challengeRateLimit: ['--challenge-rate-limit', 'POSTURE_SERVICE_CHALLENGE_RATE_LIMIT'],
  maxConnectionsPerAddress: ['--max-connections-per-address', 'POSTURE_SERVICE_MAX_CONNECTIONS_PER_ADDRESS'],
  maxConnections: ['--max-connections', 'POSTURE_SERVICE_MAX_CONNECTIONS'],
  requestTimeout: ['--request-timeout', 'POSTURE_SERVICE_REQUEST_TIMEOUT'],
  maxPostureAge: ['--max-posture-age', 'POSTURE_SERVICE_MAX_POSTURE_AGE'],
  certificateLifetime: ['--certificate-lifetime', 'POSTURE_SERVICE_CERTIFICATE_LIFETIME'],
  historyRetention: ['--history-retention', 'POSTURE_SERVICE_HISTORY_RETENTION'],
  keyEncryptionKeyFile: ['--key-encryption-key-file', 'POSTURE_SERVICE_KEY_ENCRYPTION_KEY_FILE'],
  // Console sign-in
  consoleSessionLifetime: ['--console-session-lifetime', 'POSTURE_SERVICE_CONSOLE_SESSION_LIFETIME'],
  consoleSessionIdle: ['--console-session-idle', 'POSTURE_SERVICE_CONSOLE_SESSION_IDLE'],
  oidcIssuer: ['--oidc-issuer', 'POSTURE_SERVICE_OIDC_ISSUER'],
  oidcClientId: ['--oidc-client-id', 'POSTURE_SERVICE_OIDC_CLIENT_ID'],
  oidcClientSecretFile: ['--oidc-client-secret-file', 'POSTURE_SERVICE_OIDC_CLIENT_SECRET_FILE'],
  oidcRoleClaim: ['--oidc-role-claim', 'POSTURE_SERVICE_OIDC_ROLE_CLAIM'],
  oidcAdminValues: ['--oidc-admin-values', 'POSTURE_SERVICE_OIDC_ADMIN_VALUES'],
  oidcViewerValues: ['--oidc-viewer-values', 'POSTURE_SERVICE_OIDC_VIEWER_VALUES'],
  oidcName: ['--oidc-name', 'POSTURE_SERVICE_OIDC_NAME'],
  // Events
  events: ['--events', 'POSTURE_SERVICE_EVENTS'],
};

/** A device whose latest appraisal is older is stale (two 5-minute check intervals and a margin). */
export const DEFAULT_MAX_POSTURE_AGE_MS = 660_000;

/** The key-encryption key itself comes only from the environment (a flag would show in the process list). */
export const KEY_ENCRYPTION_KEY_ENV = 'POSTURE_SERVICE_KEY_ENCRYPTION_KEY';

const integer = (min: number, max: number, what: string) =>
  z.string().regex(/^\d+$/, `expected ${what}`).transform(Number).refine((n) => n >= min && n <= max, `expected ${what}`);

const schema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: integer(0, 65_535, 'a port number from 0 to 65535').default(8080),
  url: z.url({ protocol: /^https?$/, error: 'expected the public http(s) URL of this service, e.g. https://posture.example.com' }).optional(),
  database: z.string().regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'expected sqlite:PATH or postgres://USER@HOST/DB').optional(),
  dataDir: z.string().min(1),
  policy: z.string().min(1).optional(),
  audience: z.string().min(1).max(256).default('posture-gateway'),
  resultTtl: z
    .string()
    .transform((text) => parseDuration(text))
    .refine((ms): ms is number => ms !== null && ms >= 60_000 && ms <= 86_400_000, 'expected a duration from 1m to 24h, e.g. 10m')
    .default(600_000),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  trustProxy: z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((text) => text === 'true' || text === '1')]).default(false),
  authzRateLimit: integer(0, 1_000_000, 'requests per second per client address (0 turns the limit off)').default(5_000),
  challengeRateLimit: integer(0, 1_000_000, 'requests per second per client address (0 turns the limit off)').default(100),
  maxConnectionsPerAddress: integer(0, 1_000_000, 'open connections per client address (0 turns the limit off)').default(256),
  maxConnections: integer(0, 1_000_000, 'open connections in all (0 turns the limit off)').default(10_000),
  requestTimeout: z
    .string()
    .transform((text) => parseDuration(text))
    .refine((ms): ms is number => ms !== null && ms >= 100 && ms <= 600_000, 'expected a duration from 100ms to 10m, e.g. 15s')
    .default(15_000),
  maxPostureAge: z
    .string()
    .transform((text) => parseDuration(text))
    .refine((ms): ms is number => ms !== null && ms >= 60_000 && ms <= 86_400_000, 'expected a duration from 1m to 24h, e.g. 11m')
    .default(DEFAULT_MAX_POSTURE_AGE_MS),
  certificateLifetime: z
    .string()
    .transform((text) => parseDuration(text))
    .refine((ms): ms is number => ms !== null && ms >= 3_600_000 && ms <= 90 * 86_400_000, 'expected a duration from 1h to 90d, e.g. 7d')
    .default(7 * 86_400_000),
  historyRetention: z
    .string()
    .transform((text) => parseDuration(text))
    .refine((ms): ms is number => ms !== null && ms >= 86_400_000 && ms <= 3650 * 86_400_000, 'expected a duration from 1d to 3650d, e.g. 90d')
    .default(90 * 86_400_000),
  keyEncryptionKeyFile: z.string().min(1).optional(),
  // Console sign-in
  consoleSessionLifetime: z
    .string()
    .transform((text) => parseDuration(text))
    .refine((ms): ms is number => ms !== null && ms >= 300_000 && ms <= 7 * 86_400_000, 'expected a duration from 5m to 7d, e.g. 8h')
    .default(8 * 3_600_000),
  consoleSessionIdle: z
    .string()
    .transform((text) => parseDuration(text))
    .refine((ms): ms is number => ms !== null && ms >= 60_000 && ms <= 86_400_000, 'expected a duration from 1m to 24h, e.g. 1h')
    .default(3_600_000),
  oidcIssuer: z.url({ protocol: /^https?$/, error: 'expected the identity provider\'s issuer URL, e.g. https://login.example.com/realms/corp' }).optional(),
  oidcClientId: z.string().min(1).max(500).optional(),
  oidcClientSecretFile: z.string().min(1).optional(),
  oidcRoleClaim: z.string().regex(/^[A-Za-z0-9_:./-]{1,100}$/, 'expected a claim name such as roles or groups').default('roles'),
  oidcAdminValues: z.string().max(2000).optional(),
  oidcViewerValues: z.string().max(2000).optional(),
  oidcName: z.string().min(1).max(100).optional(),
  // Events
  events: z.string().min(1).optional(),
});

export function parseServeConfig(flags: ServeFlags, env: Readonly<Record<string, string | undefined>> = {}): ServeConfig {
  const defined = Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined));
  const parsed = schema.safeParse(defined);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '') as keyof ServeFlags;
    const [flag, env] = SERVE_SOURCES[key] ?? [key, ''];
    const value: unknown = defined[key];
    const shown = value === undefined ? '' : ` (got ${JSON.stringify(typeof value === 'string' ? redactUrl(value) : value)})`;
    throw new AgentError('ERR_CONFIG_INVALID', `${flag}${env ? ` / ${env}` : ''}: ${issue.message}${shown}.`);
  }
  const value = parsed.data;
  return {
    host: value.host,
    port: value.port,
    publicUrl: value.url?.replace(/\/+$/, '') ?? null,
    database: value.database ?? `sqlite:${join(value.dataDir, 'posture.db')}`,
    dataDir: value.dataDir,
    policyFile: value.policy,
    resultAudience: value.audience,
    resultLifetimeSeconds: Math.round(value.resultTtl / 1000),
    nonceLifetimeSeconds: 120,
    logLevel: value.logLevel,
    trustProxy: value.trustProxy,
    authzRateLimit: value.authzRateLimit,
    enrollRateLimit: value.challengeRateLimit,
    maxConnectionsPerAddress: value.maxConnectionsPerAddress,
    maxConnections: value.maxConnections,
    requestTimeoutMs: value.requestTimeout,
    revocationRefreshMs: 1_000,
    maxPostureAgeMs: value.maxPostureAge,
    certificateLifetimeSeconds: Math.round(value.certificateLifetime / 1000),
    historyRetentionMs: value.historyRetention,
    ...(env[KEY_ENCRYPTION_KEY_ENV] ? { keyEncryptionKey: env[KEY_ENCRYPTION_KEY_ENV] } : {}),
    ...(value.keyEncryptionKeyFile ? { keyEncryptionKeyFile: value.keyEncryptionKeyFile } : {}),
    console: consoleServeConfig(value, env),
    ...(value.events ? { eventsFile: value.events } : {}),
  };
}
