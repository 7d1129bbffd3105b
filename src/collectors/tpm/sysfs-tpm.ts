/**
 * What Linux's sysfs says about the TPM, and the pure judgement over it (used by the collector and
 * by the snapshot parser, so whole machines can be fixture-tested). Everything here is readable
 * without root (Documentation/ABI/stable/sysfs-class-tpm; the files are 0444).
 *
 * - A chip the kernel registered is /sys/class/tpm/tpmN. Its family is `tpm_version_major` (1 or 2;
 *   kernel 5.6 and later, for TPM 1.2 too), else `device/caps` "TCG version: 1.2" (TPM 1.x only:
 *   a TPM 2.0 never has caps, enabled, active or owned, so any of those means 1.2), else a
 *   resource manager /dev/tpmrmN (the kernel creates one only for TPM 2.0), else the ACPI id
 *   MSFT0101 or the ACPI description "TPM 2.0 Device".
 * - The maker: caps' "Manufacturer: 0x..." (TPM 1.2), else the device tree's compatible vendor
 *   ("infineon,slb9670"), else a vendor-specific ACPI/PnP id (IFX0102, ATM1200, ...). A TPM 2.0 on
 *   ACPI (MSFT0101) does not say who made it: that needs the TPM itself (tpm2_getcap, root).
 * - enabled (TPM 1.2 only): device/enabled and device/active both 1 (either 0: false). TPM 2.0 has
 *   no such flags in sysfs: null.
 * - ready: TPM 1.2 enabled, active and owned; TPM 2.0 when its character device exists in /dev.
 * - No chip registered: a TPM that the firmware describes in ACPI (MSFT0101, PNP0C31, IFX0102, ...)
 *   but no driver bound is present and not ready; otherwise there is none: absent.
 */
import { isAgentError } from '../../shared/errors.js';
import { parseTpmCaps, type TpmCaps } from './parse-tpm-caps.js';
import { absentTpm, deriveTpmStatus, specVersionOf, type Tpm, type TpmProblem, type TpmSpecVersion } from './schema.js';

export const TPM_CLASS = '/sys/class/tpm';
export const ACPI_DEVICES = '/sys/bus/acpi/devices';

export interface TpmChipFacts {
  /** tpm0, tpm1, ... */
  name: string;
  versionMajor: string | null;
  caps: string | null;
  enabled: string | null;
  active: string | null;
  owned: string | null;
  /** device/firmware_node/hid: the ACPI id (MSFT0101). */
  hid: string | null;
  /** device/firmware_node/description or (older kernels) device/description: the ACPI _STR. */
  description: string | null;
  /** device/id of a PnP device: its ids, one per line (IFX0102, PNP0C31). */
  pnpIds: string | null;
  /** device/of_node/compatible: NUL- or newline-separated "vendor,model" strings. */
  compatible: string | null;
  /** /dev/tpmrmN and /dev/tpmN exist; null when that could not be checked. */
  resourceManagerNode: boolean | null;
  characterNode: boolean | null;
}

export interface SysfsTpmFacts {
  /** The entries of /sys/class/tpm; null when the directory does not exist (no TPM driver loaded). */
  classEntries: readonly string[] | null;
  /** The first chip (lowest N), when one is registered. */
  chip: TpmChipFacts | null;
  /** The entries of /sys/bus/acpi/devices, read only when no chip is registered; null when not known. */
  acpiDevices: readonly string[] | null;
}

export interface SysfsTpmAssessment {
  tpm: Tpm;
  /** Why a field is null although a TPM was found (for the report's errors). */
  problems: TpmProblem[];
}

/** ACPI and PnP ids of TPMs the kernel's drivers bind (tpm_crb, tpm_tis, tpm_infineon, tpm_atmel, tpm_nsc). */
const ACPI_TPM_IDS: Readonly<Record<string, { specVersion: TpmSpecVersion | null; manufacturer: string | null }>> = {
  MSFT0101: { specVersion: '2.0', manufacturer: null },
  PNP0C31: { specVersion: null, manufacturer: null },
  IFX0101: { specVersion: null, manufacturer: 'Infineon' },
  IFX0102: { specVersion: null, manufacturer: 'Infineon' },
  ATM1200: { specVersion: null, manufacturer: 'Atmel' },
  BCM0101: { specVersion: null, manufacturer: 'Broadcom' },
  BCM0102: { specVersion: null, manufacturer: 'Broadcom' },
  NSC1200: { specVersion: null, manufacturer: 'National Semiconductor' },
  ICO0102: { specVersion: null, manufacturer: 'Intel' },
};

/** Device tree vendor prefixes of TPM bindings (Documentation/devicetree/bindings/tpm). */
const DT_VENDORS: Readonly<Record<string, string>> = {
  infineon: 'Infineon',
  nuvoton: 'Nuvoton',
  st: 'STMicroelectronics',
  atmel: 'Atmel',
  google: 'Google',
  microsoft: 'Microsoft',
  ibm: 'IBM',
};

/** The lowest-numbered tpmN entry. */
export function firstChip(entries: readonly string[] | null): string | null {
  const chips = (entries ?? []).filter((entry) => /^tpm\d+$/.test(entry));
  chips.sort((left, right) => Number(left.slice(3)) - Number(right.slice(3)));
  return chips[0] ?? null;
}

