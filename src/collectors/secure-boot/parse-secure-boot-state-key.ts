/**
 * `reg.exe query HKLM\SYSTEM\CurrentControlSet\Control\SecureBoot\State`: the key Windows writes at
 * boot on UEFI machines, with UEFISecureBootEnabled REG_DWORD 0x1 (Secure Boot on) or 0x0 (off, or
 * the firmware in Setup Mode). A standard user can read it. The key is missing on legacy BIOS
 * installations; reg.exe then says so in the system's language (`ERROR: The system was unable to
 * find the specified registry key or value.`, `FEHLER: Der angegebene Registrierungsschlüssel bzw.
 * Wert wurde nicht gefunden.`, `ERREUR : Le système n’a pas trouvé la clé ou la valeur de Registre
 * spécifiée.`, ...). Non-ASCII letters may arrive as one stray character (the console code page
 * read as latin1), so patterns write them as `.`. Pure.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';
import { parseRegistryKey, registryInteger } from '../windows/parse-registry-key.js';

export const SECURE_BOOT_STATE_KEY = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecureBoot\\State';
const VALUE_NAME = 'UEFISecureBootEnabled';

/** reg.exe's "key or value not found" in English, German, French and Spanish (Microsoft's localised docs quote them). */
const NOT_FOUND = [
  /unable to find the specified registry key or value/i,
  /registrierungsschl.{1,2}ssel bzw\. wert wurde nicht gefunden/i,
  /la cl.{1,2} ou la valeur de registre sp.{1,2}cifi.{1,2}e/i,
  /no pudo encontrar la clave o el valor del registro/i,
];

export interface SecureBootStateKey {
  keyFound: boolean;
  /** The DWORD as a number; null when the key has no such value. */
  uefiSecureBootEnabled: number | null;
}

export function parseSecureBootStateKey(text: string): SecureBootStateKey {
  const first = lines(text).find((line) => line.trim() !== '')?.trim();
  if (first !== undefined && NOT_FOUND.some((pattern) => pattern.test(first))) return { keyFound: false, uefiSecureBootEnabled: null };
  const values = parseRegistryKey(text, SECURE_BOOT_STATE_KEY);
  const raw = values.get(VALUE_NAME.toLowerCase());
  if (!raw) return { keyFound: true, uefiSecureBootEnabled: null };
  const value = registryInteger(values, VALUE_NAME);
  if (value === null) throw new AgentError('ERR_PARSE', `${VALUE_NAME} is ${raw.type} "${raw.data}", not a number.`);
  return { keyFound: true, uefiSecureBootEnabled: value };
}
