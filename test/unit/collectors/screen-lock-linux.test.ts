import { LINUX_COMMANDS } from '../../../src/exec/commands-linux.js';
import { describe, expect, it } from 'vitest';
import { collectScreenLockLinux, collectScreenLockLinuxFor, GNOME_SOURCE, KDE_SOURCE } from '../../../src/collectors/screen-lock/linux.js';
import type { UserSession } from '../../../src/collectors/screen-lock/session.js';
import { codes, collectWith } from '../../support/collect.js';
import { fixture, type CommandAnswer, type FakeHostScript, type FileAnswer } from '../../support/fake-host.js';

const NOW = new Date('2026-11-22T10:00:00.000Z');
const GSETTINGS = LINUX_COMMANDS.gsettings;
const HOME = '/home/user-1';
const USER_RC = `${HOME}/.config/kscreenlockerrc`;
const SYSTEM_RC = '/etc/xdg/kscreenlockerrc';
const KDEDEFAULTS_RC = `${HOME}/.config/kdedefaults/kscreenlockerrc`;
const DCONF = `${HOME}/.config/dconf/user`;

function session(desktop: string | undefined, environment: Record<string, string> = {}, home: string | null = HOME): UserSession {
  return { user: 'user-1', home, environment: { ...(desktop === undefined ? {} : { XDG_CURRENT_DESKTOP: desktop }), ...environment } };
}

function gsettingsPrints(name: string): CommandAnswer {
  return { stdout: fixture('linux', 'gsettings-list-recursively', name) };
}

function script(commands: Record<string, CommandAnswer> = {}, files: Record<string, FileAnswer> = {}): FakeHostScript {
  return { platform: 'linux', commands, files };
}

function collect(who: UserSession | null, host: FakeHostScript) {
  return collectWith(collectScreenLockLinuxFor(who), host, NOW);
}

describe('collectScreenLockLinux: GNOME', () => {
  it("reads the four lock keys with one gsettings process: Debian's defaults lock after 5 minutes", async () => {
    const { value, errors, host } = await collect(session('ubuntu:GNOME'), script({ [GSETTINGS]: gsettingsPrints('vm-debian-12-defaults') }));
    expect(value).toEqual({ status: 'enabled', delaySeconds: 300, source: GNOME_SOURCE, user: null });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([{ file: GSETTINGS, args: ['list-recursively'] }]);
    expect(host.reads).toEqual([]);
  });

  it('adds lock-delay to idle-delay', async () => {
    const { value } = await collect(session('GNOME'), script({ [GSETTINGS]: gsettingsPrints('vm-idle-900-lock-delay-30') }));
    expect(value).toEqual({ status: 'enabled', delaySeconds: 930, source: GNOME_SOURCE, user: null });
  });

  it('reads the real GNOME desktop listing published by Kolide (1157 lines)', async () => {
    const { value } = await collect(session('GNOME'), script({ [GSETTINGS]: gsettingsPrints('s01-kolide-athena-gnome') }));
    expect(value.status).toBe('enabled');
    expect(value.delaySeconds).toBe(300);
  });

  it.each([
    ['lock-enabled false', 'vm-lock-enabled-false'],
    ['idle-delay 0 (the session never goes idle)', 'vm-idle-delay-0'],
    ['lockdown disable-lock-screen true', 'vm-lockdown-disable-lock-screen'],
  ])('is disabled with %s', async (_what, name) => {
    const { value, errors } = await collect(session('GNOME'), script({ [GSETTINGS]: gsettingsPrints(name) }));
    expect(value).toEqual({ status: 'disabled', delaySeconds: null, source: GNOME_SOURCE, user: null });
    expect(errors).toEqual([]);
  });

  it('is unknown when gsettings is not installed', async () => {
    const { value, errors } = await collect(session('GNOME'), script());
    expect(value.status).toBe('unknown');
    expect(value.delaySeconds).toBeNull();
    expect(codes(errors)).toEqual(['ERR_COMMAND_NOT_FOUND']);
  });

  it('is unknown, with the error, when gsettings times out', async () => {
    const { value, errors } = await collect(session('GNOME'), script({ [GSETTINGS]: { error: 'ERR_COMMAND_TIMEOUT' } }));
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_COMMAND_TIMEOUT']);
  });

  it("is unknown when GNOME's desktop schemas are not installed", async () => {
    const { value, errors } = await collect(session('GNOME'), script({ [GSETTINGS]: gsettingsPrints('vm-gtk-schemas-only') }));
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_NOT_FOUND']);
    expect(errors[0]!.message).toContain('gsettings-desktop-schemas');
  });

  it('is unknown when the listing lacks idle-delay (never guesses the default)', async () => {
    const { value, errors } = await collect(session('GNOME'), script({ [GSETTINGS]: gsettingsPrints('vm-one-schema-screensaver') }));
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_PARSE']);
  });
});

