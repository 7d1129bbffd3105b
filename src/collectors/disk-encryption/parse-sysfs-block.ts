/**
 * A snapshot of the mount table and the block device graph as one shell command prints it, so
 * that the encryption judgement can be fixture-tested against whole machines:
 *
 *   cat /proc/self/mountinfo
 *   grep -H . /sys/class/block/*\/dev /sys/class/block/*\/dm/name /sys/class/block/*\/dm/uuid \
 *             /sys/class/block/*\/md/level /sys/block/*\/*\/partition 2>/dev/null
 *   ls -1d /sys/class/block/*\/slaves/* 2>/dev/null
 *
 * mountinfo lines start with the mount ID; `grep -H .` prints `<path>:<value>` for every non-empty
 * attribute (an empty dm/uuid prints nothing); `ls -1d` prints one slave link per line. Paths follow
 * the sysfs-block ABI (Documentation/ABI/stable/sysfs-block): partitions are subdirectories of
 * their disk under /sys/block. The collector reads the same attributes file by file.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';
import { sysfsGraph, type SysfsFacts } from '../linux/block-graph.js';
import { assessEncryption, type EncryptionAssessment } from '../linux/volume-encryption.js';
import { parseMountinfo } from './parse-mountinfo.js';

const ATTRIBUTE = /^\/sys\/class\/block\/([^/]+)\/(dev|dm\/name|dm\/uuid|md\/level):(.*)$/;
const PARTITION = /^\/sys\/block\/([^/]+)\/([^/]+)\/partition:\d+$/;
const SLAVE = /^\/sys\/class\/block\/([^/]+)\/slaves\/([^/]+)$/;

function emptyFacts(name: string): SysfsFacts {
  return { name, dev: null, dm: null, md: null, partitionOf: null, slaves: [] };
}

function applyAttribute(facts: SysfsFacts, attribute: string, value: string): void {
  switch (attribute) {
    case 'dev':
      facts.dev = value;
      break;
    case 'dm/name':
      facts.dm = { name: value, uuid: facts.dm?.uuid ?? null };
      break;
    case 'dm/uuid':
      facts.dm = { name: facts.dm?.name ?? null, uuid: value };
      break;
    case 'md/level':
      facts.md = { level: value };
      break;
  }
}

/** The sysfs part of a snapshot: facts per device. */
export function parseSysfsFacts(sysfsLines: readonly string[]): SysfsFacts[] {
  const byName = new Map<string, SysfsFacts>();
  const facts = (name: string): SysfsFacts => {
    const existing = byName.get(name);
    if (existing) return existing;
    const created = emptyFacts(name);
    byName.set(name, created);
    return created;
  };
  for (const line of sysfsLines) {
    const attribute = ATTRIBUTE.exec(line);
    const partition = attribute ? null : PARTITION.exec(line);
    const slave = attribute || partition ? null : SLAVE.exec(line);
    if (attribute) applyAttribute(facts(attribute[1]!), attribute[2]!, attribute[3]!.trim());
    else if (partition) facts(partition[2]!).partitionOf = partition[1]!;
    else if (slave) facts(slave[1]!).slaves.push(slave[2]!);
    else throw new AgentError('ERR_PARSE', `The sysfs snapshot has a line that is neither mountinfo nor a sysfs attribute: "${line}"`);
  }
  return [...byName.values()];
}

export function parseSysfsBlockSnapshot(text: string): EncryptionAssessment {
  const content = lines(text).filter((line) => line.trim() !== '');
  if (content.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', 'The sysfs snapshot is empty.');
  const mountLines = content.filter((line) => /^\d/.test(line));
  if (mountLines.length === 0) throw new AgentError('ERR_PARSE', 'The sysfs snapshot has no mountinfo lines.');
  const mounts = parseMountinfo(mountLines.join('\n'));
  const facts = parseSysfsFacts(content.filter((line) => !/^\d/.test(line)));
  return assessEncryption(mounts, sysfsGraph(facts));
}
