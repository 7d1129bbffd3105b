import { describe, expect, it } from 'vitest';
import { collectFirewallDarwin } from '../../../src/collectors/firewall/darwin.js';
import { codes, collect, collectPostureWithHang, remove, COMMANDS, darwinFixture, healthyMac, PATHS } from '../../fixtures/darwin/healthy-mac.js';

const PRODUCT = 'macOS Application Firewall';
/** The fake host only checks that these exist (realPath); the agent never reads them as text. */
const PRESENT = 'binary plist';

function socketfilterfwSays(name: string): ReturnType<typeof healthyMac> {
  const script = healthyMac();
  script.commands[COMMANDS.socketfilterfw] = { stdout: darwinFixture('socketfilterfw', name) };
  return script;
}

function withoutSocketfilterfw(): ReturnType<typeof healthyMac> {
  const script = healthyMac();
  remove(script.commands, COMMANDS.socketfilterfw);
  return script;
}

describe('collectFirewallDarwin', () => {
  it('reads the state and stealth mode with one socketfilterfw process', async () => {
    const { value, errors, host } = await collect(collectFirewallDarwin, healthyMac());
    expect(value).toEqual({ status: 'enabled', products: [{ name: PRODUCT, enabled: true, state: 'stealth mode' }] });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([{ file: COMMANDS.socketfilterfw, args: ['--getglobalstate', '--getstealthmode'] }]);
  });

  it('counts State = 2 worded without "enabled" (Sequoia) as enabled, blocking all incoming', async () => {
    const { value } = await collect(collectFirewallDarwin, socketfilterfwSays('m3-03-sequoia-block-all'));
    expect(value).toEqual({ status: 'enabled', products: [{ name: PRODUCT, enabled: true, state: 'block all incoming' }] });
  });

  it('reports a firewall that is off as disabled', async () => {
    const { value, errors } = await collect(collectFirewallDarwin, socketfilterfwSays('m4-03-disabled'));
    expect(value).toEqual({ status: 'disabled', products: [{ name: PRODUCT, enabled: false, state: null }] });
    expect(errors).toEqual([]);
  });

  it('notes a configuration profile without running anything more', async () => {
    const script = healthyMac();
    script.files[PATHS.managedFirewall] = PRESENT;
    const { value, host } = await collect(collectFirewallDarwin, script);
    expect(value.products[0]!.state).toBe('stealth mode, managed by a configuration profile');
    expect(host.calls).toHaveLength(1);
    expect(host.reads).not.toContain(PATHS.managedFirewall);
  });

  it('falls back to com.apple.alf globalstate on macOS 14 and earlier', async () => {
    const script = withoutSocketfilterfw();
    script.files[PATHS.alf] = PRESENT;
    script.commands[COMMANDS.defaults] = { stdout: darwinFixture('defaults-read', 'alf-globalstate-2-block-all') };
    const { value, errors, host } = await collect(collectFirewallDarwin, script);
    expect(value).toEqual({ status: 'enabled', products: [{ name: PRODUCT, enabled: true, state: 'block all incoming, as recorded in com.apple.alf' }] });
    expect(errors).toEqual([]);
    expect(host.calls[1]).toEqual({ file: COMMANDS.defaults, args: ['read', '/Library/Preferences/com.apple.alf', 'globalstate'] });
  });

  it('prefers the configuration profile as the fallback and runs defaults only once', async () => {
    const script = socketfilterfwSays('m4-03-usage-line-only');
    script.files[PATHS.managedFirewall] = PRESENT;
    script.files[PATHS.alf] = PRESENT;
    script.commands[COMMANDS.defaults] = { stdout: '1\n' };
    const { value, errors, host } = await collect(collectFirewallDarwin, script);
    expect(value).toEqual({ status: 'enabled', products: [{ name: PRODUCT, enabled: true, state: 'as set by the configuration profile (EnableFirewall)' }] });
    expect(errors).toEqual([]);
    expect(host.calls.filter((call) => call.file === COMMANDS.defaults)).toEqual([
      { file: COMMANDS.defaults, args: ['read', '/Library/Managed Preferences/com.apple.security.firewall', 'EnableFirewall'] },
    ]);
  });

  it('does not run defaults on macOS 15, where com.apple.alf.plist is gone', async () => {
    const script = socketfilterfwSays('m4-03-usage-line-only');
    script.commands[COMMANDS.defaults] = { stdout: '1\n' };
    const { value, errors, host } = await collect(collectFirewallDarwin, script);
    expect(value).toEqual({ status: 'unknown', products: [] });
    expect(codes(errors)).toEqual(['ERR_PARSE']);
    expect(host.calls.map((call) => call.file)).toEqual([COMMANDS.socketfilterfw]);
  });

  it('reports a missing socketfilterfw when there is no fallback', async () => {
    const { value, errors } = await collect(collectFirewallDarwin, withoutSocketfilterfw());
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_COMMAND_NOT_FOUND']);
  });

  it('reports access denied', async () => {
    const script = healthyMac();
    script.commands[COMMANDS.socketfilterfw] = { error: 'ERR_ACCESS_DENIED' };
    const { value, errors } = await collect(collectFirewallDarwin, script);
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED']);
  });

  it('reports a setting that defaults says does not exist, and an undocumented state', async () => {
    const script = socketfilterfwSays('undocumented-state-3');
    script.files[PATHS.alf] = PRESENT;
    script.commands[COMMANDS.defaults] = { stderr: darwinFixture('defaults-read', 'sequoia-alf-removed'), exitCode: 1 };
    const { value, errors } = await collect(collectFirewallDarwin, script);
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_PARSE', 'ERR_NOT_FOUND']);
  });
});

describe('collectPosture on darwin with a hung socketfilterfw', () => {

  it('times socketfilterfw out, is unknown and still reports the other signals', async () => {
    const script = healthyMac();
    script.commands[COMMANDS.socketfilterfw] = { hang: true };
    const report = await collectPostureWithHang(script);
    expect(report.firewall).toEqual({ status: 'unknown', products: [] });
    // The only other error of the healthy Mac: macOS never tells which pending updates are security ones (darwin-check.test.ts).
    expect(report.errors).toEqual([
      expect.objectContaining({ signal: 'firewall', code: 'ERR_COMMAND_TIMEOUT' }),
      expect.objectContaining({ signal: 'osUpdates', code: 'ERR_UNSUPPORTED' }),
    ]);
    expect(report.os.version).toBe('15.7.4');
    expect(report.diskEncryption.status).toBe('encrypted');
    expect(report.antivirus.status).toBe('protected');
  });
});
