/**
 * What a whole process costs, as `/usr/bin/time -v` reports it: user + system CPU of the process
 * and the children it waited for, and its peak resident set. Runs `node <args>` pinned to one core
 * (taskset) through GNU time when it is installed; without it, CPU comes from this process's
 * waited-for children (/proc/self/stat) and the peak RSS is unknown.
 */
import { existsSync } from 'node:fs';
import { createAllowList } from '../exec/allow-list.js';
import { canPinToCore } from '../exec/node-scripts.js';
import { runCommand } from '../exec/run-command.js';
import { childrenCpuMs } from './measure.js';

const GNU_TIME = '/usr/bin/time';
const TASKSET = '/usr/bin/taskset';
const FORMAT = 'posture-bench %U %S %M';

export const hasGnuTime = existsSync(GNU_TIME);

export interface ProcessCost {
  cpuMs: number;
  /** Peak resident set in MiB; null without GNU time. */
  maxRssMb: number | null;
  exitCode: number;
}

const allowList = createAllowList({ time: GNU_TIME, taskset: TASKSET, node: process.execPath });

function pinned(args: readonly string[], core: number): string[] {
  return canPinToCore ? [TASKSET, '-c', String(core), process.execPath, ...args] : [process.execPath, ...args];
}

/** GNU time's last stderr line in FORMAT; the program's own stderr comes before it. */
function parseTimeLine(stderr: string): { cpuMs: number; maxRssMb: number } {
  const line = stderr.trimEnd().split('\n').reverse().find((candidate) => candidate.startsWith('posture-bench '));
  const [, user, system, rssKb] = line?.split(' ') ?? [];
  if (user === undefined || system === undefined || rssKb === undefined) throw new Error(`GNU time printed no figures: ${stderr.slice(-300)}`);
  return { cpuMs: (Number(user) + Number(system)) * 1000, maxRssMb: Number(rssKb) / 1024 };
}

/** Runs `node <args>` once on `core` and returns what it cost. */
export async function measureNodeProcess(args: readonly string[], core = 1): Promise<ProcessCost> {
  const command = pinned(args, core);
  if (hasGnuTime) {
    const result = await runCommand(GNU_TIME, ['-f', FORMAT, ...command], { allowList, timeoutMs: 60_000 });
    return { ...parseTimeLine(result.stderr), exitCode: result.exitCode };
  }
  const before = childrenCpuMs();
  const result = await runCommand(command[0]!, command.slice(1), { allowList, timeoutMs: 60_000 });
  return { cpuMs: childrenCpuMs() - before, maxRssMb: null, exitCode: result.exitCode };
}
