/**
 * The TPM probe's document (tpm/tpm-script.ts) and what it says:
 *
 * - `getTpm`: one item with Get-Tpm's properties under camelCase names; the ones an older Windows
 *   does not have (TpmEnabled, TpmActivated, TpmOwned) are absent and read as null.
 * - `win32Tpm`: Win32_Tpm instances (none when there is no TPM) with SpecVersion "2.0, 0, 1.38",
 *   the Is*_InitialValue flags and, when Get-Tpm did not answer, IsReady().
 *
 * Judgement: Get-Tpm first (TpmPresent; enabled = TpmEnabled and TpmActivated; ready = TpmReady;
 * the maker from ManufacturerId, a 32-bit vendor id, else ManufacturerIdTxt). The spec version comes
 * from Win32_Tpm's SpecVersion, else from Get-Tpm's ManufacturerVersionFull20, which a TPM 1.2
 * fills with "Not Supported for TPM 1.2" (MicrosoftDocs/windows-powershell-docs#1527) and a TPM 2.0
 * with its firmware version. Without Get-Tpm, Win32_Tpm alone. Neither read: `tpm` is null and the
 * collector asks tpmtool.
 */
import { AgentError } from '../../shared/errors.js';
import {
  booleanField,
  numberField,
  parsePowerShellDocument,
  problemCode,
  readSection,
  stringField,
  textOrNumberField,
  type JsonRecord,
  type SectionProblem,
} from '../windows/parse-powershell-document.js';
import { absentTpm, deriveTpmStatus, specVersionOf, type Tpm, type TpmProblem, type TpmSpecVersion } from './schema.js';
import { manufacturerOfCode, manufacturerOfId } from './vendors.js';

const TPM_PROBE = 'tpm';

interface GetTpmItem {
  present: boolean | null;
  ready: boolean | null;
  enabled: boolean | null;
  activated: boolean | null;
  manufacturerId: number | null;
  manufacturerIdTxt: string | null;
  manufacturerVersionFull20: string | null;
}

interface Win32TpmItem {
  specVersion: string | null;
  manufacturerId: number | null;
  manufacturerIdTxt: string | null;
  enabled: boolean | null;
  activated: boolean | null;
  ready: boolean | null;
}

export interface TpmProbeResult {
  /** null when neither Get-Tpm nor Win32_Tpm could be read. */
  tpm: Tpm | null;
  problems: TpmProblem[];
}


function getTpmItem(item: JsonRecord): GetTpmItem {
  return {
    present: booleanField(item, 'tpmPresent'),
    ready: booleanField(item, 'tpmReady'),
    enabled: booleanField(item, 'tpmEnabled'),
    activated: booleanField(item, 'tpmActivated'),
    manufacturerId: numberField(item, 'manufacturerId'),
    manufacturerIdTxt: stringField(item, 'manufacturerIdTxt'),
    manufacturerVersionFull20: textOrNumberField(item, 'manufacturerVersionFull20'),
  };
}

function win32TpmItem(item: JsonRecord): Win32TpmItem {
  return {
    specVersion: stringField(item, 'specVersion'),
    manufacturerId: numberField(item, 'manufacturerId'),
    manufacturerIdTxt: stringField(item, 'manufacturerIdTxt'),
    enabled: booleanField(item, 'enabled'),
    activated: booleanField(item, 'activated'),
    ready: booleanField(item, 'ready'),
  };
}

/** Enabled and activated: off when either is off, on when those told are on, null when neither told. */
function enabledAndActivated(enabled: boolean | null, activated: boolean | null): boolean | null {
  if (enabled === false || activated === false) return false;
  if (enabled === null && activated === null) return null;
  return true;
}

/** A firmware version ("7.2.1.0", "302.12.0.0") is only filled in for a TPM 2.0; a TPM 1.2 gets a sentence naming 1.2. */
function specFromFull20(value: string | null): TpmSpecVersion | null {
  const text = value?.trim() ?? '';
  if (/^\d+(\.\d+)+$/.test(text)) return '2.0';
  if (/\b1\.2\b/.test(text)) return '1.2';
  return null;
}

function manufacturer(id: number | null, text: string | null): string | null {
  return manufacturerOfId(id) ?? manufacturerOfCode(text);
}

function fromGetTpm(item: GetTpmItem, win32: Win32TpmItem | null): Tpm {
  if (item.present === null) throw new AgentError('ERR_PARSE', 'Get-Tpm answered without TpmPresent.');
  if (!item.present) return absentTpm('Get-Tpm (TpmPresent False)');
  const win32Spec = specVersionOf(win32?.specVersion);
  let enabled = enabledAndActivated(item.enabled, item.activated);
  if (enabled === null && win32) enabled = enabledAndActivated(win32.enabled, win32.activated);
  return {
    status: deriveTpmStatus(true),
    kind: 'tpm',
    specVersion: win32Spec ?? specFromFull20(item.manufacturerVersionFull20),
    manufacturer: manufacturer(item.manufacturerId, item.manufacturerIdTxt),
    enabled,
    ready: item.ready,
    source: win32Spec ? 'Get-Tpm and Win32_Tpm' : 'Get-Tpm',
  };
}

function fromWin32Tpm(items: readonly Win32TpmItem[]): Tpm {
  const item = items[0];
  if (!item) return absentTpm('Win32_Tpm (no instance)');
  return {
    status: deriveTpmStatus(true),
    kind: 'tpm',
    specVersion: specVersionOf(item.specVersion),
    manufacturer: manufacturer(item.manufacturerId, item.manufacturerIdTxt),
    enabled: enabledAndActivated(item.enabled, item.activated),
    ready: item.ready,
    source: 'Win32_Tpm',
  };
}

function problem(source: string, sectionProblem: SectionProblem): TpmProblem {
  const hint = sectionProblem.kind === 'access-denied' ? ' (it needs administrator rights)' : '';
  return { code: problemCode(sectionProblem), message: `${source} could not be read${hint}: ${sectionProblem.message}` };
}

export function parseTpmJson(text: string): TpmProbeResult {
  const document = parsePowerShellDocument(text, TPM_PROBE);
  const getTpm = readSection(document, 'getTpm', getTpmItem);
  const win32Tpm = readSection(document, 'win32Tpm', win32TpmItem);
  const problems: TpmProblem[] = [];
  if (!getTpm.ok) problems.push(problem('Get-Tpm', getTpm.problem));
  if (getTpm.ok) {
    const item = getTpm.items[0];
    if (!item) throw new AgentError('ERR_PARSE', 'Get-Tpm answered with nothing.');
    const tpm = fromGetTpm(item, win32Tpm.ok ? (win32Tpm.items[0] ?? null) : null);
    if (!win32Tpm.ok && tpm.status === 'present' && (tpm.specVersion === null || tpm.enabled === null)) {
      problems.push(problem('Win32_Tpm (root/cimv2/Security/MicrosoftTpm), which would tell what Get-Tpm did not,', win32Tpm.problem));
    }
    return { tpm, problems };
  }
  if (win32Tpm.ok) return { tpm: fromWin32Tpm(win32Tpm.items), problems };
  problems.push(problem('Win32_Tpm (root/cimv2/Security/MicrosoftTpm)', win32Tpm.problem));
  return { tpm: null, problems };
}
