/**
 * Which mounts hold the device's data: every block-device filesystem except boot partitions and
 * removable media, plus "/" whatever it is (the system volume decides known versus unknown).
 * Pseudo filesystems have anonymous device numbers (major 0); btrfs and bcachefs do too, so their
 * device is found from the mount source instead. Pure.
 */
import type { ErrorCode } from '../../shared/errors.js';
import type { MountEntry } from '../disk-encryption/parse-mountinfo.js';

export type DataMount =
  | { kind: 'block'; mount: MountEntry; system: boolean }
  | { kind: 'unreadable'; mount: MountEntry; system: boolean; code: ErrorCode; reason: string };

/** Block filesystems whose st_dev is anonymous (major 0): the source names the device. */
const ANONYMOUS_DEVICE_FILESYSTEMS = new Set(['btrfs', 'bcachefs']);
/** Read-only images (snaps, ISO, Flatpak/composefs): no user data to protect. */
const IMAGE_FILESYSTEMS = new Set(['squashfs', 'iso9660', 'udf', 'erofs', 'cramfs']);
const MEMORY_FILESYSTEMS = new Set(['tmpfs', 'ramfs', 'rootfs', 'overlay', 'aufs', 'unionfs']);
const NETWORK_FILESYSTEMS = /^(?:nfs4?|cifs|smb3|9p|virtiofs|ceph|glusterfs|fuse\..*|lustre|afs)$/;
/** Boot partitions (unencrypted by design, the firmware must read them) and udisks2 automount points. */
const EXCLUDED_MOUNT_POINTS = /^\/(?:boot|efi)(?:\/|$)|^\/(?:run\/)?media\//;

/** Why "/" cannot be judged from block devices, or null when it is on one. */
function unreadableRoot(mount: MountEntry): { code: ErrorCode; reason: string } | null {
  if (MEMORY_FILESYSTEMS.has(mount.fsType)) {
    return { code: 'ERR_UNSUPPORTED', reason: `the root filesystem is ${mount.fsType} (a container or a live system): its encryption depends on storage this system cannot see` };
  }
  if (NETWORK_FILESYSTEMS.test(mount.fsType)) {
    return { code: 'ERR_UNSUPPORTED', reason: `the root filesystem is ${mount.fsType}, stored on another machine` };
  }
  if (mount.fsType === 'zfs') return zfsReason(mount);
  if (mount.major === 0 && !ANONYMOUS_DEVICE_FILESYSTEMS.has(mount.fsType)) {
    return { code: 'ERR_UNSUPPORTED', reason: `the root filesystem is ${mount.fsType}, which is not on a block device` };
  }
  return null;
}

function zfsReason(mount: MountEntry): { code: ErrorCode; reason: string } {
  return {
    code: 'ERR_UNSUPPORTED',
    reason: `${mount.source} is a ZFS dataset: native ZFS encryption is not visible in /proc or /sys (\`zfs get encryption\` tells)`,
  };
}

/** The mounts that are visible: a later mount on the same point hides the earlier one. */
function visibleMounts(mounts: readonly MountEntry[]): MountEntry[] {
  const byPoint = new Map<string, MountEntry>();
  for (const mount of mounts) {
    byPoint.delete(mount.mountPoint);
    byPoint.set(mount.mountPoint, mount);
  }
  return [...byPoint.values()];
}

export function selectDataMounts(mounts: readonly MountEntry[]): DataMount[] {
  const selected: DataMount[] = [];
  const zfsPools = new Set<string>();
  const seen = new Set<string>();
  for (const mount of visibleMounts(mounts)) {
    const system = mount.mountPoint === '/';
    if (!system && (EXCLUDED_MOUNT_POINTS.test(mount.mountPoint) || IMAGE_FILESYSTEMS.has(mount.fsType))) continue;
    const pool = mount.source.split('/')[0] ?? mount.source;
    if (system) {
      if (mount.fsType === 'zfs') zfsPools.add(pool);
      const unreadable = unreadableRoot(mount);
      selected.push(unreadable ? { kind: 'unreadable', mount, system, ...unreadable } : { kind: 'block', mount, system });
      continue;
    }
    if (mount.fsType === 'zfs') {
      if (!zfsPools.has(pool)) selected.push({ kind: 'unreadable', mount, system, ...zfsReason(mount) });
      zfsPools.add(pool);
      continue;
    }
    if (mount.major === 0 && !ANONYMOUS_DEVICE_FILESYSTEMS.has(mount.fsType)) continue;
    // A bind mount of a directory or file (container /etc/hosts...) shows a filesystem mounted elsewhere;
    // only btrfs/bcachefs mount their subvolumes with a root other than "/".
    if (mount.root !== '/' && !ANONYMOUS_DEVICE_FILESYSTEMS.has(mount.fsType)) continue;
    // The same filesystem directory mounted twice is one volume.
    const identity = `${mount.major}:${mount.minor}:${mount.source}:${mount.root}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    selected.push({ kind: 'block', mount, system });
  }
  return selected.sort((a, b) => Number(b.system) - Number(a.system));
}
