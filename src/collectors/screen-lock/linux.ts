/**
 * Screen lock on Linux, read as the logged-in user, for the two desktops that have one setting
 * store: GNOME (and GNOME-based sessions: Ubuntu, Unity, Budgie) and KDE Plasma.
 *
 * Which desktop: the session's XDG_CURRENT_DESKTOP (a colon-separated list, freedesktop Desktop
 * Entry spec). Without it (an agent started outside the desktop session), KDE when a
 * kscreenlockerrc exists, else GNOME when the user has a dconf database and gsettings lists GNOME's
 * desktop schemas, else unknown.
 *
 * GNOME: one `gsettings list-recursively` (one process for all four keys; GLib resolves the user's
 * dconf database, system defaults and locks). gnome-shell (js/ui/screenShield.js) locks when the
 * session has been idle for idle-delay seconds (0 = never idle), then lock-delay seconds more (at
 * least its 10-second fade), if lock-enabled, unless org.gnome.desktop.lockdown disable-lock-screen.
 * Reported delay: idle-delay + lock-delay (the fade is not added).
 *
 * KDE: kscreenlockerrc through KConfig's cascade, $XDG_CONFIG_DIRS (default /etc/xdg; Plasma puts
 * ~/.config/kdedefaults first) then $XDG_CONFIG_HOME (default ~/.config); no process. ksldapp.cpp
 * locks after Timeout minutes when Autolock and Timeout > 0, and asks for the password after
 * LockGrace seconds; Lock=false or RequirePassword=false lock without a password (--nolock).
 */
import { LINUX_COMMANDS } from '../../exec/commands-linux.js';
import { AgentError } from '../../shared/errors.js';
import type { CollectContext, Host, SignalCollector } from '../host.js';
import { attempt, pathExists, readOptionalFile, toAgentError } from '../host-errors.js';
import { commandOutput } from '../linux/command-output.js';
import { parseGsettingsList, type GnomeLockSettings } from './parse-gsettings.js';
import type { KscreenlockerrcFile, KscreenlockerSettings } from './parse-kscreenlockerrc.js';
import { screenLockDisabled, screenLockEnabled, UNKNOWN_SCREEN_LOCK, type ScreenLock } from './schema.js';
import { sessionFromProc, type UserSession } from './session.js';

export const GNOME_SOURCE = 'gsettings (GNOME)';
export const KDE_SOURCE = 'kscreenlockerrc (KDE)';
const KSCREENLOCKERRC = 'kscreenlockerrc';

/** kscreenlocker's kcfg defaults. */
const KDE_DEFAULTS: Readonly<Record<keyof KscreenlockerSettings, number | boolean>> = {
  autolock: true,
  timeoutMinutes: 5,
  lock: true,
  lockGraceSeconds: 5,
  requirePassword: true,
  lockOnResume: true,
};

type Desktop = { kind: 'gnome' } | { kind: 'kde' } | { kind: 'other'; name: string } | { kind: 'none' };

/** XDG_CURRENT_DESKTOP: `KDE`, `GNOME`, `ubuntu:GNOME`, `Budgie:GNOME`, `Unity`, `X-Cinnamon`, `XFCE`, ... */
export function desktopOf(currentDesktop: string | undefined): Desktop {
  const names = (currentDesktop ?? '').split(':').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) return { kind: 'none' };
  const upper = names.map((name) => name.toUpperCase());
  if (upper.includes('KDE')) return { kind: 'kde' };
  if (upper.includes('GNOME') || upper.includes('UNITY')) return { kind: 'gnome' };
  return { kind: 'other', name: names.join(':') };
}

interface ConfigPaths {
  /** kscreenlockerrc files, lowest priority first (without the user's when the home is not known). */
  files: string[];
  userFile: string | null;
  /** $XDG_CONFIG_HOME or ~/.config; null when neither is known. */
  configHome: string | null;
}

export function kscreenlockerrcPaths(session: UserSession | null): ConfigPaths {
  const environment = session?.environment ?? {};
  const home = session?.home ?? environment.HOME ?? null;
  const configHome = environment.XDG_CONFIG_HOME?.startsWith('/') ? environment.XDG_CONFIG_HOME : home ? `${home.replace(/\/+$/, '')}/.config` : null;
  // XDG Base Directory spec: XDG_CONFIG_DIRS is most important first; unset or empty means /etc/xdg.
  const dirs = (environment.XDG_CONFIG_DIRS ?? '').split(':').filter((dir) => dir.startsWith('/'));
  const systemDirs = dirs.length > 0 ? dirs : ['/etc/xdg'];
  // startplasma puts $XDG_CONFIG_HOME/kdedefaults (the global theme's defaults) first in XDG_CONFIG_DIRS.
  if (configHome && !systemDirs.includes(`${configHome}/kdedefaults`)) systemDirs.unshift(`${configHome}/kdedefaults`);
  const userFile = configHome ? `${configHome}/${KSCREENLOCKERRC}` : null;
  const files = [...systemDirs].reverse().map((dir) => `${dir.replace(/\/+$/, '')}/${KSCREENLOCKERRC}`);
  return { files: userFile ? [...files, userFile] : files, userFile, configHome };
}

export function gnomeScreenLock(settings: GnomeLockSettings): ScreenLock {
  if (settings.lockEnabled === null || settings.idleDelaySeconds === null) {
    throw new AgentError('ERR_PARSE', 'gsettings did not list org.gnome.desktop.screensaver lock-enabled and org.gnome.desktop.session idle-delay.');
  }
  if (settings.lockScreenDisabled === true || !settings.lockEnabled || settings.idleDelaySeconds === 0) return screenLockDisabled(GNOME_SOURCE);
  return screenLockEnabled(settings.idleDelaySeconds + (settings.lockDelaySeconds ?? 0), GNOME_SOURCE);
}