/** An ACPI device name (MSFT0101:00) without its instance number. */
function acpiId(entry: string): string {
  return entry.replace(/:[0-9a-f]+$/i, '').toUpperCase();
}

function readCaps(text: string | null): TpmCaps | null {
  if (text === null) return null;
  try {
    return parseTpmCaps(text);
  } catch (error) {
    if (isAgentError(error)) return null;
    throw error;
  }
}

function flag(value: string | null): boolean | null {
  const trimmed = value?.trim();
  if (trimmed === '1') return true;
  if (trimmed === '0') return false;
  return null;
}

function specVersion(chip: TpmChipFacts, caps: TpmCaps | null): TpmSpecVersion | null {
  const major = chip.versionMajor?.trim();
  if (major === '2') return '2.0';
  if (major === '1') return '1.2';
  if (caps?.tcgVersion) return specVersionOf(caps.tcgVersion);
  // enabled, active and owned exist only for a TPM 1.x (tpm-sysfs.c's TPM 1 attribute group).
  if (chip.enabled !== null || chip.active !== null || chip.owned !== null) return '1.2';
  if (chip.resourceManagerNode === true) return '2.0';
  if (chip.hid?.trim().toUpperCase() === 'MSFT0101') return '2.0';
  if (/\bTPM 2\.0\b/i.test(chip.description ?? '')) return '2.0';
  return null;
}

function compatibleVendor(compatible: string | null): string | null {
  for (const entry of (compatible ?? '').split(/[\0\n]+/)) {
    const vendor = DT_VENDORS[entry.trim().split(',')[0]!.toLowerCase()];
    if (vendor) return vendor;
  }
  return null;
}

function idVendor(chip: TpmChipFacts): string | null {
  const ids = [chip.hid ?? '', ...(chip.pnpIds ?? '').split(/\s+/)].map((id) => id.trim().toUpperCase()).filter((id) => id !== '');
  for (const id of ids) {
    const known = ACPI_TPM_IDS[id];
    if (known?.manufacturer) return known.manufacturer;
  }
  return null;
}

function manufacturer(chip: TpmChipFacts, caps: TpmCaps | null): string | null {
  return caps?.manufacturer ?? compatibleVendor(chip.compatible) ?? idVendor(chip);
}

function readiness(chip: TpmChipFacts, version: TpmSpecVersion | null, enabled: boolean | null, problems: TpmProblem[]): boolean | null {
  if (version === '1.2') {
    const owned = flag(chip.owned);
    if (enabled === false || owned === false) return false;
    return enabled === true && owned === true ? true : null;
  }
  if (chip.resourceManagerNode === true || chip.characterNode === true) return true;
  const number = chip.name.slice(3);
  if (chip.resourceManagerNode === null || chip.characterNode === null) {
    problems.push({ code: 'ERR_ACCESS_DENIED', message: `/dev/tpmrm${number} and /dev/tpm${number} could not be checked (permission denied): whether the TPM can be used is unknown.` });
  } else {
    problems.push({
      code: 'ERR_NOT_FOUND',
      message: `The kernel registered ${chip.name}, but neither /dev/tpmrm${number} nor /dev/tpm${number} exists here (a container or a restricted /dev?): whether the TPM can be used is unknown.`,
    });
  }
  return null;
}

function assessChip(chip: TpmChipFacts): SysfsTpmAssessment {
  const problems: TpmProblem[] = [];
  const caps = readCaps(chip.caps);
  const version = specVersion(chip, caps);
  const [enabledFlag, activeFlag] = [flag(chip.enabled), flag(chip.active)];
  const enabled = version !== '1.2' ? null : enabledFlag === false || activeFlag === false ? false : enabledFlag === true && activeFlag === true ? true : null;
  return {
    tpm: {
      status: deriveTpmStatus(true),
      kind: 'tpm',
      specVersion: version,
      manufacturer: manufacturer(chip, caps),
      enabled,
      ready: readiness(chip, version, enabled, problems),
      source: `${TPM_CLASS}/${chip.name}`,
    },
    problems,
  };
}

function assessWithoutChip(facts: SysfsTpmFacts): SysfsTpmAssessment {
  const unbound = (facts.acpiDevices ?? []).find((entry) => ACPI_TPM_IDS[acpiId(entry)] !== undefined);
  if (unbound !== undefined) {
    const known = ACPI_TPM_IDS[acpiId(unbound)]!;
    return {
      tpm: {
        status: deriveTpmStatus(true),
        kind: 'tpm',
        specVersion: known.specVersion,
        manufacturer: known.manufacturer,
        enabled: null,
        ready: false,
        source: `${ACPI_DEVICES}/${unbound} (no TPM driver is bound to it)`,
      },
      problems: [],
    };
  }
  const classPart = facts.classEntries === null ? `no ${TPM_CLASS} (no TPM driver registered a chip)` : `${TPM_CLASS} lists no chip`;
  const acpiPart = facts.acpiDevices === null ? '' : ' and no TPM among the ACPI devices';
  return { tpm: absentTpm(`${classPart}${acpiPart}`), problems: [] };
}

export function assessSysfsTpm(facts: SysfsTpmFacts): SysfsTpmAssessment {
  return facts.chip ? assessChip(facts.chip) : assessWithoutChip(facts);
}
