/**
 * The real policy service and agent command lines in child processes (dist/, built by the test
 * global setup), for end-to-end tests.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
export const SERVICE_BIN = join(ROOT, 'dist/bin/service.js');
export const AGENT_BIN = join(ROOT, 'dist/bin/agent.js');

export interface ServiceProcess {
  /** Where it listens, e.g. http://127.0.0.1:41234. */
  address: string;
  /** Its public URL: the issuer of its Results (the address it listens on unless --url was given). */
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** Every JSON log line so far. */
  logs: string[];
  /** What it said to people on stderr so far. */
  readonly stderr: string;
  /** posture-service with this data dir (and database), for admin commands. */
  cli(...args: string[]): Promise<string>;
  /** SIGTERM, then waits for a graceful exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface ServiceProcessOptions {
  dataDir?: string;
  database?: string;
  port?: number;
  extraArgs?: string[];
  env?: Record<string, string>;
}

export async function startServiceProcess(options: ServiceProcessOptions = {}): Promise<ServiceProcess> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'posture-service-')));
  const port = options.port ?? 0;
  const storeArgs = ['--data-dir', dataDir, ...(options.database ? ['--database', options.database] : [])];
  const args = [SERVICE_BIN, 'serve', '--port', String(port), ...storeArgs, ...(options.extraArgs ?? [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  const logs: string[] = [];
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const listening = await new Promise<{ address: string; url: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start: ${stderr.join('')}`)), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with ${code}: ${stderr.join('')}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      logs.push(line);
      const parsed = JSON.parse(line) as { msg?: string; address?: string; url?: string };
      if (parsed.msg === 'posture-service listening' && parsed.address && parsed.url) {
        clearTimeout(timer);
        resolve({ address: parsed.address, url: parsed.url });
      }
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const { address, url } = listening;
  return {
    address,
    url,
    port: Number(new URL(address).port),
    dataDir,
    child,
    logs,
    get stderr() {
      return stderr.join('');
    },
    cli: async (...cliArgs: string[]) => (await run(process.execPath, [SERVICE_BIN, ...cliArgs, ...storeArgs], { env: { ...process.env, ...options.env } })).stdout,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs posture-agent with a state directory; resolves with stdout, stderr and the exit code (never rejects). */
export async function runAgent(stateDir: string, ...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [AGENT_BIN, ...args, '--state-dir', stateDir], { env: { ...process.env, NO_COLOR: '1' } });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
