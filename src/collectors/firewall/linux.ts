/**
 * The firewall on Linux: ufw, firewalld and nftables, each only when installed.
 * - ufw: /etc/ufw/ufw.conf `ENABLED=` first (a file, no process): `no` (what `ufw disable` writes)
 *   is off. Otherwise, as root, `ufw status verbose` (a Python program, about as costly as the
 *   rest of the check) tells whether the rules are loaded; as non-root `ENABLED=yes` is all there
 *   is. Never `systemctl is-active ufw`: the oneshot unit is active even when ufw is off.
 * - firewalld: its daemon in /proc (no process); `firewall-cmd --state` only when /proc cannot tell.
 * - nftables: as root `nft -j list ruleset`, enabled when an input filter chain drops; skipped when
 *   another product already filters. Rules loaded with iptables-legacy are invisible to nft, so
 *   /proc/net/ip_tables_names is checked before calling the packet filter off.
 */
import { LINUX_COMMANDS } from '../../exec/commands-linux.js';
import type { FirewallProduct } from '../firewall/schema.js';
import type { CollectContext, Host } from '../host.js';
import { attempt, pathExists, readOptionalFile } from '../host-errors.js';
import { commandOutput } from '../linux/command-output.js';
import { runsAsRoot } from '../linux/effective-user.js';
import { isInstalled } from '../linux/files.js';
import { DAEMONS, isRunning, runningProcesses } from '../linux/processes.js';
import type { NftRuleset } from './parse-nft-ruleset.js';
import { parseUfwConf } from './parse-ufw-conf.js';
import type { UfwStatus } from './parse-ufw-status.js';
import { deriveFirewallStatus, type Firewall } from './schema.js';

const UFW_CONF = '/etc/ufw/ufw.conf';
const FIREWALLD_DAEMON = '/usr/sbin/firewalld';
const LEGACY_TABLES = '/proc/net/ip_tables_names';
const ROOT_HINT = 'run the agent as root (its systemd unit) to read it';

interface Finding {
  product: FirewallProduct | null;
  complete: boolean;
}

const NOTHING: Finding = { product: null, complete: true };

function ufwProduct(status: UfwStatus): FirewallProduct {
  if (!status.active) return { name: 'ufw', enabled: false, state: 'inactive' };
  // Active with "allow (incoming)" filters nothing by default.
  const filtering = status.incoming === null || status.incoming === 'deny' || status.incoming === 'reject';
  return { name: 'ufw', enabled: filtering, state: status.incoming === null ? 'active' : `active, default ${status.incoming} (incoming)` };
}

async function ufw(host: Host, ctx: CollectContext, root: boolean | null): Promise<Finding> {
  if ((await isInstalled(host, LINUX_COMMANDS.ufw)) !== true) return NOTHING;
  const conf = await attempt(ctx, UFW_CONF, async () => {
    const text = await readOptionalFile(host, UFW_CONF);
    return text === null ? null : parseUfwConf(text);
  });
  // Off in its configuration: ufw loads no rules. Were rules loaded by other means, this only errs towards "disabled".
  if (conf?.enabled === false) return { product: { name: 'ufw', enabled: false, state: `disabled in ${UFW_CONF}` }, complete: true };
  if (root === true) {
    const status = await attempt(ctx, 'ufw status verbose', async () => {
      const { parseUfwStatus } = await import('./parse-ufw-status.js');
      return parseUfwStatus(commandOutput(await host.run(LINUX_COMMANDS.ufw, ['status', 'verbose'])));
    });
    if (status) return { product: ufwProduct(status), complete: true };
  }
  if (!conf) return { product: { name: 'ufw', enabled: null, state: 'installed, state unreadable' }, complete: false };
  return { product: { name: 'ufw', enabled: true, state: `enabled in ${UFW_CONF} (the loaded rules need root to read)` }, complete: true };
}

