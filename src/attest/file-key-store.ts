/** The headless agent's key store: a private file in the state directory (mode 0600, atomic writes). */
import { join } from 'node:path';
import { readPrivateFile, writePrivateFile, type PrivateFileOptions } from '../shared/private-file.js';
import { deserializeKeys, serializeKeys, type DeviceKeys, type KeyStore } from './key-store.js';

export const DEVICE_KEY_FILE = 'device-key.json';

export class FileKeyStore implements KeyStore {
  readonly location: string;
  readonly warning = null;
  readonly #fileOptions: PrivateFileOptions;

  constructor(stateDir: string, fileOptions: PrivateFileOptions = {}) {
    this.location = join(stateDir, DEVICE_KEY_FILE);
    this.#fileOptions = fileOptions;
  }

  async load(): Promise<DeviceKeys | null> {
    const bytes = await readPrivateFile(this.location, 'device key file', this.#fileOptions);
    return bytes === null ? null : deserializeKeys(bytes.toString('utf8'), this.location);
  }

  async save(keys: DeviceKeys): Promise<void> {
    await writePrivateFile(this.location, serializeKeys(keys));
  }
}
