/**
 * The one place that spawns processes: an absolute path from the allow-list, an argument array
 * (never a shell), a timeout that kills the whole process group, an output cap, a minimal
 * environment and no window on Windows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { AgentError, systemErrorCode } from '../shared/errors.js';
import type { CommandResult } from '../shared/host.js';
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

function decode(buffer: Buffer): string {
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
  const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;

  return new Promise<CommandResult>((resolve, reject) => {
    // execFile semantics (no shell, an argument array), on spawn because execFile drops `detached`,
    // and only a process group of its own lets a timeout reach the grandchildren too.
    const child = spawn(executable, [...args], {
      shell: false,
      windowsHide: true,
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnvironment(process.platform, process.env),
    });
    options.onSpawn?.(file);

    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const collect = (sink: Buffer[]) => (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        killTree(child);
        finish(() => reject(new AgentError('ERR_COMMAND_OUTPUT_TOO_LARGE', `${file} printed more than ${maxBytes} bytes; its output was not read.`)));
        return;
      }
      sink.push(chunk);
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));

    const timer = setTimeout(() => {
      killTree(child);
      finish(() => reject(new AgentError('ERR_COMMAND_TIMEOUT', `${file} did not finish within ${timeoutMs} ms and was stopped.`)));
    }, timeoutMs);

    child.on('error', (error) => {
      const code = systemErrorCode(error);
      finish(() => {
        if (code === 'ENOENT') reject(new AgentError('ERR_COMMAND_NOT_FOUND', `${file} is not installed on this device.`));
        else if (code === 'EACCES' || code === 'EPERM') reject(new AgentError('ERR_ACCESS_DENIED', `${file} could not be started: permission denied.`));
        else reject(new AgentError('ERR_COMMAND_FAILED', `${file} could not be run: ${error.message}`));
      });
    });
    // 'close' waits for the pipes: a grandchild holding them open is cut off by the timer above.
    child.on('close', (exitCode, signal) => {
      finish(() =>
        resolve({
          stdout: decode(Buffer.concat(stdout)),
          stderr: decode(Buffer.concat(stderr)),
          exitCode: exitCode ?? (signal ? 128 : 1),
        }),
      );
    });
  });
}
