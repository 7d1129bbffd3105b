/**
 * The key sets of a one-box service (SQLite in its data directory, the key-encryption key beside
 * it), opened from outside the service: benchmarks and tests that mint Results or certificates
 * with the service's own keys.
 */
import { join } from 'node:path';
import { loadKeyEncryptionKey } from './key-encryption-key.js';
import { KeySetVault } from './key-set-vault.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';

export interface LocalKeyVaults {
  store: Store;
  results: KeySetVault;
  deviceCa: KeySetVault;
  close(): Promise<void>;
}

export async function openLocalKeyVaults(dataDir: string, database = `sqlite:${join(dataDir, 'posture.db')}`): Promise<LocalKeyVaults> {
  const store = await openStore(database);
  try {
    await store.migrate();
    const kek = await loadKeyEncryptionKey({ dataDir });
    return {
      store,
      results: new KeySetVault(store, kek, 'result-signing'),
      deviceCa: new KeySetVault(store, kek, 'device-ca'),
      close: () => store.close(),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
