/**
 * The running processes' names from /proc/<pid>/comm (proc(5): the command name, at most 15
 * characters, so `falcon-sensor-bpf` reads `falcon-sensor-b`). As a text snapshot it is what
 * `grep -H . /proc/[0-9]*\/comm` prints: `/proc/<pid>/comm:<name>` per line. The collector reads
 * the same files one by one (src/collectors/linux/processes.ts). When pid 1 is not visible, /proc
 * is mounted with hidepid and other users' daemons cannot be seen.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export interface ProcessSnapshot {
  /** How many processes were read. */
  processes: number;
  /** False when pid 1 is hidden (hidepid=1/2): daemons of other users may be missing. */
  initVisible: boolean;
  /** Distinct command names, sorted. */
  names: string[];
}

const COMM_LINE = /^\/proc\/(\d+)\/comm:(.*)$/;

export function processSnapshot(entries: readonly { pid: number; name: string }[]): ProcessSnapshot {
  return {
    processes: entries.length,
    initVisible: entries.some((entry) => entry.pid === 1),
    names: [...new Set(entries.map((entry) => entry.name))].sort(),
  };
}

export function parseProcProcesses(text: string): ProcessSnapshot {
  const content = lines(text).filter((line) => line !== '');
  if (content.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', 'The /proc snapshot lists no processes.');
  return processSnapshot(
    content.map((line) => {
      const match = COMM_LINE.exec(line);
      if (!match) throw new AgentError('ERR_PARSE', `The /proc snapshot has a line that is not /proc/<pid>/comm:<name>: "${line}"`);
      return { pid: Number(match[1]), name: match[2]! };
    }),
  );
}
