/**
 * Starting this product's own Node entry points as child processes (the benchmarks start the
 * service and a load generator this way): process.execPath with an argument array, no shell,
 * optionally pinned to one CPU core with taskset so the measured process owns that core.
 */
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TASKSET = '/usr/bin/taskset';

export const canPinToCore = existsSync(TASKSET);

function command(args: readonly string[], core: number | undefined): [string, string[]] {
  return core !== undefined && canPinToCore ? [TASKSET, ['-c', String(core), process.execPath, ...args]] : [process.execPath, [...args]];
}

export type NodeScriptProcess = ChildProcessByStdio<null, Readable, null>;

/** Starts `node <args>`; stdout is piped for the caller, stderr is inherited. */
export function startNodeScript(args: readonly string[], options: { core?: number } = {}): NodeScriptProcess {
  const [file, argv] = command(args, options.core);
  return spawn(file, argv, { stdio: ['ignore', 'pipe', 'inherit'], shell: false });
}

/** Runs `node <args>` to the end and returns its stdout. */
export async function runNodeScript(args: readonly string[], options: { core?: number; maxBuffer?: number } = {}): Promise<string> {
  const [file, argv] = command(args, options.core);
  return (await run(file, argv, { maxBuffer: options.maxBuffer ?? 1024 * 1024, shell: false })).stdout;
}
