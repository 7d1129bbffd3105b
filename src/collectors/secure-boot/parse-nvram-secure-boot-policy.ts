/**
 * `nvram 94b73556-2197-4702-82a8-3e1337dafbfb:AppleSecureBootPolicy` on a Mac with a T2 chip: the
 * variable's name, a tab, and its one byte as nvram prints bytes (printable ASCII as itself, any
 * other byte as `%xx`): `%02` Full Security, `%01` Medium Security, `%00` No Security (osquery's
 * darwin secureboot table, getIntelSecureBootSetting). Elsewhere nvram says on stderr
 * `nvram: Error getting variable - '<name>': (iokit/common) data was not found` and exits 1. The
 * messages are fixed English. Pure.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export const SECURE_BOOT_POLICY_VARIABLE = '94b73556-2197-4702-82a8-3e1337dafbfb:AppleSecureBootPolicy';

export interface SecureBootPolicy {
  /** False when this Mac has no such variable (no T2 chip, Apple silicon, a virtual machine). */
  found: boolean;
  /** 0 No Security, 1 Medium Security, 2 Full Security; null when not found. */
  policy: 0 | 1 | 2 | null;
}

const NOT_FOUND = /^nvram: Error getting variable - '[^']*AppleSecureBootPolicy': \(iokit\/common\) data was not found/i;
const REFUSED = /^nvram: Error getting variable - '[^']*': \(iokit\/common\) (not permitted|privilege violation)/i;

function decodeNvramValue(printed: string): number[] {
  const bytes: number[] = [];
  for (let index = 0; index < printed.length; ) {
    const escape = /^%([0-9a-f]{2})/i.exec(printed.slice(index));
    if (escape) {
      bytes.push(Number.parseInt(escape[1]!, 16));
      index += 3;
    } else {
      bytes.push(printed.charCodeAt(index));
      index += 1;
    }
  }
  return bytes;
}

export function parseNvramSecureBootPolicy(text: string): SecureBootPolicy {
  const content = lines(text).filter((line) => line.trim() !== '');
  if (content.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', 'nvram printed nothing.');
  const first = content[0]!.trim();
  if (NOT_FOUND.test(first)) return { found: false, policy: null };
  if (REFUSED.test(first)) throw new AgentError('ERR_ACCESS_DENIED', `nvram could not read ${SECURE_BOOT_POLICY_VARIABLE}: ${first}`);
  const line = content.find((candidate) => candidate.toLowerCase().startsWith(`${SECURE_BOOT_POLICY_VARIABLE.toLowerCase()}\t`));
  if (!line) throw new AgentError('ERR_PARSE', `nvram printed something other than ${SECURE_BOOT_POLICY_VARIABLE}: ${first.slice(0, 200)}`);
  const bytes = decodeNvramValue(line.slice(SECURE_BOOT_POLICY_VARIABLE.length + 1).replace(/\r$/, ''));
  const value = bytes[0];
  if (bytes.length !== 1 || (value !== 0 && value !== 1 && value !== 2)) {
    throw new AgentError('ERR_PARSE', `AppleSecureBootPolicy holds [${bytes.join(', ')}], not one byte 0, 1 or 2.`);
  }
  return { found: true, policy: value };
}
