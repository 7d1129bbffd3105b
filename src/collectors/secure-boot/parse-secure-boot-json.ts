/**
 * The Secure Boot probe's document (secure-boot-script.ts). Errors are told apart by exception
 * type and status code, never by their (localised) text:
 * - Confirm-SecureBootUEFI: System.PlatformNotSupportedException or status 0xC0000002
 *   (STATUS_NOT_IMPLEMENTED) = not supported on this platform (BIOS, or no Secure Boot);
 *   0xC0000100 (STATUS_VARIABLE_NOT_FOUND) = the firmware defines no SecureBoot variable;
 *   System.UnauthorizedAccessException / PermissionDenied = needs administrator rights;
 *   CommandNotFoundException = no SecureBoot module (Windows 7, Server Core without it).
 * - state/firmware: ItemNotFoundException (the key is missing) and PSArgumentException (the value
 *   is missing) mean "not there", not failures.
 * Pure.
 */
import { AgentError } from '../../shared/errors.js';
import {
  booleanField,
  numberField,
  parsePowerShellDocument,
  readSection,
  type JsonRecord,
  type SectionProblem,
} from '../windows/parse-powershell-document.js';
import { SECURE_BOOT_PROBE } from './secure-boot-script.js';
import type { SecureBootStateKey } from './parse-secure-boot-state-key.js';

export type ConfirmOutcome = 'true' | 'false' | 'not-supported' | 'variable-undefined' | 'access-denied' | 'unavailable' | 'failed';

export interface SecureBootProbeReading {
  /** The SecureBoot\State key; null when the section failed (see registryProblem). */
  registry: SecureBootStateKey | null;
  registryProblem: SectionProblem | null;
  /** PEFirmwareType: 2 UEFI, 1 BIOS; null when absent or another value. */
  firmwareType: 'uefi' | 'bios' | null;
  confirm: { outcome: ConfirmOutcome; message: string | null };
  /** Get-SecureBootUEFI SetupMode; null when not read (it needs administrator rights). */
  setupMode: boolean | null;
}

const STATUS_NOT_IMPLEMENTED = /0xC0000002/i;
const STATUS_VARIABLE_NOT_FOUND = /0xC0000100/i;
const NOT_THERE_TYPES = ['System.Management.Automation.ItemNotFoundException', 'System.Management.Automation.PSArgumentException'];

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The raw error of a section, or null when the section has data (or is not a record: readSection refuses that). */
function sectionError(document: JsonRecord, name: string): JsonRecord | null {
  const section = document[name];
  return isRecord(section) && isRecord(section.error) ? section.error : null;
}

function isNumberList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'number');
}

function textOf(error: JsonRecord, key: string): string {
  const value = error[key];
  return typeof value === 'string' ? value : '';
}

function firstLine(text: string): string {
  return text.split(/\r?\n/).find((line) => line.trim() !== '')?.trim() ?? '';
}

function isNotThere(error: JsonRecord): boolean {
  return NOT_THERE_TYPES.includes(textOf(error, 'type')) || textOf(error, 'category') === 'ObjectNotFound';
}

/** The single item of a one-item section, or null for an empty list. */
function single<T>(items: T[], name: string): T | null {
  if (items.length > 1) throw new AgentError('ERR_PARSE', `The "${name}" section holds ${items.length} items, not one.`);
  return items[0] ?? null;
}

function readRegistry(document: JsonRecord): Pick<SecureBootProbeReading, 'registry' | 'registryProblem'> {
  const error = sectionError(document, 'state');
  if (error && isNotThere(error)) return { registry: { keyFound: false, uefiSecureBootEnabled: null }, registryProblem: null };
  const section = readSection(document, 'state', (item) => numberField(item, 'uefiSecureBootEnabled'));
  if (!section.ok) return { registry: null, registryProblem: section.problem };
  const item = single(section.items, 'state');
  return { registry: { keyFound: true, uefiSecureBootEnabled: item ?? null }, registryProblem: null };
}

function readFirmwareType(document: JsonRecord): SecureBootProbeReading['firmwareType'] {
  const error = sectionError(document, 'firmware');
  if (error) return null;
  const section = readSection(document, 'firmware', (item) => numberField(item, 'peFirmwareType'));
  const value = section.ok ? single(section.items, 'firmware') : null;
  return value === 2 ? 'uefi' : value === 1 ? 'bios' : null;
}

function readConfirm(document: JsonRecord): SecureBootProbeReading['confirm'] {
  const error = sectionError(document, 'confirm');
  if (error) {
    const message = firstLine(textOf(error, 'message')) || null;
    const both = `${textOf(error, 'message')} ${textOf(error, 'id')}`;
    if (textOf(error, 'type') === 'System.PlatformNotSupportedException' || STATUS_NOT_IMPLEMENTED.test(both)) return { outcome: 'not-supported', message };
    if (STATUS_VARIABLE_NOT_FOUND.test(both)) return { outcome: 'variable-undefined', message };
  }
  const section = readSection(document, 'confirm', (item) => booleanField(item, 'enabled'));
  if (!section.ok) {
    const outcome = section.problem.kind === 'access-denied' ? 'access-denied' : section.problem.kind === 'not-available' ? 'unavailable' : 'failed';
    return { outcome, message: section.problem.message };
  }
  const enabled = single(section.items, 'confirm');
  if (enabled === null) throw new AgentError('ERR_PARSE', 'Confirm-SecureBootUEFI answered neither True nor False.');
  return { outcome: enabled ? 'true' : 'false', message: null };
}

function readSetupMode(document: JsonRecord): boolean | null {
  if (sectionError(document, 'setupMode')) return null;
  const section = readSection(document, 'setupMode', (item) => {
    // Windows PowerShell 5.1 may wrap an array as {"value":[...],"Count":n}.
    const bytes = isRecord(item.bytes) && Array.isArray(item.bytes.value) ? (item.bytes.value as unknown[]) : item.bytes;
    if (!isNumberList(bytes)) throw new AgentError('ERR_PARSE', `SetupMode's bytes are ${JSON.stringify(bytes)}, not a list of numbers.`);
    return bytes;
  });
  const bytes = section.ok ? single(section.items, 'setupMode') : null;
  if (bytes === null) return null;
  if (bytes.length !== 1 || (bytes[0] !== 0 && bytes[0] !== 1)) throw new AgentError('ERR_PARSE', `SetupMode holds [${bytes.join(', ')}], not one byte 0 or 1.`);
  return bytes[0] === 1;
}

export function parseSecureBootJson(text: string): SecureBootProbeReading {
  const document = parsePowerShellDocument(text, SECURE_BOOT_PROBE);
  return { ...readRegistry(document), firmwareType: readFirmwareType(document), confirm: readConfirm(document), setupMode: readSetupMode(document) };
}
