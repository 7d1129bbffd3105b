/**
 * The raw machine id. On Linux it is read from the files node-machine-id's shell pipeline reads
 * (`cat /var/lib/dbus/machine-id /etc/machine-id | head -n 1`: the first line of whichever exist),
 * without starting a shell. Elsewhere, and when neither file can be read, node-machine-id (a
 * chosen dependency) answers; it starts a process (a shell on Linux, ioreg on macOS, reg.exe on
 * Windows), so it lives here with the other spawners. Callers must validate the value: on Linux
 * node-machine-id silently falls back to the hostname.
 */
import { readFile } from 'node:fs/promises';
import { AgentError, messageOf } from '../shared/errors.js';

const LINUX_MACHINE_ID_FILES = ['/var/lib/dbus/machine-id', '/etc/machine-id'] as const;

/** The first line of the files that exist, as `cat A B | head -n 1` prints it; null when none can be read. */
export async function readLinuxMachineIdFiles(files: readonly string[] = LINUX_MACHINE_ID_FILES): Promise<string | null> {
  const texts = await Promise.all(files.map((file) => readFile(file, 'utf8').catch(() => null)));
  const present = texts.filter((text): text is string => text !== null);
  return present.length === 0 ? null : present.join('').split('\n', 1)[0]!.trim();
}

export async function readRawMachineId(): Promise<string> {
  if (process.platform === 'linux') {
    const fromFiles = await readLinuxMachineIdFiles();
    if (fromFiles !== null) return fromFiles;
  }
  try {
    const { default: nodeMachineId } = await import('node-machine-id');
    return (await nodeMachineId.machineId(true)).trim();
  } catch (error) {
    throw new AgentError('ERR_MACHINE_ID', `The machine id could not be read (${messageOf(error)}).`, { cause: error });
  }
}
