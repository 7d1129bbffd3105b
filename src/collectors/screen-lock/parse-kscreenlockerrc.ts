/**
 * KDE Plasma's screen locker configuration, `kscreenlockerrc`, in KConfig's INI format: `[Group]`
 * headers (nested groups as `[A][B]`), `Key=Value` entries, `#` comments. KConfig's immutability
 * markers decide what a user may override: `[$i]` alone before the first group locks the whole
 * file, `[Group][$i]` a group, `Key[$i]=` one entry; localised `Key[de]=` entries are not ours.
 *
 * The [Daemon] keys and their defaults are kscreenlocker's kcfg (KDE/kscreenlocker
 * settings/kscreenlockersettings.kcfg): Autolock (true), Timeout in minutes (5; an Int before
 * Plasma 6, a Double since), Lock (true), LockGrace in seconds (5), RequirePassword (true, Plasma
 * 6), LockOnResume (true). A value KConfig cannot convert (`Timeout=false`) reads as the default,
 * so it is returned as not set. Pure.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export interface KscreenlockerSettings {
  autolock: boolean | null;
  timeoutMinutes: number | null;
  lock: boolean | null;
  lockGraceSeconds: number | null;
  requirePassword: boolean | null;
  lockOnResume: boolean | null;
}

export type KscreenlockerKey = keyof KscreenlockerSettings;

export interface KscreenlockerrcFile {
  /** The [Daemon] settings this file sets (null: not set here, or not a value KConfig can read). */
  settings: KscreenlockerSettings;
  /** Keys a file read later (the user's) cannot override: [$i] on the file, the [Daemon] group or the entry. */
  locked: KscreenlockerKey[];
}

export const KSCREENLOCKER_KEYS: readonly KscreenlockerKey[] = ['autolock', 'timeoutMinutes', 'lock', 'lockGraceSeconds', 'requirePassword', 'lockOnResume'];

const CONFIG_KEYS: Readonly<Record<string, KscreenlockerKey>> = {
  Autolock: 'autolock',
  Timeout: 'timeoutMinutes',
  Lock: 'lock',
  LockGrace: 'lockGraceSeconds',
  RequirePassword: 'requirePassword',
  LockOnResume: 'lockOnResume',
};

const NUMERIC_KEYS: ReadonlySet<KscreenlockerKey> = new Set(['timeoutMinutes', 'lockGraceSeconds']);

/** KConfig's boolean words (KConfigGroup::readEntry): anything else reads as the default. */
function kconfigBoolean(value: string): boolean | null {
  switch (value.trim().toLowerCase()) {
    case 'true':
    case 'on':
    case 'yes':
    case '1':
      return true;
    case 'false':
    case 'off':
    case 'no':
    case '0':
      return false;
    default:
      return null;
  }
}

function kconfigNumber(value: string): number | null {
  const text = value.trim();
  return /^-?\d+(?:\.\d+)?$/.test(text) ? Number(text) : null;
}

interface GroupHeader {
  path: string[];
  immutable: boolean;
}

function groupHeader(line: string): GroupHeader | null {
  const segments: string[] = [];
  let rest = line;
  while (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0) return null;
    segments.push(rest.slice(1, end));
    rest = rest.slice(end + 1).trim();
  }
  if (segments.length === 0 || rest !== '') return null;
  const immutable = segments.at(-1) === '$i';
  return { path: immutable ? segments.slice(0, -1) : segments, immutable };
}

export function parseKscreenlockerrc(text: string): KscreenlockerrcFile {
  const settings: KscreenlockerSettings = { autolock: null, timeoutMinutes: null, lock: null, lockGraceSeconds: null, requirePassword: null, lockOnResume: null };
  const locked = new Set<KscreenlockerKey>();
  let fileLocked = false;
  let inDaemon = false;
  let seenGroup = false;
  for (const raw of lines(text)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      const header = groupHeader(line);
      if (!header) throw new AgentError('ERR_PARSE', `kscreenlockerrc has a malformed group line: ${line.slice(0, 200)}`);
      if (!seenGroup && header.path.length === 0 && header.immutable) {
        fileLocked = true;
        continue;
      }
      seenGroup = true;
      inDaemon = header.path.length === 1 && header.path[0] === 'Daemon';
      if (inDaemon && header.immutable) for (const key of KSCREENLOCKER_KEYS) locked.add(key);
      continue;
    }
    if (!inDaemon) continue;
    const entry = /^([^=[\s]+)\s*(?:\[([^\]]*)\])?\s*=(.*)$/.exec(line);
    if (!entry) throw new AgentError('ERR_PARSE', `kscreenlockerrc's [Daemon] group has a line that is not Key=Value: ${line.slice(0, 200)}`);
    const [, name, options, value] = entry as unknown as [string, string, string | undefined, string];
    if (options !== undefined && !options.startsWith('$')) continue;
    const key = CONFIG_KEYS[name];
    if (!key) continue;
    (settings as unknown as Record<KscreenlockerKey, number | boolean | null>)[key] = NUMERIC_KEYS.has(key) ? kconfigNumber(value) : kconfigBoolean(value);
    if (options?.includes('i')) locked.add(key);
  }
  if (fileLocked) for (const key of KSCREENLOCKER_KEYS) locked.add(key);
  return { settings, locked: KSCREENLOCKER_KEYS.filter((key) => locked.has(key)) };
}

/**
 * KConfig's cascade: the files in order from the lowest priority (system /etc/xdg) to the highest
 * (the user's); a later file's value wins unless an earlier file locked the key.
 */
export function mergeKscreenlockerrc(files: readonly KscreenlockerrcFile[]): KscreenlockerSettings {
  const merged: KscreenlockerSettings = { autolock: null, timeoutMinutes: null, lock: null, lockGraceSeconds: null, requirePassword: null, lockOnResume: null };
  const frozen = new Set<KscreenlockerKey>();
  for (const file of files) {
    for (const key of KSCREENLOCKER_KEYS) {
      if (frozen.has(key)) continue;
      const value = file.settings[key];
      if (value !== null) (merged as unknown as Record<KscreenlockerKey, number | boolean | null>)[key] = value;
    }
    for (const key of file.locked) frozen.add(key);
  }
  return merged;
}