export function kdeScreenLock(settings: KscreenlockerSettings): ScreenLock {
  const value = (key: keyof KscreenlockerSettings): number | boolean => settings[key] ?? KDE_DEFAULTS[key];
  const timeoutMinutes = value('timeoutMinutes') as number;
  const lockGrace = Math.max(0, value('lockGraceSeconds') as number);
  // Timeout <= 0 is "no idle lock" (ksldapp.cpp keeps it for old configs); a Plasma 5 kcfg with
  // <min>1</min> would read it as 1 minute, so disabled is the cautious answer there.
  if (value('autolock') !== true || timeoutMinutes <= 0) return screenLockDisabled(KDE_SOURCE);
  if (value('lock') !== true || value('requirePassword') !== true) return screenLockDisabled(KDE_SOURCE);
  return screenLockEnabled(timeoutMinutes * 60 + lockGrace, KDE_SOURCE);
}

async function readGsettings(host: Host): Promise<GnomeLockSettings> {
  const result = await host.run(LINUX_COMMANDS.gsettings, ['list-recursively']);
  return parseGsettingsList(commandOutput(result));
}

async function gnome(host: Host, ctx: CollectContext): Promise<ScreenLock> {
  const settings = await attempt(ctx, `${LINUX_COMMANDS.gsettings} list-recursively`, () => readGsettings(host));
  if (!settings) return UNKNOWN_SCREEN_LOCK;
  return (await attempt(ctx, 'GNOME screen lock settings', () => Promise.resolve(gnomeScreenLock(settings)))) ?? UNKNOWN_SCREEN_LOCK;
}

async function readKscreenlockerrc(host: Host, path: string): Promise<KscreenlockerrcFile | null> {
  const text = await readOptionalFile(host, path);
  if (text === null) return null;
  const { parseKscreenlockerrc } = await import('./parse-kscreenlockerrc.js');
  return parseKscreenlockerrc(text);
}

async function kde(host: Host, ctx: CollectContext, paths: ConfigPaths): Promise<ScreenLock> {
  if (!paths.userFile) {
    ctx.error('ERR_SIGNAL_UNAVAILABLE', "KDE's screen lock settings could not be read: the user's home directory (HOME) is not known, so ~/.config/kscreenlockerrc cannot be found.");
    return UNKNOWN_SCREEN_LOCK;
  }
  const files: KscreenlockerrcFile[] = [];
  for (const path of paths.files) {
    const file = await attempt(ctx, path, () => readKscreenlockerrc(host, path));
    if (file === undefined) return UNKNOWN_SCREEN_LOCK;
    if (file) files.push(file);
  }
  const { mergeKscreenlockerrc } = await import('./parse-kscreenlockerrc.js');
  return kdeScreenLock(mergeKscreenlockerrc(files));
}

/**
 * Without XDG_CURRENT_DESKTOP: KDE when some kscreenlockerrc exists; GNOME when the user has a dconf
 * database (~/.config/dconf/user, written at a GSettings desktop's first login) and gsettings lists
 * GNOME's schemas. Schemas alone prove nothing: a headless machine with GTK installed has them too.
 */
async function detect(host: Host, ctx: CollectContext, paths: ConfigPaths): Promise<ScreenLock> {
  for (const path of paths.files) {
    const exists = await attempt(ctx, path, () => pathExists(host, path));
    if (exists === undefined) return UNKNOWN_SCREEN_LOCK;
    // null: a permission error hides it; kde() then reports why it cannot be read.
    if (exists !== false) return kde(host, ctx, paths);
  }
  const dconf = paths.configHome ? `${paths.configHome}/dconf/user` : null;
  const dconfExists = dconf ? await attempt(ctx, dconf, () => pathExists(host, dconf)) : false;
  if (dconfExists === undefined) return UNKNOWN_SCREEN_LOCK;
  if (dconfExists !== false) {
    try {
      return gnomeScreenLock(await readGsettings(host));
    } catch (error) {
      const agentError = toAgentError(error, `${LINUX_COMMANDS.gsettings} list-recursively`);
      if (agentError.code !== 'ERR_NOT_FOUND' && agentError.code !== 'ERR_COMMAND_NOT_FOUND') {
        ctx.error(agentError.code, agentError.message);
        return UNKNOWN_SCREEN_LOCK;
      }
    }
  }
  ctx.error(
    'ERR_SIGNAL_UNAVAILABLE',
    'No GNOME or KDE session settings found: the session names no desktop (XDG_CURRENT_DESKTOP), there is no kscreenlockerrc, and no GNOME settings (a dconf database and gsettings with GNOME\'s schemas).',
  );
  return UNKNOWN_SCREEN_LOCK;
}

/** The collector for one user session; without one it reads the agent's own environment from /proc/self/environ. */
export function collectScreenLockLinuxFor(session: UserSession | null): SignalCollector<ScreenLock> {
  return async (host, ctx) => {
    const effective = session ?? (await sessionFromProc(host));
    const paths = kscreenlockerrcPaths(effective);
    const desktop = desktopOf(effective?.environment.XDG_CURRENT_DESKTOP);
    switch (desktop.kind) {
      case 'kde':
        return kde(host, ctx, paths);
      case 'gnome':
        return gnome(host, ctx);
      case 'other':
        ctx.error('ERR_UNSUPPORTED', `The desktop "${desktop.name}" is neither GNOME nor KDE Plasma; its screen lock settings are not read.`);
        return UNKNOWN_SCREEN_LOCK;
      case 'none':
        return detect(host, ctx, paths);
    }
  };
}

export const collectScreenLockLinux: SignalCollector<ScreenLock> = collectScreenLockLinuxFor(null);
