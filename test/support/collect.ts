/** Running collectors against a fake host in tests. */
import { vi } from 'vitest';
import type { CollectContext, SignalCollector } from '../../src/collectors/host.js';
import { collectorsFor, collectPosture } from '../../src/collectors/index.js';
import type { ErrorCode } from '../../src/shared/errors.js';
import type { PostureReport } from '../../src/collectors/report.js';
import { createFakeHost, type FakeHost, type FakeHostScript } from './fake-host.js';

export interface Collected<T> {
  value: T;
  errors: { code: ErrorCode; message: string }[];
  host: FakeHost;
}

/** Runs one collector against a fake host with the check's clock at `now`. */
export async function collectWith<T>(collector: SignalCollector<T>, script: FakeHostScript, now: Date): Promise<Collected<T>> {
  const host = createFakeHost(script);
  const errors: Collected<T>['errors'] = [];
  const ctx: CollectContext = { now, error: (code, message) => errors.push({ code, message }) };
  return { value: await collector(host, ctx), errors, host };
}

export function codes(errors: readonly { code: ErrorCode }[]): ErrorCode[] {
  return errors.map((error) => error.code);
}

/** Removes scripted answers: the program is not installed, the file does not exist. */
export function remove(answers: Record<string, unknown>, ...keys: string[]): void {
  for (const key of keys) Reflect.deleteProperty(answers, key);
}

export const HANG_COMMAND_TIMEOUT_MS = 2_000;

/** The whole check with fake timers, advanced past one command timeout so that a scripted `{ hang: true }` is cut off. */
export async function collectPostureWithHang(script: FakeHostScript, now: Date): Promise<PostureReport> {
  // Load the OS's collectors first: their import takes real time, which fake timers do not wait for.
  await collectorsFor(script.platform);
  vi.useFakeTimers();
  try {
    const pending = collectPosture(createFakeHost(script), { now, budgetMs: 20_000, commandTimeoutMs: HANG_COMMAND_TIMEOUT_MS });
    await vi.advanceTimersByTimeAsync(HANG_COMMAND_TIMEOUT_MS + 1);
    return await pending;
  } finally {
    vi.useRealTimers();
  }
}
