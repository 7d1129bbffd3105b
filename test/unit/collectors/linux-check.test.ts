import { describe, expect, it } from 'vitest';
import { collectPosture } from '../../../src/collectors/index.js';
import { createFakeHost } from '../../support/fake-host.js';
import { COMMANDS, healthyLinux, NOW, UPDATES_AVAILABLE, withoutFirmware, withoutGnomeSession, withoutUpdateSources } from '../../fixtures/linux/healthy-linux.js';

describe('a Linux check on the healthy Ubuntu laptop', () => {
  it('reports every signal healthy, with no error', async () => {
    const host = createFakeHost(healthyLinux());
    const report = await collectPosture(host, { now: NOW });
    expect(report.errors).toEqual([]);
    expect(report).toMatchObject({
      os: { id: 'ubuntu', version: '24.04.3' },
      diskEncryption: { status: 'encrypted' },
      antivirus: { status: 'protected' },
      firewall: { status: 'enabled' },
      screenLock: { status: 'enabled', delaySeconds: 300, source: 'gsettings (GNOME)' },
      secureBoot: { status: 'enabled', setupMode: false, source: 'efivarfs' },
      tpm: { status: 'present', kind: 'tpm', specVersion: '2.0', ready: true, source: '/sys/class/tpm/tpm0' },
      osUpdates: {
        status: 'enabled',
        automaticCheck: true,
        automaticDownload: true,
        automaticInstall: true,
        pending: 0,
        pendingSecurity: 0,
        rebootRequired: false,
        source: 'apt (20auto-upgrades)',
      },
    });
  });

  it('starts one process, gsettings; ClamAV\'s database date, Secure Boot, the TPM and updates are read from files', async () => {
    const host = createFakeHost(healthyLinux());
    await collectPosture(host, { now: NOW });
    expect(host.calls.map((call) => [call.file, ...call.args].join(' '))).toEqual([`${COMMANDS.gsettings} list-recursively`]);
  });

  it('says why pending updates are unknown on an Ubuntu without update-notifier, and nothing else changes', async () => {
    const script = healthyLinux();
    Reflect.deleteProperty(script.files, UPDATES_AVAILABLE);
    const report = await collectPosture(createFakeHost(script), { now: NOW });
    expect(report.osUpdates).toMatchObject({ status: 'enabled', pending: null, pendingSecurity: null });
    expect(report.errors).toEqual([expect.objectContaining({ signal: 'osUpdates', code: 'ERR_UNSUPPORTED', message: expect.stringContaining('apt-get -s upgrade') })]);
  });

  it('outside a desktop session and without /sys/firmware (a container), screen lock and Secure Boot are unknown with the reason, and nothing is started for them', async () => {
    const host = createFakeHost(withoutFirmware(withoutGnomeSession(healthyLinux())));
    const report = await collectPosture(host, { now: NOW });
    expect(report.screenLock.status).toBe('unknown');
    expect(report.secureBoot.status).toBe('unknown');
    expect(report.errors).toEqual([
      expect.objectContaining({ signal: 'screenLock', code: 'ERR_SIGNAL_UNAVAILABLE', message: expect.stringContaining('No GNOME or KDE session settings found') }),
      expect.objectContaining({ signal: 'secureBoot', code: 'ERR_SIGNAL_UNAVAILABLE', message: expect.stringContaining('/sys/firmware is missing') }),
    ]);
    expect(host.calls).toEqual([]);
  });

  it('keeps the helpers honest: without its update sources the laptop has no APT to read', async () => {
    const report = await collectPosture(createFakeHost(withoutUpdateSources(healthyLinux())), { now: NOW });
    expect(report.osUpdates.status).toBe('unknown');
    expect(report.errors).toEqual([expect.objectContaining({ signal: 'osUpdates', code: 'ERR_UNSUPPORTED' })]);
  });
});
