/**
 * One implementation of each signal per OS (after osquery's tables): the registry says which.
 * Only the running OS's collectors are loaded (their parsers pull in libraries the others do not
 * need, such as the plist parser on macOS).
 */
import type { Platform } from '../shared/report.js';
import type { SignalCollector } from './host.js';
import type { Antivirus } from './antivirus/schema.js';
import type { DiskEncryption } from './disk-encryption/schema.js';
import type { Firewall } from './firewall/schema.js';
import type { OsSignal } from './os/schema.js';

export interface PlatformCollectors {
  os: SignalCollector<OsSignal>;
  diskEncryption: SignalCollector<DiskEncryption>;
  antivirus: SignalCollector<Antivirus>;
  firewall: SignalCollector<Firewall>;
}

const LOADERS: Readonly<Record<Platform, () => Promise<PlatformCollectors>>> = {
  win32: async () => ({
    os: (await import('./os/win32.js')).collectOsWin32,
    diskEncryption: (await import('./disk-encryption/win32.js')).collectDiskEncryptionWin32,
    antivirus: (await import('./antivirus/win32.js')).collectAntivirusWin32,
    firewall: (await import('./firewall/win32.js')).collectFirewallWin32,
  }),
  darwin: async () => ({
    os: (await import('./os/darwin.js')).collectOsDarwin,
    diskEncryption: (await import('./disk-encryption/darwin.js')).collectDiskEncryptionDarwin,
    antivirus: (await import('./antivirus/darwin.js')).collectAntivirusDarwin,
    firewall: (await import('./firewall/darwin.js')).collectFirewallDarwin,
  }),
  linux: async () => ({
    os: (await import('./os/linux.js')).collectOsLinux,
    diskEncryption: (await import('./disk-encryption/linux.js')).collectDiskEncryptionLinux,
    antivirus: (await import('./antivirus/linux.js')).collectAntivirusLinux,
    firewall: (await import('./firewall/linux.js')).collectFirewallLinux,
  }),
};

const loaded = new Map<Platform, Promise<PlatformCollectors>>();

/** The collectors of one OS, loaded on first use. */
export function collectorsFor(platform: Platform): Promise<PlatformCollectors> {
  let collectors = loaded.get(platform);
  if (!collectors) {
    collectors = LOADERS[platform]();
    loaded.set(platform, collectors);
  }
  return collectors;
}
