import { describe, expect, it } from 'vitest';
import { collectAntivirusDarwin } from '../../../src/collectors/antivirus/darwin.js';
import { createFakeHost } from '../../support/fake-host.js';
import { codes, collect, collectPostureWithHang, remove, COMMANDS, darwinFixture, healthyMac, NOW, PATHS } from '../../fixtures/darwin/healthy-mac.js';

/** macOS 14 and earlier: no `xprotect` program, so the bundle and install.log are read. */
function sonoma(installLog: string): ReturnType<typeof healthyMac> {
  const script = healthyMac();
  remove(script.commands, COMMANDS.xprotect);
  script.files[PATHS.installLog] = installLog;
  return script;
}

const LOG_5293 = '2025-05-10 04:12:09-07 MacBook-Pro system_installd[812]: Installed "XProtectPlistConfigData" (5293)\n';

/** `mdatp health` on macOS, in the format of the shared fixtures L3/09 with the values of a macOS agent (glpi-agent defender-101.98.30.json). */
const MDATP_HEALTHY = [
  'healthy                                     : true',
  'health_issues                               : []',
  'licensed                                    : true',
  'engine_version                              : "1.1.20100.6"',
  'app_version                                 : "101.98.30"',
  'passive_mode_enabled                        : false',
  'real_time_protection_enabled                : true',
  'real_time_protection_available              : true',
  'real_time_protection_subsystem              : "endpoint_security_extension"',
  'definitions_updated_minutes_ago             : 158',
  'definitions_version                         : "1.389.10.0"',
  'definitions_status                          : "up_to_date"',
  '',
].join('\n');

