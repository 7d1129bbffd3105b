import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { desktopEntry, loginItemFor } from '../../../src/main/login-item.js';
import { desktopHasTray, positionNearTray } from '../../../src/main/window-position.js';
import { COLLECTED } from '../../../src/tray/collected.js';
import { buildTrayView } from '../../../src/tray/tray-view.js';
import { daemonStatus, FAILING_DISK, GRACE_DISK } from '../../support/daemon-status.js';
import { createFakeSurface } from '../../support/fake-electron.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'posture-home-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('start at login', () => {
  it('uses the OS login items on macOS and Windows, opening hidden', async () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const surface = createFakeSurface(platform);
      const item = loginItemFor(surface);
      expect(await item.isEnabled()).toBe(false);
      await item.setEnabled(true);
      expect(surface.loginItem.openAtLogin).toBe(true);
      expect(await item.isEnabled()).toBe(true);
      await item.setEnabled(false);
      expect(await item.isEnabled()).toBe(false);
    }
  });

  it('writes and removes an XDG autostart entry on Linux', async () => {
    const surface = createFakeSurface('linux', {}, home);
    const item = loginItemFor(surface);
    const file = join(home, '.config/autostart/posture-agent.desktop');
    expect(await item.isEnabled()).toBe(false);
    await item.setEnabled(true);
    const entry = await readFile(file, 'utf8');
    expect(entry).toContain('[Desktop Entry]\nType=Application\nName=Posture Agent\n');
    expect(entry).toContain('Exec="/opt/Posture Agent/posture-agent-tray" --hidden\n');
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    expect(await item.isEnabled()).toBe(true);
    await item.setEnabled(false);
    expect(await item.isEnabled()).toBe(false);
    await item.setEnabled(false);
  });

  it('honours XDG_CONFIG_HOME, and treats Hidden=true as disabled', async () => {
    const surface = createFakeSurface('linux', { XDG_CONFIG_HOME: join(home, 'xdg') }, home);
    await loginItemFor(surface).setEnabled(true);
    expect(await readFile(join(home, 'xdg/autostart/posture-agent.desktop'), 'utf8')).toContain('Exec=');
    expect(desktopEntry('/usr/bin/posture-agent-tray')).toContain('Exec=/usr/bin/posture-agent-tray --hidden');
  });
});

describe('the window near the tray', () => {
  const size = { width: 380, height: 560 };
  it('opens under a top menu bar, above a bottom taskbar, beside a side taskbar, always on screen', () => {
    const screen = { x: 0, y: 0, width: 1920, height: 1080 };
    expect(positionNearTray({ x: 1500, y: 0, width: 22, height: 24 }, size, { ...screen, y: 24, height: 1056 })).toEqual({ x: 1321, y: 32 });
    expect(positionNearTray({ x: 1700, y: 1040, width: 24, height: 40 }, size, { ...screen, height: 1040 })).toEqual({ x: 1522, y: 472 });
    expect(positionNearTray({ x: 10, y: 900, width: 40, height: 24 }, size, { x: 60, y: 0, width: 1860, height: 1080 })).toEqual({ x: 68, y: 512 });
    expect(positionNearTray({ x: 1900, y: 1050, width: 20, height: 30 }, size, { ...screen, height: 1040 })).toEqual({ x: 1532, y: 472 });
  });

  it('knows GNOME has no tray without an extension', () => {
    expect(desktopHasTray('linux', { XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' })).toBe(false);
    expect(desktopHasTray('linux', { XDG_CURRENT_DESKTOP: 'KDE' })).toBe(true);
    expect(desktopHasTray('darwin', { XDG_CURRENT_DESKTOP: 'GNOME' })).toBe(true);
  });
});

describe('the tray view', () => {
  it('says in plain words why access is blocked, with each check\'s title and what to do', () => {
    const view = buildTrayView(daemonStatus({ state: 'noncompliant', verdicts: [FAILING_DISK] }), { platform: 'linux', startAtLogin: true, collected: COLLECTED });
    expect(view.headline).toBe('Access is blocked until your device is fixed.');
    expect(view.blockedReason).toBe('Access is blocked because: Not encrypted and protected: / — not encrypted (vda).');
    expect(view.checks[0]).toMatchObject({ title: 'The system disk is encrypted', remediation: 'The system disk must be LUKS-encrypted.', blocking: true });
    expect(view.startAtLogin).toBe(true);
  });

  it('has no blocked reason while a failure is only in its grace period, and names a revocation', () => {
    expect(buildTrayView(daemonStatus({ state: 'warning', verdicts: [GRACE_DISK] }), { platform: 'linux', startAtLogin: false, collected: COLLECTED }).blockedReason).toBeNull();
    const revoked = buildTrayView(
      daemonStatus({ state: 'noncompliant', lastError: { code: 'ERR_DEVICE_REVOKED', message: 'revoked', at: '2026-11-22T10:00:00Z', retryable: false } }),
      { platform: 'win32', startAtLogin: false, collected: COLLECTED },
    );
    expect(revoked.blockedReason).toBe('IT has revoked this device\'s access. Contact IT.');
    expect(revoked.error).toEqual({ code: 'ERR_DEVICE_REVOKED', message: 'revoked' });
  });

  it('says what is collected and where it is sent', () => {
    const sent = buildTrayView(daemonStatus(), { platform: 'darwin', startAtLogin: false, collected: COLLECTED });
    expect(sent.sentTo).toContain('https://posture.example.com');
    expect(sent.collected.map((item) => item.signal)).toEqual(['Operating system', 'Disk encryption', 'Antivirus', 'Firewall', 'Screen lock', 'Secure Boot', 'Security chip', 'OS updates', 'Device', 'Not collected']);
    expect(buildTrayView(daemonStatus({ service: null }), { platform: 'darwin', startAtLogin: false, collected: COLLECTED }).sentTo).toBe('Kept on this device: no posture service is configured.');
  });
});
