/**
 * /etc/ufw/ufw.conf (ufw-framework(8)): shell-style `KEY=value` lines with `#` comments;
 * `ENABLED=yes|no` says whether ufw starts at boot (`ufw enable` / `ufw disable` set it). World-
 * readable, so it is the non-root source; it is configuration, not the running state.
 */
import { AgentError } from '../../shared/errors.js';
import { lines, splitKeyValue } from '../parse-text.js';

export interface UfwConf {
  enabled: boolean;
  logLevel: string | null;
}

function unquote(value: string): string {
  return value.replace(/^(["'])(.*)\1$/, '$2');
}

export function parseUfwConf(text: string): UfwConf {
  const assignments = new Map<string, string>();
  for (const line of lines(text)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const pair = splitKeyValue(trimmed, '=');
    if (pair) assignments.set(pair[0], unquote(pair[1]));
  }
  if (text.trim() === '') throw new AgentError('ERR_EMPTY_OUTPUT', '/etc/ufw/ufw.conf is empty.');
  const enabled = assignments.get('ENABLED');
  if (enabled === undefined) throw new AgentError('ERR_PARSE', '/etc/ufw/ufw.conf has no ENABLED= line.');
  if (enabled !== 'yes' && enabled !== 'no') throw new AgentError('ERR_PARSE', `/etc/ufw/ufw.conf says ENABLED=${enabled}, not yes or no.`);
  return { enabled: enabled === 'yes', logLevel: assignments.get('LOGLEVEL') ?? null };
}
