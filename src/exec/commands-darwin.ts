/** Programs the agent may run on macOS, by absolute path. Spawns nothing; collectors import it. */
export const DARWIN_COMMANDS = {
  swVers: '/usr/bin/sw_vers',
  fdesetup: '/usr/bin/fdesetup',
  diskutil: '/usr/sbin/diskutil',
  socketfilterfw: '/usr/libexec/ApplicationFirewall/socketfilterfw',
  defaults: '/usr/bin/defaults',
  spctl: '/usr/sbin/spctl',
  csrutil: '/usr/bin/csrutil',
  xprotect: '/usr/bin/xprotect',
} as const;

/** Where the same program may also be installed. */
export const DARWIN_ALTERNATIVES: Readonly<Record<string, readonly string[]>> = {};
