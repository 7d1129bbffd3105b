/**
 * The OS and device inventory on Linux, from files only (no process): os-release (falling back to
 * /usr/lib/os-release, os-release(5)), /etc/debian_version for Debian's point release, the kernel
 * and host name from the host's inventory or /proc/sys/kernel, and DMI from /sys/class/dmi/id
 * (model and vendor are world-readable; product_serial is root-only and stays null otherwise).
 */
import type { CollectContext, Host, Inventory } from '../host.js';
import { attempt, readOptionalFile } from '../host-errors.js';
import { readQuietly } from '../linux/files.js';
import { parseDebianVersion } from './parse-debian-version.js';
import { parseOsRelease, type OsRelease } from './parse-os-release.js';
import { unknownOs, type OsSignal } from './schema.js';

const OS_RELEASE_PATHS = ['/etc/os-release', '/usr/lib/os-release'];
const DMI = '/sys/class/dmi/id';
/** Device-tree model on ARM boards and laptops without DMI (NUL-terminated). */
const DEVICE_TREE_MODEL = '/sys/firmware/devicetree/base/model';

/** Vendor placeholders that firmware leaves in DMI fields (dmidecode's own list of "not set" strings). */
const DMI_PLACEHOLDERS = new Set([
  'to be filled by o.e.m.', 'default string', 'system product name', 'system manufacturer', 'system serial number',
  'not specified', 'not applicable', 'none', 'n/a', '0', '0123456789', '123456789', 'invalid', 'oem', 'o.e.m.',
]);

/** Kernel machine names (uname -m) to Node's process.arch names, used only without host inventory. */
const NODE_ARCH: Readonly<Record<string, string>> = {
  x86_64: 'x64', aarch64: 'arm64', i386: 'ia32', i686: 'ia32', armv7l: 'arm', armv6l: 'arm',
  ppc64le: 'ppc64', s390x: 's390x', riscv64: 'riscv64', loongarch64: 'loong64', mips64: 'mips64el',
};

function cleanDmi(value: string | null): string | null {
  return value === null || DMI_PLACEHOLDERS.has(value.toLowerCase()) ? null : value;
}

async function readOsRelease(host: Host, ctx: CollectContext): Promise<OsRelease | null> {
  const failures: string[] = [];
  for (const path of OS_RELEASE_PATHS) {
    const release = await attempt(ctx, path, async () => {
      const text = await readOptionalFile(host, path);
      return text === null ? null : parseOsRelease(text);
    });
    if (release) return release;
    failures.push(path);
  }
  ctx.error('ERR_NOT_FOUND', `Neither ${failures.join(' nor ')} could be read, so the distribution and its version are unknown.`);
  return null;
}

/** Debian states its point release only in /etc/debian_version before Debian 13. */
async function withDebianPointRelease(host: Host, ctx: CollectContext, release: OsRelease): Promise<OsRelease> {
  if (release.pointRelease || release.rolling || (release.id !== 'debian' && release.id !== 'raspbian')) return release;
  const debian = await attempt(ctx, '/etc/debian_version', async () => {
    const text = await readOptionalFile(host, '/etc/debian_version');
    return text === null ? null : parseDebianVersion(text);
  });
  const point = debian?.release ?? null;
  if (point === null || (release.versionId !== null && point !== release.versionId && !point.startsWith(`${release.versionId}.`))) {
    return release;
  }
  return { ...release, version: point, pointRelease: true };
}

async function hostInventory(host: Host, ctx: CollectContext): Promise<Partial<Inventory>> {
  if (!host.systemInfo) return {};
  return (await attempt(ctx, 'the host inventory', () => host.systemInfo!())) ?? {};
}

/** The host inventory's value, else the file's trimmed text (an error in the report when unreadable). */
async function fallbackFile(host: Host, ctx: CollectContext, known: string | null | undefined, path: string): Promise<string | null> {
  if (known) return known;
  const text = await attempt(ctx, path, async () => (await host.readFile(path)).trim());
  return text ? text : null;
}

async function dmiOrDeviceTree(host: Host, ctx: CollectContext): Promise<{ model: string | null; manufacturer: string | null; serial: string | null }> {
  const read = async (path: string): Promise<string | null> => (await attempt(ctx, path, () => readQuietly(host, path))) ?? null;
  const [model, manufacturer, serial] = await Promise.all([
    read(`${DMI}/product_name`),
    read(`${DMI}/sys_vendor`),
    read(`${DMI}/product_serial`),
  ]);
  const treeModel = model === null ? await read(DEVICE_TREE_MODEL) : null;
  return { model: cleanDmi(model) ?? treeModel, manufacturer: cleanDmi(manufacturer), serial: cleanDmi(serial) };
}

export async function collectOsLinux(host: Host, ctx: CollectContext): Promise<OsSignal> {
  const [release, inventory] = await Promise.all([
    readOsRelease(host, ctx).then((found) => (found ? withDebianPointRelease(host, ctx, found) : null)),
    hostInventory(host, ctx),
  ]);
  const [kernel, hostname, machine, hardware] = await Promise.all([
    fallbackFile(host, ctx, inventory.kernel, '/proc/sys/kernel/osrelease'),
    fallbackFile(host, ctx, inventory.hostname, '/proc/sys/kernel/hostname'),
    inventory.arch ? Promise.resolve(null) : fallbackFile(host, ctx, null, '/proc/sys/kernel/arch'),
    dmiOrDeviceTree(host, ctx),
  ]);
  const os = unknownOs('linux');
  return {
    os: {
      ...os,
      id: release?.id ?? null,
      idLike: release?.idLike ?? [],
      name: release?.name ?? null,
      version: release?.version ?? null,
      build: release?.build ?? null,
      displayVersion: release?.codename ?? null,
      supportEnd: release?.supportEnd ?? null,
      kernel,
      arch: inventory.arch ?? (machine === null ? null : (NODE_ARCH[machine] ?? machine)),
    },
    device: {
      hostname,
      serial: inventory.serial ?? hardware.serial,
      model: inventory.model ?? hardware.model,
      manufacturer: inventory.manufacturer ?? hardware.manufacturer,
    },
  };
}
