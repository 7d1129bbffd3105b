/** The command line of `npm run bench -- fleet`: flags, their defaults and their checks. */
import { parseArgs } from 'node:util';
import { parseDuration } from '../shared/duration.js';
import { AgentError } from '../shared/errors.js';

export interface FleetOptions {
  devices: number;
  intervalSeconds: number;
  durationSeconds: number;
  /** Drive this running service instead of starting one. */
  url: string | null;
  /** The service's database (sqlite:PATH or postgres://...): passed to the service we start, and measured. */
  database: string | null;
  /** With --url: an enrolment token with enough uses, an admin and a gateway API key, the service's pid. */
  token: string | null;
  adminKey: string | null;
  gatewayKey: string | null;
  servicePid: number | null;
  /** The PostgreSQL server's postmaster pid: its CPU (and its backends') is measured too. */
  postgresPid: number | null;
  /** Data directory of the service we start, kept afterwards (a rerun skips enrolment). */
  keep: string | null;
  seed: string;
  /** Share of devices whose posture changes on each check-in (compliant, failing, compliant, ...). */
  driftShare: number;
  /** Forward-auth requests per second from the gateway load (0: none). */
  authzRate: number;
  tier: string;
  /** Seconds of gateway load with the fleet idle, half before and half after it runs: the authz p99 to compare with. */
  baselineSeconds: number;
  /** GET /v1/devices pages per second while the fleet runs (0: none). */
  listRate: number;
  /** Connections to the service, and enrolments at once. */
  connections: number;
  enrollConcurrency: number;
  json: boolean;
  /** Internal: set when this process was started pinned to this core. */
  onCore: number | null;
}

export const FLEET_USAGE = `usage: npm run bench -- fleet --devices N [--interval 300] [--duration 600]
  [--database sqlite:PATH|postgres://...] [--keep DIR] [--seed TEXT] [--drift 0.05]
  [--authz-rate 500] [--tier strict] [--baseline 40] [--list-rate 2] [--connections 128] [--enroll-concurrency 64] [--json]
  against a running service: --url URL --token TOKEN [--admin-key KEY] [--gateway-key KEY] [--service-pid PID] [--postgres-pid PID]`;

function usage(message: string): AgentError {
  return new AgentError('ERR_USAGE', `${message}\n${FLEET_USAGE}`);
}

function count(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw usage(`${flag} must be a whole number from ${min} to ${max}, not "${text}".`);
  return value;
}

/** Seconds, as a plain number or a duration such as 5m. */
function seconds(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : parseDuration(text);
  if (ms === null || ms < 1000) throw usage(`${flag} must be at least 1 second (e.g. 300 or 5m), not "${text}".`);
  return ms / 1000;
}

function share(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) throw usage(`${flag} must be a share from 0 to 1, not "${text}".`);
  return value;
}

function pid(flag: string, text: string | undefined): number | null {
  return text === undefined ? null : count(flag, text, 0, 1, 2 ** 22);
}

export function parseFleetOptions(argv: readonly string[]): FleetOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw usage((error as Error).message);
  }
  const { values } = parsed;
  const url = values.url ?? null;
  if (url !== null && !/^https?:\/\/[^/]+/.test(url)) throw usage(`--url must be the service's http(s) URL, not "${url}".`);
  if (url !== null && values.keep !== undefined) throw usage('--keep names the data directory of a service this bench starts; with --url the service is yours.');
  if (values.database !== undefined && !/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(values.database)) throw usage('--database must be sqlite:PATH or postgres://USER@HOST/DB.');
  return {
    devices: count('--devices', values.devices, 1000, 1, 1_000_000),
    intervalSeconds: seconds('--interval', values.interval, 300),
    durationSeconds: seconds('--duration', values.duration, 600),
    url: url?.replace(/\/+$/, '') ?? null,
    database: values.database ?? null,
    token: values.token ?? null,
    adminKey: values['admin-key'] ?? null,
    gatewayKey: values['gateway-key'] ?? null,
    servicePid: pid('--service-pid', values['service-pid']),
    postgresPid: pid('--postgres-pid', values['postgres-pid']),
    keep: values.keep ?? null,
    seed: values.seed ?? 'fleet',
    driftShare: share('--drift', values.drift, 0.05),
    authzRate: count('--authz-rate', values['authz-rate'], 500, 0, 100_000),
    tier: values.tier ?? 'strict',
    baselineSeconds: count('--baseline', values.baseline, 40, 0, 600),
    listRate: count('--list-rate', values['list-rate'], 2, 0, 1000),
    connections: count('--connections', values.connections, 128, 1, 10_000),
    enrollConcurrency: count('--enroll-concurrency', values['enroll-concurrency'], 64, 1, 10_000),
    json: values.json ?? false,
    onCore: values['on-core'] === undefined ? null : count('--on-core', values['on-core'], 0, 0, 1023),
  };
}

function parse(argv: readonly string[]) {
  const text = { type: 'string' } as const;
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      devices: text, interval: text, duration: text, url: text, database: text, token: text,
      'admin-key': text, 'gateway-key': text, 'service-pid': text, 'postgres-pid': text, keep: text, seed: text,
      drift: text, 'authz-rate': text, tier: text, baseline: text, 'list-rate': text, connections: text,
      'enroll-concurrency': text, json: { type: 'boolean' }, 'on-core': text,
    },
  });
}
