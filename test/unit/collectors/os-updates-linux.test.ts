import { describe, expect, it } from 'vitest';
import { LINUX_PATHS, collectOsUpdatesLinux } from '../../../src/collectors/os-updates/linux.js';
import { codes, collect, healthyLinux, install, linuxFixture, setUid, withoutUpdateSources, type LinuxScript } from '../../fixtures/linux/healthy-linux.js';

const CONF_DIR = '/etc/apt/apt.conf.d';
const UU_CONF = linuxFixture('apt-conf', 'debian-uu-50unattended-upgrades');
const AUTO_UPGRADES_ON = linuxFixture('apt-conf', 'debian-uu-20auto-upgrades');
const AUTO_UPGRADES_OFF = linuxFixture('apt-conf', 'debian-uu-20auto-upgrades-disabled');
const WANTS = '/etc/systemd/system/timers.target.wants';

/** The files of this Debian 12 VM's /etc/apt/apt.conf.d (two real ones as fixtures, the rest without update settings). */
const VM_CONF: Record<string, string> = {
  '01autoremove': linuxFixture('apt-conf', 'vm-debian12-01autoremove'),
  '02autoremove-postgresql': 'APT\n{\n  NeverAutoRemove\n  {\n    "^postgresql.*-15";\n  };\n};\n',
  '70debconf': 'DPkg::Pre-Install-Pkgs {"/usr/sbin/dpkg-preconfigure --apt || true";};\n',
  '99artifact-registry': 'Acquire::Check-Valid-Until "false";\nAcquire::Check-Date "false";\n',
  'docker-clean': linuxFixture('apt-conf', 'vm-debian12-docker-clean'),
};

/** A Debian machine: apt installed, the given apt.conf.d files, nothing else about updates. */
function debian(conf: Record<string, string | { error: 'EACCES' | 'EIO' }> = VM_CONF): LinuxScript {
  const script = withoutUpdateSources(healthyLinux());
  script.dirs[CONF_DIR] = Object.keys(conf);
  for (const [name, text] of Object.entries(conf)) script.files[`${CONF_DIR}/${name}`] = text;
  install(script, LINUX_PATHS.aptGet);
  return script;
}

/** What installing Debian 12's unattended-upgrades 2.9.1+nmu3 changes on disk (its postinst, debconf default "true"). */
function withUnattendedUpgrades(script: LinuxScript, autoUpgrades = AUTO_UPGRADES_ON): LinuxScript {
  script.dirs[CONF_DIR] = [...script.dirs[CONF_DIR]!, '20auto-upgrades', '50unattended-upgrades'];
  script.files[`${CONF_DIR}/20auto-upgrades`] = autoUpgrades;
  script.files[`${CONF_DIR}/50unattended-upgrades`] = UU_CONF;
  install(script, LINUX_PATHS.unattendedUpgrade, '/etc/kernel/postinst.d/unattended-upgrades');
  return script;
}

/** systemd is the init system and the two apt timers are enabled, as on a default Debian or Ubuntu install. */
function bootedWithAptTimers(script: LinuxScript): LinuxScript {
  script.dirs[LINUX_PATHS.systemdBooted] = ['system.control'];
  script.links[`${WANTS}/apt-daily.timer`] = '/lib/systemd/system/apt-daily.timer';
  script.links[`${WANTS}/apt-daily-upgrade.timer`] = '/lib/systemd/system/apt-daily-upgrade.timer';
  return script;
}

