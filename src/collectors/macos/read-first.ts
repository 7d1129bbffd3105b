/**
 * Fallback chains: try each source in order and keep the first value. A source answers null when it
 * is not present on this Mac (a file that does not exist, a program that is not installed), and
 * throws when it is present but could not be read. Failures go into the report only when no source
 * gave a value, so an answer from a fallback is not reported as an error.
 */
import type { AgentError } from '../../shared/errors.js';
import { toAgentError } from '../host-errors.js';
import type { CollectContext } from '../host.js';

export interface Source<T> {
  /** What is read, for error messages: `/usr/bin/fdesetup status`, `/System/.../SystemVersion.plist`. */
  what: string;
  read: () => Promise<T | null>;
}

export interface Attempts<T> {
  value: T | null;
  /** Why the sources tried before the value (or all of them) failed; absent sources are not failures. */
  failures: AgentError[];
}

/** Tries the sources in order without reporting anything. */
export async function tryInOrder<T>(sources: readonly Source<T>[]): Promise<Attempts<T>> {
  const failures: AgentError[] = [];
  for (const source of sources) {
    try {
      const value = await source.read();
      if (value !== null) return { value, failures };
    } catch (error) {
      failures.push(toAgentError(error, source.what));
    }
  }
  return { value: null, failures };
}

export function reportFailures(ctx: CollectContext, failures: readonly AgentError[]): void {
  for (const failure of failures) ctx.error(failure.code, failure.message);
}

/** The first value; when there is none, every failure is reported (or, if none failed, that nothing was present). */
export async function readFirst<T>(ctx: CollectContext, subject: string, sources: readonly Source<T>[]): Promise<T | null> {
  const { value, failures } = await tryInOrder(sources);
  if (value !== null) return value;
  reportFailures(ctx, failures);
  if (failures.length === 0) {
    ctx.error('ERR_NOT_FOUND', `${subject} could not be read: none of ${sources.map((source) => source.what).join(', ')} is present.`);
  }
  return null;
}
