/**
 * `system_profiler -json SPiBridgeDataType`: `{ "SPiBridgeDataType": [ { ... } ] }`, one item per
 * Apple controller: the T2 chip on Intel Macs that have one (`ibridge_model_name`: "Apple T2 chip"),
 * the Apple silicon SoC's boot policy (`ibridge_model_identifier_top`: "Mac16,5"), none on an Intel
 * Mac without a T2 (an empty list). `ibridge_secure_boot` is the Secure Boot policy: "Full
 * Security", "Reduced Security" or "Permissive Security" on Apple silicon, "Full Security",
 * "Medium Security" or "No Security" on a T2 (Apple Platform Security guide, Startup Security
 * Utility); older macOS on a T2 does not print it. osquery's darwin secureboot table reads the same
 * key (Full and Reduced = secure boot on, Permissive = off).
 *
 * The keys are fixed; the VALUES are localised in the Mac's language ("Sécurité maximale" on a French
 * Mac). Only wordings known from real Macs are recognised; any other is kept verbatim with `level`
 * null rather than guessed. Pure.
 */
import { AgentError } from '../../shared/errors.js';
import { lookupWord, type WordTable } from '../windows/localized-words.js';

export type SecureBootLevel = 'full' | 'reduced' | 'medium' | 'permissive' | 'none';

export interface IBridgeReading {
  /** How many controllers system_profiler listed: 0 on an Intel Mac without a T2 chip. */
  controllers: number;
  /** `Apple T2 chip`, or the Apple silicon Mac's model identifier (`Mac16,5`). */
  model: string | null;
  /** ibridge_secure_boot as printed. */
  secureBoot: string | null;
  /** What that wording means; null when absent or not a known wording. */
  level: SecureBootLevel | null;
}

/** English (Apple's keys) and translations seen on real Macs; non-ASCII letters also match one stray character. */
const LEVELS: WordTable<SecureBootLevel> = [
  ['full', /^(full security|s.curit. maximale|volle sicherheit|完全なセキュリティ)$/],
  ['reduced', /^reduced security$/],
  ['medium', /^(medium security|s.curit. normale)$/],
  ['permissive', /^permissive security$/],
  ['none', /^no security$/],
];

const DATA_TYPE = 'SPiBridgeDataType';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringAt(record: Record<string, unknown>, key: string): string | null {
  const value = record[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** ibridge_secure_boot at the item's top level (as printed), or inside a nested boot-policy record. */
function secureBootWording(item: Record<string, unknown>): string | null {
  const direct = stringAt(item, 'ibridge_secure_boot');
  if (direct !== null) return direct;
  for (const value of Object.values(item)) {
    if (isRecord(value)) {
      const nested = stringAt(value, 'ibridge_secure_boot');
      if (nested !== null) return nested;
    }
  }
  return null;
}

export function parseSPiBridgeJson(text: string): IBridgeReading {
  const body = text.replace(/^\uFEFF/, '').trim();
  if (body === '') throw new AgentError('ERR_EMPTY_OUTPUT', 'system_profiler -json SPiBridgeDataType printed nothing.');
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    throw new AgentError('ERR_PARSE', `system_profiler -json SPiBridgeDataType did not print JSON: ${body.split('\n')[0]!.slice(0, 200)}`);
  }
  const items = isRecord(document) ? document[DATA_TYPE] : undefined;
  if (!Array.isArray(items)) throw new AgentError('ERR_PARSE', `system_profiler's JSON has no ${DATA_TYPE} list.`);
  const records = items.filter(isRecord);
  if (records.length !== items.length) throw new AgentError('ERR_PARSE', `system_profiler's ${DATA_TYPE} list holds something other than records.`);
  const item = records.find((record) => secureBootWording(record) !== null) ?? records[0];
  if (!item) return { controllers: 0, model: null, secureBoot: null, level: null };
  const secureBoot = secureBootWording(item);
  return {
    controllers: records.length,
    model: stringAt(item, 'ibridge_model_name') ?? stringAt(item, 'ibridge_model_identifier_top'),
    secureBoot,
    level: secureBoot === null ? null : lookupWord(secureBoot, LEVELS),
  };
}
