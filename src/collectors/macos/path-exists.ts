import { AgentError } from '../../shared/errors.js';
import { pathExists as pathExistsOrHidden } from '../host-errors.js';
import type { Host } from '../host.js';

/** Whether a path exists, without reading it; a permission error that hides it is an error here. */
export async function pathExists(host: Host, path: string): Promise<boolean> {
  const exists = await pathExistsOrHidden(host, path);
  if (exists === null) throw new AgentError('ERR_ACCESS_DENIED', `${path} could not be checked: permission denied.`);
  return exists;
}
