/**
 * The real Host: runs allowed programs, reads files, and answers inventory questions. Everything
 * collectors learn about the machine comes through here.
 */
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { open, readdir, readFile, realpath } from 'node:fs/promises';
import { arch, hostname, release } from 'node:os';
import type { Host, Inventory, RunOptions } from '../shared/host.js';
import type { Platform } from '../shared/platform.js';
import { allowListFor, type AllowList } from './allow-list.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, runCommand } from './run-command.js';

export interface RealHostOptions {
  platform?: Platform;
  allowList?: AllowList;
  commandTimeoutMs?: number;
}

export interface RealHost extends Host {
  /** Processes started so far (the benchmark reports it). */
  readonly spawnCount: number;
}

export function currentPlatform(): Platform {
  const platform = process.platform;
  if (platform === 'win32' || platform === 'darwin' || platform === 'linux') return platform;
  throw new Error(`Posture Agent does not support ${platform}.`);
}

function orNull(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed && trimmed !== '-' && trimmed !== 'Default string' ? trimmed : null;
}

/**
 * Inventory from node:os, plus systeminformation's hardware answer on macOS and Windows. On Linux
 * the collectors read DMI through `readFile` instead: systeminformation would start shells there.
 */
async function inventory(platform: Platform): Promise<Inventory> {
  const base: Inventory = { hostname: hostname(), arch: arch(), kernel: release(), manufacturer: null, model: null, serial: null };
  if (platform === 'linux') return base;
  const si = await import('systeminformation');
  const system = await si.system();
  return { ...base, manufacturer: orNull(system.manufacturer), model: orNull(system.model), serial: orNull(system.serial) };
}

/**
 * The kernel's own file systems answer from memory and never wait on a disk or a network, so
 * their many small files (a check reads /proc/<pid>/comm for every process) are read
 * synchronously: about a tenth of the CPU of a promise per file. Everything else stays async.
 */
function inMemoryFileSystem(path: string): boolean {
  return path.startsWith('/proc/') || path.startsWith('/sys/') || path === '/proc' || path === '/sys';
}

async function syncOrAsync<T>(path: string, sync: (path: string) => T, async: (path: string) => Promise<T>): Promise<T> {
  return inMemoryFileSystem(path) ? sync(path) : async(path);
}

async function readFileHead(path: string, bytes: number): Promise<string> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await file.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('latin1');
  } finally {
    await file.close();
  }
}

export function createRealHost(options: RealHostOptions = {}): RealHost {
  const platform = options.platform ?? currentPlatform();
  const allowList = options.allowList ?? allowListFor(platform);
  let spawnCount = 0;
  return {
    platform,
    get spawnCount() {
      return spawnCount;
    },
    run: (file: string, args: string[], runOptions?: RunOptions) =>
      runCommand(
        file,
        args,
        { allowList, timeoutMs: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS, onSpawn: () => (spawnCount += 1) },
        runOptions?.timeoutMs,
      ),
    readFile: (path: string) => syncOrAsync(path, (file) => readFileSync(file, 'utf8'), (file) => readFile(file, 'utf8')),
    readFileHead,
    readDir: (path: string) => syncOrAsync(path, (dir) => readdirSync(dir), (dir) => readdir(dir)),
    realPath: (path: string) => syncOrAsync(path, (file) => realpathSync(file), (file) => realpath(file)),
    systemInfo: () => inventory(platform),
  };
}
