import type { DeviceInfo, OsInfo, Platform } from '../../shared/report.js';

export type { DeviceInfo, OsInfo };

/** What the os collector learns: the OS itself and the device's inventory (its id comes from src/attest). */
export interface OsSignal {
  os: OsInfo;
  device: Omit<DeviceInfo, 'id'>;
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

export const UNKNOWN_DEVICE: Omit<DeviceInfo, 'id'> = { hostname: null, serial: null, model: null, manufacturer: null };
