/**
 * `reg.exe query "HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion"`: the key's path, then one line
 * per value, `    <name>    <REG_TYPE>    <data>` (four-space separators; an empty REG_SZ has no data
 * column; REG_DWORD data in hex, `0x116c` = 4460), then the subkeys' full paths. A filtered query
 * ends with a localised `End of search: N match(es) found.` / `Ende der Suche: ...` line, the only
 * localised text (shared fixtures README, W6). Errors go to stderr as `ERROR: ...` (localised).
 */
import { AgentError } from '../../shared/errors.js';
import { parseRegistryKey, registryInteger, registryString } from '../windows/parse-registry-key.js';
import {
  FIRST_WINDOWS_10_BUILD,
  windowsDisplayVersion,
  windowsProductName,
  windowsVersionNumbers,
  type WindowsVersion,
} from '../windows/windows-version.js';

export const CURRENT_VERSION_KEY = 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion';
export function parseRegQuery(text: string): WindowsVersion {
  const values = parseRegistryKey(text, CURRENT_VERSION_KEY);
  const build = registryInteger(values, 'CurrentBuild') ?? registryInteger(values, 'CurrentBuildNumber');
  if (build === null) throw new AgentError('ERR_PARSE', `reg.exe listed ${CURRENT_VERSION_KEY} without a CurrentBuild value.`);
  const major = registryInteger(values, 'CurrentMajorVersionNumber');
  const minor = registryInteger(values, 'CurrentMinorVersionNumber');
  // CurrentVersion is frozen at 6.3 from Windows 10 on: only older builds may be numbered by it.
  const legacy = build < FIRST_WINDOWS_10_BUILD ? registryString(values, 'CurrentVersion') : null;
  const majorMinor = major !== null && minor !== null ? `${major}.${minor}` : legacy;
  if (majorMinor === null || !/^\d+\.\d+$/.test(majorMinor)) {
    throw new AgentError('ERR_PARSE', `reg.exe listed ${CURRENT_VERSION_KEY} without a readable version number.`);
  }
  return {
    name: windowsProductName(registryString(values, 'ProductName'), registryString(values, 'InstallationType'), build),
    ...windowsVersionNumbers(majorMinor, build, registryInteger(values, 'UBR')),
    displayVersion: windowsDisplayVersion(registryString(values, 'DisplayVersion'), registryString(values, 'ReleaseId')),
  };
}
