/**
 * The encryption judgement, a pure function of the mounts and the block device graph. A volume is
 * encrypted only when EVERY path from its filesystem down to the physical devices passes through
 * an encryption layer: LVM spanning a LUKS PV and a plain PV is not encrypted; RAID1 of two LUKS
 * devices is. Anything the graph cannot tell (a dm device without a UUID, a loop device, a device
 * missing from sysfs) makes the volume unknown, never encrypted.
 */
import type { ErrorCode } from '../../shared/errors.js';
import type { EncryptedVolume } from '../disk-encryption/schema.js';
import type { MountEntry } from '../disk-encryption/parse-mountinfo.js';
import { lvmMapperPath, type BlockGraph } from './block-graph.js';
import { selectDataMounts } from './data-mounts.js';

export interface EncryptionProblem {
  code: ErrorCode;
  message: string;
}

export interface EncryptionAssessment {
  volumes: EncryptedVolume[];
  problems: EncryptionProblem[];
}

/** One way down from a filesystem to a device at the bottom of the stack. */
interface StackPath {
  /** Layer labels from the top down (`LVM`, `LUKS2`, `RAID1`). */
  labels: string[];
  leaf: string;
  /** The top-most encryption method on the path. */
  encryption: string | null;
  /** Why the path cannot be judged, when it has no encryption layer. */
  unknown: string | null;
}

/** Real stacks are a handful of layers deep; anything deeper is a loop or a corrupt snapshot. */
const MAX_DEPTH = 16;

function leafPath(leaf: string, unknown: string | null = null): StackPath {
  return { labels: [], leaf, encryption: null, unknown };
}

function below(graph: BlockGraph, lower: readonly string[], self: string, depth: number, visiting: ReadonlySet<string>): StackPath[] {
  if (lower.length === 0) return [leafPath(self, `${self} lists no devices beneath it`)];
  return lower.flatMap((name) => walk(graph, name, depth + 1, visiting));
}

function walk(graph: BlockGraph, name: string, depth: number, visiting: ReadonlySet<string>): StackPath[] {
  const device = graph.devices[name];
  if (!device) return [leafPath(name, `${name} could not be read from sysfs`)];
  if (visiting.has(name) || depth > MAX_DEPTH) return [leafPath(name, `the device stack under ${name} loops or is deeper than ${MAX_DEPTH} layers`)];
  const inside = new Set(visiting).add(name);
  const { layer, lower } = device;
  switch (layer.kind) {
    case 'disk':
      return [leafPath(name)];
    case 'loop':
      return [leafPath(name, `${name} is a loop device: its backing file's filesystem decides`)];
    case 'memory':
      return [leafPath(name, `${name} is a memory-backed disk`)];
    case 'partition':
      // A partition of a plain disk is the bottom of the stack and names it (nvme0n1p3, not nvme0n1).
      if (lower.every((parent) => graph.devices[parent]?.layer.kind === 'disk')) return [leafPath(name)];
      return below(graph, lower, name, depth, inside);
    case 'encryption':
      return (lower.length === 0 ? [leafPath(name)] : below(graph, lower, name, depth, inside)).map((path) => ({
        ...path,
        labels: [layer.method, ...path.labels],
        encryption: layer.method,
      }));
    case 'stacking':
      return below(graph, lower, name, depth, inside).map((path) => ({ ...path, labels: [layer.label, ...path.labels] }));
    case 'unknown':
      return (lower.length === 0 ? [leafPath(name, layer.reason)] : below(graph, lower, name, depth, inside)).map((path) => ({
        ...path,
        labels: [device.dmName ?? name, ...path.labels],
        unknown: path.unknown ?? `${device.dmName ?? name}: ${layer.reason}`,
      }));
  }
}

type Verdict = 'encrypted' | 'plain' | 'unknown';

function verdict(path: StackPath): Verdict {
  if (path.encryption !== null) return 'encrypted';
  return path.unknown === null ? 'plain' : 'unknown';
}

