/** The device key's life: created on first use, rotated on request, promoted when the service accepts it. */
import { Es256Key } from './es256-key.js';
import type { DeviceKeys, KeyStore } from './key-store.js';

export async function loadOrCreateDeviceKeys(store: KeyStore, now: Date = new Date()): Promise<DeviceKeys> {
  const existing = await store.load();
  if (existing) return existing;
  const keys: DeviceKeys = { active: Es256Key.generate(now), pending: null };
  await store.save(keys);
  return keys;
}

/** Makes a new pending key; the active key keeps signing until the service accepts the new one. */
export async function rotateDeviceKey(store: KeyStore, now: Date = new Date()): Promise<DeviceKeys> {
  const current = await loadOrCreateDeviceKeys(store, now);
  const keys: DeviceKeys = { active: current.active, pending: Es256Key.generate(now) };
  await store.save(keys);
  return keys;
}

/** The service accepted the pending key `kid`: it becomes the active key and the old one is dropped. */
export async function promotePendingKey(store: KeyStore, kid: string): Promise<DeviceKeys> {
  const keys = await store.load();
  if (!keys?.pending || keys.pending.kid !== kid) return keys ?? (await loadOrCreateDeviceKeys(store));
  const promoted: DeviceKeys = { active: keys.pending, pending: null };
  await store.save(promoted);
  return promoted;
}
