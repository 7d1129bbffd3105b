/**
 * Automatic updates on Linux, from files only (no process; every file is world-readable, so a
 * standard user reads what root reads, except an apt.conf.d file an administrator made 0600).
 *
 * APT (Debian, Ubuntu): the daily jobs apt-daily.timer ("update": refresh the lists, download) and
 * apt-daily-upgrade.timer ("install") run /usr/lib/apt/apt.systemd.daily, which does what
 * APT::Periodic says, read with `apt-config shell` from /etc/apt/apt.conf.d/* in apt's file order
 * (later files win: 20auto-upgrades over 10periodic) and /etc/apt/apt.conf:
 * - APT::Periodic::Enable "0" stops the job altogether;
 * - Update-Package-Lists "N" refreshes the package lists every N days ("0" never);
 * - Download-Upgradeable-Packages "N" downloads upgrades;
 * - Unattended-Upgrade "N" runs unattended-upgrade, ONLY when /usr/bin/unattended-upgrade exists
 *   (the package unattended-upgrades), which installs what Unattended-Upgrade::Origins-Pattern /
 *   Allowed-Origins allow (Debian's default: the stable and security archives).
 * The files are parsed here rather than running `apt-config dump`: apt.conf.d is a handful of small
 * world-readable files, parsing them costs less than a process, and the parser follows apt's own
 * (see parse-apt-conf.ts). `unattended-upgrades.service` is NOT a sign that upgrades run: it only
 * waits for shutdown to finish an interrupted upgrade (shared fixture auto-update/11).
 * Pending updates: Ubuntu's /var/lib/update-notifier/updates-available; plain Debian has no cheap
 * source (only `apt-get -s upgrade`, seconds of CPU), so null with the reason.
 * Reboot: /var/run/reboot-required (+ .pkgs), written by update-notifier or unattended-upgrades'
 * kernel hook; when neither is installed nothing would write it, so its absence proves nothing.
 *
 * DNF (Fedora, RHEL): dnf-automatic runs only from an enabled systemd timer
 * (timers.target.wants): dnf-automatic.timer / dnf5-automatic.timer do what automatic.conf says
 * (apply_updates), dnf-automatic-install.timer always installs, -download.timer only downloads,
 * -notifyonly.timer only checks. No cheap source tells pending updates or a needed reboot there.
 */
import { AgentError } from '../../shared/errors.js';
import type { CollectContext, Host } from '../host.js';
import { attempt, pathExists, readOptionalDir, readOptionalFile, toAgentError } from '../host-errors.js';
import { APT_CONF_DIR, APT_CONF_MAIN, aptConfPartsInOrder } from './apt-conf-files.js';
import { AptConfig, aptUpdateSettings, intervalIsOn, parseAptConf, periodicEnabled, type AptUpdateSettingsWithFiles } from './parse-apt-conf.js';
import type { DnfAutomaticCommands } from './parse-dnf-automatic-conf.js';
import { parseRebootRequiredPackages } from './parse-reboot-required.js';
import { parseUpdatesAvailable, type UpdatesAvailable } from './parse-updates-available.js';
import { deriveOsUpdatesStatus, joinDetail, UNKNOWN_OS_UPDATES, type OsUpdates } from './schema.js';

export const LINUX_PATHS = {
  aptGet: '/usr/bin/apt-get',
  unattendedUpgrade: '/usr/bin/unattended-upgrade',
  updatesAvailable: '/var/lib/update-notifier/updates-available',
  rebootRequired: '/var/run/reboot-required',
  rebootRequiredPackages: '/var/run/reboot-required.pkgs',
  /** Writers of reboot-required: unattended-upgrades' kernel hook and update-notifier-common's helper. */
  rebootWriters: ['/etc/kernel/postinst.d/unattended-upgrades', '/usr/share/update-notifier/notify-reboot-required'],
  /** Exists when systemd is the init system (sd_booted(3)). */
  systemdBooted: '/run/systemd/system',
  systemUnits: '/etc/systemd/system',
  timersWants: '/etc/systemd/system/timers.target.wants',
  dnf: '/usr/bin/dnf',
  dnfAutomatic: '/usr/bin/dnf-automatic',
  dnf4Conf: '/etc/dnf/automatic.conf',
  dnf5Defaults: '/usr/share/dnf5/dnf5-plugins/automatic.conf',
  dnf5Conf: '/etc/dnf/dnf5-plugins/automatic.conf',
} as const;

