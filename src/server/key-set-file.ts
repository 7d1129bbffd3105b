/**
 * Opening and changing a key set in the vault: the first instance imports the file an earlier
 * version kept in the data directory (or creates a new set) and every other instance reads that
 * one; a change retries on a fresh copy when another instance changed the set meanwhile.
 */
import { AgentError } from '../shared/errors.js';
import { readPrivateFile } from '../shared/private-file.js';
import type { KeySetVault } from './key-set-vault.js';

export interface OpenedKeySet<T> {
  keys: T;
  version: number;
  /** True when this call imported the file an earlier version left in the data directory. */
  imported: boolean;
}

const MAX_ATTEMPTS = 5;

/** Reads the set (parsed with `parse`), importing or creating it first when the database has none. */
export async function openKeySet<T>(
  vault: KeySetVault,
  options: { importFile?: string | undefined; what: string; create: () => Promise<string>; parse: (text: string, where: string) => T },
): Promise<OpenedKeySet<T>> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const stored = await vault.read();
    if (stored !== null) return { keys: options.parse(stored.text, vault.description), version: stored.version, imported: false };
    const legacy = options.importFile === undefined ? null : await readPrivateFile(options.importFile, options.what);
    const text = legacy === null ? await options.create() : legacy.toString('utf8');
    // A damaged file is refused before anything is written.
    if (legacy !== null) options.parse(text, options.importFile!);
    // Another instance may write its own first: then this one reads that one.
    if (await vault.write(text, null)) {
      const written = await vault.read();
      if (written !== null) return { keys: options.parse(written.text, vault.description), version: written.version, imported: legacy !== null };
    }
  }
  throw busy(vault);
}

function busy(vault: KeySetVault): AgentError {
  return new AgentError('ERR_DATABASE_UNAVAILABLE', `The ${vault.purpose} key set kept changing while this instance read it; try again.`);
}

/** Replaces the set with `change(current text)`, retrying when another instance changed it first. */
export async function replaceKeySet(vault: KeySetVault, change: (text: string) => Promise<string>): Promise<number> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const stored = await vault.read();
    if (stored === null) throw new AgentError('ERR_NOT_FOUND', `There is no ${vault.purpose} key set in the database yet: start the service once first.`);
    if (await vault.write(await change(stored.text), stored.version)) return stored.version + 1;
  }
  throw busy(vault);
}
