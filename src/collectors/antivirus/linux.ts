/**
 * Antivirus and EDR on Linux. Running daemons come from /proc/<pid>/comm (no `ps`); installed
 * products from their files (no process); ClamAV's database date from the database files' headers
 * (`clamscan --version` only when they cannot be read); then each other installed product's own
 * status command runs once: `mdatp health`, and as root `falconctl -g` and `sentinelctl control
 * status`. One product's failure never hides the others.
 */
import { LINUX_COMMANDS } from '../../exec/commands-linux.js';
import type { AntivirusProduct } from '../antivirus/schema.js';
import type { CollectContext, Host } from '../host.js';
import { attempt, pathExists } from '../host-errors.js';
import { commandOutput } from '../linux/command-output.js';
import { runsAsRoot } from '../linux/effective-user.js';
import { isInstalled } from '../linux/files.js';
import { ageInDays, isWithinDays, localTime } from '../linux/local-time.js';
import { DAEMONS, isRunning, runningProcesses } from '../linux/processes.js';
import type { ProcessSnapshot } from './parse-proc-processes.js';
import { readClamavDailyDatabase, UNREADABLE } from './clamav-database.js';
import type { FalconctlState } from './parse-falconctl.js';
import { deriveAntivirusStatus, type Antivirus } from './schema.js';

/** libclamav warns "The virus database is older than 7 days!" (shared fixtures README, L3/05). */
const CLAMAV_MAX_DATABASE_AGE_DAYS = 7;
const ROOT_HINT = 'run the agent as root (its systemd unit) to read it';

interface Finding {
  product: AntivirusProduct | null;
  /** False when something about the product could not be read. */
  complete: boolean;
}

interface Facts {
  host: Host;
  ctx: CollectContext;
  processes: ProcessSnapshot | undefined;
  root: boolean | null;
}

const NOTHING: Finding = { product: null, complete: true };

function notes(...parts: (string | null | false)[]): string | null {
  const kept = parts.filter((part): part is string => typeof part === 'string');
  return kept.length > 0 ? kept.join('; ') : null;
}

async function runText(host: Host, file: string, args: string[]): Promise<string> {
  return commandOutput(await host.run(file, args));
}

interface ClamavDatabase {
  /** When the daily database was built; null without a database. */
  builtAt: Date | null;
  /** The engine's version: only `clamscan --version` tells it. */
  engine: string | null;
}

/** The database's date from its headers, else from `<scanner> --version`; undefined when neither can be read. */
async function clamavDatabase({ host, ctx }: Facts, scanner: string | null): Promise<ClamavDatabase | undefined> {
  const daily = await readClamavDailyDatabase(host, ctx);
  if (daily !== UNREADABLE) return { builtAt: daily === null ? null : new Date(daily.builtAt), engine: null };
  if (scanner === null) return undefined;
  const version = await attempt(ctx, `${scanner} --version`, async () => {
    const { parseClamavVersion } = await import('./parse-clamav-version.js');
    return parseClamavVersion(await runText(host, scanner, ['--version']));
  });
  return version === undefined ? undefined : { builtAt: localTime(version.databaseDate), engine: version.engine };
}

/** enabled = clamd or clamonacc runs; real time = clamonacc (on-access scanning); up to date = database younger than 7 days. */
async function clamav(facts: Facts): Promise<Finding> {
  const { host, ctx, processes } = facts;
  const [clamscan, clamdscan] = await Promise.all([isInstalled(host, LINUX_COMMANDS.clamscan), isInstalled(host, LINUX_COMMANDS.clamdscan)]);
  const clamd = isRunning(processes, DAEMONS.clamd);
  const onAccess = isRunning(processes, DAEMONS.clamonacc);
  if (clamscan !== true && clamdscan !== true && clamd !== true && onAccess !== true) return NOTHING;
  const scanner = clamscan === true ? LINUX_COMMANDS.clamscan : clamdscan === true ? LINUX_COMMANDS.clamdscan : null;
  const database = await clamavDatabase(facts, scanner);
  const built = database?.builtAt ?? null;
  const fresh = built !== null && isWithinDays(built, ctx.now, CLAMAV_MAX_DATABASE_AGE_DAYS);
  const enabled = clamd === true || onAccess === true ? true : clamd === null || onAccess === null ? null : false;
  return {
    product: {
      name: 'ClamAV',
      enabled,
      realTime: onAccess,
      upToDate: database === undefined ? null : fresh,
      definitionsUpdatedAt: built?.toISOString() ?? null,
      version: database?.engine ?? null,
      state: notes(
        database !== undefined && built === null && 'no virus database (freshclam has not downloaded one)',
        built !== null && !fresh && `virus database ${ageInDays(built, ctx.now)} days old`,
        clamd === false && 'clamd not running',
        onAccess === false && 'on-access scanning (clamonacc) not running',
      ),
    },
    complete: (scanner === null || database !== undefined) && enabled !== null,
  };
}

