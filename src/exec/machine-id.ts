/**
 * The raw machine id from node-machine-id (a chosen dependency). It starts a process (a shell on
 * Linux, ioreg on macOS, reg.exe on Windows), so it lives here with the other spawners. Callers
 * must validate the value: on Linux it silently falls back to the hostname.
 */
import nodeMachineId from 'node-machine-id';
import { AgentError, messageOf } from '../shared/errors.js';

export async function readRawMachineId(): Promise<string> {
  try {
    return (await nodeMachineId.machineId(true)).trim();
  } catch (error) {
    throw new AgentError('ERR_MACHINE_ID', `The machine id could not be read (${messageOf(error)}).`, { cause: error });
  }
}
