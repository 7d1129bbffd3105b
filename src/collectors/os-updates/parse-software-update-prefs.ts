/**
 * The Software Update preferences as `defaults read /Library/Preferences/com.apple.SoftwareUpdate`
 * (or the configuration profile's `/Library/Managed Preferences/com.apple.SoftwareUpdate`) prints
 * them. The keys behind System Settings > General > Software Update > Automatic Updates
 * (rtrouton's enable_automatic_apple_software_updates.sh; Apple DeviceManagement SoftwareUpdate):
 * - AutomaticCheckEnabled: "Check for updates";
 * - AutomaticDownload: "Download new updates when available";
 * - AutomaticallyInstallMacOSUpdates: "Install macOS updates" (macOS 10.14+);
 * - CriticalUpdateInstall: "Install Security Responses and system files" (security updates,
 *   Rapid Security Responses);
 * - ConfigDataInstall: XProtect, Gatekeeper and other system data files.
 * softwareupdated also caches what its last background check found: RecommendedUpdates (one
 * dictionary per update: "Display Name", "Display Version", Identifier, "Product Key") and the
 * count LastRecommendedUpdatesAvailable, with LastSuccessfulDate, so pending updates are known
 * without a network scan (`softwareupdate --list` rescans unless told --no-scan). Pure.
 */
import { AgentError } from '../../shared/errors.js';
import { defaultsBoolean, defaultsInteger, parseDefaultsDomain, type DefaultsDict, type DefaultsValue } from './parse-defaults-domain.js';

export interface RecommendedUpdate {
  name: string | null;
  version: string | null;
  identifier: string | null;
}

export interface SoftwareUpdatePrefs {
  automaticCheckEnabled: boolean | null;
  automaticDownload: boolean | null;
  automaticallyInstallMacOSUpdates: boolean | null;
  criticalUpdateInstall: boolean | null;
  configDataInstall: boolean | null;
  /** The cached list of recommended updates; null when the key is absent (never checked). */
  recommendedUpdates: RecommendedUpdate[] | null;
  lastRecommendedUpdatesAvailable: number | null;
  /** softwareupdated's last successful check, as printed ("2024-07-02 16:27:14 +0000"). */
  lastSuccessfulDate: string | null;
}

function text(value: DefaultsValue | undefined): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function recommended(dict: DefaultsDict): RecommendedUpdate[] | null {
  const value = dict.RecommendedUpdates;
  if (value === undefined) return null;
  if (!Array.isArray(value)) throw new AgentError('ERR_PARSE', 'RecommendedUpdates is not a list.');
  return value.map((item) => {
    if (typeof item !== 'object' || Array.isArray(item) || 'data' in item) throw new AgentError('ERR_PARSE', 'A RecommendedUpdates entry is not a dictionary.');
    const entry = item;
    return { name: text(entry['Display Name']), version: text(entry['Display Version']), identifier: text(entry.Identifier) ?? text(entry['Product Key']) };
  });
}

export function parseSoftwareUpdatePrefs(output: string): SoftwareUpdatePrefs {
  const dict = parseDefaultsDomain(output, 'com.apple.SoftwareUpdate');
  return {
    automaticCheckEnabled: defaultsBoolean(dict, 'AutomaticCheckEnabled'),
    automaticDownload: defaultsBoolean(dict, 'AutomaticDownload'),
    automaticallyInstallMacOSUpdates: defaultsBoolean(dict, 'AutomaticallyInstallMacOSUpdates'),
    criticalUpdateInstall: defaultsBoolean(dict, 'CriticalUpdateInstall'),
    configDataInstall: defaultsBoolean(dict, 'ConfigDataInstall'),
    recommendedUpdates: recommended(dict),
    lastRecommendedUpdatesAvailable: defaultsInteger(dict, 'LastRecommendedUpdatesAvailable'),
    lastSuccessfulDate: text(dict.LastSuccessfulDate),
  };
}
