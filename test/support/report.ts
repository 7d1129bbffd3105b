/** A complete posture report for tests, compliant by default; override what a test is about. */
import { REPORT_SCHEMA, type PostureReport } from '../../src/collectors/report.js';

type Overrides = { [K in keyof PostureReport]?: Partial<PostureReport[K]> };

export function makeReport(overrides: Overrides = {}): PostureReport {
  const base: PostureReport = {
    schema: REPORT_SCHEMA,
    collectedAt: '2026-11-22T10:00:00.000Z',
    device: { id: 'device-1', hostname: 'host-1', serial: null, model: null, manufacturer: null },
    os: {
      platform: 'linux',
      id: 'ubuntu',
      idLike: ['debian'],
      name: 'Ubuntu',
      version: '24.04.3',
      build: null,
      displayVersion: 'noble',
      kernel: '6.8.0-45-generic',
      arch: 'x64',
      supportEnd: null,
    },
    diskEncryption: {
      status: 'encrypted',
      volumes: [{ mount: '/', system: true, encrypted: true, method: 'LUKS2', state: 'LVM on LUKS2 (nvme0n1p3)' }],
    },
    antivirus: {
      status: 'protected',
      products: [{ name: 'ClamAV', enabled: true, realTime: true, upToDate: true, definitionsUpdatedAt: '2026-11-21T08:00:00.000Z' }],
    },
    firewall: { status: 'enabled', products: [{ name: 'ufw', enabled: true }] },
    screenLock: { status: 'enabled', delaySeconds: 300, source: 'gsettings (GNOME)', user: 'ada' },
    secureBoot: { status: 'enabled', setupMode: false, detail: 'SecureBoot 1, SetupMode 0', source: 'efivarfs' },
    tpm: { status: 'present', kind: 'tpm', specVersion: '2.0', manufacturer: 'Infineon', enabled: null, ready: null, source: '/sys/class/tpm/tpm0' },
    osUpdates: { status: 'enabled', automaticCheck: true, automaticDownload: true, automaticInstall: true, pending: 0, pendingSecurity: 0, rebootRequired: false, source: 'apt (20auto-upgrades)', detail: null },
    errors: [],
  };
  return {
    ...base,
    ...overrides,
    device: { ...base.device, ...overrides.device },
    os: { ...base.os, ...overrides.os },
    diskEncryption: { ...base.diskEncryption, ...overrides.diskEncryption },
    antivirus: { ...base.antivirus, ...overrides.antivirus },
    firewall: { ...base.firewall, ...overrides.firewall },
    screenLock: { ...base.screenLock, ...overrides.screenLock },
    secureBoot: { ...base.secureBoot, ...overrides.secureBoot },
    tpm: { ...base.tpm, ...overrides.tpm },
    osUpdates: { ...base.osUpdates, ...overrides.osUpdates },
  } as PostureReport;
}
