import type { ScreenLock } from '../../collectors/screen-lock/schema.js';
import { defineCheck, unknownOutcome, type Zod } from './check.js';
import { forPlatform, perPlatform } from './per-platform.js';

const params = (z: Zod) =>
  z.strictObject({
    /**
     * Longest idle time, in seconds, until a password is needed: `900` or `{ win32: 900, darwin: 600 }`.
     * A day at most: longer is a typo, not a policy.
     */
    seconds: perPlatform(z, z.number().int().min(0).max(86_400)),
  });

/** `90 seconds`, `5 minutes`, `1 minute`. */
export function describeSeconds(value: number): string {
  if (value !== 0 && value % 60 === 0) return value === 60 ? '1 minute' : `${value / 60} minutes`;
  return value === 1 ? '1 second' : `${value} seconds`;
}

/** ` in ada's session` when the report says whose session it was read in. */
function inSession(lock: ScreenLock): string {
  return lock.user ? ` in ${lock.user}'s session` : '';
}

function from(lock: ScreenLock): string {
  return lock.source ? ` (${lock.source})` : '';
}

export const screenLockMaxDelay = defineCheck({
  type: 'screenLock.maxDelaySeconds',
  title: 'The screen locks with a password soon after the device is left idle',
  signal: 'screenLock',
  params,
  evaluate(report, checkParams) {
    const lock = report.screenLock;
    const max = forPlatform(checkParams.seconds, report.os.platform);
    const where = `${inSession(lock)}${from(lock)}`;
    if (lock.status === 'disabled') {
      const limit = max === undefined ? '' : `; it must within ${describeSeconds(max)}`;
      return { status: 'fail', reason: `The screen never locks with a password when idle${where}${limit}.` };
    }
    if (lock.status !== 'enabled' || lock.delaySeconds === null) {
      return unknownOutcome(report, 'screenLock', `whether the screen locks with a password when idle${inSession(lock)}`);
    }
    const after = describeSeconds(lock.delaySeconds);
    if (max === undefined) {
      return { status: 'pass', reason: `The screen locks with a password after ${after} idle${where}; this policy sets no limit for this OS.` };
    }
    if (lock.delaySeconds > max) {
      return { status: 'fail', reason: `The screen locks with a password only after ${after} idle${where}; at most ${describeSeconds(max)} is allowed.` };
    }
    return { status: 'pass', reason: `The screen locks with a password after ${after} idle${where}; at most ${describeSeconds(max)} is allowed.` };
  },
  remediation: {
    win32:
      'Open Settings > Personalization > Lock screen > Screen saver, set "Wait" to the time above or less and tick "On resume, display logon screen", then OK. Also check Settings > Accounts > Sign-in options: "If you\'ve been away, when should Windows require you to sign in again?" must be "When PC wakes up from sleep". If these settings are greyed out, ask IT.',
    darwin:
      'Open System Settings > Lock Screen: set "Start Screen Saver when inactive" and both "Turn display off ... when inactive" to the time above or less, and "Require password after screen saver begins or display is turned off" to "Immediately".',
    linux:
      'GNOME (Ubuntu): open Settings > Privacy & Security > Screen Lock (Settings > Privacy > Screen Lock on older releases), turn on "Automatic Screen Lock", set "Blank Screen Delay" (under Settings > Power on older releases) and "Automatic Screen Lock Delay" so that together they stay within the time above. KDE Plasma: open System Settings > Security & Privacy > Screen Locking (Workspace Behavior > Screen Locking in Plasma 5), tick "Lock screen automatically" after at most that time and keep the password delay short.',
  },
});