/** `LVM on LUKS2 (nvme0n1p3)`; paths that differ only in their bottom device are listed once. */
function describe(paths: readonly StackPath[]): string {
  const groups = new Map<string, Set<string>>();
  for (const path of paths) {
    const chain = path.labels.join(' on ');
    const phrase = {
      encrypted: chain,
      plain: chain === '' ? 'not encrypted' : `${chain}, not encrypted`,
      unknown: chain === '' ? 'encryption unknown' : `${chain}, encryption unknown`,
    }[verdict(path)];
    groups.set(phrase, (groups.get(phrase) ?? new Set<string>()).add(path.leaf));
  }
  return [...groups].map(([phrase, leaves]) => `${phrase} (${[...leaves].join(', ')})`).join('; ');
}

function judge(mount: string, system: boolean, paths: readonly StackPath[]): { volume: EncryptedVolume; problem: EncryptionProblem | null } {
  const verdicts = paths.map(verdict);
  const encrypted = verdicts.every((v) => v === 'encrypted') ? true : verdicts.includes('plain') ? false : null;
  const methods = [...new Set(paths.map((path) => path.encryption).filter((method): method is string => method !== null))];
  const reasons = [...new Set(paths.filter((path) => verdict(path) === 'unknown').map((path) => path.unknown!))];
  return {
    volume: { mount, system, encrypted, method: methods.length > 0 ? methods.join(' + ') : null, state: describe(paths) },
    problem: encrypted === null ? { code: 'ERR_SIGNAL_UNAVAILABLE', message: `Could not tell whether ${mount} is encrypted: ${reasons.join('; ')}.` } : null,
  };
}

function unknownVolume(mount: string, system: boolean, code: ErrorCode, reason: string): { volume: EncryptedVolume; problem: EncryptionProblem } {
  return {
    volume: { mount, system, encrypted: null, method: null, state: reason },
    problem: { code, message: `Could not tell whether ${mount} is encrypted: ${reason}.` },
  };
}

/** The kernel name of a mount's device: by number, or by source path when the number is anonymous (btrfs). */
export function mountDevice(mount: MountEntry, graph: BlockGraph): string | null {
  if (mount.major !== 0) return graph.numbers[`${mount.major}:${mount.minor}`] ?? null;
  const lvm = lvmMapperPath(mount.source);
  return graph.paths[mount.source] ?? (lvm === null ? null : graph.paths[lvm]) ?? null;
}

export function assessEncryption(mounts: readonly MountEntry[], graph: BlockGraph): EncryptionAssessment {
  const volumes: EncryptedVolume[] = [];
  const problems: EncryptionProblem[] = [];
  const add = (result: { volume: EncryptedVolume; problem: EncryptionProblem | null }): void => {
    volumes.push(result.volume);
    if (result.problem) problems.push(result.problem);
  };
  for (const data of selectDataMounts(mounts)) {
    const { mount, system } = data;
    if (data.kind === 'unreadable') {
      add(unknownVolume(mount.mountPoint, system, data.code, data.reason));
      continue;
    }
    const name = mountDevice(mount, graph);
    if (name === null) {
      const device = mount.major === 0 ? mount.source : `${mount.major}:${mount.minor} (${mount.source})`;
      add(unknownVolume(mount.mountPoint, system, 'ERR_SIGNAL_UNAVAILABLE', `its block device ${device} was not found in sysfs`));
      continue;
    }
    const kind = graph.devices[name]?.layer.kind;
    // Loop images and RAM disks hold no persistent user data, except when they are the system itself.
    if (!system && (kind === 'loop' || kind === 'memory')) continue;
    add(judge(mount.mountPoint, system, walk(graph, name, 0, new Set())));
  }
  if (!volumes.some((volume) => volume.system)) {
    problems.push({ code: 'ERR_SIGNAL_UNAVAILABLE', message: 'The mount table has no "/" entry, so the system volume is unknown.' });
  }
  return { volumes, problems };
}
