/**
 * Where the device key lives (issue: a KeyStore with a file store for the headless agent, an
 * Electron safeStorage store for the tray app, and a memory store for tests). A store holds the
 * active key and, during a rotation, the pending key the service has not accepted yet.
 */
import { z } from 'zod';
import { AgentError, messageOf } from '../shared/errors.js';
import { Es256Key } from './es256-key.js';

export interface DeviceKeys {
  /** Signs Evidence; the service knows it. */
  active: Es256Key;
  /** Made by `key --rotate`; replaces `active` once the service accepts it. */
  pending: Es256Key | null;
}

export interface KeyStore {
  /** Where the keys are, for messages: a file path or "memory". */
  readonly location: string;
  /** Something the user should see (e.g. the key is stored without OS protection); null when none. */
  readonly warning: string | null;
  load(): Promise<DeviceKeys | null>;
  save(keys: DeviceKeys): Promise<void>;
}

const FORMAT = 'posture-agent-device-keys/v1';

const storedKey = z.strictObject({ createdAt: z.string(), privateJwk: z.record(z.string(), z.unknown()) });
const storedKeys = z.strictObject({ format: z.literal(FORMAT), active: storedKey, pending: storedKey.nullable() });

export function serializeKeys(keys: DeviceKeys): string {
  const entry = (key: Es256Key) => ({ createdAt: key.createdAt, privateJwk: key.exportPrivateJwk() });
  return `${JSON.stringify({ format: FORMAT, active: entry(keys.active), pending: keys.pending ? entry(keys.pending) : null })}\n`;
}

export function corruptKeyStore(location: string, why: string): AgentError {
  return new AgentError(
    'ERR_KEY_CORRUPT',
    `The device key in ${location} is damaged (${why}). The agent will not make a new identity on its own: ` +
      `move the file aside (it may help IT find out what happened), run "posture-agent key" to create a new key, then enrol this device again.`,
  );
}

export function deserializeKeys(text: string, location: string): DeviceKeys {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw corruptKeyStore(location, 'it is not valid JSON');
  }
  const parsed = storedKeys.safeParse(document);
  if (!parsed.success) throw corruptKeyStore(location, 'it is not in the expected format');
  try {
    const active = Es256Key.fromPrivateJwk(parsed.data.active.privateJwk, parsed.data.active.createdAt);
    const pending = parsed.data.pending ? Es256Key.fromPrivateJwk(parsed.data.pending.privateJwk, parsed.data.pending.createdAt) : null;
    return { active, pending };
  } catch (error) {
    throw corruptKeyStore(location, messageOf(error));
  }
}

export class MemoryKeyStore implements KeyStore {
  readonly location = 'memory';
  readonly warning = null;
  #keys: DeviceKeys | null = null;

  load(): Promise<DeviceKeys | null> {
    return Promise.resolve(this.#keys);
  }

  save(keys: DeviceKeys): Promise<void> {
    this.#keys = { ...keys };
    return Promise.resolve();
  }
}
