/**
 * Screen lock on macOS, read as the logged-in user. macOS asks for the password a grace delay
 * after the screen saver starts or the display sleeps ("Require password after screen saver
 * begins or display is turned off"), so:
 *
 *   delay = min(screen saver idle time, display sleep) + grace, for the worst power source.
 *
 * Sources, managed values first (a configuration profile's Screensaver payload wins over the
 * user's choice; since 10.13 the per-user com.apple.screensaver askForPassword keys are not
 * authoritative, shared fixture screen-lock/11 and kolide.com "Screensaver security on macOS 10.13
 * is broken"):
 * - the profile: `defaults read` of /Library/Managed Preferences/<user>/com.apple.screensaver.plist
 *   (user-scope payload) and /Library/Managed Preferences/com.apple.screensaver.plist (device
 *   scope), only those that exist (checked without a process): askForPassword,
 *   askForPasswordDelay, idleTime;
 * - `sysadminctl -screenLock status` for the password and its grace, unless the profile set both;
 * - `defaults -currentHost read com.apple.screensaver idleTime` for the screen saver, unless the
 *   profile set it (absent: macOS's default of 20 minutes);
 * - `pmset -g custom` for display sleep per power source.
 * When no password is required, nothing more is started. A usual check starts 3 processes.
 */
import { DARWIN_COMMANDS } from '../../exec/commands-darwin.js';
import { isAgentError } from '../../shared/errors.js';
import { parseDefaultsReadInteger } from '../firewall/parse-defaults-read.js';
import type { CollectContext, Host, SignalCollector } from '../host.js';
import { attempt, pathExists, toAgentError } from '../host-errors.js';
import { commandText } from '../macos/command-text.js';
import { parsePmsetCustom, type PowerSourceDisplaySleep } from './parse-pmset-custom.js';
import { parseScreensaverDefaults, type ScreensaverDefaults } from './parse-screensaver-defaults.js';
import { parseSysadminctlScreenLock, type SysadminctlScreenLock } from './parse-sysadminctl.js';
import { earliestLock, latestLock, screenLockDisabled, screenLockEnabled, UNKNOWN_SCREEN_LOCK, type LockTime, type ScreenLock } from './schema.js';
import type { UserSession } from './session.js';

export const PROFILE_SOURCE = 'configuration profile';
export const SYSADMINCTL_SOURCE = 'sysadminctl';
const MANAGED_PREFERENCES = '/Library/Managed Preferences';
const SCREENSAVER_DOMAIN = 'com.apple.screensaver';
/** "Start Screen Saver when inactive" when the user never chose: 20 minutes. */
export const DEFAULT_SCREENSAVER_IDLE_SECONDS = 1200;

/** The managed com.apple.screensaver plists, the user's scope before the device's. */
export function managedScreensaverPlists(user: string | null): string[] {
  const safeUser = user && /^[^/\0]+$/.test(user) && user !== '.' && user !== '..' ? user : null;
  return [
    ...(safeUser ? [`${MANAGED_PREFERENCES}/${safeUser}/${SCREENSAVER_DOMAIN}.plist`] : []),
    `${MANAGED_PREFERENCES}/${SCREENSAVER_DOMAIN}.plist`,
  ];
}

async function readManaged(host: Host, ctx: CollectContext, user: string | null): Promise<ScreensaverDefaults | undefined> {
  const merged: ScreensaverDefaults = { askForPassword: null, askForPasswordDelay: null, idleTime: null };
  for (const plist of managedScreensaverPlists(user)) {
    const exists = await attempt(ctx, plist, () => pathExists(host, plist));
    if (exists === undefined) return undefined;
    if (exists === false) continue;
    const domain = plist.replace(/\.plist$/, '');
    const values = await attempt(ctx, `${DARWIN_COMMANDS.defaults} read ${domain}`, async () =>
      parseScreensaverDefaults(commandText(await host.run(DARWIN_COMMANDS.defaults, ['read', domain]))),
    );
    if (!values) return undefined;
    merged.askForPassword ??= values.askForPassword;
    merged.askForPasswordDelay ??= values.askForPasswordDelay;
    merged.idleTime ??= values.idleTime;
  }
  return merged;
}

async function readSysadminctl(host: Host): Promise<SysadminctlScreenLock> {
  return parseSysadminctlScreenLock(commandText(await host.run(DARWIN_COMMANDS.sysadminctl, ['-screenLock', 'status'])));
}

