/**
 * The service's Result-signing keys, kept in the data directory (service-keys.json, 0600). The
 * newest key signs; a rotated-out key stays published in the JWKS until every Result it signed
 * has expired, then it is dropped. A running service notices a rotation made by
 * `posture-service keys rotate` (the file changes) without restarting.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { Es256Key } from '../attest/es256-key.js';
import type { PublicJwk } from '../attest/jwk.js';
import { AgentError, messageOf } from '../shared/errors.js';
import { readPrivateFile, writePrivateFile } from '../shared/private-file.js';

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

function corrupt(path: string, why: string): AgentError {
  return new AgentError(
    'ERR_KEY_CORRUPT',
    `The service signing keys in ${path} are damaged (${why}). Restore the file from a backup; or move it aside and restart to make a new key (Results signed by the old key then stop verifying).`,
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
  readonly path: string;
  /** How long after retirement a key stays published: the longest a Result lives, plus clock tolerance. */
  readonly #publishRetiredMs: number;
  #entries: ServiceKeyEntry[];
  #byKid: Map<string, ServiceKeyEntry>;
  #mtimeMs: number;

  private constructor(path: string, entries: ServiceKeyEntry[], mtimeMs: number, publishRetiredMs: number) {
    this.path = path;
    this.#entries = entries;
    this.#byKid = new Map(entries.map((entry) => [entry.key.kid, entry]));
    this.#mtimeMs = mtimeMs;
    this.#publishRetiredMs = publishRetiredMs;
  }

  /** Loads the keys, creating the first one on first run. */
  static async open(dataDir: string, options: { now?: Date; publishRetiredMs: number }): Promise<ServiceKeys> {
    const path = join(dataDir, SERVICE_KEYS_FILE);
    let bytes = await readPrivateFile(path, 'service signing key file');
    if (bytes === null) {
      await writePrivateFile(path, serialize([newEntry(options.now ?? new Date())]));
      bytes = (await readPrivateFile(path, 'service signing key file'))!;
    }
    return new ServiceKeys(path, parseEntries(bytes.toString('utf8'), path), (await stat(path)).mtimeMs, options.publishRetiredMs);
  }

  /** Makes a new signing key and retires the current one (it stays published until its Results expire). */
  static async rotate(dataDir: string, now: Date = new Date()): Promise<{ kid: string; retired: string[] }> {
    const keys = await ServiceKeys.open(dataDir, { now, publishRetiredMs: 0 });
    const retired = keys.#entries.filter((entry) => entry.retiredAt === null).map((entry) => ({ ...entry, retiredAt: now }));
    const older = keys.#entries.filter((entry) => entry.retiredAt !== null);
    const fresh = newEntry(now);
    await writePrivateFile(keys.path, serialize([fresh, ...retired, ...older]));
    return { kid: fresh.key.kid, retired: retired.map((entry) => entry.key.kid) };
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

  /** Picks up a rotation done by another process (the file changed). */
  async reloadIfChanged(): Promise<boolean> {
    const mtimeMs = (await stat(this.path)).mtimeMs;
    if (mtimeMs === this.#mtimeMs) return false;
    const bytes = await readPrivateFile(this.path, 'service signing key file');
    if (bytes === null) return false;
    this.#entries = parseEntries(bytes.toString('utf8'), this.path);
    this.#byKid = new Map(this.#entries.map((entry) => [entry.key.kid, entry]));
    this.#mtimeMs = mtimeMs;
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
