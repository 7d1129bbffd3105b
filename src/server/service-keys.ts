/**
 * The service's Result-signing keys, kept in the database encrypted with the key-encryption key
 * (key set "result-signing"), so every instance on the database signs with the same key and
 * verifies any instance's Results. The newest key signs; a rotated-out key stays published in the
 * JWKS until every Result it signed has expired, then it is dropped. Running instances notice a
 * rotation made by `posture-service keys rotate` or another instance (the set's version moves).
 * A service-keys.json left in the data directory by an earlier version is imported once.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { Es256Key } from '../attest/es256-key.js';
import type { PublicJwk } from '../attest/jwk.js';
import { AgentError, messageOf } from '../shared/errors.js';
import type { KeySetVault } from './key-set-vault.js';
import { openKeySet, replaceKeySet } from './key-set-file.js';

/** Where an earlier version kept the keys (imported into the database once). */
export const SERVICE_KEYS_FILE = 'service-keys.json';
const FORMAT = 'posture-service-keys/v1';

const fileSchema = z.strictObject({
  format: z.literal(FORMAT),
  keys: z.array(z.strictObject({ createdAt: z.string(), retiredAt: z.string().nullable(), privateJwk: z.record(z.string(), z.unknown()) })).min(1),
});

interface ServiceKeyEntry {
  key: Es256Key;
  publicKey: KeyObject;
  retiredAt: Date | null;
}

function corrupt(where: string, why: string): AgentError {
  return new AgentError(
    'ERR_KEY_CORRUPT',
    `The service signing keys in ${where} are damaged (${why}). Restore them from a backup; or run "posture-service keys rotate" to sign with a new key (Results signed by the old key then stop verifying).`,
  );
}

function parseEntries(text: string, path: string): ServiceKeyEntry[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw corrupt(path, 'not valid JSON');
  }
  const parsed = fileSchema.safeParse(document);
  if (!parsed.success) throw corrupt(path, 'not in the expected format');
  try {
    return parsed.data.keys.map((entry) => {
      const key = Es256Key.fromPrivateJwk(entry.privateJwk, entry.createdAt);
      return { key, publicKey: createPublicKey(key.signingKey), retiredAt: entry.retiredAt ? new Date(entry.retiredAt) : null };
    });
  } catch (error) {
    throw corrupt(path, messageOf(error));
  }
}

function serialize(entries: readonly ServiceKeyEntry[]): string {
  const keys = entries.map((entry) => ({
    createdAt: entry.key.createdAt,
    retiredAt: entry.retiredAt?.toISOString() ?? null,
    privateJwk: entry.key.exportPrivateJwk(),
  }));
  return `${JSON.stringify({ format: FORMAT, keys }, null, 2)}\n`;
}

function newEntry(now: Date): ServiceKeyEntry {
  const key = Es256Key.generate(now);
  return { key, publicKey: createPublicKey(key.signingKey), retiredAt: null };
}

export class ServiceKeys {
  readonly #vault: KeySetVault;
  /** How long after retirement a key stays published: the longest a Result lives, plus clock tolerance. */
  readonly #publishRetiredMs: number;
  #entries: ServiceKeyEntry[];
  #byKid: Map<string, ServiceKeyEntry>;
  #version: number;

  private constructor(vault: KeySetVault, entries: ServiceKeyEntry[], version: number, publishRetiredMs: number) {
    this.#vault = vault;
    this.#entries = entries;
    this.#byKid = new Map(entries.map((entry) => [entry.key.kid, entry]));
    this.#version = version;
    this.#publishRetiredMs = publishRetiredMs;
  }

  /** Loads the keys, importing `importFile` or creating the first key on first run. */
  static async open(vault: KeySetVault, options: { now?: Date; publishRetiredMs: number; importFile?: string }): Promise<ServiceKeys> {
    const stored = await openKeySet(vault, {
      importFile: options.importFile,
      what: 'service signing key file',
      create: () => Promise.resolve(serialize([newEntry(options.now ?? new Date())])),
      parse: parseEntries,
    });
    return new ServiceKeys(vault, stored.keys, stored.version, options.publishRetiredMs);
  }

  /** Makes a new signing key and retires the current one (it stays published until its Results expire). */
  static async rotate(vault: KeySetVault, now: Date = new Date()): Promise<{ kid: string; retired: string[] }> {
    let outcome: { kid: string; retired: string[] } | undefined;
    await replaceKeySet(vault, (text) => {
      const entries = parseEntries(text, vault.description);
      const retired = entries.filter((entry) => entry.retiredAt === null).map((entry) => ({ ...entry, retiredAt: now }));
      const older = entries.filter((entry) => entry.retiredAt !== null);
      const fresh = newEntry(now);
      outcome = { kid: fresh.key.kid, retired: retired.map((entry) => entry.key.kid) };
      return Promise.resolve(serialize([fresh, ...retired, ...older]));
    });
    return outcome!;
  }

  #lastReloadRequest = 0;

  /**
   * A token named a key this process does not hold: another process may have rotated. Reloads in
   * the background, at most every 5 seconds, so a flood of unknown kids costs nothing.
   */
  requestReload(): void {
    const now = Date.now();
    if (now - this.#lastReloadRequest < 5_000) return;
    this.#lastReloadRequest = now;
    this.reloadIfChanged().catch(() => undefined);
  }

  /** Picks up a rotation done by another process (the key set's version moved). */
  async reloadIfChanged(): Promise<boolean> {
    const version = await this.#vault.version();
    if (version === null || version === this.#version) return false;
    const stored = await this.#vault.read();
    if (stored === null) return false;
    this.#entries = parseEntries(stored.text, this.#vault.description);
    this.#byKid = new Map(this.#entries.map((entry) => [entry.key.kid, entry]));
    this.#version = stored.version;
    return true;
  }

  /** The key that signs new Results. */
  get signing(): Es256Key {
    const active = this.#entries.find((entry) => entry.retiredAt === null) ?? this.#entries[0]!;
    return active.key;
  }

  #published(entry: ServiceKeyEntry, now: Date): boolean {
    return entry.retiredAt === null || now.getTime() - entry.retiredAt.getTime() <= this.#publishRetiredMs;
  }

  /** The public key for a kid, while it is published. */
  publicKey(kid: string, now: Date = new Date()): KeyObject | null {
    const entry = this.#byKid.get(kid);
    return entry && this.#published(entry, now) ? entry.publicKey : null;
  }

  jwks(now: Date = new Date()): { keys: PublicJwk[] } {
    return { keys: this.#entries.filter((entry) => this.#published(entry, now)).map((entry) => entry.key.publicJwk) };
  }
}
