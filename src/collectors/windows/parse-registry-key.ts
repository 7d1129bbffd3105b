/**
 * `reg.exe query <KEY>` output: the key's full path (HKEY_LOCAL_MACHINE\...), then one line per
 * value, `    <name>    <REG_TYPE>    <data>` (four-space separators; an empty REG_SZ has no data
 * column; REG_DWORD data in hex), then the subkeys' full paths. A filtered query ends with a
 * localised `End of search: N match(es) found.` line. Errors are `ERROR: ...` (localised). Pure.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

const SUBKEY_LINE = /^HKEY_/i;
/** The registry value types reg.exe prints (learn.microsoft.com/windows/win32/sysinfo/registry-value-types). */
const VALUE_LINE =
  /^\s+(\S(?:.*?\S)?)\s{4}(REG_(?:SZ|EXPAND_SZ|MULTI_SZ|DWORD|DWORD_BIG_ENDIAN|QWORD|BINARY|NONE|LINK|RESOURCE_LIST|FULL_RESOURCE_DESCRIPTOR|RESOURCE_REQUIREMENTS_LIST))(?:\s{4}(.*))?$/;
/** reg.exe's "Access is denied." in English, German, French and Spanish. */
const ACCESS_DENIED = /access is denied|zugriff verweigert|acc.s refus|acceso denegado/i;
/** ERROR / FEHLER / ERREUR prefixes. */
const ERROR_LINE = /^(error|fehler|erreur)\s*:/i;

export interface RegistryValue {
  type: string;
  data: string;
}

/** `HKLM\SOFTWARE\...` as reg.exe prints it: `HKEY_LOCAL_MACHINE\SOFTWARE\...`. */
function printedKey(key: string): string {
  return key.replace(/^HKLM\\/i, 'HKEY_LOCAL_MACHINE\\').replace(/^HKCU\\/i, 'HKEY_CURRENT_USER\\').toLowerCase();
}

function refusal(key: string, line: string): AgentError {
  if (ACCESS_DENIED.test(line)) return new AgentError('ERR_ACCESS_DENIED', `reg.exe could not read ${key}: ${line}`);
  if (ERROR_LINE.test(line)) return new AgentError('ERR_COMMAND_FAILED', `reg.exe could not read ${key}: ${line}`);
  return new AgentError('ERR_PARSE', `reg.exe printed something other than ${key}: ${line.slice(0, 200)}`);
}

/** The key's values by lower-cased name (registry names are case-insensitive). */
export function parseRegistryKey(text: string, key: string): Map<string, RegistryValue> {
  const all = lines(text).map((line) => line.trimEnd());
  const start = all.findIndex((line) => line.trim() !== '');
  if (start < 0) throw new AgentError('ERR_EMPTY_OUTPUT', `reg.exe printed nothing for ${key}.`);
  if (all[start]!.trim().toLowerCase() !== printedKey(key)) throw refusal(key, all[start]!.trim());
  const values = new Map<string, RegistryValue>();
  for (const line of all.slice(start + 1)) {
    if (SUBKEY_LINE.test(line)) break;
    const match = VALUE_LINE.exec(line);
    if (match) {
      values.set(match[1]!.toLowerCase(), { type: match[2]!, data: (match[3] ?? '').trim() });
    } else if (/^\s/.test(line) && line.trim() !== '') {
      throw new AgentError('ERR_PARSE', `reg.exe printed a value line that is cut off or malformed: "${line.trim()}"`);
    }
    // Anything else is a blank line or the localised "End of search" summary.
  }
  return values;
}

/** A REG_DWORD (hex, as reg.exe prints it) or a decimal REG_SZ; null when absent or malformed. */
export function registryInteger(values: ReadonlyMap<string, RegistryValue>, name: string): number | null {
  const value = values.get(name.toLowerCase());
  if (!value) return null;
  if (value.type === 'REG_DWORD' && /^0x[0-9a-f]+$/i.test(value.data)) return Number.parseInt(value.data.slice(2), 16);
  if (value.type === 'REG_SZ' && /^\d+$/.test(value.data)) return Number.parseInt(value.data, 10);
  return null;
}

/** A string value; null when absent or empty. */
export function registryString(values: ReadonlyMap<string, RegistryValue>, name: string): string | null {
  const value = values.get(name.toLowerCase());
  return value && value.data !== '' ? value.data : null;
}
