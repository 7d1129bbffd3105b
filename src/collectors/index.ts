/**
 * collectPosture (design §2, a contract): a pure function of what the host answers. Signals run
 * concurrently; each command has a timeout and the whole check a budget. A collector that fails,
 * throws or runs out of time yields `unknown` with an entry in `errors`; the others carry on.
 */
import { AgentError, isAgentError, messageOf, type ErrorCode } from '../shared/errors.js';
import type { CollectContext, CommandResult, Host, RunOptions, SignalCollector } from './host.js';
import { UNKNOWN_DEVICE } from './os/schema.js';
import { collectorsFor, type PlatformCollectors } from './registry.js';
import type { PostureReport, SignalError } from './report.js';
import { REPORT_SCHEMA } from './report-id.js';
import { SIGNAL_NAMES, SIGNALS, type Signal, type SignalName } from './signals.js';
import type { Platform } from '../shared/platform.js';

export type { Host, Inventory, CommandResult, RunOptions, CollectContext, SignalCollector } from './host.js';
export type { PlatformCollectors } from './registry.js';
export { collectorsFor } from './registry.js';

export const DEFAULT_CHECK_BUDGET_MS = 20_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

export interface CollectOptions {
  /** The device id derived by src/attest; null when the caller has none. */
  deviceId?: string | null;
  now?: Date;
  /** The whole check's time budget. */
  budgetMs?: number;
  /** Each command's default timeout (capped by what is left of the budget). */
  commandTimeoutMs?: number;
  /** The implementations to run; the registry's for the host's OS by default. */
  collectors?: PlatformCollectors;
  /** Where per-user signals (screen lock) come from; by default this process is in the user's session. */
  userSession?: UserSessionSource;
}

/** A per-user signal's value as a user's session handed it over, with whose session it was. */
export interface HandedOver {
  user: string;
  value: Record<string, unknown>;
}

/**
 * Where the per-user signals come from: this process runs in the user's session (the CLI or a
 * user-level agent, `user` names whose); a system daemon takes what a session handed over (null:
 * none recently); or nobody can tell (a root CLI), with the reason.
 */
export type UserSessionSource =
  | { kind: 'this-process'; user: string | null }
  | { kind: 'handed-over'; latest: (signal: SignalName) => HandedOver | null }
  | { kind: 'none'; reason: string };

const NO_SESSION_HAND_OVER =
  'No user session has handed it over recently: nobody is logged in, or the tray app (or `posture-agent run` as the user) is not running in the session.';

/** The collector a per-user signal gets from its source. */
function perUserCollector(signal: Signal, collector: SignalCollector<unknown>, source: UserSessionSource, platform: Platform): SignalCollector<unknown> {
  switch (source.kind) {
    case 'this-process':
      return async (host, ctx) => ({ ...(await collector(host, ctx) as Record<string, unknown>), user: source.user });
    case 'handed-over':
      return (_host, ctx) => {
        const handed = source.latest(signal.name);
        if (handed) return Promise.resolve({ ...handed.value, user: handed.user });
        ctx.error('ERR_SIGNAL_UNAVAILABLE', NO_SESSION_HAND_OVER);
        return Promise.resolve(signal.unknown(platform));
      };
    case 'none':
      return (_host, ctx) => {
        ctx.error('ERR_SIGNAL_UNAVAILABLE', source.reason);
        return Promise.resolve(signal.unknown(platform));
      };
  }
}

function timeout<T>(ms: number, onTimeout: () => T): { promise: Promise<T>; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    }, Math.max(0, ms));
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

async function race<T>(work: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  const deadline = timeout(ms, onTimeout);
  try {
    return await Promise.race([work, deadline.promise]);
  } finally {
    deadline.cancel();
  }
}

/** Enforces the command timeout and the check budget even when a host never answers. */
function guardHost(host: Host, deadline: number, commandTimeoutMs: number): Host {
  return {
    ...host,
    platform: host.platform,
    run(file: string, args: string[], opts?: RunOptions): Promise<CommandResult> {
      const remaining = deadline - Date.now();
      const limit = Math.max(0, Math.min(opts?.timeoutMs ?? commandTimeoutMs, remaining));
      return race(host.run(file, args, { timeoutMs: limit }), limit, () => {
        throw new AgentError('ERR_COMMAND_TIMEOUT', `${file} did not finish within ${limit} ms and was stopped.`);
      });
    },
    readFile: (path) => host.readFile(path),
    ...(host.readFileHead ? { readFileHead: (path: string, bytes: number) => host.readFileHead!(path, bytes) } : {}),
    readDir: (path) => host.readDir(path),
    realPath: (path) => host.realPath(path),
    ...(host.systemInfo ? { systemInfo: () => host.systemInfo!() } : {}),
  };
}

