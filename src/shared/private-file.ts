/**
 * Files that hold secrets (the device key, bearer secrets, the service's signing key): read only
 * when they are regular files owned by this user and closed to everyone else; written atomically
 * with mode 0600 in a 0700 directory. On Windows the per-user profile folders' ACLs do this job.
 * A folder that cannot be read or written is one clear error naming it, never a raw system error.
 */
import { lstat, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AgentError, isAgentError, systemErrorCode } from './errors.js';
import { ensurePrivateDir, writeFileAtomic } from './atomic-write.js';

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOENT: 'the folder cannot be created',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
};

/** Why a file-system call failed, in words; null for a failure that is not about the place. */
export function fileSystemReason(error: unknown): string | null {
  const code = systemErrorCode(error);
  return code === undefined ? null : (REASONS[code] ?? null);
}

/** True for failures that are about who may write where (as opposed to a full disk, say). */
export function isPermissionFailure(error: unknown): boolean {
  return ['EACCES', 'EPERM', 'EROFS'].includes(systemErrorCode(error) ?? '');
}

function unusable(action: 'read' | 'write', path: string, error: unknown): unknown {
  const reason = fileSystemReason(error);
  if (isAgentError(error) || reason === null) return error;
  return new AgentError(
    isPermissionFailure(error) ? 'ERR_FILE_PERMISSIONS' : 'ERR_IO',
    `Cannot ${action} ${path}: ${reason}. Use a folder this user can ${action} (for the agent: --state-dir), or fix the permissions of ${dirname(path)}.`,
    { cause: error },
  );
}

export interface PrivateFileOptions {
  /** The user the file must belong to: this process's user unless a test says otherwise. */
  uid?: number;
}

async function checkPrivate(path: string, what: string, options: PrivateFileOptions): Promise<void> {
  if (process.platform === 'win32') return;
  const info = await lstat(path);
  if (info.isSymbolicLink() || !info.isFile()) {
    throw new AgentError('ERR_FILE_PERMISSIONS', `The ${what} ${path} is not a regular file (a link or a folder); refusing to use it. Remove it and try again.`);
  }
  const uid = options.uid ?? process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw new AgentError(
      'ERR_FILE_OWNER',
      `The ${what} ${path} belongs to another user (uid ${info.uid}, this is uid ${uid}); refusing to use it. Use a state directory of your own (--state-dir) or run as its owner.`,
    );
  }
  if ((info.mode & 0o077) !== 0) {
    throw new AgentError(
      'ERR_FILE_PERMISSIONS',
      `The ${what} ${path} can be read or written by other users (mode ${octal(info.mode)}); refusing to use it. If nobody else could have copied it, run "chmod 600 ${path}"; otherwise move it aside and create a new one.`,
    );
  }
  const folder = await lstat(dirname(path));
  if ((folder.mode & 0o022) !== 0) {
    throw new AgentError(
      'ERR_FILE_PERMISSIONS',
      `The folder ${dirname(path)} holding the ${what} can be written by other users (mode ${octal(folder.mode)}); refusing to use it. Run "chmod 700 ${dirname(path)}".`,
    );
  }
}

/** The file's bytes, or null when it does not exist; refuses files others could read or replace. */
export async function readPrivateFile(path: string, what: string, options: PrivateFileOptions = {}): Promise<Buffer | null> {
  try {
    await checkPrivate(path, what, options);
    return await readFile(path);
  } catch (error) {
    // ENOTDIR: a part of the path is a file, so this file cannot exist either.
    if (systemErrorCode(error) === 'ENOENT' || systemErrorCode(error) === 'ENOTDIR') return null;
    throw unusable('read', path, error);
  }
}

export async function writePrivateFile(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await ensurePrivateDir(dirname(path));
    await writeFileAtomic(path, data, { mode: 0o600 });
  } catch (error) {
    throw unusable('write', path, error);
  }
}
