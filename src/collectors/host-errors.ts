/** Turning what a host throws into the report's errors, and reading files that may be absent. */
import { AgentError, isAgentError, messageOf, systemErrorCode } from '../shared/errors.js';
import type { CollectContext, Host } from './host.js';

/** An AgentError for anything a host call threw, naming what was being read. */
export function toAgentError(error: unknown, what: string): AgentError {
  if (isAgentError(error)) return error;
  switch (systemErrorCode(error)) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new AgentError('ERR_NOT_FOUND', `${what} does not exist on this device.`, { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new AgentError('ERR_ACCESS_DENIED', `${what} could not be read: permission denied (it may need administrator rights).`, { cause: error });
    default:
      return new AgentError('ERR_IO', `${what} could not be read: ${messageOf(error)}`, { cause: error });
  }
}

/** The file's text, or null when it does not exist; other failures throw an AgentError. */
export async function readOptionalFile(host: Host, path: string): Promise<string | null> {
  try {
    return await host.readFile(path);
  } catch (error) {
    const code = systemErrorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw toAgentError(error, path);
  }
}

/** The directory's entries, or null when it does not exist; other failures throw an AgentError. */
export async function readOptionalDir(host: Host, path: string): Promise<string[] | null> {
  try {
    return await host.readDir(path);
  } catch (error) {
    const code = systemErrorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw toAgentError(error, path);
  }
}

/** Runs `attempt`; on failure records the error in the report and returns undefined. */
export async function attempt<T>(ctx: CollectContext, what: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    const agentError = toAgentError(error, what);
    ctx.error(agentError.code, agentError.message);
    return undefined;
  }
}

/** Whether a path exists (realPath, no read); null when a permission error hides it; other failures throw. */
export async function pathExists(host: Host, path: string): Promise<boolean | null> {
  try {
    await host.realPath(path);
    return true;
  } catch (error) {
    const code = systemErrorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    if (code === 'EACCES' || code === 'EPERM') return null;
    throw toAgentError(error, path);
  }
}
