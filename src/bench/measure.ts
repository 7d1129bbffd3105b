/** Measurement helpers for the benchmark scripts: medians, CPU time including children. */
import { readFileSync } from 'node:fs';

export interface Sample {
  wallMs: number;
  cpuMs: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** CPU milliseconds of waited-for children (Linux /proc/self/stat cutime + cstime); 0 elsewhere. */
export function childrenCpuMs(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    const ticksPerSecond = 100;
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond;
  } catch {
    return 0;
  }
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000 + childrenCpuMs();
}

/** Wall and CPU time (this process and the processes it waited for) of one run of `work`. */
export async function measure(work: () => Promise<unknown>): Promise<Sample> {
  const cpuBefore = cpuMs();
  const wallBefore = performance.now();
  await work();
  return { wallMs: performance.now() - wallBefore, cpuMs: cpuMs() - cpuBefore };
}

export function fixed(value: number, digits = 1): string {
  return value.toFixed(digits);
}
