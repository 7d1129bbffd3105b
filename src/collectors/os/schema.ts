/** The os signal: the OS and its release; unknown fields are null (it has no status of its own). */
import type { z } from 'zod';
import type { osInfoSchema } from './zod-schema.js';
import type { Platform } from '../../shared/platform.js';
import type { DeviceInventory } from '../signal.js';

export type OsInfo = z.infer<typeof osInfoSchema>;

/** What the os collector learns: the OS itself and the device's inventory (its id comes from src/attest). */
export interface OsSignal {
  os: OsInfo;
  device: DeviceInventory;
}

export function unknownOs(platform: Platform): OsInfo {
  return {
    platform,
    id: null,
    idLike: [],
    name: null,
    version: null,
    build: null,
    displayVersion: null,
    kernel: null,
    arch: null,
    supportEnd: null,
  };
}

export const UNKNOWN_DEVICE: DeviceInventory = { hostname: null, serial: null, model: null, manufacturer: null };
