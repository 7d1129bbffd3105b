/**
 * The names of the running processes, from /proc/<pid>/comm read through the host (no `ps`
 * process). Processes that exit while being read are skipped. One scan per host object: the
 * antivirus and firewall collectors of the same check share it.
 */
import type { Host } from '../host.js';
import { processSnapshot, type ProcessSnapshot } from '../antivirus/parse-proc-processes.js';

/** Security daemons by product, as /proc/<pid>/comm names them (at most 15 characters). */
export const DAEMONS = {
  clamd: ['clamd'],
  clamonacc: ['clamonacc'],
  /** Microsoft Defender for Endpoint's daemon (/opt/microsoft/mdatp/sbin/wdavdaemon). */
  defender: ['wdavdaemon'],
  /** CrowdStrike's sensor: `falcon-sensor` (kernel module backend) or `falcon-sensor-bpf` truncated to 15 characters. */
  falcon: ['falcon-sensor', 'falcon-sensor-b'],
  /** SentinelOne's agent processes (sentinelctl lists orchestrator, network, scanner, agent, firewall). */
  sentinelone: ['s1-agent', 's1-orchestrator', 's1-scanner', 's1-network', 's1-firewall'],
  firewalld: ['firewalld'],
} as const;

const scans = new WeakMap<Host, Promise<ProcessSnapshot>>();

async function scan(host: Host): Promise<ProcessSnapshot> {
  const pids = (await host.readDir('/proc')).filter((entry) => /^\d+$/.test(entry));
  const entries = await Promise.all(
    pids.map((pid) =>
      host.readFile(`/proc/${pid}/comm`).then(
        (text) => ({ pid: Number(pid), name: text.replace(/\n$/, '') }),
        () => null,
      ),
    ),
  );
  return processSnapshot(entries.filter((entry): entry is { pid: number; name: string } => entry !== null));
}

export function runningProcesses(host: Host): Promise<ProcessSnapshot> {
  let pending = scans.get(host);
  if (!pending) {
    pending = scan(host);
    scans.set(host, pending);
  }
  return pending;
}

/** Whether any of the names runs: null when the scan failed or /proc hides other users' processes. */
export function isRunning(snapshot: ProcessSnapshot | undefined, names: readonly string[]): boolean | null {
  if (!snapshot?.initVisible) return null;
  return names.some((name) => snapshot.names.includes(name));
}
