/**
 * The posture report (design §2, a contract): what `posture-agent check --json` prints and what
 * the Evidence's `posture` claim carries. Field names are fixed; fields may be added.
 */
import type { ErrorCode } from './errors.js';

export const REPORT_SCHEMA = 'posture-report/v1';

export type Platform = 'win32' | 'darwin' | 'linux';
export const PLATFORMS: readonly Platform[] = ['win32', 'darwin', 'linux'];

export type SignalName = 'os' | 'diskEncryption' | 'antivirus' | 'firewall';
export const SIGNAL_NAMES: readonly SignalName[] = ['os', 'diskEncryption', 'antivirus', 'firewall'];

export interface DeviceInfo {
  id: string | null;
  hostname: string | null;
  serial: string | null;
  model: string | null;
  manufacturer: string | null;
}

export interface OsInfo {
  platform: Platform;
  /** Machine-readable family: `windows`, `macos`, or the os-release ID on Linux (`ubuntu`, `debian`, `fedora`, `arch`...). */
  id: string | null;
  /** os-release ID_LIKE on Linux (parents of the distribution); empty elsewhere. */
  idLike: string[];
  /** Human name: `Windows 11 Pro`, `macOS`, `Ubuntu`. */
  name: string | null;
  /**
   * The most precise comparable release version known: Windows `10.0.22631`, macOS `14.6.1`,
   * Ubuntu `24.04.3`, Debian `12.7`. Null on rolling releases and when unreadable.
   */
  version: string | null;
  /** Windows: version with the update revision `10.0.22631.4317`; macOS: `23G93`; Linux: BUILD_ID. */
  build: string | null;
  /** Windows `23H2`; macOS Rapid Security Response `(a)`; Linux VERSION_CODENAME. */
  displayVersion: string | null;
  kernel: string | null;
  arch: string | null;
  /** End of vendor support (os-release SUPPORT_END) where the OS says so. */
  supportEnd: string | null;
}

export type EncryptionStatus = 'encrypted' | 'unencrypted' | 'partial' | 'unknown';

export interface EncryptedVolume {
  /** Mount point (`/`, `/home`) or drive (`C:`), or the device name when not mounted. */
  mount: string;
  system: boolean;
  /** True only when encrypted AND protected (keys not in the clear, protection not suspended). */
  encrypted: boolean | null;
  /** LUKS2, LUKS1, BitLocker XTS-AES 128, FileVault, ... */
  method: string | null;
  /** Free text from the source, e.g. `Encryption in progress 45%`. */
  state: string | null;
  /** Percentage encrypted where the source says. */
  percentEncrypted?: number | null;
  /** Protection on (BitLocker protectors active / FileVault unlocked by users). */
  protection?: 'on' | 'off' | 'suspended' | 'unknown';
}

export interface DiskEncryption {
  status: EncryptionStatus;
  volumes: EncryptedVolume[];
}

export type ProtectionStatus = 'protected' | 'unprotected' | 'unknown';

export interface AntivirusProduct {
  name: string;
  enabled: boolean | null;
  realTime: boolean | null;
  upToDate: boolean | null;
  definitionsUpdatedAt: string | null;
  /** Defender `Passive Mode`, Falcon `reduced functionality`, ... */
  state?: string | null;
  version?: string | null;
}

export interface Antivirus {
  status: ProtectionStatus;
  products: AntivirusProduct[];
}

export type FirewallStatus = 'enabled' | 'disabled' | 'unknown';

export interface FirewallProduct {
  /** `Windows Firewall (Public)`, `macOS Application Firewall`, `ufw`, `firewalld`, `nftables`. */
  name: string;
  enabled: boolean | null;
  /** Extra detail from the source (`block all incoming`, `default deny incoming`). */
  state?: string | null;
}

export interface Firewall {
  status: FirewallStatus;
  products: FirewallProduct[];
}

export interface SignalError {
  signal: SignalName | 'device';
  code: ErrorCode;
  message: string;
}

export interface PostureReport {
  schema: typeof REPORT_SCHEMA;
  collectedAt: string;
  device: DeviceInfo;
  os: OsInfo;
  diskEncryption: DiskEncryption;
  antivirus: Antivirus;
  firewall: Firewall;
  errors: SignalError[];
}
