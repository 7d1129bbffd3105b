/**
 * A set of private keys kept in the database, encrypted (AES-256-GCM) with the key-encryption key,
 * bound to its purpose (a Result-signing key set cannot be passed off as the device CA). Every
 * service instance on the database reads the same set; a change (rotation) is a compare-and-swap
 * on its version, and the others notice the version move.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AgentError } from '../shared/errors.js';
import type { KeyEncryptionKey } from './key-encryption-key.js';
import type { Store } from './store/store.js';

const FORMAT = 'posture-key-set/v1';

const envelopeSchema = z.strictObject({
  format: z.literal(FORMAT),
  kek: z.string(),
  iv: z.string(),
  tag: z.string(),
  data: z.string(),
});

export type KeySetPurpose = 'result-signing' | 'device-ca';

export interface StoredKeySet {
  text: string;
  version: number;
}

export class KeySetVault {
  readonly purpose: KeySetPurpose;
  readonly #store: Store;
  readonly #kek: KeyEncryptionKey;
  readonly #clock: () => Date;

  constructor(store: Store, kek: KeyEncryptionKey, purpose: KeySetPurpose, clock: () => Date = () => new Date()) {
    this.#store = store;
    this.#kek = kek;
    this.purpose = purpose;
    this.#clock = clock;
  }

  /** For messages: where the keys are. */
  get description(): string {
    return `the database (key set "${this.purpose}")`;
  }

  #additionalData(): Buffer {
    return Buffer.from(`${FORMAT}:${this.purpose}`);
  }

  #seal(text: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#kek.key, iv);
    cipher.setAAD(this.#additionalData());
    const data = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return JSON.stringify({ format: FORMAT, kek: this.#kek.id, iv: iv.toString('base64url'), tag: cipher.getAuthTag().toString('base64url'), data: data.toString('base64url') });
  }

  #open(envelope: string): string {
    let parsed: z.infer<typeof envelopeSchema>;
    try {
      parsed = envelopeSchema.parse(JSON.parse(envelope));
    } catch {
      throw new AgentError('ERR_KEY_CORRUPT', `The ${this.purpose} keys in ${this.description} are damaged (not an encrypted key set). Restore the database from a backup.`);
    }
    if (parsed.kek !== this.#kek.id) {
      throw new AgentError(
        'ERR_KEY_ENCRYPTION_KEY',
        `The ${this.purpose} keys in the database were encrypted with another key-encryption key (${parsed.kek}) than this instance has (${this.#kek.id}, from ${this.#kek.source}). Give every instance the same key-encryption key (POSTURE_SERVICE_KEY_ENCRYPTION_KEY or --key-encryption-key-file).`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#kek.key, Buffer.from(parsed.iv, 'base64url'));
      decipher.setAAD(this.#additionalData());
      decipher.setAuthTag(Buffer.from(parsed.tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(parsed.data, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new AgentError('ERR_KEY_CORRUPT', `The ${this.purpose} keys in ${this.description} do not decrypt: they were altered or damaged. Restore the database from a backup.`);
    }
  }

  async read(): Promise<StoredKeySet | null> {
    const record = await this.#store.getKeySet(this.purpose);
    return record === null ? null : { text: this.#open(record.envelope), version: record.version };
  }

  /** Writes the set if it is still at `expectedVersion` (null: only if there is none yet); false when another instance changed it first. */
  write(text: string, expectedVersion: number | null): Promise<boolean> {
    return this.#store.putKeySet(this.purpose, this.#seal(text), expectedVersion, this.#clock());
  }

  async version(): Promise<number | null> {
    return (await this.#store.keySetVersions())[this.purpose] ?? null;
  }
}
