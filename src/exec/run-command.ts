/**
 * The one place that spawns processes: execFile with an absolute path from the allow-list, an
 * argument array (never a shell), a timeout that kills the whole process group, an output cap,
 * a minimal environment and no window on Windows.
 */
import { execFile, type ChildProcess, type ExecFileOptionsWithBufferEncoding } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { AgentError, systemErrorCode } from '../shared/errors.js';
import type { CommandResult } from '../collectors/host.js';
import type { AllowList } from './allow-list.js';

export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

export interface RunCommandOptions {
  allowList: AllowList;
  timeoutMs?: number;
  maxOutputBytes?: number;
  /** Called once for each process actually started (the benchmark counts them). */
  onSpawn?: (file: string) => void;
}

const POSIX_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', LANG: 'C' };
const WINDOWS_ENV_KEYS = [
  'SystemRoot', 'windir', 'SystemDrive', 'ProgramData', 'ProgramFiles', 'ProgramFiles(x86)', 'ProgramW6432',
  'CommonProgramFiles', 'TEMP', 'TMP', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'COMPUTERNAME', 'USERNAME', 'PATHEXT',
];

/** Children see a fixed, minimal environment: a known PATH and the C locale where the OS honours it. */
export function childEnvironment(platform: NodeJS.Platform, parent: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (platform !== 'win32') return { ...POSIX_ENV };
  const env: NodeJS.ProcessEnv = { PATH: 'C:\\Windows\\System32;C:\\Windows' };
  for (const key of WINDOWS_ENV_KEYS) if (parent[key] !== undefined) env[key] = parent[key];
  return env;
}

async function firstExecutable(candidates: readonly string[]): Promise<string | undefined> {
  for (const candidate of candidates) {
    try {
      await access(candidate, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
      return candidate;
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

function killTree(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    // POSIX children run in their own process group (detached), so a negative pid reaches grandchildren too.
    if (process.platform === 'win32') child.kill('SIGKILL');
    else process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function decode(buffer: Buffer | string): string {
  if (typeof buffer === 'string') return buffer;
  const utf8 = buffer.toString('utf8');
  // Not UTF-8 (an OEM or ANSI code page on Windows): keep every byte rather than replacement characters.
  return utf8.includes('\uFFFD') ? buffer.toString('latin1') : utf8;
}

export async function runCommand(
  file: string,
  args: readonly string[],
  options: RunCommandOptions,
  callTimeoutMs?: number,
): Promise<CommandResult> {
  const candidates = options.allowList.candidates(file);
  if (!candidates) throw new AgentError('ERR_COMMAND_NOT_ALLOWED', `${file} is not on the agent's list of allowed programs.`);
  const executable = await firstExecutable(candidates);
  if (!executable) throw new AgentError('ERR_COMMAND_NOT_FOUND', `${file} is not installed on this device.`);

  const timeoutMs = callTimeoutMs ?? options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const maxBuffer = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;

  return new Promise<CommandResult>((resolve, reject) => {
    let settled = false;
    // execFile hands its options to spawn, which honours `detached` (a new process group on POSIX).
    const spawnOptions: ExecFileOptionsWithBufferEncoding & { detached: boolean } = {
      encoding: 'buffer',
      maxBuffer,
      windowsHide: true,
      shell: false,
      detached: process.platform !== 'win32',
      env: childEnvironment(process.platform, process.env),
    };
    const child = execFile(
      executable,
      [...args],
      spawnOptions,
      (error, stdout, stderr) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        const result = { stdout: decode(stdout), stderr: decode(stderr) };
        if (!error) return resolve({ ...result, exitCode: 0 });
        const code = systemErrorCode(error) ?? (error as { code?: unknown }).code;
        if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
          killTree(child);
          return reject(new AgentError('ERR_COMMAND_OUTPUT_TOO_LARGE', `${file} printed more than ${maxBuffer} bytes; its output was not read.`));
        }
        if (code === 'ENOENT') return reject(new AgentError('ERR_COMMAND_NOT_FOUND', `${file} is not installed on this device.`));
        if (code === 'EACCES' || code === 'EPERM') return reject(new AgentError('ERR_ACCESS_DENIED', `${file} could not be started: permission denied.`));
        if (typeof code === 'number') return resolve({ ...result, exitCode: code });
        // Killed by a signal from outside: report it as a failed run with the conventional exit code.
        const signal = (error as { signal?: NodeJS.Signals | null }).signal;
        if (signal) return resolve({ ...result, exitCode: 128 });
        return reject(new AgentError('ERR_COMMAND_FAILED', `${file} could not be run: ${error.message}`));
      },
    );
    options.onSpawn?.(file);
    // A child that has exited but whose grandchildren hold the pipes open must not keep us waiting either.
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      killTree(child);
      reject(new AgentError('ERR_COMMAND_TIMEOUT', `${file} did not finish within ${timeoutMs} ms and was stopped.`));
    }, timeoutMs);
  });
}
