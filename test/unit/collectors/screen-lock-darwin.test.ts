import { describe, expect, it } from 'vitest';
import { collectScreenLockDarwin, collectScreenLockDarwinFor, PROFILE_SOURCE, SYSADMINCTL_SOURCE } from '../../../src/collectors/screen-lock/darwin.js';
import { DARWIN_COMMANDS } from '../../../src/exec/commands-darwin.js';
import { codes, collectWith, remove } from '../../support/collect.js';
import { fixture, type CommandAnswer, type FakeHostScript } from '../../support/fake-host.js';

const NOW = new Date('2025-05-20T09:00:00.000Z');
const SYSADMINCTL = DARWIN_COMMANDS.sysadminctl;
const PMSET = DARWIN_COMMANDS.pmset;
const DEFAULTS = DARWIN_COMMANDS.defaults;
const IDLE_TIME = `${DEFAULTS} -currentHost read com.apple.screensaver idleTime`;
const USER_PROFILE = '/Library/Managed Preferences/user-1/com.apple.screensaver';
const DEVICE_PROFILE = '/Library/Managed Preferences/com.apple.screensaver';
/** The fake host only checks that profile plists exist (realPath); the agent reads them with `defaults`. */
const PRESENT = 'binary plist';

const sysadminctl = (name: string): CommandAnswer => ({ stderr: fixture('darwin', 'sysadminctl-screenlock', name), exitCode: 0 });
const pmset = (name: string): CommandAnswer => ({ stdout: fixture('darwin', 'pmset-custom', name) });

/** A MacBook as its user left it: password 5 minutes after the screen saver (10 min) or display sleep (battery 2, AC 10). */
function mac(): FakeHostScript & { commands: Record<string, CommandAnswer>; files: Record<string, string> } {
  return {
    platform: 'darwin',
    commands: {
      [`${SYSADMINCTL} -screenLock status`]: sysadminctl('s03-sonoma-delay-300-seconds'),
      [IDLE_TIME]: { stdout: '600\n' },
      [`${PMSET} -g custom`]: pmset('go-test-laptop-battery-2-ac-10'),
    },
    files: {},
  };
}

function collect(script: FakeHostScript, user: string | null = 'user-1') {
  return collectWith(collectScreenLockDarwinFor({ user, home: `/Users/${user}`, environment: {} }), script, NOW);
}