const MAX_INCLUDE_DEPTH = 10;
const ROOT_HINT = 'run the agent as root (its systemd unit) to read it';

type Tri = boolean | null;

/** All true: true; any false: false; otherwise unknown. */
function all(...values: Tri[]): Tri {
  if (values.some((value) => value === false)) return false;
  return values.every((value) => value === true) ? true : null;
}

/** Any true: true; all false: false; otherwise unknown. */
function any(...values: Tri[]): Tri {
  if (values.some((value) => value === true)) return true;
  return values.every((value) => value === false) ? false : null;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

// ---------------------------------------------------------------- APT

interface AptReading {
  settings: AptUpdateSettingsWithFiles;
  /** Files apt reads that this user could not (or that did not parse): a setting may hide there. */
  unread: string[];
}

class AptConfigReader {
  readonly config = new AptConfig();
  readonly unread: string[] = [];

  constructor(
    private readonly host: Host,
    private readonly ctx: CollectContext,
  ) {}

  async readDir(dir: string, depth: number): Promise<void> {
    let names: string[] | null;
    try {
      names = await readOptionalDir(this.host, dir);
    } catch (error) {
      this.fail(dir, error);
      return;
    }
    for (const name of aptConfPartsInOrder(names ?? [])) await this.readFile(`${dir}/${name}`, depth);
  }

  /** `included`: named by an #include, which apt refuses to miss. */
  async readFile(path: string, depth: number, included = false): Promise<void> {
    let text: string | null;
    try {
      text = await readOptionalFile(this.host, path);
    } catch (error) {
      this.fail(path, error);
      return;
    }
    if (text === null) {
      if (included) this.fail(path, new AgentError('ERR_NOT_FOUND', `${path} is named by an #include but does not exist (apt refuses to run then).`));
      return;
    }
    let statements;
    try {
      statements = parseAptConf(text, path);
    } catch (error) {
      this.fail(path, error);
      return;
    }
    for (const statement of statements) {
      if (statement.kind !== 'include') {
        this.config.apply([statement], baseName(path));
        continue;
      }
      if (depth >= MAX_INCLUDE_DEPTH) {
        this.fail(path, new AgentError('ERR_PARSE', `${path}: more than ${MAX_INCLUDE_DEPTH} nested #include directives (apt refuses them).`));
        continue;
      }
      if (!statement.path.startsWith('/')) {
        this.fail(path, new AgentError('ERR_UNSUPPORTED', `${path} includes "${statement.path}", a path relative to wherever apt runs; it could not be followed.`));
        continue;
      }
      if (statement.path.endsWith('/')) await this.readDir(statement.path.replace(/\/+$/, ''), depth + 1);
      else await this.readFile(statement.path, depth + 1, true);
    }
  }

  private fail(path: string, error: unknown): void {
    const agentError = toAgentError(error, path);
    const hint = agentError.code === 'ERR_ACCESS_DENIED' ? `; a setting in it may change the result: ${ROOT_HINT}` : '';
    this.ctx.error(agentError.code, `APT configuration: ${agentError.message}${hint}`);
    this.unread.push(path);
  }
}

async function readAptSettings(host: Host, ctx: CollectContext): Promise<AptReading> {
  const reader = new AptConfigReader(host, ctx);
  await reader.readDir(APT_CONF_DIR, 0);
  await reader.readFile(APT_CONF_MAIN, 0);
  return { settings: aptUpdateSettings(reader.config), unread: reader.unread };
}

type TimerState = 'enabled' | 'disabled' | 'masked' | 'not-judged';

/** How systemd would schedule an apt timer: masked (link to /dev/null), enabled (wanted by timers.target), or not. */
async function timerState(host: Host, ctx: CollectContext, timer: string, booted: boolean | null): Promise<TimerState | null> {
  return (
    (await attempt(ctx, `systemd unit ${timer}`, async () => {
      try {
        if ((await host.realPath(`${LINUX_PATHS.systemUnits}/${timer}`)) === '/dev/null') return 'masked' as const;
      } catch {
        // No override in /etc/systemd/system: not masked.
      }
      if (booted !== true) return 'not-judged' as const;
      const wanted = await pathExists(host, `${LINUX_PATHS.timersWants}/${timer}`);
      if (wanted === null) return null;
      return wanted ? ('enabled' as const) : ('disabled' as const);
    })) ?? null
  );
}

function timerRuns(state: TimerState | null): Tri {
  if (state === null) return null;
  return state === 'enabled' || state === 'not-judged';
}

function describeTimer(timer: string, state: TimerState | null): string | null {
  switch (state) {
    case 'masked':
      return `${timer} is masked, so the daily APT job never runs it`;
    case 'disabled':
      return `${timer} is not enabled, so the daily APT job does not run`;
    default:
      return null;
  }
}

function setting(name: string, value: string | null, file: string | undefined): string {
  return value === null ? `${name} not set` : `${name} "${value}"${file ? ` (${file})` : ''}`;
}

async function readPending(host: Host, ctx: CollectContext): Promise<UpdatesAvailable | null> {
  const reading = await attempt(ctx, LINUX_PATHS.updatesAvailable, async () => {
    const text = await readOptionalFile(host, LINUX_PATHS.updatesAvailable);
    return text === null ? null : parseUpdatesAvailable(text);
  });
  if (reading === null) {
    ctx.error(
      'ERR_UNSUPPORTED',
      `Pending updates are not counted: ${LINUX_PATHS.updatesAvailable} (written by Ubuntu's update-notifier-common) does not exist, and counting them otherwise takes apt-get -s upgrade, seconds of CPU that a posture check does not spend.`,
    );
  }
  return reading ?? null;
}

interface RebootReading {
  required: boolean | null;
  packages: string[];
}

async function readRebootRequired(host: Host, ctx: CollectContext): Promise<RebootReading> {
  const flag = await attempt(ctx, LINUX_PATHS.rebootRequired, () => pathExists(host, LINUX_PATHS.rebootRequired));
  if (flag === true) {
    const text = await attempt(ctx, LINUX_PATHS.rebootRequiredPackages, () => readOptionalFile(host, LINUX_PATHS.rebootRequiredPackages));
    return { required: true, packages: text ? parseRebootRequiredPackages(text) : [] };
  }
  if (flag !== false) return { required: null, packages: [] };
  const writers = await Promise.all(LINUX_PATHS.rebootWriters.map((path) => pathExists(host, path).catch(() => null)));
  if (writers.some((exists) => exists === true)) return { required: false, packages: [] };
  ctx.error(
    'ERR_UNSUPPORTED',
    `Whether a reboot is pending is not known: ${LINUX_PATHS.rebootRequired} does not exist, but nothing installed here writes it (neither unattended-upgrades nor update-notifier-common).`,
  );
  return { required: null, packages: [] };
}

function describeOrigins(settings: AptUpdateSettingsWithFiles): string | null {
  const origins = [...settings.originsPattern, ...settings.allowedOrigins];
  if (origins.length === 0) return 'unattended-upgrade has no Origins-Pattern or Allowed-Origins, so it installs nothing';
  return origins.some((origin) => /security/i.test(origin)) ? 'its origins include the security archive' : 'none of its origins names a security archive';
}

async function collectApt(host: Host, ctx: CollectContext): Promise<OsUpdates> {
  const [apt, unattendedInstalled, booted] = await Promise.all([
    readAptSettings(host, ctx),
    attempt(ctx, LINUX_PATHS.unattendedUpgrade, () => pathExists(host, LINUX_PATHS.unattendedUpgrade)),
    attempt(ctx, LINUX_PATHS.systemdBooted, () => pathExists(host, LINUX_PATHS.systemdBooted)),
  ]);
  const [dailyTimer, upgradeTimer, pending, reboot] = await Promise.all([
    timerState(host, ctx, 'apt-daily.timer', booted ?? null),
    timerState(host, ctx, 'apt-daily-upgrade.timer', booted ?? null),
    readPending(host, ctx),
    readRebootRequired(host, ctx),
  ]);
  const { settings, unread } = apt;
  const installed: Tri = unattendedInstalled ?? null;
  const complete = unread.length === 0;
  const enabled = periodicEnabled(settings.enable);
  const origins = settings.originsPattern.length + settings.allowedOrigins.length > 0;

  const configCheck: Tri = complete ? enabled && intervalIsOn(settings.updatePackageLists) : null;
  const configInstall: Tri = complete ? enabled && intervalIsOn(settings.unattendedUpgrade) && origins : null;
  const configDownload: Tri = complete ? enabled && intervalIsOn(settings.downloadUpgradeablePackages) : null;

  const automaticCheck = all(configCheck, timerRuns(dailyTimer));
  const automaticInstall = all(configInstall, installed, timerRuns(upgradeTimer));
  const automaticDownload = any(automaticInstall, all(configDownload, timerRuns(dailyTimer)));

  const detail = joinDetail([
    !enabled && 'APT::Periodic::Enable is 0: the daily APT job does nothing',
    setting('Unattended-Upgrade', settings.unattendedUpgrade, settings.setBy.unattendedUpgrade),
    setting('Update-Package-Lists', settings.updatePackageLists, settings.setBy.updatePackageLists),
    installed === false && `unattended-upgrades is not installed (${LINUX_PATHS.unattendedUpgrade})`,
    installed === true && intervalIsOn(settings.unattendedUpgrade) && describeOrigins(settings),
    configInstall === true && configCheck === false && 'the package lists are never refreshed, so unattended-upgrade finds nothing new',
    describeTimer('apt-daily.timer', dailyTimer),
    describeTimer('apt-daily-upgrade.timer', upgradeTimer),
    booted === false && 'systemd is not the init system here, so the daily job runs only from cron (/etc/cron.daily/apt-compat)',
    unread.length > 0 && `not read: ${unread.join(', ')}`,
    pending?.listsOutdated === true && 'the list of available updates is more than a week old',
    reboot.packages.length > 0 && `a reboot is required by ${reboot.packages.join(', ')}`,
  ]);
  const file = settings.setBy.unattendedUpgrade;
  const source = installed === false ? 'apt (unattended-upgrades not installed)' : file ? `apt (${file})` : 'apt';
  return {
    status: deriveOsUpdatesStatus(automaticCheck, automaticInstall),
    automaticCheck,
    automaticDownload,
    automaticInstall,
    pending: pending?.pending ?? null,
    pendingSecurity: pending?.pendingSecurity ?? null,
    rebootRequired: reboot.required,
    source,
    detail,
  };
}

// ---------------------------------------------------------------- DNF

type DnfTimerMode = 'config' | 'install' | 'download' | 'notify';

/** The timers dnf-automatic (dnf 4) and dnf5-plugin-automatic ship, and what each makes it do. */
const DNF_TIMERS: Readonly<Record<string, DnfTimerMode>> = {
  'dnf-automatic.timer': 'config',
  'dnf5-automatic.timer': 'config',
  'dnf-automatic-install.timer': 'install',
  'dnf5-automatic-install.timer': 'install',
  'dnf-automatic-download.timer': 'download',
  'dnf-automatic-notifyonly.timer': 'notify',
};

async function enabledDnfTimers(host: Host): Promise<string[]> {
  const names = (await readOptionalDir(host, LINUX_PATHS.timersWants)) ?? [];
  const candidates = names.filter((name) => name in DNF_TIMERS).sort();
  // A link left behind by a removed package points nowhere: that timer does not exist.
  const exists = await Promise.all(candidates.map((name) => pathExists(host, `${LINUX_PATHS.timersWants}/${name}`)));
  return candidates.filter((_name, index) => exists[index] === true);
}

interface DnfConfig {
  commands: DnfAutomaticCommands;
  files: string[];
}

function merge(base: DnfAutomaticCommands, over: DnfAutomaticCommands): DnfAutomaticCommands {
  return {
    applyUpdates: over.applyUpdates ?? base.applyUpdates,
    downloadUpdates: over.downloadUpdates ?? base.downloadUpdates,
    upgradeType: over.upgradeType ?? base.upgradeType,
    reboot: over.reboot ?? base.reboot,
  };
}

/** dnf 4: /etc/dnf/automatic.conf over built-in defaults; dnf 5: the packaged defaults, then the host's overrides. */
async function readDnfConfig(host: Host, dnf5: boolean): Promise<DnfConfig> {
  const files = dnf5 ? [LINUX_PATHS.dnf5Defaults, LINUX_PATHS.dnf5Conf, LINUX_PATHS.dnf4Conf] : [LINUX_PATHS.dnf4Conf];
  // Built-in defaults: dnf 4 applies and downloads nothing; dnf 5 downloads (automatic.8).
  let commands: DnfAutomaticCommands = { applyUpdates: false, downloadUpdates: dnf5, upgradeType: 'default', reboot: 'never' };
  const read: string[] = [];
  const { parseDnfAutomaticConf } = await import('./parse-dnf-automatic-conf.js');
  for (const path of files) {
    const text = await readOptionalFile(host, path);
    if (text === null) continue;
    commands = merge(commands, parseDnfAutomaticConf(text));
    read.push(path);
  }
  return { commands, files: read };
}

async function collectDnf(host: Host, ctx: CollectContext): Promise<OsUpdates> {
  const [timers, dnf5, dnfAutomatic] = await Promise.all([
    attempt(ctx, `${LINUX_PATHS.timersWants} (enabled timers)`, () => enabledDnfTimers(host)),
    attempt(ctx, LINUX_PATHS.dnf5Defaults, () => pathExists(host, LINUX_PATHS.dnf5Defaults)),
    attempt(ctx, LINUX_PATHS.dnfAutomatic, () => pathExists(host, LINUX_PATHS.dnfAutomatic)),
  ]);
  ctx.error(
    'ERR_UNSUPPORTED',
    'Pending updates and a pending reboot are not known on DNF systems: only dnf check-update and dnf needs-restarting tell, and they contact the repositories or take seconds of CPU.',
  );
  const source = dnf5 === true ? 'dnf5 automatic' : 'dnf-automatic';
  const unknown: OsUpdates = { ...UNKNOWN_OS_UPDATES, source };
  if (timers === undefined) return unknown;
  if (timers.length === 0) {
    const installed = dnf5 === true || dnfAutomatic === true;
    return {
      ...UNKNOWN_OS_UPDATES,
      status: 'disabled',
      automaticCheck: false,
      automaticDownload: false,
      automaticInstall: false,
      source: installed ? source : 'dnf-automatic (not installed)',
      detail: installed ? 'no dnf-automatic timer is enabled (systemctl enable --now dnf-automatic.timer)' : 'dnf-automatic is not installed, and nothing else installs updates by itself',
    };
  }
  const modes = new Set(timers.map((timer) => DNF_TIMERS[timer]!));
  const config = modes.has('config')
    ? await attempt(ctx, 'dnf-automatic configuration (automatic.conf)', () => readDnfConfig(host, dnf5 === true))
    : undefined;
  const fromConfig = (value: boolean | null | undefined): Tri => (modes.has('config') ? (config ? value ?? false : null) : false);
  const automaticInstall = any(modes.has('install'), fromConfig(config?.commands.applyUpdates));
  const automaticDownload = any(automaticInstall, modes.has('download'), fromConfig(config?.commands.downloadUpdates));
  const detail = joinDetail([
    `enabled: ${timers.join(', ')}`,
    config && modes.has('config') && `apply_updates = ${config.commands.applyUpdates ? 'yes' : 'no'}, download_updates = ${config.commands.downloadUpdates ? 'yes' : 'no'} (${config.files.map(baseName).join(' + ') || 'built-in defaults'})`,
    config?.commands.upgradeType === 'security' && 'upgrade_type = security: only updates with a security advisory',
    config?.commands.reboot && config.commands.reboot !== 'never' && `reboot = ${config.commands.reboot}`,
  ]);
  return {
    ...UNKNOWN_OS_UPDATES,
    status: deriveOsUpdatesStatus(true, automaticInstall),
    automaticCheck: true,
    automaticDownload,
    automaticInstall,
    source,
    detail,
  };
}

// ---------------------------------------------------------------- entry

export async function collectOsUpdatesLinux(host: Host, ctx: CollectContext): Promise<OsUpdates> {
  const [apt, aptConfDir, dnf] = await Promise.all([
    pathExists(host, LINUX_PATHS.aptGet).catch(() => null),
    pathExists(host, APT_CONF_DIR).catch(() => null),
    pathExists(host, LINUX_PATHS.dnf).catch(() => null),
  ]);
  try {
    if (apt === true || aptConfDir === true) return await collectApt(host, ctx);
    if (dnf === true) return await collectDnf(host, ctx);
  } catch (error) {
    const agentError = toAgentError(error, 'The automatic update settings');
    ctx.error(agentError.code, agentError.message);
    return UNKNOWN_OS_UPDATES;
  }
  ctx.error('ERR_UNSUPPORTED', `No known automatic update mechanism on this distribution: neither APT (${LINUX_PATHS.aptGet}) nor DNF (${LINUX_PATHS.dnf}) is installed.`);
  return UNKNOWN_OS_UPDATES;
}