async function firewalld(host: Host, ctx: CollectContext): Promise<Finding> {
  const [daemon, client] = await Promise.all([pathExists(host, FIREWALLD_DAEMON), isInstalled(host, LINUX_COMMANDS.firewallCmd)]);
  if (daemon !== true && client !== true) return NOTHING;
  const processes = await attempt(ctx, '/proc (the running processes)', () => runningProcesses(host));
  let running = isRunning(processes, DAEMONS.firewalld);
  if (running === null && client === true) {
    const state = await attempt(ctx, 'firewall-cmd --state', async () => {
      const { parseFirewallCmdState } = await import('./parse-firewall-cmd-state.js');
      return parseFirewallCmdState(commandOutput(await host.run(LINUX_COMMANDS.firewallCmd, ['--state'])));
    });
    running = state?.running ?? null;
  }
  return { product: { name: 'firewalld', enabled: running, state: running === null ? null : running ? 'running' : 'not running' }, complete: running !== null };
}

function describeRuleset(ruleset: NftRuleset): string {
  if (ruleset.inputChains.length === 0) return 'no input filter chain';
  return ruleset.inputChains
    .map((chain) => `${chain.family} ${chain.table} ${chain.chain}: policy ${chain.policy ?? 'accept'}, ${chain.dropRules} drop/reject rules`)
    .join('; ');
}

async function nftables(host: Host, ctx: CollectContext, root: boolean | null): Promise<Finding> {
  if ((await isInstalled(host, LINUX_COMMANDS.nft)) !== true) return NOTHING;
  if (root === false) {
    ctx.error('ERR_ACCESS_DENIED', `The nftables ruleset is read with nft list ruleset, which needs root: ${ROOT_HINT}.`);
    return { product: { name: 'nftables', enabled: null, state: 'ruleset needs root to read' }, complete: false };
  }
  const ruleset = await attempt(ctx, 'nft -j list ruleset', async () => {
    const { parseNftRuleset } = await import('./parse-nft-ruleset.js');
    return parseNftRuleset(commandOutput(await host.run(LINUX_COMMANDS.nft, ['-j', 'list', 'ruleset'])));
  });
  if (!ruleset) return { product: { name: 'nftables', enabled: null, state: null }, complete: false };
  return { product: { name: 'nftables', enabled: ruleset.filtersInput, state: describeRuleset(ruleset) }, complete: true };
}

/** iptables-legacy tables are loaded in the kernel but invisible to nft; their rules need iptables-legacy-save. */
async function legacyIptables(host: Host, ctx: CollectContext): Promise<Finding> {
  const tables = await attempt(ctx, LEGACY_TABLES, () => readOptionalFile(host, LEGACY_TABLES));
  if (tables === undefined) return { product: null, complete: false };
  const names = (tables ?? '').split('\n').map((line) => line.trim()).filter((line) => line !== '');
  if (!names.includes('filter')) return NOTHING;
  ctx.error('ERR_SIGNAL_UNAVAILABLE', 'iptables-legacy filter tables are loaded; nft cannot see their rules, so whether they filter incoming traffic is unknown.');
  return { product: { name: 'iptables (legacy)', enabled: null, state: 'legacy filter table loaded; rules not readable with nft' }, complete: false };
}

export async function collectFirewallLinux(host: Host, ctx: CollectContext): Promise<Firewall> {
  const root = await runsAsRoot(host);
  const findings = await Promise.all([ufw(host, ctx, root), firewalld(host, ctx)]);
  if (!findings.some((finding) => finding.product?.enabled === true)) {
    const packetFilter = await nftables(host, ctx, root);
    findings.push(packetFilter);
    if (packetFilter.product?.enabled !== true) findings.push(await legacyIptables(host, ctx));
  }
  const products = findings.flatMap((finding) => (finding.product ? [finding.product] : []));
  const complete = findings.every((finding) => finding.complete);
  return { status: deriveFirewallStatus(products, complete), products };
}