describe('collectScreenLockDarwin', () => {
  it('adds the grace to the earliest of screen saver and display sleep, on the worse power source', async () => {
    const { value, errors, host } = await collect(mac());
    // battery: min(600 s, 2 min) = 120; AC: min(600 s, 10 min) = 600; worst 600, + 300 s grace.
    expect(value).toEqual({ status: 'enabled', delaySeconds: 900, source: SYSADMINCTL_SOURCE, user: null });
    expect(errors).toEqual([]);
    expect(host.calls.map((call) => [call.file, ...call.args].join(' '))).toEqual([`${SYSADMINCTL} -screenLock status`, IDLE_TIME, `${PMSET} -g custom`]);
  });

  it('reads the NSLog line sysadminctl writes to stderr', async () => {
    const script = mac();
    script.commands[`${SYSADMINCTL} -screenLock status`] = sysadminctl('macos-26-delay-5-seconds-nslog-prefix');
    const { value } = await collect(script);
    expect(value.delaySeconds).toBe(605);
  });

  it('is disabled when no password is required, and starts nothing more', async () => {
    const script = mac();
    script.commands[`${SYSADMINCTL} -screenLock status`] = sysadminctl('macos-26-off-nslog-prefix');
    const { value, errors, host } = await collect(script);
    expect(value).toEqual({ status: 'disabled', delaySeconds: null, source: SYSADMINCTL_SOURCE, user: null });
    expect(errors).toEqual([]);
    expect(host.calls).toHaveLength(1);
  });

  it("uses macOS's 20-minute screen saver default when the user never chose one", async () => {
    const script = mac();
    script.commands[`${SYSADMINCTL} -screenLock status`] = sysadminctl('immediate');
    script.commands[IDLE_TIME] = { stderr: 'The domain/default pair of (com.apple.screensaver, idleTime) does not exist\n', exitCode: 1 };
    script.commands[`${PMSET} -g custom`] = pmset('macbook-pro-2020-battery-2-ac-30');
    const { value, errors } = await collect(script);
    // AC: min(1200 s, 30 min) = 1200; battery: 120.
    expect(value).toEqual({ status: 'enabled', delaySeconds: 1200, source: SYSADMINCTL_SOURCE, user: null });
    expect(errors).toEqual([]);
  });

  it('is disabled when neither the screen saver nor display sleep ever starts (a Mac mini set to never)', async () => {
    const script = mac();
    script.commands[IDLE_TIME] = { stdout: '0\n' };
    script.commands[`${PMSET} -g custom`] = pmset('mac-mini-ac-only-display-never');
    const { value } = await collect(script);
    expect(value.status).toBe('disabled');
  });

  it("takes the user's configuration profile over sysadminctl and the user's screen saver", async () => {
    const script = mac();
    script.files[`${USER_PROFILE}.plist`] = PRESENT;
    script.commands[`${DEFAULTS} read ${USER_PROFILE}`] = { stdout: fixture('darwin', 'screensaver-defaults', 'managed-profile-immediate-10-minutes') };
    const { value, host } = await collect(script);
    // profile: password immediately, screen saver 600 s; display sleep AC 10 min = 600 s.
    expect(value).toEqual({ status: 'enabled', delaySeconds: 600, source: PROFILE_SOURCE, user: null });
    expect(host.calls.map((call) => call.file)).toEqual([DEFAULTS, PMSET]);
  });

  it('is disabled when a device profile turns the password off', async () => {
    const script = mac();
    script.files[`${DEVICE_PROFILE}.plist`] = PRESENT;
    script.commands[`${DEFAULTS} read ${DEVICE_PROFILE}`] = { stdout: fixture('darwin', 'screensaver-defaults', 'profile-with-module-dict') };
    const { value, host } = await collect(script, null);
    expect(value).toEqual({ status: 'disabled', delaySeconds: null, source: PROFILE_SOURCE, user: null });
    expect(host.calls.map((call) => call.file)).toEqual([DEFAULTS]);
  });

  it('asks sysadminctl only for the grace when the profile requires the password without a delay', async () => {
    const script = mac();
    script.files[`${USER_PROFILE}.plist`] = PRESENT;
    script.commands[`${DEFAULTS} read ${USER_PROFILE}`] = { stdout: fixture('darwin', 'screensaver-defaults', 's11-high-sierra-user-domain') };
    const { value } = await collect(script);
    expect(value).toEqual({ status: 'enabled', delaySeconds: 900, source: PROFILE_SOURCE, user: null });
  });

  it('ignores a profile folder for a user name that is not a plain name', async () => {
    const script = mac();
    script.files['/Library/Managed Preferences/../com.apple.screensaver.plist'] = PRESENT;
    const { value, host } = await collect(script, '..');
    expect(value.status).toBe('enabled');
    expect(host.calls.filter((call) => call.file === DEFAULTS && call.args[0] === 'read')).toEqual([]);
  });

  it('is unknown when sysadminctl is missing', async () => {
    const script = mac();
    remove(script.commands, `${SYSADMINCTL} -screenLock status`);
    const { value, errors } = await collect(script);
    expect(value).toEqual({ status: 'unknown', delaySeconds: null, source: null, user: null });
    expect(codes(errors)).toEqual(['ERR_COMMAND_NOT_FOUND']);
  });

  it('is unknown when sysadminctl times out', async () => {
    const script = mac();
    script.commands[`${SYSADMINCTL} -screenLock status`] = { error: 'ERR_COMMAND_TIMEOUT' };
    const { value, errors } = await collect(script);
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_COMMAND_TIMEOUT']);
  });

  it('is unknown with ERR_ACCESS_DENIED when sysadminctl is refused', async () => {
    const script = mac();
    script.commands[`${SYSADMINCTL} -screenLock status`] = sysadminctl('operation-not-permitted');
    const { value, errors } = await collect(script);
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED']);
  });

  it("is unknown when a profile exists but cannot be read (its values would win), without asking sysadminctl", async () => {
    const script = mac();
    script.files[`${USER_PROFILE}.plist`] = PRESENT;
    script.commands[`${DEFAULTS} read ${USER_PROFILE}`] = { stderr: 'Could not read domain: Operation not permitted\n', exitCode: 1 };
    const { value, errors, host } = await collect(script);
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED']);
    expect(host.calls.map((call) => call.file)).toEqual([DEFAULTS]);
  });

  it('keeps the screen saver as an upper bound when pmset fails, and reports pmset', async () => {
    const script = mac();
    script.commands[`${PMSET} -g custom`] = { error: 'ERR_COMMAND_TIMEOUT' };
    const { value, errors } = await collect(script);
    expect(value).toEqual({ status: 'enabled', delaySeconds: 900, source: SYSADMINCTL_SOURCE, user: null });
    expect(codes(errors)).toEqual(['ERR_COMMAND_TIMEOUT']);
  });

  it('is unknown when the screen saver never starts and display sleep could not be read', async () => {
    const script = mac();
    script.commands[IDLE_TIME] = { stdout: '0\n' };
    remove(script.commands, `${PMSET} -g custom`);
    const { value, errors } = await collect(script);
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_COMMAND_NOT_FOUND', 'ERR_SIGNAL_UNAVAILABLE']);
  });

  it('without a session checks only the device-scope profile', async () => {
    const { value, host } = await collectWith(collectScreenLockDarwin, mac(), NOW);
    expect(value.status).toBe('enabled');
    expect(host.calls).toHaveLength(3);
  });
});
