/** Reading a text file a person named (a policy file, a configuration file), with a size limit and a clear reason. */
import { readFile } from 'node:fs/promises';
import { AgentError, messageOf, systemErrorCode } from './errors.js';

export const MAX_TEXT_FILE_BYTES = 1024 * 1024;

/** The file's text; ERR_FILE_UNREADABLE naming `what` and the path when it cannot be read or is too large. */
export async function readTextFile(path: string, what: string, maxBytes = MAX_TEXT_FILE_BYTES): Promise<string> {
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
