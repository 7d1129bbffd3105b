/**
 * Automatic updates on macOS, from the Software Update preferences (one `defaults read` process;
 * a second only when a configuration profile manages them). Every user can read both.
 *
 * - `defaults read /Library/Preferences/com.apple.SoftwareUpdate`: the settings of System Settings >
 *   General > Software Update > Automatic Updates, and what softwareupdated's last background check
 *   found (RecommendedUpdates), so pending updates are known without a network scan.
 * - `/Library/Managed Preferences/com.apple.SoftwareUpdate.plist` (a com.apple.SoftwareUpdate
 *   profile payload; binary, so read through `defaults` too, only when it exists): a managed value
 *   wins over the local one.
 * A key that is absent means macOS's default. AutomaticCheckEnabled, AutomaticDownload,
 * CriticalUpdateInstall and ConfigDataInstall are on by default: Macs that never touched the
 * settings lack the keys while System Settings shows them on and softwareupdate --schedule says
 * checking is on (shared fixture auto-update/07; drata/drata-agent#27; mondoohq/cnspec-policies#64).
 * No such evidence exists for AutomaticallyInstallMacOSUpdates, so an absent one is unknown.
 *
 * Status: enabled when the Mac checks, installs macOS updates and installs Security Responses and
 * system files by itself; disabled when any of these is off.
 *
 * macOS does not say which pending updates are security updates (most macOS updates carry security
 * fixes) nor, cheaply, whether an installed update waits for a restart: both are null with the
 * reason. `softwareupdate --list` is not run on a normal check (a scan contacts Apple's catalogue
 * and can take a minute); darwinOsUpdatesCollector({ listUpdates }) opts in to it.
 */
import { DARWIN_COMMANDS } from '../../exec/commands-darwin.js';
import type { AgentError } from '../../shared/errors.js';
import type { CollectContext, Host, SignalCollector } from '../host.js';
import { attempt, pathExists, toAgentError } from '../host-errors.js';
import { commandText } from '../macos/command-text.js';
import { parseSoftwareupdateList, type SoftwareUpdateListEntry } from './parse-softwareupdate-list.js';
import { parseSoftwareUpdatePrefs, type SoftwareUpdatePrefs } from './parse-software-update-prefs.js';
import { deriveOsUpdatesStatus, joinDetail, type OsUpdates } from './schema.js';

export const SOFTWARE_UPDATE_DOMAIN = '/Library/Preferences/com.apple.SoftwareUpdate';
export const MANAGED_SOFTWARE_UPDATE_PLIST = '/Library/Managed Preferences/com.apple.SoftwareUpdate.plist';

type SettingKey = 'automaticCheckEnabled' | 'automaticDownload' | 'automaticallyInstallMacOSUpdates' | 'criticalUpdateInstall' | 'configDataInstall';

/** macOS's behaviour when a key is absent (see above); null where it is not known. */
const DEFAULTS: Readonly<Record<SettingKey, boolean | null>> = {
  automaticCheckEnabled: true,
  automaticDownload: true,
  automaticallyInstallMacOSUpdates: null,
  criticalUpdateInstall: true,
  configDataInstall: true,
};

const LABELS: Readonly<Record<SettingKey, string>> = {
  automaticCheckEnabled: 'AutomaticCheckEnabled',
  automaticDownload: 'AutomaticDownload',
  automaticallyInstallMacOSUpdates: 'AutomaticallyInstallMacOSUpdates',
  criticalUpdateInstall: 'CriticalUpdateInstall',
  configDataInstall: 'ConfigDataInstall',
};

interface Effective {
  value: boolean | null;
  origin: 'profile' | 'local' | 'default' | 'unread';
}

type Prefs = SoftwareUpdatePrefs | 'absent' | 'unread';

async function readPrefs(host: Host, ctx: CollectContext, domain: string, what: string): Promise<Prefs> {
  try {
    const result = await host.run(DARWIN_COMMANDS.defaults, ['read', domain]);
    return parseSoftwareUpdatePrefs(commandText(result));
  } catch (error) {
    const agentError: AgentError = toAgentError(error, `${DARWIN_COMMANDS.defaults} read ${domain}`);
    if (agentError.code === 'ERR_NOT_FOUND') return 'absent';
    ctx.error(agentError.code, `The ${what} could not be read: ${agentError.message}`);
    return 'unread';
  }
}

function effective(key: SettingKey, managed: Prefs | null, local: Prefs): Effective {
  // A profile that exists but could not be read may enforce anything: the local value proves nothing.
  if (managed === 'unread') return { value: null, origin: 'unread' };
  const fromProfile = typeof managed === 'object' && managed !== null ? managed[key] : null;
  if (fromProfile !== null) return { value: fromProfile, origin: 'profile' };
  if (local === 'unread') return { value: null, origin: 'unread' };
  const fromLocal = local === 'absent' ? null : local[key];
  if (fromLocal !== null) return { value: fromLocal, origin: 'local' };
  return { value: DEFAULTS[key], origin: 'default' };
}

function all(...values: (boolean | null)[]): boolean | null {
  if (values.some((value) => value === false)) return false;
  return values.every((value) => value === true) ? true : null;
}

