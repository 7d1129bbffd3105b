import { describe, expect, it } from 'vitest';
import { collectAntivirusLinux } from '../../../src/collectors/antivirus/linux.js';
import {
  clamavDatabaseHeader,
  codes,
  collect,
  collectPostureWithHang,
  COMMANDS,
  healthyLinux,
  install,
  linuxFixture,
  NOW,
  remove,
  setProcesses,
  setUid,
  type LinuxScript,
} from '../../fixtures/linux/healthy-linux.js';

const CLAMAV_OK = { name: 'ClamAV', enabled: true, realTime: true, upToDate: true, version: null, state: null };
const DAY = 86_400_000;
const DAILY_CLD = '/var/lib/clamav/daily.cld';
const DAILY_CVD = '/var/lib/clamav/daily.cvd';

function withoutClamav(processes: Record<number, string> = { 1: 'systemd', 2210: 'gnome-shell' }): LinuxScript {
  const script = healthyLinux();
  remove(script.links, COMMANDS.clamscan);
  remove(script.commands, COMMANDS.clamscan);
  setProcesses(script, processes);
  return script;
}

/** ClamAV installed and running, dated only through `clamscan --version` (a host without partial reads). */
function datedByClamscan(): LinuxScript {
  return { ...healthyLinux(), partialReads: false };
}

describe('collectAntivirusLinux: ClamAV dated from its database headers', () => {
  it('reports ClamAV with clamd, on-access scanning and a fresh database as protecting, without starting a process', async () => {
    const { value, errors, host } = await collect(collectAntivirusLinux, healthyLinux());
    expect(value.status).toBe('protected');
    expect(value.products).toEqual([{ ...CLAMAV_OK, definitionsUpdatedAt: new Date(NOW.getTime() - 26 * 3_600_000).toISOString() }]);
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([]);
  });

  it('reads an installed ClamAV without daemons or database as not protecting (the bare Debian install), without starting a process', async () => {
    const script = healthyLinux();
    setProcesses(script, { 1: 'systemd' });
    remove(script.files, DAILY_CLD);
    remove(script.files, '/var/lib/clamav/main.cvd');
    script.files['/etc/clamav/freshclam.conf'] = linuxFixture('freshclam-conf', 'vm-debian-postinst');
    const { value, errors, host } = await collect(collectAntivirusLinux, script);
    expect(value).toEqual({
      status: 'unprotected',
      products: [{
        name: 'ClamAV', enabled: false, realTime: false, upToDate: false, definitionsUpdatedAt: null, version: null,
        state: 'no virus database (freshclam has not downloaded one); clamd not running; on-access scanning (clamonacc) not running',
      }],
    });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([]);
  });

  it('calls a database older than 7 days out of date', async () => {
    const script = healthyLinux();
    script.files[DAILY_CLD] = clamavDatabaseHeader(new Date(NOW.getTime() - 51 * DAY));
    const { value } = await collect(collectAntivirusLinux, script);
    expect(value.status).toBe('unprotected');
    expect(value.products[0]).toMatchObject({ upToDate: false, state: 'virus database 51 days old' });
  });

  it('takes the daily database with the highest version, as clamscan --version does, whichever of daily.cvd and daily.cld it is', async () => {
    const script = healthyLinux();
    script.files[DAILY_CVD] = clamavDatabaseHeader(new Date(NOW.getTime() - 40 * DAY), 27700);
    const { value } = await collect(collectAntivirusLinux, script);
    expect(value.products[0]).toMatchObject({ upToDate: true, definitionsUpdatedAt: new Date(NOW.getTime() - 26 * 3_600_000).toISOString() });

    script.files[DAILY_CVD] = clamavDatabaseHeader(new Date(NOW.getTime() - 40 * DAY), 27900);
    const older = await collect(collectAntivirusLinux, script);
    expect(older.value.products[0]).toMatchObject({ upToDate: false, state: 'virus database 40 days old' });
  });

  it('looks in the DatabaseDirectory of freshclam.conf too', async () => {
    const script = healthyLinux();
    remove(script.files, DAILY_CLD);
    script.files['/etc/clamav/freshclam.conf'] = linuxFixture('freshclam-conf', 'custom-folder-quoted');
    script.files['/srv/clamav/db/daily.cvd'] = clamavDatabaseHeader(new Date(NOW.getTime() - 2 * DAY));
    const { value, host } = await collect(collectAntivirusLinux, script);
    expect(value.status).toBe('protected');
    expect(value.products[0]!.definitionsUpdatedAt).toBe(new Date(NOW.getTime() - 2 * DAY).toISOString());
    expect(host.calls).toEqual([]);
  });

  it('skips a daily database whose header is not ClamAV\'s, saying so, as libclamav does', async () => {
    const script = healthyLinux();
    script.files[DAILY_CVD] = linuxFixture('clamav-database-header', 'html-error-page');
    const { value, errors } = await collect(collectAntivirusLinux, script);
    expect(value.status).toBe('protected');
    expect(errors).toEqual([{ code: 'ERR_PARSE', message: expect.stringContaining(DAILY_CVD) as unknown }]);
  });

  it('falls back to clamscan --version when a database file cannot be read', async () => {
    const script = healthyLinux();
    script.files[DAILY_CLD] = { error: 'EACCES' };
    const { value, errors, host } = await collect(collectAntivirusLinux, script);
    expect(value.status).toBe('protected');
    expect(value.products[0]).toMatchObject({ version: '1.4.3' });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([{ file: COMMANDS.clamscan, args: ['--version'] }]);
  });
});

