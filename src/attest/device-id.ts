/**
 * The device id: an app-specific id derived from the OS machine id the way systemd derives
 * sd_id128_get_machine_app_specific(): HMAC-SHA256 keyed by the machine id over an application
 * id, truncated to 128 bits and shaped as a version-4 UUID. Stable for this machine and app,
 * unlinkable to the raw machine id and to other applications' ids.
 */
import { createHmac } from 'node:crypto';
import { AgentError } from '../shared/errors.js';
import type { Platform } from '../shared/platform.js';

/** Posture Agent's application id (a fixed random 128-bit value). */
export const POSTURE_AGENT_APP_ID = '792957e2ea7abd9cca8eb6b63c75822e';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX32 = /^[0-9a-f]{32}$/i;

const EXPECTED: Readonly<Record<Platform, { pattern: RegExp; shape: string; fix: string }>> = {
  win32: {
    pattern: GUID,
    shape: 'a GUID (HKLM\\SOFTWARE\\Microsoft\\Cryptography MachineGuid)',
    fix: 'Ask IT to repair the Windows installation (MachineGuid is missing or damaged).',
  },
  darwin: {
    pattern: GUID,
    shape: 'a UUID (IOPlatformUUID)',
    fix: 'Ask IT to check this Mac: its hardware UUID could not be read.',
  },
  linux: {
    pattern: HEX32,
    shape: '32 hexadecimal digits (/etc/machine-id)',
    fix: 'Create it as root with "systemd-machine-id-setup" (or "dbus-uuidgen --ensure=/etc/machine-id") and try again.',
  },
};

/** The 16 bytes of a raw machine id, refusing anything not of the OS's expected shape. */
export function machineIdBytes(raw: string, platform: Platform): Buffer {
  const value = raw.trim();
  const expected = EXPECTED[platform];
  const looksLikeHostname = /[g-z.]/i.test(value);
  if (!expected.pattern.test(value)) {
    const what = value === '' ? 'is empty' : looksLikeHostname ? 'looks like a host name, not a machine id' : 'is not in the expected form';
    throw new AgentError('ERR_MACHINE_ID', `The machine id ${what}: expected ${expected.shape}. ${expected.fix}`);
  }
  const bytes = Buffer.from(value.replace(/-/g, ''), 'hex');
  if (bytes.every((byte) => byte === 0) || bytes.every((byte) => byte === 0xff)) {
    throw new AgentError('ERR_MACHINE_ID', `The machine id is a placeholder (all zeros or all ones). ${expected.fix}`);
  }
  return bytes;
}

function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The app-specific device id for a raw machine id (pure). */
export function deriveDeviceId(rawMachineId: string, platform: Platform, appId: string = POSTURE_AGENT_APP_ID): string {
  if (!HEX32.test(appId)) throw new AgentError('ERR_INTERNAL', 'The application id must be 32 hexadecimal digits.');
  const digest = createHmac('sha256', machineIdBytes(rawMachineId, platform)).update(Buffer.from(appId, 'hex')).digest();
  const id = Buffer.from(digest.subarray(0, 16));
  id[6] = (id[6]! & 0x0f) | 0x40;
  id[8] = (id[8]! & 0x3f) | 0x80;
  return formatUuid(id);
}

export interface DeviceIdSource {
  platform: Platform;
  readRawMachineId: () => Promise<string>;
  appId?: string;
}

/** Per machine-id reader (the real one is read once per process), per platform and app id. */
const cache = new WeakMap<DeviceIdSource['readRawMachineId'], Map<string, Promise<string>>>();

/** The device id of this machine, read once per process. */
export function getDeviceId(source: DeviceIdSource): Promise<string> {
  const key = `${source.platform}:${source.appId ?? POSTURE_AGENT_APP_ID}`;
  let byKey = cache.get(source.readRawMachineId);
  if (!byKey) {
    byKey = new Map<string, Promise<string>>();
    cache.set(source.readRawMachineId, byKey);
  }
  let id = byKey.get(key);
  if (!id) {
    id = source.readRawMachineId().then((raw) => deriveDeviceId(raw, source.platform, source.appId));
    byKey.set(key, id);
    id.catch(() => byKey.delete(key));
  }
  return id;
}
