/** Reading a policy file named on the command line or in configuration. */
import { readFile } from 'node:fs/promises';
import { DEFAULT_POLICY } from '../policy/default-policy.js';
import type { Policy } from '../policy/types.js';
import { AgentError, messageOf, systemErrorCode } from '../shared/errors.js';

const MAX_POLICY_BYTES = 1024 * 1024;

export async function readTextFile(path: string, what: string, maxBytes = MAX_POLICY_BYTES): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = systemErrorCode(error);
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : messageOf(error);
    throw new AgentError('ERR_FILE_UNREADABLE', `Cannot read ${what} ${path}: ${why}.`, { cause: error });
  }
  if (Buffer.byteLength(text) > maxBytes) throw new AgentError('ERR_FILE_UNREADABLE', `${what} ${path} is larger than ${maxBytes} bytes.`);
  return text;
}

/** The policy in `path`, or the built-in default policy when no path is given. */
export async function loadPolicy(path: string | undefined): Promise<Policy> {
  if (path === undefined) return DEFAULT_POLICY;
  const text = await readTextFile(path, 'policy file');
  const { parsePolicy } = await import('../policy/parse-policy-text.js');
  return parsePolicy(text, path);
}
