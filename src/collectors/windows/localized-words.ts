/**
 * Matching the words of localised Windows tools (manage-bde, netsh). They print in the console code
 * page, which the runner decodes as UTF-8 or else byte for byte (latin1), so an accented letter may
 * arrive as itself or as one stray character: tables write every non-ASCII letter as `.` so both
 * match. Values are compared whole, lower-cased, without a final full stop.
 */
export type WordTable<T> = readonly (readonly [T, RegExp])[];

export function normalizeWord(value: string): string {
  return value.trim().replace(/\.$/, '').trim().toLowerCase();
}

/** The meaning of the first pattern matching the whole value; null when none does. */
export function lookupWord<T>(value: string, table: WordTable<T>): T | null {
  const word = normalizeWord(value);
  for (const [meaning, pattern] of table) if (pattern.test(word)) return meaning;
  return null;
}
