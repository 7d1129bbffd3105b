/**
 * lsblk(8) output, the fallback when sysfs cannot be read. Two formats (shared fixtures README, L2):
 * - JSON (`-J`, util-linux >= 2.27): `{"blockdevices":[{..., "children":[...]}]}` with the key
 *   `mountpoint` (a string) before util-linux 2.37 and `mountpoints` (an array that may hold null)
 *   after; a device under several parents (LVM over two PVs, RAID) appears under each.
 * - The text table: a header of column names, then one row per device with tree glyphs (`├─`, `└─`,
 *   `│ `, or ASCII `|-`, `` `- `` with `-i`) nesting children under their parent; values are left-
 *   or right-aligned under their header, empty cells print nothing; util-linux 2.17 writes device-
 *   mapper children as `name (dm-N)`; a long name wraps the rest of its row onto the next line.
 * Errors: `lsblk: unknown column: X` and `invalid option` come from an lsblk too old for the
 * columns or flags asked for.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export interface LsblkDevice {
  name: string;
  kname: string | null;
  majMin: string | null;
  type: string | null;
  fstype: string | null;
  mountpoints: string[];
  /** Names of the devices this one sits on (its parents in lsblk's tree). */
  parents: string[];
}

interface Row {
  cells: Map<string, string>;
  depth: number;
}

