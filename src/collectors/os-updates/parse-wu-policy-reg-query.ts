/**
 * `reg.exe query HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU`: the Group Policy
 * "Configure Automatic Updates" values (windows/parse-registry-key.ts reads the format), used only
 * when the PowerShell probe could not run. Most machines have no such policy: reg.exe then fails
 * with a localised "key not found" message and exit code 1, which means "no policy", not an error.
 * The messages are matched in English, German and French (seen in real output) and Spanish
 * (Microsoft's wording, unverified); anything else stays an error. Pure.
 */
import { AgentError } from '../../shared/errors.js';
import { parseRegistryKey, registryInteger } from '../windows/parse-registry-key.js';
import type { WindowsUpdatePolicy } from './parse-os-updates-json.js';

export const WU_POLICY_KEY = 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU';

const NOT_FOUND = [
  /unable to find the specified registry key or value/i,
  /Registrierungsschl.ssel bzw\. Wert wurde nicht gefunden/i,
  /cl. ou la valeur de Registre sp.cifi.e/i,
  /no (?:pudo|puede) encontrar la clave o el valor del Registro/i,
];

/** The policy values, or null when the key does not exist (no Windows Update policy). */
export function parseWuPolicyRegQuery(text: string): WindowsUpdatePolicy | null {
  const first = text.replace(/^\uFEFF/, '').trim().split(/\r*\n/)[0] ?? '';
  if (NOT_FOUND.some((pattern) => pattern.test(first))) return null;
  const values = parseRegistryKey(text, WU_POLICY_KEY);
  if (values.size === 0) throw new AgentError('ERR_PARSE', `reg.exe printed the key ${WU_POLICY_KEY} without any value.`);
  return {
    noAutoUpdate: registryInteger(values, 'NoAutoUpdate'),
    auOptions: registryInteger(values, 'AUOptions'),
    scheduledInstallDay: registryInteger(values, 'ScheduledInstallDay'),
    scheduledInstallTime: registryInteger(values, 'ScheduledInstallTime'),
    useWUServer: registryInteger(values, 'UseWUServer'),
  };
}
