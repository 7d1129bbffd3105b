/**
 * `manage-bde -status` (all volumes), in the console's language and code page (shared fixtures
 * README, W1). Per volume: a header `Volume C: [Label]` (German `Volume "C:" []`, Japanese
 * `ボリューム C: [...]`), a role line `[OS Volume]` / `[Data Volume]`, then indented `label: value`
 * lines in a fixed order: Size, BitLocker Version, Conversion Status, Percentage Encrypted,
 * Encryption Method, Protection Status, Lock Status, Identification Field, Automatic Unlock (data
 * volumes only), Key Protectors (inline `None Found` or an indented list).
 *
 * Labels are localised and can run into their value (`Campo de identificación:Desconocido`), so
 * fields are read BY POSITION, split on the first colon, and checked by shape (Size ends in `GB`,
 * the percentage in `%`). Values are matched against per-language tables (English, German, Spanish,
 * French, Japanese); a value in no table stays unknown. Decimal commas (`100,0%`, `3,5 %`) and
 * locked volumes (`Unknown%`, `Desconocido%`) are handled.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';
import { lookupWord, normalizeWord, type WordTable } from '../windows/localized-words.js';
import {
  conversionOf,
  isEncrypted,
  isFullyEncrypted,
  isWaitingForActivation,
  normalizeMount,
  protectionOf,
  WAITING_FOR_ACTIVATION,
  type Conversion,
  type Protection,
} from '../windows/bitlocker-volume.js';
import type { EncryptedVolume } from './schema.js';

const CONVERSION: WordTable<Conversion | 'unknown'> = [
  ['fully-decrypted', /^(fully decrypted|vollst.ndig entschl.sselt|totalmente descifrado|enti.rement d.chiffr.|暗号化は完全に解除されています)$/],
  ['fully-encrypted', /^(fully encrypted|vollst.ndig verschl.sselt|totalmente cifrado|enti.rement chiffr.|完全に暗号化されています)$/],
  ['used-space-only-encrypted', /^(used space only encrypted|nur verwendeter speicherplatz (ist )?verschl.sselt|cifrado solo de espacio usado|seul l.espace utilis. est chiffr.|使用済みの領域のみ暗号化されています)$/],
  ['encryption-in-progress', /^(encryption in progress|verschl.sselung wird durchgef.hrt|cifrado en curso|chiffrement en cours|暗号化しています)$/],
  ['decryption-in-progress', /^(decryption in progress|entschl.sselung wird durchgef.hrt|descifrado en curso|d.chiffrement en cours|暗号化を解除しています)$/],
  ['encryption-paused', /^(encryption paused|verschl.sselung angehalten|cifrado en pausa|chiffrement suspendu|暗号化は一時停止しています)$/],
  ['decryption-paused', /^(decryption paused|entschl.sselung angehalten|descifrado en pausa|d.chiffrement suspendu|暗号化の解除は一時停止しています)$/],
  ['unknown', /^(unknown|unbekannt|desconocido|inconnu|不明)$/],
];
const PROTECTION: WordTable<'on' | 'off' | 'unknown'> = [
  ['on', /^(protection on|der schutz ist aktiviert|protecci.n activada|protection activ.e|保護はオンです)$/],
  ['off', /^(protection off|der schutz ist deaktiviert|protecci.n desactivada|protection d.sactiv.e|保護はオフです)$/],
  ['unknown', /^(unknown|unbekannt|desconocido|inconnu|不明)$/],
];
const LOCK: WordTable<boolean> = [
  [true, /^(locked|gesperrt|bloqueado|verrouill.|ロック)$/],
  [false, /^(unlocked|entsperrt|desbloqueado|d.verrouill.|ロック解除)$/],
];
const NO_KEY_PROTECTORS = /^(none found|none|keine gefunden|kein|no se encontr. ninguno|ninguno|aucun trouv.|aucun|見つかりません|なし)$/;
const OS_ROLE = /^\[(os volume|betriebssystemvolume|volumen del sistema operativo|volume du syst.me d.exploitation|os ボリューム)\]$/i;
const ROLE_LINE = /^\[.*\]$/;
const HEADER_LINE = /^(\S.*?)\s*\[(.*)\]$/;
/** "Protection Off (2 reboots left)": suspended for a number of restarts. */
const REBOOT_COUNT = /^(.*?)\s*\((.*\d.*)\)\.?$/;
const PERCENTAGE = /^(\d+(?:[.,]\d+)?)\s*%$/;
const ERROR_LINE = /^(error|fehler|erreur|エラー)\s*:/i;
const ACCESS_DENIED = /required resource was denied|zugriff.*verweigert|acc.s.*refus|acceso.*denegado|アクセスが拒否/i;

/** Positions of the fields every volume block has (the table above). */
const FIELD = { size: 0, conversion: 2, percentage: 3, method: 4, protection: 5, lock: 6 } as const;
/** Through Lock Status: a block with fewer fields was cut off. */
const MIN_FIELDS = 7;
/** Key Protectors is the last field when the block is complete (it follows Identification Field). */
const KEY_PROTECTORS_FROM = 9;

interface Field {
  value: string;
  continuation: string[];
}

