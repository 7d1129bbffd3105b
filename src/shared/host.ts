/**
 * The Host (design §2, a contract): everything a collector may ask of the machine. The real host
 * (src/exec) spawns and reads; tests pass a fake host answering from fixtures, so every OS's
 * collectors run on any machine. A collector does no I/O except through its host. It lives here,
 * below both src/exec (which implements it) and src/collectors (which use it); collectors import it
 * as before from collectors/index.ts or collectors/host.ts, which re-export it.
 */
import type { Platform } from './platform.js';

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunOptions {
  timeoutMs?: number;
}

/** Hardware and host inventory; each field null when the source does not tell. */
export interface Inventory {
  hostname: string | null;
  arch: string | null;
  kernel: string | null;
  manufacturer: string | null;
  model: string | null;
  serial: string | null;
}

export interface Host {
  platform: Platform;
  /** Rejects with an AgentError ERR_COMMAND_NOT_FOUND, _NOT_ALLOWED, _TIMEOUT or _OUTPUT_TOO_LARGE. */
  run(file: string, args: string[], opts?: RunOptions): Promise<CommandResult>;
  /** Rejects with an error whose `code` is ENOENT, EACCES, ... */
  readFile(path: string): Promise<string>;
  /** The first `bytes` bytes of a file as Latin-1 text (a large file's header); rejects as readFile does. */
  readFileHead?(path: string, bytes: number): Promise<string>;
  readDir(path: string): Promise<string[]>;
  realPath(path: string): Promise<string>;
  systemInfo?(): Promise<Inventory>;
}
