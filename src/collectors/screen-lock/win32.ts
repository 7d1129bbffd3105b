/**
 * Screen lock on Windows, read as the logged-in user with one PowerShell probe
 * (screen-lock-script.ts). Three things lock an idle session; the earliest one counts:
 *
 * 1. The machine inactivity limit, HKLM\...\Policies\System InactivityTimeoutSecs (Group Policy
 *    "Interactive logon: Machine inactivity limit"): Windows locks the session after that many
 *    seconds; set and > 0, it always locks.
 * 2. A password-protected screen saver: ScreenSaveActive = 1, ScreenSaverIsSecure = 1, a
 *    SCRNSAVE.EXE and ScreenSaveTimeOut > 0, each from the user policy key when it sets it, else
 *    from the user's own key. Per the policy's documentation (Policy CSP
 *    ADMX_ControlPanelDisplay, CPL_Personalization_ScreenSaverTimeOut) the timeout has no effect
 *    when the screen saver is disabled or no screen saver program is set; its default is 15
 *    minutes.
 * 3. Sleep with a password on wake: STANDBYIDLE > 0 and CONSOLELOCK = 1 for the power source
 *    (Group Policy's PowerSettings values over the active scheme's, powercfg /qh).
 *
 * A laptop is judged on the worse of AC and battery: if one never locks, the status is disabled.
 * Not read: Modern Standby's "require sign-in after display off" delay, and whether a desktop has
 * a battery at all (its battery values then count although they never apply).
 */
import type { CollectContext, Host, SignalCollector } from '../host.js';
import { attempt } from '../host-errors.js';
import { problemCode, type SourceStatus } from '../windows/parse-powershell-document.js';
import { runPowerShell } from '../windows/powershell.js';
import { parseScreenLockJson, type AcDc, type DesktopValues, type ScreenLockReadingWin32 } from './parse-screen-lock-json.js';
import { SCREEN_LOCK_SCRIPT } from './screen-lock-script.js';
import { earliestLock, latestLock, screenLockDisabled, screenLockEnabled, UNKNOWN_SCREEN_LOCK, type LockTime, type ScreenLock } from './schema.js';
import type { UserSession } from './session.js';

export const INACTIVITY_SOURCE = 'group policy InactivityTimeoutSecs';
export const SCREEN_SAVER_SOURCE = 'screen saver (registry)';
export const SCREEN_SAVER_POLICY_SOURCE = 'screen saver (group policy)';
export const SLEEP_SOURCE = 'sleep with password on wake (CONSOLELOCK)';
export const DISABLED_SOURCE = 'registry and power settings';
/** "The default is 15 minutes" (CPL_Personalization_ScreenSaverTimeOut). */
const DEFAULT_SCREEN_SAVER_TIMEOUT = 900;

interface Mechanism {
  source: string;
  ac: LockTime;
  dc: LockTime;
}

function inactivity(reading: ScreenLockReadingWin32): Mechanism {
  const time: LockTime = reading.machinePolicySource !== 'read' ? 'unknown' : (reading.inactivityTimeoutSecs ?? 0) > 0 ? reading.inactivityTimeoutSecs! : 'never';
  return { source: INACTIVITY_SOURCE, ac: time, dc: time };
}

function screenSaver(reading: ScreenLockReadingWin32): Mechanism {
  const policy = reading.policyDesktop;
  const setByPolicy = policy !== null && Object.values(policy).some((value) => value !== null);
  const source = setByPolicy ? SCREEN_SAVER_POLICY_SOURCE : SCREEN_SAVER_SOURCE;
  if (reading.userDesktopSource !== 'read' || reading.policyDesktopSource !== 'read') return { source, ac: 'unknown', dc: 'unknown' };
  const value = (name: keyof DesktopValues): string | null => {
    const chosen = policy?.[name] ?? reading.userDesktop?.[name] ?? null;
    return chosen === null ? null : chosen.trim();
  };
  const timeoutText = value('screenSaveTimeOut');
  const timeout = timeoutText === null || timeoutText === '' ? DEFAULT_SCREEN_SAVER_TIMEOUT : /^\d+$/.test(timeoutText) ? Number(timeoutText) : null;
  let time: LockTime;
  if (value('screenSaveActive') !== '1' || value('screenSaverIsSecure') !== '1' || !value('screenSaverExe')) time = 'never';
  else if (timeout === null) time = 'unknown';
  else time = timeout > 0 ? timeout : 'never';
  return { source, ac: time, dc: time };
}

