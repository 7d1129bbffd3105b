/**
 * The Linux collectors against this very machine (createRealHost). Every expectation is derived
 * from the machine itself with an independent read (fs, execFile), never hard-coded, so the test
 * passes with and without ClamAV and ufw installed, with ufw enabled or disabled. Run as root it
 * reads what only root may; the database folders and ufw.conf are readable by everyone.
 */
import { execFile } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliUserSession } from '../../src/agent/session/session-user.js';
import { collectPosture } from '../../src/collectors/index.js';
import { createRealHost, type RealHost } from '../../src/exec/real-host.js';
import type { PostureReport } from '../../src/collectors/report.js';

const run = promisify(execFile);

/** os-release read with a plain regex, not the agent's parser. */
function osReleaseValue(key: string): string | undefined {
  const text = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : readFileSync('/usr/lib/os-release', 'utf8');
  const match = new RegExp(`^${key}=(.*)$`, 'm').exec(text);
  return match?.[1]?.replace(/^["']|["']$/g, '');
}

/** Linux dev_t to MAJ:MIN (include/linux/kdev_t.h new_decode_dev). */
function rootDeviceNumber(): string {
  const dev = statSync('/').dev;
  const major = Math.floor(dev / 256) & 0xfff;
  const minor = (dev & 0xff) | (Math.floor(dev / 1048576) & 0xfff00);
  return `${major}:${minor}`;
}

function runningProcessNames(): Set<string> {
  const names = new Set<string>();
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      names.add(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
    } catch {
      // exited meanwhile
    }
  }
  return names;
}

/** The newest daily.cvd/daily.cld build time, read from the header's last field with plain fs calls (not the agent's parser). */
function newestDailyBuildTime(): Date | null {
  let newest: { version: number; built: Date } | null = null;
  for (const path of ['/var/lib/clamav/daily.cvd', '/var/lib/clamav/daily.cld']) {
    if (!existsSync(path)) continue;
    const buffer = Buffer.alloc(512);
    const fd = openSync(path, 'r');
    readSync(fd, buffer, 0, 512, 0);
    closeSync(fd);
    const fields = buffer.toString('latin1').trim().split(':');
    const version = Number(fields[2]);
    if (newest === null || version > newest.version) newest = { version, built: new Date(Number(fields[8]) * 1000) };
  }
  return newest?.built ?? null;
}

const isRoot = process.getuid?.() === 0;
const clamscanInstalled = existsSync('/usr/bin/clamscan');
const ufwInstalled = existsSync('/usr/sbin/ufw');
const nftInstalled = existsSync('/usr/sbin/nft');
const ufwEnabledInConf = existsSync('/etc/ufw/ufw.conf') && /^ENABLED=yes\s*$/m.test(readFileSync('/etc/ufw/ufw.conf', 'utf8'));

describe.runIf(process.platform === 'linux')('Linux collectors on this machine (real host)', () => {
  let host: RealHost;
  let report: PostureReport;
  let wallMs = 0;
  let cpuMs = 0;

  beforeAll(async () => {
    host = createRealHost();
    const started = performance.now();
    const cpu = process.cpuUsage();
    report = await collectPosture(host);
    const used = process.cpuUsage(cpu);
    wallMs = performance.now() - started;
    cpuMs = (used.user + used.system) / 1000;
    console.info(`linux check: ${wallMs.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU, ${host.spawnCount} processes`);
    console.info(JSON.stringify(report, null, 2));
  });

  it('reports the distribution and release that os-release states', async () => {
    expect(report.os.platform).toBe('linux');
    expect(report.os.id).toBe(osReleaseValue('ID') ?? null);
    const versionId = osReleaseValue('VERSION_ID');
    if (osReleaseValue('ID') === 'debian' && versionId !== undefined) {
      const debianVersion = existsSync('/etc/debian_version') ? readFileSync('/etc/debian_version', 'utf8').trim() : '';
      const point = osReleaseValue('DEBIAN_VERSION_FULL') ?? (/^\d+(\.\d+)*$/.test(debianVersion) ? debianVersion : versionId);
      expect(report.os.version).toBe(point);
    } else if (versionId !== undefined && osReleaseValue('BUILD_ID') !== 'rolling') {
      expect(report.os.version?.startsWith(versionId)).toBe(true);
    }
    expect(report.errors.filter((error) => error.signal === 'os')).toEqual([]);
    await Promise.resolve();
  });

  it('reports the running kernel', () => {
    expect(report.os.kernel).toBe(release());
  });

  it('finds the system volume and judges it as sysfs describes it', () => {
    const system = report.diskEncryption.volumes.find((volume) => volume.system);
    expect(system?.mount).toBe('/');
    const number = rootDeviceNumber();
    if (number.startsWith('0:')) return; // btrfs/overlay root: the device is not named by its number
    const name = realpathSync(`/sys/dev/block/${number}`).split('/').pop()!;
    const uuidPath = `/sys/class/block/${name}/dm/uuid`;
    const uuid = existsSync(uuidPath) ? readFileSync(uuidPath, 'utf8').trim() : null;
    const slaves = existsSync(`/sys/class/block/${name}/slaves`) ? readdirSync(`/sys/class/block/${name}/slaves`) : [];
    if (uuid === null && slaves.length === 0) {
      // A plain disk or partition: not encrypted.
      expect(system).toMatchObject({ encrypted: false, method: null, state: `not encrypted (${name})` });
      if (report.diskEncryption.volumes.every((volume) => volume.encrypted === false)) expect(report.diskEncryption.status).toBe('unencrypted');
    } else if (uuid?.startsWith('CRYPT-LUKS')) {
      expect(system?.encrypted).toBe(true);
    }
    expect(report.errors.filter((error) => error.signal === 'diskEncryption')).toEqual([]);
  });

  it('reads ClamAV as installed or absent, dated from its daily database header without a process, and never as protecting without a daemon and a fresh database', () => {
    const clamav = report.antivirus.products.find((product) => product.name === 'ClamAV');
    if (!clamscanInstalled) {
      expect(clamav).toBeUndefined();
      return;
    }
    expect(clamav).toBeDefined();
    const daily = newestDailyBuildTime();
    const daemons = runningProcessNames();
    expect(clamav!.version).toBeNull();
    expect(clamav!.definitionsUpdatedAt).toBe(daily?.toISOString() ?? null);
    expect(clamav!.realTime).toBe(daemons.has('clamonacc'));
    expect(clamav!.enabled).toBe(daemons.has('clamd') || daemons.has('clamonacc'));
    if (daily === null) {
      expect(clamav).toMatchObject({ upToDate: false, definitionsUpdatedAt: null, state: expect.stringContaining('no virus database') as unknown });
      expect(report.antivirus.status).not.toBe('protected');
    }
  });

  it('reads ufw as ufw.conf says when it is off, else as ufw status says (root) or as ufw.conf says (not root)', async () => {
    const ufw = report.firewall.products.find((product) => product.name === 'ufw');
    if (!ufwInstalled) {
      expect(ufw).toBeUndefined();
      return;
    }
    let active: boolean;
    if (isRoot && ufwEnabledInConf) {
      const { stdout } = await run('/usr/sbin/ufw', ['status'], { env: { ...process.env, LC_ALL: 'C' } });
      active = /^Status: active$/m.test(stdout);
    } else {
      active = ufwEnabledInConf;
    }
    expect(ufw?.enabled).toBe(active);
    if (active) expect(report.firewall.status).toBe('enabled');
  });

  it('reports Secure Boot as the firmware interface shows it: unsupported without /sys/firmware/efi, else from the SecureBoot variable', () => {
    if (!existsSync('/sys/firmware/efi')) {
      expect(report.secureBoot).toMatchObject({ status: 'unsupported', source: 'sysfs' });
      expect(report.secureBoot.detail).toContain('/sys/firmware/efi');
      return;
    }
    const variable = '/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c';
    if (existsSync(variable)) expect(report.secureBoot.status).toBe(readFileSync(variable)[4] === 1 ? (report.secureBoot.setupMode ? 'disabled' : 'enabled') : 'disabled');
  });

  it('reports a TPM only where the kernel registered one (/sys/class/tpm), with its major version', () => {
    const chips = existsSync('/sys/class/tpm') ? readdirSync('/sys/class/tpm').filter((name) => /^tpm\d+$/.test(name)) : [];
    if (chips.length === 0) {
      expect(report.tpm.status).not.toBe('present');
      if (report.tpm.status === 'absent') expect(report.tpm.source).toContain('/sys/class/tpm');
      return;
    }
    expect(report.tpm.status).toBe('present');
    const major = `/sys/class/tpm/${chips[0]}/tpm_version_major`;
    if (existsSync(major)) expect(report.tpm.specVersion).toBe(readFileSync(major, 'utf8').trim() === '2' ? '2.0' : '1.2');
  });

  it('reads screen lock in the user\'s session only: as root (no desktop session) it is unknown, saying so', async () => {
    const userSession = cliUserSession({ platform: 'linux', env: process.env, uid: process.getuid?.() });
    const checked = await collectPosture(createRealHost(), { userSession });
    if (isRoot) {
      expect(checked.screenLock.status).toBe('unknown');
      expect(checked.errors.find((error) => error.signal === 'screenLock')?.message).toMatch(/no user session/i);
    } else {
      expect(checked.screenLock.user).toBe(userSession.kind === 'this-process' ? userSession.user : null);
    }
  });

  it('starts only the processes the installed products need (ClamAV is dated from files), and is quick', () => {
    const ufwRuns = ufwInstalled && isRoot && ufwEnabledInConf;
    const ufwActive = report.firewall.products.some((product) => product.name === 'ufw' && product.enabled === true);
    const nftRuns = nftInstalled && isRoot && !ufwActive;
    const expected = Number(ufwRuns) + Number(nftRuns);
    expect(host.spawnCount).toBe(expected);
    // Generous bounds for a loaded CI machine; the measured values are printed above.
    expect(wallMs).toBeLessThan(2_000);
    expect(cpuMs).toBeLessThan(1_000);
  });
});
