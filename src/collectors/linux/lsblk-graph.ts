/**
 * The block device graph from lsblk (the fallback when sysfs cannot be read). lsblk's TYPE is
 * `crypt` for every device-mapper device whose UUID starts with `CRYPT-`, which includes dm-verity
 * and dm-integrity; what lies beneath tells them apart: a `crypto_LUKS` or `BitLocker` filesystem
 * signature below means encryption, `DM_integrity` / `DM_verity_hash` do not. Pure.
 */
import type { LsblkDevice } from '../disk-encryption/parse-lsblk.js';
import type { BlockDevice, BlockGraph, Layer } from './block-graph.js';

const SIGNATURE_LAYERS: Readonly<Record<string, Layer>> = {
  crypto_LUKS: { kind: 'encryption', method: 'LUKS' },
  BitLocker: { kind: 'encryption', method: 'BitLocker' },
  DM_integrity: { kind: 'stacking', label: 'dm-integrity' },
  DM_verity_hash: { kind: 'stacking', label: 'dm-verity' },
};

function key(device: LsblkDevice): string {
  return device.kname ?? device.name;
}

function cryptLayer(device: LsblkDevice, byKey: ReadonlyMap<string, LsblkDevice>): Layer {
  for (const parent of device.parents) {
    const layer = SIGNATURE_LAYERS[byKey.get(parent)?.fstype ?? ''];
    if (layer) return layer;
  }
  return { kind: 'unknown', reason: 'a dm-crypt mapping whose kind (plain dm-crypt, VeraCrypt, dm-verity, dm-integrity) lsblk cannot tell' };
}

function layerOf(device: LsblkDevice, byKey: ReadonlyMap<string, LsblkDevice>): Layer {
  const type = device.type ?? '';
  if (type === 'crypt') return cryptLayer(device, byKey);
  if (type === 'lvm') return { kind: 'stacking', label: 'LVM' };
  if (type === 'mpath') return { kind: 'stacking', label: 'multipath' };
  if (/^raid\d+$/.test(type)) return { kind: 'stacking', label: type.toUpperCase() };
  if (type === 'linear' || type === 'md') return { kind: 'stacking', label: `md ${type}` };
  if (type === 'part') return { kind: 'partition' };
  if (type === 'loop') return { kind: 'loop' };
  if (type === 'disk' || type === 'rom') return /(?:^|\/)(?:zram|ram)\d+$/.test(device.name) ? { kind: 'memory' } : { kind: 'disk' };
  return { kind: 'unknown', reason: `lsblk type "${type || 'none'}" is not one this agent knows` };
}

export function lsblkGraph(devices: readonly LsblkDevice[]): BlockGraph {
  const byKey = new Map(devices.map((device) => [key(device), device]));
  const graph: BlockGraph = { devices: {}, numbers: {}, paths: {} };
  for (const device of devices) {
    const name = key(device);
    const node: BlockDevice = { name, layer: layerOf(device, byKey), lower: [...device.parents] };
    graph.devices[name] = node;
    if (device.majMin !== null) graph.numbers[device.majMin] = name;
    graph.paths[device.name.startsWith('/dev/') ? device.name : `/dev/${name}`] = name;
    if (device.kname !== null && device.kname !== device.name) graph.paths[`/dev/mapper/${device.name}`] = name;
  }
  return graph;
}