describe('collectAntivirusLinux', () => {
  it('dates ClamAV with one process, clamscan --version, on a host that cannot read the start of a file', async () => {
    const { value, errors, host } = await collect(collectAntivirusLinux, datedByClamscan());
    expect(value.status).toBe('protected');
    expect(value.products).toEqual([{ ...CLAMAV_OK, version: '1.4.3', definitionsUpdatedAt: new Date('2026-11-21T08:00:00').toISOString() }]);
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([{ file: COMMANDS.clamscan, args: ['--version'] }]);
  });

  it('reads clamscan --version without a database as not protecting', async () => {
    const script = datedByClamscan();
    setProcesses(script, { 1: 'systemd' });
    script.commands[COMMANDS.clamscan] = { stdout: linuxFixture('clamscan-version', 'vm-clamav-1-4-3-no-database') };
    const { value, errors } = await collect(collectAntivirusLinux, script);
    expect(value).toEqual({
      status: 'unprotected',
      products: [{
        name: 'ClamAV', enabled: false, realTime: false, upToDate: false, definitionsUpdatedAt: null, version: '1.4.3',
        state: 'no virus database (freshclam has not downloaded one); clamd not running; on-access scanning (clamonacc) not running',
      }],
    });
    expect(errors).toEqual([]);
  });

  it('calls a database older than 7 days out of date (clamscan --version)', async () => {
    const script = datedByClamscan();
    script.commands[COMMANDS.clamscan] = { stdout: 'ClamAV 1.4.3/27780/Fri Oct  2 04:58:32 2026\n' };
    const { value } = await collect(collectAntivirusLinux, script);
    expect(value.status).toBe('unprotected');
    expect(value.products[0]).toMatchObject({ upToDate: false, state: expect.stringMatching(/^virus database 5\d days old$/) });
  });

  it('uses clamdscan when clamscan is not installed', async () => {
    const script = datedByClamscan();
    remove(script.links, COMMANDS.clamscan);
    remove(script.commands, COMMANDS.clamscan);
    install(script, COMMANDS.clamdscan);
    script.commands[COMMANDS.clamdscan] = { stdout: 'ClamAV 1.4.3/27830/Sat Nov 21 08:00:00 2026\n' };
    const { value, host } = await collect(collectAntivirusLinux, script);
    expect(value.status).toBe('protected');
    expect(host.calls).toEqual([{ file: COMMANDS.clamdscan, args: ['--version'] }]);
  });

  it('reports a clamscan that is listed but cannot be started as unknown, with the daemons still read', async () => {
    const script = datedByClamscan();
    remove(script.commands, COMMANDS.clamscan);
    const { value, errors } = await collect(collectAntivirusLinux, script);
    expect(value.status).toBe('unknown');
    expect(value.products[0]).toMatchObject({ enabled: true, realTime: true, upToDate: null });
    expect(codes(errors)).toEqual(['ERR_COMMAND_NOT_FOUND']);
  });

  it('reports ClamAV output it does not understand as ERR_PARSE', async () => {
    const script = datedByClamscan();
    script.commands[COMMANDS.clamscan] = { stdout: linuxFixture('clamscan-version', 'missing-shared-library') };
    const { value, errors } = await collect(collectAntivirusLinux, script);
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_PARSE']);
  });

  it('reports a machine with no antivirus as unprotected without running anything', async () => {
    const { value, errors, host } = await collect(collectAntivirusLinux, withoutClamav());
    expect(value).toEqual({ status: 'unprotected', products: [] });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([]);
  });

  it('does not call "no daemon seen" unprotected when /proc hides other users (hidepid)', async () => {
    const { value, errors } = await collect(collectAntivirusLinux, withoutClamav({ 4021: 'bash', 4188: 'node' }));
    expect(value).toEqual({ status: 'unknown', products: [] });
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED']);
  });

  it('reads Microsoft Defender with mdatp health when wdavdaemon runs', async () => {
    const script = withoutClamav({ 1: 'systemd', 812: 'wdavdaemon' });
    install(script, COMMANDS.mdatp);
    script.commands[COMMANDS.mdatp] = { stdout: linuxFixture('mdatp-health', 'l3-09-healthy-wrapped-value') };
    const { value, errors, host } = await collect(collectAntivirusLinux, script);
    expect(value).toEqual({
      status: 'protected',
      products: [{
        name: 'Microsoft Defender for Endpoint', enabled: true, realTime: true, upToDate: true,
        definitionsUpdatedAt: '2026-11-22T07:21:00.000Z', state: null, version: '101.23062.0010',
      }],
    });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([{ file: COMMANDS.mdatp, args: ['health'] }]);
  });

  it('reports Defender in passive mode as not scanning in real time', async () => {
    const script = withoutClamav({ 1: 'systemd', 812: 'wdavdaemon' });
    install(script, COMMANDS.mdatp);
    script.commands[COMMANDS.mdatp] = { stdout: linuxFixture('mdatp-health', 'passive-mode-managed') };
    const { value } = await collect(collectAntivirusLinux, script);
    expect(value.status).toBe('unprotected');
    expect(value.products[0]).toMatchObject({ enabled: true, realTime: false, upToDate: true, state: 'passive mode' });
  });

  it("calls Defender enabled when mdatp prints neither healthy nor licensed but real-time protection runs and is not passive", async () => {
    const script = withoutClamav({ 1: 'systemd', 812: 'wdavdaemon' });
    install(script, COMMANDS.mdatp);
    const trimmed = [
      'passive_mode_enabled                        : false',
      'real_time_protection_enabled                : true',
      'real_time_protection_available              : true',
      'definitions_updated_minutes_ago             : 120',
      'definitions_status                          : "up_to_date"',
    ].join('\n');
    script.commands[COMMANDS.mdatp] = { stdout: `${trimmed}\n` };
    const { value, errors } = await collect(collectAntivirusLinux, script);
    expect(value.status).toBe('protected');
    expect(value.products[0]).toMatchObject({ enabled: true, realTime: true, upToDate: true });
    expect(errors).toEqual([]);
  });

  it("keeps the fallback's limits: Microsoft's trimmed output gives enabled but not real time without passive mode; unavailable real time, passive or no license never give enabled", async () => {
    const run = async (stdout: string) => {
      const script = withoutClamav({ 1: 'systemd', 812: 'wdavdaemon' });
      install(script, COMMANDS.mdatp);
      script.commands[COMMANDS.mdatp] = { stdout };
      return (await collect(collectAntivirusLinux, script)).value;
    };
    const approved = await run(linuxFixture('mdatp-health', 'ms-docs-kext-approved-trimmed'));
    expect(approved.products[0]).toMatchObject({ enabled: true, realTime: null, upToDate: null });
    expect(approved.status).toBe('unknown');
    const notApproved = await run(linuxFixture('mdatp-health', 'ms-docs-kext-not-approved-trimmed'));
    expect(notApproved.products[0]).toMatchObject({ enabled: null, realTime: false });
    const passive = await run('passive_mode_enabled                        : true\nreal_time_protection_enabled                : true\n');
    expect(passive.products[0]).toMatchObject({ enabled: null, realTime: false });
    const unlicensed = await run('ATTENTION: No license found. Contact your administrator for help.\npassive_mode_enabled                        : false\nreal_time_protection_enabled                : true\n');
    expect(unlicensed.products[0]).toMatchObject({ enabled: false, realTime: true });
    expect(unlicensed.status).toBe('unprotected');
  });

  it('does not run mdatp when wdavdaemon is not running', async () => {
    const script = withoutClamav();
    install(script, COMMANDS.mdatp);
    const { value, host } = await collect(collectAntivirusLinux, script);
    expect(value).toEqual({
      status: 'unprotected',
      products: [{ name: 'Microsoft Defender for Endpoint', enabled: false, realTime: false, upToDate: null, definitionsUpdatedAt: null, state: 'wdavdaemon is not running' }],
    });
    expect(host.calls).toEqual([]);
  });

  it('reports mdatp output it does not understand as ERR_PARSE and the product as unknown', async () => {
    const script = withoutClamav({ 1: 'systemd', 812: 'wdavdaemon' });
    install(script, COMMANDS.mdatp);
    script.commands[COMMANDS.mdatp] = { stdout: linuxFixture('mdatp-health', 'not-a-health-table') };
    const { value, errors } = await collect(collectAntivirusLinux, script);
    expect(value.status).toBe('unknown');
    expect(value.products[0]).toMatchObject({ enabled: null, realTime: null, upToDate: null });
    expect(codes(errors)).toEqual(['ERR_PARSE']);
  });

  it('reports the running Falcon sensor as a normal user, with Reduced Functionality Mode unknown (root needed)', async () => {
    const script = withoutClamav({ 1: 'systemd', 90953: 'falcond', 90954: 'falcon-sensor-b' });
    const { value, errors, host } = await collect(collectAntivirusLinux, script);
    expect(value).toEqual({
      status: 'unknown',
      products: [{ name: 'CrowdStrike Falcon', enabled: true, realTime: true, upToDate: null, definitionsUpdatedAt: null, version: null, state: null }],
    });
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED']);
    expect(errors[0]!.message).toContain('root');
    expect(host.calls).toEqual([]);
  });

  it('reads Reduced Functionality Mode with falconctl as root', async () => {
    const script = withoutClamav({ 1: 'systemd', 90953: 'falcond', 90954: 'falcon-sensor' });
    setUid(script, 0);
    install(script, COMMANDS.falconctl);
    script.commands[COMMANDS.falconctl] = { stdout: linuxFixture('falconctl', 'combined-flags-rfm-unspecified') };
    const { value, errors, host } = await collect(collectAntivirusLinux, script);
    expect(value).toEqual({
      status: 'unprotected',
      products: [{
        name: 'CrowdStrike Falcon', enabled: true, realTime: true, upToDate: false, definitionsUpdatedAt: null,
        version: '5.34.9918.0', state: 'reduced functionality mode: Unspecified',
      }],
    });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([{ file: COMMANDS.falconctl, args: ['-g', '--rfm-state', '--rfm-reason', '--version'] }]);
  });

  it('reads the SentinelOne agent state with sentinelctl as root', async () => {
    const script = withoutClamav({ 1: 'systemd', 901: 's1-orchestrator', 904: 's1-agent' });
    setUid(script, 0);
    install(script, COMMANDS.sentinelctl);
    script.commands[COMMANDS.sentinelctl] = { stdout: linuxFixture('sentinelctl-control-status', 'glpi-30-1-1-10-enabled') };
    const { value, errors } = await collect(collectAntivirusLinux, script);
    expect(value).toEqual({
      status: 'unknown',
      products: [{ name: 'SentinelOne', enabled: true, realTime: true, upToDate: null, definitionsUpdatedAt: null, state: 'agent state Enabled' }],
    });
    expect(codes(errors)).toEqual(['ERR_SIGNAL_UNAVAILABLE']);
  });

  it('keeps one product when another fails: Defender unreadable, ClamAV still protecting', async () => {
    const script = healthyLinux();
    setProcesses(script, { 1: 'systemd', 812: 'clamd', 815: 'clamonacc', 900: 'wdavdaemon' });
    install(script, COMMANDS.mdatp);
    const { value, errors } = await collect(collectAntivirusLinux, script);
    expect(value.status).toBe('protected');
    expect(value.products.map((product) => product.name)).toEqual(['ClamAV', 'Microsoft Defender for Endpoint']);
    expect(codes(errors)).toEqual(['ERR_COMMAND_NOT_FOUND']);
  });

  it('cuts off a hung clamscan: unknown with ERR_COMMAND_TIMEOUT while the other signals keep their values', async () => {
    const script = datedByClamscan();
    script.commands[COMMANDS.clamscan] = { hang: true };
    const report = await collectPostureWithHang(script);
    expect(report.antivirus.status).toBe('unknown');
    expect(report.errors.filter((error) => error.signal === 'antivirus').map((error) => error.code)).toEqual(['ERR_COMMAND_TIMEOUT']);
    expect(report.diskEncryption.status).toBe('encrypted');
    expect(report.firewall.status).toBe('enabled');
  });
});
