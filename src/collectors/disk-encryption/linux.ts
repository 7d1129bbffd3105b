/**
 * Disk encryption on Linux without root and without starting a process: the mounted filesystems
 * from /proc/self/mountinfo, their device stacks from sysfs (dm/uuid tells LUKS2, LUKS1, plain,
 * BitLocker and VeraCrypt mappings from LVM, RAID, dm-verity and dm-integrity), and a pure
 * judgement over both (src/collectors/linux/volume-encryption.ts). lsblk is run only when sysfs
 * cannot be read. Never dmsetup table (it can print the master key) and never cryptsetup (root).
 */
import { LINUX_COMMANDS } from '../../exec/commands-linux.js';
import type { CollectContext, Host } from '../host.js';
import { attempt } from '../host-errors.js';
import type { BlockGraph } from '../linux/block-graph.js';
import { readSysfsGraph } from '../linux/sysfs-block-reader.js';
import { assessEncryption, type EncryptionProblem } from '../linux/volume-encryption.js';
import { parseMountinfo } from './parse-mountinfo.js';
import { summarizeEncryption, UNKNOWN_DISK_ENCRYPTION, type DiskEncryption } from './schema.js';

const MOUNTINFO = '/proc/self/mountinfo';
/** Columns every lsblk with JSON output (util-linux >= 2.27) knows. */
const LSBLK_ARGS = ['-J', '-o', 'NAME,KNAME,MAJ:MIN,TYPE,FSTYPE'];

async function sysfsReadable(host: Host): Promise<boolean> {
  try {
    await host.readDir('/sys/class/block');
    return true;
  } catch {
    return false;
  }
}

async function lsblkFallback(host: Host, ctx: CollectContext): Promise<BlockGraph | undefined> {
  return attempt(ctx, 'lsblk', async () => {
    const result = await host.run(LINUX_COMMANDS.lsblk, LSBLK_ARGS);
    const text = result.exitCode === 0 ? result.stdout : `${result.stderr}\n${result.stdout}`;
    const [{ lsblkGraph }, { parseLsblk }] = await Promise.all([import('../linux/lsblk-graph.js'), import('./parse-lsblk.js')]);
    return lsblkGraph(parseLsblk(text));
  });
}

function report(ctx: CollectContext, problems: readonly EncryptionProblem[]): void {
  const seen = new Set<string>();
  for (const problem of problems) {
    if (seen.has(problem.message)) continue;
    seen.add(problem.message);
    ctx.error(problem.code, problem.message);
  }
}

export async function collectDiskEncryptionLinux(host: Host, ctx: CollectContext): Promise<DiskEncryption> {
  const mounts = await attempt(ctx, MOUNTINFO, async () => parseMountinfo(await host.readFile(MOUNTINFO)));
  if (!mounts) return UNKNOWN_DISK_ENCRYPTION;

  let graph: BlockGraph | undefined;
  if (await sysfsReadable(host)) {
    const read = await readSysfsGraph(host, mounts);
    report(ctx, read.problems);
    graph = read.graph;
  } else {
    graph = await lsblkFallback(host, ctx);
    if (!graph) ctx.error('ERR_SIGNAL_UNAVAILABLE', 'Neither /sys/class/block (is sysfs mounted?) nor lsblk could be read, so no block device can be judged.');
  }
  const assessment = assessEncryption(mounts, graph ?? { devices: {}, numbers: {}, paths: {} });
  report(ctx, assessment.problems);
  return summarizeEncryption(assessment.volumes);
}
