/**
 * The key-encryption key (KEK): 32 bytes that encrypt the service's private keys before they go
 * into the database, so the database alone (a backup, a replica, a leaked dump) holds no usable
 * key. It never goes into the database: every instance gets the same one from configuration
 * (POSTURE_SERVICE_KEY_ENCRYPTION_KEY, base64) or from a file (--key-encryption-key-file); on one
 * box it is made on first start in the data directory.
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AgentError } from '../shared/errors.js';
import { readPrivateFile, writePrivateFile } from '../shared/private-file.js';

export const KEY_ENCRYPTION_KEY_FILE = 'key-encryption.key';
const KEY_BYTES = 32;

export interface KeyEncryptionKey {
  readonly key: Buffer;
  /** Names the key without revealing it (the start of its SHA-256), so a wrong one is told apart from damage. */
  readonly id: string;
  /** Where it came from, for messages: the environment variable or the file's path. */
  readonly source: string;
}

export interface KeyEncryptionKeyOptions {
  /** Base64 or base64url text of 32 bytes (POSTURE_SERVICE_KEY_ENCRYPTION_KEY). */
  value?: string;
  /** A file holding that text (--key-encryption-key-file). */
  file?: string;
  /** Where the one-box default lives (and is created on first start). */
  dataDir: string;
}

function fromText(text: string, source: string): KeyEncryptionKey {
  const trimmed = text.trim();
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64') : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) {
    throw new AgentError(
      'ERR_KEY_ENCRYPTION_KEY',
      `The key-encryption key from ${source} is not ${KEY_BYTES} bytes in base64. Make one with "openssl rand -base64 32" and give the same one to every instance.`,
    );
  }
  return { key, id: createHash('sha256').update(key).digest('base64url').slice(0, 12), source };
}

export async function loadKeyEncryptionKey(options: KeyEncryptionKeyOptions): Promise<KeyEncryptionKey> {
  if (options.value !== undefined && options.value !== '') return fromText(options.value, 'POSTURE_SERVICE_KEY_ENCRYPTION_KEY');
  if (options.file !== undefined && options.file !== '') {
    const bytes = await readPrivateFile(options.file, 'key-encryption key file');
    if (bytes === null) {
      throw new AgentError('ERR_KEY_ENCRYPTION_KEY', `There is no key-encryption key file at ${options.file}. Create it with "openssl rand -base64 32 > ${options.file} && chmod 600 ${options.file}", the same on every instance.`);
    }
    return fromText(bytes.toString('utf8'), options.file);
  }
  const path = join(options.dataDir, KEY_ENCRYPTION_KEY_FILE);
  const existing = await readPrivateFile(path, 'key-encryption key file');
  if (existing !== null) return fromText(existing.toString('utf8'), path);
  await writePrivateFile(path, `${randomBytes(KEY_BYTES).toString('base64')}\n`);
  return fromText((await readPrivateFile(path, 'key-encryption key file'))!.toString('utf8'), path);
}
