/** Small pure helpers shared by the parsers: lines, blocks and `key: value` pairs. */

/** Lines of command output, whatever the line endings (LF, CRLF, wmic's CR CR LF). */
export function lines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r*\n|\r/);
}

/** Blank-line separated blocks of non-empty lines. */
export function blocks(text: string): string[][] {
  const result: string[][] = [];
  let current: string[] = [];
  for (const line of lines(text)) {
    if (line.trim() === '') {
      if (current.length > 0) result.push(current);
      current = [];
    } else {
      current.push(line);
    }
  }
  if (current.length > 0) result.push(current);
  return result;
}

/** Splits on the first separator and trims both sides; undefined when there is none. */
export function splitKeyValue(line: string, separator: string | RegExp = ':'): [string, string] | undefined {
  if (typeof separator === 'string') {
    const index = line.indexOf(separator);
    if (index < 0) return undefined;
    return [line.slice(0, index).trim(), line.slice(index + separator.length).trim()];
  }
  const match = separator.exec(line);
  if (!match) return undefined;
  return [line.slice(0, match.index).trim(), line.slice(match.index + match[0].length).trim()];
}

/** `key<sep>value` lines into a map (first occurrence wins); lines without a separator are skipped. */
export function keyValues(text: string | readonly string[], separator: string | RegExp = ':'): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of typeof text === 'string' ? lines(text) : text) {
    const pair = splitKeyValue(line, separator);
    if (pair && pair[0] !== '' && !map.has(pair[0])) map.set(pair[0], pair[1]);
  }
  return map;
}

/** True, false or null for the usual English boolean words (case-insensitive). */
export function parseBooleanWord(value: string | undefined | null): boolean | null {
  switch (value?.trim().toLowerCase()) {
    case 'true':
    case 'yes':
    case 'on':
    case 'enabled':
    case 'enable':
    case '1':
      return true;
    case 'false':
    case 'no':
    case 'off':
    case 'disabled':
    case 'disable':
    case '0':
      return false;
    default:
      return null;
  }
}
