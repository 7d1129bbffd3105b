/**
 * `powercfg /qh <scheme> <subgroup> <setting>` (learn.microsoft.com/windows-hardware/design/
 * device-experiences/powercfg-command-line-options; `/qh` is `/query` including hidden settings,
 * which CONSOLELOCK is: `/query` prints only the scheme header for it). The labels are in the
 * Windows display language (`Current AC Power Setting Index`, `Index der aktuellen
 * Wechselstromeinstellung`, `Index du paramètre d'alimentation sur secteur actuel`); the GUIDs, the
 * `0x........` values and their order are not. So each block is keyed by the GUID line that opens
 * it, and a setting's current values are the last two hexadecimal values of its block: AC, then DC
 * (a range setting prints its minimum, maximum and increment as hexadecimal before them). Pure.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export interface PowerSettingIndex {
  /** The setting's GUID, lower case. */
  setting: string;
  ac: number;
  dc: number;
}

/** Power setting GUIDs (powercfg /aliases). */
export const CONSOLELOCK = '0e796bdb-100d-47d6-a2d5-f7d2daa51f51';
export const STANDBYIDLE = '29f6c1db-86da-48c5-9fdb-f2b67b1f44da';

const GUID = /\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/i;
const HEX_VALUE = /:\s*0x([0-9a-f]{1,8})\s*$/i;
/** "Access is denied." and powercfg's "You may not have permission to perform this operation." (en, de, fr, es). */
const ACCESS_DENIED = /access is denied|may not have permission|zugriff verweigert|acc.s refus|acceso denegado/i;
const DOES_NOT_EXIST = /does not exist|existiert nicht|n'existe pas|no existe/i;

/** Every setting block with its current AC and DC index; a header-only answer gives []. */
export function parsePowercfgQuery(text: string): PowerSettingIndex[] {
  const all = lines(text).map((line) => line.trimEnd()).filter((line) => line.trim() !== '');
  if (all.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', 'powercfg printed nothing.');
  const blocks: { guid: string; values: number[] }[] = [];
  for (const line of all) {
    const guid = GUID.exec(line);
    if (guid) {
      blocks.push({ guid: guid[1]!.toLowerCase(), values: [] });
      continue;
    }
    const hex = HEX_VALUE.exec(line);
    if (hex && blocks.length > 0) blocks.at(-1)!.values.push(Number.parseInt(hex[1]!, 16));
  }
  if (blocks.length === 0) {
    const first = all[0]!.trim();
    if (ACCESS_DENIED.test(text)) throw new AgentError('ERR_ACCESS_DENIED', `powercfg was refused: ${first}`);
    if (DOES_NOT_EXIST.test(text)) throw new AgentError('ERR_NOT_FOUND', `powercfg: ${first}`);
    throw new AgentError('ERR_PARSE', `powercfg printed no power scheme: ${first.slice(0, 200)}`);
  }
  return blocks
    .filter((block) => block.values.length >= 2)
    .map((block) => ({ setting: block.guid, ac: block.values.at(-2)!, dc: block.values.at(-1)! }));
}
