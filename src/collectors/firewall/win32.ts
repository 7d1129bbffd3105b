/**
 * The Windows firewall signal: the Domain, Private and Public profiles as products named
 * "Windows Firewall (Domain)" etc., plus every third-party firewall registered with Windows
 * Security Center (FirewallProduct).
 *
 * Status (Windows rule, stricter than the generic deriveFirewallStatus):
 * - enabled when EVERY profile is on, or when an enabled third-party firewall is registered
 *   (it takes over filtering and usually turns the Windows profiles off);
 * - disabled when some profile is off and no third-party firewall is on, the Security Center list
 *   having been read (or not existing, as on Windows Server);
 * - unknown otherwise (a profile unread and none off, or third parties unreadable).
 *
 * Sources, in order:
 * 1. One PowerShell probe (windows/firewall-script.ts): Get-NetFirewallProfile -PolicyStore
 *    ActiveStore (the enforced settings, Group Policy included; JSON numbers, no localisation) and
 *    Security Center's FirewallProduct list.
 * 2. Only when the profiles could not be read that way: `netsh advfirewall show allprofiles state`
 *    (readable by a standard user; localised text).
 */
import { WIN32_COMMANDS } from '../../exec/commands-win32.js';
import { attempt } from '../host-errors.js';
import type { CollectContext, Host } from '../host.js';
import { FIREWALL_SCRIPT } from '../windows/firewall-script.js';
import { problemCode, type SourceStatus } from '../windows/parse-powershell-document.js';
import { outputText, runPowerShell } from '../windows/powershell.js';
import { parseFirewallJson, type FirewallReading } from './parse-firewall-json.js';
import { parseNetshAdvfirewall } from './parse-netsh-advfirewall.js';
import { deriveFirewallStatus, type Firewall, type FirewallProduct, type FirewallStatus } from './schema.js';
import { profileProducts, type FirewallProfileState } from '../windows/firewall-profiles.js';

function windowsFirewallStatus(profiles: readonly FirewallProduct[], thirdParty: readonly FirewallProduct[], thirdPartyKnown: boolean): FirewallStatus {
  const thirdPartyStatus = deriveFirewallStatus(thirdParty, thirdPartyKnown);
  if (thirdPartyStatus === 'enabled') return 'enabled';
  if (profiles.length > 0 && profiles.every((profile) => profile.enabled === true)) return 'enabled';
  if (profiles.some((profile) => profile.enabled === false) && thirdPartyStatus === 'disabled') return 'disabled';
  return 'unknown';
}

function isKnown(source: SourceStatus): boolean {
  return source === 'read' || source.kind === 'not-available';
}

async function readProbe(host: Host): Promise<FirewallReading> {
  return parseFirewallJson(await runPowerShell(host, FIREWALL_SCRIPT));
}

async function readNetsh(host: Host): Promise<FirewallProfileState[]> {
  return parseNetshAdvfirewall(outputText(await host.run(WIN32_COMMANDS.netsh, ['advfirewall', 'show', 'allprofiles', 'state'])));
}

function reportProbeProblems(ctx: CollectContext, reading: FirewallReading): void {
  if (reading.profilesSource !== 'read') {
    ctx.error(problemCode(reading.profilesSource), `Get-NetFirewallProfile could not be read: ${reading.profilesSource.message}`);
  }
  if (reading.thirdPartySource !== 'read' && reading.thirdPartySource.kind !== 'not-available') {
    ctx.error(problemCode(reading.thirdPartySource), `Windows Security Center's firewall list (root/SecurityCenter2 FirewallProduct) could not be read: ${reading.thirdPartySource.message}`);
  }
}

export async function collectFirewallWin32(host: Host, ctx: CollectContext): Promise<Firewall> {
  const reading = await attempt(ctx, 'The firewall state (PowerShell: Get-NetFirewallProfile and Security Center)', () => readProbe(host));
  if (reading) reportProbeProblems(ctx, reading);
  const profiles =
    reading?.profilesSource === 'read'
      ? reading.profiles
      : ((await attempt(ctx, 'netsh advfirewall show allprofiles state', () => readNetsh(host))) ?? []);
  const thirdParty = reading?.thirdParty ?? [];
  const products = profileProducts(profiles);
  const status = windowsFirewallStatus(products, thirdParty, reading ? isKnown(reading.thirdPartySource) : false);
  const unread = products.filter((product) => product.enabled === null);
  if (status === 'unknown' && unread.length > 0) {
    ctx.error('ERR_SIGNAL_UNAVAILABLE', `The state of ${unread.map((product) => `${product.name}: ${product.state ?? 'not read'}`).join('; ')} is not known.`);
  }
  return { status, products: [...products, ...thirdParty] };
}
