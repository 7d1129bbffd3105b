/**
 * Apple's built-in protection as one product, "XProtect": enabled when its definitions bundle is
 * present, real time when Gatekeeper assesses software (`spctl --status`), up to date when the
 * definitions were installed within the last 30 days.
 *
 * Version and install date: `xprotect version` on macOS 15+ gives both in one process (it is not
 * installed earlier, which is not an error). Otherwise the bundle's Info.plist gives the version and
 * /var/log/install.log the date the same version was installed; both are files, so no process.
 */
import { DARWIN_COMMANDS } from '../../exec/commands-darwin.js';
import { AgentError, isAgentError } from '../../shared/errors.js';
import type { AntivirusProduct } from '../antivirus/schema.js';
import { parseInstallLog } from '../antivirus/parse-install-log.js';
import { parseSpctlStatus } from '../antivirus/parse-spctl-status.js';
import { parseXProtectInfoPlist } from '../antivirus/parse-xprotect-info-plist.js';
import { parseXProtectVersion, type XProtectVersion } from '../antivirus/parse-xprotect-version.js';
import { attempt, readOptionalFile, toAgentError } from '../host-errors.js';
import type { CollectContext, Host } from '../host.js';
import { commandText } from './command-text.js';
import { isWithinMaxAge } from './definitions-age.js';
import { reportFailures, tryInOrder, type Source } from './read-first.js';

export const XPROTECT_PRODUCT = 'XProtect';
/** macOS 10.15 and later, then the location of 10.14 and earlier. */
export const XPROTECT_INFO_PLISTS = [
  '/Library/Apple/System/Library/CoreServices/XProtect.bundle/Contents/Info.plist',
  '/System/Library/CoreServices/XProtect.bundle/Contents/Info.plist',
] as const;
export const INSTALL_LOG = '/var/log/install.log';

const XPROTECT_VERSION = `${DARWIN_COMMANDS.xprotect} version`;

/** `xprotect version`, or null where the program is not installed (macOS 14 and earlier). */
async function runXProtectVersion(host: Host): Promise<XProtectVersion | null> {
  try {
    return parseXProtectVersion(commandText(await host.run(DARWIN_COMMANDS.xprotect, ['version'])));
  } catch (error) {
    if (isAgentError(error) && error.code === 'ERR_COMMAND_NOT_FOUND') return null;
    throw error;
  }
}

function infoPlistSource(host: Host, path: string): Source<string> {
  return {
    what: path,
    read: async () => {
      const text = await readOptionalFile(host, path);
      return text === null ? null : parseXProtectInfoPlist(text).version;
    },
  };
}

/** install.log's date for this version; a newer or older logged version dates something else. */
function installLogSource(host: Host, version: string): Source<string> {
  return {
    what: INSTALL_LOG,
    read: async () => {
      const text = await readOptionalFile(host, INSTALL_LOG);
      const latest = text === null ? null : parseInstallLog(text);
      if (latest === null) return null;
      if (latest.version !== version) {
        throw new AgentError('ERR_NOT_FOUND', `${INSTALL_LOG} last records XProtect ${latest.version}, not the installed ${version}, so its install date is unknown.`);
      }
      return latest.installedAt;
    },
  };
}

async function readGatekeeper(host: Host, ctx: CollectContext): Promise<boolean | null> {
  const status = await attempt(ctx, `${DARWIN_COMMANDS.spctl} --status`, async () =>
    parseSpctlStatus(commandText(await host.run(DARWIN_COMMANDS.spctl, ['--status']))),
  );
  return status?.assessmentsEnabled ?? null;
}

interface Definitions {
  /** Whether the definitions bundle is present; null when that could not be read. */
  present: boolean | null;
  version: string | null;
  installedAt: string | null;
}

async function readDefinitions(host: Host, ctx: CollectContext): Promise<Definitions> {
  const failures: AgentError[] = [];
  let command: XProtectVersion | null = null;
  try {
    command = await runXProtectVersion(host);
  } catch (error) {
    failures.push(toAgentError(error, XPROTECT_VERSION));
  }
  let version = command?.version ?? null;
  // The command's date belongs to the command's version only.
  let installedAt = version === null ? null : (command?.installedAt ?? null);
  if (version === null) {
    const bundle = await tryInOrder(XPROTECT_INFO_PLISTS.map((path) => infoPlistSource(host, path)));
    failures.push(...bundle.failures);
    version = bundle.value;
  }
  if (version === null) {
    reportFailures(ctx, failures);
    return { present: failures.length === 0 ? false : null, version: null, installedAt: null };
  }
  if (installedAt === null) {
    const log = await tryInOrder([installLogSource(host, version)]);
    installedAt = log.value;
    if (installedAt === null) {
      reportFailures(ctx, [...failures, ...log.failures]);
      if (failures.length + log.failures.length === 0) {
        ctx.error('ERR_NOT_FOUND', `XProtect ${version} has no install date: ${XPROTECT_VERSION} gave none (it exists on macOS 15 and later) and ${INSTALL_LOG} records no install of it.`);
      }
    }
  }
  return { present: true, version, installedAt };
}

export async function readXProtect(host: Host, ctx: CollectContext): Promise<AntivirusProduct> {
  const [definitions, gatekeeper] = await Promise.all([readDefinitions(host, ctx), readGatekeeper(host, ctx)]);
  const { present, installedAt } = definitions;
  let upToDate: boolean | null = null;
  if (installedAt !== null) upToDate = isWithinMaxAge(installedAt, ctx.now);
  else if (present === false) upToDate = false;
  return {
    name: XPROTECT_PRODUCT,
    enabled: present,
    realTime: gatekeeper,
    upToDate,
    definitionsUpdatedAt: installedAt,
    version: definitions.version,
    state: present === false ? 'XProtect definitions bundle missing' : gatekeeper === false ? 'Gatekeeper assessments disabled' : null,
  };
}
