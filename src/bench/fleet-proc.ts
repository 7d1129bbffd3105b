/** What a process uses, from Linux /proc: CPU seconds and memory. Null where /proc cannot tell (not Linux, gone). */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

export interface ProcessUse {
  cpuSeconds: number;
  rssMb: number;
  peakRssMb: number;
}

/** Fields after the command name in /proc/PID/stat: [0] is the state, [1] the parent pid, [11..14] utime stime cutime cstime. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  } catch {
    return null;
  }
}

/** The process's CPU (itself, and `withChildren`: the children it has waited for) and memory. */
export function processUse(pid: number, withChildren = false): ProcessUse | null {
  const fields = statFields(pid);
  if (!fields) return null;
  const ticks = Number(fields[11]) + Number(fields[12]) + (withChildren ? Number(fields[13]) + Number(fields[14]) : 0);
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { cpuSeconds: ticks / TICKS_PER_SECOND, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/**
 * CPU seconds of a server and its live children (PostgreSQL's postmaster and its backends; backends
 * that ended count through the postmaster's waited-for children). Memory is not summed: backends
 * share PostgreSQL's buffers.
 */
export function processTreeCpuSeconds(pid: number): number | null {
  const own = processUse(pid, true);
  if (!own) return null;
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields && Number(fields[1]) === pid) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return own.cpuSeconds + ticks / TICKS_PER_SECOND;
}

/**
 * Seconds the process's threads were ready to run but waited for a CPU (/proc/PID/task/TID/schedstat):
 * on a shared machine, how much other work held the process back.
 */
export function processCpuWaitSeconds(pid: number): number | null {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[1]);
    return ns / 1e9;
  } catch {
    return null;
  }
}