describe('collectScreenLockLinux: KDE Plasma', () => {
  it("uses kscreenlocker's defaults (5 minutes + 5 s grace) when no file sets anything, without starting a process", async () => {
    const { value, errors, host } = await collect(session('KDE'), script());
    expect(value).toEqual({ status: 'enabled', delaySeconds: 305, source: KDE_SOURCE, user: null });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([]);
    expect(host.reads).toEqual([SYSTEM_RC, KDEDEFAULTS_RC, USER_RC]);
  });

  it("is disabled by the user's Autolock=false", async () => {
    const { value } = await collect(session('KDE'), script({}, { [USER_RC]: fixture('linux', 'kscreenlockerrc', 'aelpxy-autolock-false') }));
    expect(value).toEqual({ status: 'disabled', delaySeconds: null, source: KDE_SOURCE, user: null });
  });

  it('adds the grace seconds to the timeout minutes, the user file over the system one', async () => {
    const { value } = await collect(
      session('KDE'),
      script({}, { [SYSTEM_RC]: fixture('linux', 'kscreenlockerrc', 'etc-xdg-hardening-5-minutes'), [USER_RC]: fixture('linux', 'kscreenlockerrc', 'tomjo2000-timeout-15') }),
    );
    expect(value.delaySeconds).toBe(15 * 60 + 5);
  });

  it('keeps a locked system [Daemon][$i] group over the user file', async () => {
    const { value } = await collect(
      session('KDE'),
      script({}, { [SYSTEM_RC]: fixture('linux', 'kscreenlockerrc', 'immutable-daemon-group'), [USER_RC]: fixture('linux', 'kscreenlockerrc', 'aelpxy-autolock-false') }),
    );
    expect(value).toEqual({ status: 'enabled', delaySeconds: 605, source: KDE_SOURCE, user: null });
  });

  it('is disabled when the lock asks for no password (Plasma 6 RequirePassword=false, Timeout=0)', async () => {
    const { value } = await collect(session('KDE'), script({}, { [USER_RC]: fixture('linux', 'kscreenlockerrc', 'nix-vm-everything-off') }));
    expect(value.status).toBe('disabled');
    const noPassword = await collect(session('KDE'), script({}, { [USER_RC]: '[Daemon]\nRequirePassword=false\n' }));
    expect(noPassword.value.status).toBe('disabled');
    const lockFalse = await collect(session('KDE'), script({}, { [USER_RC]: '[Daemon]\nLock=false\n' }));
    expect(lockFalse.value.status).toBe('disabled');
  });

  it('reads a fractional Plasma 6 timeout in seconds', async () => {
    const { value } = await collect(session('KDE'), script({}, { [USER_RC]: fixture('linux', 'kscreenlockerrc', 'plasma6-fractional-timeout') }));
    expect(value.delaySeconds).toBe(30);
  });

  it('follows XDG_CONFIG_HOME and XDG_CONFIG_DIRS', async () => {
    const { value, host } = await collect(
      session('KDE', { XDG_CONFIG_HOME: '/data/cfg', XDG_CONFIG_DIRS: '/opt/site/xdg:/etc/xdg' }),
      script({}, { '/data/cfg/kscreenlockerrc': '[Daemon]\nTimeout=2\nLockGrace=0\n' }),
    );
    expect(value.delaySeconds).toBe(120);
    expect(host.reads).toEqual(['/etc/xdg/kscreenlockerrc', '/opt/site/xdg/kscreenlockerrc', '/data/cfg/kdedefaults/kscreenlockerrc', '/data/cfg/kscreenlockerrc']);
  });

  it("is unknown with ERR_ACCESS_DENIED when the user's file cannot be read", async () => {
    const { value, errors } = await collect(session('KDE'), script({}, { [USER_RC]: { error: 'EACCES' } }));
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED']);
  });

  it('is unknown when a broken [Daemon] line makes the file unreadable', async () => {
    const { value, errors } = await collect(session('KDE'), script({}, { [USER_RC]: fixture('linux', 'kscreenlockerrc', 'broken-daemon-line') }));
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_PARSE']);
  });

  it('is unknown when the home directory is not known', async () => {
    const { value, errors } = await collect(session('KDE', {}, null), script());
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_SIGNAL_UNAVAILABLE']);
  });
});

