/**
 * A snapshot of what the Linux collector reads about the TPM, as one shell command prints it, so
 * that the judgement (sysfs-tpm.ts) can be fixture-tested against whole machines:
 *
 *   ls -1d /sys/class/tpm /sys/class/tpm/* /sys/bus/acpi/devices/* /dev/tpm[0-9]* /dev/tpmrm[0-9]* 2>/dev/null
 *   for f in /sys/class/tpm/tpm*\/tpm_version_major /sys/class/tpm/tpm*\/device/caps \
 *            /sys/class/tpm/tpm*\/device/enabled /sys/class/tpm/tpm*\/device/active /sys/class/tpm/tpm*\/device/owned \
 *            /sys/class/tpm/tpm*\/device/firmware_node/hid /sys/class/tpm/tpm*\/device/firmware_node/description \
 *            /sys/class/tpm/tpm*\/device/description /sys/class/tpm/tpm*\/device/id /sys/class/tpm/tpm*\/device/of_node/compatible; do
 *     [ -r "$f" ] && tr '\0' '\n' < "$f" | grep . | sed "s|^|$f:|"
 *   done
 *
 * Listing lines are bare paths (ACPI names contain a colon: MSFT0101:00); attribute lines are
 * `<path>:<value>`, one per line of the file (caps has three; compatible's NUL-separated strings
 * become lines). The collector reads the same paths file by file.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';
import { ACPI_DEVICES, TPM_CLASS, assessSysfsTpm, firstChip, type SysfsTpmAssessment, type SysfsTpmFacts, type TpmChipFacts } from './sysfs-tpm.js';

const ATTRIBUTES = [
  'tpm_version_major',
  'device/caps',
  'device/enabled',
  'device/active',
  'device/owned',
  'device/firmware_node/hid',
  'device/firmware_node/description',
  'device/description',
  'device/id',
  'device/of_node/compatible',
] as const;
type Attribute = (typeof ATTRIBUTES)[number];

const ATTRIBUTE_LINE = new RegExp(`^${TPM_CLASS}/(tpm\\d+)/(${ATTRIBUTES.join('|')}):(.*)$`);
const CLASS_ENTRY = new RegExp(`^${TPM_CLASS}/([^/:]+)$`);
const ACPI_ENTRY = new RegExp(`^${ACPI_DEVICES}/([^/]+)$`);
const DEVICE_NODE = /^\/dev\/(tpmrm\d+|tpm\d+)$/;

function chipFacts(name: string, attributes: ReadonlyMap<string, string[]>, nodes: ReadonlySet<string>): TpmChipFacts {
  const value = (attribute: Attribute): string | null => attributes.get(`${name}/${attribute}`)?.join('\n') ?? null;
  const number = name.slice(3);
  return {
    name,
    versionMajor: value('tpm_version_major'),
    caps: value('device/caps'),
    enabled: value('device/enabled'),
    active: value('device/active'),
    owned: value('device/owned'),
    hid: value('device/firmware_node/hid'),
    description: value('device/firmware_node/description') ?? value('device/description'),
    pnpIds: value('device/id'),
    compatible: value('device/of_node/compatible'),
    resourceManagerNode: nodes.has(`tpmrm${number}`),
    characterNode: nodes.has(`tpm${number}`),
  };
}

export function parseSysfsTpmSnapshot(text: string): SysfsTpmAssessment {
  const content = lines(text).map((line) => line.trimEnd()).filter((line) => line !== '');
  if (content.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', 'The TPM sysfs snapshot is empty.');
  let classExists = false;
  const classEntries: string[] = [];
  const acpiDevices: string[] = [];
  const nodes = new Set<string>();
  const attributes = new Map<string, string[]>();
  for (const line of content) {
    const attribute = ATTRIBUTE_LINE.exec(line);
    if (attribute) {
      const key = `${attribute[1]}/${attribute[2]}`;
      attributes.set(key, [...(attributes.get(key) ?? []), attribute[3]!]);
      continue;
    }
    if (line === TPM_CLASS) {
      classExists = true;
      continue;
    }
    const entry = CLASS_ENTRY.exec(line) ?? null;
    const acpi = entry ? null : ACPI_ENTRY.exec(line);
    const node = entry || acpi ? null : DEVICE_NODE.exec(line);
    if (entry) classEntries.push(entry[1]!);
    else if (acpi) acpiDevices.push(acpi[1]!);
    else if (node) nodes.add(node[1]!);
    else throw new AgentError('ERR_PARSE', `The TPM sysfs snapshot has a line that is neither a listed path nor a TPM attribute: "${line.slice(0, 200)}"`);
  }
  const listed = classExists || classEntries.length > 0 ? classEntries : null;
  const chip = firstChip(listed);
  const facts: SysfsTpmFacts = {
    classEntries: listed,
    chip: chip === null ? null : chipFacts(chip, attributes, nodes),
    acpiDevices: acpiDevices.length > 0 ? acpiDevices : null,
  };
  return assessSysfsTpm(facts);
}
