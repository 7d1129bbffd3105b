/**
 * A Host that answers from a script: commands, files, directories and links. Lets every OS's
 * collectors run on any machine (design §2). Anything not scripted is absent, as on a machine
 * where the program is not installed or the file does not exist.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentError, type ErrorCode } from '../../src/shared/errors.js';
import type { CommandResult, Host, Inventory, RunOptions } from '../../src/collectors/host.js';
import type { Platform } from '../../src/shared/platform.js';

export type CommandAnswer =
  | { stdout?: string; stderr?: string; exitCode?: number }
  | { error: ErrorCode }
  /** Never answers: the guard in collectPosture must cut it off. */
  | { hang: true };

export type FileAnswer = string | { error: 'ENOENT' | 'EACCES' | 'EPERM' | 'EIO' };

export interface FakeHostScript {
  platform: Platform;
  /** Keyed by `file` (any arguments) or by `file arg1 arg2...` (exact arguments, checked first). */
  commands?: Record<string, CommandAnswer>;
  files?: Record<string, FileAnswer>;
  dirs?: Record<string, string[]>;
  /** realPath answers: path -> resolved path, or the error resolving it raises. */
  links?: Record<string, string | { error: 'EACCES' | 'EPERM' | 'EIO' }>;
  systemInfo?: Inventory;
  /** false: a host that cannot read the start of a file alone (no readFileHead), as before it had one. */
  partialReads?: boolean;
}

export interface FakeHost extends Host {
  readonly calls: { file: string; args: string[]; timeoutMs?: number }[];
  readonly reads: string[];
}

function fsError(code: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${path}`), { code });
}

export function createFakeHost(script: FakeHostScript): FakeHost {
  const calls: FakeHost['calls'] = [];
  const reads: string[] = [];
  const host: FakeHost = {
    platform: script.platform,
    calls,
    reads,
    run(file: string, args: string[], opts?: RunOptions): Promise<CommandResult> {
      calls.push({ file, args, ...(opts?.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) });
      const answer = script.commands?.[[file, ...args].join(' ')] ?? script.commands?.[file];
      if (!answer) return Promise.reject(new AgentError('ERR_COMMAND_NOT_FOUND', `${file} is not installed on this device.`));
      if ('hang' in answer) return new Promise<CommandResult>(() => undefined);
      if ('error' in answer) return Promise.reject(new AgentError(answer.error, `${file}: ${answer.error}`));
      return Promise.resolve({ stdout: answer.stdout ?? '', stderr: answer.stderr ?? '', exitCode: answer.exitCode ?? 0 });
    },
    readFile(path: string): Promise<string> {
      reads.push(path);
      const answer = script.files?.[path];
      if (answer === undefined) return Promise.reject(fsError('ENOENT', path));
      if (typeof answer !== 'string') return Promise.reject(fsError(answer.error, path));
      return Promise.resolve(answer);
    },
    readDir(path: string): Promise<string[]> {
      const entries = script.dirs?.[path];
      return entries ? Promise.resolve([...entries]) : Promise.reject(fsError('ENOENT', path));
    },
    realPath(path: string): Promise<string> {
      const target = script.links?.[path];
      if (typeof target === 'object') return Promise.reject(fsError(target.error, path));
      if (target !== undefined) return Promise.resolve(target);
      if (script.files?.[path] !== undefined || script.dirs?.[path] !== undefined) return Promise.resolve(path);
      return Promise.reject(fsError('ENOENT', path));
    },
    ...(script.systemInfo ? { systemInfo: () => Promise.resolve(script.systemInfo!) } : {}),
  };
  if (script.partialReads !== false) host.readFileHead = (path, bytes) => host.readFile(path).then((text) => text.slice(0, bytes));
  return host;
}

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** The text of test/fixtures/<os>/<command>/<name>.txt. */
export function fixture(platform: Platform, command: string, name: string): string {
  return readFileSync(join(FIXTURES, platform, command, `${name}.txt`), 'utf8');
}