interface Block {
  mount: string;
  role: string;
  fields: Field[];
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function refusal(text: string): AgentError {
  const error = lines(text).map((line) => line.trim()).find((line) => ERROR_LINE.test(line));
  if (error && ACCESS_DENIED.test(error)) return new AgentError('ERR_ACCESS_DENIED', `manage-bde refused: ${error} (it needs administrator rights).`);
  if (error) return new AgentError('ERR_COMMAND_FAILED', `manage-bde failed: ${error}`);
  return new AgentError('ERR_PARSE', 'manage-bde printed no volume.');
}

function mountOf(header: string): string {
  const token = header.split(/\s+/).pop() ?? header;
  return normalizeMount(token.replace(/^"|"$/g, ''));
}

function nextContentLine(all: string[], from: number): number {
  for (let index = from; index < all.length; index += 1) if (all[index]!.trim() !== '') return index;
  return -1;
}

/** Volume blocks: a header followed by a role line, then indented fields; deeper lines continue the last field. */
function readBlocks(all: string[]): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  let baseIndent = -1;
  for (let index = 0; index < all.length; index += 1) {
    const line = all[index]!;
    if (line.trim() === '') continue;
    const header = indentOf(line) === 0 ? HEADER_LINE.exec(line) : null;
    const roleIndex = nextContentLine(all, index + 1);
    if (header && roleIndex > 0 && ROLE_LINE.test(all[roleIndex]!.trim())) {
      current = { mount: mountOf(header[1]!), role: all[roleIndex]!.trim(), fields: [] };
      blocks.push(current);
      baseIndent = -1;
      index = roleIndex;
      continue;
    }
    if (!current || indentOf(line) === 0) continue;
    if (baseIndent < 0) baseIndent = indentOf(line);
    const last = current.fields[current.fields.length - 1];
    if (indentOf(line) > baseIndent && last) {
      last.continuation.push(line.trim());
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) throw new AgentError('ERR_PARSE', `manage-bde printed a line that is not a field in the block of ${current.mount}: "${line.trim()}"`);
    current.fields.push({ value: line.slice(colon + 1).trim(), continuation: [] });
  }
  return blocks;
}

function percentage(value: string): number | null {
  const match = PERCENTAGE.exec(value);
  return match ? Number.parseFloat(match[1]!.replace(',', '.')) : null;
}

function method(value: string): string | null {
  const aes = /(XTS-)?AES[ -]?(128|256)/i.exec(value);
  if (aes) return `BitLocker ${aes[1] ? 'XTS-' : ''}AES ${aes[2]}${/diffuser|difus/i.test(value) ? ' with Diffuser' : ''}`;
  if (/hardware|mat.riel/i.test(value)) return 'BitLocker Hardware Encryption';
  return null;
}

function protectionWord(value: string): { on: boolean | null; rebootCount: boolean } {
  const counted = REBOOT_COUNT.exec(value.trim());
  const word = lookupWord(counted ? counted[1]! : value, PROTECTION);
  return { on: word === 'on' ? true : word === 'off' ? false : null, rebootCount: counted !== null && word === 'off' };
}

function keyProtectorCount(field: Field | undefined): number | null {
  if (!field) return null;
  if (field.continuation.length > 0) return field.continuation.length;
  if (field.value === '') return null;
  return NO_KEY_PROTECTORS.test(normalizeWord(field.value)) ? 0 : 1;
}

function toVolume(block: Block): EncryptedVolume {
  const fields = block.fields;
  const value = (position: number): string => fields[position]?.value ?? '';
  if (fields.length < MIN_FIELDS || !/GB$/i.test(value(FIELD.size)) || !value(FIELD.percentage).includes('%')) {
    throw new AgentError('ERR_PARSE', `manage-bde's block for ${block.mount} is cut off or not in the documented order.`);
  }
  const conversionWord = lookupWord(value(FIELD.conversion), CONVERSION);
  const conversion = conversionWord === 'unknown' ? null : conversionWord;
  const keyProtectors = keyProtectorCount(fields.length >= KEY_PROTECTORS_FROM ? fields[fields.length - 1] : undefined);
  const { on, rebootCount } = protectionWord(value(FIELD.protection));
  const protection: Protection = rebootCount && isFullyEncrypted(conversion) ? 'suspended' : protectionOf(on, conversion, keyProtectors);
  const locked = lookupWord(value(FIELD.lock), LOCK);
  const state = [value(FIELD.conversion), value(FIELD.percentage), value(FIELD.protection)];
  if (locked === true) state.push(value(FIELD.lock));
  if (isWaitingForActivation(conversion, protection, keyProtectors)) state.push(WAITING_FOR_ACTIVATION);
  return {
    mount: block.mount,
    system: OS_ROLE.test(block.role),
    encrypted: isEncrypted(conversion, protection, locked),
    method: method(value(FIELD.method)),
    state: state.join(', '),
    percentEncrypted: percentage(value(FIELD.percentage)),
    conversion: conversionOf(conversion),
    protection,
  };
}

export function parseManageBde(text: string): EncryptedVolume[] {
  const all = lines(text).map((line) => line.trimEnd());
  if (all.every((line) => line.trim() === '')) throw new AgentError('ERR_EMPTY_OUTPUT', 'manage-bde printed nothing.');
  const blocks = readBlocks(all);
  if (blocks.length === 0) throw refusal(text);
  return blocks.map(toVolume);
}
