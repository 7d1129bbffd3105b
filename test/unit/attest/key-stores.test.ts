import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, chown, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Es256Key } from '../../../src/attest/es256-key.js';
import { loadOrCreateDeviceKeys, promotePendingKey, rotateDeviceKey } from '../../../src/attest/device-keys.js';
import { FileKeyStore } from '../../../src/attest/file-key-store.js';
import { jwkThumbprint } from '../../../src/attest/jwk.js';
import { MemoryKeyStore } from '../../../src/attest/key-store.js';
import { PLAINTEXT_WARNING, SafeStorageKeyStore, type SafeStorageLike } from '../../../src/attest/safe-storage-key-store.js';
import { calculateJwkThumbprint } from 'jose';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-keys-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Es256Key', () => {
  it('has the RFC 7638 thumbprint as kid (the same as jose computes)', async () => {
    const key = Es256Key.generate();
    expect(key.kid).toBe(await calculateJwkThumbprint(key.publicJwk, 'sha256'));
    expect(jwkThumbprint(key.publicJwk)).toBe(key.kid);
    expect(key.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: key.kid });
  });

  it('never shows its private part when printed, serialised, inspected or thrown', () => {
    const key = Es256Key.generate();
    const secret = key.exportPrivateJwk().d!;
    for (const shown of [JSON.stringify(key), inspect(key), String(key), JSON.stringify({ key }), inspect({ nested: { key } }, { depth: 5 })]) {
      expect(shown).not.toContain(secret);
    }
    expect(Object.keys(key)).not.toContain('d');
  });
});

