/** Programs the agent may run on macOS, by absolute path. Spawns nothing; collectors import it. */
export const DARWIN_COMMANDS = {
  plutil: '/usr/bin/plutil',
  swVers: '/usr/bin/sw_vers',
  fdesetup: '/usr/bin/fdesetup',
  diskutil: '/usr/sbin/diskutil',
  socketfilterfw: '/usr/libexec/ApplicationFirewall/socketfilterfw',
  defaults: '/usr/bin/defaults',
  spctl: '/usr/sbin/spctl',
  /** macOS 15 and later only. */
  xprotect: '/usr/bin/xprotect',
  /** Microsoft Defender for Endpoint's command line tool (a link into /Applications/Microsoft Defender.app). */
  mdatp: '/usr/local/bin/mdatp',
  /** CrowdStrike Falcon sensor 6 and later. */
  falconctl: '/Applications/Falcon.app/Contents/Resources/falconctl',
  /** SentinelOne agent (glpi-project/glpi-agent MacOS/AntiVirus/SentinelOne.pm). */
  sentinelctl: '/Library/Sentinel/sentinel-agent.bundle/Contents/MacOS/sentinelctl',
  /** The device certificate in the login keychain (import, identity preference, delete). */
  security: '/usr/bin/security',
  /** LibreSSL's: only `pkcs12 -export`, for `security import`. */
  openssl: '/usr/bin/openssl',
  /** `hw.model hw.optional.arm64`: Apple silicon or a T1/T2 Mac (the Secure Enclave). */
  sysctl: '/usr/sbin/sysctl',
  /** `SPiBridgeDataType`: the T2/Apple silicon controller and its boot policy. */
  systemProfiler: '/usr/sbin/system_profiler',
  /** One variable: a T2 Mac's AppleSecureBootPolicy. */
  nvram: '/usr/sbin/nvram',
  /** `-screenLock status`, in the user's session. */
  sysadminctl: '/usr/sbin/sysadminctl',
  /** `-g custom`: display sleep per power source. */
  pmset: '/usr/bin/pmset',
  /** `--list`: only when a caller opts in (a scan contacts Apple). */
  softwareupdate: '/usr/sbin/softwareupdate',
} as const;

/** Where the same program may also be installed. */
export const DARWIN_ALTERNATIVES: Readonly<Record<string, readonly string[]>> = {
  /** Falcon sensors before version 6 kept falconctl here. */
  [DARWIN_COMMANDS.falconctl]: ['/Library/CS/falconctl'],
  /** The SentinelOne installer's link to the same program. */
  [DARWIN_COMMANDS.sentinelctl]: ['/usr/local/bin/sentinelctl'],
};