async function defender({ host, ctx, processes }: Facts): Promise<Finding> {
  const installed = await isInstalled(host, LINUX_COMMANDS.mdatp);
  const daemon = isRunning(processes, DAEMONS.defender);
  if (installed !== true && daemon !== true) return NOTHING;
  const { MDATP_PRODUCT_NAME, mdatpProduct, parseMdatpHealth } = await import('./parse-mdatp-health.js');
  if (daemon === false) {
    return {
      product: { name: MDATP_PRODUCT_NAME, enabled: false, realTime: false, upToDate: null, definitionsUpdatedAt: null, state: 'wdavdaemon is not running' },
      complete: true,
    };
  }
  const health = await attempt(ctx, 'mdatp health', async () => parseMdatpHealth(await runText(host, LINUX_COMMANDS.mdatp, ['health'])));
  if (health) return { product: mdatpProduct(health, ctx.now), complete: true };
  return { product: { name: MDATP_PRODUCT_NAME, enabled: null, realTime: null, upToDate: null, definitionsUpdatedAt: null }, complete: false };
}

async function falcon({ host, ctx, processes, root }: Facts): Promise<Finding> {
  const sensor = isRunning(processes, DAEMONS.falcon);
  const falconctl = await pathExists(host, LINUX_COMMANDS.falconctl);
  if (sensor !== true && falconctl !== true) return NOTHING;
  let state: FalconctlState | undefined;
  if (root === true && falconctl === true) {
    state = await attempt(ctx, 'falconctl -g --rfm-state', async () => {
      const { parseFalconctl } = await import('./parse-falconctl.js');
      return parseFalconctl(await runText(host, LINUX_COMMANDS.falconctl, ['-g', '--rfm-state', '--rfm-reason', '--version']));
    });
  } else {
    ctx.error('ERR_ACCESS_DENIED', `CrowdStrike Falcon's Reduced Functionality Mode is read with falconctl -g --rfm-state, which needs root: ${ROOT_HINT}.`);
  }
  const rfm = state?.rfm ?? null;
  return {
    product: {
      name: 'CrowdStrike Falcon',
      enabled: sensor,
      realTime: sensor,
      upToDate: rfm === null ? null : !rfm,
      definitionsUpdatedAt: null,
      version: state?.version ?? null,
      state: notes(
        sensor === false && 'falcon-sensor is not running',
        rfm === true && `reduced functionality mode${state?.rfmReason ? `: ${state.rfmReason}` : ''}`,
      ),
    },
    complete: state !== undefined && sensor !== null,
  };
}

async function sentinelone({ host, ctx, processes, root }: Facts): Promise<Finding> {
  const agent = isRunning(processes, DAEMONS.sentinelone);
  const sentinelctl = await pathExists(host, LINUX_COMMANDS.sentinelctl);
  if (agent !== true && sentinelctl !== true) return NOTHING;
  let enabled: boolean | null = agent;
  let agentState: string | null = null;
  if (root === true && sentinelctl === true) {
    const status = await attempt(ctx, 'sentinelctl control status', async () => {
      const { parseSentinelctlControlStatus } = await import('./parse-sentinelctl-control-status.js');
      return parseSentinelctlControlStatus(await runText(host, LINUX_COMMANDS.sentinelctl, ['control', 'status']));
    });
    if (status) {
      enabled = agent === false ? false : status.enabled;
      agentState = status.agentState;
    }
  } else {
    ctx.error('ERR_ACCESS_DENIED', `SentinelOne's agent state is read with sentinelctl control status, which needs root: ${ROOT_HINT}.`);
  }
  ctx.error('ERR_SIGNAL_UNAVAILABLE', 'SentinelOne has no signature definitions whose date sentinelctl control status reports, so whether its protection is current is unknown.');
  return {
    product: {
      name: 'SentinelOne',
      enabled,
      realTime: enabled,
      upToDate: null,
      definitionsUpdatedAt: null,
      state: notes(agent === false && 'SentinelOne agent processes are not running', agentState !== null && `agent state ${agentState}`),
    },
    complete: false,
  };
}

export async function collectAntivirusLinux(host: Host, ctx: CollectContext): Promise<Antivirus> {
  const [processes, root] = await Promise.all([attempt(ctx, '/proc (the running processes)', () => runningProcesses(host)), runsAsRoot(host)]);
  let complete = processes !== undefined;
  if (processes && !processes.initVisible) {
    complete = false;
    ctx.error('ERR_ACCESS_DENIED', "/proc hides other users' processes (mounted with hidepid), so antivirus daemons cannot be seen; run the agent as root to see them.");
  }
  const facts: Facts = { host, ctx, processes, root };
  const findings = await Promise.all([clamav, defender, falcon, sentinelone].map((read) => read(facts)));
  const products = findings.flatMap((finding) => (finding.product ? [finding.product] : []));
  complete &&= findings.every((finding) => finding.complete);
  return { status: deriveAntivirusStatus(products, complete), products };
}
