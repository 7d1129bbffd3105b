/**
 * The user session a screen-lock collector reads. Screen lock is a per-user setting: a daemon
 * running as root or SYSTEM reads its own (empty) settings, not the user's (osquery/osquery#6451,
 * fleetdm/fleet#12382, kolide/launcher#614). So the collectors assume they run as the logged-in
 * user, and whoever runs them there (the tray app or a user-level agent) passes what it knows of
 * the session; the collectors never read process.env themselves.
 */
import type { Host } from '../host.js';

export interface UserSession {
  /** The login name (macOS: the folder of the user's configuration profiles in /Library/Managed Preferences). */
  user: string | null;
  /** The home directory (Linux: where ~/.config is when XDG_CONFIG_HOME is not set). */
  home: string | null;
  /** The session's environment; read: XDG_CURRENT_DESKTOP, XDG_CONFIG_HOME, XDG_CONFIG_DIRS, HOME, USER. */
  environment: Readonly<Record<string, string | undefined>>;
}

/** `/proc/<pid>/environ`: NUL-separated `NAME=value` entries (proc(5)). Pure. */
export function parseProcEnviron(text: string): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const entry of text.split('\0')) {
    const index = entry.indexOf('=');
    if (index > 0 && !(entry.slice(0, index) in environment)) environment[entry.slice(0, index)] = entry.slice(index + 1);
  }
  return environment;
}

/**
 * Linux without a session from the caller: the agent process's own environment as the kernel
 * recorded it at exec (/proc/self/environ), read through the host. Null when it cannot be read.
 */
export async function sessionFromProc(host: Host): Promise<UserSession | null> {
  let text: string;
  try {
    text = await host.readFile('/proc/self/environ');
  } catch {
    return null;
  }
  const environment = parseProcEnviron(text);
  return { user: environment.USER ?? environment.LOGNAME ?? null, home: environment.HOME ?? null, environment };
}
