/**
 * `npm run bench -- daemon`: what the daemon costs on this machine. It runs the real daemon
 * against a real service, first idle (no check due) to measure the cost of merely running, then
 * with a short interval to measure the cost of one check (collect, sign, deliver, verify), and
 * scales both to an hour at the default 5-minute interval. Memory is the resident set after the
 * checks and its peak, against a bare Node process measured in the same run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runNodeScript, startNodeScript, type NodeScriptProcess } from '../exec/node-scripts.js';
import { fixed } from './measure.js';

const DIST = join(import.meta.dirname, '..');
const SERVICE = join(DIST, 'bin/service.js');
const AGENT = join(DIST, 'bin/agent.js');
const TICKS_PER_SECOND = 100;

interface ProcessUse {
  cpuSeconds: number;
  rssMb: number;
  peakRssMb: number;
}

/** CPU of the process and the children it waited for, and its memory (Linux /proc). */
function use(pid: number): ProcessUse {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { cpuSeconds: ticks / TICKS_PER_SECOND, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/** CPU seconds of all the process's threads, to the nanosecond (/proc/<pid>/task/<tid>/schedstat). */
function threadCpuSeconds(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
  }
  return ns / 1e9;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function startService(dataDir: string): Promise<{ child: NodeScriptProcess; url: string }> {
  const child = startNodeScript([SERVICE, 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'info']);
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the service exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const parsed = JSON.parse(line) as { msg?: string; url?: string };
      if (parsed.msg === 'posture-service listening' && parsed.url) resolve(parsed.url);
    });
  });
  return { child, url };
}

async function stop(child: NodeScriptProcess): Promise<void> {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

async function deliveries(stateDir: string): Promise<string | null> {
  const status = JSON.parse(await runNodeScript([AGENT, 'status', '--json', '--state-dir', stateDir]).catch(() => '{}')) as { lastDeliveryAt?: string | null };
  return status.lastDeliveryAt ?? null;
}

export async function benchDaemon(print: (line: string) => void): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'posture-bench-daemon-'));
  const service = await startService(join(root, 'service'));
  const baseline = startNodeScript(['-e', 'setInterval(() => {}, 1000)']);
  const children: NodeScriptProcess[] = [service.child, baseline];
  try {
    const token = (await runNodeScript([SERVICE, 'token', 'create', '--uses', '2', '--data-dir', join(root, 'service')])).trim();

    // Idle: enrol once, then nothing is due for an hour.
    const idleDir = join(root, 'idle');
    await writeFile(join(root, 'idle.json'), JSON.stringify({ serviceUrl: service.url, enrollmentToken: token, checkIntervalSeconds: 3600 }));
    const idle = startNodeScript([AGENT, 'run', '--state-dir', idleDir, '--config', join(root, 'idle.json')]);
    children.push(idle);
    while (!(await deliveries(idleDir))) await sleep(200);
    // Let start-up settle (V8 finishes its post-start garbage collection) before measuring idleness.
    await sleep(15_000);
    const idleStart = threadCpuSeconds(idle.pid!);
    const idleSeconds = 30;
    await sleep(idleSeconds * 1000);
    const idleEnd = use(idle.pid!);
    const idleCpuPerSecond = (threadCpuSeconds(idle.pid!) - idleStart) / idleSeconds;

    // Busy: a check every 2 seconds, then per check.
    const busyDir = join(root, 'busy');
    await writeFile(join(root, 'busy.json'), JSON.stringify({ serviceUrl: service.url, enrollmentToken: token, checkIntervalSeconds: 2 }));
    const busy = startNodeScript([AGENT, 'run', '--state-dir', busyDir, '--config', join(root, 'busy.json')]);
    children.push(busy);
    while (!(await deliveries(busyDir))) await sleep(200);
    await sleep(3_000);
    const busyStart = use(busy.pid!);
    const firstDelivery = await deliveries(busyDir);
    const busySeconds = 30;
    await sleep(busySeconds * 1000);
    const busyEnd = use(busy.pid!);
    const lastDelivery = await deliveries(busyDir);
    const checks = Math.max(1, Math.round((Date.parse(lastDelivery!) - Date.parse(firstDelivery!)) / 2000));
    const cpuPerCheck = (busyEnd.cpuSeconds - busyStart.cpuSeconds - idleCpuPerSecond * busySeconds) / checks;
    const perHour = cpuPerCheck * 12 + idleCpuPerSecond * 3600;
    const bare = use(baseline.pid!);

    print('daemon benchmark (real daemon, real service, this machine; CPU includes the programs the checks run)');
    print(`  idle: ${fixed(idleCpuPerSecond * 3600, 2)} CPU s/hour; RSS ${fixed(idleEnd.rssMb, 1)} MB`);
    print(`  one check (collect, challenge, sign, deliver, verify the Result): ${fixed(cpuPerCheck * 1000, 0)} ms CPU (${checks} checks in ${busySeconds} s)`);
    print(`  at the default 5-minute interval: ${fixed(perHour, 2)} CPU s/hour (12 checks + idle)`);
    print(`  memory after ${checks} checks: RSS ${fixed(busyEnd.rssMb, 1)} MB, peak ${fixed(busyEnd.peakRssMb, 1)} MB; a bare Node process: ${fixed(bare.rssMb, 1)} MB (ratio ${fixed(busyEnd.rssMb / bare.rssMb, 2)}x)`);
    print(`  goal: < 80 MB RSS and < 2 CPU s/hour -> ${busyEnd.peakRssMb < 80 && perHour < 2 ? 'met' : 'NOT met'}`);
  } finally {
    for (const child of children.reverse()) await stop(child).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  }
}
