/**
 * Starting a program other than Node (the gateway benchmark's nginx) by its absolute path, with an
 * argument array and no shell, optionally pinned to one CPU core with taskset as startNodeScript
 * pins Node scripts.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { isAbsolute } from 'node:path';
import type { Readable } from 'node:stream';
import { canPinToCore } from './node-scripts.js';

const TASKSET = '/usr/bin/taskset';

export type PinnedProgram = ChildProcessByStdio<null, Readable, Readable>;

export function startPinnedProgram(file: string, args: readonly string[], options: { core?: number } = {}): PinnedProgram {
  if (!isAbsolute(file)) throw new Error(`${file} is not an absolute path.`);
  const pinned = options.core !== undefined && canPinToCore;
  const [command, argv] = pinned ? [TASKSET, ['-c', String(options.core), file, ...args]] : [file, [...args]];
  return spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
}
