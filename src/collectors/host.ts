/**
 * The Host (design §2, a contract): everything a collector may ask of the machine. The real host
 * (src/exec) spawns and reads; tests pass a fake host answering from fixtures, so every OS's
 * collectors run on any machine. A collector does no I/O except through its host.
 */
import type { ErrorCode } from '../shared/errors.js';
import type { Host } from '../shared/host.js';

// The Host contract lives in src/shared (src/exec implements it and may not import collectors).
export type { CommandResult, Host, Inventory, RunOptions } from '../shared/host.js';

/** What a collector gets besides the host: the time of the check and a place to say what failed. */
export interface CollectContext {
  readonly now: Date;
  error(code: ErrorCode, message: string): void;
}

export type SignalCollector<T> = (host: Host, ctx: CollectContext) => Promise<T>;