const TREE_PREFIX = /^[\s│├└─|`-]*/;
const HEADER_TOKEN = /^[A-Z][A-Z0-9%:_-]*$/;
/** Lines that published copies use to elide rows; never printed by lsblk itself. */
const ELISION = /^\s*(?:\.\.\.|…)\s*$/;

function keyOf(device: { name: string; kname: string | null }): string {
  return device.kname ?? device.name;
}

function addDevice(devices: Map<string, LsblkDevice>, device: LsblkDevice): void {
  const existing = devices.get(keyOf(device));
  if (!existing) {
    devices.set(keyOf(device), device);
    return;
  }
  for (const parent of device.parents) if (!existing.parents.includes(parent)) existing.parents.push(parent);
  for (const mount of device.mountpoints) if (!existing.mountpoints.includes(mount)) existing.mountpoints.push(mount);
}

function jsonString(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number') return String(value);
  return null;
}

function jsonMountpoints(node: Record<string, unknown>): string[] {
  const many = node.mountpoints;
  if (Array.isArray(many)) return many.filter((mount): mount is string => typeof mount === 'string' && mount !== '');
  const one = jsonString(node.mountpoint);
  return one === null ? [] : [one];
}

function walkJson(nodes: unknown, parent: string | null, devices: Map<string, LsblkDevice>): void {
  if (!Array.isArray(nodes)) throw new AgentError('ERR_PARSE', 'lsblk JSON has a "blockdevices" or "children" value that is not a list.');
  for (const node of nodes as unknown[]) {
    if (typeof node !== 'object' || node === null) throw new AgentError('ERR_PARSE', 'lsblk JSON lists a device that is not an object.');
    const record = node as Record<string, unknown>;
    const name = jsonString(record.name);
    if (name === null) throw new AgentError('ERR_PARSE', 'lsblk JSON lists a device without a name.');
    const device: LsblkDevice = {
      name,
      kname: jsonString(record.kname),
      majMin: jsonString(record['maj:min']),
      type: jsonString(record.type),
      fstype: jsonString(record.fstype),
      mountpoints: jsonMountpoints(record),
      parents: parent === null ? [] : [parent],
    };
    addDevice(devices, device);
    if (record.children !== undefined) walkJson(record.children, keyOf(device), devices);
  }
}

function parseJson(text: string): LsblkDevice[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AgentError('ERR_PARSE', 'lsblk printed JSON that does not parse (truncated?).');
  }
  if (typeof parsed !== 'object' || parsed === null || !('blockdevices' in parsed)) {
    throw new AgentError('ERR_PARSE', 'lsblk JSON has no "blockdevices" list.');
  }
  const devices = new Map<string, LsblkDevice>();
  walkJson(parsed.blockdevices, null, devices);
  return [...devices.values()];
}

interface Token {
  text: string;
  start: number;
  end: number;
}

function tokens(line: string): Token[] {
  return [...line.matchAll(/\S+/g)].map((match) => ({ text: match[0], start: match.index, end: match.index + match[0].length }));
}

/** The header a cell belongs to: the one it overlaps (left-aligned by start, right-aligned by end), else the nearest to its left. */
function columnOf(token: Token, headers: readonly Token[]): Token {
  const overlapping = headers.filter((header) => token.start < header.end && token.end > header.start);
  const aligned = overlapping.find((header) => header.start === token.start) ?? overlapping.find((header) => header.end === token.end);
  if (aligned ?? overlapping[0]) return aligned ?? overlapping[0]!;
  const left = headers.filter((header) => header.start <= token.start);
  return left[left.length - 1] ?? headers[0]!;
}

const MOUNT_COLUMNS = new Set(['MOUNTPOINT', 'MOUNTPOINTS']);

/** Adds a line's cells; a cell continued on a later line (a second mount point) is kept on its own line. */
function addCells(cells: Map<string, string>, line: string, headers: readonly Token[], firstColumn: string | null): void {
  const fromLine = new Map<string, string>();
  for (const token of tokens(line)) {
    const header = columnOf(token, headers).text;
    fromLine.set(header, fromLine.has(header) ? `${fromLine.get(header)!} ${token.text}` : token.text);
  }
  for (const [header, value] of fromLine) {
    const existing = cells.get(header);
    cells.set(header, existing === undefined ? value : `${existing}${MOUNT_COLUMNS.has(header) ? '\n' : ' '}${value}`);
  }
  if (firstColumn !== null && cells.has(firstColumn)) cells.set(firstColumn, cells.get(firstColumn)!.replace(TREE_PREFIX, ''));
}

function parseRows(content: readonly string[]): { headers: Token[]; rows: Row[] } {
  const headers = tokens(content[0]!);
  if (headers.length === 0 || !headers.every((header) => HEADER_TOKEN.test(header.text))) {
    throw new AgentError('ERR_PARSE', `lsblk printed no column header (first line: "${content[0]!}").`);
  }
  const first = headers[0]!.text;
  const tree = first === 'NAME';
  const secondStart = headers[1]?.start ?? Number.POSITIVE_INFINITY;
  const rows: Row[] = [];
  for (const line of content.slice(1)) {
    if (ELISION.test(line)) continue;
    const indent = line.length - line.trimStart().length;
    const previous = rows[rows.length - 1];
    if (previous && indent >= secondStart) {
      addCells(previous.cells, line, headers, null);
      continue;
    }
    const cells = new Map<string, string>();
    const prefix = tree ? (TREE_PREFIX.exec(line)?.[0] ?? '') : '';
    addCells(cells, line, headers, tree ? first : null);
    rows.push({ cells, depth: Math.floor(prefix.length / 2) });
  }
  return { headers, rows };
}

/** `data_vg-data (dm-1)` (util-linux 2.17) is the name and the kernel name. */
function splitOldName(cell: string): { name: string; kname: string | null } {
  const match = /^(.*\S)\s+\(([^()\s]+)\)$/.exec(cell);
  return match ? { name: match[1]!, kname: match[2]! } : { name: cell, kname: null };
}

function parseText(content: readonly string[]): LsblkDevice[] {
  const { headers, rows } = parseRows(content);
  if (headers[0]!.text !== 'NAME') throw new AgentError('ERR_PARSE', 'lsblk printed a table without the NAME column first, so its rows cannot be told apart.');
  const devices = new Map<string, LsblkDevice>();
  const ancestors: string[] = [];
  for (const row of rows) {
    const cell = (column: string): string | null => row.cells.get(column) ?? null;
    const named = splitOldName(cell('NAME') ?? '');
    const mounts = cell('MOUNTPOINTS') ?? cell('MOUNTPOINT');
    const device: LsblkDevice = {
      name: named.name,
      kname: cell('KNAME') ?? named.kname,
      majMin: cell('MAJ:MIN'),
      type: cell('TYPE'),
      fstype: cell('FSTYPE'),
      mountpoints: mounts === null ? [] : mounts.split('\n'),
      parents: row.depth > 0 && ancestors[row.depth - 1] !== undefined ? [ancestors[row.depth - 1]!] : [],
    };
    ancestors[row.depth] = keyOf(device);
    ancestors.length = row.depth + 1;
    addDevice(devices, device);
  }
  return [...devices.values()];
}

export function parseLsblk(text: string): LsblkDevice[] {
  const content = lines(text).filter((line) => line.trim() !== '');
  if (content.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', 'lsblk printed nothing.');
  const refusal = content.find((line) => /^lsblk: (?:unknown column|invalid option|unrecognized option)/.test(line));
  if (refusal) throw new AgentError('ERR_UNSUPPORTED', `This lsblk is too old for the columns or options asked for: ${refusal}`);
  const trimmed = text.trimStart();
  return trimmed.startsWith('{') ? parseJson(trimmed) : parseText(content);
}
