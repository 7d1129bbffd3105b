/** A compliant laptop's report for the service benchmark (built in memory: the bench measures the service). */
import { REPORT_SCHEMA, type PostureReport } from '../collectors/report.js';

export function sampleReport(deviceId: string, now: Date): PostureReport {
  return {
    schema: REPORT_SCHEMA,
    collectedAt: now.toISOString(),
    device: { id: deviceId, hostname: 'bench-laptop', serial: null, model: 'ThinkPad X1', manufacturer: 'LENOVO' },
    os: { platform: 'linux', id: 'ubuntu', idLike: ['debian'], name: 'Ubuntu', version: '24.04.3', build: null, displayVersion: 'noble', kernel: '6.8.0-45-generic', arch: 'x64', supportEnd: null },
    diskEncryption: { status: 'encrypted', volumes: [{ mount: '/', system: true, encrypted: true, method: 'LUKS2', state: 'LVM on LUKS2 (nvme0n1p3)' }] },
    antivirus: { status: 'protected', products: [{ name: 'ClamAV', enabled: true, realTime: true, upToDate: true, definitionsUpdatedAt: new Date(now.getTime() - 3_600_000).toISOString() }] },
    firewall: { status: 'enabled', products: [{ name: 'ufw', enabled: true }] },
    screenLock: { status: 'enabled', delaySeconds: 300, source: 'gsettings (GNOME)', user: 'ada' },
    secureBoot: { status: 'enabled', setupMode: false, detail: 'SecureBoot 1, SetupMode 0', source: 'efivarfs' },
    tpm: { status: 'present', kind: 'tpm', specVersion: '2.0', manufacturer: 'Infineon', enabled: null, ready: null, source: '/sys/class/tpm/tpm0' },
    osUpdates: { status: 'enabled', automaticCheck: true, automaticDownload: true, automaticInstall: true, pending: 0, pendingSecurity: 0, rebootRequired: false, source: 'apt (20auto-upgrades)', detail: null },
    errors: [],
  };
}