describe('collectOsUpdatesLinux on APT systems', () => {
  it('reads this VM as it is: no unattended-upgrades, so nothing installs, and says why pending and reboot are unknown', async () => {
    const { value, errors, host } = await collect(collectOsUpdatesLinux, debian());
    expect(value).toEqual({
      status: 'disabled',
      automaticCheck: false,
      automaticDownload: false,
      automaticInstall: false,
      pending: null,
      pendingSecurity: null,
      rebootRequired: null,
      source: 'apt (unattended-upgrades not installed)',
      detail:
        'Unattended-Upgrade not set; Update-Package-Lists not set; unattended-upgrades is not installed (/usr/bin/unattended-upgrade); systemd is not the init system here, so the daily job runs only from cron (/etc/cron.daily/apt-compat)',
    });
    expect(codes(errors)).toEqual(['ERR_UNSUPPORTED', 'ERR_UNSUPPORTED']);
    expect(errors.map((error) => error.message).join(' ')).toMatch(/updates-available.*apt-get -s upgrade/);
    expect(host.calls).toEqual([]);
  });

  it('turns enabled when unattended-upgrades is installed: 20auto-upgrades, 50unattended-upgrades and the program appear', async () => {
    const { value, errors } = await collect(collectOsUpdatesLinux, withUnattendedUpgrades(debian()));
    expect(value).toMatchObject({
      status: 'enabled',
      automaticCheck: true,
      automaticDownload: true,
      automaticInstall: true,
      rebootRequired: false,
      source: 'apt (20auto-upgrades)',
    });
    expect(value.detail).toContain('Unattended-Upgrade "1" (20auto-upgrades)');
    expect(value.detail).toContain('its origins include the security archive');
    // Only the pending count is unknown now: the kernel hook that writes reboot-required is installed.
    expect(codes(errors)).toEqual(['ERR_UNSUPPORTED']);
  });

  it('stays disabled when the package is installed but debconf said no (20auto-upgrades with "0")', async () => {
    const { value } = await collect(collectOsUpdatesLinux, withUnattendedUpgrades(debian(), AUTO_UPGRADES_OFF));
    expect(value).toMatchObject({ status: 'disabled', automaticCheck: false, automaticInstall: false, source: 'apt (20auto-upgrades)' });
  });

  it('lets 20auto-upgrades override 10periodic, in apt file order', async () => {
    const on = debian({ '10periodic': linuxFixture('apt-conf', 'ubuntu-10periodic-all-zero'), '20auto-upgrades': AUTO_UPGRADES_ON, '50unattended-upgrades': UU_CONF });
    install(on, LINUX_PATHS.unattendedUpgrade);
    expect((await collect(collectOsUpdatesLinux, on)).value).toMatchObject({ status: 'enabled', source: 'apt (20auto-upgrades)' });

    // The same two files the other way round: 20auto-upgrades turns it off after 10periodic turned it on.
    const off = debian({ '10periodic': AUTO_UPGRADES_ON, '20auto-upgrades': AUTO_UPGRADES_OFF, '50unattended-upgrades': UU_CONF });
    install(off, LINUX_PATHS.unattendedUpgrade);
    expect((await collect(collectOsUpdatesLinux, off)).value).toMatchObject({ status: 'disabled', automaticInstall: false, source: 'apt (20auto-upgrades)' });
  });

  it('ignores files apt ignores (dpkg leftovers, wrong extensions) and reads /etc/apt/apt.conf last', async () => {
    const script = withUnattendedUpgrades(debian());
    script.dirs[CONF_DIR] = [...script.dirs[CONF_DIR]!, '99off.dpkg-old', '99off.disabled', '.hidden'];
    for (const name of ['99off.dpkg-old', '99off.disabled', '.hidden']) script.files[`${CONF_DIR}/${name}`] = AUTO_UPGRADES_OFF;
    expect((await collect(collectOsUpdatesLinux, script)).value.status).toBe('enabled');

    script.files['/etc/apt/apt.conf'] = 'APT::Periodic::Unattended-Upgrade "0";\n';
    const { value } = await collect(collectOsUpdatesLinux, script);
    expect(value).toMatchObject({ status: 'disabled', source: 'apt (apt.conf)' });
  });

  it('is disabled by a later override file (AKS Engine 99periodic) and by APT::Periodic::Enable "0"', async () => {
    const aks = withUnattendedUpgrades(debian());
    aks.dirs[CONF_DIR] = [...aks.dirs[CONF_DIR]!, '99periodic'];
    aks.files[`${CONF_DIR}/99periodic`] = linuxFixture('apt-conf', 'aks-engine-99periodic');
    expect((await collect(collectOsUpdatesLinux, aks)).value).toMatchObject({ status: 'disabled', source: 'apt (99periodic)' });

    const off = withUnattendedUpgrades(debian());
    off.dirs[CONF_DIR] = [...off.dirs[CONF_DIR]!, '99off'];
    off.files[`${CONF_DIR}/99off`] = 'APT { Periodic { Enable "0"; }; };\n';
    const { value } = await collect(collectOsUpdatesLinux, off);
    expect(value).toMatchObject({ status: 'disabled', automaticCheck: false, automaticInstall: false });
    expect(value.detail).toContain('APT::Periodic::Enable is 0');
  });

  it('follows #include and refuses like apt when the included file is missing', async () => {
    const script = debian({ '20auto-upgrades': '#include "/etc/apt/local/updates.conf";\n', '50unattended-upgrades': UU_CONF });
    install(script, LINUX_PATHS.unattendedUpgrade);
    script.files['/etc/apt/local/updates.conf'] = AUTO_UPGRADES_ON;
    expect((await collect(collectOsUpdatesLinux, script)).value).toMatchObject({ status: 'enabled', source: 'apt (updates.conf)' });

    Reflect.deleteProperty(script.files, '/etc/apt/local/updates.conf');
    const { value, errors } = await collect(collectOsUpdatesLinux, script);
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toContain('ERR_NOT_FOUND');
  });

  it('installs nothing when unattended-upgrade has no allowed origins', async () => {
    const script = withUnattendedUpgrades(debian());
    script.files[`${CONF_DIR}/50unattended-upgrades`] = 'Unattended-Upgrade::Package-Blacklist {\n};\n';
    const { value } = await collect(collectOsUpdatesLinux, script);
    expect(value).toMatchObject({ status: 'disabled', automaticInstall: false });
    expect(value.detail).toContain('no Origins-Pattern or Allowed-Origins');
  });

  it('does not count unattended-upgrades.service: with the timers masked nothing runs', async () => {
    const script = bootedWithAptTimers(withUnattendedUpgrades(debian()));
    expect((await collect(collectOsUpdatesLinux, script)).value.status).toBe('enabled');

    script.links['/etc/systemd/system/apt-daily-upgrade.timer'] = '/dev/null';
    const { value } = await collect(collectOsUpdatesLinux, script);
    expect(value).toMatchObject({ status: 'disabled', automaticCheck: true, automaticInstall: false });
    expect(value.detail).toContain('apt-daily-upgrade.timer is masked');
  });

  it('is disabled when systemd runs but the upgrade timer is not enabled', async () => {
    const script = bootedWithAptTimers(withUnattendedUpgrades(debian()));
    Reflect.deleteProperty(script.links, `${WANTS}/apt-daily-upgrade.timer`);
    const { value } = await collect(collectOsUpdatesLinux, script);
    expect(value).toMatchObject({ status: 'disabled', automaticInstall: false });
    expect(value.detail).toContain('apt-daily-upgrade.timer is not enabled');
  });

  it('reads pending updates and a pending reboot on Ubuntu', async () => {
    const script = bootedWithAptTimers(withUnattendedUpgrades(debian()));
    script.files[LINUX_PATHS.updatesAvailable] = linuxFixture('updates-available', 'ubuntu-24-04-81-updates-23-security');
    script.files[LINUX_PATHS.rebootRequired] = '*** System restart required ***\n';
    script.files[LINUX_PATHS.rebootRequiredPackages] = 'linux-image-6.8.0-45-generic\nlinux-base\nlinux-image-6.8.0-45-generic\n';
    const { value, errors } = await collect(collectOsUpdatesLinux, script);
    expect(value).toMatchObject({ status: 'enabled', pending: 81, pendingSecurity: 23, rebootRequired: true });
    expect(value.detail).toContain('a reboot is required by linux-image-6.8.0-45-generic, linux-base');
    expect(errors).toEqual([]);
  });

  it('reads a localised updates-available file', async () => {
    const script = withUnattendedUpgrades(debian());
    script.files[LINUX_PATHS.updatesAvailable] = linuxFixture('updates-available', 'german-22-04-671-updates-460-security');
    const { value } = await collect(collectOsUpdatesLinux, script);
    expect(value).toMatchObject({ pending: 671, pendingSecurity: 460 });
  });

  it('cannot call it enabled as a standard user when an apt.conf.d file is readable only by root, and can as root', async () => {
    const user = withUnattendedUpgrades(debian({ ...VM_CONF, '99proxy': { error: 'EACCES' } }));
    const asUser = await collect(collectOsUpdatesLinux, user);
    expect(asUser.value).toMatchObject({ status: 'unknown', automaticCheck: null, automaticInstall: null });
    expect(asUser.errors.find((error) => error.code === 'ERR_ACCESS_DENIED')?.message).toMatch(/99proxy.*run the agent as root/);

    const root = withUnattendedUpgrades(debian({ ...VM_CONF, '99proxy': 'Acquire::http::Proxy "http://user:secret@proxy:3128";\n' }));
    setUid(root, 0);
    const asRoot = await collect(collectOsUpdatesLinux, root);
    expect(asRoot.value.status).toBe('enabled');
    expect(codes(asRoot.errors)).not.toContain('ERR_ACCESS_DENIED');
  });

  it('still knows it is off for a standard user when the program is missing, whatever a hidden file says', async () => {
    const { value } = await collect(collectOsUpdatesLinux, debian({ ...VM_CONF, '99proxy': { error: 'EACCES' } }));
    expect(value).toMatchObject({ status: 'disabled', automaticInstall: false, automaticCheck: null });
  });

  it('is unknown, with the parse error, when a file has a syntax error apt would refuse', async () => {
    const script = withUnattendedUpgrades(debian());
    script.files[`${CONF_DIR}/20auto-upgrades`] = linuxFixture('apt-conf', 'constructed-missing-semicolon');
    const { value, errors } = await collect(collectOsUpdatesLinux, script);
    expect(value.status).toBe('unknown');
    expect(errors.find((error) => error.code === 'ERR_PARSE')?.message).toContain('/etc/apt/apt.conf.d/20auto-upgrades:3');
  });

  it('is unknown, with the error, when an apt.conf.d file cannot be read at all', async () => {
    const { value, errors } = await collect(collectOsUpdatesLinux, withUnattendedUpgrades(debian({ ...VM_CONF, '30local': { error: 'EIO' } })));
    expect(value).toMatchObject({ status: 'unknown', automaticCheck: null, automaticInstall: null });
    expect(codes(errors)).toContain('ERR_IO');
    expect(value.detail).toContain('not read: /etc/apt/apt.conf.d/30local');
  });
});

