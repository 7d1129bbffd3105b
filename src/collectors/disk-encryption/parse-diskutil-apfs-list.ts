/**
 * `diskutil apfs list`: a tree of containers (`+-- Container disk3 <uuid>`), physical stores
 * (`+-< Physical Store ...`) and volumes (`+-> Volume disk3s5 <uuid>`), each followed by
 * `Label:   value` lines behind `|` tree prefixes (shared fixtures M2; AsahiLinux/docs SW:Storage).
 * Per volume: `APFS Volume Disk (Role):   disk3s5 (Data)`, `Name:`, `Mount Point:` (`Not Mounted`),
 * `Snapshot Mount Point:` (the sealed system snapshot behind `/`, Big Sur+), and
 * `FileVault:   Yes (Unlocked) | Yes (Locked) | No | No (Encrypted at rest)`. While a conversion
 * runs, an `Encryption Progress:` (or `Decryption Progress:`) line such as `45.2%`, possibly
 * `(Paused)`, takes the place of the FileVault line. The sealed System volume shows
 * `Encrypted: No` even on FileVault Macs: the Data volume is the one to judge.
 */
import { AgentError } from '../../shared/errors.js';
import { lines, splitKeyValue } from '../parse-text.js';
import type { FileVaultConversion } from './parse-fdesetup-status.js';

export interface ApfsConversion extends FileVaultConversion {
  paused: boolean;
}

export interface ApfsVolume {
  container: string;
  device: string;
  /** `Data`, `System`, `Preboot`, `Recovery`, `VM`, `No specific role`, ... */
  role: string | null;
  /** Without the `(Case-insensitive)` suffix; a user-chosen, possibly localised name. */
  name: string | null;
  /** Null when `Not Mounted`. */
  mountPoint: string | null;
  snapshotMountPoint: string | null;
  fileVault: 'yes' | 'no' | null;
  /** The parenthesis after Yes/No: `Unlocked`, `Locked`, `Encrypted at rest`. */
  fileVaultDetail: string | null;
  conversion: ApfsConversion | null;
}

export interface ApfsList {
  volumes: ApfsVolume[];
}

const TREE_PREFIX = /^[\s|]*/;
const CONTAINER = /^\+-- Container (\S+)/;
const VOLUME = /^\+-> Volume (\S+)/;
const PHYSICAL_STORE = /^\+-< /;
const ROLE = /^(\S+) \((.+)\)$/;
const FILEVAULT = /^(Yes|No)(?: \((.+)\))?$/;
const PROGRESS = /^(\d+(?:\.\d+)?)%(.*)$/;
const CASE_SUFFIX = / \(Case-(?:in)?sensitive\)$/;

function conversion(direction: FileVaultConversion['direction'], value: string): ApfsConversion {
  const match = PROGRESS.exec(value);
  if (!match) throw new AgentError('ERR_PARSE', `diskutil apfs list printed a progress of "${value}".`);
  return { direction, percent: Number(match[1]), paused: /paused/i.test(match[2]!) };
}

function applyField(volume: ApfsVolume, key: string, value: string): void {
  switch (key) {
    case 'APFS Volume Disk (Role)': {
      const role = ROLE.exec(value);
      volume.role = role ? role[2]! : null;
      return;
    }
    case 'Name':
      volume.name = value.replace(CASE_SUFFIX, '') || null;
      return;
    case 'Mount Point':
      volume.mountPoint = value === 'Not Mounted' || value === '' ? null : value;
      return;
    case 'Snapshot Mount Point':
      volume.snapshotMountPoint = value === 'Not Mounted' || value === '' ? null : value;
      return;
    case 'FileVault': {
      const fileVault = FILEVAULT.exec(value);
      if (!fileVault) throw new AgentError('ERR_PARSE', `diskutil apfs list printed "FileVault: ${value}" for ${volume.device}.`);
      volume.fileVault = fileVault[1] === 'Yes' ? 'yes' : 'no';
      volume.fileVaultDetail = fileVault[2] ?? null;
      return;
    }
    case 'Encryption Progress':
      volume.conversion = conversion('encrypting', value);
      return;
    case 'Decryption Progress':
      volume.conversion = conversion('decrypting', value);
      return;
    default:
    // sizes, Sealed, Encrypted (the System volume's), snapshot names: not needed here
  }
}

export function parseDiskutilApfsList(text: string): ApfsList {
  if (text.trim() === '') throw new AgentError('ERR_EMPTY_OUTPUT', 'diskutil apfs list printed nothing.');
  const volumes: ApfsVolume[] = [];
  let container: string | null = null;
  let current: ApfsVolume | null = null;
  for (const raw of lines(text)) {
    const line = raw.replace(TREE_PREFIX, '').trimEnd();
    const containerHeader = CONTAINER.exec(line);
    if (containerHeader) {
      container = containerHeader[1]!;
      current = null;
      continue;
    }
    const volumeHeader = VOLUME.exec(line);
    if (volumeHeader) {
      if (container === null) throw new AgentError('ERR_PARSE', `diskutil apfs list printed volume ${volumeHeader[1]} outside a container.`);
      current = { container, device: volumeHeader[1]!, role: null, name: null, mountPoint: null, snapshotMountPoint: null, fileVault: null, fileVaultDetail: null, conversion: null };
      volumes.push(current);
      continue;
    }
    if (PHYSICAL_STORE.test(line)) {
      current = null;
      continue;
    }
    const pair = current ? splitKeyValue(line) : undefined;
    if (current && pair) applyField(current, pair[0], pair[1]);
  }
  if (volumes.length === 0) throw new AgentError('ERR_PARSE', 'diskutil apfs list printed no `+-> Volume` entries (filtered or truncated output).');
  return { volumes };
}

/**
 * The APFS volume that holds the data behind `/`: the Data-role volume mounted at
 * /System/Volumes/Data (Catalina and later, whose `/` is the read-only or sealed System volume),
 * else the single volume mounted at `/` (Mojave and earlier). Null when neither is listed.
 */
export function findSystemDataVolume(list: ApfsList): ApfsVolume | null {
  return (
    list.volumes.find((volume) => volume.role === 'Data' && volume.mountPoint === '/System/Volumes/Data') ??
    list.volumes.find((volume) => volume.mountPoint === '/' && volume.role !== 'System') ??
    null
  );
}
