/**
 * The macOS Application Firewall. One `socketfilterfw --getglobalstate --getstealthmode` answers
 * the state and stealth mode (the program accepts several get flags in one call). Only when it
 * gives no answer does one `defaults read` run, chosen by which file exists, so `defaults` never
 * runs twice: the MDM profile's EnableFirewall (/Library/Managed Preferences/... is a binary plist,
 * so it is not read as text), else the pre-macOS 15 com.apple.alf globalstate.
 */
import { DARWIN_COMMANDS } from '../../exec/commands-darwin.js';
import { AgentError } from '../../shared/errors.js';
import { attempt } from '../host-errors.js';
import type { CollectContext, Host } from '../host.js';
import { commandText } from '../macos/command-text.js';
import { pathExists } from '../macos/path-exists.js';
import { readFirst, type Source } from '../macos/read-first.js';
import { parseDefaultsReadInteger } from './parse-defaults-read.js';
import { parseSocketfilterfw } from './parse-socketfilterfw.js';
import { deriveFirewallStatus, UNKNOWN_FIREWALL, type Firewall, type FirewallProduct } from './schema.js';

export const FIREWALL_PRODUCT = 'macOS Application Firewall';
/** Written by a `com.apple.security.firewall` configuration profile (Apple DeviceManagement: Firewall). */
export const MANAGED_FIREWALL_PLIST = '/Library/Managed Preferences/com.apple.security.firewall.plist';
/** Removed in macOS 15 (fleetdm/fleet#21802, osquery/osquery#8395). */
export const ALF_PLIST = '/Library/Preferences/com.apple.alf.plist';

interface FirewallReading {
  enabled: boolean;
  details: string[];
}

/** socketfilterfw's and com.apple.alf's global state: 0 off, 1 on, 2 block all incoming. */
function fromGlobalState(state: number, details: string[]): FirewallReading {
  if (state !== 0 && state !== 1 && state !== 2) throw new AgentError('ERR_PARSE', `The firewall's global state is ${state}, not 0, 1 or 2.`);
  return { enabled: state > 0, details: state === 2 ? ['block all incoming', ...details] : details };
}

function socketfilterfwSource(host: Host, managed: boolean): Source<FirewallReading> {
  return {
    what: `${DARWIN_COMMANDS.socketfilterfw} --getglobalstate --getstealthmode`,
    read: async () => {
      const result = await host.run(DARWIN_COMMANDS.socketfilterfw, ['--getglobalstate', '--getstealthmode']);
      const state = parseSocketfilterfw(commandText(result));
      const details = [...(state.stealthMode ? ['stealth mode'] : []), ...(managed ? ['managed by a configuration profile'] : [])];
      return fromGlobalState(state.globalState, details);
    },
  };
}

/** The profile's EnableFirewall is a boolean, which `defaults read` prints as 1 or 0. */
function fromProfile(value: number): FirewallReading {
  if (value !== 0 && value !== 1) throw new AgentError('ERR_PARSE', `The configuration profile's EnableFirewall is ${value}, not 0 or 1.`);
  return { enabled: value === 1, details: ['as set by the configuration profile (EnableFirewall)'] };
}

function defaultsSource(host: Host, managed: boolean): Source<FirewallReading> {
  const domain = managed ? MANAGED_FIREWALL_PLIST : ALF_PLIST;
  const key = managed ? 'EnableFirewall' : 'globalstate';
  return {
    what: `${DARWIN_COMMANDS.defaults} read ${domain} ${key}`,
    read: async () => {
      if (!managed && !(await pathExists(host, ALF_PLIST))) return null;
      const result = await host.run(DARWIN_COMMANDS.defaults, ['read', domain.replace(/\.plist$/, ''), key]);
      const value = parseDefaultsReadInteger(commandText(result));
      return managed ? fromProfile(value) : fromGlobalState(value, ['as recorded in com.apple.alf']);
    },
  };
}

export async function collectFirewallDarwin(host: Host, ctx: CollectContext): Promise<Firewall> {
  const managed = (await attempt(ctx, MANAGED_FIREWALL_PLIST, () => pathExists(host, MANAGED_FIREWALL_PLIST))) ?? false;
  const reading = await readFirst(ctx, 'The Application Firewall state', [socketfilterfwSource(host, managed), defaultsSource(host, managed)]);
  if (!reading) return UNKNOWN_FIREWALL;
  const products: FirewallProduct[] = [
    { name: FIREWALL_PRODUCT, enabled: reading.enabled, state: reading.details.length > 0 ? reading.details.join(', ') : null },
  ];
  return { status: deriveFirewallStatus(products, true), products };
}
