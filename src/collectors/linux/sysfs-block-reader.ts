/**
 * Reads the part of the block device graph beneath the mounted filesystems from sysfs, through the
 * host, without root: /sys/dev/block/MAJ:MIN (or the mount source's /dev path for btrfs) names the
 * device, then /sys/class/block/<name>/{dm/uuid, dm/name, md/level, slaves/, partition} are read
 * device by device down to the physical disks. Bounded: at most MAX_DEVICES devices per check.
 */
import type { Host } from '../host.js';
import { readOptionalDir, readOptionalFile, toAgentError } from '../host-errors.js';
import type { MountEntry } from '../disk-encryption/parse-mountinfo.js';
import { sysfsDevice, type BlockGraph, type SysfsFacts } from './block-graph.js';
import { selectDataMounts } from './data-mounts.js';
import type { EncryptionProblem } from './volume-encryption.js';

/** More than any real stack beneath a handful of mounts; stops a runaway walk. */
const MAX_DEVICES = 128;

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

async function readValue(host: Host, path: string): Promise<string | null> {
  const text = (await readOptionalFile(host, path))?.trim();
  return text ? text : null;
}

/** The whole disk of a partition: the parent directory of its device directory (/sys/devices/.../nvme0n1/nvme0n1p3). */
async function partitionParent(host: Host, base: string): Promise<string> {
  const device = await host.realPath(base);
  return basename(device.slice(0, device.lastIndexOf('/')));
}

export async function readSysfsFacts(host: Host, name: string): Promise<SysfsFacts> {
  const base = `/sys/class/block/${name}`;
  const entries = new Set(await host.readDir(base));
  const [dmName, dmUuid, mdLevel, slaves, partitionOf] = await Promise.all([
    entries.has('dm') ? readValue(host, `${base}/dm/name`) : null,
    entries.has('dm') ? readValue(host, `${base}/dm/uuid`) : null,
    entries.has('md') ? readValue(host, `${base}/md/level`) : null,
    entries.has('slaves') ? readOptionalDir(host, `${base}/slaves`) : null,
    entries.has('partition') ? partitionParent(host, base) : null,
  ]);
  return {
    name,
    dev: null,
    dm: entries.has('dm') ? { name: dmName, uuid: dmUuid } : null,
    md: entries.has('md') ? { level: mdLevel } : null,
    partitionOf,
    slaves: slaves ?? [],
  };
}

/** The kernel name behind a mount: by device number, or by the source's /dev path for btrfs. */
async function resolveMount(host: Host, mount: MountEntry, graph: BlockGraph): Promise<string> {
  if (mount.major !== 0) {
    const number = `${mount.major}:${mount.minor}`;
    const name = basename(await host.realPath(`/sys/dev/block/${number}`));
    graph.numbers[number] = name;
    return name;
  }
  const device = await host.realPath(mount.source);
  if (!device.startsWith('/dev/')) throw new Error(`${mount.source} resolves to ${device}, which is not a device`);
  const name = basename(device);
  graph.paths[mount.source] = name;
  return name;
}

export async function readSysfsGraph(host: Host, mounts: readonly MountEntry[]): Promise<{ graph: BlockGraph; problems: EncryptionProblem[] }> {
  const graph: BlockGraph = { devices: {}, numbers: {}, paths: {} };
  const problems: EncryptionProblem[] = [];
  const report = (error: unknown, what: string): void => {
    const agentError = toAgentError(error, what);
    problems.push({ code: agentError.code, message: agentError.message });
  };
  const roots = await Promise.all(
    selectDataMounts(mounts)
      .filter((data) => data.kind === 'block')
      .map((data) => resolveMount(host, data.mount, graph).catch((error: unknown) => report(error, `the block device of ${data.mount.mountPoint}`))),
  );
  const seen = new Set<string>();
  let level = [...new Set(roots.filter((name): name is string => typeof name === 'string'))];
  while (level.length > 0 && seen.size < MAX_DEVICES) {
    const batch = level.filter((name) => !seen.has(name)).slice(0, MAX_DEVICES - seen.size);
    for (const name of batch) seen.add(name);
    const read = await Promise.all(batch.map((name) => readSysfsFacts(host, name).catch((error: unknown) => report(error, `/sys/class/block/${name}`))));
    const next: string[] = [];
    for (const facts of read) {
      if (!facts) continue;
      const device = sysfsDevice(facts);
      graph.devices[facts.name] = device;
      next.push(...device.lower);
    }
    level = next;
  }
  return { graph, problems };
}