/** The user's screen saver start, in seconds (0 = never); the default when the key is not set. */
async function readScreensaverIdle(host: Host): Promise<number> {
  const result = await host.run(DARWIN_COMMANDS.defaults, ['-currentHost', 'read', SCREENSAVER_DOMAIN, 'idleTime']);
  try {
    return parseDefaultsReadInteger(commandText(result));
  } catch (error) {
    if (isAgentError(error) && error.code === 'ERR_NOT_FOUND') return DEFAULT_SCREENSAVER_IDLE_SECONDS;
    throw error;
  }
}

async function readDisplaySleep(host: Host): Promise<PowerSourceDisplaySleep[]> {
  return parsePmsetCustom(commandText(await host.run(DARWIN_COMMANDS.pmset, ['-g', 'custom'])));
}

interface Password {
  required: boolean;
  graceSeconds: number;
  source: string;
}

async function password(host: Host, ctx: CollectContext, managed: ScreensaverDefaults): Promise<Password | undefined> {
  if (managed.askForPassword === false) return { required: false, graceSeconds: 0, source: PROFILE_SOURCE };
  if (managed.askForPassword === true && managed.askForPasswordDelay !== null) {
    return { required: true, graceSeconds: Math.max(0, managed.askForPasswordDelay), source: PROFILE_SOURCE };
  }
  const status = await attempt(ctx, `${DARWIN_COMMANDS.sysadminctl} -screenLock status`, () => readSysadminctl(host));
  if (!status) return undefined;
  if (managed.askForPassword === true) {
    // The profile requires the password; only its grace comes from sysadminctl.
    return { required: true, graceSeconds: status.graceSeconds ?? 0, source: PROFILE_SOURCE };
  }
  return { required: status.passwordRequired, graceSeconds: status.graceSeconds ?? 0, source: SYSADMINCTL_SOURCE };
}

/** Seconds of inactivity until the screen saver starts or the display sleeps, per power source, worst first. */
export function idleLockTime(screensaverIdle: LockTime, displaySleep: readonly PowerSourceDisplaySleep[] | null): LockTime {
  const screensaver: LockTime = typeof screensaverIdle === 'number' && screensaverIdle <= 0 ? 'never' : screensaverIdle;
  if (!displaySleep) return earliestLock([screensaver, 'unknown']);
  return latestLock(
    displaySleep.map((source) => {
      const display: LockTime = source.displaySleepMinutes === null ? 'unknown' : source.displaySleepMinutes === 0 ? 'never' : source.displaySleepMinutes * 60;
      return earliestLock([screensaver, display]);
    }),
  );
}

export function collectScreenLockDarwinFor(session: UserSession | null): SignalCollector<ScreenLock> {
  return async (host, ctx) => {
    const managed = await readManaged(host, ctx, session?.user ?? null);
    if (!managed) return UNKNOWN_SCREEN_LOCK;
    const required = await password(host, ctx, managed);
    if (!required) return UNKNOWN_SCREEN_LOCK;
    if (!required.required) return screenLockDisabled(required.source);

    const screensaverIdle: LockTime =
      managed.idleTime ?? (await attempt(ctx, `${DARWIN_COMMANDS.defaults} -currentHost read ${SCREENSAVER_DOMAIN} idleTime`, () => readScreensaverIdle(host))) ?? 'unknown';
    let displaySleep: PowerSourceDisplaySleep[] | null = null;
    try {
      displaySleep = await readDisplaySleep(host);
    } catch (error) {
      const agentError = toAgentError(error, `${DARWIN_COMMANDS.pmset} -g custom`);
      ctx.error(agentError.code, agentError.message);
    }
    const idle = idleLockTime(screensaverIdle, displaySleep);
    if (idle === 'never') return screenLockDisabled(required.source);
    if (idle === 'unknown') {
      ctx.error('ERR_SIGNAL_UNAVAILABLE', 'A password is required after the screen saver or display sleep, but when either starts could not be read.');
      return UNKNOWN_SCREEN_LOCK;
    }
    return screenLockEnabled(idle + required.graceSeconds, required.source);
  };
}

export const collectScreenLockDarwin: SignalCollector<ScreenLock> = collectScreenLockDarwinFor(null);
