/**
 * The os fallback probe's document (windows/os-script.ts): Win32_OperatingSystem's Caption and
 * Version, and the registry's DisplayVersion, ReleaseId and UBR. Caption is localised but already
 * right about Windows 11 ("Microsoft Windows 11 Pro"); Version is `10.0.<build>`.
 */
import { AgentError } from '../../shared/errors.js';
import {
  numberField,
  parsePowerShellDocument,
  problemCode,
  readSection,
  stringField,
  type JsonRecord,
} from '../windows/parse-powershell-document.js';
import { windowsDisplayVersion, windowsVersionNumbers, withoutVendor, type WindowsVersion } from '../windows/windows-version.js';

const OS_PROBE = 'os';

interface OperatingSystemRecord {
  caption: string | null;
  version: string | null;
}

interface CurrentVersionRecord {
  displayVersion: string | null;
  releaseId: string | null;
  ubr: number | null;
}

function operatingSystem(item: JsonRecord): OperatingSystemRecord {
  return { caption: stringField(item, 'caption'), version: stringField(item, 'version') };
}

function currentVersion(item: JsonRecord): CurrentVersionRecord {
  return { displayVersion: stringField(item, 'displayVersion'), releaseId: stringField(item, 'releaseId'), ubr: numberField(item, 'ubr') };
}

export function parseOsJson(text: string): WindowsVersion {
  const document = parsePowerShellDocument(text, OS_PROBE);
  const os = readSection(document, 'operatingSystem', operatingSystem);
  if (!os.ok) throw new AgentError(problemCode(os.problem), `Win32_OperatingSystem could not be read: ${os.problem.message}`);
  const record = os.items[0];
  const numbers = record?.version ? /^(\d+\.\d+)\.(\d+)$/.exec(record.version) : null;
  if (!record || !numbers) throw new AgentError('ERR_PARSE', 'Win32_OperatingSystem gave no version number.');
  // The registry section only adds detail: without it the version stands and build stays null.
  const registry = readSection(document, 'currentVersion', currentVersion);
  const extra = registry.ok ? registry.items[0] : undefined;
  return {
    name: record.caption ? withoutVendor(record.caption) : null,
    ...windowsVersionNumbers(numbers[1]!, Number.parseInt(numbers[2]!, 10), extra?.ubr ?? null),
    displayVersion: windowsDisplayVersion(extra?.displayVersion ?? null, extra?.releaseId ?? null),
  };
}
