/** The os signal: the OS and its release; unknown fields are null (it has no status of its own). */
import { z } from 'zod';
import { PLATFORMS, type Platform } from '../../shared/platform.js';
import { list, nullableText, text } from '../report-parts.js';
import type { DeviceInventory } from '../signal.js';

export const osInfoSchema = z.object({
  platform: z.enum(PLATFORMS as readonly [Platform, ...Platform[]]),
  /** Machine-readable family: `windows`, `macos`, or the os-release ID on Linux (`ubuntu`, `debian`, `fedora`, `arch`...). */
  id: nullableText.optional(),
  /** os-release ID_LIKE on Linux (parents of the distribution); empty elsewhere. */
  idLike: list(text).optional(),
  /** Human name: `Windows 11 Pro`, `macOS`, `Ubuntu`. */
  name: nullableText,
  /**
   * The most precise comparable release version known: Windows `10.0.22631`, macOS `14.6.1`,
   * Ubuntu `24.04.3`, Debian `12.7`. Null on rolling releases and when unreadable.
   */
  version: nullableText,
  /** Windows: version with the update revision `10.0.22631.4317`; macOS: `23G93`; Linux: BUILD_ID. */
  build: nullableText,
  /** Windows `23H2`; macOS Rapid Security Response `(a)`; Linux VERSION_CODENAME. */
  displayVersion: nullableText.optional(),
  kernel: nullableText,
  arch: nullableText,
  /** End of vendor support (os-release SUPPORT_END) where the OS says so. */
  supportEnd: nullableText.optional(),
});

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
