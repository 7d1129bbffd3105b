/**
 * Automatic updates on Windows: one PowerShell probe (windows-script.ts), readable by a standard user.
 *
 * What Windows Update will do, first source that says:
 * 1. Group Policy "Configure Automatic Updates" (HKLM\SOFTWARE\Policies\Microsoft\Windows\
 *    WindowsUpdate\AU): NoAutoUpdate 1 turns automatic updates off; AUOptions 2 notifies before
 *    downloading, 3 downloads and notifies before installing, 4 downloads and installs on a
 *    schedule, 7 downloads and notifies to install (Server), 5 lets the local administrator choose.
 * 2. MDM (Policy CSP Update/AllowAutoUpdate): 0 notifies before downloading, 1-4 install
 *    automatically, 5 turns automatic updates off.
 * 3. The Automatic Updates settings (IAutomaticUpdatesSettings.NotificationLevel): 1 disabled,
 *    2 notify before download, 3 notify before installation, 4 scheduled installation.
 * 4. No policy: Windows 10 and 11 download and install updates by themselves.
 * Whatever the mode, nothing runs when the Windows Update service (wuauserv) is disabled, and
 * nothing installs while updates are paused (Settings > Windows Update > Pause, until the end time).
 *
 * Pending updates: Windows knows them only by searching (IUpdateSearcher), which contacts the update
 * service and can take minutes, so null with the reason. Reboot: the RebootRequired key Windows
 * Update sets, or ISystemInformation.RebootRequired.
 *
 * When the probe cannot run at all, `reg.exe query` of the policy key can still prove that a policy
 * turns automatic installation off; it can never prove that updates install (the service state and
 * pauses are unknown then).
 */
import { WIN32_COMMANDS } from '../../exec/commands-win32.js';
import type { CollectContext, Host } from '../host.js';
import { attempt } from '../host-errors.js';
import { problemCode, type SourceStatus } from '../windows/parse-powershell-document.js';
import { outputText, runPowerShell } from '../windows/powershell.js';
import { parseOsUpdatesJson, type OsUpdatesReading, type WindowsUpdatePolicy } from './parse-os-updates-json.js';
import { parseWuPolicyRegQuery, WU_POLICY_KEY } from './parse-wu-policy-reg-query.js';
import { deriveOsUpdatesStatus, joinDetail, UNKNOWN_OS_UPDATES, type OsUpdates } from './schema.js';
import { OS_UPDATES_SCRIPT } from './windows-script.js';

type Tri = boolean | null;

interface Mode {
  check: Tri;
  download: Tri;
  install: Tri;
  source: string;
  why: string;
}

const SERVICE_DISABLED = 4;

const AU_OPTIONS: Readonly<Record<number, [boolean, boolean, boolean, string]>> = {
  2: [true, false, false, 'notify before downloading and installing'],
  3: [true, true, false, 'download automatically, notify before installing'],
  4: [true, true, true, 'download automatically and install on a schedule'],
  7: [true, true, false, 'download automatically, notify to install and to restart'],
};

const MDM_ALLOW_AUTO_UPDATE: Readonly<Record<number, [boolean, boolean, boolean, string]>> = {
  0: [true, false, false, 'notify before downloading'],
  1: [true, true, true, 'install automatically at maintenance time'],
  2: [true, true, true, 'install and restart automatically at maintenance time'],
  3: [true, true, true, 'install and restart automatically at a scheduled time'],
  4: [true, true, true, 'install and restart automatically, without user control'],
  5: [false, false, false, 'automatic updates turned off'],
};

const NOTIFICATION_LEVELS: Readonly<Record<number, [boolean, boolean, boolean, string]>> = {
  1: [false, false, false, 'disabled'],
  2: [true, false, false, 'notify before download'],
  3: [true, true, false, 'notify before installation'],
  4: [true, true, true, 'scheduled installation'],
};