function describe(key: SettingKey, setting: Effective): string {
  const state = setting.value === null ? 'unknown' : setting.value ? 'on' : 'off';
  const origin = { profile: ' (configuration profile)', local: '', default: ' (not set: the default)', unread: ' (not read)' }[setting.origin];
  return `${LABELS[key]} ${state}${origin}`;
}

export interface DarwinOsUpdatesOptions {
  /**
   * Also run `softwareupdate --list`: 'cached' adds --no-scan (what the last background check
   * found, no network), 'scan' asks Apple's catalogue (slow). Off by default.
   */
  listUpdates?: 'cached' | 'scan' | false;
}

async function listUpdates(host: Host, ctx: CollectContext, mode: 'cached' | 'scan'): Promise<SoftwareUpdateListEntry[] | undefined> {
  const args = mode === 'cached' ? ['--list', '--no-scan'] : ['--list'];
  return attempt(ctx, `${DARWIN_COMMANDS.softwareupdate} ${args.join(' ')}`, async () => {
    const result = await host.run(DARWIN_COMMANDS.softwareupdate, args, mode === 'scan' ? { timeoutMs: 120_000 } : {});
    return parseSoftwareupdateList(`${result.stdout}\n${result.stderr}`);
  });
}

export function darwinOsUpdatesCollector(options: DarwinOsUpdatesOptions = {}): SignalCollector<OsUpdates> {
  return async (host, ctx) => {
    const managedExists = await attempt(ctx, MANAGED_SOFTWARE_UPDATE_PLIST, () => pathExists(host, MANAGED_SOFTWARE_UPDATE_PLIST));
    const [managed, local] = await Promise.all([
      managedExists === true ? readPrefs(host, ctx, MANAGED_SOFTWARE_UPDATE_PLIST.replace(/\.plist$/, ''), 'Software Update configuration profile') : Promise.resolve(null),
      readPrefs(host, ctx, SOFTWARE_UPDATE_DOMAIN, 'Software Update settings (com.apple.SoftwareUpdate)'),
    ]);
    const settings = Object.fromEntries((Object.keys(LABELS) as SettingKey[]).map((key) => [key, effective(key, managed, local)])) as Record<SettingKey, Effective>;

    const automaticCheck = settings.automaticCheckEnabled.value;
    const automaticDownload = all(automaticCheck, settings.automaticDownload.value);
    const automaticInstall = all(automaticCheck, settings.automaticallyInstallMacOSUpdates.value, settings.criticalUpdateInstall.value);
    if (settings.automaticallyInstallMacOSUpdates.origin === 'default') {
      ctx.error(
        'ERR_SIGNAL_UNAVAILABLE',
        'Whether macOS updates install automatically is not known: AutomaticallyInstallMacOSUpdates is not set in com.apple.SoftwareUpdate (turning "Install macOS updates" on or off in System Settings > General > Software Update > Automatic Updates, or a configuration profile, records it).',
      );
    }

    const prefs = typeof local === 'object' ? local : null;
    const cached = prefs?.recommendedUpdates ?? null;
    let pending: number | null = cached ? cached.length : (prefs?.lastRecommendedUpdatesAvailable ?? null);
    let listed: SoftwareUpdateListEntry[] | undefined;
    if (options.listUpdates) {
      listed = await listUpdates(host, ctx, options.listUpdates);
      if (listed) pending = listed.length;
    }
    if (pending === null && local !== 'unread') {
      ctx.error('ERR_SIGNAL_UNAVAILABLE', 'Pending updates are not known: softwareupdated has not recorded a background check in com.apple.SoftwareUpdate (RecommendedUpdates).');
    }
    ctx.error(
      'ERR_UNSUPPORTED',
      'macOS does not mark which pending updates are security updates, nor record cheaply whether an installed update waits for a restart; pendingSecurity and rebootRequired stay unknown.',
    );

    const names = (listed?.map((entry) => entry.title ?? entry.label) ?? cached?.map((update) => update.name ?? update.identifier ?? 'unnamed update')) ?? [];
    const restart = listed?.filter((entry) => entry.restart).length ?? 0;
    const detail = joinDetail([
      ...(Object.keys(LABELS) as SettingKey[]).map((key) => describe(key, settings[key])),
      local === 'absent' && 'no Software Update settings are recorded (com.apple.SoftwareUpdate does not exist)',
      names.length > 0 && `pending: ${names.join(', ')}`,
      restart > 0 && `${restart} of them restart the Mac to install`,
      prefs?.lastSuccessfulDate && `last check ${prefs.lastSuccessfulDate}`,
    ]);
    const managedDecides = Object.values(settings).some((setting) => setting.origin === 'profile');
    return {
      status: deriveOsUpdatesStatus(automaticCheck, automaticInstall),
      automaticCheck,
      automaticDownload,
      automaticInstall,
      pending,
      pendingSecurity: null,
      rebootRequired: null,
      source: managedDecides ? 'com.apple.SoftwareUpdate (configuration profile)' : 'com.apple.SoftwareUpdate',
      detail,
    };
  };
}

/** The cheap check: the preferences only, no softwareupdate process. */
export const collectOsUpdatesDarwin: SignalCollector<OsUpdates> = darwinOsUpdatesCollector();
