/**
 * Which files of /etc/apt/apt.conf.d apt reads, and in which order (apt-pkg's ReadConfigDir ->
 * GetListOfFilesInDir(dir, "conf", sort, allow no extension), Debian/apt fileutl.cc):
 * - not hidden (no leading `.`);
 * - no extension at all, or exactly `.conf` (the extension is what follows the LAST `.`, so
 *   `50unattended-upgrades.ucf-dist` and `20auto-upgrades.dpkg-old` are ignored);
 * - only letters, digits, `_`, `-`, `:` and `.` (run-parts style), not ending in `.`;
 * - sorted bytewise (std::sort on the paths), so `10periodic` < `20auto-upgrades` < `99local`, and
 *   a later file overrides an earlier one.
 * /etc/apt/apt.conf (Dir::Etc::main) is read after the parts (pkgInitConfig). Pure.
 */

export const APT_CONF_DIR = '/etc/apt/apt.conf.d';
export const APT_CONF_MAIN = '/etc/apt/apt.conf';

const VALID_NAME = /^[A-Za-z0-9_:.-]+$/;

/** The names apt reads, in apt's order. */
export function aptConfPartsInOrder(names: readonly string[]): string[] {
  const accepted = names.filter((name) => {
    if (name === '' || name.startsWith('.') || name.endsWith('.')) return false;
    if (!VALID_NAME.test(name)) return false;
    const dot = name.lastIndexOf('.');
    return dot < 0 || name.slice(dot + 1) === 'conf';
  });
  return accepted.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
