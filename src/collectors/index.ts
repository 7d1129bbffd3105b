/**
 * collectPosture (design §2, a contract): a pure function of what the host answers. Signals run
 * concurrently; each command has a timeout and the whole check a budget. A collector that fails,
 * throws or runs out of time yields `unknown` with an entry in `errors`; the others carry on.
 */
import { AgentError, isAgentError, messageOf, type ErrorCode } from '../shared/errors.js';
import { REPORT_SCHEMA, type PostureReport, type SignalError, type SignalName } from '../shared/report.js';
import type { CollectContext, CommandResult, Host, RunOptions, SignalCollector } from './host.js';
import { collectorsFor, type PlatformCollectors } from './registry.js';
import { UNKNOWN_ANTIVIRUS } from './antivirus/schema.js';
import { UNKNOWN_DISK_ENCRYPTION } from './disk-encryption/schema.js';
import { UNKNOWN_FIREWALL } from './firewall/schema.js';
import { UNKNOWN_DEVICE, unknownOs, type OsSignal } from './os/schema.js';

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

export async function collectPosture(host: Host, options: CollectOptions = {}): Promise<PostureReport> {
  const collectors = options.collectors ?? (await collectorsFor(host.platform));
  const now = options.now ?? new Date();
  const deadline = Date.now() + (options.budgetMs ?? DEFAULT_CHECK_BUDGET_MS);
  const guarded = guardHost(host, deadline, options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
  const errors: SignalError[] = [];
  const unknownOsSignal: OsSignal = { os: unknownOs(host.platform), device: UNKNOWN_DEVICE };

  const [osSignal, diskEncryption, antivirus, firewall] = await Promise.all([
    runSignal('os', collectors.os, guarded, now, deadline, unknownOsSignal, errors),
    runSignal('diskEncryption', collectors.diskEncryption, guarded, now, deadline, UNKNOWN_DISK_ENCRYPTION, errors),
    runSignal('antivirus', collectors.antivirus, guarded, now, deadline, UNKNOWN_ANTIVIRUS, errors),
    runSignal('firewall', collectors.firewall, guarded, now, deadline, UNKNOWN_FIREWALL, errors),
  ]);

  const order: readonly string[] = ['os', 'diskEncryption', 'antivirus', 'firewall'];
  errors.sort((a, b) => order.indexOf(a.signal) - order.indexOf(b.signal));
  return {
    schema: REPORT_SCHEMA,
    collectedAt: now.toISOString(),
    device: { id: options.deviceId ?? null, ...osSignal.device },
    os: osSignal.os,
    diskEncryption,
    antivirus,
    firewall,
    errors,
  };
}
