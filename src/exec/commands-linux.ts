/** Programs the agent may run on Linux, by absolute path. Spawns nothing; collectors import it. */
export const LINUX_COMMANDS = {
  lsblk: '/usr/bin/lsblk',
  systemctl: '/usr/bin/systemctl',
  ufw: '/usr/sbin/ufw',
  nft: '/usr/sbin/nft',
  firewallCmd: '/usr/bin/firewall-cmd',
  clamscan: '/usr/bin/clamscan',
} as const;

/** Where a distribution may have put the same program (before or without the /usr merge). */
export const LINUX_ALTERNATIVES: Readonly<Record<string, readonly string[]>> = {
  [LINUX_COMMANDS.lsblk]: ['/bin/lsblk'],
  [LINUX_COMMANDS.systemctl]: ['/bin/systemctl'],
  [LINUX_COMMANDS.ufw]: ['/sbin/ufw'],
  [LINUX_COMMANDS.nft]: ['/sbin/nft', '/usr/bin/nft'],
  [LINUX_COMMANDS.firewallCmd]: ['/bin/firewall-cmd'],
};