async function runSignal<T>(
  signal: SignalName,
  collector: SignalCollector<T>,
  host: Host,
  now: Date,
  deadline: number,
  unknown: T,
  errors: SignalError[],
): Promise<T> {
  const own: SignalError[] = [];
  const ctx: CollectContext = {
    now,
    error: (code: ErrorCode, message: string) => own.push({ signal, code, message }),
  };
  const budgetExceeded = Symbol('budget');
  try {
    const value = await race<T | typeof budgetExceeded>(collector(host, ctx), deadline - Date.now(), () => budgetExceeded);
    if (value === budgetExceeded) {
      own.push({ signal, code: 'ERR_CHECK_BUDGET_EXCEEDED', message: `Reading ${signal} took longer than the check's time budget.` });
      return unknown;
    }
    return value;
  } catch (error) {
    own.push({
      signal,
      code: isAgentError(error) ? error.code : 'ERR_COLLECTOR_FAILED',
      message: isAgentError(error) ? error.message : `Reading ${signal} failed: ${messageOf(error)}`,
    });
    return unknown;
  } finally {
    errors.push(...own);
  }
}

/**
 * The per-user signals only, read in this process's session (what a user's session hands over to
 * the system daemon), with their errors.
 */
export async function collectPerUserSignals(
  host: Host,
  options: Omit<CollectOptions, 'deviceId' | 'userSession'> = {},
): Promise<{ values: Partial<Record<SignalName, Record<string, unknown>>>; errors: SignalError[] }> {
  const collectors: Record<string, SignalCollector<unknown>> = options.collectors ?? (await collectorsFor(host.platform));
  const now = options.now ?? new Date();
  const deadline = Date.now() + (options.budgetMs ?? DEFAULT_CHECK_BUDGET_MS);
  const guarded = guardHost(host, deadline, options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
  const errors: SignalError[] = [];
  const perUser = SIGNALS.filter((signal) => signal.perUser);
  const collected = await Promise.all(perUser.map((signal) => runSignal<unknown>(signal.name, collectors[signal.name]!, guarded, now, deadline, signal.unknown(host.platform), errors)));
  return { values: Object.fromEntries(perUser.map((signal, index) => [signal.name, collected[index] as Record<string, unknown>])), errors };
}

/** Every signal at once; a signal that fails is unknown with its errors, the others carry on. */
export async function collectPosture(host: Host, options: CollectOptions = {}): Promise<PostureReport> {
  const collectors: Record<string, SignalCollector<unknown>> = options.collectors ?? (await collectorsFor(host.platform));
  const now = options.now ?? new Date();
  const deadline = Date.now() + (options.budgetMs ?? DEFAULT_CHECK_BUDGET_MS);
  const guarded = guardHost(host, deadline, options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
  const errors: SignalError[] = [];
  const source = options.userSession ?? { kind: 'this-process', user: null };
  const collectorOf = (signal: Signal) => (signal.perUser ? perUserCollector(signal, collectors[signal.name]!, source, host.platform) : collectors[signal.name]!);
  const collected = await Promise.all(
    SIGNALS.map((signal) => runSignal<unknown>(signal.name, collectorOf(signal), guarded, now, deadline, signal.unknown(host.platform), errors)),
  );
  const report: Record<string, unknown> = { schema: REPORT_SCHEMA, collectedAt: now.toISOString(), device: { id: options.deviceId ?? null, ...UNKNOWN_DEVICE } };
  SIGNALS.forEach((signal, index) => {
    const value = collected[index];
    if (!signal.split) {
      report[signal.name] = value;
      return;
    }
    const { value: part, device } = signal.split(value as never);
    report[signal.name] = part;
    report['device'] = { id: options.deviceId ?? null, ...device };
  });
  errors.sort((a, b) => SIGNAL_NAMES.indexOf(a.signal as SignalName) - SIGNAL_NAMES.indexOf(b.signal as SignalName));
  report['errors'] = errors;
  return report as PostureReport;
}