describe('collectAntivirusDarwin', () => {
  it('reports XProtect from `xprotect version` and Gatekeeper with two processes', async () => {
    const { value, errors, host } = await collect(collectAntivirusDarwin, healthyMac());
    expect(value).toEqual({
      status: 'protected',
      products: [{
        name: 'XProtect',
        enabled: true,
        realTime: true,
        upToDate: true,
        definitionsUpdatedAt: '2025-05-13T22:47:55.000Z',
        version: '5297',
        state: null,
      }],
    });
    expect(errors).toEqual([]);
    expect(host.calls.map((call) => [call.file, ...call.args].join(' ')).sort()).toEqual([`${COMMANDS.xprotect} version`, `${COMMANDS.spctl} --status`]);
  });

  it('reports definitions older than 30 days as outdated and the Mac as unprotected', async () => {
    const { value, errors } = await collect(collectAntivirusDarwin, healthyMac(), new Date('2025-06-20T00:00:00Z'));
    expect(value.products[0]).toMatchObject({ upToDate: false, definitionsUpdatedAt: '2025-05-13T22:47:55.000Z' });
    expect(value.status).toBe('unprotected');
    expect(errors).toEqual([]);
  });

  it('reports Gatekeeper assessments disabled as no real-time protection', async () => {
    const script = healthyMac();
    script.commands[COMMANDS.spctl] = { stdout: darwinFixture('spctl-status', 'm4-03-disabled') };
    const { value } = await collect(collectAntivirusDarwin, script);
    expect(value.products[0]).toMatchObject({ realTime: false, state: 'Gatekeeper assessments disabled' });
    expect(value.status).toBe('unprotected');
  });

  it('falls back to the bundle version and its install.log date before macOS 15', async () => {
    const { value, errors, host } = await collect(collectAntivirusDarwin, sonoma(LOG_5293));
    expect(value.products[0]).toMatchObject({ enabled: true, upToDate: true, version: '5293', definitionsUpdatedAt: '2025-05-10T11:12:09.000Z' });
    expect(value.status).toBe('protected');
    expect(errors).toEqual([]);
    expect(host.reads).toEqual(expect.arrayContaining([PATHS.xprotectInfo, PATHS.installLog]));
  });

  it('does not date a bundle with the install of another version', async () => {
    const { value, errors } = await collect(collectAntivirusDarwin, sonoma(LOG_5293.replace('(5293)', '(5290)')));
    expect(value.products[0]).toMatchObject({ version: '5293', upToDate: null, definitionsUpdatedAt: null });
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_NOT_FOUND']);
    expect(errors[0]!.message).toContain('5290');
  });

  it('says why there is no date when install.log records no XProtect install', async () => {
    const { value, errors } = await collect(collectAntivirusDarwin, sonoma(darwinFixture('install-log', 'glpi-catalina-installer')));
    expect(value.products[0]!.upToDate).toBeNull();
    expect(codes(errors)).toEqual(['ERR_NOT_FOUND']);
  });

  it('uses the bundle when `xprotect version` fails, and reports that failure only if no date is found', async () => {
    const script = sonoma(LOG_5293);
    script.commands[COMMANDS.xprotect] = { stdout: darwinFixture('xprotect-version', 'undocumented-date') };
    const dated = await collect(collectAntivirusDarwin, script);
    expect(dated.value.products[0]).toMatchObject({ version: '5293', upToDate: true });
    expect(dated.errors).toEqual([]);

    remove(script.files, PATHS.installLog);
    const undated = await collect(collectAntivirusDarwin, script);
    expect(undated.value.products[0]).toMatchObject({ version: '5293', upToDate: null });
    expect(codes(undated.errors)).toEqual(['ERR_PARSE']);
  });

  it('reports a missing spctl as unknown real-time protection', async () => {
    const script = healthyMac();
    remove(script.commands, COMMANDS.spctl);
    const { value, errors } = await collect(collectAntivirusDarwin, script);
    expect(value.products[0]!.realTime).toBeNull();
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_COMMAND_NOT_FOUND']);
  });

  it('reports an unreadable XProtect bundle as access denied', async () => {
    const script = sonoma(LOG_5293);
    script.files[PATHS.xprotectInfo] = { error: 'EACCES' };
    const { value, errors } = await collect(collectAntivirusDarwin, script);
    expect(value.products[0]).toMatchObject({ enabled: null, upToDate: null, version: null });
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED']);
  });

  it('refuses spctl output it does not understand', async () => {
    const script = healthyMac();
    script.commands[COMMANDS.spctl] = { stdout: darwinFixture('spctl-status', 'unknown-text') };
    const { value, errors } = await collect(collectAntivirusDarwin, script);
    expect(value.products[0]!.realTime).toBeNull();
    expect(codes(errors)).toEqual(['ERR_PARSE']);
  });

  it('reports CrowdStrike Falcon as installed but unread when falconctl needs root', async () => {
    const script = healthyMac();
    script.dirs[PATHS.falconApp] = ['Contents'];
    script.commands[COMMANDS.falconctl] = { stderr: 'Error: falconctl must be run as root\n', exitCode: 1 };
    const { value, errors } = await collect(collectAntivirusDarwin, script);
    expect(value.products[1]).toEqual({ name: 'CrowdStrike Falcon', enabled: true, realTime: null, upToDate: null, definitionsUpdatedAt: null });
    expect(value.status).toBe('protected');
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED']);
    expect(errors[0]!.message).toMatch(/root/);
  });

  it('reports an installed agent whose control program cannot be run', async () => {
    const script = healthyMac();
    script.dirs[PATHS.falconApp] = ['Contents'];
    const { value, errors } = await collect(collectAntivirusDarwin, script);
    expect(value.products[1]).toMatchObject({ name: 'CrowdStrike Falcon', enabled: true, realTime: null });
    expect(codes(errors)).toEqual(['ERR_COMMAND_NOT_FOUND']);
    expect(errors[0]!.message).toMatch(/not executable by this user.*root/);
  });

  it('reads CrowdStrike Falcon when run as root', async () => {
    const script = healthyMac();
    script.commands[COMMANDS.spctl] = { stdout: darwinFixture('spctl-status', 'm4-03-disabled') };
    script.dirs[PATHS.falconApp] = ['Contents'];
    script.commands[COMMANDS.falconctl] = { stdout: darwinFixture('falconctl-stats', 'cloudinfo-connected') };
    const { value, errors } = await collect(collectAntivirusDarwin, script);
    expect(value.products[1]).toEqual({
      name: 'CrowdStrike Falcon',
      enabled: true,
      realTime: true,
      upToDate: true,
      definitionsUpdatedAt: null,
      version: '7.39.21104.0',
      state: null,
    });
    expect(value.status).toBe('protected');
    expect(errors).toEqual([]);
  });

  it('reads SentinelOne, dated by its static signatures', async () => {
    const script = healthyMac();
    script.dirs[PATHS.sentinelBundle] = ['Contents'];
    script.commands[COMMANDS.sentinelctl] = { stdout: darwinFixture('sentinelctl-status', 'glpi-23-4-1-enabled') };
    const fresh = await collect(collectAntivirusDarwin, script, new Date('2024-07-25T16:10:00Z'));
    expect(fresh.value.products[1]).toEqual({
      name: 'SentinelOne',
      enabled: true,
      realTime: true,
      upToDate: true,
      definitionsUpdatedAt: '2024-07-18T04:34:32.000Z',
      version: '23.4.1.7125',
      state: null,
    });
    const stale = await collect(collectAntivirusDarwin, script, new Date('2024-09-25T00:00:00Z'));
    expect(stale.value.products[1]!.upToDate).toBe(false);
  });

  it('reads a disabled, disconnected SentinelOne', async () => {
    const script = healthyMac();
    script.dirs[PATHS.sentinelBundle] = ['Contents'];
    script.commands[COMMANDS.sentinelctl] = { stdout: darwinFixture('sentinelctl-status', 'protection-disabled-disconnected') };
    const { value, errors } = await collect(collectAntivirusDarwin, script);
    expect(value.products[1]).toMatchObject({ enabled: false, realTime: false, upToDate: false, state: 'not ready, not connected to its management console' });
    expect(errors).toEqual([]);
  });

  it('reads Microsoft Defender for Endpoint with the shared mdatp health parser', async () => {
    const script = healthyMac();
    script.dirs[PATHS.defenderApp] = ['Contents'];
    script.commands[COMMANDS.mdatp] = { stdout: MDATP_HEALTHY };
    const { value, errors, host } = await collect(collectAntivirusDarwin, script);
    expect(value.products[1]).toEqual({
      name: 'Microsoft Defender for Endpoint',
      enabled: true,
      realTime: true,
      upToDate: true,
      definitionsUpdatedAt: new Date(NOW.getTime() - 158 * 60_000).toISOString(),
      state: null,
      version: '101.98.30',
    });
    expect(errors).toEqual([]);
    expect(host.calls).toContainEqual({ file: COMMANDS.mdatp, args: ['health'] });
  });

  it('calls Defender for Endpoint enabled from real-time protection when its output has no healthy or licensed line', async () => {
    const script = healthyMac();
    script.dirs[PATHS.defenderApp] = ['Contents'];
    script.commands[COMMANDS.mdatp] = { stdout: MDATP_HEALTHY.split('\n').filter((line) => !/^(healthy|health_issues|licensed) /.test(line)).join('\n') };
    const { value } = await collect(collectAntivirusDarwin, script);
    expect(value.products[1]).toMatchObject({ name: 'Microsoft Defender for Endpoint', enabled: true, realTime: true, upToDate: true });
  });

  it('does not run the control program of an agent that is not installed', async () => {
    const { host } = await collect(collectAntivirusDarwin, healthyMac());
    expect(host.calls.map((call) => call.file)).not.toContain(COMMANDS.mdatp);
    expect(host.calls.map((call) => call.file)).not.toContain(COMMANDS.falconctl);
    expect(host.calls.map((call) => call.file)).not.toContain(COMMANDS.sentinelctl);
  });

  it('is unknown, not unprotected, when an agent’s presence could not be checked', async () => {
    const fake = createFakeHost(healthyMac());
    const host = {
      ...fake,
      realPath: (path: string) =>
        path === PATHS.sentinelBundle ? Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' })) : fake.realPath(path),
    };
    const errors: string[] = [];
    const value = await collectAntivirusDarwin(host, { now: new Date('2025-07-01T00:00:00Z'), error: (code) => errors.push(code) });
    expect(value.products.map((product) => product.upToDate)).toEqual([false]);
    expect(value.status).toBe('unknown');
    expect(errors).toEqual(['ERR_ACCESS_DENIED']);
  });
});

describe('collectPosture on darwin with a hung spctl', () => {

  it('times spctl out, is unknown and still reports the other signals', async () => {
    const script = healthyMac();
    script.commands[COMMANDS.spctl] = { hang: true };
    const report = await collectPostureWithHang(script);
    expect(report.antivirus.status).toBe('unknown');
    expect(report.antivirus.products[0]).toMatchObject({ name: 'XProtect', realTime: null, upToDate: true });
    // The only other error of the healthy Mac: macOS never tells which pending updates are security ones (darwin-check.test.ts).
    expect(report.errors).toEqual([
      expect.objectContaining({ signal: 'antivirus', code: 'ERR_COMMAND_TIMEOUT' }),
      expect.objectContaining({ signal: 'osUpdates', code: 'ERR_UNSUPPORTED' }),
    ]);
    expect(report.os.version).toBe('15.7.4');
    expect(report.diskEncryption.status).toBe('encrypted');
    expect(report.firewall.status).toBe('enabled');
  });
});
