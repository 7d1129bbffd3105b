/**
 * `defaults read <plist path without .plist> <key>` for an integer or boolean key prints the bare
 * number (`0`, `1`, `2`; booleans print as 1 or 0). A key or file that does not exist is reported
 * on stderr as `The domain/default pair of (<domain>, <key>) does not exist` with exit status 1
 * (shared fixtures M3; macOS 15 removed /Library/Preferences/com.apple.alf.plist).
 */
import { AgentError } from '../../shared/errors.js';

const MISSING = /does not exist/i;

export function parseDefaultsReadInteger(text: string): number {
  const value = text.trim();
  if (value === '') throw new AgentError('ERR_EMPTY_OUTPUT', 'defaults read printed nothing.');
  if (MISSING.test(value)) throw new AgentError('ERR_NOT_FOUND', `defaults read found no such setting: ${value}`);
  if (!/^-?\d+$/.test(value)) throw new AgentError('ERR_PARSE', `defaults read printed "${value}", not a number.`);
  return Number(value);
}