describe('collectOsUpdatesLinux on DNF systems', () => {
  function fedora(): LinuxScript {
    const script = withoutUpdateSources(healthyLinux());
    install(script, LINUX_PATHS.dnf);
    script.dirs[WANTS] = ['fstrim.timer', 'logrotate.timer'];
    return script;
  }

  function enableTimer(script: LinuxScript, timer: string): void {
    script.dirs[WANTS] = [...script.dirs[WANTS]!, timer];
    script.links[`${WANTS}/${timer}`] = `/usr/lib/systemd/system/${timer}`;
  }

  it('is disabled when dnf-automatic is not installed', async () => {
    const { value, errors } = await collect(collectOsUpdatesLinux, fedora());
    expect(value).toMatchObject({ status: 'disabled', automaticCheck: false, automaticInstall: false, source: 'dnf-automatic (not installed)', pending: null, rebootRequired: null });
    expect(codes(errors)).toEqual(['ERR_UNSUPPORTED']);
  });

  it('dnf5: the timer alone downloads but does not install (the packaged defaults)', async () => {
    const script = fedora();
    script.files[LINUX_PATHS.dnf5Defaults] = linuxFixture('dnf-automatic-conf', 'dnf5-packaged-defaults');
    enableTimer(script, 'dnf5-automatic.timer');
    const { value } = await collect(collectOsUpdatesLinux, script);
    expect(value).toMatchObject({ status: 'disabled', automaticCheck: true, automaticDownload: true, automaticInstall: false, source: 'dnf5 automatic' });
  });

  it('dnf5: apply_updates = yes in /etc/dnf/automatic.conf installs, security-only is still enabled', async () => {
    const script = fedora();
    script.files[LINUX_PATHS.dnf5Defaults] = linuxFixture('dnf-automatic-conf', 'dnf5-packaged-defaults');
    script.files[LINUX_PATHS.dnf4Conf] = linuxFixture('dnf-automatic-conf', 'admin-dnf5-security-only');
    enableTimer(script, 'dnf5-automatic.timer');
    const { value } = await collect(collectOsUpdatesLinux, script);
    expect(value).toMatchObject({ status: 'enabled', automaticInstall: true });
    expect(value.detail).toContain('upgrade_type = security');
  });

  it('dnf 4: dnf-automatic-install.timer installs whatever automatic.conf says; a dangling timer link does not count', async () => {
    const script = fedora();
    script.files[LINUX_PATHS.dnf4Conf] = linuxFixture('dnf-automatic-conf', 'dnf4-packaged-automatic-conf');
    install(script, LINUX_PATHS.dnfAutomatic);
    enableTimer(script, 'dnf-automatic-install.timer');
    expect((await collect(collectOsUpdatesLinux, script)).value).toMatchObject({ status: 'enabled', source: 'dnf-automatic' });

    Reflect.deleteProperty(script.links, `${WANTS}/dnf-automatic-install.timer`);
    const { value } = await collect(collectOsUpdatesLinux, script);
    expect(value).toMatchObject({ status: 'disabled', source: 'dnf-automatic' });
    expect(value.detail).toContain('no dnf-automatic timer is enabled');
  });

  it('dnf 4: dnf-automatic.timer with the packaged automatic.conf (apply_updates = no) is disabled', async () => {
    const script = fedora();
    script.files[LINUX_PATHS.dnf4Conf] = linuxFixture('dnf-automatic-conf', 'dnf4-packaged-automatic-conf');
    enableTimer(script, 'dnf-automatic.timer');
    expect((await collect(collectOsUpdatesLinux, script)).value).toMatchObject({ status: 'disabled', automaticDownload: true, automaticInstall: false });
  });

  it('is unknown when automatic.conf cannot be read and the timer depends on it', async () => {
    const script = fedora();
    script.files[LINUX_PATHS.dnf4Conf] = { error: 'EACCES' };
    enableTimer(script, 'dnf-automatic.timer');
    const { value, errors } = await collect(collectOsUpdatesLinux, script);
    expect(value).toMatchObject({ status: 'unknown', automaticCheck: true, automaticInstall: null });
    expect(codes(errors)).toContain('ERR_ACCESS_DENIED');
  });
});

describe('collectOsUpdatesLinux elsewhere', () => {
  it('is unknown with the reason on a distribution without APT or DNF', async () => {
    const { value, errors } = await collect(collectOsUpdatesLinux, withoutUpdateSources(healthyLinux()));
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_UNSUPPORTED']);
  });

});
