/**
 * Crash-safe writes: a temporary file in the same directory, fsync, rename over the target, then
 * fsync the directory. Readers see the old content or the new, never a torn mix.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { makeDirectory } from './make-directory.js';

export interface AtomicWriteOptions {
  /** File mode; secrets use 0o600. */
  mode?: number;
}

export async function ensurePrivateDir(path: string): Promise<void> {
  await makeDirectory(path, 0o700);
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const mode = options.mode ?? 0o600;
  const handle = await open(temporary, 'wx', mode);
  try {
    // The mode asked for, whatever the umask (a service's UMask=0077 would close a shared file).
    await handle.chmod(mode);
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(directory);
}

async function syncDirectory(directory: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
