/**
 * `xprotect version` (macOS 15+, runs without root) prints `Key: value` lines, among them
 * `Version: 5297` and `Installed: 2025-05-13 22:47:55 +0000` (shared fixtures README, M4).
 * Sequoia can show XProtect as version 0 while its own copy in /var/protected/xprotect is not yet
 * installed (eclecticlight.co/tag/softwareupdate, "why it could show as version 0"): no version.
 */
import { AgentError } from '../../shared/errors.js';
import { unreadableOutput } from '../macos/privilege-refusal.js';
import { keyValues } from '../parse-text.js';

export interface XProtectVersion {
  version: string | null;
  /** ISO 8601, UTC. */
  installedAt: string | null;
}

const VERSION = /^\d+$/;
const INSTALLED = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) ?([+-])(\d{2}):?(\d{2})$/;

/** `2025-05-13 22:47:55 +0000` to `2025-05-13T22:47:55.000Z`. */
function installedAt(value: string): string {
  const match = INSTALLED.exec(value);
  const date = match ? new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}${match[7]}${match[8]}:${match[9]}`) : null;
  if (!date || Number.isNaN(date.getTime())) throw new AgentError('ERR_PARSE', `xprotect version printed an install date it does not document: "${value}".`);
  return date.toISOString();
}

export function parseXProtectVersion(text: string): XProtectVersion {
  if (text.trim() === '') throw new AgentError('ERR_EMPTY_OUTPUT', 'xprotect version printed nothing.');
  const values = keyValues(text);
  const version = values.get('Version');
  if (version === undefined) throw unreadableOutput(text, 'xprotect version', `no Version line: "${text.trim()}"`);
  if (!VERSION.test(version)) throw new AgentError('ERR_PARSE', `xprotect version printed Version "${version}", not a number.`);
  const installed = values.get('Installed');
  return {
    version: Number(version) === 0 ? null : version,
    installedAt: installed === undefined || installed === '' ? null : installedAt(installed),
  };
}
