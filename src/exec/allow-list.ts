/**
 * The allow-list of programs the agent may run (after Kolide launcher's allowedcmd). Collectors
 * name a program by its canonical absolute path; the runner refuses anything else and, where a
 * distribution installs the same program elsewhere, tries the listed alternatives in order.
 */
import type { Platform } from '../shared/platform.js';
import { DARWIN_ALTERNATIVES, DARWIN_COMMANDS } from './commands-darwin.js';
import { LINUX_ALTERNATIVES, LINUX_COMMANDS } from './commands-linux.js';
import { WIN32_ALTERNATIVES, WIN32_COMMANDS } from './commands-win32.js';

export interface AllowList {
  /** The absolute paths to try, in order, for a canonical path; undefined when not allowed. */
  candidates(file: string): readonly string[] | undefined;
}

export function createAllowList(
  commands: Readonly<Record<string, string>>,
  alternatives: Readonly<Record<string, readonly string[]>> = {},
): AllowList {
  const allowed = new Map<string, readonly string[]>();
  for (const path of Object.values(commands)) allowed.set(path, [path, ...(alternatives[path] ?? [])]);
  return { candidates: (file) => allowed.get(file) };
}

export function allowListFor(platform: Platform): AllowList {
  switch (platform) {
    case 'win32':
      return createAllowList(WIN32_COMMANDS, WIN32_ALTERNATIVES);
    case 'darwin':
      return createAllowList(DARWIN_COMMANDS, DARWIN_ALTERNATIVES);
    case 'linux':
      return createAllowList(LINUX_COMMANDS, LINUX_ALTERNATIVES);
  }
}
