/**
 * dnf-automatic's configuration (/etc/dnf/automatic.conf for dnf 4; for dnf 5 the defaults in
 * /usr/share/dnf5/dnf5-plugins/automatic.conf overridden by /etc/dnf/dnf5-plugins/automatic.conf or
 * /etc/dnf/automatic.conf): an INI file. Only the [commands] section matters here:
 * `apply_updates` (install), `download_updates`, `upgrade_type` (`default` = all updates,
 * `security` = only those with a security advisory) and `reboot` (dnf 4.15+/dnf5: never,
 * when-changed, when-needed). Booleans are libdnf's: 1/yes/true/on and 0/no/false/off.
 * Comments start with `#` or `;`. A key that is absent is null (the caller applies the defaults of
 * the dnf version in use). Pure.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export interface DnfAutomaticCommands {
  applyUpdates: boolean | null;
  downloadUpdates: boolean | null;
  upgradeType: 'default' | 'security' | null;
  reboot: string | null;
}

const TRUE = new Set(['1', 'yes', 'true', 'on']);
const FALSE = new Set(['0', 'no', 'false', 'off']);

function bool(key: string, value: string | undefined): boolean | null {
  if (value === undefined) return null;
  const word = value.trim().toLowerCase();
  if (TRUE.has(word)) return true;
  if (FALSE.has(word)) return false;
  throw new AgentError('ERR_PARSE', `automatic.conf sets ${key} = ${value}, which dnf does not accept as a boolean.`);
}

export function parseDnfAutomaticConf(text: string): DnfAutomaticCommands {
  const commands = new Map<string, string>();
  let section: string | null = null;
  let lineNumber = 0;
  for (const raw of lines(text)) {
    lineNumber += 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1]!.trim().toLowerCase();
      continue;
    }
    const equals = line.indexOf('=');
    if (equals <= 0) throw new AgentError('ERR_PARSE', `automatic.conf line ${lineNumber} is neither a [section] nor key = value: "${line.slice(0, 80)}"`);
    if (section === null) throw new AgentError('ERR_PARSE', `automatic.conf line ${lineNumber} comes before any [section].`);
    if (section !== 'commands') continue;
    commands.set(line.slice(0, equals).trim().toLowerCase(), line.slice(equals + 1).trim());
  }
  const upgradeType = commands.get('upgrade_type')?.toLowerCase();
  if (upgradeType !== undefined && upgradeType !== 'default' && upgradeType !== 'security') {
    throw new AgentError('ERR_PARSE', `automatic.conf sets upgrade_type = ${upgradeType}, not default or security.`);
  }
  return {
    applyUpdates: bool('apply_updates', commands.get('apply_updates')),
    downloadUpdates: bool('download_updates', commands.get('download_updates')),
    upgradeType: upgradeType ?? null,
    reboot: commands.get('reboot')?.replace(/^["']|["']$/g, '') ?? null,
  };
}
