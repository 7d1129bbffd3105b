/**
 * The shared status file: how a system daemon (`posture-agent run --share-status`) lets every
 * local user's tray app find it. It holds the local API's address and the shared secret, which
 * opens the status and "check now" but never the Result. Everyone may read it; only its owner
 * (root / SYSTEM) may write it or its folder, and a reader refuses it otherwise, so another user
 * cannot point the tray at a server of their own.
 */
import { chmod, lstat, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../shared/atomic-write.js';
import { AgentError, systemErrorCode } from '../shared/errors.js';
import { makeDirectory } from '../shared/make-directory.js';
import type { SharedLocalApiDiscovery } from './local-api-types.js';

const LOOPBACK_URL = /^http:\/\/(127\.0\.0\.1|\[::1\]):\d+$/;

export function isLoopbackUrl(url: unknown): url is string {
  return typeof url === 'string' && LOOPBACK_URL.test(url);
}

/**
 * Writes the file (0644). Folders it has to create are made 0755 whatever the umask; a folder that
 * exists is never changed (it may be /tmp with its sticky bit, or closed on purpose).
 */
export async function writeSharedStatusFile(path: string, discovery: SharedLocalApiDiscovery): Promise<void> {
  const folder = resolve(dirname(path));
  const created = await makeDirectory(folder, 0o755);
  if (created !== undefined && process.platform !== 'win32') {
    for (let current = folder; ; current = dirname(current)) {
      await chmod(current, 0o755);
      if (current === created || dirname(current) === current) break;
    }
  }
  await writeFileAtomic(path, `${JSON.stringify(discovery)}\n`, { mode: 0o644 });
}

async function checkOwnership(path: string, owner: number): Promise<void> {
  const file = await lstat(path);
  if (file.isSymbolicLink() || !file.isFile()) {
    throw new AgentError('ERR_FILE_PERMISSIONS', `The shared status file ${path} is not a regular file; refusing to use it. Reinstall the Posture Agent or ask IT.`);
  }
  const folder = await lstat(dirname(path));
  for (const [what, info] of [['file', file], ['folder', folder]] as const) {
    if (info.uid !== owner) {
      throw new AgentError('ERR_FILE_OWNER', `The shared status ${what} ${what === 'file' ? path : dirname(path)} does not belong to the system (uid ${info.uid}, expected ${owner}); refusing to use it. Ask IT.`);
    }
    if ((info.mode & 0o022) !== 0) {
      throw new AgentError('ERR_FILE_PERMISSIONS', `The shared status ${what} ${what === 'file' ? path : dirname(path)} can be changed by other users; refusing to use it. Ask IT.`);
    }
  }
}

/**
 * The discovery a system daemon published, or null when there is none. `owner` is the user the
 * file must belong to (root unless a test says otherwise); Windows relies on the folder's ACL,
 * which the installer sets.
 */
export async function readSharedStatusFile(path: string, owner = 0): Promise<SharedLocalApiDiscovery | null> {
  let text: string;
  try {
    if (process.platform !== 'win32') await checkOwnership(path, owner);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT') return null;
    throw error;
  }
  let discovery: Partial<SharedLocalApiDiscovery>;
  try {
    discovery = JSON.parse(text) as Partial<SharedLocalApiDiscovery>;
  } catch {
    throw new AgentError('ERR_DAEMON_UNREACHABLE', `The shared status file ${path} is unreadable; the posture agent service rewrites it when it starts.`);
  }
  if (!isLoopbackUrl(discovery.url) || typeof discovery.secret !== 'string' || discovery.secret === '') {
    throw new AgentError('ERR_DAEMON_UNREACHABLE', `The shared status file ${path} does not name a loopback address and a secret; refusing to use it.`);
  }
  return { url: discovery.url, secret: discovery.secret, pid: Number(discovery.pid), startedAt: String(discovery.startedAt) };
}
