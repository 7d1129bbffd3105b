/**
 * `npm run bench -- daemon`: what the daemon costs on this machine. It runs the real daemon
 * against a real service, first idle (no check due) to measure the cost of merely running, then
 * with a short interval to measure the cost of one check (collect, sign, deliver, verify), and
 * scales both to an hour at the default 5-minute interval. Both phases run on one state directory
 * (one enrolled device: the service keeps one key per device). Memory is the resident set after the
 * checks and its peak, against a bare Node process measured in the same run. What a check reads
 * depends on what is installed (ClamAV, ufw) and on running as root: the first lines say so.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNodeScript, startNodeScript, type NodeScriptProcess } from '../exec/node-scripts.js';
import { fixed } from './measure.js';
import { serviceListening } from './service-listening.js';

const DIST = join(import.meta.dirname, '..');
const SERVICE = join(DIST, 'bin/service.js');
const AGENT = join(DIST, 'bin/agent.js');
const TICKS_PER_SECOND = 100;

interface ProcessUse {
  /** The process and the children it waited for. */
  cpuSeconds: number;
  /** The children it waited for (the programs checks run). */
  childCpuSeconds: number;
  rssMb: number;
  peakRssMb: number;
}

/** CPU of the process and the children it waited for, and its memory (Linux /proc). */
function use(pid: number): ProcessUse {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  const childTicks = Number(fields[13]) + Number(fields[14]);
  return { cpuSeconds: ticks / TICKS_PER_SECOND, childCpuSeconds: childTicks / TICKS_PER_SECOND, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
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
  const { url } = await serviceListening(child);
  return { child, url };
}

async function stop(child: NodeScriptProcess): Promise<void> {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

/** How many checks the daemon delivered so far: its log's "posture delivered" lines. */
function deliveredCount(stateDir: string): number {
  try {
    return readFileSync(join(stateDir, 'agent.log'), 'utf8').split('\n').filter((line) => line.includes('"msg":"posture delivered"')).length;
  } catch {
    return 0;
  }
}

async function deliveredMoreThan(stateDir: string, count: number): Promise<number> {
  for (;;) {
    const now = deliveredCount(stateDir);
    if (now > count) return now;
    await sleep(200);
  }
}

/** What the checks on this machine have to read: the products whose programs cost the most CPU. */
function securityProducts(): string {
  const clamav = existsSync('/usr/bin/clamscan') || existsSync('/usr/bin/clamdscan');
  const databases = existsSync('/var/lib/clamav') ? readdirSync('/var/lib/clamav').filter((name) => /^daily\.(cvd|cld)$/.test(name)) : [];
  const ufw = existsSync('/usr/sbin/ufw');
  const ufwEnabled = ufw && existsSync('/etc/ufw/ufw.conf') && /^ENABLED=yes\s*$/m.test(readFileSync('/etc/ufw/ufw.conf', 'utf8'));
  const root = process.getuid?.() === 0;
  return [
    `ClamAV ${clamav ? `installed (virus database: ${databases.length > 0 ? databases.join(', ') : 'none'})` : 'not installed'}`,
    `ufw ${ufw ? `installed (${ufwEnabled ? 'enabled' : 'disabled'} in ufw.conf)` : 'not installed'}`,
    `the daemon runs as ${root ? 'root (root-only programs such as ufw status run where a file cannot decide)' : 'a user (root-only sources are not read)'}`,
  ].join('; ');
}

export async function benchDaemon(print: (line: string) => void): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'posture-bench-daemon-'));
  const service = await startService(join(root, 'service'));
  const baseline = startNodeScript(['-e', 'setInterval(() => {}, 1000)']);
  const children: NodeScriptProcess[] = [service.child, baseline];
  try {
    const token = (await runNodeScript([SERVICE, 'token', 'create', '--uses', '1', '--data-dir', join(root, 'service')])).trim();
    // One state directory for both phases: the service keeps one key per device, and both daemons are this device.
    const stateDir = join(root, 'state');

    // Idle: enrol once, then nothing is due for an hour.
    await writeFile(join(root, 'idle.json'), JSON.stringify({ serviceUrl: service.url, enrollmentToken: token, checkIntervalSeconds: 3600 }));
    const idle = startNodeScript([AGENT, 'run', '--state-dir', stateDir, '--config', join(root, 'idle.json')]);
    children.push(idle);
    await deliveredMoreThan(stateDir, 0);
    // Let start-up settle (V8 finishes its post-start garbage collection) before measuring idleness.
    await sleep(15_000);
    const idleStart = threadCpuSeconds(idle.pid!);
    const idleSeconds = 30;
    await sleep(idleSeconds * 1000);
    const idleEnd = use(idle.pid!);
    const idleCpuPerSecond = (threadCpuSeconds(idle.pid!) - idleStart) / idleSeconds;
    await stop(idle);
    children.splice(children.indexOf(idle), 1);

    // Busy: the same (enrolled) device, a check every 2 seconds, then per check.
    await writeFile(join(root, 'busy.json'), JSON.stringify({ serviceUrl: service.url, checkIntervalSeconds: 2 }));
    const before = deliveredCount(stateDir);
    const busy = startNodeScript([AGENT, 'run', '--state-dir', stateDir, '--config', join(root, 'busy.json')]);
    children.push(busy);
    await deliveredMoreThan(stateDir, before);
    await sleep(3_000);
    const busyStart = use(busy.pid!);
    const firstCount = deliveredCount(stateDir);
    const busySeconds = 30;
    await sleep(busySeconds * 1000);
    const busyEnd = use(busy.pid!);
    const checks = Math.max(1, deliveredCount(stateDir) - firstCount);
    const cpuPerCheck = (busyEnd.cpuSeconds - busyStart.cpuSeconds - idleCpuPerSecond * busySeconds) / checks;
    const programsPerCheck = (busyEnd.childCpuSeconds - busyStart.childCpuSeconds) / checks;
    const perHour = cpuPerCheck * 12 + idleCpuPerSecond * 3600;
    const bare = use(baseline.pid!);

    print('daemon benchmark (real daemon, real service, this machine; CPU includes the programs the checks run)');
    print(`  this machine: ${securityProducts()}`);
    print(`  idle: ${fixed(idleCpuPerSecond * 3600, 2)} CPU s/hour; RSS ${fixed(idleEnd.rssMb, 1)} MB`);
    print(`  one check (collect, challenge, sign, deliver, verify the Result): ${fixed(cpuPerCheck * 1000, 0)} ms CPU, of which the programs it runs ${fixed(programsPerCheck * 1000, 0)} ms (${checks} checks in ${busySeconds} s)`);
    print(`  at the default 5-minute interval: ${fixed(perHour, 2)} CPU s/hour (12 checks + idle); goal <= 2 CPU s/hour -> ${perHour <= 2 ? 'met' : 'NOT met'}`);
    print(`  memory after ${checks} checks: RSS ${fixed(busyEnd.rssMb, 1)} MB, peak ${fixed(busyEnd.peakRssMb, 1)} MB; a bare Node process: ${fixed(bare.rssMb, 1)} MB (ratio ${fixed(busyEnd.rssMb / bare.rssMb, 2)}x); goal < 80 MB -> ${busyEnd.peakRssMb < 80 ? 'met' : 'NOT met'}`);
  } finally {
    for (const child of children.reverse()) await stop(child).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  }
}
