/** Small host reads shared by the Linux collectors. */
import { systemErrorCode } from '../../shared/errors.js';
import { LINUX_ALTERNATIVES } from '../../exec/commands-linux.js';
import type { Host } from '../host.js';
import { pathExists, toAgentError } from '../host-errors.js';

/** Whether a program from LINUX_COMMANDS is installed at its path or one of its alternatives (no process). */
export async function isInstalled(host: Host, command: string): Promise<boolean | null> {
  let hidden = false;
  for (const path of [command, ...(LINUX_ALTERNATIVES[command] ?? [])]) {
    const exists = await pathExists(host, path);
    if (exists === true) return true;
    if (exists === null) hidden = true;
  }
  return hidden ? null : false;
}

/**
 * A one-value file's trimmed text, or null when it is absent, unreadable or empty. For inventory
 * files (DMI) that are legitimately missing (no DMI on ARM or some VMs) or root-only (serial).
 */
export async function readQuietly(host: Host, path: string): Promise<string | null> {
  try {
    const text = (await host.readFile(path)).replace(/\0+$/, '').trim();
    return text === '' ? null : text;
  } catch (error) {
    const code = systemErrorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES' || code === 'EPERM' || code === 'ENXIO') return null;
    throw toAgentError(error, path);
  }
}
