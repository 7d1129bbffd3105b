/**
 * One implementation of each signal per OS (after osquery's tables): the registry says which.
 */
import type { Platform } from '../shared/report.js';
import type { SignalCollector } from './host.js';
import type { Antivirus } from './antivirus/schema.js';
import type { DiskEncryption } from './disk-encryption/schema.js';
import type { Firewall } from './firewall/schema.js';
import type { OsSignal } from './os/schema.js';
import { collectOsWin32 } from './os/win32.js';
import { collectOsDarwin } from './os/darwin.js';
import { collectOsLinux } from './os/linux.js';
import { collectDiskEncryptionWin32 } from './disk-encryption/win32.js';
import { collectDiskEncryptionDarwin } from './disk-encryption/darwin.js';
import { collectDiskEncryptionLinux } from './disk-encryption/linux.js';
import { collectAntivirusWin32 } from './antivirus/win32.js';
import { collectAntivirusDarwin } from './antivirus/darwin.js';
import { collectAntivirusLinux } from './antivirus/linux.js';
import { collectFirewallWin32 } from './firewall/win32.js';
import { collectFirewallDarwin } from './firewall/darwin.js';
import { collectFirewallLinux } from './firewall/linux.js';

export interface PlatformCollectors {
  os: SignalCollector<OsSignal>;
  diskEncryption: SignalCollector<DiskEncryption>;
  antivirus: SignalCollector<Antivirus>;
  firewall: SignalCollector<Firewall>;
}

export const COLLECTORS: Readonly<Record<Platform, PlatformCollectors>> = {
  win32: {
    os: collectOsWin32,
    diskEncryption: collectDiskEncryptionWin32,
    antivirus: collectAntivirusWin32,
    firewall: collectFirewallWin32,
  },
  darwin: {
    os: collectOsDarwin,
    diskEncryption: collectDiskEncryptionDarwin,
    antivirus: collectAntivirusDarwin,
    firewall: collectFirewallDarwin,
  },
  linux: {
    os: collectOsLinux,
    diskEncryption: collectDiskEncryptionLinux,
    antivirus: collectAntivirusLinux,
    firewall: collectFirewallLinux,
  },
};
