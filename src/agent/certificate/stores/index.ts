/** The store(s) of this OS the device certificate goes into, for the user this process runs as. */
import type { Host } from '../../../collectors/host.js';
import type { CertificateStore } from './certificate-store.js';
import { LinuxNssStore } from './linux-nss.js';
import { MacosKeychainStore } from './macos-keychain.js';
import { WindowsCertStore } from './windows-cert-store.js';

export type { CertificateStore, InstallInput } from './certificate-store.js';

export interface StoresOptions {
  host: Host;
  home: string;
  deviceId: string;
  /** Gateway URLs an identity preference is set for (macOS). */
  identityUrls?: readonly string[];
  tempDir?: string;
}

export function storesFor(options: StoresOptions): CertificateStore[] {
  switch (options.host.platform) {
    case 'linux':
      return [new LinuxNssStore(options)];
    case 'darwin':
      return [new MacosKeychainStore(options)];
    case 'win32':
      return [new WindowsCertStore(options)];
  }
}
