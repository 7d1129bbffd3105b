/**
 * The block device graph the encryption judgement walks: each device's layer (what it does to the
 * data) and the devices beneath it. Built from sysfs (sysfs-block(5) ABI: /sys/class/block/<name>/
 * {dev, dm/uuid, dm/name, md/level, partition, slaves/}) or, when sysfs cannot be read, from lsblk.
 * Pure: no I/O here.
 */

export type Layer =
  /** dm-crypt: the data below is ciphertext. */
  | { kind: 'encryption'; method: string }
  /** Passes data down unchanged (LVM, RAID, multipath, dm-verity, dm-integrity...). */
  | { kind: 'stacking'; label: string }
  /** A partition: the whole disk (or RAID/dm device) it is cut from lies below. */
  | { kind: 'partition' }
  /** A physical or virtual disk: the bottom of the stack. */
  | { kind: 'disk' }
  /** A loop device: its backing file lives on another filesystem. */
  | { kind: 'loop' }
  /** zram / ram disks: volatile memory. */
  | { kind: 'memory' }
  | { kind: 'unknown'; reason: string };

export interface BlockDevice {
  /** Kernel name: `dm-0`, `nvme0n1p3`, `md127`. */
  name: string;
  layer: Layer;
  /** Kernel names of the devices beneath (slaves, or a partition's disk). */
  lower: string[];
  /** device-mapper name (`/dev/mapper/<dmName>`), when a dm device. */
  dmName?: string;
}

export interface BlockGraph {
  devices: Record<string, BlockDevice>;
  /** `MAJ:MIN` to kernel name. */
  numbers: Record<string, string>;
  /** Device paths (`/dev/dm-0`, `/dev/mapper/luks-...`) to kernel name, for mounts whose number is anonymous (btrfs). */
  paths: Record<string, string>;
}

/** What sysfs says about one device. */
export interface SysfsFacts {
  name: string;
  dev: string | null;
  /** Present for device-mapper devices (the dm/ directory exists). */
  dm: { name: string | null; uuid: string | null } | null;
  /** Present for md RAID devices: md/level (`raid1`), null when empty. */
  md: { level: string | null } | null;
  /** The whole disk a partition belongs to. */
  partitionOf: string | null;
  slaves: string[];
}

/** cryptsetup's dm UUID types (lib/setup.c: `CRYPT-<type>-<uuid>-<name>`); only these encrypt. */
const CRYPT_ENCRYPTION: Readonly<Record<string, string>> = {
  LUKS2: 'LUKS2',
  LUKS1: 'LUKS1',
  PLAIN: 'plain dm-crypt',
  BITLK: 'BitLocker',
  TCRYPT: 'VeraCrypt/TrueCrypt',
  LOOPAES: 'loop-AES',
  FVAULT2: 'FileVault 2',
};

/** cryptsetup types that integrity-protect or verify but do not encrypt (CRYPT-SUBDEV is LUKS2's integrity device). */
const CRYPT_NOT_ENCRYPTION: Readonly<Record<string, string>> = {
  VERITY: 'dm-verity',
  INTEGRITY: 'dm-integrity',
  SUBDEV: 'dm-integrity',
};

/** dm UUID prefixes of tools that only stack (lvm2 build_dm_uuid, multipath-tools, kpartx, dmraid, stratisd). */
const STACKING_PREFIXES: readonly (readonly [RegExp, Layer])[] = [
  [/^LVM-/, { kind: 'stacking', label: 'LVM' }],
  [/^mpath-/, { kind: 'stacking', label: 'multipath' }],
  [/^part\d+-/, { kind: 'partition' }],
  [/^DMRAID-/, { kind: 'stacking', label: 'dmraid' }],
  [/^stratis-/, { kind: 'stacking', label: 'Stratis' }],
];

/** The layer a device-mapper device adds, from its dm/uuid. */
export function dmLayer(uuid: string | null): Layer {
  if (uuid === null || uuid === '') {
    return { kind: 'unknown', reason: 'device-mapper device without a UUID (set up by hand?); its target type can only be read as root' };
  }
  const crypt = /^CRYPT-([A-Z0-9]+)-/.exec(uuid);
  if (crypt) {
    const type = crypt[1]!;
    const method = CRYPT_ENCRYPTION[type];
    if (method !== undefined) return { kind: 'encryption', method };
    const label = CRYPT_NOT_ENCRYPTION[type];
    if (label !== undefined) return { kind: 'stacking', label };
    if (type === 'TEMP') return { kind: 'unknown', reason: 'temporary cryptsetup device: an operation such as re-encryption is in progress' };
    return { kind: 'unknown', reason: `cryptsetup device of an unrecognised type ${type}` };
  }
  for (const [prefix, layer] of STACKING_PREFIXES) if (prefix.test(uuid)) return layer;
  const prefix = /^[^-]*/.exec(uuid)?.[0] ?? uuid;
  return { kind: 'unknown', reason: `device-mapper layer of an unrecognised kind (UUID prefix "${prefix}")` };
}

function mdLabel(level: string | null): string {
  if (level === null) return 'md RAID';
  return /^raid\d+$/.test(level) ? level.toUpperCase() : `md ${level}`;
}

/** A device without dm/ or md/ and without slaves is a disk, a loop device or a memory disk. */
function leafLayer(name: string): Layer {
  if (/^loop\d+$/.test(name)) return { kind: 'loop' };
  if (/^(?:zram|ram)\d+$/.test(name)) return { kind: 'memory' };
  return { kind: 'disk' };
}

export function sysfsDevice(facts: SysfsFacts): BlockDevice {
  const lower = facts.partitionOf !== null ? [facts.partitionOf, ...facts.slaves] : [...facts.slaves];
  let layer: Layer;
  if (facts.dm) layer = dmLayer(facts.dm.uuid);
  else if (facts.md || /^md\d+$/.test(facts.name)) layer = { kind: 'stacking', label: mdLabel(facts.md?.level ?? null) };
  else if (facts.partitionOf !== null) layer = { kind: 'partition' };
  else if (facts.slaves.length > 0) layer = { kind: 'stacking', label: facts.name.replace(/\d+$/, '') };
  else layer = leafLayer(facts.name);
  return { name: facts.name, layer, lower, ...(facts.dm?.name ? { dmName: facts.dm.name } : {}) };
}

/** A graph from sysfs facts; device numbers and /dev paths come from the facts themselves. */
export function sysfsGraph(all: readonly SysfsFacts[]): BlockGraph {
  const graph: BlockGraph = { devices: {}, numbers: {}, paths: {} };
  for (const facts of all) {
    const device = sysfsDevice(facts);
    graph.devices[facts.name] = device;
    graph.paths[`/dev/${facts.name}`] = facts.name;
    if (facts.dev !== null) graph.numbers[facts.dev] = facts.name;
    if (device.dmName !== undefined) graph.paths[`/dev/mapper/${device.dmName}`] = facts.name;
  }
  return graph;
}

/** LVM's `/dev/<vg>/<lv>` names the dm device `<vg>-<lv>` with hyphens doubled (lvm2 dm_build_dm_name). */
export function lvmMapperPath(path: string): string | null {
  const match = /^\/dev\/([^/]+)\/([^/]+)$/.exec(path);
  if (!match || match[1] === 'mapper' || match[1] === 'disk') return null;
  const escape = (part: string): string => part.replace(/-/g, '--');
  return `/dev/mapper/${escape(match[1]!)}-${escape(match[2]!)}`;
}
