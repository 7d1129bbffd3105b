/**
 * Where the agent keeps its state and the service its data (design §5): the per-user application
 * data folder of each OS, or the per-system one when running as root / SYSTEM. `--state-dir` /
 * POSTURE_AGENT_STATE_DIR and `--data-dir` / POSTURE_SERVICE_DATA_DIR override them.
 */
import { userInfo } from 'node:os';
import { join, win32 } from 'node:path';
import type { Platform } from './platform.js';

export interface ProcessFacts {
  platform: Platform;
  env: Readonly<Record<string, string | undefined>>;
  /** POSIX user id; undefined on Windows. */
  uid: number | undefined;
  home: string;
  /** The operating-system account running the command, for the audit log. */
  userName?: string;
}

/** The account name, or undefined when the system has none for this uid (a container's random uid). */
export function currentUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

function isWindowsSystemAccount(env: ProcessFacts['env']): boolean {
  return (env['USERPROFILE'] ?? '').toLowerCase().endsWith('\\system32\\config\\systemprofile');
}

/** Root, or Windows' SYSTEM account: no desktop session of its own. */
export function isSystemAccount(facts: Pick<ProcessFacts, 'platform' | 'env' | 'uid'>): boolean {
  return facts.platform === 'win32' ? isWindowsSystemAccount(facts.env) : facts.uid === 0;
}

function appDir(facts: ProcessFacts, names: { system: string; user: string; linux: string }, linuxUserBase: string): string {
  const { platform, env, uid, home } = facts;
  if (platform === 'win32') {
    const base = isWindowsSystemAccount(env) ? (env['ProgramData'] ?? 'C:\\ProgramData') : (env['LOCALAPPDATA'] ?? win32.join(home, 'AppData', 'Local'));
    return win32.join(base, names.system);
  }
  if (platform === 'darwin') {
    return uid === 0 ? join('/Library/Application Support', names.system) : join(home, 'Library/Application Support', names.user);
  }
  return uid === 0 ? join('/var/lib', names.linux) : join(linuxUserBase, names.linux);
}

export function defaultStateDir(facts: ProcessFacts): string {
  const xdgState = facts.env['XDG_STATE_HOME'] || join(facts.home, '.local/state');
  return appDir(facts, { system: 'PostureAgent', user: 'PostureAgent', linux: 'posture-agent' }, xdgState);
}

export function defaultDataDir(facts: ProcessFacts): string {
  const xdgData = facts.env['XDG_DATA_HOME'] || join(facts.home, '.local/share');
  return appDir(facts, { system: 'PostureService', user: 'PostureService', linux: 'posture-service' }, xdgData);
}

/**
 * Where a system daemon started with `run --share-status` publishes its local API to every local
 * user (their tray apps): a folder only root / SYSTEM can write, which everyone can read.
 */
export function sharedStatusFile(platform: Platform, env: ProcessFacts['env']): string {
  if (platform === 'win32') return win32.join(env['ProgramData'] ?? 'C:\\ProgramData', 'PostureAgent', 'shared', 'local-api-shared.json');
  if (platform === 'darwin') return '/var/run/posture-agent/local-api-shared.json';
  return '/run/posture-agent/local-api-shared.json';
}
