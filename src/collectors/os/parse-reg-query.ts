/**
 * `reg.exe query "HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion"`: the key's path, then one line
 * per value, `    <name>    <REG_TYPE>    <data>` (four-space separators; an empty REG_SZ has no data
 * column; REG_DWORD data in hex, `0x116c` = 4460), then the subkeys' full paths. A filtered query
 * ends with a localised `End of search: N match(es) found.` / `Ende der Suche: ...` line, the only
 * localised text (shared fixtures README, W6). Errors go to stderr as `ERROR: ...` (localised).
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';
import {
  FIRST_WINDOWS_10_BUILD,
  windowsDisplayVersion,
  windowsProductName,
  windowsVersionNumbers,
  type WindowsVersion,
} from '../windows/windows-version.js';

export const CURRENT_VERSION_KEY = 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion';
const KEY_LINE = /^HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion$/i;
const SUBKEY_LINE = /^HKEY_/i;
/** The registry value types reg.exe prints (learn.microsoft.com/windows/win32/sysinfo/registry-value-types). */
const VALUE_LINE =
  /^\s+(\S(?:.*?\S)?)\s{4}(REG_(?:SZ|EXPAND_SZ|MULTI_SZ|DWORD|DWORD_BIG_ENDIAN|QWORD|BINARY|NONE|LINK|RESOURCE_LIST|FULL_RESOURCE_DESCRIPTOR|RESOURCE_REQUIREMENTS_LIST))(?:\s{4}(.*))?$/;
/** reg.exe's "Access is denied." in English, German, French and Spanish. */
const ACCESS_DENIED = /access is denied|zugriff verweigert|acc.s refus|acceso denegado/i;
/** ERROR / FEHLER / ERREUR prefixes. */
const ERROR_LINE = /^(error|fehler|erreur)\s*:/i;

interface RegistryValue {
  type: string;
  data: string;
}

function refusal(line: string): AgentError {
  if (ACCESS_DENIED.test(line)) return new AgentError('ERR_ACCESS_DENIED', `reg.exe could not read ${CURRENT_VERSION_KEY}: ${line}`);
  if (ERROR_LINE.test(line)) return new AgentError('ERR_COMMAND_FAILED', `reg.exe could not read ${CURRENT_VERSION_KEY}: ${line}`);
  return new AgentError('ERR_PARSE', `reg.exe printed something other than ${CURRENT_VERSION_KEY}: ${line.slice(0, 200)}`);
}

/** The key's values by name (case-insensitive names, as in the registry). */
function parseRegistryValues(text: string): Map<string, RegistryValue> {
  const all = lines(text).map((line) => line.trimEnd());
  const start = all.findIndex((line) => line.trim() !== '');
  if (start < 0) throw new AgentError('ERR_EMPTY_OUTPUT', `reg.exe printed nothing for ${CURRENT_VERSION_KEY}.`);
  if (!KEY_LINE.test(all[start]!.trim())) throw refusal(all[start]!.trim());
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

function stringValue(values: Map<string, RegistryValue>, name: string): string | null {
  const value = values.get(name.toLowerCase());
  return value && value.data !== '' ? value.data : null;
}

/** A REG_DWORD (hex, as reg.exe prints it) or a decimal REG_SZ; null when absent or malformed. */
function integer(values: Map<string, RegistryValue>, name: string): number | null {
  const value = values.get(name.toLowerCase());
  if (!value) return null;
  if (value.type === 'REG_DWORD' && /^0x[0-9a-f]+$/i.test(value.data)) return Number.parseInt(value.data.slice(2), 16);
  if (value.type === 'REG_SZ' && /^\d+$/.test(value.data)) return Number.parseInt(value.data, 10);
  return null;
}

export function parseRegQuery(text: string): WindowsVersion {
  const values = parseRegistryValues(text);
  const build = integer(values, 'CurrentBuild') ?? integer(values, 'CurrentBuildNumber');
  if (build === null) throw new AgentError('ERR_PARSE', `reg.exe listed ${CURRENT_VERSION_KEY} without a CurrentBuild value.`);
  const major = integer(values, 'CurrentMajorVersionNumber');
  const minor = integer(values, 'CurrentMinorVersionNumber');
  // CurrentVersion is frozen at 6.3 from Windows 10 on: only older builds may be numbered by it.
  const legacy = build < FIRST_WINDOWS_10_BUILD ? stringValue(values, 'CurrentVersion') : null;
  const majorMinor = major !== null && minor !== null ? `${major}.${minor}` : legacy;
  if (majorMinor === null || !/^\d+\.\d+$/.test(majorMinor)) {
    throw new AgentError('ERR_PARSE', `reg.exe listed ${CURRENT_VERSION_KEY} without a readable version number.`);
  }
  return {
    name: windowsProductName(stringValue(values, 'ProductName'), stringValue(values, 'InstallationType'), build),
    ...windowsVersionNumbers(majorMinor, build, integer(values, 'UBR')),
    displayVersion: windowsDisplayVersion(stringValue(values, 'DisplayVersion'), stringValue(values, 'ReleaseId')),
  };
}
