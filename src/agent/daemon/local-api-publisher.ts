/**
 * Publishing the daemon's local API: the server on the configured loopback address, its address
 * and owner secret in the state directory (0600, for this user's CLI and tray), and for a system
 * daemon the shared status file every local user's tray reads (status and checks only).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { LOCAL_API_FILE, LOCAL_API_SECRET_FILE, type LoopbackHost } from '../../api/local-api-types.js';
import { startLocalApi, type LocalApi, type LocalApiHandlers } from '../../api/local-api-server.js';
import { writeSharedStatusFile } from '../../api/shared-status-file.js';
import { AgentError } from '../../shared/errors.js';
import { fileSystemReason, isPermissionFailure, writePrivateFile } from '../../shared/private-file.js';

export interface PublishLocalApiOptions {
  stateDir: string;
  host: LoopbackHost;
  port: number;
  handlers: LocalApiHandlers;
  onError: (error: unknown) => void;
  /** A system daemon publishes its local API here for every local user's tray. */
  sharedStatusFile?: string;
  now: Date;
}

/** Starts the local API and writes where it listens; closes it again when that cannot be written. */
export async function publishLocalApi(options: PublishLocalApiOptions): Promise<LocalApi> {
  const { stateDir, sharedStatusFile } = options;
  const secret = randomBytes(32).toString('base64url');
  const sharedSecret = sharedStatusFile === undefined ? undefined : randomBytes(32).toString('base64url');
  const api = await startLocalApi({
    host: options.host,
    port: options.port,
    secret,
    ...(sharedSecret === undefined ? {} : { sharedSecret }),
    handlers: options.handlers,
    onError: options.onError,
  });
  try {
    await writePrivateFile(join(stateDir, LOCAL_API_SECRET_FILE), `${secret}\n`);
    const discovery = { url: api.url, pid: process.pid, startedAt: options.now.toISOString() };
    await writePrivateFile(join(stateDir, LOCAL_API_FILE), `${JSON.stringify(discovery)}\n`);
    if (sharedStatusFile !== undefined && sharedSecret !== undefined) {
      await writeSharedStatusFile(sharedStatusFile, { ...discovery, secret: sharedSecret }).catch((error: unknown) => {
        const reason = fileSystemReason(error);
        if (reason === null) throw error;
        throw new AgentError(
          isPermissionFailure(error) ? 'ERR_FILE_PERMISSIONS' : 'ERR_IO',
          `Cannot write the shared status file ${sharedStatusFile}: ${reason}. --share-status is for a daemon run by the system (root or SYSTEM); give it a file in a folder this user can write, or leave it out.`,
          { cause: error },
        );
      });
    }
  } catch (error) {
    await api.close();
    throw error;
  }
  return api;
}
