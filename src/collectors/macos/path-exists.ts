import { systemErrorCode } from '../../shared/errors.js';
import { toAgentError } from '../host-errors.js';
import type { Host } from '../host.js';

/** Whether a file, directory or link target exists, without reading it; other failures throw. */
export async function pathExists(host: Host, path: string): Promise<boolean> {
  try {
    await host.realPath(path);
    return true;
  } catch (error) {
    const code = systemErrorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw toAgentError(error, path);
  }
}
