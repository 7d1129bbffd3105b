/**
 * Creates a directory and its missing parents, one level at a time. Node's own `mkdir` with
 * `recursive: true` never returns for a path the kernel answers ENOENT for at every level (under
 * /proc, say): it keeps retrying the parent.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { systemErrorCode } from './errors.js';

/** Resolves to the first directory it created, or undefined when `path` already was a directory. */
export async function makeDirectory(path: string, mode = 0o777): Promise<string | undefined> {
  const target = resolve(path);
  const missing: string[] = [];
  for (let current = target; ; current = dirname(current)) {
    const kind = await stat(current).then((info) => (info.isDirectory() ? 'directory' : 'other'), (error: unknown) => {
      if (systemErrorCode(error) === 'ENOENT') return 'missing' as const;
      throw error;
    });
    if (kind === 'directory') break;
    if (kind === 'other') throw Object.assign(new Error(`${current} exists and is not a directory`), { code: 'ENOTDIR', path: current });
    missing.push(current);
    if (dirname(current) === current) break;
  }
  for (const directory of missing.reverse()) {
    try {
      await mkdir(directory, { mode });
    } catch (error) {
      if (systemErrorCode(error) !== 'EEXIST') throw error;
    }
  }
  return missing[0];
}
