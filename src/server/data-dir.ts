/**
 * The service's data directory (database, signing keys): made 0700 when missing, and proved
 * writable before anything else starts, so a wrong `--data-dir` is one clear line instead of a
 * "database unavailable" or a key-file error later.
 */
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError, systemErrorCode } from '../shared/errors.js';
import { makeDirectory } from '../shared/make-directory.js';
import { fileSystemReason } from '../shared/private-file.js';

export function dataDirError(path: string, error: unknown): AgentError {
  const why = fileSystemReason(error) ?? `it cannot be written (${systemErrorCode(error) ?? 'unknown error'})`;
  return new AgentError(
    'ERR_DATA_DIR',
    `The data directory ${path} cannot be used: ${why}. Choose one this user can write with --data-dir (POSTURE_SERVICE_DATA_DIR).`,
    { cause: error },
  );
}

export async function prepareDataDir(path: string): Promise<void> {
  const probe = join(path, `.write-test-${randomBytes(6).toString('hex')}`);
  try {
    await makeDirectory(path, 0o700);
    await writeFile(probe, '', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    throw dataDirError(path, error);
  }
  await rm(probe, { force: true });
}
