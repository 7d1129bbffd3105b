/**
 * The JSON document a PowerShell probe prints (powershell-prelude.ts): `{ "probe": name, <section>:
 * { "data": [...] } | { "error": {...} }, ... }`, one line, possibly after a UTF-8 byte order mark.
 * Pure: reads text, returns values, throws AgentError on anything else.
 */
import { AgentError, type ErrorCode } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export type JsonRecord = Record<string, unknown>;

/** Why a section has no data: the source is not on this machine, refused us, or failed otherwise. */
type SectionProblemKind = 'not-available' | 'access-denied' | 'failed';

export interface SectionProblem {
  kind: SectionProblemKind;
  message: string;
}

export type SectionResult<T> = { ok: true; items: T[] } | { ok: false; problem: SectionProblem };

/** How a source fared, as the readings report it: read, or the problem that stopped it. */
export type SourceStatus = 'read' | SectionProblem;

/** WMI and Win32 HRESULTs (learn.microsoft.com/windows/win32/wmisdk/wmi-error-constants). */
const E_ACCESSDENIED = 0x80070005;
const WBEM_E_ACCESS_DENIED = 0x80041003;
const WBEM_E_INVALID_NAMESPACE = 0x8004100e;
const WBEM_E_INVALID_CLASS = 0x80041010;
/** Microsoft.Management.Infrastructure.NativeErrorCode names carried by CimException. */
const NATIVE_ACCESS_DENIED = 'AccessDenied';
const NATIVE_NOT_AVAILABLE = ['InvalidNamespace', 'InvalidClass'];

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstLine(text: string): string {
  return lines(text).find((line) => line.trim() !== '')?.trim() ?? '';
}

/** The document of the named probe; ERR_EMPTY_OUTPUT, ERR_PARSE otherwise. */
export function parsePowerShellDocument(text: string, probe: string): JsonRecord {
  const body = text.replace(/^\uFEFF/, '').trim();
  if (body === '') throw new AgentError('ERR_EMPTY_OUTPUT', `The ${probe} PowerShell probe printed nothing.`);
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    throw new AgentError('ERR_PARSE', `The ${probe} PowerShell probe did not print its JSON document; it printed: ${firstLine(body).slice(0, 200)}`);
  }
  if (!isRecord(document) || document.probe !== probe) {
    throw new AgentError('ERR_PARSE', `The ${probe} PowerShell probe printed JSON that is not its document.`);
  }
  return document;
}

function parseError(what: string, detail: string): AgentError {
  return new AgentError('ERR_PARSE', `${what}: ${detail}`);
}

/** A string field; null when absent or null. */
export function stringField(record: JsonRecord, key: string): string | null {
  const value = record[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw parseError(key, `expected text, found ${JSON.stringify(value)}`);
  return value;
}

/** Text that PowerShell may have rendered as a number (a REG_DWORD, a version): kept as text. */
export function textOrNumberField(record: JsonRecord, key: string): string | null {
  const value = record[key];
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return stringField(record, key);
}

/** A number field; null when absent, null or an empty string (how PowerShell renders a missing value). */
export function numberField(record: JsonRecord, key: string): number | null {
  const value = record[key];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw parseError(key, `expected a number, found ${JSON.stringify(value)}`);
  return value;
}

/** A boolean field; null when absent or null. */
export function booleanField(record: JsonRecord, key: string): boolean | null {
  const value = record[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'boolean') throw parseError(key, `expected true or false, found ${JSON.stringify(value)}`);
  return value;
}

/** A JSON array; Windows PowerShell 5.1's `{"value":[...],"Count":n}` wrapping is unwrapped. */
function arrayOf(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value as unknown[];
  if (isRecord(value) && Array.isArray(value.value) && typeof value.Count === 'number') return value.value as unknown[];
  return undefined;
}

function hresultsOf(error: JsonRecord): number[] {
  const found: number[] = [];
  const hresult = error.hresult;
  if (typeof hresult === 'number') found.push(hresult >>> 0);
  // Get-CimInstance names the WMI status in its error id: "HRESULT 0x8004100e,Microsoft.Management...".
  const id = typeof error.id === 'string' ? /HRESULT 0x([0-9a-f]{8})/i.exec(error.id) : null;
  if (id) found.push(Number.parseInt(id[1]!, 16));
  return found;
}

/** Sorts a section's error into not-available, access-denied or failed, by codes rather than by (localised) text. */
function classifySectionError(error: JsonRecord): SectionProblem {
  const text = (key: string): string => (typeof error[key] === 'string' ? error[key] : '');
  const hresults = hresultsOf(error);
  const message = firstLine(text('message')) || 'no message';
  const accessDenied =
    text('native') === NATIVE_ACCESS_DENIED ||
    text('category') === 'PermissionDenied' ||
    text('type') === 'System.UnauthorizedAccessException' ||
    hresults.some((code) => code === E_ACCESSDENIED || code === WBEM_E_ACCESS_DENIED);
  if (accessDenied) return { kind: 'access-denied', message };
  const notAvailable =
    NATIVE_NOT_AVAILABLE.includes(text('native')) ||
    text('type') === 'System.Management.Automation.CommandNotFoundException' ||
    text('id').startsWith('CommandNotFoundException') ||
    hresults.some((code) => code === WBEM_E_INVALID_NAMESPACE || code === WBEM_E_INVALID_CLASS);
  if (notAvailable) return { kind: 'not-available', message };
  return { kind: 'failed', message };
}

/** One section of the document, each item read by `readItem` (which may throw ERR_PARSE). */
export function readSection<T>(document: JsonRecord, name: string, readItem: (item: JsonRecord) => T): SectionResult<T> {
  const section = document[name];
  if (!isRecord(section)) throw new AgentError('ERR_PARSE', `The PowerShell document has no "${name}" section.`);
  if (isRecord(section.error)) return { ok: false, problem: classifySectionError(section.error) };
  const data = arrayOf(section.data);
  if (!data) throw new AgentError('ERR_PARSE', `The "${name}" section has neither data nor an error.`);
  return {
    ok: true,
    items: data.map((item) => {
      if (!isRecord(item)) throw new AgentError('ERR_PARSE', `The "${name}" section holds ${JSON.stringify(item)}, not a record.`);
      return readItem(item);
    }),
  };
}

export function sourceStatus(section: SectionResult<unknown>): SourceStatus {
  return section.ok ? 'read' : section.problem;
}

/** The report's error code for a section problem. */
export function problemCode(problem: SectionProblem): ErrorCode {
  switch (problem.kind) {
    case 'access-denied':
      return 'ERR_ACCESS_DENIED';
    case 'not-available':
      return 'ERR_UNSUPPORTED';
    case 'failed':
      return 'ERR_COMMAND_FAILED';
  }
}