function sleepLock(standbyIdle: number | null, consoleLock: number | null): LockTime {
  if (standbyIdle === 0 || consoleLock === 0) return 'never';
  if (standbyIdle === null || consoleLock === null) return 'unknown';
  return standbyIdle;
}

function powerValue(policy: AcDc | null, scheme: AcDc | null, schemeSource: SourceStatus, side: keyof AcDc): number | null {
  return policy?.[side] ?? (schemeSource === 'read' ? (scheme?.[side] ?? null) : null);
}

function sleep(reading: ScreenLockReadingWin32): Mechanism {
  const side = (name: keyof AcDc): LockTime =>
    sleepLock(
      powerValue(reading.policyStandbyIdle, reading.standbyIdle, reading.standbyIdleSource, name),
      powerValue(reading.policyConsoleLock, reading.consoleLock, reading.consoleLockSource, name),
    );
  return { source: SLEEP_SOURCE, ac: side('ac'), dc: side('dc') };
}

/** The status from a probe reading (pure; the collector adds the errors). */
export function deriveScreenLockWin32(reading: ScreenLockReadingWin32): ScreenLock {
  const mechanisms = [inactivity(reading), screenSaver(reading), sleep(reading)];
  const perSide = (['ac', 'dc'] as const).map((side) => ({ side, time: earliestLock(mechanisms.map((mechanism) => mechanism[side])) }));
  const overall = latestLock(perSide.map((entry) => entry.time));
  if (overall === 'never') return screenLockDisabled(DISABLED_SOURCE);
  if (overall === 'unknown') return UNKNOWN_SCREEN_LOCK;
  const worst = perSide.find((entry) => entry.time === overall)!;
  const decisive = mechanisms.find((mechanism) => mechanism[worst.side] === overall)!;
  return screenLockEnabled(overall, decisive.source);
}

const SOURCES: readonly [keyof ScreenLockReadingWin32, string][] = [
  ['machinePolicySource', 'The machine inactivity limit (HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System)'],
  ['userDesktopSource', "The user's screen saver settings (HKCU\\Control Panel\\Desktop)"],
  ['policyDesktopSource', 'The screen saver Group Policy (HKCU\\Software\\Policies\\Microsoft\\Windows\\Control Panel\\Desktop)'],
  ['powerPolicySource', 'The power Group Policy (HKLM\\SOFTWARE\\Policies\\Microsoft\\Power\\PowerSettings)'],
  ['consoleLockSource', 'The password-on-wake power setting (powercfg /qh SCHEME_CURRENT SUB_NONE CONSOLELOCK)'],
  ['standbyIdleSource', 'The sleep timeout (powercfg /qh SCHEME_CURRENT SUB_SLEEP STANDBYIDLE)'],
];

function reportProblems(ctx: CollectContext, reading: ScreenLockReadingWin32): void {
  for (const [key, what] of SOURCES) {
    const source = reading[key] as SourceStatus;
    if (source !== 'read') ctx.error(problemCode(source), `${what} could not be read: ${source.message}`);
  }
  if (reading.consoleLockSource === 'read' && reading.consoleLock === null && reading.policyConsoleLock === null) {
    ctx.error('ERR_NOT_FOUND', 'powercfg /qh did not list CONSOLELOCK (require a password on wakeup) for the active power scheme.');
  }
}

export function collectScreenLockWin32For(_session: UserSession | null): SignalCollector<ScreenLock> {
  return async (host: Host, ctx: CollectContext) => {
    const reading = await attempt(ctx, 'The screen lock settings (PowerShell: registry and powercfg)', async () => parseScreenLockJson(await runPowerShell(host, SCREEN_LOCK_SCRIPT)));
    if (!reading) return UNKNOWN_SCREEN_LOCK;
    reportProblems(ctx, reading);
    const lock = deriveScreenLockWin32(reading);
    if (lock.status === 'unknown') ctx.error('ERR_SIGNAL_UNAVAILABLE', 'Whether the idle session locks with a password is not known: a setting that decides it could not be read.');
    return lock;
  };
}

export const collectScreenLockWin32: SignalCollector<ScreenLock> = collectScreenLockWin32For(null);
