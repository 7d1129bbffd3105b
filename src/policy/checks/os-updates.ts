import type { OsUpdates } from '../../collectors/os-updates/schema.js';
import type { CheckOutcome } from '../types.js';
import { defineCheck, unknownOutcome, type Zod } from './check.js';
import { forPlatform, perPlatform } from './per-platform.js';

/** ` (apt (20auto-upgrades): ...)`: where the answer came from and what it said. */
function from(updates: OsUpdates): string {
  const parts = [updates.source, updates.detail].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? ` (${parts.join(': ')})` : '';
}

/** Which half of "automatic" is off: looking for updates, or installing them. */
function whatIsOff(updates: OsUpdates): string {
  if (updates.automaticCheck === false) return 'The system does not look for updates by itself';
  if (updates.automaticInstall === false) return 'Updates are not installed automatically';
  return 'Automatic updates are off';
}

export const osUpdatesAutomatic = defineCheck({
  type: 'osUpdates.automatic',
  title: 'The operating system installs its updates by itself',
  signal: 'osUpdates',
  params: (z) => z.strictObject({}).optional(),
  evaluate(report) {
    const updates = report.osUpdates;
    if (updates.status === 'enabled') return { status: 'pass', reason: `Updates are looked for and installed automatically${from(updates)}.` };
    if (updates.status === 'disabled') return { status: 'fail', reason: `${whatIsOff(updates)}${from(updates)}.` };
    return unknownOutcome(report, 'osUpdates', 'whether updates are installed automatically');
  },
  remediation: {
    win32:
      'Open Settings > Windows Update: if updates are paused, click "Resume updates", then "Check for updates". If updates stay off (a company policy, or the Windows Update service is disabled), ask IT.',
    darwin:
      'Open System Settings > General > Software Update, click the (i) next to "Automatic updates" and turn on "Check for updates", "Download new updates when available", "Install macOS updates" and "Install Security Responses and system files".',
    linux:
      'Ubuntu/Debian: open Software & Updates > Updates and set "Automatically check for updates" to Daily and "When there are security updates" to "Download and install automatically"; or run "sudo apt install unattended-upgrades" and "sudo dpkg-reconfigure -plow unattended-upgrades" and answer Yes. Fedora/RHEL: run "sudo dnf install dnf-automatic" and "sudo systemctl enable --now dnf-automatic-install.timer" (on Fedora 41 and later: "sudo dnf install dnf5-plugin-automatic", set apply_updates = yes in /etc/dnf/dnf5-plugins/automatic.conf and "sudo systemctl enable --now dnf5-automatic.timer").',
  },
});

const pendingParams = (z: Zod) =>
  z.strictObject({
    /** Most security updates that may wait: `0`, or per OS `{ win32: 0, linux: 5 }`. */
    max: perPlatform(z, z.number().int().min(0).max(10_000)),
    /** Also fail while an installed update waits for a restart. */
    failWhenRebootRequired: z.boolean().optional(),
  });

function plural(value: number, one: string, many: string): string {
  return `${value} ${value === 1 ? one : many}`;
}

function judgePending(updates: OsUpdates, max: number | undefined): CheckOutcome | null {
  if (updates.pendingSecurity === null) return null;
  const waiting = updates.pendingSecurity === 0 ? 'No security update waits' : plural(updates.pendingSecurity, 'security update waits', 'security updates wait');
  if (max !== undefined && updates.pendingSecurity > max) {
    return { status: 'fail', reason: `${waiting} to be installed; at most ${max} may wait.` };
  }
  return { status: 'pass', reason: max === undefined ? `${waiting} to be installed; this policy sets no limit for this OS.` : `${waiting} to be installed (at most ${max} may).` };
}

export const osUpdatesMaxPendingSecurity = defineCheck({
  type: 'osUpdates.maxPendingSecurity',
  title: 'Security updates are installed, and the device restarted after them',
  signal: 'osUpdates',
  params: pendingParams,
  evaluate(report, checkParams) {
    const updates = report.osUpdates;
    const max = forPlatform(checkParams.max, report.os.platform);
    const strictReboot = checkParams.failWhenRebootRequired === true;
    const pending = judgePending(updates, max);
    if (strictReboot && updates.rebootRequired === true) {
      const also = pending?.status === 'fail' ? ` ${pending.reason}` : '';
      return { status: 'fail', reason: `An installed update waits for a restart.${also}` };
    }
    if (pending === null) return unknownOutcome(report, 'osUpdates', 'how many security updates wait to be installed');
    if (pending.status === 'fail') return pending;
    if (strictReboot && updates.rebootRequired === null) {
      return unknownOutcome(report, 'osUpdates', 'whether an installed update waits for a restart');
    }
    return strictReboot ? { ...pending, reason: `${pending.reason} No restart is pending.` } : pending;
  },
  remediation: {
    win32: 'Open Settings > Windows Update, click "Check for updates", install everything offered, then restart (Power > "Update and restart").',
    darwin: 'Open System Settings > General > Software Update, install the updates offered, then restart when asked.',
    linux:
      'Install the updates: Ubuntu/Debian "sudo apt update && sudo apt upgrade" (or the Software Updater), Fedora/RHEL "sudo dnf upgrade --refresh"; then restart if asked (/var/run/reboot-required exists).',
  },
});