function mode([check, download, install, meaning]: [boolean, boolean, boolean, string], source: string, why: string): Mode {
  return { check, download, install, source, why: `${why}: ${meaning}` };
}

/** The Group Policy's mode; null when it leaves the choice to someone else (no policy, AUOptions 5 or unset). */
function policyMode(policy: WindowsUpdatePolicy | null): Mode | null {
  if (!policy) return null;
  const source = 'Windows Update policy (Group Policy)';
  if (policy.noAutoUpdate === 1) return { check: false, download: false, install: false, source, why: 'NoAutoUpdate 1: automatic updates turned off' };
  const known = policy.auOptions === null ? undefined : AU_OPTIONS[policy.auOptions];
  return known ? mode(known, source, `AUOptions ${policy.auOptions}`) : null;
}

function mdmMode(allowAutoUpdate: number | null): Mode | null {
  const known = allowAutoUpdate === null ? undefined : MDM_ALLOW_AUTO_UPDATE[allowAutoUpdate];
  return known ? mode(known, 'Windows Update policy (MDM)', `AllowAutoUpdate ${allowAutoUpdate}`) : null;
}

function settingsMode(level: number | null): Mode | null {
  const known = level === null ? undefined : NOTIFICATION_LEVELS[level];
  return known ? mode(known, 'Windows Update (Automatic Updates settings)', `NotificationLevel ${level}`) : null;
}

const DEFAULT_MODE: Mode = {
  check: true,
  download: true,
  install: true,
  source: 'Windows Update (default)',
  why: 'no policy: Windows downloads and installs updates by itself',
};

function isRead(source: SourceStatus): boolean {
  return source === 'read';
}

function effectiveMode(reading: OsUpdatesReading): Mode | null {
  const fromPolicy = isRead(reading.policy.source) ? policyMode(reading.policy.value) : null;
  if (fromPolicy) return fromPolicy;
  const fromMdm = isRead(reading.mdm.source) ? mdmMode(reading.mdm.value?.allowAutoUpdate ?? null) : null;
  if (fromMdm) return fromMdm;
  const fromSettings = isRead(reading.autoUpdate.source) ? settingsMode(reading.autoUpdate.value?.notificationLevel ?? null) : null;
  if (fromSettings) return fromSettings;
  // Level 0 (not configured) or no settings object: the default applies only when no policy could hide.
  return isRead(reading.policy.source) && isRead(reading.mdm.source) ? DEFAULT_MODE : null;
}

/** The latest pause end still in the future, or null; undefined when the pause settings could not be read. */
function pausedUntil(reading: OsUpdatesReading, now: Date): string | null | undefined {
  if (!isRead(reading.pause.source)) return undefined;
  const pause = reading.pause.value;
  if (!pause) return null;
  const ends = [pause.pauseUpdatesExpiryTime, pause.pauseQualityUpdatesEndTime].filter((end): end is string => end !== null && Date.parse(end) > now.getTime());
  if (ends.length === 0) return null;
  return ends.sort((a, b) => Date.parse(b) - Date.parse(a))[0]!;
}

function reportProblems(ctx: CollectContext, reading: OsUpdatesReading): void {
  const sections: [string, SourceStatus][] = [
    ['the Windows Update policy (HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU)', reading.policy.source],
    ['the MDM update policy (PolicyManager\\current\\device\\Update)', reading.mdm.source],
    ['the update pause settings (WindowsUpdate\\UX\\Settings)', reading.pause.source],
    ['the Windows Update service start type (wuauserv)', reading.service.source],
    ['the Automatic Updates settings (Microsoft.Update.AutoUpdate)', reading.autoUpdate.source],
  ];
  for (const [what, source] of sections) {
    if (source !== 'read') ctx.error(problemCode(source), `${what} could not be read: ${source.message}`);
  }
  if (reading.rebootRequiredKey.source !== 'read' && reading.systemInfoRebootRequired.source !== 'read') {
    const source = reading.rebootRequiredKey.source;
    ctx.error(problemCode(source), `Whether Windows Update waits for a restart could not be read: ${source.message}`);
  }
}

