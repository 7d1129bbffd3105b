/**
 * The Windows version as the report carries it, from whichever source was read. Pure.
 * Windows 11 still calls itself 10.0 and its registry ProductName still says "Windows 10": it is
 * told apart by build number (shared fixtures README, W6; shirou/gopsutil #1143).
 */
export interface WindowsVersion {
  /** `Windows 11 Pro`, `Windows Server 2022 Datacenter`. */
  name: string | null;
  /** `10.0.22631`. */
  version: string | null;
  /** `10.0.22631.4317`: the version with the update revision (UBR); null when the revision is unknown. */
  build: string | null;
  /** `23H2`, or the older ReleaseId (`1809`) on builds that have no DisplayVersion. */
  displayVersion: string | null;
}

/** Windows 10 1507 (RTM), the first build of NT 10.0 (learn.microsoft.com/windows/release-health/release-information). */
export const FIRST_WINDOWS_10_BUILD = 10240;

/** Windows 11 21H2, the first Windows 11 build (learn.microsoft.com/windows/release-health/windows11-release-information). */
const FIRST_WINDOWS_11_BUILD = 22000;

/** The product name without the "Microsoft " some sources put first (WMI Caption, XP-era ProductName). */
export function withoutVendor(name: string): string {
  return name.trim().replace(/^Microsoft\s+/i, '');
}

/**
 * The marketed name from the registry's ProductName: a client (not Server) edition on build 22000
 * or later is Windows 11 whatever ProductName says. Servers keep their name (Server 2025 is build 26100).
 */
export function windowsProductName(productName: string | null, installationType: string | null, build: number | null): string | null {
  if (productName === null || productName.trim() === '') return null;
  const name = withoutVendor(productName);
  const server = /server/i.test(installationType ?? '') || /\bserver\b/i.test(name);
  if (!server && build !== null && build >= FIRST_WINDOWS_11_BUILD) return name.replace(/^Windows 10(?=\s|$)/, 'Windows 11');
  return name;
}

/** `major.minor.build`, and the same with `.revision` when the revision is known. */
export function windowsVersionNumbers(majorMinor: string, build: number, revision: number | null): Pick<WindowsVersion, 'version' | 'build'> {
  const version = `${majorMinor}.${build}`;
  return { version, build: revision === null ? null : `${version}.${revision}` };
}

/** DisplayVersion (20H2 and later), else ReleaseId (frozen at 2009 from 20H2 on, so only a fallback). */
export function windowsDisplayVersion(displayVersion: string | null, releaseId: string | null): string | null {
  for (const value of [displayVersion, releaseId]) if (value !== null && value.trim() !== '') return value.trim();
  return null;
}
