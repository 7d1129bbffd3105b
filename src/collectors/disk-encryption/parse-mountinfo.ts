/**
 * /proc/self/mountinfo (proc(5), Documentation/filesystems/proc.rst §3.5):
 * `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`:
 * mount ID, parent ID, major:minor, root, mount point, mount options, zero or more optional fields
 * (`shared:N`, `master:N`, `propagate_from:N`, `unbindable`) ended by a lone `-`, then filesystem
 * type, mount source and super options. Spaces, tabs, newlines and backslashes in paths are octal
 * escapes (`\040`, `\011`, `\012`, `\134`).
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export interface MountEntry {
  mountId: number;
  parentId: number;
  major: number;
  minor: number;
  /** The directory of the filesystem mounted here (a btrfs subvolume, a bind mount's source). */
  root: string;
  mountPoint: string;
  fsType: string;
  source: string;
}

const DEVICE = /^(\d+):(\d+)$/;

function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

function parseLine(line: string): MountEntry {
  const fields = line.split(' ');
  const separator = fields.indexOf('-', 6);
  const device = DEVICE.exec(fields[2] ?? '');
  if (separator < 0 || fields.length < separator + 3 || !device || !/^\d+$/.test(fields[0]!) || !/^\d+$/.test(fields[1]!)) {
    throw new AgentError('ERR_PARSE', `mountinfo has a line that is not in the kernel's format: "${line}"`);
  }
  return {
    mountId: Number(fields[0]),
    parentId: Number(fields[1]),
    major: Number(device[1]),
    minor: Number(device[2]),
    root: unescapeOctal(fields[3]!),
    mountPoint: unescapeOctal(fields[4]!),
    fsType: fields[separator + 1]!,
    source: unescapeOctal(fields[separator + 2]!),
  };
}

export function parseMountinfo(text: string): MountEntry[] {
  const content = lines(text).filter((line) => line.trim() !== '');
  if (content.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', 'mountinfo lists no mounts.');
  return content.map(parseLine);
}
