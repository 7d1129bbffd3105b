/**
 * The TPM on Linux, from sysfs and /dev without a process and without root (sysfs-tpm.ts has the
 * rules): /sys/class/tpm, the first chip's attributes, /dev/tpmrmN and /dev/tpmN, and, only when
 * no chip is registered, /sys/bus/acpi/devices (a TPM the firmware describes but no driver bound).
 *
 * One process at most, and only as root: a TPM 2.0 does not tell sysfs who made it, so when the
 * agent runs as root, tpm2-tools is installed and /dev/tpmrmN exists, `tpm2_getcap -T
 * device:/dev/tpmrmN properties-fixed` asks the chip (a few TPM commands through the kernel's
 * resource manager, no daemon). As another user the manufacturer of a TPM 2.0 stays null.
 */
import { LINUX_ALTERNATIVES, LINUX_COMMANDS } from '../../exec/commands-linux.js';
import { systemErrorCode } from '../../shared/errors.js';
import { attempt, pathExists, readOptionalDir, toAgentError } from '../host-errors.js';
import type { CollectContext, Host } from '../host.js';
import { commandOutput } from '../linux/command-output.js';
import { runsAsRoot } from '../linux/effective-user.js';
import { UNKNOWN_TPM, type Tpm, type TpmProblem } from './schema.js';
import { ACPI_DEVICES, TPM_CLASS, assessSysfsTpm, firstChip, type SysfsTpmFacts, type TpmChipFacts } from './sysfs-tpm.js';

/** A sysfs attribute's text (trailing NULs and whitespace removed), or null when it is absent or empty. */
async function readAttribute(host: Host, path: string, problems: TpmProblem[]): Promise<string | null> {
  try {
    const text = (await host.readFile(path)).replace(/\0+$/, '').trim();
    return text === '' ? null : text;
  } catch (error) {
    const code = systemErrorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENXIO' || code === 'ENODEV') return null;
    const agentError = toAgentError(error, path);
    problems.push({ code: agentError.code, message: agentError.message });
    return null;
  }
}

async function nodeExists(host: Host, path: string, problems: TpmProblem[]): Promise<boolean | null> {
  try {
    return await pathExists(host, path);
  } catch (error) {
    const agentError = toAgentError(error, path);
    problems.push({ code: agentError.code, message: agentError.message });
    return null;
  }
}

async function readChip(host: Host, name: string, problems: TpmProblem[]): Promise<TpmChipFacts> {
  const base = `${TPM_CLASS}/${name}`;
  const number = name.slice(3);
  const read = (attribute: string) => readAttribute(host, `${base}/${attribute}`, problems);
  const [versionMajor, caps, enabled, active, owned, hid, acpiDescription, description, pnpIds, compatible, resourceManagerNode, characterNode] = await Promise.all([
    read('tpm_version_major'),
    read('device/caps'),
    read('device/enabled'),
    read('device/active'),
    read('device/owned'),
    read('device/firmware_node/hid'),
    read('device/firmware_node/description'),
    read('device/description'),
    read('device/id'),
    read('device/of_node/compatible'),
    nodeExists(host, `/dev/tpmrm${number}`, problems),
    nodeExists(host, `/dev/tpm${number}`, problems),
  ]);
  return {
    name,
    versionMajor,
    caps,
    enabled,
    active,
    owned,
    hid,
    description: acpiDescription ?? description,
    pnpIds,
    compatible,
    resourceManagerNode,
    characterNode,
  };
}

async function readFacts(host: Host, ctx: CollectContext, problems: TpmProblem[]): Promise<SysfsTpmFacts | undefined> {
  const classEntries = await attempt(ctx, TPM_CLASS, () => readOptionalDir(host, TPM_CLASS));
  if (classEntries === undefined) return undefined;
  const chip = firstChip(classEntries);
  if (chip !== null) return { classEntries, chip: await readChip(host, chip, problems), acpiDevices: null };
  const acpiDevices = (await attempt(ctx, ACPI_DEVICES, () => readOptionalDir(host, ACPI_DEVICES))) ?? null;
  return { classEntries, chip: null, acpiDevices };
}

/** Whether tpm2_getcap is installed at its path or an alternative (no process). */
async function getcapInstalled(host: Host): Promise<boolean> {
  for (const path of [LINUX_COMMANDS.tpm2Getcap, ...(LINUX_ALTERNATIVES[LINUX_COMMANDS.tpm2Getcap] ?? [])]) {
    if ((await pathExists(host, path).catch(() => null)) === true) return true;
  }
  return false;
}

/** The maker of a TPM 2.0, asked of the chip as root; the value as it was otherwise. */
async function manufacturerAsRoot(host: Host, ctx: CollectContext, chip: TpmChipFacts): Promise<string | null> {
  if (chip.resourceManagerNode !== true || (await runsAsRoot(host)) !== true) return null;
  if (!(await getcapInstalled(host))) return null;
  const device = `/dev/tpmrm${chip.name.slice(3)}`;
  const properties = await attempt(ctx, `${LINUX_COMMANDS.tpm2Getcap} properties-fixed`, async () => {
    const { parseTpm2GetcapFixed } = await import('./parse-tpm2-getcap.js');
    return parseTpm2GetcapFixed(commandOutput(await host.run(LINUX_COMMANDS.tpm2Getcap, ['-T', `device:${device}`, 'properties-fixed'])));
  });
  return properties?.manufacturer ?? null;
}

export async function collectTpmLinux(host: Host, ctx: CollectContext): Promise<Tpm> {
  const problems: TpmProblem[] = [];
  const facts = await readFacts(host, ctx, problems);
  if (!facts) return UNKNOWN_TPM;
  const assessment = assessSysfsTpm(facts);
  for (const problem of [...problems, ...assessment.problems]) ctx.error(problem.code, problem.message);
  const { tpm } = assessment;
  if (facts.chip && tpm.status === 'present' && tpm.specVersion === '2.0' && tpm.manufacturer === null) {
    return { ...tpm, manufacturer: await manufacturerAsRoot(host, ctx, facts.chip) };
  }
  return tpm;
}
