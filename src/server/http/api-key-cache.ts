/**
 * Which role an API key has, answered from memory: valid and unknown keys alike are remembered for
 * a while, so a busy gateway presenting its key on every forward-auth request costs no database
 * read per request. A remembered valid key past its time is still honoured while it is looked up
 * again in the background (a revoked key stops working within one refresh), and while the database
 * is unreachable it keeps working rather than turning every gateway away.
 */
import { hashSecret } from '../secrets.js';
import type { ApiKeyRole } from '../store/store.js';

/** What the service knows of a valid key. */
export interface ApiKeyIdentity {
  id: string;
  role: ApiKeyRole;
}

interface Entry {
  identity: ApiKeyIdentity | null;
  until: number;
}

export interface ApiKeyCacheOptions {
  /** How long an answer is trusted before it is looked up again. */
  ttlMs?: number;
  /** After a failed lookup, how long a remembered valid key is honoured before the next attempt. */
  retryMs?: number;
  /** At most this many unknown keys are remembered (valid keys are few and always kept). */
  maxUnknown?: number;
  clock?: () => number;
}

const MAX_REMEMBERED_HASHES = 1_000;

export class ApiKeyCache {
  readonly #lookup: (keyHash: string) => Promise<ApiKeyIdentity | null>;
  readonly #ttlMs: number;
  readonly #retryMs: number;
  readonly #maxUnknown: number;
  readonly #clock: () => number;
  readonly #known = new Map<string, Entry>();
  readonly #unknown = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<ApiKeyIdentity | null>>();
  /** The hash of each valid key seen, so a gateway presenting its key on every request is not hashed every time. */
  readonly #hashOfKnown = new Map<string, string>();

  constructor(lookup: (keyHash: string) => Promise<ApiKeyIdentity | null>, options: ApiKeyCacheOptions = {}) {
    this.#lookup = lookup;
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#retryMs = options.retryMs ?? 5_000;
    this.#maxUnknown = options.maxUnknown ?? 10_000;
    this.#clock = options.clock ?? Date.now;
  }

  /** The remembered answer: the key's identity, null for an unknown or revoked key, undefined when it has to be looked up. */
  peek(key: string): ApiKeyIdentity | null | undefined {
    const memo = this.#hashOfKnown.get(key);
    if (memo !== undefined) return this.#peek(memo);
    const hash = hashSecret(key);
    if (this.#known.has(hash)) {
      if (this.#hashOfKnown.size >= MAX_REMEMBERED_HASHES) this.#hashOfKnown.clear();
      this.#hashOfKnown.set(key, hash);
    }
    return this.#peek(hash);
  }

  /** Forgets every answer (a key was revoked here): the next use of any key is looked up again. */
  clear(): void {
    this.#known.clear();
    this.#unknown.clear();
    this.#hashOfKnown.clear();
  }

  /** The key's identity, looked up only when it is not remembered. Rejects when the lookup fails. */
  identify(key: string): Promise<ApiKeyIdentity | null> {
    const hash = hashSecret(key);
    const remembered = this.#peek(hash);
    return remembered === undefined ? this.#refresh(hash) : Promise.resolve(remembered);
  }

  #peek(hash: string): ApiKeyIdentity | null | undefined {
    const now = this.#clock();
    const known = this.#known.get(hash);
    if (known) {
      if (known.until <= now) this.#refresh(hash).catch(() => undefined);
      return known.identity;
    }
    const unknown = this.#unknown.get(hash);
    if (unknown && unknown.until > now) return null;
    return undefined;
  }

  /** One lookup per key at a time, however many requests present it meanwhile. */
  #refresh(hash: string): Promise<ApiKeyIdentity | null> {
    const pending = this.#pending.get(hash);
    if (pending) return pending;
    const lookup = this.#lookup(hash).then(
      (identity) => {
        this.#remember(hash, identity);
        return identity;
      },
      (error: unknown) => {
        const known = this.#known.get(hash);
        if (known) known.until = this.#clock() + this.#retryMs;
        throw error;
      },
    );
    const settled = lookup.finally(() => this.#pending.delete(hash));
    this.#pending.set(hash, settled);
    return settled;
  }

  #remember(hash: string, identity: ApiKeyIdentity | null): void {
    const entry = { identity, until: this.#clock() + this.#ttlMs };
    if (identity !== null) {
      this.#unknown.delete(hash);
      this.#known.set(hash, entry);
      return;
    }
    this.#known.delete(hash);
    if (this.#unknown.size >= this.#maxUnknown) this.#unknown.clear();
    this.#unknown.set(hash, entry);
  }
}