describe('collectScreenLockLinux: which desktop', () => {
  it('does not read other desktops, and says so', async () => {
    const { value, errors, host } = await collect(session('XFCE'), script({ [GSETTINGS]: gsettingsPrints('vm-debian-12-defaults') }));
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_UNSUPPORTED']);
    expect(errors[0]!.message).toContain('XFCE');
    expect(host.calls).toEqual([]);
  });

  it('without XDG_CURRENT_DESKTOP, takes KDE when a kscreenlockerrc exists', async () => {
    const { value, host } = await collect(session(undefined), script({ [GSETTINGS]: gsettingsPrints('vm-debian-12-defaults') }, { [USER_RC]: '[Daemon]\nTimeout=1\n' }));
    expect(value).toEqual({ status: 'enabled', delaySeconds: 65, source: KDE_SOURCE, user: null });
    expect(host.calls).toEqual([]);
  });

  it("without XDG_CURRENT_DESKTOP, takes GNOME when the user has a dconf database and gsettings lists GNOME's schemas", async () => {
    const { value } = await collect(session(undefined), script({ [GSETTINGS]: gsettingsPrints('vm-lock-enabled-false') }, { [DCONF]: 'GVariant' }));
    expect(value).toEqual({ status: 'disabled', delaySeconds: null, source: GNOME_SOURCE, user: null });
  });

  it('without XDG_CURRENT_DESKTOP, does not take installed GNOME schemas for a GNOME session (headless machine)', async () => {
    const { value, errors, host } = await collect(session(undefined), script({ [GSETTINGS]: gsettingsPrints('vm-debian-12-defaults') }));
    expect(value).toEqual({ status: 'unknown', delaySeconds: null, source: null, user: null });
    expect(codes(errors)).toEqual(['ERR_SIGNAL_UNAVAILABLE']);
    expect(errors[0]!.message).toContain('No GNOME or KDE session settings found');
    expect(host.calls).toEqual([]);
  });

  it('without any desktop settings, is unknown with the reason', async () => {
    const { value, errors } = await collect(session(undefined), script({ [GSETTINGS]: gsettingsPrints('vm-gtk-schemas-only') }, { [DCONF]: 'GVariant' }));
    expect(value).toEqual({ status: 'unknown', delaySeconds: null, source: null, user: null });
    expect(codes(errors)).toEqual(['ERR_SIGNAL_UNAVAILABLE']);
    const bare = await collect(session(undefined), script({}, { [DCONF]: 'GVariant' }));
    expect(bare.value.status).toBe('unknown');
    expect(codes(bare.errors)).toEqual(['ERR_SIGNAL_UNAVAILABLE']);
  });

  it('without a session from the caller, reads the agent process environment from /proc/self/environ', async () => {
    const environ = ['PATH=/usr/bin', 'HOME=/home/user-1', 'XDG_CURRENT_DESKTOP=KDE', ''].join('\0');
    const { value, host } = await collectWith(collectScreenLockLinux, script({}, { '/proc/self/environ': environ, [USER_RC]: '[Daemon]\nAutolock=false\n' }), NOW);
    expect(value.status).toBe('disabled');
    expect(host.reads[0]).toBe('/proc/self/environ');
  });
});