describe('FileKeyStore', () => {
  it('creates the key on first use as a 0600 file and returns the same key afterwards', async () => {
    const store = new FileKeyStore(join(dir, 'state'));
    const first = await loadOrCreateDeviceKeys(store);
    const file = join(dir, 'state', 'device-key.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'state'))).mode & 0o777).toBe(0o700);
    const second = await loadOrCreateDeviceKeys(new FileKeyStore(join(dir, 'state')));
    expect(second.active.kid).toBe(first.active.kid);
  });

  it('refuses a key file other users can read or write, naming the file and the fix', async () => {
    const store = new FileKeyStore(dir);
    await loadOrCreateDeviceKeys(store);
    for (const mode of [0o644, 0o640, 0o606, 0o660]) {
      await chmod(store.location, mode);
      await expect(store.load()).rejects.toMatchObject({ code: 'ERR_FILE_PERMISSIONS', message: expect.stringContaining(`chmod 600 ${store.location}`) });
    }
  });

  it('refuses a key file that belongs to someone else', async () => {
    await loadOrCreateDeviceKeys(new FileKeyStore(dir));
    const asAnotherUser = new FileKeyStore(dir, { uid: (process.getuid?.() ?? 0) + 4242 });
    await expect(asAnotherUser.load()).rejects.toMatchObject({ code: 'ERR_FILE_OWNER' });
    if (process.getuid?.() === 0) {
      const store = new FileKeyStore(dir);
      await chown(store.location, 4242, 4242);
      await expect(store.load()).rejects.toMatchObject({ code: 'ERR_FILE_OWNER', message: expect.stringContaining('uid 4242') });
    }
  });

  it('refuses a corrupted key file with the file name and how to recover, and never makes a new identity', async () => {
    const store = new FileKeyStore(dir);
    const original = await loadOrCreateDeviceKeys(store);
    const damaged = [
      'not json at all',
      '{"format":"posture-agent-device-keys/v1"}',
      (await readFile(store.location, 'utf8')).replace(/"d":"[^"]+"/, '"d":"AAAA"'),
      (await readFile(store.location, 'utf8')).slice(0, 120),
    ];
    for (const content of damaged) {
      await writeFile(store.location, content, { mode: 0o600 });
      await expect(loadOrCreateDeviceKeys(store)).rejects.toMatchObject({
        code: 'ERR_KEY_CORRUPT',
        message: expect.stringMatching(new RegExp(`${store.location.replace(/[/.]/g, '\\$&')} is damaged .*move the file aside.*posture-agent key`)),
      });
      expect(await readFile(store.location, 'utf8')).toBe(content);
    }
    expect(original.active.kid).toHaveLength(43);
  });

  it('keeps the old key active during a rotation until the new one is accepted', async () => {
    const store = new FileKeyStore(dir);
    const before = await loadOrCreateDeviceKeys(store);
    const rotated = await rotateDeviceKey(store);
    expect(rotated.active.kid).toBe(before.active.kid);
    expect(rotated.pending!.kid).not.toBe(before.active.kid);
    expect((await store.load())!.pending!.kid).toBe(rotated.pending!.kid);
    const promoted = await promotePendingKey(store, rotated.pending!.kid);
    expect(promoted).toMatchObject({ active: { kid: rotated.pending!.kid }, pending: null });
    expect((await store.load())!.active.kid).toBe(rotated.pending!.kid);
  });

  it('never writes the private key anywhere but the key file', async () => {
    const store = new FileKeyStore(dir);
    const keys = await loadOrCreateDeviceKeys(store);
    const secret = keys.active.exportPrivateJwk().d!;
    expect(await readFile(store.location, 'utf8')).toContain(secret);
    await chmod(store.location, 0o644);
    const error = await store.load().catch((caught: unknown) => caught);
    expect(String(error)).not.toContain(secret);
  });
});

/** A real encryptor standing in for Electron's safeStorage (which cannot run here). */
function fakeSafeStorage(backend = 'gnome_libsecret', reEncrypt = false): SafeStorageLike & { encrypted: number } {
  const secret = randomBytes(32);
  const api = {
    encrypted: 0,
    isAsyncEncryptionAvailable: () => Promise.resolve(true),
    getSelectedStorageBackend: () => backend,
    encryptStringAsync(plain: string) {
      api.encrypted += 1;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', secret, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Promise.resolve(Buffer.concat([iv, cipher.getAuthTag(), body]));
    },
    decryptStringAsync(data: Buffer) {
      const decipher = createDecipheriv('aes-256-gcm', secret, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Promise.resolve({ shouldReEncrypt: reEncrypt, result: Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8') });
    },
  };
  return api;
}

describe('SafeStorageKeyStore', () => {
  it('keeps the key encrypted by the OS secret store, in a 0600 file', async () => {
    const safeStorage = fakeSafeStorage();
    const store = new SafeStorageKeyStore({ safeStorage, stateDir: dir, platform: 'linux' });
    const keys = await loadOrCreateDeviceKeys(store);
    const onDisk = await readFile(store.location);
    expect(onDisk.toString('latin1')).not.toContain(keys.active.exportPrivateJwk().d!);
    expect((await stat(store.location)).mode & 0o777).toBe(0o600);
    expect((await store.load())!.active.kid).toBe(keys.active.kid);
    expect(store.warning).toBeNull();
  });

  it('refuses Linux\'s plaintext basic_text backend unless allowed, and then warns', async () => {
    const refused = new SafeStorageKeyStore({ safeStorage: fakeSafeStorage('basic_text'), stateDir: dir, platform: 'linux' });
    await expect(loadOrCreateDeviceKeys(refused)).rejects.toMatchObject({ code: 'ERR_KEY_STORE_INSECURE' });
    const allowed = new SafeStorageKeyStore({ safeStorage: fakeSafeStorage('basic_text'), stateDir: dir, platform: 'linux', allowPlaintext: true });
    await loadOrCreateDeviceKeys(allowed);
    expect(allowed.warning).toBe(PLAINTEXT_WARNING);
  });

  it('re-encrypts when the OS says its key rotated, and refuses what it cannot decrypt', async () => {
    const safeStorage = fakeSafeStorage('kwallet6', true);
    const store = new SafeStorageKeyStore({ safeStorage, stateDir: dir, platform: 'linux' });
    await loadOrCreateDeviceKeys(store);
    const writes = safeStorage.encrypted;
    await store.load();
    expect(safeStorage.encrypted).toBe(writes + 1);
    const elsewhere = new SafeStorageKeyStore({ safeStorage: fakeSafeStorage(), stateDir: dir, platform: 'linux' });
    await expect(elsewhere.load()).rejects.toMatchObject({ code: 'ERR_KEY_CORRUPT' });
  });

  it('waits for the secret store rather than falling back', async () => {
    const safeStorage = { ...fakeSafeStorage(), isAsyncEncryptionAvailable: () => Promise.resolve(false) };
    await expect(loadOrCreateDeviceKeys(new SafeStorageKeyStore({ safeStorage, stateDir: dir, platform: 'darwin' }))).rejects.toMatchObject({ code: 'ERR_KEY_STORE_UNAVAILABLE' });
  });
});

describe('MemoryKeyStore', () => {
  it('holds keys for tests', async () => {
    const store = new MemoryKeyStore();
    const keys = await loadOrCreateDeviceKeys(store);
    expect((await loadOrCreateDeviceKeys(store)).active.kid).toBe(keys.active.kid);
  });
});
