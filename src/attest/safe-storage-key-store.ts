/**
 * The tray app's key store: the keys encrypted with Electron's safeStorage (Keychain on macOS,
 * DPAPI on Windows, the desktop keyring on Linux) in a private file. Electron is injected (design
 * §8): this module never imports it. On Linux without a keyring, safeStorage falls back to
 * `basic_text`, which is plaintext: refused unless the caller allows it, and then `warning` says so
 * (the tray shows it).
 */
import { join } from 'node:path';
import { AgentError } from '../shared/errors.js';
import { readPrivateFile, writePrivateFile } from '../shared/private-file.js';
import { corruptKeyStore, deserializeKeys, serializeKeys, type DeviceKeys, type KeyStore } from './key-store.js';

/** The part of Electron's safeStorage this store uses (the async API). */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ shouldReEncrypt: boolean; result: string }>;
  getSelectedStorageBackend?(): string;
}

export interface SafeStorageKeyStoreOptions {
  safeStorage: SafeStorageLike;
  stateDir: string;
  platform: NodeJS.Platform;
  /** Accept Linux's plaintext `basic_text` backend, with a visible warning. */
  allowPlaintext?: boolean;
}

export const PROTECTED_KEY_FILE = 'device-key.safestorage';

export const PLAINTEXT_WARNING =
  'No desktop keyring is available, so the device key is stored without the protection of your login keyring (only file permissions protect it).';

export class SafeStorageKeyStore implements KeyStore {
  readonly location: string;
  readonly #options: SafeStorageKeyStoreOptions;

  constructor(options: SafeStorageKeyStoreOptions) {
    this.#options = options;
    this.location = join(options.stateDir, PROTECTED_KEY_FILE);
  }

  get warning(): string | null {
    return this.#isPlaintext() ? PLAINTEXT_WARNING : null;
  }

  #isPlaintext(): boolean {
    return this.#options.platform === 'linux' && this.#options.safeStorage.getSelectedStorageBackend?.() === 'basic_text';
  }

  async #ensureUsable(): Promise<void> {
    if (!(await this.#options.safeStorage.isAsyncEncryptionAvailable())) {
      throw new AgentError('ERR_KEY_STORE_UNAVAILABLE', 'The operating system\'s secret storage is not available yet; try again once you are logged in.');
    }
    if (this.#isPlaintext() && !this.#options.allowPlaintext) {
      throw new AgentError(
        'ERR_KEY_STORE_INSECURE',
        'No desktop keyring (GNOME Keyring or KWallet) is available, so the device key cannot be stored safely. Install and unlock a keyring, or use the headless agent.',
      );
    }
  }

  async load(): Promise<DeviceKeys | null> {
    const bytes = await readPrivateFile(this.location, 'device key file');
    if (bytes === null) return null;
    await this.#ensureUsable();
    let decrypted: { shouldReEncrypt: boolean; result: string };
    try {
      decrypted = await this.#options.safeStorage.decryptStringAsync(bytes);
    } catch {
      throw corruptKeyStore(this.location, 'the secret storage could not decrypt it; it may come from another user account or machine');
    }
    const keys = deserializeKeys(decrypted.result, this.location);
    if (decrypted.shouldReEncrypt) await this.save(keys);
    return keys;
  }

  async save(keys: DeviceKeys): Promise<void> {
    await this.#ensureUsable();
    await writePrivateFile(this.location, await this.#options.safeStorage.encryptStringAsync(serializeKeys(keys)));
  }
}
