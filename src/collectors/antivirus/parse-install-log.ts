/**
 * /var/log/install.log (readable without root): Software Update records each XProtect definitions
 * install as `2025-04-08 23:54:13+04 <host> system_installd[879]: Installed "XProtectPlistConfigData" (5293)`
 * (shared fixtures README, M4). Lines in the older syslog form (`Nov 30 11:15:02 host ...`) carry
 * no year and are not used. XProtectPayloads is XProtect Remediator, not the definitions.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export interface XProtectInstall {
  version: string;
  /** ISO 8601, UTC. */
  installedAt: string;
}

const INSTALLED = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})([+-])(\d{2})(\d{2})? \S+ [^:]+: Installed "XProtectPlistConfigData" \((\d+)\)$/;

/** The most recent XProtect definitions install in the log, or null when the log records none. */
export function parseInstallLog(text: string): XProtectInstall | null {
  if (text.trim() === '') throw new AgentError('ERR_EMPTY_OUTPUT', 'install.log is empty.');
  let latest: XProtectInstall | null = null;
  for (const line of lines(text)) {
    const match = INSTALLED.exec(line.trim());
    if (!match) continue;
    const date = new Date(`${match[1]}T${match[2]}${match[3]}${match[4]}:${match[5] ?? '00'}`);
    if (Number.isNaN(date.getTime())) continue;
    const install = { version: match[6]!, installedAt: date.toISOString() };
    if (latest === null || install.installedAt >= latest.installedAt) latest = install;
  }
  return latest;
}