function rebootRequired(reading: OsUpdatesReading): Tri {
  const values = [reading.rebootRequiredKey, reading.systemInfoRebootRequired].filter((sourced) => sourced.source === 'read').map((sourced) => sourced.value);
  if (values.some((value) => value === true)) return true;
  return values.length > 0 ? false : null;
}

function fromProbe(reading: OsUpdatesReading, ctx: CollectContext): OsUpdates {
  reportProblems(ctx, reading);
  const chosen = effectiveMode(reading);
  const serviceRead = isRead(reading.service.source);
  const serviceDisabled = serviceRead && reading.service.value === SERVICE_DISABLED;
  const paused = pausedUntil(reading, ctx.now);

  let check: Tri = chosen?.check ?? null;
  let download: Tri = chosen?.download ?? null;
  let install: Tri = chosen?.install ?? null;
  if (serviceDisabled) {
    check = false;
    download = false;
    install = false;
  } else if (paused) {
    download = false;
    install = false;
  } else {
    // A mode that installs is only as sure as the facts that could stop it.
    if (!serviceRead || paused === undefined) {
      if (check === true) check = serviceRead ? true : null;
      if (download === true) download = null;
      if (install === true) install = null;
    }
  }
  const settings = reading.autoUpdate.value;
  const wsus = reading.wsus.value?.wuServer;
  const detail = joinDetail([
    chosen?.why,
    serviceDisabled && 'the Windows Update service (wuauserv) is disabled',
    paused && `updates are paused until ${paused}`,
    reading.policy.value?.useWUServer === 1 && wsus && `updates come from ${wsus}`,
    settings?.lastInstallationSuccessDate && `last successful installation ${settings.lastInstallationSuccessDate}`,
    settings?.lastSearchSuccessDate && `last successful search ${settings.lastSearchSuccessDate}`,
  ]);
  ctx.error('ERR_UNSUPPORTED', 'Pending updates are not counted on Windows: only a Windows Update search tells, and it contacts the update service and can take minutes.');
  return {
    status: deriveOsUpdatesStatus(check, install),
    automaticCheck: check,
    automaticDownload: download,
    automaticInstall: install,
    pending: null,
    pendingSecurity: null,
    rebootRequired: rebootRequired(reading),
    source: serviceDisabled ? 'Windows Update (service disabled)' : (chosen?.source ?? null),
    detail,
  };
}

/** Only a policy that turns automatic installation off is conclusive here. */
async function fromRegistry(host: Host, ctx: CollectContext): Promise<OsUpdates> {
  const policy = await attempt(ctx, `reg.exe query ${WU_POLICY_KEY}`, async () =>
    parseWuPolicyRegQuery(outputText(await host.run(WIN32_COMMANDS.reg, ['query', WU_POLICY_KEY]))),
  );
  const chosen = policy === undefined ? null : policyMode(policy);
  if (!chosen || chosen.install !== false) {
    return { ...UNKNOWN_OS_UPDATES, detail: chosen ? `${chosen.why}; the service state and pauses could not be read` : null };
  }
  return {
    ...UNKNOWN_OS_UPDATES,
    status: deriveOsUpdatesStatus(chosen.check, chosen.install),
    automaticCheck: chosen.check,
    automaticDownload: chosen.download,
    automaticInstall: false,
    source: chosen.source,
    detail: chosen.why,
  };
}

export async function collectOsUpdatesWin32(host: Host, ctx: CollectContext): Promise<OsUpdates> {
  const reading = await attempt(ctx, 'The Windows Update settings (PowerShell probe)', async () => parseOsUpdatesJson(await runPowerShell(host, OS_UPDATES_SCRIPT)));
  return reading ? fromProbe(reading, ctx) : fromRegistry(host, ctx);
}
