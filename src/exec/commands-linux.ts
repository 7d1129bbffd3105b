/**
 * Programs the agent may run on Linux, by absolute path. Spawns nothing; collectors import it.
 * Deliberately absent: dmsetup (`table` can print a LUKS master key), cryptsetup (root only) and
 * systemctl (`is-active ufw` is active even when ufw is off; /proc tells whether firewalld runs).
 */
export const LINUX_COMMANDS = {
  lsblk: '/usr/bin/lsblk',
  ufw: '/usr/sbin/ufw',
  nft: '/usr/sbin/nft',
  firewallCmd: '/usr/bin/firewall-cmd',
  clamscan: '/usr/bin/clamscan',
  clamdscan: '/usr/bin/clamdscan',
  /** Microsoft Defender for Endpoint's client (a link to /opt/microsoft/mdatp/sbin/wdavdaemonclient). */
  mdatp: '/usr/bin/mdatp',
  falconctl: '/opt/CrowdStrike/falconctl',
  sentinelctl: '/opt/sentinelone/bin/sentinelctl',
  /** NSS tools (Debian libnss3-tools): the device certificate in the user's NSS database. */
  certutil: '/usr/bin/certutil',
  pk12util: '/usr/bin/pk12util',
  /** Only `pkcs12 -export` (the device certificate for pk12util), password from a file. */
  openssl: '/usr/bin/openssl',
  /** tpm2-tools 4+: only as root, for a TPM 2.0's manufacturer (`properties-fixed`). */
  tpm2Getcap: '/usr/bin/tpm2_getcap',
  /** shim's mokutil: `--sb-state`, only when efivarfs cannot be read. */
  mokutil: '/usr/bin/mokutil',
  /** GLib's settings tool (libglib2.0-bin): GNOME's screen lock settings, in the user's session. */
  gsettings: '/usr/bin/gsettings',
} as const;

/** Where a distribution may have put the same program (before or without the /usr merge). */
export const LINUX_ALTERNATIVES: Readonly<Record<string, readonly string[]>> = {
  [LINUX_COMMANDS.lsblk]: ['/bin/lsblk'],
  [LINUX_COMMANDS.ufw]: ['/sbin/ufw'],
  [LINUX_COMMANDS.nft]: ['/sbin/nft', '/usr/bin/nft'],
  [LINUX_COMMANDS.firewallCmd]: ['/bin/firewall-cmd'],
  [LINUX_COMMANDS.clamscan]: ['/usr/local/bin/clamscan'],
  [LINUX_COMMANDS.clamdscan]: ['/usr/local/bin/clamdscan'],
  [LINUX_COMMANDS.mdatp]: ['/opt/microsoft/mdatp/sbin/wdavdaemonclient'],
  [LINUX_COMMANDS.tpm2Getcap]: ['/usr/local/bin/tpm2_getcap'],
  [LINUX_COMMANDS.mokutil]: ['/bin/mokutil'],
};
